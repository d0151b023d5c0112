"""The main screen's library actions: tag an article or a feed (``t``), save (``s``), search (``/``), export (``e``/``E``).

:class:`LibraryActions` is mixed into :class:`~reader.ui.screens.main.MainScreen`
(whose ``BINDINGS`` list the keys). As everywhere on that screen, every
library call goes through the gateway inside a worker, and every message
quoting feed text is plain (``markup=False``) or :class:`Content`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from reader.core.errors import BroadsheetError, NotFoundError
from reader.core.models import Feed
from reader.core.sanitize import clean_line
from reader.core.wording import plural
from reader.ui.key_hold import hold_keys, release_keys_unless_dialog
from reader.ui.screens.main_part import MainScreenPart

if TYPE_CHECKING:
    # The prompts, the search screen and the exporter are imported when first
    # opened: the first screen does not need them (start-up time).
    from reader.ui.screens.search import SearchScreen
    from reader.ui.screens.tag_prompt import TagChange


def export_message(paths: list[Path], folder: Path) -> str:
    """One short line (a toast): how many files, and where (shown with markup off)."""
    if not paths:
        return f"Nothing to export to {folder}."
    return f"Exported {plural(len(paths), 'file')} to {folder}"


def _tag_message(change: TagChange, subject: str = "") -> str:
    """E.g. "Tagged climate; untagged draft." or, for a feed, "Feed X: tagged climate."
    (plain text, shown with markup off)."""
    parts = []
    if change.add:
        parts.append("tagged " + ", ".join(change.add))
    if change.remove:
        parts.append("untagged " + ", ".join(change.remove))
    message = "; ".join(parts) + "."
    if subject:
        return f"{subject}: {message}"
    return message[:1].upper() + message[1:]


class LibraryActions(MainScreenPart):
    """Tags, saving, search and export for the main screen."""

    search_order: str = "best"

    def _chosen_article_id(self, verb: str) -> int | None:
        article = self._main.focused_article()
        if article is None:
            self._main.app.notify(f"Choose an article to {verb}.", markup=False)
            return None
        return article.id

    async def _after_library_change(self, article_ids: set[int]) -> None:
        """Redraw what a tag or save changed: sidebar counts, the open article, a tag view."""
        main = self._main
        library = main.library
        reader = main.reader
        if reader.article is not None:  # a feed's tags reach its articles too
            fresh = await main.call(library.article, reader.article.id)
            if reader.article is not None and reader.article.id == fresh.id:
                reader.update_marks(saved=fresh.saved, tags=fresh.tags)
        await main.reload_sidebar()
        if main.sidebar.current_tag is not None:  # the tag view may have gained or lost it
            await main.articles.reload()
            main.update_header()

    # -- tags ------------------------------------------------------------------

    def action_tag(self) -> None:
        main = self._main
        feed = main.sidebar.current_feed if main.focused is main.sidebar else None
        if feed is not None:  # the sidebar has a feed focused: tag the feed
            self._ask_in_worker(self._ask_feed_tags(feed.id))
            return
        article_id = self._chosen_article_id("tag")
        if article_id is not None:
            self._ask_in_worker(self._ask_tags(article_id))

    def _ask_in_worker(self, ask: Awaitable[None]) -> None:
        """Open a prompt once the library has answered; the keys typed meanwhile
        are the prompt's (see reader.ui.key_hold)."""
        main = self._main
        hold_keys(main.app)

        async def asking() -> None:
            try:
                await main.guarded(ask)
            finally:
                release_keys_unless_dialog(main.app)

        main.run_worker(asking(), group="tag", exit_on_error=False)

    async def _ask_tags(self, article_id: int) -> None:
        main = self._main
        library = main.library
        try:
            article = await main.call(library.article, article_id)
        except NotFoundError:
            main.app.notify("That article is gone.", markup=False)
            return
        known = await main.call(library.tags)
        from reader.ui.screens.tag_prompt import TagPrompt

        prompt = TagPrompt(article.title, article.tags, known)
        main.app.push_screen(prompt, lambda change: self._tags_answer(article_id, change))

    def _tags_answer(self, article_id: int, change: TagChange | None) -> None:
        if change:
            self._main.run_worker(
                self._main.guarded(self._apply_tags(article_id, change)),
                group="tag",
                exit_on_error=False,
            )

    async def _apply_tags(self, article_id: int, change: TagChange) -> None:
        main = self._main
        library = main.library
        if change.add:
            await main.call(library.tag_article, article_id, list(change.add))
        if change.remove:
            await main.call(library.untag_article, article_id, list(change.remove))
        await self._after_library_change({article_id})
        main.app.notify(_tag_message(change), markup=False)

    async def _ask_feed_tags(self, feed_id: int) -> None:
        main = self._main
        library = main.library
        try:
            feed = await main.call(library.feed, feed_id)
        except NotFoundError:
            main.app.notify("That feed is gone.", markup=False)
            return
        known = await main.call(library.tags)
        from reader.ui.screens.tag_prompt import TagPrompt

        prompt = TagPrompt(feed.title, feed.tags, known, noun="feed")
        main.app.push_screen(prompt, lambda change: self._feed_tags_answer(feed, change))

    def _feed_tags_answer(self, feed: Feed, change: TagChange | None) -> None:
        if change:
            self._main.run_worker(
                self._main.guarded(self._apply_feed_tags(feed, change)),
                group="tag",
                exit_on_error=False,
            )

    async def _apply_feed_tags(self, feed: Feed, change: TagChange) -> None:
        """Tag a feed: its articles inherit the tags (the tag views and counts change)."""
        main = self._main
        library = main.library
        if change.add:
            await main.call(library.tag_feed, feed.id, list(change.add))
        if change.remove:
            await main.call(library.untag_feed, feed.id, list(change.remove))
        await self._after_library_change(set())
        subject = f"Feed “{clean_line(feed.title) or 'Untitled'}”"
        main.app.notify(_tag_message(change, subject), markup=False)

    # -- saving ----------------------------------------------------------------

    def action_save(self) -> None:
        article = self._main.focused_article()
        if article is None:
            self._main.app.notify("Choose an article to save.", markup=False)
            return
        self._main.run_worker(
            self._main.guarded(self._toggle_saved(article.id, not article.saved)),
            group="save",
            exit_on_error=False,
        )

    async def _toggle_saved(self, article_id: int, saved: bool) -> None:
        main = self._main
        library = main.library
        await main.call(library.set_saved, article_id, saved)
        main.articles.update_summaries({article_id}, saved=saved)
        await self._after_library_change({article_id})
        main.app.notify("Saved: kept for good." if saved else "Unsaved.", markup=False)

    # -- search ----------------------------------------------------------------

    def action_search(self) -> None:
        from reader.ui.screens.search import SearchScreen

        main = self._main
        screen = SearchScreen(main.gateway, order=self.search_order)
        main.app.push_screen(screen, lambda article_id: self._search_done(screen, article_id))

    def _search_done(self, screen: SearchScreen, article_id: int | None) -> None:
        self.search_order = screen.order
        if article_id is not None:
            self._main.run_worker(
                self._open_found(article_id), group="open", exclusive=True, exit_on_error=False
            )

    async def _open_found(self, article_id: int) -> None:
        main = self._main
        library = main.library
        await main.guarded(main._open(article_id))
        if main.reader.article is None or main.reader.article.id != article_id:
            return
        try:  # put the list's cursor on it too, when the current view lists it
            position = await main.call(library.article_position, main.current_query(), article_id)
        except (BroadsheetError, sqlite3.Error):
            position = None
        if position is not None:
            main.articles.move_to(position)
        main.reader.focus()

    # -- export ----------------------------------------------------------------

    def action_export(self) -> None:
        main = self._main
        article = main.reader.article or main.focused_article()
        if article is None:
            main.app.notify("Open an article to export it (E exports saved ones).", markup=False)
            return
        title = clean_line(article.title) or "Untitled"
        self._ask_folder(f"Export “{title}” as Markdown + JSON to", [article.id])

    def action_export_saved(self) -> None:
        self._ask_folder("Export this view's saved articles as Markdown + JSON to", None)

    def _ask_folder(self, title: str, article_ids: list[int] | None) -> None:
        from reader.ui.screens.export_prompt import ExportPrompt, default_export_dir

        main = self._main
        folder = default_export_dir(main.library.config.auto_export_dir)
        prompt = ExportPrompt(title, folder, hint="Files are named by date and title.")
        main.app.push_screen(prompt, lambda answer: self._export_answer(answer, article_ids))

    def _export_answer(self, answer: str | None, article_ids: list[int] | None) -> None:
        if answer:
            from reader.ui.screens.export_prompt import export_target

            self._main.run_worker(
                self._main.guarded(self._export(export_target(answer), article_ids)),
                group="export",
                exit_on_error=False,
            )

    async def _export(self, folder: Path, article_ids: list[int] | None) -> None:
        from reader.core.export import export_articles

        main = self._main
        library = main.library
        if article_ids is None:
            query = replace(main.current_query(), saved_only=True, unread_only=False)
            article_ids = await main.call(library.article_ids, query)
            if not article_ids:
                main.app.notify("No saved articles in this view.", markup=False)
                return
        paths = await main.call(export_articles, library, article_ids, folder)
        main.app.notify(export_message(paths, folder), markup=False, timeout=10)
