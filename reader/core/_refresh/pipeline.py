"""Refresh: fetch every feed (concurrently) → parse (in worker processes when many)
→ store (one writer, one transaction per feed); then, optionally, story pages."""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from reader.core import _storage
from reader.core._refresh.backlog import Backlog
from reader.core._refresh.fulltext import complete_pending
from reader.core._refresh.pool import PARALLEL_PARSE_MIN_FEEDS, Parser, open_parse_pool
from reader.core._refresh.prepare import PreparedEntry, needs_full_text, new_row
from reader.core._storage import feeds as _feeds
from reader.core._storage import ingest as _ingest
from reader.core._storage import relaxed_sync, transaction
from reader.core.errors import BroadsheetError, FeedParseError, NotFoundError
from reader.core.models import (
    Feed,
    FeedRefreshResult,
    FetchResult,
    ParsedFeed,
    RefreshSummary,
)

if TYPE_CHECKING:
    from reader.core._refresh.host import RefreshHost

OnResult = Callable[[FeedRefreshResult, int, int], None]
OnFetch = Callable[[Feed, int], None]  # a feed's request is about to be sent; feeds in all

BACKOFF_BASE = 300.0  # seconds after the first failure; doubles with each one after
BACKOFF_MAX = 24 * 3600.0


def feeds_to_refresh(
    host: RefreshHost, feed_ids: Sequence[int] | None, automatic: bool, summary: RefreshSummary
) -> list[Feed]:
    """The feeds a refresh fetches. A person asking (for one feed or all) is obeyed at
    once; only an automatic refresh waits out a feed's back-off or Retry-After, and
    the summary says how many feeds wait and until when."""
    feeds = host.feeds()
    if feed_ids is not None:
        wanted = set(feed_ids)
        missing = wanted - {feed.id for feed in feeds}
        if missing:
            raise NotFoundError(f"no feed with id {min(missing)}")
        return [feed for feed in feeds if feed.id in wanted]
    active = [feed for feed in feeds if feed.status == "active"]
    waiting = _feeds.waiting_feeds(host.db.connection(), _storage.now(), automatic)
    summary.waiting = sum(1 for feed in active if feed.id in waiting)
    if summary.waiting:
        summary.next_try = min(waiting[feed.id] for feed in active if feed.id in waiting)
    return [feed for feed in active if feed.id not in waiting]


async def refresh_locked(
    host: RefreshHost,
    feed_ids: Sequence[int] | None,
    on_result: OnResult | None,
    fetcher: Any,
    wait: float,
    fulltext: bool,
    automatic: bool,
    on_fetch: OnFetch | None,
) -> RefreshSummary:
    """One refresh under the library's refresh lock (``Library.refresh``)."""
    lock = host.refresh_lock(wait)
    await asyncio.to_thread(lock.acquire)
    try:
        return await Refresh(host).run(feed_ids, on_result, fetcher, fulltext, automatic, on_fetch)
    finally:
        lock.release()


class Refresh:
    """One refresh of some feeds, under the library's refresh lock."""

    def __init__(self, host: RefreshHost) -> None:
        self.host = host
        self.store_lock = asyncio.Lock()
        self.backlog = Backlog()
        self.parser = Parser()

    async def run(
        self,
        feed_ids: Sequence[int] | None,
        on_result: OnResult | None,
        fetcher: Any,
        fulltext: bool,
        automatic: bool,
        on_fetch: OnFetch | None = None,
    ) -> RefreshSummary:
        from reader.core._fetch import Fetcher, FetchLimits

        summary = RefreshSummary()
        feeds = feeds_to_refresh(self.host, feed_ids, automatic, summary)

        async def refresh_one(client: Any, feed: Feed) -> None:
            result = await self.refresh_feed(client, feed, on_fetch, len(feeds))
            summary.results.append(result)
            if on_result is not None:
                on_result(result, len(summary.results), len(feeds))

        async def run(client: Any) -> None:
            # Feeds never fetched have no validators: each will send a body to parse.
            first_fetches = sum(1 for feed in feeds if feed.last_success is None)
            warm = first_fetches >= PARALLEL_PARSE_MIN_FEEDS
            with open_parse_pool(len(feeds), warm=warm) as pool:
                self.parser = Parser(pool, warm=warm)
                await asyncio.gather(*(refresh_one(client, feed) for feed in feeds))
            if fulltext:
                summary.full_texts = await complete_pending(self.host, client, self.store_lock)

        if fetcher is not None:  # the caller owns its lifetime
            await run(fetcher)
        else:
            config = self.host.config
            limits = FetchLimits(max_connections=config.max_connections, per_host=config.per_host)
            async with Fetcher(limits) as client:
                await run(client)
        await asyncio.to_thread(self.host.prune)
        return summary

    async def fetch(
        self, fetcher: Any, feed: Feed, on_fetch: OnFetch | None = None, total: int = 0
    ) -> FetchResult:
        from reader.core.samples import is_sample_url, read_sample

        if on_fetch is not None:
            on_fetch(feed, total)
        if is_sample_url(feed.url):
            try:
                return FetchResult(url=feed.url, status=200, body=read_sample(feed.url))
            except BroadsheetError as error:
                return FetchResult(url=feed.url, error=str(error))
        result: FetchResult = await fetcher.fetch(
            feed.url,
            etag=feed.etag,
            last_modified=feed.last_modified,
            wait_for_room=self.backlog.wait_for_room,
        )
        return result

    async def refresh_feed(
        self, fetcher: Any, feed: Feed, on_fetch: OnFetch | None = None, total: int = 0
    ) -> FeedRefreshResult:
        result = FeedRefreshResult(feed_id=feed.id, url=feed.url)
        fetched = await self.fetch(fetcher, feed, on_fetch, total)
        if fetched.error or fetched.body is None and not fetched.not_modified:
            result.error = fetched.error or "empty response"
        elif fetched.not_modified:
            result.not_modified = True
        else:
            async with self.backlog.holding(len(fetched.body or b"")):
                if await self.parse_and_store(feed, fetched, result):
                    return result
        async with self.store_lock:
            await asyncio.to_thread(record_outcome, self.host, feed, fetched, result)
        return result

    async def parse_and_store(
        self, feed: Feed, fetched: FetchResult, result: FeedRefreshResult
    ) -> bool:
        """Store a fetched body's entries; False when there was nothing to store (the
        same body as last time, or one that does not parse: the result says which)."""
        assert fetched.body is not None
        body_hash = hashlib.sha256(fetched.body).hexdigest()
        if body_hash == _ingest.body_hash(self.host.db.connection(), feed.id):
            result.not_modified = True
            return False
        try:
            parsed, prepared = await self.parser.parse(fetched)
        except FeedParseError as error:
            result.error = str(error)
            return False
        async with self.store_lock:
            await asyncio.to_thread(
                store_feed, self.host, feed, parsed, prepared, fetched, body_hash, result
            )
        return True


def record_outcome(
    host: RefreshHost, feed: Feed, fetched: FetchResult, result: FeedRefreshResult
) -> None:
    """Store what a fetch that produced no new entries taught us about the feed."""
    stamp = _storage.now()
    db = host.db.connection()
    with relaxed_sync(db), transaction(db):
        if result.error:
            retry_until = stamp + (
                fetched.retry_after or _backoff(_ingest.error_count(db, feed.id))
            )
            _ingest.feed_failed(
                db, feed.id, result.error, stamp, retry_until, bool(fetched.retry_after),
                fetched.gone,
            )  # fmt: skip
        else:
            _ingest.feed_unchanged(db, feed.id, fetched, stamp)


def store_feed(
    host: RefreshHost,
    feed: Feed,
    parsed: ParsedFeed,
    prepared: list[PreparedEntry],
    fetched: FetchResult,
    body_hash: str,
    result: FeedRefreshResult,
) -> None:
    """Store one parsed feed in one transaction: all its new entries or none."""
    stamp = _storage.now()
    pairs = list(zip(parsed.entries, prepared, strict=True))
    updated: list[int] = []
    new_rows: list[tuple[Any, ...]] = []
    db = host.db.connection()
    with relaxed_sync(db), transaction(db):
        feed_title = parsed.title or feed.title
        known = _ingest.KnownEntries.read(db, feed.id, parsed.entries)
        for entry, extras in pairs:
            if entry.key in known.tombstoned:
                continue
            existing = known.existing.get(entry.key)
            if existing is None:
                full_text = needs_full_text(feed.fulltext, entry, extras)
                original = known.by_link.get(entry.link) if entry.link else None
                new_rows.append(
                    new_row(feed, feed_title, entry, extras, full_text, original, stamp)
                )
                result.duplicates += original is not None
            elif existing[1] != extras.content_hash:
                _ingest.update_entry(db, existing[0], entry, extras.content_hash, stamp)
                updated.append(existing[0])
        _ingest.insert_articles(db, new_rows)
        result.new, result.updated = len(new_rows), len(updated)
        new_url = _adoptable_url(db, feed, fetched)
        _ingest.feed_stored(
            db, feed.id, parsed.title or None, parsed.site_url, fetched, body_hash, new_url, stamp
        )
        if new_url != feed.url:
            result.url = new_url
    # A corrected article is cleaned at once so its highlights re-anchor on the old text.
    host.reclean(updated, strict=False)


def _adoptable_url(db: Any, feed: Feed, fetched: FetchResult) -> str:
    """After a permanent redirect whose target parsed, adopt the new URL (if free)."""
    target = fetched.permanent_redirect
    if not target or target == feed.url:
        return feed.url
    return feed.url if _ingest.url_taken(db, target) else target


def _backoff(failures: int) -> float:
    """Exponential back-off with jitter, so failing feeds (404, 5xx, a Retry-After we
    could not read) are not hammered and many feeds do not retry in lockstep."""
    delay = min(BACKOFF_MAX, BACKOFF_BASE * 2 ** min(failures, 16))
    return delay * random.uniform(0.8, 1.2)
