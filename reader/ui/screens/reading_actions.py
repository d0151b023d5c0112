"""The main screen's reading order and read state: next/previous unread (``n``,
``p``, on to the next feed with unread articles), read/unread (``m``), mark all
read (``A``) and its undo (``U``), and unread-only views (``u``)."""

from __future__ import annotations

from textual import work

from reader.core.library import ArticleQuery
from reader.core.models import ArticleSummary
from reader.core.wording import plural
from reader.ui.screens.main_part import MainScreenPart
from reader.ui.widgets.sidebar import SAVED_ID, UNREAD_ID, feed_option_id


class ReadingActions(MainScreenPart):
    """Moving through unread articles and marking them, for the main screen."""

    def action_next_unread(self) -> None:
        main = self._main
        main.jump_unread(backwards=False)

    def action_previous_unread(self) -> None:
        main = self._main
        main.jump_unread(backwards=True)

    @work(group="open", exclusive=True, exit_on_error=False)
    async def jump_unread(self, backwards: bool) -> None:
        main = self._main
        await main.guarded(main._jump_unread(backwards))

    async def _jump_unread(self, backwards: bool) -> None:
        main = self._main
        library = main.library
        query = main.current_query()
        current = main.focused_article()
        opened = main.reader.article.id if main.reader.article is not None else None
        if current is not None and current.id != opened and not current.read:
            found: ArticleSummary | None = main.articles.current  # the cursor's own article
        else:
            after = current.id if current is not None else None
            found = await main.call(library.next_unread, query, after, backwards=backwards)
        if found is None and query.feed_id is not None:
            found = await main.unread_in_other_feed(query.feed_id, backwards)
            if found is not None and found.feed_id is not None:
                main.sidebar.select_id(feed_option_id(found.feed_id))
                await main.load_list()
        if found is None:
            main.app.notify("No more unread articles.", markup=False)
            return
        position = await main.call(library.article_position, main.current_query(), found.id)
        if position is not None:
            main.articles.move_to(position)
        await main._open(found.id)

    async def unread_in_other_feed(self, feed_id: int, backwards: bool) -> ArticleSummary | None:
        """The first unread article of the next feed (in sidebar order) that has one."""
        main = self._main
        feeds = main.sidebar.feeds
        index = next((i for i, feed in enumerate(feeds) if feed.id == feed_id), 0)
        order = reversed(feeds[:index]) if backwards else iter(feeds[index + 1 :])
        library = main.library
        for feed in order:
            if feed.unread:
                query = ArticleQuery(feed_id=feed.id, unread_only=main.unread_only)
                return await main.call(library.next_unread, query, None, backwards=backwards)
        return None

    @work(group="mark", exit_on_error=False)
    async def action_toggle_read(self) -> None:
        main = self._main
        article = main.focused_article()
        if article is not None:
            await main.guarded(main.set_read([article.id], not article.read))

    @work(group="mark", exit_on_error=False)
    async def action_mark_all_read(self) -> None:
        main = self._main
        await main.guarded(main._mark_all_read())

    async def _mark_all_read(self) -> None:
        main = self._main
        library = main.library
        changed = await main.call(library.mark_query_read, main.articles.query_)
        main.articles.mark_all_read_in_cache()
        await main.reload_sidebar()
        if not changed:
            main.app.notify("Nothing to mark: every article here is read.", markup=False)
            return
        # Undoable until the reader closes, most recent first.
        main._mark_all_undo.append(changed)
        main.app.notify(f"Marked {plural(len(changed), 'article')} read. U undoes.", markup=False)

    @work(group="mark", exit_on_error=False)
    async def action_undo_mark_all_read(self) -> None:
        main = self._main
        if not main._mark_all_undo:
            main.app.notify("Nothing to undo: no mark-all-read in this session.", markup=False)
            return
        ids = main._mark_all_undo.pop()
        library = main.library
        await main.guarded(main.call(library.mark_read, ids, False))
        await main.guarded(main.load_list())
        await main.reload_sidebar()
        main.app.notify(f"Marked {plural(len(ids), 'article')} unread again.", markup=False)

    @work(group="view", exclusive=True, exit_on_error=False)
    async def action_toggle_unread_only(self) -> None:
        main = self._main
        main.unread_only = not main.unread_only
        library = main.library
        await main.guarded(main.call(library.set_state, "unread_only", str(int(main.unread_only))))
        await main.guarded(main.load_list())
        if main.sidebar.current_id in (UNREAD_ID, SAVED_ID):
            state = "on" if main.unread_only else "off"
            main.app.notify(f"Unread only is {state} for feed views.", markup=False)
