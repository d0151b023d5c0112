"""The reading pane: a line-API view of one typeset article.

The article is typeset (see :mod:`reader.ui.typeset`) to the configured
measure, or narrower when the pane is narrow, and centred. The typeset keeps
a wrap map from screen lines to canonical text offsets; the reading position
is stored as an offset, so it survives a different terminal width.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.events import Resize
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style

from reader.core.models import Article
from reader.ui.typeset import Typeset, TypesetLine, typeset
from reader.ui.widgets._strips import content_strip

EMPTY_HINT = "Choose an article and press Enter to read it here."


@dataclass(frozen=True, slots=True)
class FindState:
    """Matches of a find-in-article query, as canonical text ranges."""

    query: str
    matches: tuple[tuple[int, int], ...]
    current: int = 0


def find_matches(text: str, query: str) -> tuple[tuple[int, int], ...]:
    """Case-insensitive, non-overlapping matches of ``query`` in ``text``."""
    if not query:
        return ()
    haystack, needle = text.casefold(), query.casefold()
    if len(haystack) != len(text):  # casefold changed lengths (ß → ss): fall back
        haystack, needle = text.lower(), query.lower()
    found: list[tuple[int, int]] = []
    start = haystack.find(needle)
    while start != -1 and len(needle):
        found.append((start, start + len(needle)))
        start = haystack.find(needle, start + len(needle))
    return tuple(found)


class ReadingView(ScrollView, can_focus=True):
    """Shows one article, typeset, with a wrap map to canonical offsets."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_lines(1)", "Down", show=False, id="down"),
        Binding("k,up", "scroll_lines(-1)", "Up", show=False, id="up"),
        Binding("g,home", "top", "Top", show=False, id="top"),
        Binding("G,end", "bottom", "Bottom", show=False, id="bottom"),
        Binding("space,pagedown", "page(1)", "Page down", show=False, id="page-down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="page-up"),
        Binding("x", "toggle_removed", "Removed", id="show-removed"),
        Binding("slash", "find", "Find", id="find"),
        Binding("L", "link_prompt('open')", "Link N", id="open-link"),
        Binding("Y", "link_prompt('copy')", "Copy link N", show=False, id="copy-link"),
    ]

    COMPONENT_CLASSES = {
        "reading--title",
        "reading--meta",
        "reading--url",
        "reading--rule",
        "reading--heading",
        "reading--subheading",
        "reading--quote",
        "reading--quote-bar",
        "reading--bullet",
        "reading--caption",
        "reading--pre",
        "reading--link",
        "reading--marker",
        "reading--removed",
        "reading--match",
        "reading--current-match",
        "reading--empty",
    }

    DEFAULT_CSS = """
    ReadingView {
        background: $surface;
        color: $broadsheet-text;
        scrollbar-gutter: stable;
        overflow-x: hidden;
    }
    ReadingView > .reading--title { text-style: bold; color: $broadsheet-text; }
    ReadingView > .reading--meta { color: $broadsheet-text-muted; }
    ReadingView > .reading--url { color: $broadsheet-text-muted; text-style: italic; }
    ReadingView > .reading--rule { color: $broadsheet-rule; }
    ReadingView > .reading--heading { text-style: bold; color: $broadsheet-heading; }
    ReadingView > .reading--subheading { text-style: bold; color: $broadsheet-text; }
    ReadingView > .reading--quote { text-style: italic; }
    ReadingView > .reading--quote-bar { color: $broadsheet-heading; }
    ReadingView > .reading--bullet { color: $broadsheet-heading; }
    ReadingView > .reading--caption { color: $broadsheet-text-muted; text-style: italic; }
    ReadingView > .reading--pre { color: $broadsheet-text; background: $boost; }
    ReadingView > .reading--link { text-style: underline; }
    ReadingView > .reading--marker { color: $broadsheet-marker; }
    ReadingView > .reading--removed { color: $broadsheet-removed; text-style: strike; }
    ReadingView > .reading--match { background: $broadsheet-match; }
    ReadingView > .reading--current-match { background: $broadsheet-match; text-style: bold reverse; }
    ReadingView > .reading--empty { color: $broadsheet-text-muted; }
    """

    show_removed: reactive[bool] = reactive(False)

    class LinkRequested(Message):
        """The reader asked for link N (to open or to copy): the screen prompts."""

        def __init__(self, view: ReadingView, mode: str) -> None:
            super().__init__()
            self.view = view
            self.mode = mode

    class FindRequested(Message):
        """The reader pressed the find key."""

    def __init__(self, *, measure: int = 80, id: str | None = None) -> None:
        super().__init__(id=id)
        self.measure = measure
        self.article: Article | None = None
        self.layout_: Typeset | None = None
        self.find_state: FindState | None = None
        self._anchor: int | None = None  # the exact offset the view was put at
        self._settling = False

    # -- content -------------------------------------------------------------

    def show(self, article: Article | None, position: int = 0) -> None:
        """Display ``article`` with its top line at canonical offset ``position``."""
        self.article = article
        self.find_state = None
        self._anchor = position if position > 0 else None
        self._relayout()

    def update_marks(self, *, saved: bool, tags: tuple[str, ...]) -> None:
        """The open article was saved or (un)tagged: its header says so at once."""
        if self.article is None or (self.article.saved, self.article.tags) == (saved, tags):
            return
        self.article.saved = saved
        self.article.tags = tags
        self._relayout()

    @property
    def links(self) -> list[str]:
        return self.layout_.links if self.layout_ else []

    @property
    def reading_position(self) -> int:
        """Canonical offset at the top of the view.

        While the view sits where it was put (``scroll_to_offset``), that exact
        offset is kept: re-wrapping would otherwise round it down to the start
        of its line each time and the position would drift.
        """
        if self._anchor is not None:
            return self._anchor
        if self.layout_ is None:
            return 0
        top = round(self.scroll_offset.y)
        return self.layout_.offset_of_line(top) if top else 0

    def scroll_to_offset(self, offset: int) -> None:
        """Put canonical ``offset`` on the top line, once the layout is on screen."""
        self._anchor = offset if offset > 0 else None
        self._settling = True
        self.call_after_refresh(self._apply_anchor)

    def _apply_anchor(self) -> None:
        line = 0
        if self.layout_ is not None and self._anchor is not None:
            line = self.layout_.line_of_offset(self._anchor)
        self.scroll_to(y=line, animate=False, immediate=True)
        self._settling = False

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if self._settling or self._anchor is None or self.layout_ is None:
            return
        if round(new) != self.layout_.line_of_offset(self._anchor):
            self._anchor = None  # the reader scrolled away

    def _text_width(self) -> int:
        available = self.scrollable_content_region.width or self.measure + 4
        return max(20, min(self.measure, available - 4))

    def _relayout(self) -> None:
        """Typeset again (new width, removals shown or not), keeping the position."""
        position = self.reading_position
        if self.article is None:
            self.layout_ = None
            self.virtual_size = Size(0, 0)
        else:
            width = self._text_width()
            self.layout_ = typeset(self.article, width, show_removed=self.show_removed)
            self.virtual_size = Size(width, len(self.layout_.lines) + 1)
        self.scroll_to_offset(position)
        self.refresh()

    def on_resize(self, event: Resize) -> None:
        if self.layout_ is not None and self.layout_.width != self._text_width():
            self._relayout()

    def watch_show_removed(self) -> None:
        if self.article is not None:
            self._relayout()

    # -- find ----------------------------------------------------------------

    def find(self, query: str, *, forward_from_current: bool = True) -> bool:
        """Highlight matches of ``query`` and scroll to the next one. False if none."""
        if self.layout_ is None:
            return False
        previous = self.find_state
        matches = find_matches(self.layout_.text, query)
        if not matches:
            self.find_state = None
            self.refresh()
            return False
        if previous and previous.query == query and forward_from_current:
            current = (previous.current + 1) % len(matches)
        else:
            top = self.reading_position
            current = next((i for i, (start, _) in enumerate(matches) if start >= top), 0)
        self.find_state = FindState(query, matches, current)
        line = self.layout_.line_of_offset(matches[current][0])
        if not (self.scroll_offset.y <= line < self.scroll_offset.y + self.size.height):
            self.scroll_to(y=max(0, line - 2), animate=False)
        self.refresh()
        return True

    def clear_find(self) -> None:
        self.find_state = None
        self.refresh()

    # -- rendering -----------------------------------------------------------

    def _paint(self, name: str) -> Style:
        """Component class ``name`` resolved here, for styling parts of a line.

        Textual 8 drops backgrounds and reverse from ".class" styles inside
        Content (they resolve as partial visual styles), so styles that must
        paint a background are resolved in the widget first.
        """
        return Style.from_rich_style(self.get_component_rich_style(name, partial=True))

    def _line_content(self, line: TypesetLine) -> Content:
        state = self.find_state
        if state is None:
            return line.content
        content = line.content
        match, current = self._paint("reading--match"), self._paint("reading--current-match")
        for number, (start, end) in enumerate(state.matches):
            style = current if number == state.current else match
            for low, high in line.spans_for(start, end):
                content = content.stylize(style, low, high)
        return content

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        style = self.visual_style
        index = round(self.scroll_offset.y) + y
        if self.layout_ is None:
            if y == 1:
                hint = Content.styled(EMPTY_HINT, ".reading--empty")
                return content_strip(self, Content(" ") + hint, width, style)
            return Strip.blank(width, style.rich_style)
        if index >= len(self.layout_.lines):
            return Strip.blank(width, style.rich_style)
        margin = max(1, (width - self.layout_.width) // 2)
        content = Content(" " * margin) + self._line_content(self.layout_.lines[index])
        return content_strip(self, content, width, style)

    # -- actions -------------------------------------------------------------

    def action_scroll_lines(self, lines: int) -> None:
        self.scroll_to(y=self.scroll_offset.y + lines, animate=False)

    def action_page(self, direction: int) -> None:
        step = max(1, self.size.height - 2)
        self.scroll_to(y=self.scroll_offset.y + direction * step, animate=False)

    def action_top(self) -> None:
        self.scroll_to(y=0, animate=False)

    def action_bottom(self) -> None:
        self.scroll_to(y=self.max_scroll_y, animate=False)

    def action_toggle_removed(self) -> None:
        self.show_removed = not self.show_removed

    def action_find(self) -> None:
        self.post_message(self.FindRequested())

    def action_link_prompt(self, mode: str) -> None:
        self.post_message(self.LinkRequested(self, mode))
