"""One sync with a feed server, whatever its protocol:

1. push the queue of local changes, in order; a change leaves the queue only once the
   server accepted it (every call is idempotent, so a change sent twice after a crash
   is harmless);
2. pull subscriptions: new remote feeds become local feeds, folders feed tags, feeds
   gone from the server are unsubscribed here (keeping saved, tagged and annotated
   articles, as a local unsubscribe does);
3. pull new items, page by page, each page stored in one transaction through the
   refresh's own row builder and INSERT (the cleaner and full-text completion follow,
   as after a refresh);
4. take the server's read and starred state, except for articles with a change not
   sent yet: the local change wins. Starred is saved, and saved is never pruned.

A killed sync leaves every page it stored linked to the server's ids, so the next one
neither loses nor duplicates anything; the high-water mark moves only at the end.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reader.core import _storage
from reader.core._storage import feeds as _feeds
from reader.core._storage import ingest as _ingest
from reader.core._storage import relaxed_sync, transaction
from reader.core._storage import sync as _sync
from reader.core.models import Feed, FeedRefreshResult, ParsedEntry, RefreshSummary
from reader.core.sanitize import clean_line
from reader.core.sync.backend import RemoteFeed, RemoteItem, SyncBackend, SyncError

if TYPE_CHECKING:
    from reader.core._refresh.host import RefreshHost
    from reader.core._refresh.prepare import PreparedEntry

# Items whose crawl time is this close to the last sync's high-water mark are asked
# for again: a server may store an item crawled just before the mark a little later.
# Seen items are recognised by their server id and skipped.
OVERLAP_SECONDS = 120.0
PUSH_BATCH = 500

OnResult = Callable[[FeedRefreshResult, int, int], None]


@dataclass(slots=True)
class SyncReport:
    pushed: int = 0
    rejected: int = 0  # queued changes the server refused for good (dropped, reported)
    feeds_added: int = 0
    feeds_removed: int = 0
    read_changes: int = 0
    saved_changes: int = 0


class SyncEngine:
    def __init__(self, host: RefreshHost, backend: SyncBackend) -> None:
        self.host = host
        self.backend = backend
        self.report = SyncReport()
        self.summary = RefreshSummary()
        self._results: dict[int, FeedRefreshResult] = {}

    @property
    def db(self) -> Any:
        return self.host.db.connection()

    def run(self, on_result: OnResult | None = None) -> RefreshSummary:
        # What a power cut could lose here the next sync brings again (a change sent
        # twice is harmless); the queue itself is written by user actions, durably.
        with relaxed_sync(self.db):
            return self._run(on_result)

    def _run(self, on_result: OnResult | None) -> RefreshSummary:
        started = _storage.now()
        self.push()
        feeds = self.pull_subscriptions()
        since = _since(_sync.get_state(self.db, "high_water"))
        # The first sync takes the newest items only (a server may keep years of them);
        # starred ones come whatever their age (fetch_missing_starred).
        limit = None if since is not None else self.host.config.sync_initial_items or None
        high_water = self.pull_items(feeds, since, limit)
        self.push()  # what adopted articles queued (read or saved here before the account)
        self.reconcile()
        self.fetch_missing_starred(feeds)
        _sync.set_state(
            self.db,
            {"last_sync": repr(started), "high_water": repr(high_water or started)},
        )
        _sync.feeds_synced(self.db, [feed.id for feed in feeds.values()], started)
        self.host.prune()
        for feed in feeds.values():  # every synced feed is counted, as a refresh counts
            result = self._result(feed)
            result.not_modified = not (result.new or result.updated or result.error)
        self.summary.results = list(self._results.values())
        if on_result is not None:
            for done, result in enumerate(self.summary.results, 1):
                on_result(result, done, len(self.summary.results))
        return self.summary

    # -- 1. push --------------------------------------------------------------------

    def push(self) -> None:
        while changes := _sync.queue_head(self.db, PUSH_BATCH):
            for run in _runs(changes):
                self._send(run)
                _sync.delete_changes(self.db, [change.seq for change in run])
                self.report.pushed += len(run)

    def _send(self, run: list[_sync.QueuedChange]) -> None:
        kind = run[0].kind
        ids = [change.target for change in run]
        if kind in ("read", "unread"):
            self.backend.mark_read(ids, kind == "read")
        elif kind in ("save", "unsave"):
            self.backend.mark_starred(ids, kind == "save")
        else:
            for change in run:
                self._send_feed_change(change)

    def _send_feed_change(self, change: _sync.QueuedChange) -> None:
        url, payload = change.target, change.payload
        try:
            if change.kind == "subscribe":
                remote = self.backend.subscribe(
                    url, title=payload.get("title"), folder=payload.get("folder")
                )
                _sync.link_subscribed(self.db, url, remote.id)
                return
            remote_id = payload.get("remote_id") or _sync.remote_feed_id(self.db, url)
            if remote_id is None:  # never reached the server: nothing to undo there
                return
            if change.kind == "unsubscribe":
                self.backend.unsubscribe(remote_id)
            else:
                self.backend.rename(remote_id, payload.get("title") or url)
        except SyncError as error:
            if error.kind != "rejected":
                raise
            # Refused for good (the server cannot fetch that feed): dropped, and said.
            self.report.rejected += 1
            feed_id = _feeds.feed_id_by_url(self.db, url) or 0
            result = FeedRefreshResult(feed_id=feed_id, url=url)
            result.error = f"the server refused to {change.kind}: {error}"
            self._results[feed_id or -change.seq] = result

    # -- 2. subscriptions -------------------------------------------------------------

    def pull_subscriptions(self) -> dict[str, Feed]:
        """Make the local feeds match the server's; returns remote feed id -> local feed."""
        remote = self.backend.subscriptions()
        before = _sync.feed_links(self.db)
        stamp = _storage.now()
        ids = _sync.link_feeds(self.db, [self._link(feed) for feed in remote], stamp)
        linked = dict(zip((feed.id for feed in remote), ids, strict=True))
        self.report.feeds_added += sum(1 for feed in remote if feed.id not in before)
        for remote_id, (feed_id, _) in before.items():
            if remote_id not in linked and not _pending_subscribe(self, feed_id):
                _feeds.remove_feed(self.db, feed_id, stamp, tell_server=False)
                self.report.feeds_removed += 1
        local = {feed.id: feed for feed in self.host.feeds()}
        return {
            remote_id: local[feed_id] for remote_id, feed_id in linked.items() if feed_id in local
        }

    def _link(self, feed: RemoteFeed) -> _sync.FeedLink:
        folders = [folder for folder in (clean_line(f, limit=100) for f in feed.folders) if folder]
        return _sync.FeedLink(
            remote_id=feed.id,
            url=feed.url,
            title=clean_line(feed.title) or None,
            site_url=feed.site_url,
            folders=folders,
            keep_title=_sync.has_queued(self.db, "rename", feed.url),
        )

    # -- 3. items ------------------------------------------------------------------

    def pull_items(
        self, feeds: dict[str, Feed], since: float | None, limit: int | None = None
    ) -> float | None:
        """Store new items page by page (at most ``limit``, newest first); returns the
        server's clock at the start (the next sync's high-water mark) when the backend
        tells it."""
        orphans: list[RemoteItem] = []
        for page in self.backend.items(since=since, limit=limit):
            orphans += self.store_page(page, feeds)
        if orphans:  # a feed subscribed on the server while this sync ran: list it again
            feeds.update(self.pull_subscriptions())
            self.store_page(orphans, feeds)
        server_time = getattr(self.backend, "server_time", None)
        return float(server_time) if server_time else None

    def store_page(self, items: list[RemoteItem], feeds: dict[str, Feed]) -> list[RemoteItem]:
        """Store one page in one transaction; returns the items of feeds not known yet."""
        # Imported with the first page: a sync that brings nothing never needs it.
        from reader.core._refresh.prepare import prepare_entry

        stamp = _storage.now()
        orphans = []
        db = self.db
        updated: list[int] = []
        with transaction(db):
            known = _sync.linked_items(db, [item.id for item in items])
            fresh: dict[int, list[tuple[RemoteItem, ParsedEntry, PreparedEntry]]] = defaultdict(
                list
            )
            for item in items:
                feed = feeds.get(item.feed_id)
                if feed is None:
                    orphans.append(item)
                    continue
                entry = _entry(item)
                prepared = prepare_entry(entry)
                existing = known.get(item.id)
                if existing is None:
                    fresh[feed.id].append((item, entry, prepared))
                elif existing[1] != prepared.content_hash:
                    _ingest.update_entry(db, existing[0], entry, prepared.content_hash, stamp)
                    updated.append(existing[0])
                    self._result(feed).updated += 1
            by_id = {feed.id: feed for feed in feeds.values()}
            for feed_id, group in fresh.items():
                self._store_new(db, by_id[feed_id], group, stamp)
        self.host.reclean(updated, strict=False)
        return orphans

    def _store_new(
        self,
        db: Any,
        feed: Feed,
        group: list[tuple[RemoteItem, ParsedEntry, PreparedEntry]],
        stamp: float,
    ) -> None:
        from reader.core._refresh.prepare import needs_full_text, new_row

        entries = [entry for _, entry, _ in group]
        known = _ingest.KnownEntries.read(db, feed.id, entries)
        adoptable = _sync.unlinked_by_link(db, feed.id, [e.link for e in entries if e.link])
        rows: list[tuple[Any, ...]] = []
        new_items: list[RemoteItem] = []
        adopted: list[tuple[int, str, bool, bool]] = []
        used: set[str] = set()
        for item, entry, prepared in group:
            if entry.key in known.tombstoned and not item.starred:
                continue  # pruned here after it was read: not new
            local = known.existing.get(entry.key)
            local_id = local[0] if local else adoptable.get(entry.link or "")
            if local_id is not None and not _sync.is_linked(db, local_id):
                # fetched here before the account: linked, and what was done to it here kept
                adopted.append((local_id, item.id, item.read, item.starred))
                continue
            if entry.key in used or local_id is not None:
                entry.key = f"remote:{item.id}"
            used.add(entry.key)
            original = known.by_link.get(entry.link) if entry.link else None
            row = list(new_row(feed, feed.title, entry, prepared,
                               needs_full_text(feed.fulltext, entry, prepared), original, stamp))  # fmt: skip
            row[-2:] = [int(item.read), stamp if item.read else None]
            rows.append(tuple(row))
            new_items.append(item)
        ids = _ingest.insert_articles(db, rows)
        linked = [(local_id, remote_id) for local_id, remote_id, _, _ in adopted]
        _sync.link_items(db, [*linked, *zip(ids, (item.id for item in new_items), strict=True)])
        _sync.queue_adopted_state(db, adopted, stamp)
        _sync.save_new(
            db, [i for i, item in zip(ids, new_items, strict=True) if item.starred], stamp
        )
        result = self._result(feed)
        result.new += len(ids)
        result.duplicates += sum(1 for row in rows if row[7] is not None)

    def _result(self, feed: Feed) -> FeedRefreshResult:
        if feed.id not in self._results:
            self._results[feed.id] = FeedRefreshResult(feed_id=feed.id, url=feed.url)
        return self._results[feed.id]

    # -- 4. read and starred -----------------------------------------------------------

    def reconcile(self) -> None:
        unread = self.backend.unread_ids()
        starred = self.backend.starred_ids()
        self._starred = starred
        listed = "\n".join([*sorted(unread), "", *sorted(starred)])  # ids hold no newline
        digest = hashlib.sha256(listed.encode()).hexdigest()
        # Nothing changed on either side since the last reconcile: the same answer.
        unchanged = (
            digest == _sync.get_state(self.db, "state_digest")
            and not self.report.pushed
            and not any(r.new or r.updated for r in self._results.values())
            and not _sync.queued_item_targets(self.db)
        )
        if not unchanged:
            changes = _sync.reconcile(self.db, unread, starred, _storage.now())
            self.report.read_changes, self.report.saved_changes = changes
            _sync.set_state(self.db, {"state_digest": digest})

    def fetch_missing_starred(self, feeds: dict[str, Feed]) -> None:
        """Items starred on the server that the library does not hold (older than the
        first sync, or pruned here) are fetched: a starred item is always kept."""
        fetch = getattr(self.backend, "items_by_id", None)
        missing = _sync.missing_items(self.db, getattr(self, "_starred", set()))
        if fetch is None or not missing:
            return
        for page in fetch(missing):
            self.store_page(page, feeds)


def _runs(changes: list[_sync.QueuedChange]) -> list[list[_sync.QueuedChange]]:
    """Consecutive changes of one kind, sent in one call (order across kinds is kept)."""
    runs: list[list[_sync.QueuedChange]] = []
    for change in changes:
        if runs and runs[-1][0].kind == change.kind and change.kind in _sync.ITEM_KINDS:
            runs[-1].append(change)
        else:
            runs.append([change])
    return runs


def _pending_subscribe(engine: SyncEngine, feed_id: int) -> bool:
    """Subscribed here while this sync ran: not yet on the server, not gone from it."""
    feed = _feeds.feeds(engine.db, feed_id)
    return bool(feed) and _sync.has_queued(engine.db, "subscribe", feed[0].url)


def _since(high_water: str | None) -> float | None:
    return None if high_water is None else float(high_water) - OVERLAP_SECONDS


def _entry(item: RemoteItem) -> ParsedEntry:
    """A server's item as the refresh pipeline's entry: the same row builder, cleaner
    and full-text rule apply. Its key is the feed's own guid or link when the server
    says it (so an article fetched here before the account is recognised)."""
    key = item.guid or item.link or f"remote:{item.id}"
    return ParsedEntry(
        key=key,
        title=clean_line(item.title, limit=1000) or "(untitled)",
        link=item.link,
        author=clean_line(item.author or "") or None,
        published=item.published,
        content=item.content_html,
        content_type="html",
        categories=list(item.categories),
    )
