"""The main screen's refreshes (``r``, ``R``, the timer and start-up): run in a
worker thread through the one after-refresh sequence the CLI runs too, with
progress above the list; cleaning is handed to the app. Also the watch for
writes by other processes (a cron ``broadsheet refresh``)."""

from __future__ import annotations

import asyncio
import sqlite3

from textual import work
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.widgets import Label, ProgressBar

from reader.core.errors import BroadsheetError, NotFoundError
from reader.core.library import refresh_and_settle
from reader.core.models import Feed, FeedRefreshResult, RefreshSummary
from reader.core.sanitize import clean_line
from reader.ui.screens.main_part import MainScreenPart


class RefreshActions(MainScreenPart):
    """Refreshing, for the main screen."""

    def action_refresh_feed(self) -> None:
        main = self._main
        feed = main.sidebar.current_feed
        feed_id = feed.id if feed else None
        if feed_id is None:
            article = main.focused_article()
            feed_id = article.feed_id if article is not None else None
        if feed_id is None:
            main.app.notify("Choose a feed (or an article) to refresh; R refreshes all.")
            return
        main.run_refresh([feed_id])

    def action_refresh_all(self) -> None:
        main = self._main
        main.run_refresh(None)

    def run_refresh(self, feed_ids: list[int] | None, automatic: bool = False) -> None:
        """Start a refresh unless this reader is already running one (then say how far
        it is: a second request would only wait for the library's refresh lock)."""
        main = self._main
        if main._refresh_progress is not None:
            if not automatic:
                done, total = main._refresh_progress
                where = f" ({done}/{total})" if total else ""
                what = "A sync" if main._sync_host else "Refresh"
                main.app.notify(f"{what} already running{where}.", markup=False)
            return
        main._refresh_progress = (0, 0)
        main._refresh_worker(feed_ids, automatic)

    @work(thread=True, group="refresh", exit_on_error=False)
    def _refresh_worker(self, feed_ids: list[int] | None, automatic: bool) -> None:
        """Fetch in a worker thread; each stored feed is reported as it lands. Only an
        ``automatic`` refresh (start-up, the timer) waits out feeds' back-off."""
        main = self._main
        library = main.library
        main.app.call_from_thread(main.refresh_started)
        try:  # the one after-refresh sequence the CLI runs too; cleaning goes to the app
            summary, _ = asyncio.run(
                refresh_and_settle(
                    library,
                    feed_ids,
                    on_result=main.refresh_progress_from_thread,
                    automatic=automatic,
                    on_fetch=main.refresh_fetching_from_thread,
                    clean=main.clean_from_thread,
                )
            )
        except Exception as error:  # noqa: BLE001 - shown to the user, never a traceback
            main.app.call_from_thread(main.refresh_finished, None, error)
            return
        main.app.call_from_thread(main.refresh_finished, summary, None)

    def clean_from_thread(self) -> int:
        """The sequence's cleaning step: the app cleans, then tidies the search index,
        in a child process (``reader.core.background``); nothing is cleaned here."""
        main = self._main
        main.app.call_from_thread(main.context.clean_in_background)
        return 0

    def refresh_progress_from_thread(
        self, result: FeedRefreshResult, done: int, total: int
    ) -> None:
        main = self._main
        main.app.call_from_thread(main.refresh_progress, result, done, total)

    def refresh_fetching_from_thread(self, feed: Feed, total: int) -> None:
        main = self._main
        main.app.call_from_thread(main.refresh_fetching, feed, total)

    def refresh_started(self) -> None:
        main = self._main
        main.add_class("-refreshing")
        main._refresh_errors = []
        main._refresh_current = ""
        main.query_one(ProgressBar).update(total=None, progress=0)
        main._show_progress()

    def refresh_fetching(self, feed: Feed, total: int) -> None:
        main = self._main
        main._refresh_current = clean_line(feed.title, limit=60)
        done, _ = main._refresh_progress or (0, 0)
        main._refresh_progress = (done, total)
        main.query_one(ProgressBar).update(total=total, progress=done)
        main._show_progress()

    def refresh_progress(self, result: FeedRefreshResult, done: int, total: int) -> None:
        main = self._main
        main._refresh_progress = (done, total)
        if result.error:
            main._refresh_errors.append(main._feed_name(result.feed_id, result.url))
        main.query_one(ProgressBar).update(total=total, progress=done)
        main._show_progress()
        if result.new or result.error:
            main.schedule_reload()

    def _show_progress(self) -> None:
        """ "Refreshing 3/12 · Slow Desk · 1 error", one line above the list. With an
        account: "Syncing with rss.example.org…" until the server's answers are stored,
        then "Synced with rss.example.org · finishing…" while story pages complete."""
        main = self._main
        done, total = main._refresh_progress or (0, 0)
        host = main._sync_host
        if host:  # the server fetched the feeds: the sync is what happens here
            synced = total and done >= total
            parts = [f"Synced with {host}", "finishing…"] if synced else [f"Syncing with {host}…"]
        else:
            parts = [f"Refreshing {done}/{total}" if total else "Refreshing…"]
            if main._refresh_current and (done < total or not total):
                parts.append(main._refresh_current)
        if main._refresh_errors:
            count = len(main._refresh_errors)
            parts.append(f"{count} error" + ("" if count == 1 else "s"))
        main.query_one("#progress-label", Label).update(Content(" · ".join(parts)))

    def _feed_name(self, feed_id: int, url: str) -> str:
        main = self._main
        for feed in main.sidebar.feeds:
            if feed.id == feed_id:
                return clean_line(feed.title, limit=40)
        return clean_line(url, limit=40)

    def refresh_finished(self, summary: RefreshSummary | None, error: BaseException | None) -> None:
        main = self._main
        main.remove_class("-refreshing")
        main._refresh_progress = None
        if error is not None:
            main.context.clean_in_background()  # a failed refresh may have stored some
            main.report(error)
            main.schedule_reload()  # what it stored, and the account line's failed sync
            return
        assert summary is not None
        severity: SeverityLevel = "warning" if summary.errors else "information"
        message = summary.line()
        if summary.feeds == 1 and summary.results[0].error:
            message = f"Refresh failed: {clean_line(summary.results[0].error)}"
        elif main._refresh_errors:  # name the failing feeds (a few)
            names = main._refresh_errors
            more = f" and {len(names) - 3} more" if len(names) > 3 else ""
            message += f". Failed: {', '.join(names[:3])}{more}"
        if summary.errors and summary.errors == summary.feeds:
            message += ". Is the network down?"
        main.app.notify(message, severity=severity, markup=False)
        main.schedule_reload()

    @work(group="watch", exclusive=True, exit_on_error=False)
    async def check_external_changes(self) -> None:
        """Another process (``broadsheet refresh`` from cron) may have written."""
        main = self._main
        library = main.library
        try:
            version = await main.call(library.data_version)
        except (sqlite3.Error, BroadsheetError):
            return
        if main._data_version is not None and version != main._data_version:
            await main.guarded(main.reload_all())
        main._data_version = version

    async def follow_open_article(self) -> None:
        """After a reload: if a refresh (or the cleaner) rewrote the open article, show
        its new text. Highlights are stored against the library's text: drawn and made
        over an old one, they would land on other words."""
        main = self._main
        shown = main.reader.article
        if shown is None:
            return
        library = main.library
        try:
            current = await main.call(library.article, shown.id)
        except NotFoundError:
            return
        if main.reader.article is not shown or current.text == shown.text:
            return
        main.reader.show(current, main.reader.reading_position)
