"""The main screen: sidebar, article list and reading pane, and the actions on them.

This module holds the layout, the views (start-up, reloads, the header, opening
articles) and the wiring of messages; the actions live in parts mixed into the
screen, one module each (``reading_actions``, ``refreshing``, ``feed_actions``,
``link_actions``, ``library_actions``; see ``main_part``). Every library call goes through the gateway (a background thread) inside a
worker, so the screen never waits on disk; refreshes run in worker threads of
their own and report back with ``call_from_thread``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import sqlite3
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.events import DescendantFocus, Resize
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList, ProgressBar, Static

from reader.core.errors import BroadsheetError, LibraryLockedError, NotFoundError
from reader.core.library import ArticleQuery
from reader.core.models import Article, ArticleSummary, Feed
from reader.core.sanitize import clean_line
from reader.core.wording import plural
from reader.ui.first_view import FirstView, read_first_view
from reader.ui.messages import SetFeedFulltext, ShowFeed
from reader.ui.screens.feed_actions import FeedActions
from reader.ui.screens.library_actions import LibraryActions
from reader.ui.screens.link_actions import LinkActions
from reader.ui.screens.reading_actions import ReadingActions
from reader.ui.screens.refreshing import RefreshActions
from reader.ui.sync_status import sync_host, sync_line
from reader.ui.widgets.annotated_view import AnnotatedReadingView, Reveal
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.footer import QuietFooter
from reader.ui.widgets.reading_view import ReadingView
from reader.ui.widgets.sidebar import (
    SAVED_ID,
    UNREAD_ID,
    Sidebar,
    SidebarCounts,
    feed_option_id,
    query_for,
)

if TYPE_CHECKING:
    from reader.ui.context import MainContext, ReaderLibrary
    from reader.ui.gateway import LibraryGateway

T = TypeVar("T")

# Below this many columns the sidebar starts hidden (f shows it, narrower).
NARROW_WIDTH = 100

# How long the main screen's mount may wait for the first view's rows (read on
# the gateway while the app starts) so that the first frame already shows them;
# past this it shows "Loading…" and fills the list in when they come.
FIRST_VIEW_WAIT = 0.05
MAX_KEPT_READ = 2000  # read rows an unread-only view keeps listing (one SQL parameter each)


def friendly_error(error: BaseException) -> str:
    """One line for the user; never a traceback."""
    if isinstance(error, LibraryLockedError):
        return "Another Broadsheet is refreshing this library; try again when it ends."
    if isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
        return "The library is busy (locked by another program); try again in a moment."
    if isinstance(error, BroadsheetError | sqlite3.Error | OSError):
        return clean_line(str(error)) or error.__class__.__name__
    return f"Unexpected error: {clean_line(str(error)) or error.__class__.__name__}"


class MainScreen(
    ReadingActions, RefreshActions, FeedActions, LinkActions, LibraryActions, Screen[None]
):
    """Sidebar | article list over the reading pane."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "cycle_panes(1)", "Next pane", show=False, id="focus-next"),
        Binding("shift+tab", "cycle_panes(-1)", "Previous pane", show=False, id="focus-previous"),
        Binding("n", "next_unread", "Next unread", id="next-unread"),
        Binding("p", "previous_unread", "Prev unread", show=False, id="prev-unread"),
        Binding("m", "toggle_read", "Read/unread", show=False, id="toggle-read"),
        Binding("A", "mark_all_read", "Mark all read", show=False, id="mark-all-read"),
        Binding("U", "undo_mark_all_read", "Undo mark all read", show=False, id="undo-mark-all"),
        Binding("r", "refresh_feed", "Refresh", id="refresh"),
        Binding("R", "refresh_all", "Refresh all", show=False, id="refresh-all"),
        Binding("o", "open_in_browser", "Browser", id="open-browser"),
        Binding("y", "copy_url", "Copy URL", show=False, id="copy-url"),
        Binding("u", "toggle_unread_only", "Unread only", show=False, id="unread-only"),
        Binding("f", "toggle_sidebar", "Feeds pane", show=False, id="toggle-sidebar"),
        Binding("plus", "add_feed", "Add feed", show=False, id="add-feed"),
        Binding("d", "unsubscribe", "Unsubscribe", show=False, id="unsubscribe"),
        Binding("c", "rename_feed", "Rename feed", show=False, id="rename-feed"),
        Binding("t", "tag", "Tag article (feed in sidebar)", show=False, id="tag"),
        Binding("s", "save", "Save/unsave article", show=False, id="save"),
        Binding("slash", "search", "Search library", show=False, id="search"),
        Binding("e", "export", "Export article", show=False, id="export"),
        Binding("E", "export_saved", "Export saved in view", show=False, id="export-saved"),
        Binding("q", "back", "Back/Quit", id="back"),
        Binding("escape", "back(False)", "Back", show=False, id="close-find"),
    ]

    DEFAULT_CSS = """
    MainScreen #panes { height: 1fr; }
    MainScreen #sidebar { width: 32; height: 1fr; border-right: vkey $panel-lighten-2; }
    MainScreen #right { width: 1fr; height: 1fr; }
    MainScreen #list-header {
        height: 1; padding: 0 1; background: $panel; color: $text;
    }
    MainScreen #articles { height: 2fr; }
    MainScreen #reader { height: 3fr; border-top: hkey $panel-lighten-2; }
    MainScreen #find { dock: bottom; display: none; }
    MainScreen.-finding #find { display: block; }
    MainScreen.-reading #sidebar { display: none; }
    MainScreen.-sidebar-hidden #sidebar { display: none; }
    MainScreen.-narrow #sidebar { width: 24; }
    MainScreen.-reading #articles { height: 6; }
    MainScreen.-reading #reader { height: 1fr; }
    MainScreen #progress-row { height: 1; display: none; padding: 0 1; background: $panel; }
    MainScreen.-refreshing #progress-row { display: block; }
    MainScreen #progress { width: 24; }
    MainScreen #progress-label { width: 1fr; margin-left: 1; color: $text; }
    """

    def __init__(self, context: MainContext) -> None:
        super().__init__(id="main")
        self.context = context
        self.unread_only = False
        self.open_article_id: int | None = None
        self._saved_position: tuple[int, int] | None = None
        self._data_version: int | None = None
        self._reload_pending = False
        self._first_view_shown = False
        self._mark_all_undo: list[list[int]] = []
        # Articles read in the current view (see ArticleQuery.also_read), and that view.
        self._read_here: list[int] = []
        self._read_here_view: tuple[str, bool] | None = None
        self._refresh_progress: tuple[int, int] | None = None  # (done, total) while running
        self._refresh_errors: list[str] = []
        self._refresh_current = ""
        self._sync_line = ""  # the feed server account, when the library has one
        self._sync_host = ""  # its server: R syncs with it
        self.sidebar_wanted: bool | None = None  # f's choice; None: by the terminal's width

    @property
    def gateway(self) -> LibraryGateway:
        return self.context.gateway

    @property
    def library(self) -> ReaderLibrary:
        return self.context.gateway.library

    # -- layout --------------------------------------------------------------

    def compose(self) -> ComposeResult:
        gateway = self.gateway
        library = gateway.library
        with Horizontal(id="panes"):
            yield Sidebar(id="sidebar")
            with Vertical(id="right"):
                yield Static(Content("Loading…"), id="list-header")
                # Under the header, not docked: the footer docks at the bottom and
                # would cover it.
                with Horizontal(id="progress-row"):
                    yield Label(Content("Refreshing"), id="progress-label")
                    yield ProgressBar(show_eta=False, show_percentage=False, id="progress")
                yield ArticleList(
                    lambda query, offset, limit: gateway.call(
                        library.article_page, query, offset, limit
                    ),
                    lambda query: gateway.call(library.count_articles, query),
                    id="articles",
                )
                yield AnnotatedReadingView(gateway, measure=library.config.measure, id="reader")
                yield Input(placeholder="Find in article (Enter: next, Esc: close)", id="find")
        yield QuietFooter()

    @property
    def sidebar(self) -> Sidebar:
        return self.query_one(Sidebar)

    @property
    def articles(self) -> ArticleList:
        return self.query_one(ArticleList)

    @property
    def reader(self) -> ReadingView:
        return self.query_one(ReadingView)

    def on_resize(self, event: Resize) -> None:
        self.fit_width(event.size.width)

    def fit_width(self, width: int) -> None:
        """Narrow terminals: the sidebar starts hidden (and narrower when shown),
        the footer goes compact, so the list keeps room for titles."""
        narrow = width < NARROW_WIDTH
        self.set_class(narrow, "-narrow")
        shown = not narrow if self.sidebar_wanted is None else self.sidebar_wanted
        self.set_class(not shown, "-sidebar-hidden")
        self.query_one(QuietFooter).set_narrow(narrow)
        self.update_header()

    def action_toggle_sidebar(self) -> None:
        self.sidebar_wanted = self.has_class("-sidebar-hidden")
        self.fit_width(self.size.width)
        if self.sidebar_wanted:
            self.sidebar.focus()
        elif self.focused is self.sidebar:
            self.articles.focus()

    def on_mount(self) -> None:
        self.fit_width(self.app.size.width)
        self.articles.focus()
        ahead = self.context.take_first_view()
        if ahead is not None:  # drawn in the first frame if it is (nearly) ready
            concurrent.futures.wait([ahead], timeout=FIRST_VIEW_WAIT)
            if ahead.done() and ahead.exception() is None:
                self.show_first_view(ahead.result())
        self.startup(ahead)

    # -- gateway helpers -----------------------------------------------------

    async def call(self, function: Callable[..., T], *args: object, **kwargs: object) -> T:
        return await self.gateway.call(function, *args, **kwargs)

    def report(self, error: BaseException) -> None:
        self.app.notify(friendly_error(error), severity="error", markup=False, timeout=8)

    async def guarded(self, action: Awaitable[object]) -> None:
        """Run ``action``; show a user-facing error instead of crashing."""
        try:
            await action
        except (BroadsheetError, sqlite3.Error, OSError) as error:
            self.report(error)

    # -- startup and reloads -------------------------------------------------

    @work(group="startup", exit_on_error=False)
    async def startup(self, ahead: Future[FirstView] | None = None) -> None:
        await self.guarded(self._startup(ahead))

    def show_first_view(self, first: FirstView) -> None:
        """The last session's view, from rows already read; the sidebar comes later."""
        self._first_view_shown = True
        self.unread_only = first.unread_only
        self.sidebar.select_id(first.view)  # kept until the sidebar is filled
        self.sidebar.show_views()
        self.articles.empty_message = self.empty_message()
        self.articles.show_rows(first.query, first.count, first.cursor, first.rows)
        self.update_header()

    async def _startup(self, ahead: Future[FirstView] | None) -> None:
        """Fill the screen in the order the reader looks at it: the article list
        (and the story being read) first, then the sidebar, which lists every
        feed and takes longer."""
        library = self.library
        if ahead is not None:
            first = await asyncio.wrap_future(ahead)
        else:
            first = await self.call(read_first_view, library)
        if not self._first_view_shown:
            self.show_first_view(first)
        article_id = first.article_id
        if article_id is not None:  # come back to the story being read, listed here or not
            await self._open(article_id, mark=False, quiet=True)
            if self.reader.article is not None:
                self.reader.focus()
        feeds = await self.reload_sidebar()
        if self.sidebar.current_id != first.view:  # that feed or tag is gone
            await self.load_list(keep_article=article_id)
        else:  # the empty-list message and the header name feeds
            self.articles.empty_message = self.empty_message()
            self.articles.refresh()
        self._data_version = await self.call(library.data_version)
        if any(feed.last_checked is None for feed in feeds) and self.context.refresh_on_start:
            self.run_refresh(None, automatic=True)

    async def reload_sidebar(self) -> list[Feed]:
        library = self.library
        feeds = await self.call(library.feeds)
        saved = await self.call(library.count_articles, ArticleQuery(saved_only=True))
        unread = await self.call(library.count_articles, ArticleQuery(unread_only=True))
        tags = await self.call(library.tags, unread_only=True)
        status = await self.call(library.sync_status)
        self._sync_line, self._sync_host = sync_line(status), sync_host(status)
        self.sidebar.show_feeds(feeds, SidebarCounts(unread, saved), tags)
        self.update_header()
        return feeds

    def current_query(self) -> ArticleQuery:
        query = query_for(self.sidebar.current_id, self.unread_only)
        kept = self._kept_read()
        return replace(query, also_read=kept) if query.unread_only and kept else query

    def _kept_read(self) -> tuple[int, ...]:
        """The articles read in this view so far; none once the view has changed."""
        view = (self.sidebar.current_id, self.unread_only)
        if view != self._read_here_view:
            self._read_here_view, self._read_here = view, []
        return tuple(self._read_here[-MAX_KEPT_READ:])

    def _remember_read(self, article_ids: list[int]) -> None:
        self._kept_read()  # forget another view's first
        self._read_here += [each for each in article_ids if each not in self._read_here]

    async def load_list(self, keep_article: int | None = None) -> None:
        query = self.current_query()
        self.articles.empty_message = self.empty_message()
        cursor = 0
        if keep_article is not None:
            library = self.library
            position = await self.call(library.article_position, query, keep_article)
            cursor = position or 0
        await self.articles.load(query, keep_article=keep_article, cursor=cursor)
        self.update_header()

    async def reload_all(self) -> None:
        """Pick up changes (a refresh, another process) keeping the cursor."""
        await self.reload_sidebar()
        self.articles.empty_message = self.empty_message()
        await self.articles.reload(self.current_query())
        self.update_header()
        await self.follow_open_article()

    @work(group="reload", exclusive=True, exit_on_error=False)
    async def schedule_reload(self) -> None:
        await self.guarded(self.reload_all())

    def empty_message(self) -> str:
        view = self.sidebar.current_id
        if not self.sidebar.feeds:
            return "No feeds yet. Press + to add a feed by its URL or a site's address."
        if view == UNREAD_ID:
            if all(feed.last_checked is None for feed in self.sidebar.feeds):
                return "Your feeds have not been fetched yet. Press R to refresh them."
            return "All caught up: nothing unread. Press R to look for new articles."
        if view == SAVED_ID:
            return "No saved articles yet."
        if self.sidebar.current_tag is not None:
            if self.unread_only:
                return "No unread articles with this tag. Press u to show read ones too."
            return "No articles with this tag."
        feed = self.sidebar.current_feed
        if feed is None:
            return "Nothing here."
        if feed.last_error:
            return f"This feed failed to refresh: {clean_line(feed.last_error)}. Press r to retry."
        if feed.last_checked is None:
            return "This feed has not been fetched yet. Press r to refresh it."
        if feed.total == 0:
            return "This feed has no articles yet. Press r to check again."
        return "No unread articles here. Press u to show read ones too."

    def view_unread(self) -> int | None:
        """The unread count the sidebar shows for the current view (None: it shows none)."""
        feed, tag = self.sidebar.current_feed, self.sidebar.current_tag
        if self.sidebar.current_id == UNREAD_ID:
            return self.sidebar.counts.unread
        if feed is not None:
            return feed.unread
        if tag is not None:
            return next((count for name, count in self.sidebar.tags if name == tag), 0)
        return None

    def count_text(self) -> str:
        """Rows shown, and unread where it differs: rows read here stay listed (dimmed)
        until the view reloads, so the row count alone would disagree with the sidebar."""
        rows = self.articles.row_count
        unread = self.view_unread()
        if unread is None or unread == rows:
            return plural(rows, "article")
        return f"{plural(rows, 'article')} · {unread} unread"

    def update_header(self) -> None:
        view = self.sidebar.current_id
        feed = self.sidebar.current_feed
        tag = self.sidebar.current_tag
        if view == SAVED_ID:
            title = "Saved"
        elif tag is not None:
            title = f"Tag: {clean_line(tag)}"
        elif feed is not None:
            title = clean_line(feed.title)
        elif view.startswith("feed:"):  # the sidebar is still loading its feeds
            title = "…"
        else:
            title = "All unread"
        parts = [Content.styled(title, "bold"), Content(f"  {self.count_text()}")]
        if feed is not None or tag is not None:
            parts.append(Content(" · unread only" if self.unread_only else " · all"))
            if feed is not None and feed.last_error:
                error = f"  ! last refresh failed: {clean_line(feed.last_error)}"
                parts.append(Content.styled(error, "$error"))
        if self.has_class("-sidebar-hidden"):
            parts.append(Content.styled("  f: feeds", "$broadsheet-text-muted"))
        if self._sync_line:
            parts.append(Content.styled(f"  {self._sync_line}", "$broadsheet-text-muted"))
        header = self.query_one("#list-header", Static)
        rest = Content("").join(parts[1:])
        room = header.size.width - 2 - rest.cell_length  # the title gives way, with an ellipsis
        if header.size.width and parts[0].cell_length > room:
            parts[0] = parts[0].truncate(max(8, room), ellipsis=True)
        header.update(Content("").join(parts))

    # -- the command palette's feed entries (FeedsInView) --------------------------

    def listed_feeds(self) -> list[Feed]:
        return self.sidebar.feeds

    def feed_in_view(self) -> Feed | None:
        feed = self.sidebar.current_feed
        if feed is not None:
            return feed
        article = self.focused_article()
        if article is None or article.feed_id is None:
            return None
        return next((f for f in self.sidebar.feeds if f.id == article.feed_id), None)

    @on(ShowFeed)
    def show_feed(self, message: ShowFeed) -> None:
        self.sidebar.select_id(feed_option_id(message.feed_id))
        self.articles.focus()

    @on(SetFeedFulltext)
    def feed_fulltext_requested(self, message: SetFeedFulltext) -> None:
        self.set_feed_fulltext(message.feed_id, message.mode)

    # -- sidebar and list events ---------------------------------------------

    @on(OptionList.OptionHighlighted, "#sidebar")
    def sidebar_moved(self) -> None:
        self.change_view()

    @on(OptionList.OptionSelected, "#sidebar")
    def sidebar_selected(self) -> None:
        self.articles.focus()

    @work(group="view", exclusive=True, exit_on_error=False)
    async def change_view(self) -> None:
        await self.guarded(self.load_list())
        library = self.library
        await self.guarded(self.call(library.set_state, "last_view", self.sidebar.current_id))

    @on(ArticleList.Opened)
    def article_opened(self, event: ArticleList.Opened) -> None:
        self.open_article(event.summary.id, focus=True)

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        reading = isinstance(event.widget, ReadingView) or event.widget.id == "find"
        self.set_class(reading and self.reader.article is not None, "-reading")

    # -- opening articles ----------------------------------------------------

    @work(group="open", exclusive=True, exit_on_error=False)
    async def open_article(self, article_id: int, focus: bool = False) -> None:
        await self.guarded(self._open(article_id))
        if focus and self.reader.article is not None:
            self.reader.focus()

    async def _open(self, article_id: int, *, mark: bool = True, quiet: bool = False) -> None:
        library = self.library
        await self.save_reading_position()
        try:
            article = await self.call(library.article, article_id)
        except NotFoundError:
            if not quiet:
                self.app.notify("That article is gone (its feed was removed).", markup=False)
            return
        self.open_article_id = article.id
        self.close_find()
        self.reader.show(article, article.reading_position)
        await self.call(library.set_state, "last_article", str(article.id))
        if mark and not article.read:
            await self.set_read([article.id], True)
        elif mark:  # reading it again renews read_at, which retention counts from
            await self.call(library.mark_read, [article.id], True)

    def reveal(self, reveal: Reveal) -> None:
        """Open an article with the reading cursor on a passage (a chosen annotation)."""
        if isinstance(self.reader, AnnotatedReadingView):
            self.reader.reveal = reveal
        self.open_article(reveal.article_id, focus=True)

    async def save_reading_position(self) -> None:
        """Store where the reader is in the open article (a canonical offset)."""
        article = self.reader.article
        if article is None:
            return
        position = self.reader.reading_position
        if self._saved_position == (article.id, position):
            return
        self._saved_position = (article.id, position)
        library = self.library
        await self.call(library.set_reading_position, article.id, position)

    async def set_read(self, article_ids: list[int], read: bool) -> None:
        library = self.library
        await self.call(library.mark_read, article_ids, read)
        if read:
            self._remember_read(article_ids)
        self.articles.update_summaries(set(article_ids), read=read)
        if self.reader.article is not None and self.reader.article.id in article_ids:
            self.reader.article.read = read
        await self.reload_sidebar()

    def focused_article(self) -> ArticleSummary | Article | None:
        """The article the user means: the open one when reading, else the list's."""
        if self.has_class("-reading") and self.reader.article is not None:
            return self.reader.article
        return self.articles.current or self.reader.article

    # -- links (LinkActions) ---------------------------------------------------

    @on(ReadingView.LinkRequested)
    def link_requested(self, event: ReadingView.LinkRequested) -> None:
        self.ask_link_number(event.mode)

    # -- find in article -----------------------------------------------------

    @on(ReadingView.FindRequested)
    def find_requested(self) -> None:
        if self.reader.article is None:
            return
        self.add_class("-finding")
        self.query_one("#find", Input).focus()

    @on(Input.Submitted, "#find")
    def find_submitted(self, event: Input.Submitted) -> None:
        query = event.value
        if query and not self.reader.find(query):
            self.app.notify("No match in this article.", markup=False)

    def action_close_find(self) -> None:
        self.close_find()

    def close_find(self) -> None:
        if not self.has_class("-finding"):
            return
        focused_find = self.focused is not None and self.focused.id == "find"
        self.remove_class("-finding")
        self.reader.clear_find()
        if focused_find:
            self.reader.focus()

    # -- moving between panes, leaving -----------------------------------------

    def visible_panes(self) -> list[Widget]:
        """The panes Tab visits, in screen order (the sidebar even while a story
        is open: focusing it shows it again)."""
        panes: list[Widget] = []
        if not self.has_class("-sidebar-hidden"):
            panes.append(self.sidebar)
        panes.append(self.articles)
        if self.reader.article is not None:
            panes.append(self.reader)
        if self.has_class("-finding"):
            panes.append(self.query_one("#find", Input))
        return panes

    def action_cycle_panes(self, step: int) -> None:
        panes = self.visible_panes()
        focused = self.focused
        index = panes.index(focused) if focused in panes else (-1 if step > 0 else 0)
        panes[(index + step) % len(panes)].focus()

    def go_back(self) -> bool:
        """One level up: find → reading pane → list → the feeds (sidebar). False at the top."""
        focused: Widget | None = self.focused
        if self.has_class("-finding"):
            self.close_find()
            return True
        if focused is not None and (isinstance(focused, ReadingView) or focused.id == "find"):
            self.articles.focus()
            return True
        if focused is self.articles and self.sidebar.current_id != UNREAD_ID:
            if self.has_class("-sidebar-hidden"):  # no feed list to go back to: to All unread
                self.sidebar.select_id(UNREAD_ID)
            else:
                self.sidebar.focus()
            return True
        return False

    async def action_back(self, quit_at_top: bool = True) -> None:
        """q (and Escape, which never quits) go back one level; q at the top quits."""
        if not self.go_back() and quit_at_top:
            await self.app.run_action("quit")
