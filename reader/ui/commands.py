"""Command palette entries that name feeds ("Go to feed: …").

Feed titles are shown as :class:`Content` so that a title like ``[/]`` is
text, not markup; the help line is our own fixed text.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from reader.core.sanitize import clean_line


class FeedCommands(Provider):
    """Jump to any feed from the palette."""

    def _targets(self) -> list[tuple[str, str]]:
        from reader.ui.app import BroadsheetApp
        from reader.ui.widgets.sidebar import feed_option_id

        app = self.app
        if not isinstance(app, BroadsheetApp):
            return []
        main = app.main_screen
        return [(clean_line(feed.title), feed_option_id(feed.id)) for feed in main.sidebar.feeds]

    def _go(self, option_id: str) -> None:
        from reader.ui.app import BroadsheetApp

        app = self.app
        if isinstance(app, BroadsheetApp):
            app.main_screen.sidebar.select_id(option_id)
            app.main_screen.articles.focus()

    async def discover(self) -> Hits:
        for title, option_id in self._targets():
            label = Content("Go to feed: ") + Content(title)
            yield DiscoveryHit(label, partial(self._go, option_id), text=f"Go to feed: {title}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, option_id in self._targets():
            text = f"Go to feed: {title}"
            score = matcher.match(text)
            if score > 0:
                label = Content("Go to feed: ") + Content(title)
                yield Hit(score, label, partial(self._go, option_id), text=text)


FULLTEXT_MODES = {
    "auto": "fetch the story's page when the feed gives only a summary",
    "always": "fetch every story's page",
    "never": "read what the feed gives; never fetch pages",
}


class FeedSettingsCommands(Provider):
    """Per-feed settings for the feed in view (or of the article under the cursor)."""

    def _feed(self) -> tuple[int, str, str] | None:
        from reader.ui.app import BroadsheetApp

        app = self.app
        if not isinstance(app, BroadsheetApp):
            return None
        main = app.main_screen
        feed = main.sidebar.current_feed
        if feed is None:
            article = main.focused_article()
            if article is None or article.feed_id is None:
                return None
            feed = next((f for f in main.sidebar.feeds if f.id == article.feed_id), None)
        return None if feed is None else (feed.id, clean_line(feed.title), feed.fulltext)

    def _hits(self) -> list[tuple[str, Content, partial[None]]]:
        feed = self._feed()
        if feed is None:
            return []
        feed_id, title, current = feed
        hits = []
        for mode, meaning in FULLTEXT_MODES.items():
            mark = " (current)" if mode == current else ""
            text = f"Full text {mode} for {title}: {meaning}{mark}"
            label = Content(f"Full text {mode} for ") + Content(title) + Content(f"{mark}")
            hits.append((text, label, partial(self._set, feed_id, mode)))
        return hits

    def _set(self, feed_id: int, mode: str) -> None:
        from reader.ui.app import BroadsheetApp

        app = self.app
        if isinstance(app, BroadsheetApp):
            app.main_screen.set_feed_fulltext(feed_id, mode)

    async def discover(self) -> Hits:
        for text, label, action in self._hits():
            yield DiscoveryHit(label, action, text=text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, label, action in self._hits():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, label, action, text=text)
