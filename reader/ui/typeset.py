"""Typeset an article into screen lines, keeping a wrap map.

The reading view draws the lines this module produces. Each line remembers
which of its characters come from the canonical text (the cleaned blocks
joined by blank lines) and where, so that screen positions map to canonical
offsets and back: reading positions survive re-wrapping at another width,
find-in-article marks matches in place, and highlights (a later issue) can be
drawn over the same offsets.

Feed text only ever becomes :class:`Content` built from plain strings; style
names starting with "." resolve to the reading view's component classes, so
the theme decides colours.
"""

from __future__ import annotations

import bisect
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len
from textual.content import Content, Span

from reader.core.models import BLOCK_SEPARATOR, Article, Block, Enclosure, LinkSpan, Removal
from reader.core.sanitize import clean_line, visible_url
from reader.core.wording import plural

_WORD = re.compile(r"\S+")
# The core strips control characters before text is stored; should one slip
# through, show it as a visible symbol, one for one, so offsets stay aligned
# (Content would silently drop it) and the terminal never receives it. Tabs
# would widen a line without moving offsets, so they show as one space.
_VISIBLE_CONTROLS = {
    **{code: "\ufffd" for code in [*range(0x00, 0x20), *range(0x7F, 0xA0)]},
    0x1B: "\u241b",
    0x09: " ",
    0x0A: "\n",
}


@dataclass(frozen=True, slots=True)
class OffsetRun:
    """Characters ``index .. index+length`` of a line are canonical ``offset ..``."""

    index: int
    offset: int
    length: int


@dataclass(frozen=True, slots=True)
class TypesetLine:
    """One screen line: styled content plus its slice of the wrap map."""

    content: Content
    runs: tuple[OffsetRun, ...] = ()

    @property
    def first_offset(self) -> int | None:
        return self.runs[0].offset if self.runs else None

    def offset_at_index(self, index: int) -> int | None:
        """The canonical offset of character ``index``, or None for decoration."""
        for run in self.runs:
            if run.index <= index < run.index + run.length:
                return run.offset + index - run.index
        return None

    def index_of_offset(self, offset: int) -> int | None:
        """The character index showing canonical ``offset``, if this line shows it."""
        for run in self.runs:
            if run.offset <= offset < run.offset + run.length:
                return run.index + offset - run.offset
        return None

    def offset_at_column(self, column: int) -> int | None:
        """The canonical offset under screen ``column`` (wide characters count twice)."""
        width = 0
        for index, character in enumerate(self.content.plain):
            width += cell_len(character)
            if width > column:
                return self.offset_at_index(index)
        return None

    def column_of_index(self, index: int) -> int:
        return cell_len(self.content.plain[:index])

    def spans_for(self, start: int, end: int) -> Iterable[tuple[int, int]]:
        """Character ranges of this line that show canonical ``start .. end``."""
        for run in self.runs:
            low = max(start, run.offset)
            high = min(end, run.offset + run.length)
            if low < high:
                yield run.index + low - run.offset, run.index + high - run.offset


@dataclass(slots=True)
class Typeset:
    """An article laid out at one width."""

    lines: list[TypesetLine]
    links: list[str]  # link N is links[N - 1]; enclosures follow the inline links
    width: int
    text: str  # the canonical text the offsets point into
    _anchors: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._anchors = [
            (offset, index)
            for index, line in enumerate(self.lines)
            if (offset := line.first_offset) is not None
        ]

    def line_of_offset(self, offset: int) -> int:
        """The line showing canonical ``offset`` (the nearest one before it otherwise)."""
        if not self._anchors:
            return 0
        position = bisect.bisect_right(self._anchors, (offset, len(self.lines))) - 1
        return self._anchors[max(0, position)][1]

    def offset_of_line(self, line: int) -> int:
        """The first canonical offset shown on or after ``line`` (0 above the body)."""
        position = bisect.bisect_left([index for _, index in self._anchors], line)
        if position >= len(self._anchors):
            return self._anchors[-1][0] if self._anchors else 0
        return self._anchors[position][0]


@dataclass(slots=True)
class _Piece:
    """A block being assembled: plain text, its styles and its wrap map."""

    text: list[str] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    offsets: list[int | None] = field(default_factory=list)

    def add(self, text: str, style: str = "", offset: int | None = None) -> None:
        if not text:
            return
        start = len(self.offsets)
        self.text.append(text.translate(_VISIBLE_CONTROLS))
        if style:
            self.spans.append(Span(start, start + len(text), style))
        if offset is None:
            self.offsets.extend([None] * len(text))
        else:
            self.offsets.extend(range(offset, offset + len(text)))

    def content(self) -> Content:
        return Content("".join(self.text), self.spans)


def _runs(offsets: Sequence[int | None]) -> tuple[OffsetRun, ...]:
    runs: list[OffsetRun] = []
    start = 0
    while start < len(offsets):
        first = offsets[start]
        end = start + 1
        if first is not None:
            while end < len(offsets) and offsets[end] == first + (end - start):
                end += 1
            runs.append(OffsetRun(start, first, end - start))
        start = end
    return tuple(runs)


def _cut(text: str, start: int, end: int, width: int) -> int:
    """The end of the longest prefix of ``text[start:end]`` that fits ``width`` cells."""
    cut, cells = start, 0
    while cut < end and cells + cell_len(text[cut]) <= width:
        cells += cell_len(text[cut])
        cut += 1
    return max(cut, start + 1)


def _fold(text: str, width: int) -> list[tuple[int, int]]:
    """Split a preformatted line every ``width`` cells, keeping its spaces."""
    ranges: list[tuple[int, int]] = []
    start = 0
    while start < len(text):
        end = _cut(text, start, len(text), width)
        ranges.append((start, end))
        start = end
    return ranges or [(0, 0)]


def _break_points(text: str, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap of one hard line into (start, end) character ranges
    without trailing spaces; a word longer than a line is split by cells."""
    ranges: list[tuple[int, int]] = []
    line: tuple[int, int] | None = None
    for match in _WORD.finditer(text):
        word_start, word_end = match.span()
        if line is not None and cell_len(text[line[0] : word_end]) <= width:
            line = (line[0], word_end)
            continue
        if line is not None:
            ranges.append(line)
        # Split an over-long word in line-sized cuts; each cut measures only its own
        # cells, so a 100,000-character word costs linear time.
        cut = _cut(text, word_start, word_end, width)
        while cut < word_end:
            ranges.append((word_start, cut))
            word_start = cut
            cut = _cut(text, word_start, word_end, width)
        line = (word_start, word_end)
    if line is not None:
        ranges.append(line)
    return ranges or [(0, 0)]


def _wrap(
    piece: _Piece, width: int, first: Content, rest: Content, wrap: bool
) -> list[TypesetLine]:
    """Lay a piece out under a first-line prefix and a continuation prefix."""
    content = piece.content()
    plain = content.plain
    lines: list[TypesetLine] = []
    line_start = 0
    for hard_line in plain.split("\n"):
        available = max(1, width - max(first.cell_length, rest.cell_length))
        ranges = _break_points(hard_line, available) if wrap else _fold(hard_line, available)
        for start, end in ranges:
            prefix = first if not lines else rest
            body = content[line_start + start : line_start + end]
            runs = _runs(piece.offsets[line_start + start : line_start + end])
            shift = len(prefix.plain)
            shifted = tuple(OffsetRun(run.index + shift, run.offset, run.length) for run in runs)
            lines.append(TypesetLine(prefix + body, shifted))
        line_start += len(hard_line) + 1
    return lines


def format_long_date(timestamp: float | None) -> str:
    """Local date and time for the title block, e.g. 'Tue 3 Jun 2025, 14:05'."""
    if timestamp is None:
        return ""
    moment = time.localtime(timestamp)
    return time.strftime(f"%a {moment.tm_mday} %b %Y, %H:%M", moment)


def format_short_date(timestamp: float | None) -> str:
    """Fixed-width local date for list rows ('03 Jun 2025'); does not depend on today."""
    if timestamp is None:
        return " " * 11
    return time.strftime("%d %b %Y", time.localtime(timestamp))


def _human_size(length: int | None) -> str:
    if not length:
        return ""
    size = float(length)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


@dataclass(slots=True)
class _RemovalPlan:
    """Where removed passages go: on lines of their own before a cleaned block
    (``before[len(blocks)]``: after the last), and inline at a character offset
    inside one."""

    before: dict[int, list[Removal]]
    inline: dict[int, list[tuple[int, Removal]]]


def plan_removals(removed: Sequence[Removal], blocks: Sequence[Block]) -> _RemovalPlan:
    """Place each removal where the cleaner took it out.

    The cleaner records ``position``, the canonical offset where the text after
    a removed passage now starts. At the start of a block (or the end of the
    text) the passage goes on lines of its own before that block (after the
    last); inside a block, or at its end, inline at that offset. Articles
    cleaned before positions were recorded (``-1``) fall back to
    :func:`approximate_removals`.
    """
    if not removed:
        return _RemovalPlan({}, {})
    if any(removal.position < 0 for removal in removed):
        return approximate_removals(removed, len(blocks))
    starts: list[int] = []
    offset = 0
    for block in blocks:
        starts.append(offset)
        offset += len(block.text) + len(BLOCK_SEPARATOR)
    text_length = max(0, offset - len(BLOCK_SEPARATOR))
    plan = _RemovalPlan({}, {})
    for removal in removed:  # the cleaner lists them in text order
        position = removal.position
        index = bisect.bisect_right(starts, position) - 1
        if position >= text_length or index < 0:
            plan.before.setdefault(len(blocks) if position > 0 else 0, []).append(removal)
        elif position == starts[index]:
            plan.before.setdefault(index, []).append(removal)
        elif position - starts[index] <= len(blocks[index].text):
            plan.inline.setdefault(index, []).append((position - starts[index], removal))
        else:  # inside a separator (not made by the cleaner): before the next block
            plan.before.setdefault(index + 1, []).append(removal)
    return plan


def approximate_removals(removed: Sequence[Removal], block_count: int) -> _RemovalPlan:
    """Map removals (indexed by raw block) onto cleaned blocks, without positions.

    A raw block whose only removals start at 0 is taken as removed whole; later
    raw indices shift back by the number of whole removals before them. A
    heuristic for articles cleaned before removals recorded their position.
    """
    by_block: dict[int, list[Removal]] = {}
    for removal in removed:
        by_block.setdefault(removal.block, []).append(removal)
    plan = _RemovalPlan({}, {})
    whole_before = 0
    for raw_index in sorted(by_block):
        items = sorted(by_block[raw_index], key=lambda item: item.start)
        cleaned_index = min(raw_index - whole_before, block_count)
        if all(item.start == 0 for item in items):
            plan.before.setdefault(cleaned_index, []).extend(items)
            whole_before += 1
            continue
        shift = 0
        for item in items:
            plan.inline.setdefault(cleaned_index, []).append((max(0, item.start - shift), item))
            shift += max(0, item.end - item.start)
    return plan


class _Typesetter:
    """Builds the lines of one article at one width."""

    def __init__(self, article: Article, width: int, show_removed: bool) -> None:
        self.article = article
        self.width = max(10, width)
        self.show_removed = show_removed
        self.lines: list[TypesetLine] = []
        self.links: list[str] = []
        self.plan = plan_removals(article.removed, article.blocks)

    def blank(self) -> None:
        if self.lines and self.lines[-1].content.plain:
            self.lines.append(TypesetLine(Content("")))

    def add_wrapped(
        self,
        piece: _Piece,
        first: str = "",
        rest: str = "",
        prefix_style: str = "",
        wrap: bool = True,
    ) -> None:
        first_prefix = Content.styled(first, prefix_style) if first else Content("")
        rest_prefix = Content.styled(rest, prefix_style) if rest else Content("")
        self.lines.extend(_wrap(piece, self.width, first_prefix, rest_prefix, wrap))

    def plain(self, text: str, style: str) -> None:
        piece = _Piece()
        piece.add(text, style)
        self.add_wrapped(piece)

    def title_block(self) -> None:
        article = self.article
        self.plain(clean_line(article.title) or "Untitled", ".reading--title")
        meta = [
            clean_line(article.feed_title),
            clean_line(article.author),
            format_long_date(article.published),
        ]
        self.plain(" · ".join(part for part in meta if part), ".reading--meta")
        marks = _Piece()
        if article.saved:
            marks.add("★ Saved", ".reading--marker")
        for tag in article.tags:
            marks.add("  " if marks.text else "")
            marks.add(f"# {clean_line(tag)}", ".reading--meta")
        if marks.text:
            self.add_wrapped(marks)
        if article.link:
            self.plain(visible_url(article.link), ".reading--url")
        if article.removed and not self.show_removed:
            removed = plural(len(article.removed), "passage")
            self.plain(f"{removed} removed (x shows them)", ".reading--meta")
        elif self.show_removed and not article.removed:
            self.plain("Nothing was removed from this article.", ".reading--removed")
        self.lines.append(TypesetLine(Content.styled("─" * min(self.width, 40), ".reading--rule")))

    def body(self) -> None:
        blocks = self.article.blocks
        if not blocks:
            self.blank()
            self.plain(
                "This article has no text. Press o to open it in the browser.", ".reading--meta"
            )
        offset = 0
        previous: Block | None = None
        for index, block in enumerate(blocks):
            self.removed_blocks(index)
            self.block(block, offset, index, previous)
            previous = block
            offset += len(block.text) + len(BLOCK_SEPARATOR)
        self.removed_blocks(len(blocks))

    def removed_blocks(self, before_index: int) -> None:
        if not self.show_removed:
            return
        for removal in self.plan.before.get(before_index, []):
            self.blank()
            piece = _Piece()
            piece.add(removal.text, ".reading--removed")
            self.add_wrapped(piece, "✂ ", "  ", ".reading--removed")

    def block(self, block: Block, offset: int, index: int, previous: Block | None) -> None:
        both_items = previous is not None and previous.kind == block.kind == "list_item"
        if not both_items:
            self.blank()
        piece = self.block_piece(block, offset, index)
        if block.kind == "heading":
            style = ".reading--heading" if block.level <= 2 else ".reading--subheading"
            piece.spans.insert(0, Span(0, len(piece.offsets), style))
            self.add_wrapped(piece)
        elif block.kind == "quote":
            piece.spans.insert(0, Span(0, len(piece.offsets), ".reading--quote"))
            self.add_wrapped(piece, "│ ", "│ ", ".reading--quote-bar")
        elif block.kind == "list_item":
            indent = "  " * max(0, block.level - 1)
            self.add_wrapped(piece, f"{indent}• ", f"{indent}  ", ".reading--bullet")
        elif block.kind == "caption":
            piece.spans.insert(0, Span(0, len(piece.offsets), ".reading--caption"))
            self.add_wrapped(piece)
        elif block.kind == "preformatted":
            piece.spans.insert(0, Span(0, len(piece.offsets), ".reading--pre"))
            self.add_wrapped(piece, wrap=False)
        else:
            self.add_wrapped(piece)

    def block_piece(self, block: Block, base: int, index: int) -> _Piece:
        """The block's text with link styles, [N] markers and (optionally) removals."""
        text = block.text
        links = _valid_links(block, len(text))
        planned = self.plan.inline.get(index, []) if self.show_removed else []
        inserts = [(min(max(0, at), len(text)), removal) for at, removal in planned]
        cuts = sorted(
            {0, len(text)}
            | {link.start for link in links}
            | {link.end for link in links}
            | {p for p, _ in inserts}
        )
        piece = _Piece()
        for position, next_position in zip(cuts, [*cuts[1:], None], strict=True):
            for link in links:
                if link.end == position:
                    self.links.append(link.href)
                    piece.add(f"[{len(self.links)}]", ".reading--marker")
            for at, removal in inserts:
                if at == position:
                    before = " " if at > 0 and not text[at - 1].isspace() else ""
                    after = " " if at < len(text) and not text[at].isspace() else ""
                    piece.add(f"{before}✂ {removal.text.strip()}{after}", ".reading--removed")
            if next_position is None:
                break
            inside = any(link.start <= position < link.end for link in links)
            piece.add(
                text[position:next_position], ".reading--link" if inside else "", base + position
            )
        return piece

    def enclosures(self, enclosures: Sequence[Enclosure]) -> None:
        if not enclosures:
            return
        self.blank()
        self.plain("Attachments", ".reading--subheading")
        for enclosure in enclosures:
            self.links.append(enclosure.url)
            details = ", ".join(
                part for part in (enclosure.type or "", _human_size(enclosure.length)) if part
            )
            piece = _Piece()
            piece.add(f"[{len(self.links)}] ", ".reading--marker")
            piece.add(visible_url(enclosure.url), ".reading--link")
            if details:
                piece.add(f" ({clean_line(details)})", ".reading--meta")
            self.add_wrapped(piece, "", "    ")

    def link_list(self, inline_count: int) -> None:
        if not inline_count:
            return
        self.blank()
        self.plain("Links", ".reading--subheading")
        for number, href in enumerate(self.links[:inline_count], 1):
            piece = _Piece()
            piece.add(f"[{number}] ", ".reading--marker")
            piece.add(visible_url(href), ".reading--url")
            self.add_wrapped(piece, "", "    ")

    def build(self) -> Typeset:
        self.title_block()
        self.body()
        inline_count = len(self.links)
        self.enclosures(self.article.enclosures)
        self.link_list(inline_count)
        return Typeset(self.lines, self.links, self.width, self.article.text)


def _valid_links(block: Block, length: int) -> list[LinkSpan]:
    """Links sorted by position, clipped to the text, overlaps dropped."""
    valid: list[LinkSpan] = []
    last_end = 0
    for link in sorted(block.links, key=lambda item: (item.start, item.end)):
        if 0 <= link.start < link.end <= length and link.start >= last_end:
            valid.append(link)
            last_end = link.end
    return valid


def typeset(article: Article, width: int, *, show_removed: bool = False) -> Typeset:
    """Lay ``article`` out ``width`` columns wide."""
    return _Typesetter(article, width, show_removed).build()
