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
