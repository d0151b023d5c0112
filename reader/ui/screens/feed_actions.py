"""The main screen's feed actions: add (``+``), unsubscribe (``d``), rename
(``c``) and the full-text setting (from the command palette). Feed text reaches
the screen only as plain messages (``markup=False``) or :class:`Content`."""

from __future__ import annotations

import asyncio
import sqlite3

from textual import work
from textual.content import Content

from reader.core.errors import BroadsheetError
from reader.core.models import Feed
from reader.core.sanitize import clean_line, visible_url
from reader.ui.screens.main_part import MainScreenPart
from reader.ui.widgets.sidebar import UNREAD_ID, feed_option_id

# What Library.remove_feed keeps: saved and tagged articles, and those with highlights
# or notes (the articles retention never prunes).
UNSUBSCRIBE_KEEPS = (
    "Its articles are deleted, except saved ones, tagged ones and ones with highlights "
    "or notes (those stay, under Saved, their tags or in H)."
)


class FeedActions(MainScreenPart):
    """Subscribing, unsubscribing, renaming and feed settings, for the main screen."""

    @work(group="feed-settings", exit_on_error=False)
    async def set_feed_fulltext(self, feed_id: int, mode: str) -> None:
        main = self._main
        library = main.library
        try:
            await main.call(library.set_feed_fulltext, feed_id, mode)
        except (BroadsheetError, sqlite3.Error) as error:
            main.report(error)
            return
        await main.reload_sidebar()
        main.app.notify(f"Full text for this feed: {mode}.", markup=False)

    def action_add_feed(self) -> None:
        main = self._main
        from reader.ui.screens.dialogs import PromptScreen

        prompt = PromptScreen(
            "Add a feed",
            placeholder="https://example.com/feed.xml or https://example.com",
            hint="A site's address works too: its feed is found for you.",
        )
        main.app.push_screen(prompt, main._add_feed_answer)

    def _add_feed_answer(self, url: str | None) -> None:
        main = self._main
        if url:
            main.app.notify(f"Subscribing to {visible_url(url)}…", markup=False)
            main.subscribe(url)

    @work(thread=True, group="subscribe", exit_on_error=False)
    def subscribe(self, url: str) -> None:
        main = self._main
        library = main.library
        try:
            feed = asyncio.run(library.subscribe(url))
        except Exception as error:  # noqa: BLE001 - shown to the user
            main.app.call_from_thread(main._subscribed, None, error)
            return
        main.app.call_from_thread(main._subscribed, feed, None)

    def _subscribed(self, feed: Feed | None, error: BaseException | None) -> None:
        main = self._main
        from reader.core.errors import AlreadySubscribedError

        if isinstance(error, AlreadySubscribedError) and isinstance(error.feed, Feed):
            main.app.notify(clean_line(str(error)), markup=False)
            main.after_subscribe(error.feed.id)  # and show that feed
            return
        if error is not None:
            main.report(error)
        if feed is not None:
            main.app.notify(f"Subscribed to {clean_line(feed.title)}", markup=False)
        main.after_subscribe(feed.id if feed else None)

    @work(group="view", exclusive=True, exit_on_error=False)
    async def after_subscribe(self, feed_id: int | None) -> None:
        main = self._main
        await main.guarded(main.reload_sidebar())
        if feed_id is not None:
            main.sidebar.select_id(feed_option_id(feed_id))
        await main.guarded(main.load_list())

    def action_unsubscribe(self) -> None:
        main = self._main
        feed = main.sidebar.current_feed
        if feed is None:
            main.app.notify("Choose a feed in the sidebar to unsubscribe from it.", markup=False)
            return
        from reader.ui.screens.dialogs import ConfirmScreen

        question = Content.assemble(
            "Unsubscribe from “",
            (clean_line(feed.title), "bold"),
            "”?\n",
            UNSUBSCRIBE_KEEPS,
        )
        confirm = ConfirmScreen("Unsubscribe", question)
        main.app.push_screen(confirm, lambda yes: main._unsubscribe_answer(feed, bool(yes)))

    def _unsubscribe_answer(self, feed: Feed, yes: bool) -> None:
        main = self._main
        if yes:
            main.unsubscribe(feed)

    @work(group="view", exclusive=True, exit_on_error=False)
    async def unsubscribe(self, feed: Feed) -> None:
        main = self._main
        library = main.library
        try:
            await main.call(library.remove_feed, feed.id)
        except (BroadsheetError, sqlite3.Error) as error:
            main.report(error)
            return
        if main.reader.article is not None and main.reader.article.feed_id == feed.id:
            main.reader.show(None)
        main.app.notify(f"Unsubscribed from {clean_line(feed.title)}", markup=False)
        await main.guarded(main.reload_sidebar())
        main.sidebar.select_id(UNREAD_ID)
        await main.guarded(main.load_list())

    def action_rename_feed(self) -> None:
        main = self._main
        feed = main.sidebar.current_feed
        if feed is None:
            main.app.notify("Choose a feed in the sidebar to rename it.", markup=False)
            return
        from reader.ui.screens.dialogs import PromptScreen

        prompt = PromptScreen(
            "Rename feed",
            value=clean_line(feed.title),
            hint="Leave it empty to use the feed's own title.",
            allow_empty=True,
        )
        main.app.push_screen(prompt, lambda title: main._rename_answer(feed, title))

    def _rename_answer(self, feed: Feed, title: str | None) -> None:
        main = self._main
        if title is not None:
            main.rename(feed, title)

    @work(group="view", exclusive=True, exit_on_error=False)
    async def rename(self, feed: Feed, title: str) -> None:
        main = self._main
        library = main.library
        try:
            await main.call(library.rename_feed, feed.id, title)
            renamed = await main.call(library.feed, feed.id)
        except (BroadsheetError, sqlite3.Error) as error:
            main.report(error)
            return
        main.app.notify(f"Renamed to {clean_line(renamed.title)}", markup=False)
        await main.guarded(main.reload_all())  # the sidebar and list lines show the name
