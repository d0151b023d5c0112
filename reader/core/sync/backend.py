"""What the sync engine needs from a feed server, whatever its protocol.

Each protocol (``greader.py``, ``ttrss.py``) implements :class:`SyncBackend`. The
engine never sees HTTP: it pushes queued local changes through the ``mark_*`` /
``subscribe`` / ``unsubscribe`` / ``rename`` calls, then pulls subscriptions, items
and the read/starred id sets. Every call is idempotent on the server side (marking a
read item read again is harmless), which is what lets a queue be replayed after a
crash without duplicating anything.

Ids are the server's own, as strings (TT-RSS integers are stringified; Google Reader
item ids are normalised to the long ``tag:google.com,2005:reader/item/<16 hex>`` form
so the two forms a server may send compare equal).

Each protocol module also has ``connect(url, user, password, token=None)`` returning
its backend; a backend may expose ``token`` (a session or auth token the account file
keeps so the next sync need not log in), ``server_time`` (the server's clock at the
start of the last ``items`` call: the next sync's ``since``) and
``items_by_id(ids) -> Iterator[list[RemoteItem]]`` (to fetch starred items the library
does not hold). The engine uses them when present.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple, Protocol

from reader.core.errors import BroadsheetError


class SyncError(BroadsheetError):
    """A sync failed; ``kind`` names the cause in a word the UI shows as is.

    ``rejected`` is for one queued change the server refuses for good (a feed it
    cannot fetch): the engine drops that change, reports it and goes on."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind  # "auth", "unreachable", "server", "protocol", "rejected"


# A NamedTuple, not a dataclass: made ~10 times faster when the module is imported,
# which every sync's start-up pays (see benchmarks/README.md, sync).
class RemoteFeed(NamedTuple):
    id: str
    url: str  # the feed's own URL (xmlUrl), the key that matches a local feed
    title: str
    site_url: str | None = None
    folders: tuple[str, ...] = ()  # categories / labels -> Broadsheet feed tags


class RemoteItem(NamedTuple):
    id: str
    feed_id: str
    title: str
    link: str | None
    author: str | None
    published: float | None  # seconds since the epoch, UTC
    content_html: str
    read: bool
    starred: bool
    guid: str | None = None  # the item's own guid/link from the feed, when the server says
    updated: float | None = None
    categories: tuple[str, ...] = ()


class SyncBackend(Protocol):
    """One account on one server. Methods raise :class:`SyncError` only."""

    def login(self) -> None:
        """Authenticate (or re-authenticate after a 401 / an expired token)."""

    def subscriptions(self) -> list[RemoteFeed]: ...

    def items(self, *, since: float | None, limit: int | None = None) -> Iterator[list[RemoteItem]]:
        """New or changed items since ``since`` (None: everything the server keeps),
        newest first, one page at a time; the pages are what the server's continuation
        gives. ``limit``: at most that many, and the next pull with a ``since`` starts
        after the newest of them (the older ones are skipped on purpose)."""
        ...

    def unread_ids(self) -> set[str]: ...

    def starred_ids(self) -> set[str]: ...

    def mark_read(self, item_ids: Sequence[str], read: bool) -> None: ...

    def mark_starred(self, item_ids: Sequence[str], starred: bool) -> None: ...

    def subscribe(
        self, url: str, *, title: str | None = None, folder: str | None = None
    ) -> RemoteFeed: ...

    def unsubscribe(self, feed_id: str) -> None: ...

    def rename(self, feed_id: str, title: str) -> None: ...
