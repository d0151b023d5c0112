"""Storing what refresh (and import) brings: the one INSERT INTO articles, entry
updates, and what a fetch taught us about its feed."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reader.core._storage import schema
from reader.core.models import FetchResult, ParsedEntry

# The columns of a new article, in the order of the tuples insert_articles takes.
ARTICLE_COLUMNS = (
    "feed_id", "feed_title", "feed_url", "key", "title", "author", "link", "duplicate_of",
    "published", "sort_time", "fetched_at", "raw_content", "content_type", "summary",
    "content_hash", "cleaned_text", "cleaned_blocks", "removed", "cleaner_version",
    "enclosures", "fulltext_state", "read", "read_at",
)  # fmt: skip

_INSERT_ARTICLE = (
    f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(ARTICLE_COLUMNS))})"
)


def insert_articles(db: sqlite3.Connection, rows: Sequence[tuple[Any, ...]]) -> list[int]:
    """Insert new articles (tuples in ARTICLE_COLUMNS order) and index them for search,
    in two statements; inside the caller's transaction. Returns their ids."""
    if not rows:
        return []
    # Rowids of new rows follow the largest one (INTEGER PRIMARY KEY, no AUTOINCREMENT),
    # and this transaction is the only writer: the new articles are those above it.
    before = db.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]
    db.executemany(_INSERT_ARTICLE, rows)
    ids = list(range(before + 1, before + len(rows) + 1))
    schema.index_articles(db, ids)
    return ids


@dataclass
class KnownEntries:
    """What the library already holds for a feed's entries, read in three queries per
    feed rather than three per entry."""

    tombstoned: set[str]
    existing: dict[str, tuple[int, str]]  # key -> (article id, content hash)
    # link -> (id, read, read_at) of the first article of another feed with that link
    by_link: dict[str, tuple[int, int, float | None]]

    @classmethod
    def read(cls, db: sqlite3.Connection, feed_id: int, entries: list[ParsedEntry]) -> KnownEntries:
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


def update_entry(
    db: sqlite3.Connection, article_id: int, entry: ParsedEntry, content_hash: str, stamp: float
) -> None:
    """Update an article whose feed entry changed; user state is never touched.
    The old cleaned text stays until re-cleaning, which re-anchors highlights on it."""
    enclosures = json.dumps([enclosure.to_dict() for enclosure in entry.enclosures])
    db.execute(
        """UPDATE articles SET title = ?, author = ?, link = ?,
        published = coalesce(?, published), updated_at = ?, raw_content = ?,
        content_type = ?, summary = ?, content_hash = ?, cleaner_version = 0,
        enclosures = ? WHERE id = ?""",
        (
            entry.title, entry.author, entry.link, entry.published, stamp, entry.content,
            entry.content_type, entry.summary, content_hash, enclosures, article_id,
        ),
    )  # fmt: skip


def url_taken(db: sqlite3.Connection, url: str) -> bool:
    return db.execute("SELECT 1 FROM feeds WHERE url = ?", (url,)).fetchone() is not None


def feed_stored(
    db: sqlite3.Connection,
    feed_id: int,
    title: str | None,
    site_url: str | None,
    fetched: FetchResult,
    body_hash: str,
    url: str,
    stamp: float,
) -> None:
    """A fetched body's entries were stored: remember its validators, hash and URL."""
    db.execute(
        """UPDATE feeds SET title = ?, site_url = coalesce(?, site_url), etag = ?,
        last_modified = ?, last_error = NULL, error_count = 0, retry_after_until = NULL, last_checked = ?,
        last_success = ?, body_hash = ?, url = ? WHERE id = ?""",
        (
            title, site_url, fetched.etag, fetched.last_modified, stamp, stamp, body_hash,
            url, feed_id,
        ),
    )  # fmt: skip


def body_hash(db: sqlite3.Connection, feed_id: int) -> str | None:
    row = db.execute("SELECT body_hash FROM feeds WHERE id = ?", (feed_id,)).fetchone()
    return row[0] if row else None


def error_count(db: sqlite3.Connection, feed_id: int) -> int:
    return int(db.execute("SELECT error_count FROM feeds WHERE id = ?", (feed_id,)).fetchone()[0])


def feed_failed(
    db: sqlite3.Connection,
    feed_id: int,
    error: str,
    stamp: float,
    retry_until: float,
    by_server: bool,
    gone: bool,
) -> None:
    db.execute(
        """UPDATE feeds SET last_error = ?, last_error_at = ?, last_checked = ?,
        error_count = error_count + 1, retry_after_until = ?, retry_by_server = ?,
        status = CASE WHEN ? THEN 'gone' ELSE status END WHERE id = ?""",
        (error, stamp, stamp, retry_until, int(by_server), int(gone), feed_id),
    )


def feed_unchanged(
    db: sqlite3.Connection, feed_id: int, fetched: FetchResult, stamp: float
) -> None:
    db.execute(
        """UPDATE feeds SET last_error = NULL, error_count = 0, retry_after_until = NULL, last_checked = ?,
        last_success = ?, etag = coalesce(?, etag),
        last_modified = coalesce(?, last_modified) WHERE id = ?""",
        (stamp, stamp, fetched.etag, fetched.last_modified, feed_id),
    )
