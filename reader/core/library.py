"""The public face of the core: a :class:`Library` of feeds and articles.

The CLI, the UI and tests talk to this class only; storage, fetching, parsing
and cleaning stay private modules behind it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import html
import json
import multiprocessing
import os
import random
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from reader.core import _storage
from reader.core._lock import RefreshLock
from reader.core._sql import tag_filter
from reader.core._storage import Database, relaxed_sync, transaction
from reader.core.config import Config, config_dir, data_dir, load_config
from reader.core.errors import (
    AlreadySubscribedError,
    BroadsheetError,
    FeedParseError,
    LibraryError,
    NotFoundError,
)
from reader.core.models import (
    Article,
    ArticleSummary,
    Block,
    CleanedArticle,
    Enclosure,
    Feed,
    FeedRefreshResult,
    FetchResult,
    ParsedEntry,
    ParsedFeed,
    RefreshSummary,
    Removal,
    SearchHit,
)
from reader.core.sanitize import clean_line, is_http_url, strip_controls, visible_url
from reader.core.search import (
    SearchQuery,
    feed_pattern,
    make_snippet,
    parse_query,
    term_pattern,
)

OnResult = Callable[[FeedRefreshResult, int, int], None]
OnFetch = Callable[[Feed, int], None]  # a feed's request is about to be sent; feeds in all

# Bump when the cleaner changes in a way that should re-clean stored articles.
# 0 marks text stored by refresh and not cleaned yet.
CLEANER_VERSION = 2
CLEAN_BATCH = 200
# Above this many matches, search lists newest first instead of ranking every match.
RANKED_SEARCH_LIMIT = 5000


@dataclass(frozen=True, slots=True)
class ArticleQuery:
    """Which articles a list shows."""

    feed_id: int | None = None
    unread_only: bool = False
    saved_only: bool = False
    tag: str | None = None

    def where(self) -> tuple[str, list[Any]]:
        """SQL over ``articles a``. A story reached through several feeds (same link) is
        listed in each of its feeds' views, and once everywhere else: the first copy that
        passes the other filters stands for the rest."""
        clauses: list[str] = []
        params: list[Any] = []
        filters, filter_params = self._filters("a")
        clauses += filters
        params += filter_params
        if self.feed_id is not None:
            clauses.append("a.feed_id = ?")
            params.append(self.feed_id)
        elif self.saved_only or self.tag is not None:
            # Saved state and tags belong to one copy: the view shows the first copy that
            # matches. Read state is shared by every copy, so the plain views need not.
            primary, primary_params = self._filters("p")
            clauses.append(
                "(a.duplicate_of IS NULL OR NOT EXISTS (SELECT 1 FROM articles p"
                f" WHERE p.id = a.duplicate_of AND {' AND '.join(primary)}))"
            )
            params += primary_params
        else:
            clauses.append("a.duplicate_of IS NULL")
        return " AND ".join(clauses) or "1", params

    def _filters(self, alias: str) -> tuple[list[str], list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if self.unread_only:
            clauses.append(f"{alias}.read = 0")
        if self.saved_only:
            clauses.append(f"{alias}.saved = 1")
        if self.tag is not None:
            clauses.append(tag_filter(alias))
            params += [self.tag, self.tag]
        return clauses, params


_FEED_COLUMNS = """
    f.id, f.url, coalesce(f.user_title, f.title, f.url) AS title, f.site_url, f.etag,
    f.last_modified, f.last_error, f.last_success, f.last_checked, f.status, f.fulltext
"""

_SUMMARY_COLUMNS = """
    a.id, a.feed_id, coalesce(f.user_title, f.title, a.feed_title) AS feed_title,
    a.title, a.link, a.published, a.read, a.saved
"""


def summary_from_row(row: sqlite3.Row, id_column: str = "id") -> ArticleSummary:
    return ArticleSummary(
        id=row[id_column],
        feed_id=row["feed_id"],
        feed_title=row["feed_title"] or "",
        title=row["title"],
        link=row["link"],
        published=row["published"],
        read=bool(row["read"]),
        saved=bool(row["saved"]),
    )


def normalize_feed_url(url: str) -> str:
    """Validate what a user typed as a feed address; raise a one-line error if unusable."""
    from reader.core.samples import is_sample_url

    url = strip_controls(url, keep_newlines=False).strip()
    if not url:
        raise BroadsheetError("empty feed URL")
    lowered = url.lower()
    if lowered.startswith(("http://", "https://")):
        if len(url.split("://", 1)[1].split("/", 1)[0]) == 0:
            raise BroadsheetError(f"not a valid URL: {url}")
        return url
    if is_sample_url(url) or lowered.startswith("file://"):
        return url
    if "://" in url or lowered.startswith(("exec:", "filter:", "|")):
        raise BroadsheetError(f"unsupported URL scheme (only http, https and local files): {url}")
    path = Path(url).expanduser()
    if not path.is_file():
        raise BroadsheetError(f"not a URL and no such file: {url}")
    return path.resolve().as_uri()


class Library:
    """A reading library: one SQLite database plus the user's configuration."""

    def __init__(self, data_path: Path, config: Config, *, read_only: bool = False) -> None:
        self.data_dir = data_path
        self.config = config
        self.db = Database(data_path / _storage.DB_NAME, read_only=read_only)
        self._parser_pool: concurrent.futures.Executor | None = None
        self._parser_warm = False

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
        if samples:
            from reader.core.samples import sample_feed_urls

            for url in sample_feed_urls():
                feed = self.add_feed(url, tags=("samples",))
                # Their links are illustrative: reading them must never touch the network.
                self.set_feed_fulltext(feed.id, "never")
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
        return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    # -- app state -------------------------------------------------------------

    def get_state(self, key: str, default: str | None = None) -> str | None:
        row = self._db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_state(self, key: str, value: str) -> None:
        with transaction(self._db) as db:
            db.execute(
                "INSERT INTO state (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # -- feeds -----------------------------------------------------------------

    def feeds(self) -> list[Feed]:
        return self._feeds()

    def _feeds(self, feed_id: int | None = None) -> list[Feed]:
        # One pass over a covering index counts every feed at once.
        scope = "" if feed_id is None else "AND feed_id = ?"
        params = [] if feed_id is None else [feed_id, feed_id]
        rows = self._db.execute(
            f"""WITH counts AS (
                SELECT feed_id, count(*) AS total,
                    sum(read = 0) AS unread
                FROM articles WHERE feed_id IS NOT NULL {scope} GROUP BY feed_id)
            SELECT {_FEED_COLUMNS}, coalesce(c.unread, 0) AS unread, coalesce(c.total, 0) AS total,
                (SELECT group_concat(tag, char(31)) FROM feed_tags t WHERE t.feed_id = f.id) AS tags
            FROM feeds f LEFT JOIN counts c ON c.feed_id = f.id
            {"" if feed_id is None else "WHERE f.id = ?"}
            ORDER BY lower(coalesce(f.user_title, f.title, f.url)), f.id""",
            params,
        ).fetchall()
        return [self._feed(row) for row in rows]

    def _feed(self, row: sqlite3.Row) -> Feed:
        keys = row.keys()
        tags = row["tags"] if "tags" in keys else None
        return Feed(
            id=row["id"],
            url=row["url"],
            title=row["title"],
            site_url=row["site_url"],
            etag=row["etag"],
            last_modified=row["last_modified"],
            last_error=row["last_error"],
            last_success=row["last_success"],
            last_checked=row["last_checked"],
            status=row["status"],
            fulltext=row["fulltext"],
            tags=tuple(sorted(tags.split("\x1f"))) if tags else (),
            unread=row["unread"] if "unread" in keys else 0,
            total=row["total"] if "total" in keys else 0,
        )

    def feed(self, feed_id: int) -> Feed:
        found = self._feeds(feed_id)
        if not found:
            raise NotFoundError(f"no feed with id {feed_id}")
        return found[0]

    def resolve_feed(self, reference: str) -> Feed:
        """A feed by id, URL or exact (case-insensitive) title."""
        feeds = self.feeds()
        for feed in feeds:
            if reference == str(feed.id) or reference == feed.url:
                return feed
        matches = [feed for feed in feeds if feed.title.lower() == reference.lower()]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise NotFoundError(f"several feeds are titled {reference!r}; use the id")
        raise NotFoundError(f"no feed {reference!r} (give an id, URL or title; see 'feeds')")

    def add_feed(self, url: str, *, title: str | None = None, tags: Sequence[str] = ()) -> Feed:
        """Subscribe to ``url`` without fetching it."""
        url = normalize_feed_url(url)
        with transaction(self._db) as db:
            row = db.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()
            if row:
                feed_id = row[0]
            else:
                feed_id = db.execute(
                    "INSERT INTO feeds (url, user_title, added_at) VALUES (?, ?, ?)",
                    (url, clean_line(title) or None, _storage.now()),
                ).lastrowid
            for tag in _storage.canonical_tags(db, _clean_tags(tags)):
                db.execute(
                    "INSERT OR IGNORE INTO feed_tags (feed_id, tag) VALUES (?, ?)", (feed_id, tag)
                )
        assert feed_id is not None
        return self.feed(feed_id)

    def feed_by_url(self, url: str) -> Feed | None:
        """The subscribed feed with this (normalized) address, if any."""
        url = normalize_feed_url(url)
        row = self._db.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()
        return self.feed(row[0]) if row else None

    def _refuse_existing(self, url: str) -> None:
        existing = self.feed_by_url(url)
        if existing is not None:
            raise AlreadySubscribedError(
                f"already subscribed to {clean_line(existing.title)} (feed {existing.id}, "
                f"{visible_url(existing.url)})",
                existing,
            )

    async def subscribe(
        self, url: str, *, title: str | None = None, tags: Sequence[str] = (), fetcher: Any = None
    ) -> Feed:
        """Subscribe to a feed URL or a site's home page (autodiscovery), storing the
        entries of that one fetch. One rule for every address: a feed that cannot be
        fetched or read as a feed is refused and nothing is subscribed; a feed already
        in the library raises ``AlreadySubscribedError`` naming it."""
        from reader.core._fetch import Fetcher, FetchLimits

        url = normalize_feed_url(url)
        self._refuse_existing(url)
        if fetcher is not None:
            return await self._subscribe(url, title, tags, fetcher)
        limits = FetchLimits(
            max_connections=self.config.max_connections, per_host=self.config.per_host
        )
        async with Fetcher(limits) as client:
            return await self._subscribe(url, title, tags, client)

    async def _subscribe(
        self, url: str, title: str | None, tags: Sequence[str], fetcher: Any
    ) -> Feed:
        from reader.core._discover import looks_like_feed

        fetched = await self._fetch_to_subscribe(url, fetcher)
        assert fetched.body is not None
        if is_http_url(url) and not looks_like_feed(fetched.body, fetched.content_type):
            url = self._discovered_feed(url, fetched)
            self._refuse_existing(url)
            fetched = await self._fetch_to_subscribe(url, fetcher)
        try:
            parsed, prepared = await self._parse(fetched)
        except FeedParseError as error:
            raise BroadsheetError(f"cannot subscribe to {visible_url(url)}: {error}") from None
        feed = self.add_feed(url, title=title, tags=tags)
        result = FeedRefreshResult(feed_id=feed.id, url=feed.url)
        assert fetched.body is not None
        lock = self.refresh_lock(30.0)
        await asyncio.to_thread(lock.acquire)
        try:
            body_hash = hashlib.sha256(fetched.body).hexdigest()
            await asyncio.to_thread(
                self._store_feed, feed, parsed, prepared, fetched, body_hash, result
            )
        finally:
            lock.release()
        await self.complete_full_texts(fetcher=fetcher)
        return self.feed(feed.id)

    async def _fetch_to_subscribe(self, url: str, fetcher: Any) -> FetchResult:
        """The one fetch a subscription makes of ``url``; raises if it failed."""
        from reader.core.samples import is_sample_url, read_sample

        if is_sample_url(url):
            try:
                fetched = FetchResult(url=url, status=200, body=read_sample(url))
            except BroadsheetError as error:
                fetched = FetchResult(url=url, error=str(error))
        else:
            fetched = await fetcher.fetch(url)
        if fetched.error or not fetched.body:
            reason = fetched.error or "empty response"
            raise BroadsheetError(f"cannot subscribe to {visible_url(url)}: {reason}")
        return fetched

    def _discovered_feed(self, url: str, page: FetchResult) -> str:
        """The first feed a fetched page links to."""
        from reader.core._discover import discover_feed_links

        assert page.body is not None
        links = discover_feed_links(page.body, page.url)
        if not links:
            raise BroadsheetError(f"no feed found at {url} (it is a page that links to no feed)")
        return links[0]

    def remove_feed(self, feed_id: int) -> None:
        """Unsubscribe. Saved, tagged and annotated articles stay, detached from the feed
        (the same articles retention never prunes)."""
        self.feed(feed_id)
        with transaction(self._db) as db:
            db.execute(
                """DELETE FROM articles WHERE feed_id = ? AND saved = 0
                AND id NOT IN (SELECT article_id FROM annotations)
                AND id NOT IN (SELECT article_id FROM article_tags)""",
                (feed_id,),
            )
            db.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))

    def rename_feed(self, feed_id: int, title: str) -> None:
        self.feed(feed_id)
        with transaction(self._db) as db:
            db.execute(
                "UPDATE feeds SET user_title = ? WHERE id = ?", (clean_line(title) or None, feed_id)
            )

    def pending_full_texts(self) -> int:
        """Summary-only articles whose story pages later refreshes will fetch."""
        return int(
            self._db.execute(
                "SELECT count(*) FROM articles WHERE fulltext_state = 'pending'"
            ).fetchone()[0]
        )

    def set_feed_fulltext(self, feed_id: int, mode: str) -> None:
        if mode not in ("auto", "always", "never"):
            raise BroadsheetError("full-text mode must be auto, always or never")
        self.feed(feed_id)
        with transaction(self._db) as db:
            db.execute("UPDATE feeds SET fulltext = ? WHERE id = ?", (mode, feed_id))
            if mode == "never":  # stop what earlier refreshes queued
                db.execute(
                    """UPDATE articles SET fulltext_state = NULL
                    WHERE feed_id = ? AND fulltext_state = 'pending'""",
                    (feed_id,),
                )

    # -- article lists ---------------------------------------------------------

    def count_articles(self, query: ArticleQuery) -> int:
        where, params = query.where()
        return int(
            self._db.execute(f"SELECT count(*) FROM articles a WHERE {where}", params).fetchone()[0]
        )

    def article_page(self, query: ArticleQuery, offset: int, limit: int) -> list[ArticleSummary]:
        """Newest first; a story reached through several feeds (same link) appears once."""
        where, params = query.where()
        # Skip rows on the (covering) index first, then read just the page's rows:
        # an OFFSET over full rows costs hundreds of ms deep in a 100,000-article list.
        rows = self._db.execute(
            f"""WITH page AS (
                SELECT a.id, a.sort_time FROM articles a WHERE {where}
                ORDER BY a.sort_time DESC, a.id DESC LIMIT ? OFFSET ?)
            SELECT {_SUMMARY_COLUMNS} FROM page JOIN articles a ON a.id = page.id
            LEFT JOIN feeds f ON f.id = a.feed_id
            ORDER BY page.sort_time DESC, page.id DESC""",
            [*params, limit, offset],
        ).fetchall()
        return [summary_from_row(row) for row in rows]

    def _sort_key(self, article_id: int) -> tuple[float, int]:
        row = self._db.execute(
            "SELECT sort_time, id FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no article with id {article_id}")
        return row[0], row[1]

    def article_position(self, query: ArticleQuery, article_id: int) -> int | None:
        """The row index of an article in a view, or None if it is not in it."""
        where, params = query.where()
        try:
            sort_time, _ = self._sort_key(article_id)
        except NotFoundError:
            return None
        if not self._db.execute(
            f"SELECT 1 FROM articles a WHERE {where} AND a.id = ?", [*params, article_id]
        ).fetchone():
            return None
        return int(
            self._db.execute(
                f"""SELECT count(*) FROM articles a WHERE {where}
                AND (a.sort_time > ? OR (a.sort_time = ? AND a.id > ?))""",
                [*params, sort_time, sort_time, article_id],
            ).fetchone()[0]
        )

    def next_unread(
        self, query: ArticleQuery, after_article_id: int | None, *, backwards: bool = False
    ) -> ArticleSummary | None:
        """The next unread article after (older than) the given one, or before it if backwards."""
        where, params = ArticleQuery(query.feed_id, True, query.saved_only, query.tag).where()
        order = "ASC" if backwards else "DESC"
        if after_article_id is None:
            position, position_params = "1", []
        else:
            sort_time, article_id = self._sort_key(after_article_id)
            comparison = ">" if backwards else "<"
            position = f"(a.sort_time {comparison} ? OR (a.sort_time = ? AND a.id {comparison} ?))"
            position_params = [sort_time, sort_time, article_id]
        row = self._db.execute(
            f"""SELECT {_SUMMARY_COLUMNS} FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id
            WHERE {where} AND {position} ORDER BY a.sort_time {order}, a.id {order} LIMIT 1""",
            [*params, *position_params],
        ).fetchone()
        return summary_from_row(row) if row else None

    # -- one article -----------------------------------------------------------

    def article(self, article_id: int) -> Article:
        row = self._db.execute(
            """SELECT a.*, coalesce(f.user_title, f.title, a.feed_title) AS current_feed_title,
                (SELECT group_concat(tag, char(31)) FROM article_tags t
                    WHERE t.article_id = a.id) AS tags
            FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id WHERE a.id = ?""",
            (article_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no article with id {article_id}")
        if row["cleaned_text"] is None or row["cleaner_version"] != CLEANER_VERSION:
            self.reclean([article_id])
            return self.article(article_id)
        return Article(
            id=row["id"],
            feed_id=row["feed_id"],
            feed_title=row["current_feed_title"] or "",
            key=row["key"],
            title=row["title"],
            author=row["author"],
            link=row["link"],
            published=row["published"],
            fetched_at=row["fetched_at"],
            raw_content=row["raw_content"],
            content_type=row["content_type"],
            text=row["cleaned_text"],
            blocks=[Block.from_dict(block) for block in json.loads(row["cleaned_blocks"])],
            removed=[Removal.from_dict(item) for item in json.loads(row["removed"] or "[]")],
            enclosures=[Enclosure.from_dict(item) for item in json.loads(row["enclosures"])],
            read=bool(row["read"]),
            saved=bool(row["saved"]),
            reading_position=row["reading_position"],
            tags=tuple(sorted(row["tags"].split("\x1f"))) if row["tags"] else (),
        )

    def article_ids(self, query: ArticleQuery) -> list[int]:
        where, params = query.where()
        return [
            row[0]
            for row in self._db.execute(
                f"SELECT a.id FROM articles a WHERE {where} ORDER BY a.sort_time DESC, a.id DESC",
                params,
            )
        ]

    def require_articles(self, article_ids: Iterable[int]) -> None:
        """Raise NotFoundError naming every id the library does not hold. Commands that
        take several ids call this first, so they change all of them or none."""
        ids = sorted(set(article_ids))
        found = {
            row[0]
            for row in self._db.execute(
                "SELECT id FROM articles WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(ids),),
            )
        }
        missing = [article_id for article_id in ids if article_id not in found]
        if missing:
            listed = ", ".join(str(article_id) for article_id in missing[:10])
            noun = "id" if len(missing) == 1 else "ids"
            raise NotFoundError(f"no article with {noun} {listed}: nothing was changed")

    def mark_read(self, article_ids: Sequence[int], read: bool = True) -> None:
        """Mark articles (and their same-link duplicates in other feeds) read or unread:
        all of them, or none if any id is unknown. Marking read again renews read_at,
        which retention counts from."""
        self.require_articles(article_ids)
        stamp = _storage.now() if read else None
        with transaction(self._db) as db:
            _storage.set_read_with_copies(db, article_ids, read, stamp)

    def mark_query_read(self, query: ArticleQuery) -> list[int]:
        """Mark every unread article of a view read (with its copies in other feeds);
        returns the ids it changed, so ``mark_read(ids, False)`` undoes it exactly."""
        where, params = query.where()
        with transaction(self._db) as db:
            ids = [
                row[0]
                for row in db.execute(
                    f"SELECT a.id FROM articles a WHERE {where} AND a.read = 0", params
                )
            ]
            _storage.set_read_with_copies(db, ids, True, _storage.now())
            return ids

    def set_saved(self, article_id: int, saved: bool) -> None:
        self.save_articles([article_id], saved)

    def save_articles(self, article_ids: Sequence[int], saved: bool = True) -> None:
        """Save (or unsave) all the given articles, or none if any id is unknown."""
        self.require_articles(article_ids)
        with transaction(self._db) as db:
            db.execute(
                """UPDATE articles SET saved = ?, saved_at = ?
                WHERE id IN (SELECT value FROM json_each(?))""",
                (int(saved), _storage.now() if saved else None, json.dumps(list(article_ids))),
            )
        for article_id in article_ids:
            self._after_change(article_id)

    def set_reading_position(self, article_id: int, position: int) -> None:
        with transaction(self._db) as db:
            db.execute(
                "UPDATE articles SET reading_position = ? WHERE id = ?",
                (max(0, position), article_id),
            )

    # -- tags ------------------------------------------------------------------

    def tag_article(self, article_id: int, tags: Sequence[str]) -> None:
        self._sort_key(article_id)
        with transaction(self._db) as db:
            for tag in _storage.canonical_tags(db, _clean_tags(tags)):
                db.execute(
                    "INSERT OR IGNORE INTO article_tags (article_id, tag) VALUES (?, ?)",
                    (article_id, tag),
                )
        self._after_change(article_id)

    def untag_article(self, article_id: int, tags: Sequence[str]) -> None:
        self._sort_key(article_id)
        with transaction(self._db) as db:
            for tag in _clean_tags(tags):
                db.execute(
                    "DELETE FROM article_tags WHERE article_id = ? AND tag_key(tag) = tag_key(?)",
                    (article_id, tag),
                )
        self._after_change(article_id)

    def tag_feed(self, feed_id: int, tags: Sequence[str]) -> None:
        self.feed(feed_id)
        with transaction(self._db) as db:
            for tag in _storage.canonical_tags(db, _clean_tags(tags)):
                db.execute(
                    "INSERT OR IGNORE INTO feed_tags (feed_id, tag) VALUES (?, ?)", (feed_id, tag)
                )

    def untag_feed(self, feed_id: int, tags: Sequence[str]) -> None:
        self.feed(feed_id)
        with transaction(self._db) as db:
            for tag in _clean_tags(tags):
                db.execute(
                    "DELETE FROM feed_tags WHERE feed_id = ? AND tag_key(tag) = tag_key(?)",
                    (feed_id, tag),
                )

    def tags(self) -> list[tuple[str, int]]:
        """Every tag (on articles or feeds) with the number of articles it selects."""
        names = [
            row[0]
            for row in self._db.execute(
                "SELECT tag FROM article_tags UNION SELECT tag FROM feed_tags ORDER BY 1"
            )
        ]
        return [(name, self.count_articles(ArticleQuery(tag=name))) for name in names]

    # -- search ----------------------------------------------------------------

    def search(
        self, text: str, *, limit: int = 50, offset: int = 0, order: str = "best"
    ) -> list[SearchHit]:
        """Full-text search in our query language (see reader.core.search); never raises
        on user input. Matches titles, article text, highlights and notes."""
        query = parse_query(text)
        if query.impossible:  # only words with nothing to search for: "🚀"
            return []
        query.feed_ids = [self._feeds_matching(feed) for feed in query.feeds]
        where, params = query.where()
        match = query.match_expression()
        base = f"FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id WHERE {where}"
        if match is None:
            rows = self._db.execute(
                f"SELECT {_SUMMARY_COLUMNS}, substr(a.cleaned_text, 1, 160) AS snippet {base}"
                " ORDER BY a.sort_time DESC, a.id DESC LIMIT ? OFFSET ?",
                [*params, limit, offset],
            ).fetchall()
            return [
                SearchHit(summary_from_row(row), clean_line(row["snippet"]), []) for row in rows
            ]
        if not self._matches_more_than(match, RANKED_SEARCH_LIMIT):
            ids = self._ranked_ids(match, where, params, limit, offset, order)
        else:
            ids = self._newest_ids(match, where, params, limit, offset, bool(query.feed_ids))
        return self._hits(ids, query)

    def _feeds_matching(self, text: str) -> list[int]:
        """Feeds whose title or URL contains ``text``, or whose id it is."""
        pattern = feed_pattern(text)
        return [
            row[0]
            for row in self._db.execute(
                """SELECT id FROM feeds WHERE coalesce(user_title, title, url) LIKE ? ESCAPE '\\'
                OR url LIKE ? ESCAPE '\\' OR CAST(id AS TEXT) = ?""",
                (pattern, pattern, text),
            )
        ]

    def _matches_more_than(self, match: str, count: int) -> bool:
        """Stops counting at ``count``: cheaper than count(*) for very common terms."""
        return (
            self._db.execute(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? LIMIT 1 OFFSET ?",
                (match, count),
            ).fetchone()
            is not None
        )

    def _ranked_ids(
        self, match: str, where: str, params: list[Any], limit: int, offset: int, order: str
    ) -> list[int]:
        """Best first (bm25) or newest published first, over article text and annotations.
        Best first ranks a pool inside the index before any articles row is read (with a
        cold disk cache, ranking every match joined to its row took 227 ms at 100,000
        articles; the pool, 47 ms)."""
        if order == "best":
            pool = max(4 * (limit + offset), 200)
            rows = self._ranked_rows(match, where, params, pool, "best", limit, offset)
            # Exact when enough pooled articles pass the filters (any article outside the
            # pool ranks below all of them), or when the pool holds every match.
            if rows and rows[0]["pooled_passing"] >= limit + offset:
                return [row["id"] for row in rows]
            if not self._matches_more_than(match, pool):
                return [row["id"] for row in rows]
        ranking = "best" if order == "best" else "a.sort_time DESC, a.id DESC"
        return [
            row["id"] for row in self._ranked_rows(match, where, params, -1, ranking, limit, offset)
        ]

    def _ranked_rows(
        self,
        match: str,
        where: str,
        params: list[Any],
        pool: int,
        ranking: str,
        limit: int,
        offset: int,
    ) -> list[sqlite3.Row]:
        """Articles matching in their text (the ``pool`` best by bm25; -1: every one) or
        in a note, filtered, each with its best rank, and how many filtered articles came
        from the pool."""
        return self._db.execute(
            f"""SELECT a.id, min(m.best) AS best, sum(max(m.pooled)) OVER () AS pooled_passing
            FROM (
                SELECT id, best, 1 AS pooled FROM (
                    SELECT rowid AS id, rank AS best FROM articles_fts
                    WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?
                )
                UNION ALL
                SELECT n.article_id, annotations_fts.rank, 0 FROM annotations_fts
                JOIN annotations n ON n.id = annotations_fts.rowid
                WHERE annotations_fts MATCH ?
            ) AS m JOIN articles a ON a.id = m.id LEFT JOIN feeds f ON f.id = a.feed_id
            WHERE {where} GROUP BY a.id ORDER BY {ranking} LIMIT ? OFFSET ?""",
            [match, pool, match, *params, limit, offset],
        ).fetchall()

    def _newest_ids(
        self, match: str, where: str, params: list[Any], limit: int, offset: int, by_feed: bool
    ) -> list[int]:
        """For very common terms: newest *stored* first, streamed from the index in rowid
        order and stopped at the page (sorting or ranking every match would cost hundreds
        of ms at 100,000 articles; storage order follows publication closely in feeds).
        Limited to some feeds, their articles come from an index holding feed, read state
        and duplicate mark, checked against the matches: streaming would read an articles
        row per match until enough were in those feeds (910 ms against 13 ms, cold disk)."""
        wanted = limit + offset
        if by_feed:
            source = "articles a INDEXED BY articles_feed_state"
            matching = "a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
            newest = "a.id"
        else:
            source = "articles_fts m JOIN articles a ON a.id = m.rowid"
            matching = "articles_fts MATCH ?"
            newest = "m.rowid"
        from_articles = self._db.execute(
            f"""SELECT a.id FROM {source} LEFT JOIN feeds f ON f.id = a.feed_id
            WHERE {matching} AND {where} ORDER BY {newest} DESC LIMIT ?""",
            [match, *params, wanted],
        ).fetchall()
        from_notes = self._db.execute(
            f"""SELECT DISTINCT a.id FROM annotations_fts JOIN annotations n
            ON n.id = annotations_fts.rowid JOIN articles a ON a.id = n.article_id
            LEFT JOIN feeds f ON f.id = a.feed_id
            WHERE annotations_fts MATCH ? AND {where} ORDER BY a.id DESC LIMIT ?""",
            [match, *params, wanted],
        ).fetchall()
        ids = sorted({row[0] for row in from_articles} | {row[0] for row in from_notes})
        return ids[::-1][offset:wanted]

    def _hits(self, ids: list[int], query: SearchQuery) -> list[SearchHit]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = {
            row["id"]: row
            for row in self._db.execute(
                f"""SELECT {_SUMMARY_COLUMNS}, a.cleaned_text FROM articles a
                LEFT JOIN feeds f ON f.id = a.feed_id WHERE a.id IN ({marks})""",
                ids,
            )
        }
        notes: dict[int, str] = {}
        for row in self._db.execute(
            f"""SELECT article_id, coalesce(exact, '') || ' ' || coalesce(note, '')
            FROM annotations WHERE article_id IN ({marks})""",
            ids,
        ):
            notes[row[0]] = notes.get(row[0], "") + " " + row[1]
        pattern = term_pattern(query)
        hits = []
        for article_id in ids:
            row = rows[article_id]
            text = row["cleaned_text"] or ""
            if pattern and not pattern.search(text) and pattern.search(notes.get(article_id, "")):
                text = notes[article_id]  # the match is in a highlight or a note
            snippet, spans = make_snippet(text, pattern)
            hits.append(SearchHit(summary_from_row(row), snippet, spans))
        return hits

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
        prunable = """{a}.feed_id IS NOT NULL AND {a}.read = 1 AND {a}.saved = 0
            AND max({a}.fetched_at, coalesce({a}.read_at, 0)) < :cutoff AND {a}.id != :open
            AND {a}.id NOT IN (SELECT article_id FROM annotations)
            AND {a}.id NOT IN (SELECT article_id FROM article_tags)"""
        # A story and its copies in other feeds go together or not at all: a lone copy
        # left behind would otherwise surface in All as a story of its own.
        doomed = f"""SELECT a.id FROM articles a WHERE {prunable.format(a="a")}
            AND coalesce(a.duplicate_of, a.id) NOT IN (SELECT coalesce(b.duplicate_of, b.id)
                FROM articles b WHERE NOT ({prunable.format(a="b")}))"""
        params = {"cutoff": cutoff, "open": open_id, "stamp": _storage.now()}
        with transaction(self._db) as db:
            ids = [row[0] for row in db.execute(doomed, params)]
            if not ids:
                return 0
            chosen = json.dumps(ids)
            db.execute(
                """INSERT OR IGNORE INTO tombstones (feed_id, key, pruned_at)
                SELECT feed_id, key, ? FROM articles WHERE id IN (SELECT value FROM json_each(?))""",
                (params["stamp"], chosen),
            )
            db.execute(
                "DELETE FROM articles WHERE id IN (SELECT value FROM json_each(?))", (chosen,)
            )
            return len(ids)

    def _after_change(self, article_id: int) -> None:
        """Keep the auto-export folder in step with a saved article's changes."""
        if self.config.auto_export_dir is None:
            return
        from reader.core.export import auto_export

        auto_export(self, article_id)

    # -- cleaning --------------------------------------------------------------

    def _clean(self, row: sqlite3.Row | dict[str, Any]) -> CleanedArticle:
        from reader.core.cleaner import clean

        source = row["page_html"] or row["raw_content"]
        return clean(
            source,
            row["link"],
            content_type="html" if row["page_html"] else row["content_type"],
            extract=bool(row["page_html"]),
            rules=self.cleaner_rules(),
        )

    def cleaner_rules(self) -> Any:
        """The user's rules file (config dir ``rules.toml``), read once per library."""
        if not hasattr(self, "_rules"):
            from reader.core.cleaner import load_rules

            path = self.config.rules_path
            self._rules = load_rules(path) if path is not None and path.exists() else None
        return self._rules

    def reclean(self, article_ids: Iterable[int] | None = None) -> int:
        """Re-run the cleaner over stored raw content (all articles when ids is None)."""
        if article_ids is None:
            ids = [row[0] for row in self._db.execute("SELECT id FROM articles")]
        else:
            ids = list(article_ids)
        for start in range(0, len(ids), CLEAN_BATCH):
            self._clean_batch(ids[start : start + CLEAN_BATCH])
        return len(ids)

    def clean_pending(self, *, limit: int | None = None) -> int:
        """Clean articles that refresh stored uncleaned (or that an older cleaner did).
        Returns how many were cleaned; run it after a refresh, in the background."""
        rows = self._db.execute(
            "SELECT id FROM articles WHERE cleaner_version IS NOT ? ORDER BY sort_time DESC"
            + (" LIMIT ?" if limit is not None else ""),
            (CLEANER_VERSION, limit) if limit is not None else (CLEANER_VERSION,),
        ).fetchall()
        return self.reclean([row[0] for row in rows])

    def tidy_search_index(self, *, pages_per_step: int = 2000, max_steps: int = 10_000) -> int:
        """Merge the search index's segments, a short write transaction at a time, so the
        UI and annotation saves never wait long. Cleaning replaces each new article's
        indexed text, and FTS5 keeps the old entries until segments merge: after cleaning
        100,000 articles this halved the index (292 to 148 MB) and search time.
        Returns the steps taken (one when there was nothing to merge)."""
        steps = 0
        while steps < max_steps:
            steps += 1
            before = self._db.total_changes
            with transaction(self._db) as db:
                db.execute(
                    "INSERT INTO articles_fts (articles_fts, rank) VALUES ('merge', ?)",
                    (pages_per_step,),
                )
            if self._db.total_changes - before < 2:  # FTS5's sign that nothing was merged
                break
        return steps

    def _clean_batch(self, ids: list[int]) -> None:
        """Clean outside the write transaction, then write the batch in one transaction."""
        placeholders = ",".join("?" * len(ids))
        rows = self._db.execute(
            f"""SELECT id, raw_content, page_html, link, content_type, cleaned_text,
            cleaner_version FROM articles WHERE id IN ({placeholders})""",
            ids,
        ).fetchall()
        if len(rows) != len(set(ids)):
            missing = set(ids) - {row["id"] for row in rows}
            raise NotFoundError(f"no article with id {min(missing)}")
        cleaned = [(row, self._clean(row)) for row in rows]
        batch = [
            [row["id"], *_cleaned_columns(result), result.published] for row, result in cleaned
        ]
        with transaction(self._db) as db:
            # One statement for the batch: the FTS5 update trigger then runs inside one
            # savepoint, and FTS5 flushes once instead of once per article (3.5x faster).
            db.execute(
                """UPDATE articles SET cleaned_text = v.value ->> 1,
                cleaned_blocks = v.value ->> 2, removed = v.value ->> 3, cleaner_version = ?,
                published = coalesce(articles.published, v.value ->> 4),
                sort_time = CASE WHEN articles.published IS NULL AND v.value ->> 4 IS NOT NULL
                    THEN v.value ->> 4 ELSE articles.sort_time END
                FROM json_each(?) AS v WHERE articles.id = v.value ->> 0""",
                (CLEANER_VERSION, json.dumps(batch, ensure_ascii=False)),
            )
        annotated = self._annotated({row["id"] for row, _ in cleaned})
        for row, result in cleaned:
            old = row["cleaned_text"]
            if row["id"] in annotated and old is not None and old != result.text:
                self._reanchor(row["id"], old, result.text)

    def _annotated(self, ids: set[int]) -> set[int]:
        if not ids:
            return set()
        placeholders = ",".join("?" * len(ids))
        return {
            row[0]
            for row in self._db.execute(
                f"SELECT DISTINCT article_id FROM annotations WHERE article_id IN ({placeholders})",
                list(ids),
            )
        }

    def _reanchor(self, article_id: int, old_text: str, new_text: str) -> None:
        """The canonical text changed: move highlights with it, or orphan them."""
        from reader.core.annotations import Annotations

        Annotations(self).reanchor(article_id, old_text, new_text)

    # -- refresh ---------------------------------------------------------------

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
        ``automatic`` refresh (nobody asked: start-up, a timer) skips feeds in back-off."""
        lock = self.refresh_lock(wait)
        await asyncio.to_thread(lock.acquire)
        try:
            return await self._refresh_locked(
                feed_ids, on_result, fetcher, fulltext, automatic, on_fetch
            )
        finally:
            lock.release()

    def refresh_sync(
        self,
        feed_ids: Sequence[int] | None = None,
        *,
        on_result: OnResult | None = None,
        wait: float = 0.0,
        fulltext: bool = True,
        automatic: bool = False,
    ) -> RefreshSummary:
        return asyncio.run(
            self.refresh(
                feed_ids, on_result=on_result, wait=wait, fulltext=fulltext, automatic=automatic
            )
        )

    def _feeds_to_refresh(
        self, feed_ids: Sequence[int] | None, automatic: bool, summary: RefreshSummary
    ) -> list[Feed]:
        """The feeds a refresh fetches. A person asking (for one feed or all) is obeyed at
        once; only an automatic refresh waits out a feed's back-off or Retry-After, and
        the summary says how many feeds wait and until when."""
        feeds = self.feeds()
        if feed_ids is not None:
            wanted = set(feed_ids)
            missing = wanted - {feed.id for feed in feeds}
            if missing:
                raise NotFoundError(f"no feed with id {min(missing)}")
            return [feed for feed in feeds if feed.id in wanted]
        active = [feed for feed in feeds if feed.status == "active"]
        # A person asking overrides our back-off, not a server's Retry-After.
        waiting = {
            row[0]: row[1]
            for row in self._db.execute(
                "SELECT id, retry_after_until FROM feeds WHERE retry_after_until > ?"
                + ("" if automatic else " AND retry_by_server = 1"),
                (_storage.now(),),
            )
        }
        summary.waiting = sum(1 for feed in active if feed.id in waiting)
        if summary.waiting:
            summary.next_try = min(waiting[feed.id] for feed in active if feed.id in waiting)
        return [feed for feed in active if feed.id not in waiting]

    async def _refresh_locked(
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
        feeds = self._feeds_to_refresh(feed_ids, automatic, summary)
        store_lock = asyncio.Lock()
        backlog = _Backlog(REFRESH_BACKLOG_BYTES)

        async def refresh_one(client: Any, feed: Feed) -> None:
            result = await self._refresh_feed(
                client, feed, store_lock, backlog, on_fetch, len(feeds)
            )
            summary.results.append(result)
            if on_result is not None:
                on_result(result, len(summary.results), len(feeds))

        async def run(client: Any) -> None:
            # Feeds never fetched have no validators: each will send a body to parse.
            first_fetches = sum(1 for feed in feeds if feed.last_success is None)
            self._parser_warm = first_fetches >= PARALLEL_PARSE_MIN_FEEDS
            with _parser_pool(len(feeds), warm=self._parser_warm) as self._parser_pool:
                await asyncio.gather(*(refresh_one(client, feed) for feed in feeds))
            if fulltext:
                summary.full_texts = await self._complete_full_texts(client, store_lock)

        if fetcher is not None:  # the caller owns its lifetime
            await run(fetcher)
        else:
            limits = FetchLimits(
                max_connections=self.config.max_connections, per_host=self.config.per_host
            )
            async with Fetcher(limits) as client:
                await run(client)
        await asyncio.to_thread(self.prune)
        return summary

    async def complete_full_texts(self, *, fetcher: Any = None) -> int:
        """Fetch the story pages of summary-only articles that refresh marked pending.
        Separate from refresh so a refresh is done as soon as its articles are stored."""
        from reader.core._fetch import Fetcher, FetchLimits

        if fetcher is not None:
            return await self._complete_full_texts(fetcher, asyncio.Lock())
        limits = FetchLimits(
            max_connections=self.config.max_connections, per_host=self.config.per_host
        )
        async with Fetcher(limits) as client:
            return await self._complete_full_texts(client, asyncio.Lock())

    async def _complete_full_texts(self, fetcher: Any, store_lock: asyncio.Lock) -> int:
        """Fetch and extract pending pages (bounded concurrency). The page is stored, so
        the article reads in full offline afterwards."""
        slots = asyncio.Semaphore(self.config.fulltext_concurrency)
        done = 0
        pending = _pages_for_this_refresh(
            self._db.execute(
                """SELECT id, link, cleaned_text FROM articles WHERE fulltext_state = 'pending'
                ORDER BY sort_time DESC, id DESC"""
            ).fetchall()
        )

        async def one(row: sqlite3.Row) -> None:
            nonlocal done
            async with slots:
                page = await fetcher.fetch(
                    row["link"], max_bytes=FULLTEXT_MAX_BYTES, accept=PAGE_ACCEPT
                )
            async with store_lock:
                stored = await asyncio.to_thread(self._store_full_text, row, page)
            done += stored

        await asyncio.gather(*(one(row) for row in pending))
        return done

    def _store_full_text(self, row: sqlite3.Row, page: FetchResult) -> bool:
        from reader.core.cleaner import clean

        if page.error or not page.body:
            state = f"failed: {page.error or 'empty page'}"
            with transaction(self._db) as db:
                db.execute(
                    "UPDATE articles SET fulltext_state = ? WHERE id = ?", (state, row["id"])
                )
            return False
        from reader.core.cleaner.extract import decode_page

        html = decode_page(page.body, page.content_type)
        cleaned = clean(html, row["link"], extract=True, rules=self.cleaner_rules())
        # Keep the feed's text when the page gave less (a paywall, a consent wall).
        better = len(cleaned.text) > len(row["cleaned_text"] or "")
        with transaction(self._db) as db:
            if better:
                db.execute(
                    """UPDATE articles SET page_html = ?, fulltext_state = 'done', cleaned_text = ?,
                    cleaned_blocks = ?, removed = ?, cleaner_version = ? WHERE id = ?""",
                    (html, *_cleaned_columns(cleaned), CLEANER_VERSION, row["id"]),
                )
            else:
                db.execute(
                    "UPDATE articles SET fulltext_state = 'shorter' WHERE id = ?", (row["id"],)
                )
        return better

    async def _fetch(
        self,
        fetcher: Any,
        feed: Feed,
        backlog: _Backlog,
        on_fetch: OnFetch | None = None,
        total: int = 0,
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
            wait_for_room=backlog.wait_for_room,
        )
        return result

    async def _refresh_feed(
        self,
        fetcher: Any,
        feed: Feed,
        store_lock: asyncio.Lock,
        backlog: _Backlog,
        on_fetch: OnFetch | None = None,
        total: int = 0,
    ) -> FeedRefreshResult:
        result = FeedRefreshResult(feed_id=feed.id, url=feed.url)
        fetched = await self._fetch(fetcher, feed, backlog, on_fetch, total)
        if fetched.error or fetched.body is None and not fetched.not_modified:
            result.error = fetched.error or "empty response"
        elif fetched.not_modified:
            result.not_modified = True
        else:
            async with backlog.holding(len(fetched.body or b"")):
                if await self._parse_and_store(feed, fetched, store_lock, result):
                    return result
        async with store_lock:
            await asyncio.to_thread(self._record_outcome, feed, fetched, result)
        return result

    async def _parse_and_store(
        self, feed: Feed, fetched: FetchResult, store_lock: asyncio.Lock, result: FeedRefreshResult
    ) -> bool:
        """Store a fetched body's entries; False when there was nothing to store (the
        same body as last time, or one that does not parse: the result says which)."""
        assert fetched.body is not None
        body_hash = hashlib.sha256(fetched.body).hexdigest()
        if body_hash == self._body_hash(feed.id):
            result.not_modified = True
            return False
        try:
            parsed, prepared = await self._parse(fetched)
        except FeedParseError as error:
            result.error = str(error)
            return False
        async with store_lock:
            await asyncio.to_thread(
                self._store_feed, feed, parsed, prepared, fetched, body_hash, result
            )
        return True

    async def _parse(self, fetched: FetchResult) -> tuple[ParsedFeed, list[PreparedEntry]]:
        loop = asyncio.get_running_loop()
        assert fetched.body is not None
        body, url, content_type = fetched.body, fetched.url, fetched.content_type
        if self._parser_pool is not None:
            if not self._parser_warm:
                # Start every worker (and its imports) now, while more responses arrive.
                self._parser_warm = True
                for _ in range(_parse_workers() - 1):
                    self._parser_pool.submit(_warm_up)
            try:
                return await loop.run_in_executor(
                    self._parser_pool, parse_and_prepare, body, url, content_type
                )
            except (concurrent.futures.process.BrokenProcessPool, OSError, ValueError):
                # Worker processes cannot start in every host program (a script read from
                # stdin, a captured stderr): parse in this process instead.
                self._parser_pool = None
        return await loop.run_in_executor(None, parse_and_prepare, body, url, content_type)

    def _body_hash(self, feed_id: int) -> str | None:
        row = self._db.execute("SELECT body_hash FROM feeds WHERE id = ?", (feed_id,)).fetchone()
        return row[0] if row else None

    def _record_outcome(self, feed: Feed, fetched: FetchResult, result: FeedRefreshResult) -> None:
        """Store what a fetch that produced no new entries taught us about the feed."""
        stamp = _storage.now()
        with relaxed_sync(self._db), transaction(self._db) as db:
            if result.error:
                retry_until = stamp + (fetched.retry_after or _backoff(feed.id, db))
                db.execute(
                    """UPDATE feeds SET last_error = ?, last_error_at = ?, last_checked = ?,
                    error_count = error_count + 1, retry_after_until = ?, retry_by_server = ?,
                    status = CASE WHEN ? THEN 'gone' ELSE status END WHERE id = ?""",
                    (
                        result.error, stamp, stamp, retry_until, int(bool(fetched.retry_after)),
                        int(fetched.gone), feed.id,
                    ),
                )  # fmt: skip
            else:
                db.execute(
                    """UPDATE feeds SET last_error = NULL, error_count = 0, retry_after_until = NULL, last_checked = ?,
                    last_success = ?, etag = coalesce(?, etag),
                    last_modified = coalesce(?, last_modified) WHERE id = ?""",
                    (stamp, stamp, fetched.etag, fetched.last_modified, feed.id),
                )

    def _store_feed(
        self,
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
        with relaxed_sync(self._db), transaction(self._db) as db:
            feed_title = parsed.title or feed.title
            known = _KnownEntries.read(db, feed.id, parsed.entries)
            for entry, extras in pairs:
                if entry.key in known.tombstoned:
                    continue
                existing = known.existing.get(entry.key)
                if existing is None:
                    full_text = needs_full_text(feed.fulltext, entry, extras)
                    original = known.by_link.get(entry.link) if entry.link else None
                    new_rows.append(
                        _new_row(feed, feed_title, entry, extras, full_text, original, stamp)
                    )
                    result.duplicates += original is not None
                elif _update_entry(db, existing, entry, extras, stamp):
                    updated.append(existing[0])
            _insert_new(db, new_rows)
            result.new, result.updated = len(new_rows), len(updated)
            new_url = _adoptable_url(db, feed, fetched)
            db.execute(
                """UPDATE feeds SET title = ?, site_url = coalesce(?, site_url), etag = ?,
                last_modified = ?, last_error = NULL, error_count = 0, retry_after_until = NULL, last_checked = ?,
                last_success = ?, body_hash = ?, url = ? WHERE id = ?""",
                (
                    parsed.title or None,
                    parsed.site_url,
                    fetched.etag,
                    fetched.last_modified,
                    stamp,
                    stamp,
                    body_hash,
                    new_url,
                    feed.id,
                ),
            )
            if new_url != feed.url:
                result.url = new_url
        # A corrected article is cleaned at once so its highlights re-anchor on the old text.
        self.reclean(updated)


# Story pages fetched per refresh: at most this many from one site, and in all; the
# rest stay pending for later refreshes, newest first. Subscribing to a feed of 3,000
# summaries must not send 3,000 requests to its site at once.
FULLTEXT_PAGES_PER_HOST = 25
FULLTEXT_PAGES_PER_REFRESH = 200


def _pages_for_this_refresh(rows: list[sqlite3.Row]) -> list[sqlite3.Row]:
    from urllib.parse import urlsplit

    per_host: dict[str, int] = {}
    chosen = []
    for row in rows:
        host = (urlsplit(row["link"] or "").hostname or "").lower()
        if per_host.get(host, 0) >= FULLTEXT_PAGES_PER_HOST:
            continue
        per_host[host] = per_host.get(host, 0) + 1
        chosen.append(row)
        if len(chosen) >= FULLTEXT_PAGES_PER_REFRESH:
            break
    return chosen


PARALLEL_PARSE_MIN_FEEDS = 16
# Bytes of fetched feed bodies that may wait to be parsed and stored before new requests
# pause. An ordinary refresh stays far below (200 feeds of 84 KB: 17 MB).
REFRESH_BACKLOG_BYTES = 32 * 1024 * 1024


class _Backlog:
    """Fetched bodies not yet parsed and stored. When the network outruns the single
    writer (a first refresh of hundreds of large feeds), requests wait for room, so
    memory stays bounded (500 feeds of 560 KB: peak 260 MB, against 540 MB without)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.waiting = 0
        self._changed = asyncio.Condition()

    async def wait_for_room(self) -> None:
        if self.waiting < self.limit:
            return
        async with self._changed:
            await self._changed.wait_for(lambda: self.waiting < self.limit)

    @contextlib.asynccontextmanager
    async def holding(self, size: int) -> AsyncIterator[None]:
        self.waiting += size
        try:
            yield
        finally:
            self.waiting -= size
            async with self._changed:
                self._changed.notify_all()


@contextlib.contextmanager
def _parser_pool(
    feed_count: int, *, warm: bool = False
) -> Iterator[concurrent.futures.Executor | None]:
    """Worker processes to parse feeds on the other cores (feedparser is pure Python, so
    threads would share one core); None — the default thread pool — for small refreshes
    that would not repay the start-up."""
    cores = os.cpu_count() or 1
    if feed_count < PARALLEL_PARSE_MIN_FEEDS or cores < 2:
        yield None
        return
    from reader.core.background import ensure_process_helpers

    ensure_process_helpers()  # a host that swapped sys.stderr (a TUI) breaks process starts
    context = multiprocessing.get_context("forkserver")
    # Workers start on first use, so a refresh where every feed is unchanged starts none,
    # unless warm: then they start now, while the first responses are on their way.
    with concurrent.futures.ProcessPoolExecutor(
        _parse_workers(), mp_context=context, initializer=_worker_start
    ) as pool:
        for _ in range(_parse_workers() if warm else 0):
            # A pool that cannot start fails again on first use, and _parse falls back.
            with contextlib.suppress(
                concurrent.futures.process.BrokenProcessPool, OSError, ValueError
            ):
                pool.submit(_warm_up)
        yield pool


def _parse_workers() -> int:
    """One core is left to the process that writes: the single SQLite writer is the
    bottleneck of a large refresh, and parsing runs ahead of it anyway (measured on
    2 cores: 1.7 s with one worker against 1.85 s with two, 200 feeds)."""
    return max(1, min((os.cpu_count() or 1) - 1, 8))


def _worker_start() -> None:
    # Below the writer, the event loop and a terminal UI: workers use what is left over.
    with contextlib.suppress(OSError):
        os.nice(PARSE_NICENESS)


PARSE_NICENESS = 10


def _warm_up() -> None:
    import reader.core._parse  # noqa: F401 - imported for its side effect: a warm worker


FULLTEXT_MAX_BYTES = 5 * 1024 * 1024
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
SUMMARY_MAX_CHARACTERS = 600
# How excerpts end: an ellipsis or a "read more"-style link, not merely the word "more".
_TRUNCATION = re.compile(
    r"(?i)(\.\.\.|…|\[…\]|\[\.\.\.\]|\bread more|\bcontinue reading|\bread the full (story|article)"
    r"|\bfull story|\bmore\s*»|\bmore\s*›|\bmore\s*→)\W*$"
)

_TRUNCATION_MARKERS = ("...", "…", "more", "read", "continue", "story")


def needs_full_text(mode: str, entry: ParsedEntry, prepared: PreparedEntry) -> bool:
    """Whether to fetch an entry's page: always, never, or (auto) when the feed gave
    only a summary."""
    if mode == "never" or not is_http_url(entry.link):
        return False
    return mode == "always" or prepared.summary_like


def looks_like_summary(text: str) -> bool:
    """Short, or ending the way truncated excerpts end."""
    text = text.strip()
    if len(text) < SUMMARY_MAX_CHARACTERS:
        return True
    tail = text[-80:]
    # Every ending _TRUNCATION knows contains one of these: most texts skip the regex.
    lowered = tail.lower()
    if not any(marker in lowered for marker in _TRUNCATION_MARKERS):
        return False
    return bool(_TRUNCATION.search(tail))


_MARKUP = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->|<[^>]*>", re.S | re.I)
QUICK_TEXT_LIMIT = 256 * 1024


class PreparedEntry(NamedTuple):
    """What refresh stores beside a parsed entry, computed where it was parsed."""

    text: str  # the search text until the cleaner runs (quick_text)
    content_hash: str
    summary_like: bool  # the feed gave only a summary: a candidate for the full page


def parse_and_prepare(
    body: bytes, url: str, content_type: str | None
) -> tuple[ParsedFeed, list[PreparedEntry]]:
    """Parse a feed and compute what storing each unique entry needs. Runs in a worker
    process on large refreshes, so the single database writer only writes."""
    from reader.core._parse import parse_feed

    parsed = parse_feed(body, url, content_type)
    parsed.entries = _unique_entries(parsed.entries)
    return parsed, [_prepare(entry) for entry in parsed.entries]


def _prepare(entry: ParsedEntry) -> PreparedEntry:
    text = quick_text(entry)
    return PreparedEntry(text, _content_hash(entry), looks_like_summary(text))


def quick_text(entry: ParsedEntry) -> str:
    """The entry's words, fast: what search indexes until the cleaner has run.
    Refresh stores this so it is never bound by the cleaner (which runs afterwards)."""
    content = entry.content[:QUICK_TEXT_LIMIT]
    if entry.content_type == "html":
        content = html.unescape(_MARKUP.sub(" ", content))
    words = " ".join(content.split())
    # Without newlines and tabs the text is usually all printable, strip_controls's
    # fastest case; an escape sequence it removes may leave two spaces behind.
    cleaned = strip_controls(words)
    return words if cleaned is words else " ".join(cleaned.split())


BACKOFF_BASE = 300.0  # seconds after the first failure; doubles with each one after
BACKOFF_MAX = 24 * 3600.0


def _backoff(feed_id: int, db: sqlite3.Connection) -> float:
    """Exponential back-off with jitter, so failing feeds (404, 5xx, a Retry-After we
    could not read) are not hammered and many feeds do not retry in lockstep."""
    failures = db.execute("SELECT error_count FROM feeds WHERE id = ?", (feed_id,)).fetchone()[0]
    delay = min(BACKOFF_MAX, BACKOFF_BASE * 2 ** min(failures, 16))
    return delay * random.uniform(0.8, 1.2)


def _clean_tags(tags: Sequence[str]) -> list[str]:
    return [tag for tag in (clean_line(tag, limit=100) for tag in tags) if tag]


def _unique_entries(entries: list[ParsedEntry]) -> list[ParsedEntry]:
    """A feed that lists one key twice stores it once (the first occurrence wins)."""
    seen: set[str] = set()
    unique = []
    for entry in entries:
        if entry.key not in seen:
            seen.add(entry.key)
            unique.append(entry)
    return unique


def _cleaned_columns(cleaned: CleanedArticle) -> tuple[str, str, str]:
    return (
        cleaned.text,
        json.dumps([block.to_dict() for block in cleaned.blocks], ensure_ascii=False),
        json.dumps([removal.to_dict() for removal in cleaned.removed], ensure_ascii=False),
    )


def _content_hash(entry: ParsedEntry) -> str:
    return hashlib.sha256(f"{entry.title}\x00{entry.content}".encode()).hexdigest()


@dataclass
class _KnownEntries:
    """What the library already holds for a feed's entries, read in three queries per
    feed rather than three per entry."""

    tombstoned: set[str]
    existing: dict[str, tuple[int, str]]  # key -> (article id, content hash)
    # link -> (id, read, read_at) of the first article of another feed with that link
    by_link: dict[str, tuple[int, int, float | None]]

    @classmethod
    def read(
        cls, db: sqlite3.Connection, feed_id: int, entries: list[ParsedEntry]
    ) -> _KnownEntries:
        keys = json.dumps([entry.key for entry in entries])
        links = json.dumps(sorted({entry.link for entry in entries if entry.link}))
        tombstoned = {
            row[0]
            for row in db.execute(
                """SELECT key FROM tombstones WHERE feed_id = ?
                AND key IN (SELECT value FROM json_each(?))""",
                (feed_id, keys),
            )
        }
        existing = {
            row[0]: (row[1], row[2])
            for row in db.execute(
                """SELECT key, id, content_hash FROM articles WHERE feed_id = ?
                AND key IN (SELECT value FROM json_each(?))""",
                (feed_id, keys),
            )
        }
        by_link = {
            row[0]: (row[1], row[2], row[3])
            for row in db.execute(
                """SELECT link, min(id), read, read_at FROM articles WHERE link IN (SELECT value FROM json_each(?))
                AND feed_id IS NOT ? AND duplicate_of IS NULL GROUP BY link""",
                (links, feed_id),
            )
        }
        return cls(tombstoned, existing, by_link)


def _new_row(
    feed: Feed,
    feed_title: str,
    entry: ParsedEntry,
    extras: PreparedEntry,
    full_text: bool,
    original: tuple[int, int, float | None] | None,
    stamp: float,
) -> tuple[Any, ...]:
    """A new article's columns, in _INSERT_ARTICLE's order. Its text is stored
    uncleaned (cleaner_version 0); the cleaner runs later. A copy of a story another
    feed brought (``original``) shares its read state: read once is read everywhere."""
    enclosures = json.dumps([enclosure.to_dict() for enclosure in entry.enclosures])
    duplicate_of, read, read_at = original if original is not None else (None, 0, None)
    return (
        feed.id, feed_title, feed.url, entry.key, entry.title, entry.author, entry.link,
        duplicate_of, entry.published, entry.published or stamp, stamp, entry.content,
        entry.content_type, entry.summary, extras.content_hash, extras.text, enclosures,
        "pending" if full_text else None, read, read_at,
    )  # fmt: skip


_INSERT_ARTICLE = """INSERT INTO articles (feed_id, feed_title, feed_url, key, title, author,
    link, duplicate_of, published, sort_time, fetched_at, raw_content, content_type, summary,
    content_hash, cleaned_text, enclosures, fulltext_state, read, read_at, cleaner_version)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)"""


def _insert_new(db: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    """Insert a feed's new articles and index them for search, in two statements."""
    if not rows:
        return
    # Rowids of new rows follow the largest one (INTEGER PRIMARY KEY, no AUTOINCREMENT),
    # and this transaction is the only writer: the new articles are those above it.
    before = db.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]
    db.executemany(_INSERT_ARTICLE, rows)
    _storage.index_articles(db, range(before + 1, before + len(rows) + 1))


def _update_entry(
    db: sqlite3.Connection,
    existing: tuple[int, str],
    entry: ParsedEntry,
    extras: PreparedEntry,
    stamp: float,
) -> bool:
    """Update an article whose feed entry changed; user state is never touched.
    The old cleaned text stays until re-cleaning, which re-anchors highlights on it."""
    article_id, old_hash = existing
    if old_hash == extras.content_hash:
        return False
    enclosures = json.dumps([enclosure.to_dict() for enclosure in entry.enclosures])
    db.execute(
        """UPDATE articles SET title = ?, author = ?, link = ?,
        published = coalesce(?, published), updated_at = ?, raw_content = ?,
        content_type = ?, summary = ?, content_hash = ?, cleaner_version = 0,
        enclosures = ? WHERE id = ?""",
        (
            entry.title, entry.author, entry.link, entry.published, stamp, entry.content,
            entry.content_type, entry.summary, extras.content_hash, enclosures, article_id,
        ),
    )  # fmt: skip
    return True


def _adoptable_url(db: sqlite3.Connection, feed: Feed, fetched: FetchResult) -> str:
    """After a permanent redirect whose target parsed, adopt the new URL (if free)."""
    target = fetched.permanent_redirect
    if not target or target == feed.url:
        return feed.url
    taken = db.execute("SELECT 1 FROM feeds WHERE url = ?", (target,)).fetchone()
    return feed.url if taken else target


def open_library(data_dir_path: Path | str | None = None, *, samples: bool = True) -> Library:
    return Library.open(data_dir_path, samples=samples)


__all__ = ["ArticleQuery", "Library", "LibraryError", "open_library", "normalize_feed_url"]
