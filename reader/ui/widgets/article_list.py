"""The article list: a virtualized line-API list backed by paged queries.

Like toolong's ``LogLines``, only the rows on screen are ever rendered, and
rows come from a page cache filled by ``library.article_page`` in the
background. A row whose page has not arrived yet shows a placeholder and is
redrawn when it does, so the list scrolls through 100,000 rows as readily as
through ten.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.core.library import ArticleQuery
from reader.core.models import ArticleSummary
from reader.core.sanitize import clean_line
from reader.ui.typeset import format_short_date
from reader.ui.widgets._strips import content_strip

PAGE_SIZE = 100
MAX_CACHED_PAGES = 64

PageLoader = Callable[[ArticleQuery, int, int], Awaitable[list[ArticleSummary]]]
Counter = Callable[[ArticleQuery], Awaitable[int]]


class ArticleList(ScrollView, can_focus=True):
    """Rows of article summaries with a cursor; newest first."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "move(1)", "Down", show=False, id="down"),
        Binding("k,up", "move(-1)", "Up", show=False, id="up"),
        Binding("g,home", "first", "Top", show=False, id="top"),
        Binding("G,end", "last", "Bottom", show=False, id="bottom"),
        Binding("space,pagedown", "page(1)", "Page down", show=False, id="page-down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="page-up"),
        Binding("enter", "open", "Read", id="open"),
    ]

    COMPONENT_CLASSES = {
        "article-list--cursor",
        "article-list--unread",
        "article-list--read",
        "article-list--date",
        "article-list--feed",
        "article-list--marker",
        "article-list--saved",
        "article-list--placeholder",
        "article-list--empty",
    }

    DEFAULT_CSS = """
    ArticleList {
        background: $surface;
        color: $broadsheet-text;
        scrollbar-gutter: stable;
        overflow-x: hidden;
    }
    ArticleList > .article-list--cursor { background: $broadsheet-cursor; }
    ArticleList:focus > .article-list--cursor {
        background: $block-cursor-background;
        color: $broadsheet-cursor-text;
    }
    ArticleList > .article-list--unread { text-style: bold; }
    ArticleList > .article-list--read { color: $broadsheet-text-muted; }
    ArticleList > .article-list--date { color: $broadsheet-text-muted; }
    ArticleList > .article-list--feed { color: $broadsheet-text-muted; text-style: italic; }
    ArticleList > .article-list--marker { color: $broadsheet-unread; }
    ArticleList > .article-list--saved { color: $broadsheet-marker; }
    ArticleList > .article-list--placeholder { color: $broadsheet-text-muted; }
    ArticleList > .article-list--empty { color: $broadsheet-text-muted; }
    """

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    class Highlighted(Message):
        """The cursor moved onto an article."""

        def __init__(self, summary: ArticleSummary) -> None:
            super().__init__()
            self.summary = summary

    class Opened(Message):
        """Enter on an article."""

        def __init__(self, summary: ArticleSummary) -> None:
            super().__init__()
            self.summary = summary

    def __init__(self, load_page: PageLoader, count: Counter, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._load_page = load_page
        self._count = count
        self.query_: ArticleQuery = ArticleQuery(unread_only=True)
        self.row_count = 0
        self.show_feed = True
        self.empty_message = "Loading…"
        self._pages: OrderedDict[int, list[ArticleSummary]] = OrderedDict()
        self._pending: set[int] = set()
        self._generation = 0

    # -- data ----------------------------------------------------------------

    async def load(
        self, query: ArticleQuery, *, keep_article: int | None = None, cursor: int = 0
    ) -> None:
        """Show ``query``; keep the cursor on ``keep_article`` if it is still listed."""
        self._generation += 1
        generation = self._generation
        count = await self._count(query)
        if generation != self._generation:
            return
        self._reset(query, count, cursor)
        await self._fetch_page(self.cursor // PAGE_SIZE, generation)
        if keep_article is not None:
            self._restore_cursor(keep_article)
        self._scroll_cursor_into_view(center=True)
        self.refresh()
        self._announce()

    def show_rows(
        self, query: ArticleQuery, count: int, cursor: int, rows: list[ArticleSummary]
    ) -> None:
        """Show ``query`` from its count and the page of rows around ``cursor``, read
        beforehand (the first screen is drawn with them, without waiting)."""
        self._generation += 1
        self._reset(query, count, cursor)
        if count:
            self._pages[self.cursor // PAGE_SIZE] = rows
        if self.size.height:
            self._scroll_cursor_into_view(center=True)
        else:  # not laid out yet
            self.call_after_refresh(self._scroll_cursor_into_view, center=True)
        self.refresh()
        self._announce()

    def _reset(self, query: ArticleQuery, count: int, cursor: int) -> None:
        self.query_ = query
        self.show_feed = query.feed_id is None
        self._pages.clear()
        self._pending.clear()
        self.row_count = count
        self.virtual_size = Size(0, count)
        self.cursor = min(max(0, cursor), max(0, count - 1))

    async def reload(self, query: ArticleQuery | None = None) -> None:
        """Re-run the current query, or ``query`` for the same view (after a refresh or a
        change), keeping the cursor's article."""
        current = self.current
        await self.load(
            query or self.query_, keep_article=current.id if current else None, cursor=self.cursor
        )

    def _restore_cursor(self, article_id: int) -> None:
        for page_index, rows in self._pages.items():
            for row_index, summary in enumerate(rows):
                if summary.id == article_id:
                    self.cursor = page_index * PAGE_SIZE + row_index
                    return

    async def _fetch_page(self, page_index: int, generation: int) -> None:
        if page_index in self._pages or page_index in self._pending or page_index < 0:
            return
        if page_index * PAGE_SIZE >= self.row_count:
            return
        self._pending.add(page_index)
        try:
            rows = await self._load_page(self.query_, page_index * PAGE_SIZE, PAGE_SIZE)
        finally:
            self._pending.discard(page_index)
        if generation != self._generation:
            return
        self._pages[page_index] = rows
        while len(self._pages) > MAX_CACHED_PAGES:
            self._pages.popitem(last=False)
        self.refresh()

    def _request_page(self, page_index: int) -> None:
        """Fetch a page in the background (render_line must not wait)."""
        if page_index in self._pages or page_index in self._pending:
            return
        generation = self._generation
        self.run_worker(
            self._fetch_page(page_index, generation),
            group=f"page-{page_index}",
            exit_on_error=False,
        )

    def summary_at(self, row: int) -> ArticleSummary | None:
        page_index, offset = divmod(row, PAGE_SIZE)
        rows = self._pages.get(page_index)
        if rows is None:
            self._request_page(page_index)
            return None
        self._pages.move_to_end(page_index)
        return rows[offset] if offset < len(rows) else None

    @property
    def current(self) -> ArticleSummary | None:
        if self.row_count == 0:
            return None
        return self.summary_at(self.cursor)

    def update_summaries(self, article_ids: set[int], **changes: bool) -> None:
        """Change cached rows in place (read, saved) without a query."""
        for rows in self._pages.values():
            for summary in rows:
                if summary.id in article_ids:
                    for name, value in changes.items():
                        setattr(summary, name, value)
        self.refresh()

    def mark_all_read_in_cache(self) -> None:
        for rows in self._pages.values():
            for summary in rows:
                summary.read = True
        self.refresh()

    # -- cursor --------------------------------------------------------------

    def on_focus(self) -> None:
        self.refresh_line(self.cursor)

    def on_blur(self) -> None:
        self.refresh_line(self.cursor)

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old)
        self.refresh_line(new)
        self._scroll_cursor_into_view()
        self._prefetch_around(new)

    def _prefetch_around(self, row: int) -> None:
        page_index, offset = divmod(row, PAGE_SIZE)
        if offset > PAGE_SIZE - 20:
            self._request_page(page_index + 1)
        elif offset < 20 and page_index:
            self._request_page(page_index - 1)

    def _scroll_cursor_into_view(self, center: bool = False) -> None:
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        top = round(self.scroll_offset.y)
        if center and not (top <= self.cursor < top + height):
            self.scroll_to(y=max(0, self.cursor - height // 2), animate=False, immediate=True)
        elif self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def _announce(self) -> None:
        summary = self.current
        if summary is not None:
            self.post_message(self.Highlighted(summary))

    def move_to(self, row: int) -> None:
        if self.row_count == 0:
            return
        self.cursor = min(max(0, row), self.row_count - 1)
        self._announce()

    def action_move(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self.row_count - 1)

    def action_page(self, direction: int) -> None:
        step = max(1, self.scrollable_content_region.height - 1)
        self.move_to(self.cursor + direction * step)

    def on_click(self, event: Click) -> None:
        """A click moves the cursor; a double click (or a click on it) opens."""
        row = round(self.scroll_offset.y) + event.y
        if not 0 <= row < self.row_count:
            return
        if event.chain >= 2 or row == self.cursor:
            self.move_to(row)
            self.action_open()
        else:
            self.move_to(row)

    def action_open(self) -> None:
        summary = self.current
        if summary is not None:
            self.post_message(self.Opened(summary))

    async def wait_for_rows(self) -> None:
        """Let pending page loads finish (tests and benchmarks)."""
        while self._pending:
            await asyncio.sleep(0.005)

    # -- rendering -----------------------------------------------------------

    def _row_content(self, summary: ArticleSummary, width: int, *, plain: bool = False) -> Content:
        """One row; ``plain`` (the cursor's row) keeps bold and italic but takes the
        cursor's colours, so no part of it is coloured for the page behind it."""

        def styled(text: str, name: str, shape: str = "") -> Content:
            return Content.styled(text, shape if plain else name)

        marker = styled("● " if not summary.read else "  ", ".article-list--marker")
        saved = styled("★ " if summary.saved else "  ", ".article-list--saved")
        date = styled(format_short_date(summary.published) + "  ", ".article-list--date")
        title_style = ".article-list--read" if summary.read else ".article-list--unread"
        title = styled(
            clean_line(summary.title) or "Untitled", title_style, "" if summary.read else "bold"
        )
        row = Content(" ") + marker + saved + date + title
        if self.show_feed and summary.feed_title:
            feed = styled(f"  {clean_line(summary.feed_title)}", ".article-list--feed", "italic")
            room = width - row.cell_length - 1
            if room > 6:
                row += feed.truncate(room, ellipsis=True)
        return row.truncate(width, ellipsis=True)

    def _empty_line(self, y: int, width: int) -> Strip:
        """The empty-list message from the second line, wrapped (indented) to fit."""
        style = self.visual_style
        message = Content.styled(self.empty_message, ".article-list--empty")
        lines = message.wrap(max(10, width - 3))
        if 1 <= y <= len(lines):
            return content_strip(self, Content("  ") + lines[y - 1].rstrip(), width, style)
        return Strip.blank(width, style.rich_style)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        style = self.visual_style
        if self.row_count == 0:
            return self._empty_line(y, width)
        row = round(self.scroll_offset.y) + y
        if row >= self.row_count:
            return Strip.blank(width, style.rich_style)
        summary = self.summary_at(row)
        if summary is None:
            content = Content.styled("   …", ".article-list--placeholder")
        else:
            content = self._row_content(summary, width, plain=row == self.cursor)
        if row == self.cursor:
            style = self.get_visual_style("article-list--cursor")
        return content_strip(self, content, width, style)
