"""Errors the core raises. Each carries a message fit to show a user as one line."""

from __future__ import annotations

from collections.abc import Iterable


class BroadsheetError(Exception):
    """Base class: a user-facing problem, never a bug."""


class AlreadySubscribedError(BroadsheetError):
    """The feed is in the library already: ``feed`` is the existing one."""

    def __init__(self, message: str, feed: object) -> None:
        super().__init__(message)
        self.feed = feed


class NotFoundError(BroadsheetError):
    """An unknown feed or article id."""


class FeedParseError(BroadsheetError):
    """The body is not a feed we can read."""


class FetchError(BroadsheetError):
    """A network or file fetch failed."""


class LibraryError(BroadsheetError):
    """The library database cannot be opened or written."""


class LibraryLockedError(LibraryError):
    """Another process holds the refresh lock."""


class InputFileError(BroadsheetError):
    """A file given by the user is unreadable or malformed."""


def missing_articles(missing_ids: Iterable[int]) -> None:
    """Raise NotFoundError naming the ids not found (the first ten), if there are any."""
    missing = list(missing_ids)
    if missing:
        listed = ", ".join(str(article_id) for article_id in missing[:10])
        noun = "id" if len(missing) == 1 else "ids"
        raise NotFoundError(f"no article with {noun} {listed}: nothing was changed")
