"""Every highlight and note across the library, newest first.

The filter box takes words (matched in highlight text and notes, like the
search box), ``tag:name`` and ``feed:name`` (a feed's title, or part of it).
Enter on an entry opens its article with the cursor on the passage. Orphans
(highlights that could not be placed after the text changed) are marked.
Feed and user text reaches the screen only as :class:`Content`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from reader.core.annotations import Annotation
from reader.core.errors import BroadsheetError
from reader.core.models import ArticleSummary
from reader.core.sanitize import clean_line
from reader.core.wording import plural
from reader.ui.typeset import format_short_date
from reader.ui.widgets._cursor import PlainCursorOptionList
from reader.ui.widgets.annotated_view import Reveal

if TYPE_CHECKING:
    from reader.ui.gateway import LibraryGateway

FILTER_DELAY = 0.25
QUOTE_CHARS = 200


@dataclass(frozen=True, slots=True)
class AnnotationFilter:
    text: str | None = None
    tag: str | None = None
    feed: str | None = None


def parse_filter(value: str) -> AnnotationFilter:
    """``tag:x feed:y words`` → a filter; the last tag:/feed: given wins."""
    words: list[str] = []
    tag = feed = None
    for token in value.split():
        lowered = token.casefold()
        if lowered.startswith("tag:") and len(token) > 4:
            tag = token[4:]
        elif lowered.startswith("feed:") and len(token) > 5:
            feed = token[5:]
        else:
            words.append(token)
    return AnnotationFilter(" ".join(words) or None, tag, feed)


def entry_content(item: Annotation, article: ArticleSummary, width: int = 100) -> Content:
    """Three short lines: where it is, what was marked, and the note."""
    where = [format_short_date(item.created), clean_line(article.feed_title) or "—"]
    meta = Content.styled("  ·  ".join(where) + "  ·  ", "$broadsheet-text-muted")
    orphan = Content("")
    if item.orphaned:  # kept whole on the first line: the title gives way
        orphan = Content.styled("  ORPHAN: not in the current text", "$broadsheet-error")
    room = max(8, width - meta.cell_length - orphan.cell_length)
    title = Content.styled(clean_line(article.title) or "Untitled", "bold")
    lines = [meta + title.truncate(room, ellipsis=True) + orphan]
    if item.kind == "note":
        lines.append(Content.styled("  Note on the article", "$broadsheet-text-muted italic"))
    elif item.exact:
        quote = clean_line(item.exact)
        if len(quote) > QUOTE_CHARS:
            quote = quote[: QUOTE_CHARS - 1] + "…"
        lines.append(Content("  ") + Content.styled(f"“{quote}”", "$broadsheet-heading"))
    if item.note:
        first, _, rest = item.note.partition("\n")
        more = " …" if rest.strip() else ""
        lines.append(Content.styled(f"  ✎ {clean_line(first)}{more}", "italic"))
    # One screen line each: a wrapped line would start at column 0.
    lines = [line.truncate(width, ellipsis=True) for line in lines]
    return Content("\n").join(lines)


class AnnotationsScreen(Screen[Reveal | None]):
    """All annotations; dismisses with where to go, or None."""

    DEFAULT_CSS = """
    AnnotationsScreen #annotations-header {
        height: 1; padding: 0 1; background: $panel; color: $text;
    }
    AnnotationsScreen #annotations-filter { margin: 0 1; }
    AnnotationsScreen #annotations-list { height: 1fr; border: none; }
    AnnotationsScreen #annotations-list > .option-list--option { padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="annotations-close"),
        Binding("slash", "focus_filter", "Filter", id="annotations-filter"),
        Binding("j", "move(1)", "Down", show=False, id="annotations-down"),
        Binding("k", "move(-1)", "Up", show=False, id="annotations-up"),
    ]

    def __init__(self, gateway: LibraryGateway) -> None:
        super().__init__(id="annotations")
        self.gateway = gateway
        self.entries: list[tuple[Annotation, ArticleSummary]] = []
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content("Highlights and notes"), id="annotations-header")
        yield Input(
            placeholder="Filter: words in highlights and notes, tag:name, feed:name",
            id="annotations-filter",
        )
        yield PlainCursorOptionList(id="annotations-list")
        yield Footer()

    @property
    def option_list(self) -> OptionList:
        return self.query_one("#annotations-list", OptionList)

    def on_mount(self) -> None:
        self.option_list.focus()
        self.load("")

    @on(Input.Changed, "#annotations-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        value = event.value
        self._timer = self.set_timer(FILTER_DELAY, lambda: self.load(value))

    @on(Input.Submitted, "#annotations-filter")
    def filter_submitted(self, event: Input.Submitted) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.load(event.value)
        self.option_list.focus()

    @work(group="annotations", exclusive=True, exit_on_error=False)
    async def load(self, value: str) -> None:
        try:
            await self._load(value)
        except (BroadsheetError, sqlite3.Error) as error:
            message = clean_line(str(error)) or error.__class__.__name__
            self.notify(message, severity="error", markup=False)

    async def _load(self, value: str) -> None:
        library = self.gateway.library
        store = library.annotations()
        header = self.query_one("#annotations-header", Static)
        if store is None:
            header.update(Content("Annotations need a library on disk."))
            return
        wanted = parse_filter(value)
        feed_id: int | None = None
        if wanted.feed is not None:
            feeds = await self.gateway.call(library.feeds)
            needle = wanted.feed.casefold()
            matching = [feed for feed in feeds if needle in clean_line(feed.title).casefold()]
            if not matching:
                self.show_entries([], f"No feed matches “{clean_line(wanted.feed)}”.")
                return
            feed_id = matching[0].id
        found = await self.gateway.call(
            lambda: store.all(tag=wanted.tag, feed_id=feed_id, text=wanted.text)
        )
        self.show_entries(found, None)

    def show_entries(
        self, entries: list[tuple[Annotation, ArticleSummary]], empty: str | None
    ) -> None:
        self.entries = entries
        options = self.option_list
        highlighted = options.highlighted
        options.clear_options()
        width = options.scrollable_content_region.width - 2  # the options' padding
        width = width if width >= 20 else 100  # not laid out yet
        options.add_options(
            Option(entry_content(item, article, width), id=str(item.id))
            for item, article in entries
        )
        if entries:
            options.highlighted = min(highlighted or 0, len(entries) - 1)
        orphans = sum(1 for item, _ in entries if item.orphaned)
        count = len(entries)
        text = f"Highlights and notes  {plural(count, 'entry', 'entries')}"
        if orphans:
            text += f" · {orphans} orphaned"
        if not entries:
            text += "  —  " + (empty or "nothing matches; h highlights a selection while reading")
        self.query_one("#annotations-header", Static).update(Content(text))

    @on(OptionList.OptionSelected, "#annotations-list")
    def entry_chosen(self, event: OptionList.OptionSelected) -> None:
        item, _ = self.entries[event.option_index]
        if item.orphaned or item.start is None:
            self.notify("That highlight is not in the current text: opening the article.")
        self.dismiss(Reveal(item.article_id, item.start or 0))

    def action_close(self) -> None:
        """Escape in the filter leaves the filter (keeping what it filters); else close."""
        if isinstance(self.focused, Input):
            self.option_list.focus()
            return
        self.dismiss(None)

    def on_resize(self) -> None:
        if self.entries:  # cut the lines to the new width
            self.show_entries(self.entries, None)

    def action_move(self, step: int) -> None:
        options = self.option_list
        options.focus()
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_focus_filter(self) -> None:
        self.query_one("#annotations-filter", Input).focus()
