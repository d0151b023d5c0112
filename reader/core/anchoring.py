"""Find a highlight again after the text around it changed.

A highlight is described by a W3C TextQuoteSelector (the exact words plus some
context either side) and a TextPositionSelector (offsets). :func:`anchor`
places it in a new text in three steps, each stricter about evidence:

1. the stored position, if the exact words are still there;
2. an exact occurrence of the words, chosen by context agreement and nearness;
3. a bounded fuzzy match (edit distance via Myers' bit-parallel algorithm over a
   few candidate windows found by exact pieces of the quote).

A candidate is only accepted with evidence that it is the *same* passage: its
context agrees, or the quote is long and the only one of its kind. Otherwise
the answer is None and the caller orphans the highlight; a highlight is never
silently moved onto other words. Pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

CONTEXT = 32
MIN_SIMILARITY = 0.85  # fuzzy: share of the quote that must survive (1 - edits/len)
MIN_CONTEXT = 0.5  # mean prefix/suffix agreement that vouches for a candidate
DISTINCT_LENGTH = 20  # a quote this long, found once, vouches for itself
MAX_OCCURRENCES = 10_000  # exact hits gathered at most
MAX_SCORED = 100  # exact hits whose context is compared in full
MAX_PIECES = 48  # fuzzy: exact pieces of the quote looked up
PIECE_LENGTH = 12  # fuzzy: longest piece; short pieces survive scattered edits
MAX_PIECE_HITS = 200  # fuzzy: a piece found more often than this says nothing
MAX_WINDOWS = 4  # fuzzy: candidate windows aligned
NEAR_TIE = 0.05  # fuzzy: similarities this close are decided by context

Method = Literal["position", "exact", "fuzzy"]


@dataclass(frozen=True, slots=True)
class TextQuote:
    exact: str
    prefix: str
    suffix: str


@dataclass(frozen=True, slots=True)
class TextPosition:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Anchor:
    start: int
    end: int
    method: Method
    confidence: float  # 0..1; 1.0 for an unchanged position


def describe(
    text: str, start: int, end: int, context: int = CONTEXT
) -> tuple[TextQuote, TextPosition]:
    """Both selectors for ``text[start:end]``; raises ValueError for an empty or bad range."""
    if not 0 <= start < end <= len(text):
        raise ValueError(f"bad range {start}..{end} for a text of {len(text)} characters")
    quote = TextQuote(
        exact=text[start:end],
        prefix=text[max(0, start - context) : start],
        suffix=text[end : end + context],
    )
    return quote, TextPosition(start, end)


def anchor(text: str, quote: TextQuote, position: TextPosition | None) -> Anchor | None:
    """Where ``quote`` is in ``text`` now, or None if it cannot be placed confidently."""
    if not quote.exact:
        return None
    return (
        _at_position(text, quote, position)
        or _exact(text, quote, position)
        or _fuzzy(text, quote, position)
    )


def _at_position(text: str, quote: TextQuote, position: TextPosition | None) -> Anchor | None:
    """The stored offsets, if the words and their context are all still there. When
    only the words are, the search below weighs this spot against the others."""
    if position is None:
        return None
    start, end = position.start, position.end
    if not (0 <= start <= end <= len(text) and text[start:end] == quote.exact):
        return None
    if _quick_context(text, quote, start) < 2:
        return None
    return Anchor(start, end, "position", 1.0)


# -- context -------------------------------------------------------------------


def _similarity(stored: str, found: str) -> float:
    if not stored:
        return 1.0 if not found else 0.0
    return SequenceMatcher(None, stored, found, autojunk=False).ratio()


def context_agreement(text: str, quote: TextQuote, start: int, end: int) -> float:
    """Mean similarity (0..1) of the stored prefix and suffix to the text around a match."""
    before = text[max(0, start - len(quote.prefix)) : start] if quote.prefix else text[:start][-1:]
    after = text[end : end + len(quote.suffix)] if quote.suffix else text[end:][:1]
    return (_similarity(quote.prefix, before) + _similarity(quote.suffix, after)) / 2


def _distance(start: int, position: TextPosition | None) -> int:
    return abs(start - position.start) if position is not None else 0


def _vouched(context: float, quote: TextQuote, alone: bool) -> bool:
    """Evidence that a match is the same passage, not the same words elsewhere."""
    return context >= MIN_CONTEXT or (alone and len(quote.exact) >= DISTINCT_LENGTH)


# -- exact matches -------------------------------------------------------------


def _occurrences(text: str, needle: str, limit: int) -> Iterator[int]:
    found = text.find(needle)
    while found != -1 and limit > 0:
        yield found
        limit -= 1
        found = text.find(needle, found + 1)


def _quick_context(text: str, quote: TextQuote, start: int) -> int:
    """0-2: how many context sides agree verbatim (a cheap first sort)."""
    end = start + len(quote.exact)
    before = text[max(0, start - len(quote.prefix)) : start]
    return int(before == quote.prefix) + int(text[end : end + len(quote.suffix)] == quote.suffix)


def _exact(text: str, quote: TextQuote, position: TextPosition | None) -> Anchor | None:
    starts = list(_occurrences(text, quote.exact, MAX_OCCURRENCES))
    if not starts:
        return None
    starts.sort(key=lambda s: (-_quick_context(text, quote, s), _distance(s, position), s))
    length = len(quote.exact)
    scored = [(context_agreement(text, quote, s, s + length), s) for s in starts[:MAX_SCORED]]
    context, start = max(scored, key=lambda item: (item[0], -_distance(item[1], position)))
    if not _vouched(context, quote, alone=len(starts) == 1):
        return None
    method: Method = "position" if position and start == position.start else "exact"
    return Anchor(start, start + length, method, round((1 + context) / 2, 3))


# -- fuzzy matches -------------------------------------------------------------


def _max_edits(length: int) -> int:
    return int(length * (1 - MIN_SIMILARITY) + 1e-9)


def _pieces(exact: str, edits: int) -> list[tuple[int, str]]:
    """Up to MAX_PIECES pieces, one from the start of each of equal slices. Short
    quotes use whole slices: with edits + 1 of them one must survive any match
    within budget (pigeonhole). Long quotes use short pieces, likely to survive."""
    count = min(edits + 1, MAX_PIECES)
    size = len(exact) // count
    length = size if count == edits + 1 else min(size, PIECE_LENGTH)
    return [(i * size, exact[i * size : i * size + length]) for i in range(count)]


def _candidate_starts(text: str, exact: str, edits: int) -> list[tuple[int, int]]:
    """(votes, estimated start) of the likeliest places, best first."""
    diagonals: list[tuple[int, int]] = []
    for offset, piece in _pieces(exact, edits):
        if not piece.strip() or text.count(piece) > MAX_PIECE_HITS:
            continue
        diagonals += [(hit - offset, offset) for hit in _occurrences(text, piece, MAX_PIECE_HITS)]
    diagonals.sort()
    clusters: list[tuple[int, int]] = []
    i = 0
    while i < len(diagonals):
        j = i
        while j + 1 < len(diagonals) and diagonals[j + 1][0] - diagonals[i][0] <= edits:
            j += 1
        votes = len({offset for _, offset in diagonals[i : j + 1]})
        clusters.append((votes, diagonals[i][0]))
        i = j + 1
    clusters.sort(key=lambda item: -item[0])
    return clusters[:MAX_WINDOWS]


def _fuzzy(text: str, quote: TextQuote, position: TextPosition | None) -> Anchor | None:
    exact = quote.exact
    edits = _max_edits(len(exact))
    if edits == 0:
        return None  # too short to tell a typo from different words
    found: list[tuple[float, float, int, int]] = []
    for _, estimate in _candidate_starts(text, exact, edits):
        low = max(0, estimate - 2 * edits)
        high = min(len(text), estimate + len(exact) + 3 * edits)
        match = _align(exact, text, low, high)
        if match is not None and match[0] <= edits:
            distance, start, end = match
            if all(abs(start - other[2]) > edits for other in found):
                context = context_agreement(text, quote, start, end)
                found.append((1 - distance / len(exact), context, start, end))
    if not found:
        return None
    similarity, context, start, end = max(
        found, key=lambda f: (f[0] + NEAR_TIE * f[1], -_distance(f[2], position))
    )
    if not _vouched(context, quote, alone=len(found) == 1):
        return None
    return Anchor(start, end, "fuzzy", round(similarity, 3))


def _align(pattern: str, text: str, low: int, high: int) -> tuple[int, int, int] | None:
    """Best (edit distance, start, end) of ``pattern`` against a substring of text[low:high]."""
    window = text[low:high]
    scores = _myers(pattern, window, free_start=True)
    if not scores:
        return None
    best = min(scores)
    end = scores.index(best) + 1
    # Align backwards from that end, anchored there, to find where the match begins.
    back = _myers(pattern[::-1], window[:end][::-1], free_start=False)
    length = min(range(len(back)), key=lambda i: (back[i], abs(i + 1 - len(pattern)))) + 1
    return best, low + end - length, low + end


def _myers(pattern: str, text: str, *, free_start: bool) -> list[int]:
    """Edit distance of ``pattern`` to text ending at each position (Myers 1999,
    bit-parallel; Python ints are the bit vectors, so work is O(len(text) * len(pattern) / 64)
    machine words). free_start: the match may begin anywhere; else at text[0]."""
    size = len(pattern)
    mask = (1 << size) - 1
    high_bit = 1 << (size - 1)
    peq: dict[str, int] = {}
    for i, char in enumerate(pattern):
        peq[char] = peq.get(char, 0) | (1 << i)
    pv, mv, score = mask, 0, size
    carry = 0 if free_start else 1
    scores: list[int] = []
    for char in text:
        eq = peq.get(char, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high_bit:
            score += 1
        elif mh & high_bit:
            score -= 1
        ph = ((ph << 1) | carry) & mask
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
        scores.append(score)
    return scores
