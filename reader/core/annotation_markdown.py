"""An article as Markdown with its highlights marked ``==like this==`` and its notes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from reader.core.anchoring import TextPosition, anchor
from reader.core.models import Article, LinkSpan, canonical_text
from reader.core.render import block_to_markdown, escape_markdown, inline_markdown

if TYPE_CHECKING:
    from reader.core.annotations import Annotation


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def fits(text: str, exact: str, position: TextPosition) -> bool:
    start, end = position.start, position.end
    return 0 <= start < end <= len(text) and text[start:end] == exact


# -- Markdown ------------------------------------------------------------------

_DOUBLE_EQUALS = re.compile(r"={2,}")


def escape_text(text: str) -> str:
    """Markdown-escaped story text in which "==" cannot open a highlight."""
    return _DOUBLE_EQUALS.sub(lambda m: "\\=" * len(m.group()), escape_markdown(text))


def _placement(text: str, item: Annotation) -> tuple[int, int] | None:
    """Where a highlight goes in this text; None lists it with the orphans."""
    quote = item.quote
    if item.orphaned or quote is None or not quote.exact:
        return None
    position = item.position
    if position is not None and fits(text, quote.exact, position):
        return position.start, position.end
    found = anchor(text, quote, position)  # the text changed and nobody re-anchored yet
    return (found.start, found.end) if found else None


def _marked_spans(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge overlapping spans, cut them at line breaks and trim their whitespace:
    ``==`` must hug the words and cannot cross lines."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    pieces: list[tuple[int, int]] = []
    for start, end in merged:
        for line in re.finditer(r"[^\n]+", text[start:end]):
            piece = trim(text, start + line.start(), start + line.end())
            if piece[0] < piece[1]:
                pieces.append(piece)
    return pieces


def _mark(text: str, spans: list[tuple[int, int]], links: Sequence[LinkSpan] = ()) -> str:
    """Block text with highlights as ``==…==`` and links as ``[…](url)``."""
    return inline_markdown(
        text,
        links,
        _marked_spans(text, spans),
        escape=escape_text,
        escape_marked=lambda piece: escape_markdown(piece).replace("=", "\\="),
    )


def _code_highlights(code: str, spans: list[tuple[int, int]]) -> str:
    pieces = [code[start:end] for start, end in _marked_spans(code, spans)]
    return "\n".join(f"> {_highlighted(piece)}" for piece in pieces)


def _highlighted(words: str) -> str:
    """Words as one ``==highlight==`` whose own "=" cannot close it."""
    return f"=={escape_markdown(words).replace('=', chr(92) + '=')}=="


def _note_markdown(note: str, indent: str = "") -> str:
    lines = escape_text(note).splitlines() or [""]  # "==" in a note is text, as in the story
    quoted = [f"> **Note:** {lines[0]}"] + [f"> {line}".rstrip() for line in lines[1:]]
    return "\n".join(indent + line for line in quoted)


def _orphans_markdown(orphans: list[Annotation]) -> str:
    items = []
    for item in orphans:
        words = " ".join((item.exact or "").split())
        entry = f"- {_highlighted(words)}"
        if item.note:
            entry += "\n\n" + _note_markdown(item.note, indent="  ")
        items.append(entry)
    return "## Orphaned highlights\n\n" + "\n".join(items)


def markdown_with_annotations(article: Article, annotations: list[Annotation]) -> str:
    """The story as Markdown with highlights marked ``==like this==`` in each block they
    touch, each highlight's note as a block quote after the block where it ends, the
    article note on top and unplaceable highlights listed at the end."""
    text = canonical_text(article.blocks)
    placed: list[tuple[int, int, Annotation]] = []
    orphans: list[Annotation] = []
    parts: list[str] = []
    for item in annotations:
        if item.kind == "note":
            if item.note:
                parts.append(_note_markdown(item.note))
            continue
        where = _placement(text, item)
        if where is None:
            orphans.append(item)
        else:
            placed.append((*where, item))
    placed.sort(key=lambda entry: (entry[0], entry[1]))
    block_start = 0
    for block in article.blocks:
        block_end = block_start + len(block.text)
        spans = [
            (max(start, block_start) - block_start, min(end, block_end) - block_start)
            for start, end, _ in placed
            if start < block_end and end > block_start
        ]
        parts.append(block_to_markdown(block, text=_mark(block.text, spans, block.links)))
        if block.kind == "preformatted" and spans:  # code cannot be marked: quoted after it
            parts.append(_code_highlights(block.text, spans))
        for start, end, item in placed:
            # A note follows the block its highlight ends in (a trailing separator counts).
            if item.note and block_start < end <= block_end + 2 and start < block_end:
                parts.append(_note_markdown(item.note))
        block_start = block_end + 2
    if orphans:
        parts.append(_orphans_markdown(orphans))
    return "\n\n".join(parts)
