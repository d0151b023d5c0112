"""Messages between components that do not hold each other.

A component that wants something done elsewhere posts one of these to the screen
that owns the work (the command palette to the main screen, say), instead of
reaching into that screen's widgets.
"""

from __future__ import annotations

from textual.message import Message


class ShowFeed(Message):
    """Show this feed's articles (select it in the sidebar) and focus the list."""

    def __init__(self, feed_id: int) -> None:
        super().__init__()
        self.feed_id = feed_id


class SetFeedFulltext(Message):
    """Change a feed's full-text mode ("auto", "always" or "never")."""

    def __init__(self, feed_id: int, mode: str) -> None:
        super().__init__()
        self.feed_id = feed_id
        self.mode = mode
