"""Command palette entries that name feeds ("Go to feed: …", full-text settings).

They read the feeds from the screen that lists them (a :class:`FeedsInView`, the
main screen) and act by posting it a message (:mod:`reader.ui.messages`). Feed titles are shown as :class:`Content` so that a title like ``[/]`` is
text, not markup; the help line is our own fixed text.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from reader.core.sanitize import clean_line
from reader.ui.context import FeedsInView
from reader.ui.messages import SetFeedFulltext, ShowFeed


def feeds_in_view(provider: Provider) -> FeedsInView | None:
    """The screen below the palette that lists the feeds (the main screen), if any."""
    for screen in reversed(provider.app.screen_stack):
        if isinstance(screen, FeedsInView):
            return screen
    return None


class FeedCommands(Provider):
    """Jump to any feed from the palette."""

    def _targets(self) -> list[tuple[str, int]]:
        view = feeds_in_view(self)
        if view is None:
            return []
        return [(clean_line(feed.title), feed.id) for feed in view.listed_feeds()]

    def _go(self, feed_id: int) -> None:
        view = feeds_in_view(self)
        if view is not None:
            view.post_message(ShowFeed(feed_id))

    async def discover(self) -> Hits:
        for title, feed_id in self._targets():
            label = Content("Go to feed: ") + Content(title)
            yield DiscoveryHit(label, partial(self._go, feed_id), text=f"Go to feed: {title}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, feed_id in self._targets():
            text = f"Go to feed: {title}"
            score = matcher.match(text)
            if score > 0:
                label = Content("Go to feed: ") + Content(title)
                yield Hit(score, label, partial(self._go, feed_id), text=text)


FULLTEXT_MODES = {
    "auto": "fetch the story's page when the feed gives only a summary",
    "always": "fetch every story's page",
    "never": "read what the feed gives; never fetch pages",
}


class FeedSettingsCommands(Provider):
    """Per-feed settings for the feed in view (or of the article under the cursor)."""

    def _feed(self) -> tuple[int, str, str] | None:
        view = feeds_in_view(self)
        feed = view.feed_in_view() if view is not None else None
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
        view = feeds_in_view(self)
        if view is not None:
            view.post_message(SetFeedFulltext(feed_id, mode))

    async def discover(self) -> Hits:
        for text, label, action in self._hits():
            yield DiscoveryHit(label, action, text=text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, label, action in self._hits():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, label, action, text=text)
