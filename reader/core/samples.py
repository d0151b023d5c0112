"""Bundled sample feeds, addressed as ``sample:<file name>``.

They let a new user (and the tests) see the reader work without a network.
Only plain file names inside the bundled directory are served: anything that
could walk out of it is refused.
"""

from __future__ import annotations

from importlib.resources.abc import Traversable

from reader.core.errors import FetchError
from reader.resources import sample_feeds_dir

SAMPLE_SCHEME = "sample:"
_SUFFIXES = (".xml", ".atom", ".rss", ".json")


def sample_feed_urls() -> list[str]:
    """``sample:`` URLs of every bundled feed, sorted by name."""
    return sorted(SAMPLE_SCHEME + entry.name for entry in _feed_files())


def is_sample_url(url: str | None) -> bool:
    return bool(url) and (url or "").lower().startswith(SAMPLE_SCHEME)


def read_sample(url: str) -> bytes:
    """The bytes of a bundled feed. Raises ``FetchError`` for unknown or unsafe names."""
    name = url[len(SAMPLE_SCHEME) :] if is_sample_url(url) else url
    if not name or "/" in name or "\\" in name or ".." in name or "\x00" in name:
        raise FetchError(f"not a bundled sample feed: {name!r}")
    for entry in _feed_files():
        if entry.name == name:
            return entry.read_bytes()
    raise FetchError(f"no bundled sample feed named {name!r}")


def _feed_files() -> list[Traversable]:
    """Files in the bundled directory; matching names against this listing
    (rather than joining a path) is what keeps lookups inside it."""
    directory = sample_feeds_dir()
    if not directory.is_dir():
        return []
    return [
        entry
        for entry in directory.iterdir()
        if entry.is_file() and entry.name.endswith(_SUFFIXES) and not entry.name.startswith(".")
    ]
