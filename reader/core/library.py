"""The public face of the core: a :class:`Library` of feeds and articles.

The CLI, the UI and tests talk to this class only. It holds no SQL: it wires the
services below it — ``_storage`` (all SQL), ``_refresh`` (fetch → parse → store),
``cleaning`` and ``annotations`` — and keeps two hook lists that code above it
registers on (auto-export listens to ``change_hooks``; re-anchoring highlights
listens to ``text_hooks``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.core import _storage
from reader.core._lock import RefreshLock
from reader.core._refresh.after import AfterRefresh, refresh_and_settle, sync_and_settle
from reader.core._refresh.subscribe import normalize_feed_url, refuse_existing, subscribe
from reader.core._storage import Database
from reader.core._storage import articles as _articles
from reader.core._storage import exchange as _exchange
from reader.core._storage import feeds as _feeds
from reader.core._storage import search as _search
from reader.core._storage.rows import article_from_row
from reader.core.cleaning import CLEANER_VERSION, Cleaning, TextChanged
from reader.core.config import Config, config_dir, data_dir, load_config
from reader.core.errors import BroadsheetError, LibraryError, NotFoundError, missing_articles
from reader.core.models import (
    Article,
    ArticleQuery,
    ArticleSummary,
    Feed,
    RefreshSummary,
    SearchHit,
    find_feed,
)
from reader.core.sanitize import clean_line, clean_tags
from reader.core.search import parse_query
from reader.core.sync.accounts import AccountStatus
from reader.core.sync.accounts import status as account_status
from reader.core.sync.service import has_account, refuse_unfetchable, sync_library

if TYPE_CHECKING:
    from reader.core._refresh.pipeline import OnFetch, OnResult
    from reader.core.annotations import Annotations

# An article changed in a way an export of it would show (saved, tags, annotations).
ArticleChanged = Callable[[int], None]


class Library:
    """A reading library: one SQLite database plus the user's configuration."""

    def __init__(self, data_path: Path, config: Config, *, read_only: bool = False) -> None:
        self.data_dir = data_path
        self.config = config
        self.db = Database(data_path / _storage.DB_NAME, read_only=read_only)
        self.change_hooks: list[ArticleChanged] = []
        self.text_hooks: list[TextChanged] = [self._reanchor]
        self.cleaning = Cleaning(self.db.connection, config, self.text_hooks)

    # -- opening ---------------------------------------------------------------

    @classmethod
    def open(
        cls,
        data_dir_path: Path | str | None = None,
        *,
        config_dir_path: Path | str | None = None,
        samples: bool = True,
        read_only: bool = False,
    ) -> Library:
        config = load_config(config_dir(config_dir_path))
        library = cls(data_dir(data_dir_path), config, read_only=read_only)
        if not read_only:
            library._first_run(samples)
        return library

    def _first_run(self, samples: bool) -> None:
        if self.get_state("initialised") is not None:
            return
        from reader.core.samples import sample_feed_urls  # only now (importlib.resources)

        for url in sample_feed_urls() if samples else ():
            # Their links are illustrative: reading them must never touch the network.
            self.set_feed_fulltext(self.add_feed(url, tags=("samples",)).id, "never")
        self.set_state("initialised", "1")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def _db(self) -> sqlite3.Connection:
        return self.db.connection()

    def data_version(self) -> int:
        """Changes whenever another connection commits: poll it to see external writes."""
        return _feeds.data_version(self._db)

    def notify_changed(self, article_id: int) -> None:
        """Tell the change hooks an article changed (auto-export keeps its files)."""
        for hook in self.change_hooks:
            hook(article_id)

    def annotations(self) -> Annotations:
        """The highlights and notes of this library (cheap: holds no state)."""
        from reader.core.annotations import Annotations  # not needed at start-up

        return Annotations(self)

    def _reanchor(self, article_id: int, old_text: str, new_text: str) -> None:
        """The canonical text changed: move highlights with it, or orphan them."""
        self.annotations().reanchor(article_id, old_text, new_text)

    # -- app state -------------------------------------------------------------

    def get_state(self, key: str, default: str | None = None) -> str | None:
        value = _feeds.get_state(self._db, key)
        return default if value is None else value

    def set_state(self, key: str, value: str) -> None:
        _feeds.set_state(self._db, key, value)

    # -- feeds -----------------------------------------------------------------

    def feeds(self) -> list[Feed]:
        return _feeds.feeds(self._db)

    def feed(self, feed_id: int) -> Feed:
        found = _feeds.feeds(self._db, feed_id)
        if not found:
            raise NotFoundError(f"no feed with id {feed_id}")
        return found[0]

    def resolve_feed(self, reference: str) -> Feed:
        """A feed by id, URL or exact (case-insensitive) title."""
        return find_feed(self.feeds(), reference)

    def add_feed(self, url: str, *, title: str | None = None, tags: Sequence[str] = ()) -> Feed:
        """Subscribe to ``url`` without fetching it."""
        url = normalize_feed_url(url)
        title = clean_line(title) or None
        return self.feed(_feeds.add_feed(self._db, url, title, clean_tags(tags), _storage.now()))

    def feed_by_url(self, url: str) -> Feed | None:
        """The subscribed feed with this (normalized) address, if any."""
        feed_id = _feeds.feed_id_by_url(self._db, normalize_feed_url(url))
        return None if feed_id is None else self.feed(feed_id)

    async def subscribe(
        self, url: str, *, title: str | None = None, tags: Sequence[str] = (), fetcher: Any = None
    ) -> Feed:
        """Subscribe to a feed URL or a site's home page (autodiscovery), storing the
        entries of that one fetch. One rule for every address: a feed that cannot be
        fetched or read as a feed is refused and nothing is subscribed; a feed already
        in the library raises ``AlreadySubscribedError`` naming it."""
        if has_account(self._db):  # the server fetches it (and finds a page's feed)
            refuse_unfetchable(url, normalize_feed_url(url))
            refuse_existing(self.feed_by_url(url))
            return self.add_feed(url, title=title, tags=tags)
        return await subscribe(self, url, title, tags, fetcher, self.feed_by_url)

    def remove_feed(self, feed_id: int) -> None:
        """Unsubscribe. Saved, tagged and annotated articles stay, detached from the feed
        (the same articles retention never prunes)."""
        self.feed(feed_id)
        _feeds.remove_feed(self._db, feed_id, _storage.now())

    def rename_feed(self, feed_id: int, title: str) -> None:
        self.feed(feed_id)
        _feeds.rename_feed(self._db, feed_id, clean_line(title) or None, _storage.now())

    def pending_full_texts(self) -> int:
        """Summary-only articles whose story pages later refreshes will fetch."""
        return _articles.pending_full_texts(self._db)

    def set_feed_fulltext(self, feed_id: int, mode: str) -> None:
        if mode not in ("auto", "always", "never"):
            raise BroadsheetError("full-text mode must be auto, always or never")
        self.feed(feed_id)
        _feeds.set_fulltext(self._db, feed_id, mode)

    # -- article lists ---------------------------------------------------------

    def count_articles(self, query: ArticleQuery) -> int:
        return _articles.count(self._db, query)

    def article_page(self, query: ArticleQuery, offset: int, limit: int) -> list[ArticleSummary]:
        """Newest first; a story reached through several feeds (same link) appears once."""
        return _articles.page(self._db, query, offset, limit)

    def article_position(self, query: ArticleQuery, article_id: int) -> int | None:
        """The row index of an article in a view, or None if it is not in it."""
        return _articles.position(self._db, query, article_id)

    def next_unread(
        self, query: ArticleQuery, after_article_id: int | None, *, backwards: bool = False
    ) -> ArticleSummary | None:
        """The next unread article after (older than) the given one, or before it if backwards."""
        return _articles.next_unread(self._db, query, after_article_id, backwards)

    def article_ids(self, query: ArticleQuery) -> list[int]:
        return _articles.ids(self._db, query)

    # -- one article -----------------------------------------------------------

    def article(self, article_id: int) -> Article:
        row = _articles.article_row(self._db, article_id)
        if row is None:
            raise NotFoundError(f"no article with id {article_id}")
        if row["cleaned_text"] is None or row["cleaner_version"] != CLEANER_VERSION:
            self.reclean([article_id], strict=False)  # readable whatever the rules
            return self.article(article_id)
        return article_from_row(row)

    def article_feed_url(self, article_id: int) -> str | None:
        """The address of the feed an article came from (kept after unsubscribing)."""
        return _articles.feed_url(self._db, article_id)

    def is_saved(self, article_id: int) -> bool:
        return _articles.is_saved(self._db, article_id)

    def require_articles(self, article_ids: Iterable[int]) -> None:
        """Raise NotFoundError naming every id the library does not hold. Commands that
        take several ids call this first, so they change all of them or none."""
        ids = sorted(set(article_ids))
        found = _articles.existing(self._db, ids)
        missing_articles(article_id for article_id in ids if article_id not in found)

    def import_article(
        self, columns: dict[str, Any], *, saved: bool, read: bool, tags: Sequence[str]
    ) -> tuple[int, str]:
        """Restore an exported article (see ``export.import_library``): its id and
        "added", "updated" or "unchanged"."""
        return _exchange.import_article(
            self._db, columns, saved=saved, read=read, tags=tags, stamp=_storage.now()
        )

    def mark_read(self, article_ids: Sequence[int], read: bool = True) -> None:
        """Mark articles (and their same-link duplicates in other feeds) read or unread:
        all of them, or none if any id is unknown. Marking read again renews read_at,
        which retention counts from."""
        self.require_articles(article_ids)
        _articles.mark_read(self._db, article_ids, read, _storage.now() if read else None)

    def mark_query_read(self, query: ArticleQuery) -> list[int]:
        """Mark every unread article of a view read (with its copies in other feeds);
        returns the ids it changed, so ``mark_read(ids, False)`` undoes it exactly."""
        return _articles.mark_query_read(self._db, query, _storage.now())

    def set_saved(self, article_id: int, saved: bool) -> None:
        self.save_articles([article_id], saved)

    def save_articles(self, article_ids: Sequence[int], saved: bool = True) -> None:
        """Save (or unsave) all the given articles, or none if any id is unknown."""
        self.require_articles(article_ids)
        _articles.save(self._db, article_ids, saved, _storage.now() if saved else None)
        for article_id in article_ids:
            self.notify_changed(article_id)

    def set_reading_position(self, article_id: int, position: int) -> None:
        _articles.set_reading_position(self._db, article_id, position)

    # -- tags ------------------------------------------------------------------

    def tag_article(self, article_id: int, tags: Sequence[str]) -> None:
        _articles.sort_key(self._db, article_id)
        _articles.tag(self._db, article_id, clean_tags(tags))
        self.notify_changed(article_id)

    def untag_article(self, article_id: int, tags: Sequence[str]) -> None:
        _articles.sort_key(self._db, article_id)
        _articles.untag(self._db, article_id, clean_tags(tags))
        self.notify_changed(article_id)

    def tag_feed(self, feed_id: int, tags: Sequence[str]) -> None:
        self.feed(feed_id)
        _feeds.tag_feed(self._db, feed_id, clean_tags(tags))

    def untag_feed(self, feed_id: int, tags: Sequence[str]) -> None:
        self.feed(feed_id)
        _feeds.untag_feed(self._db, feed_id, clean_tags(tags))

    def tags(self, *, unread_only: bool = False) -> list[tuple[str, int]]:
        """Every tag (on articles or feeds) with the number of articles it selects
        (of those, the unread ones: the sidebar counts unread, as it does for feeds)."""
        return _articles.tag_counts(self._db, unread_only)

    # -- search ----------------------------------------------------------------

    def search(
        self, text: str, *, limit: int = 50, offset: int = 0, order: str = "best"
    ) -> list[SearchHit]:
        """Full-text search in our query language (see reader.core.search); never raises
        on user input. Matches titles, article text, highlights and notes."""
        return _search.search(self._db, parse_query(text), limit, offset, order)

    # -- retention -------------------------------------------------------------

    def prune(self, *, older_than_days: int | None = None, now: float | None = None) -> int:
        """Delete read articles nobody kept, once ``retention_days`` have passed since
        they were fetched or last read (whichever is later) — never by publication date,
        so reading an old story does not delete it. Never pruned: unread, saved, tagged
        or annotated articles, articles of removed feeds, the article open in the reader,
        and a story while any feed's copy of it is kept. Each pruned article leaves a
        tombstone, so a feed that still lists it cannot bring it back as new."""
        days = self.config.retention_days if older_than_days is None else older_than_days
        if days <= 0:
            return 0
        cutoff = (now or _storage.now()) - days * 86400
        open_id = int(self.get_state("last_article") or 0)
        return _articles.prune(self._db, cutoff, open_id, _storage.now())

    # -- cleaning --------------------------------------------------------------

    def on_cleaning_problem(self, hook: Callable[[str], None]) -> None:
        """``hook`` is told once when cleaning sets a broken rules file aside."""
        self.cleaning.problem_hooks.append(hook)

    def reclean(self, article_ids: Iterable[int] | None = None, *, strict: bool = True) -> int:
        """Re-clean stored raw content (all when ids is None); ``strict``: Cleaning.rules."""
        return self.cleaning.reclean(article_ids, strict=strict)

    def clean_pending(self, *, limit: int | None = None) -> int:
        """Clean articles that refresh stored uncleaned (or that an older cleaner did)."""
        return self.cleaning.clean_pending(limit=limit)

    def tidy_search_index(self, *, pages_per_step: int = 2000, max_steps: int = 10_000) -> int:
        """Merge the search index's segments, a short transaction at a time."""
        return self.cleaning.tidy_search_index(pages_per_step=pages_per_step, max_steps=max_steps)

    # -- refresh ---------------------------------------------------------------

    def sync_status(self) -> AccountStatus | None:
        """The feed server account (reader.core.sync), its last sync and pending changes."""
        return account_status(self._db)

    def sync(self, *, on_result: OnResult | None = None, wait: float = 0.0) -> RefreshSummary:
        """One sync with the feed server account, no event loop (reader.core.sync.service)."""
        return sync_library(self, on_result, wait)

    def refresh_lock(self, wait: float = 0.0) -> RefreshLock:
        return RefreshLock(self.data_dir / "refresh.lock", wait=wait)

    async def refresh(
        self,
        feed_ids: Sequence[int] | None = None,
        *,
        on_result: OnResult | None = None,
        fetcher: Any = None,
        wait: float = 0.0,
        fulltext: bool = True,
        automatic: bool = False,
        on_fetch: OnFetch | None = None,
    ) -> RefreshSummary:
        """Fetch, parse and store the given feeds (all active feeds when None), then fetch
        the story pages of summary-only articles (per-feed full-text mode). An
        ``automatic`` refresh (nobody asked: start-up, a timer) skips feeds in back-off.
        A library with an account syncs with its server instead (reader.core.sync)."""
        import asyncio

        if has_account(self._db):  # the server fetches the feeds: sync instead
            return await asyncio.to_thread(self.sync, on_result=on_result, wait=wait)
        from reader.core._refresh.pipeline import refresh_locked

        return await refresh_locked(
            self, feed_ids, on_result, fetcher, wait, fulltext, automatic, on_fetch
        )

    def refresh_sync(self, feed_ids: Sequence[int] | None = None, **options: Any) -> RefreshSummary:
        """:meth:`refresh` from code without an event loop (scripts, tests)."""
        import asyncio

        return asyncio.run(self.refresh(feed_ids, **options))

    async def complete_full_texts(self, *, fetcher: Any = None) -> int:
        """Fetch the story pages of summary-only articles that refresh marked pending.
        Separate from refresh so a refresh is done as soon as its articles are stored."""
        from reader.core._refresh.fulltext import complete_full_texts

        return await complete_full_texts(self, fetcher)


__all__ = [
    "AfterRefresh",
    "ArticleQuery",
    "Library",
    "LibraryError",
    "refresh_and_settle",
    "sync_and_settle",
]
