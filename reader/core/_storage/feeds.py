"""Feeds, and the app's key/value state."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from reader.core._storage import sync as _sync
from reader.core._storage import tags as _tags
from reader.core._storage.rows import FEED_COLUMNS, feed_from_row
from reader.core._storage.schema import transaction
from reader.core.models import Feed


def data_version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA data_version").fetchone()[0])


def get_state(db: sqlite3.Connection, key: str) -> str | None:
    row = db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_state(db: sqlite3.Connection, key: str, value: str) -> None:
    with transaction(db):
        db.execute(
            "INSERT INTO state (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


def feeds(db: sqlite3.Connection, feed_id: int | None = None) -> list[Feed]:
    # One pass over a covering index counts every feed at once.
    scope = "" if feed_id is None else "AND feed_id = ?"
    params = [] if feed_id is None else [feed_id, feed_id]
    rows = db.execute(
        f"""WITH counts AS (
            SELECT feed_id, count(*) AS total,
                sum(read = 0) AS unread
            FROM articles WHERE feed_id IS NOT NULL {scope} GROUP BY feed_id)
        SELECT {FEED_COLUMNS}, coalesce(c.unread, 0) AS unread, coalesce(c.total, 0) AS total,
            (SELECT group_concat(tag, char(31)) FROM feed_tags t WHERE t.feed_id = f.id) AS tags
        FROM feeds f LEFT JOIN counts c ON c.feed_id = f.id
        {"" if feed_id is None else "WHERE f.id = ?"}
        ORDER BY lower(coalesce(f.user_title, f.title, f.url)), f.id""",
        params,
    ).fetchall()
    return [feed_from_row(row) for row in rows]


def feed_id_by_url(db: sqlite3.Connection, url: str) -> int | None:
    row = db.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()
    return row[0] if row else None


def add_feed(
    db: sqlite3.Connection, url: str, title: str | None, tags: Sequence[str], stamp: float
) -> int:
    """Subscribe (or find the subscription) and tag it, in one transaction."""
    with transaction(db):
        feed_id = feed_id_by_url(db, url)
        if feed_id is None:
            feed_id = db.execute(
                "INSERT INTO feeds (url, user_title, added_at) VALUES (?, ?, ?)",
                (url, title, stamp),
            ).lastrowid
            if url.startswith(("http://", "https://")):  # the server fetches only the web
                folder = _tags.canonical_tags(db, tags)[:1]
                payload = {"title": title, "folder": folder[0] if folder else None}
                _sync.enqueue_feed(db, "subscribe", url, payload, stamp)
        assert feed_id is not None
        _tags.add_feed_tags(db, feed_id, tags)
    return feed_id


def remove_feed(
    db: sqlite3.Connection, feed_id: int, stamp: float, *, tell_server: bool = True
) -> None:
    """Unsubscribe. Saved, tagged and annotated articles stay, detached from the feed.
    With an account the server is told at the next sync, unless it is the server that
    dropped the feed (``tell_server`` False)."""
    with transaction(db):
        if not tell_server:
            db.execute("DELETE FROM sync_feeds WHERE feed_id = ?", (feed_id,))
        _sync.enqueue_unsubscribe(db, feed_id, stamp)
        # Articles kept after unsubscribing are local ones: the server's state (which
        # may drop the feed's items) no longer applies to them.
        db.execute(
            """DELETE FROM sync_items
            WHERE article_id IN (SELECT id FROM articles WHERE feed_id = ?)""",
            (feed_id,),
        )
        db.execute(
            """DELETE FROM articles WHERE feed_id = ? AND saved = 0
            AND id NOT IN (SELECT article_id FROM annotations)
            AND id NOT IN (SELECT article_id FROM article_tags)""",
            (feed_id,),
        )
        db.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))


def rename_feed(db: sqlite3.Connection, feed_id: int, title: str | None, stamp: float) -> None:
    with transaction(db):
        db.execute("UPDATE feeds SET user_title = ? WHERE id = ?", (title, feed_id))
        _sync.enqueue_rename(db, feed_id, title, stamp)


def set_fulltext(db: sqlite3.Connection, feed_id: int, mode: str) -> None:
    with transaction(db):
        db.execute("UPDATE feeds SET fulltext = ? WHERE id = ?", (mode, feed_id))
        if mode == "never":  # stop what earlier refreshes queued
            db.execute(
                """UPDATE articles SET fulltext_state = NULL
                WHERE feed_id = ? AND fulltext_state = 'pending'""",
                (feed_id,),
            )


def tag_feed(db: sqlite3.Connection, feed_id: int, tags: Sequence[str]) -> None:
    with transaction(db):
        _tags.add_feed_tags(db, feed_id, tags)


def untag_feed(db: sqlite3.Connection, feed_id: int, tags: Sequence[str]) -> None:
    with transaction(db):
        _tags.remove_feed_tags(db, feed_id, tags)


def waiting_feeds(db: sqlite3.Connection, stamp: float, automatic: bool) -> dict[int, float]:
    """Feeds in back-off: id -> until when. A person asking overrides our back-off, not a
    server's Retry-After."""
    return {
        row[0]: row[1]
        for row in db.execute(
            "SELECT id, retry_after_until FROM feeds WHERE retry_after_until > ?"
            + ("" if automatic else " AND retry_by_server = 1"),
            (stamp,),
        )
    }


def feeds_matching(db: sqlite3.Connection, text: str, pattern: str) -> list[int]:
    """Feeds whose title or URL is LIKE ``pattern``, or whose id is ``text``."""
    return [
        row[0]
        for row in db.execute(
            """SELECT id FROM feeds WHERE coalesce(user_title, title, url) LIKE ? ESCAPE '\\'
            OR url LIKE ? ESCAPE '\\' OR CAST(id AS TEXT) = ?""",
            (pattern, pattern, text),
        )
    ]
