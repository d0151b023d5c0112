"""The sidebar: All unread, Saved, then each feed with its unread count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.events import Resize
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from reader.core.library import ArticleQuery
from reader.core.models import Feed
from reader.core.sanitize import clean_line
from reader.ui.widgets._cursor import PlainCursorOptionList

UNREAD_ID = "unread"
SAVED_ID = "saved"
TAG_PREFIX = "tag:"


@dataclass(frozen=True, slots=True)
class SidebarCounts:
    unread: int
    saved: int


def count_badge(count: int) -> str:
    """Five cells, however large: a sixth digit would push the count off the row."""
    if count < 100_000:
        return f"{count:>5}"
    if count < 10_000_000:
        return f"{count // 1000:>4}k"
    return f"{min(count // 1_000_000, 9999):>4}M"


def feed_option_id(feed_id: int) -> str:
    return f"feed:{feed_id}"


def tag_option_id(tag: str) -> str:
    return f"{TAG_PREFIX}{tag}"


def query_for(option_id: str | None, unread_only: bool) -> ArticleQuery:
    """The article list query an entry stands for."""
    if option_id == SAVED_ID:
        return ArticleQuery(saved_only=True)
    if option_id and option_id.startswith("feed:"):
        return ArticleQuery(feed_id=int(option_id[5:]), unread_only=unread_only)
    if option_id and option_id.startswith(TAG_PREFIX):
        return ArticleQuery(tag=option_id[len(TAG_PREFIX) :], unread_only=unread_only)
    return ArticleQuery(unread_only=True)


_FIXED_VIEWS = (UNREAD_ID, SAVED_ID)


class Sidebar(PlainCursorOptionList):
    """Views to pick from. Titles are Content, never markup."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="up"),
        Binding("g,home", "first", "Top", show=False, id="top"),
        Binding("G,end", "last", "Bottom", show=False, id="bottom"),
        Binding("enter", "select", "Open", show=False, id="open"),
    ]

    COMPONENT_CLASSES = {"sidebar--count", "sidebar--error", "sidebar--heading"}

    DEFAULT_CSS = """
    Sidebar { border: none; background: $panel; color: $broadsheet-text; padding: 0; }
    Sidebar:focus { border: none; }
    Sidebar > .sidebar--count { color: $broadsheet-text-muted; }
    Sidebar > .sidebar--error { color: $broadsheet-error; text-style: bold; }
    Sidebar > .sidebar--heading { color: $broadsheet-text-muted; text-style: italic; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.feeds: list[Feed] = []
        self.counts = SidebarCounts(0, 0)
        self.tags: list[tuple[str, int]] = []  # (tag, articles it selects), under the feeds
        # The view chosen before the entries exist (at start-up the article list
        # loads first); highlighted once they are filled in.
        self.wanted_id: str | None = None
        self.filled = False  # show_feeds has run

    def _entry(self, label: str, count: int | None, marker: Content | None = None) -> Content:
        width = max(12, self.scrollable_content_region.width - 2)
        badge = Content.styled(count_badge(count), ".sidebar--count") if count else Content("     ")
        lead = marker if marker is not None else Content("  ")
        title = (lead + Content(clean_line(label))).truncate(width - 6, ellipsis=True)
        return title.pad_right(width - 5 - title.cell_length) + badge

    def _feed_option(self, feed: Feed) -> Option:
        marker = None
        if feed.status == "gone":
            marker = Content.styled("✕ ", ".sidebar--error")
        elif feed.last_error:
            marker = Content.styled("! ", ".sidebar--error")
        return Option(self._entry(feed.title, feed.unread, marker), id=feed_option_id(feed.id))

    def show_feeds(
        self, feeds: list[Feed], counts: SidebarCounts, tags: list[tuple[str, int]] | None = None
    ) -> None:
        """Rebuild the entries, keeping the highlighted one."""
        self.feeds = feeds
        self.counts = counts
        if tags is not None:
            self.tags = tags
        self._rebuild()

    def _view_options(self, counts: SidebarCounts | None) -> list[Option | None]:
        """The two fixed views (without counts before the feeds are read)."""
        unread, saved = (counts.unread, counts.saved) if counts else (None, None)
        return [
            Option(self._entry("All unread", unread), id=UNREAD_ID),
            Option(self._entry("Saved", saved), id=SAVED_ID),
        ]

    def _rebuild(self) -> None:
        current = self.current_id
        self.wanted_id = None
        self.filled = True
        options = [*self._view_options(self.counts), None]
        if not self.feeds:
            hint = Content.styled("  No feeds yet:\n  press + to add one", ".sidebar--heading")
            options.append(Option(hint, id="hint", disabled=True))
        options.extend(self._feed_option(feed) for feed in self.feeds)
        if self.tags:
            heading = Content.styled("  Tags", ".sidebar--heading")
            options += [None, Option(heading, id="tags-heading", disabled=True)]
            options.extend(
                Option(self._entry(tag, count, Content("# ")), id=tag_option_id(tag))
                for tag, count in self.tags
            )
        with self.prevent(OptionList.OptionHighlighted):
            self.set_options(options)
            self.select_id(current)

    def show_views(self) -> None:
        """Before the feeds are read (at start-up they come after the article
        list): the two fixed views, so keys typed meanwhile move between them
        instead of being lost. Only when one of them is the view shown."""
        current = self.current_id
        if self.filled or current not in _FIXED_VIEWS:
            return
        with self.prevent(OptionList.OptionHighlighted):
            self.set_options(self._view_options(None))
            self.highlighted = self.get_option_index(current)

    def select_id(self, option_id: str | None) -> None:
        if not self.filled:  # remembered until show_feeds fills the entries in
            self.wanted_id = option_id or UNREAD_ID
            if self.options:  # the fixed views shown meanwhile (show_views)
                with self.prevent(OptionList.OptionHighlighted):
                    fixed = self.wanted_id in _FIXED_VIEWS
                    self.highlighted = self.get_option_index(self.wanted_id) if fixed else None
            return
        try:
            self.highlighted = self.get_option_index(option_id or UNREAD_ID)
        except OptionDoesNotExist:  # an unsubscribed feed: fall back to All unread
            self.highlighted = 0

    @property
    def current_id(self) -> str:
        option = self.highlighted_option
        if option is not None and option.id:
            return option.id
        return self.wanted_id or UNREAD_ID

    @property
    def current_tag(self) -> str | None:
        option_id = self.current_id
        return option_id[len(TAG_PREFIX) :] if option_id.startswith(TAG_PREFIX) else None

    @property
    def current_feed(self) -> Feed | None:
        option_id = self.current_id
        if not option_id.startswith("feed:"):
            return None
        feed_id = int(option_id[5:])
        return next((feed for feed in self.feeds if feed.id == feed_id), None)

    def on_resize(self, event: Resize) -> None:
        if self.filled:
            self._rebuild()
        elif self.options:
            self.show_views()

    def action_first(self) -> None:
        self.highlighted = 0

    def action_last(self) -> None:
        self.highlighted = len(self.options) - 1 if self.options else None
