"""The search screen (``/`` in the lists): full-text search over the library.

Typing searches as you go: each change starts an exclusive worker that waits
~150 ms (a debounce) and then asks the library through the gateway, so the UI
never waits on SQLite. Results show title, feed, local date and the snippet
with the matched terms styled from the library's ``marks`` spans (Content
spans, never markup: a title like ``[/]`` is plain text). Enter opens the
chosen article in the main screen's reading pane.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content, Span
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from reader.core.models import SearchHit
from reader.core.sanitize import clean_line
from reader.core.search import parse_query
from reader.ui.typeset import format_short_date
from reader.ui.widgets._cursor import PlainCursorOptionList

if TYPE_CHECKING:
    from reader.ui.gateway import LibraryGateway

DEBOUNCE = 0.15
RESULT_LIMIT = 100
SEARCH_HINT = (
    'words  "a phrase"  -excluded  prefix*  tag:T  feed:F  is:saved  is:unread  '
    "has:notes  before:/after:YYYY-MM-DD"
)
ORDERS = {"best": "best match first", "newest": "newest first"}


def snippet_content(snippet: str, marks: list[tuple[int, int]]) -> Content:
    """The snippet as plain text with each marked (start, end) span styled."""
    # The library already cleaned the snippet (one line, no controls); cleaning it
    # again could move the text under the marks, so only newlines are flattened.
    text = snippet.replace("\n", " ").replace("\r", " ")
    # ".search--mark" names the results list's component class (styled in its CSS).
    spans = [
        Span(start, min(end, len(text)), ".search--mark")
        for start, end in marks
        if 0 <= start < end and start < len(text)
    ]
    return Content(text, spans=spans)


SNIPPET_INDENT = "    "


def whole_words(content: Content) -> Content:
    """A snippet cut off mid-word ("…the harbour bri…") ends at its last whole word."""
    text = content.plain
    if not text.endswith("…") or len(text) < 2 or not text[-2].isalnum():
        return content
    space = text.rfind(" ", 0, len(text) - 1)
    if space <= len(text) // 2:  # one long word: keep what there is
        return content
    return content[:space] + Content("…")


def snippet_block(snippet: str, marks: list[tuple[int, int]], width: int) -> Content:
    """The snippet in whole words, wrapped to ``width`` with every line indented."""
    content = whole_words(snippet_content(snippet, marks))
    if width <= 0:
        return Content(SNIPPET_INDENT) + content
    lines = content.wrap(max(16, width - len(SNIPPET_INDENT)))
    return Content("\n").join(Content(SNIPPET_INDENT) + line.rstrip() for line in lines)


def hit_content(hit: SearchHit, width: int = 0) -> Content:
    """Title · feed · date, then the snippet (wrapped to ``width``, indented)."""
    summary = hit.article
    title = Content.styled(clean_line(summary.title) or "Untitled", "bold")
    saved = Content.styled("★ " if summary.saved else "  ", ".search--saved")
    meta = Content.styled(
        "  "
        + "  ".join(
            part
            for part in (clean_line(summary.feed_title), format_short_date(summary.published))
            if part.strip()
        ),
        ".search--meta",
    )
    return Content("\n").join([saved + title + meta, snippet_block(hit.snippet, hit.marks, width)])


class SearchResults(PlainCursorOptionList):
    """The hits; Enter opens one."""

    COMPONENT_CLASSES = {"search--mark", "search--meta", "search--saved"}
    DEFAULT_CSS = """
    SearchResults { height: 1fr; border: none; background: $surface; }
    SearchResults:focus { border: none; }
    SearchResults > .search--mark { background: $broadsheet-match; text-style: bold; }
    SearchResults > .search--meta { color: $broadsheet-text-muted; text-style: italic; }
    SearchResults > .search--saved { color: $broadsheet-marker; }
    """

    def on_resize(self, event: Resize) -> None:
        screen = self.screen
        if isinstance(screen, SearchScreen) and screen.hits:  # wrap the snippets again
            highlighted = self.highlighted
            screen.show_hits(screen.searched or "", screen.hits, screen.problems)
            self.highlighted = highlighted


class SearchScreen(Screen[int | None]):
    """Search the library; dismisses with the chosen article's id (or None)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="search-close"),
        Binding("ctrl+o", "toggle_order", "Best/newest", id="search-order"),
        Binding("down", "focus_results", "Results", show=False, id="search-results"),
    ]

    DEFAULT_CSS = """
    SearchScreen #search-input { margin: 0 1; }
    SearchScreen #search-status-row { height: 1; padding: 0 2; }
    SearchScreen #search-status { width: 1fr; color: $broadsheet-text-muted; }
    SearchScreen #search-problems { width: auto; color: $warning; }
    SearchScreen #search-hint { height: 1; padding: 0 2; color: $broadsheet-text-muted; }
    """

    def __init__(self, gateway: LibraryGateway, *, order: str = "best", query: str = "") -> None:
        super().__init__(id="search")
        self.gateway = gateway
        self.order = order if order in ORDERS else "best"
        self.initial_query = query
        self.hits: list[SearchHit] = []
        self.problems: list[str] = []
        self.searched: str | None = None  # the query the results are for

    def compose(self) -> ComposeResult:
        yield Input(
            value=self.initial_query,
            placeholder="Search titles, text, highlights and notes",
            select_on_focus=False,  # a query given to start with is added to, not replaced
            id="search-input",
        )
        with Horizontal(id="search-status-row"):
            yield Label(Content(""), id="search-status")
            yield Label(Content(""), id="search-problems")
        yield Static(Content(SEARCH_HINT), id="search-hint")
        yield SearchResults(id="search-results")
        yield Footer()

    @property
    def results(self) -> SearchResults:
        return self.query_one(SearchResults)

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._show_status()
        if self.initial_query:
            self.run_search(self.initial_query)

    # -- searching -------------------------------------------------------------

    @on(Input.Changed, "#search-input")
    def query_changed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    @work(group="search", exclusive=True, exit_on_error=False)
    async def run_search(self, text: str) -> None:
        await asyncio.sleep(DEBOUNCE)  # a newer keystroke cancels this worker first
        await self._search(text)

    async def _search(self, text: str) -> None:
        problems = parse_query(text).problems
        if not text.strip():
            hits: list[SearchHit] = []
        else:
            library = self.gateway.library
            try:
                hits = await self.gateway.call(
                    library.search, text, limit=RESULT_LIMIT, order=self.order
                )
            except Exception as error:  # noqa: BLE001 - a search must never crash the app
                self.notify(
                    f"Search failed: {clean_line(str(error)) or error.__class__.__name__}",
                    severity="error",
                    markup=False,
                )
                hits = []
        self.show_hits(text, hits, problems)

    def show_hits(self, text: str, hits: list[SearchHit], problems: list[str]) -> None:
        self.hits = hits
        self.searched = text
        results = self.results
        self.problems = problems
        width = results.scrollable_content_region.width - 2  # the options' padding
        results.set_options(
            [Option(hit_content(hit, width), id=str(hit.article.id)) for hit in hits]
        )
        if hits:
            results.highlighted = 0
        self._show_status()
        self.query_one("#search-problems", Label).update(
            Content("; ".join(clean_line(p) for p in problems)) if problems else Content("")
        )

    def _show_status(self) -> None:
        text = self.searched
        if not text or not text.strip():
            status = f"Type to search · {ORDERS[self.order]} (ctrl+o)"
        else:
            count = len(self.hits)
            noun = "result" if count == 1 else "results"
            more = "+" if count >= RESULT_LIMIT else ""
            status = f"{count}{more} {noun} · {ORDERS[self.order]} (ctrl+o)"
        self.query_one("#search-status", Label).update(Content(status))

    # -- keys ------------------------------------------------------------------

    def action_toggle_order(self) -> None:
        self.order = "newest" if self.order == "best" else "best"
        self._show_status()
        self.run_search(self.query_one(Input).value)

    def action_focus_results(self) -> None:
        if self.hits:
            self.results.focus()

    @on(Input.Submitted, "#search-input")
    def input_submitted(self, event: Input.Submitted) -> None:
        if self.searched == event.value:
            self._open_highlighted()
        else:  # typed faster than the search runs: search what was typed, then open
            self.search_and_open(event.value)

    @work(group="search", exclusive=True, exit_on_error=False)
    async def search_and_open(self, text: str) -> None:
        await self._search(text)
        if self.searched == text:
            self._open_highlighted()

    @on(OptionList.OptionSelected, "#search-results")
    def result_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(int(event.option.id))

    def _open_highlighted(self) -> None:
        option = self.results.highlighted_option
        if option is not None and option.id is not None:
            self.dismiss(int(option.id))

    def action_close(self) -> None:
        self.dismiss(None)
