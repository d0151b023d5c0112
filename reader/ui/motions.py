"""Vim-like motions over an article's canonical text (words, sentences, paragraphs).

Positions are offsets into the canonical text (blocks joined by blank lines).
Each kind of unit is a sorted list of ``(start, end)`` spans; a motion moves to
the next or previous unit start, or (to extend a selection over whole units)
to the last character of the unit that contains or follows a position.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from typing import Literal

from reader.core.cleaner.sentences import split_sentences
from reader.core.models import BLOCK_SEPARATOR

Unit = Literal["word", "sentence", "paragraph"]
Span = tuple[int, int]

_WORD = re.compile(r"\w+|[^\w\s]+")


def paragraph_spans(text: str) -> list[Span]:
    """The blocks of the canonical text, trimmed of surrounding whitespace."""
    spans: list[Span] = []
    start = 0
    while start <= len(text):
        end = text.find(BLOCK_SEPARATOR, start)
        if end == -1:
            end = len(text)
        low, high = start, end
        while low < high and text[low].isspace():
            low += 1
        while high > low and text[high - 1].isspace():
            high -= 1
        if high > low:
            spans.append((low, high))
        start = end + len(BLOCK_SEPARATOR)
    return spans


def sentence_spans(text: str) -> list[Span]:
    """Sentences, never crossing a paragraph boundary."""
    spans: list[Span] = []
    for start, end in paragraph_spans(text):
        spans.extend(split_sentences(text, start, end))
    return spans


def word_spans(text: str) -> list[Span]:
    """Words as vim's ``w`` sees them: runs of letters/digits, or of punctuation."""
    return [match.span() for match in _WORD.finditer(text)]


def unit_spans(text: str, unit: Unit) -> list[Span]:
    if unit == "word":
        return word_spans(text)
    if unit == "sentence":
        return sentence_spans(text)
    return paragraph_spans(text)


def next_start(spans: Sequence[Span], position: int) -> int:
    """The start of the first unit after ``position`` (``position`` if none)."""
    index = bisect.bisect_right([start for start, _ in spans], position)
    return spans[index][0] if index < len(spans) else position


def previous_start(spans: Sequence[Span], position: int) -> int:
    """The start of the unit before ``position`` (or of the one it is inside)."""
    index = bisect.bisect_left([start for start, _ in spans], position) - 1
    return spans[index][0] if index >= 0 else position


def end_after(spans: Sequence[Span], position: int) -> int:
    """The last character of the first unit that ends after ``position``
    (``position`` if none): extends an inclusive selection by whole units."""
    for _, end in spans:
        if end - 1 > position:
            return end - 1
    return position


def move(text: str, position: int, unit: Unit, forward: bool, *, to_end: bool = False) -> int:
    """Where a motion by ``unit`` takes the cursor from ``position``."""
    spans = unit_spans(text, unit)
    if not spans:
        return position
    if forward:
        return end_after(spans, position) if to_end else next_start(spans, position)
    return previous_start(spans, position)


def containing(spans: Sequence[Span], position: int) -> Span | None:
    """The unit that contains ``position``, if any."""
    index = bisect.bisect_right([start for start, _ in spans], position) - 1
    if index >= 0 and spans[index][0] <= position < spans[index][1]:
        return spans[index]
    return None
