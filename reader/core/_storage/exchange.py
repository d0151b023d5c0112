"""Import of exported articles: find or insert the article, merge the user's state."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from reader.core._storage import sync as _sync
from reader.core._storage import tags as _tags
from reader.core._storage.ingest import ARTICLE_COLUMNS, insert_articles
from reader.core._storage.schema import transaction


def find_article(db: sqlite3.Connection, feed_url: str | None, key: str) -> int | None:
    row = db.execute(
        "SELECT id FROM articles WHERE feed_url IS ? AND key = ?", (feed_url, key)
    ).fetchone()
    return row[0] if row else None


def feed_id(db: sqlite3.Connection, feed_url: str | None) -> int | None:
    row = db.execute("SELECT id FROM feeds WHERE url = ?", (feed_url,)).fetchone()
    return row[0] if row else None


def insert_article(db: sqlite3.Connection, columns: dict[str, Any]) -> int:
    """Insert one article given by column name (others take their defaults of a new
    article), through the one INSERT INTO articles."""
    defaults: dict[str, Any] = {"read": 0, "cleaner_version": 0, "enclosures": "[]"}
    row = tuple(columns.get(name, defaults.get(name)) for name in ARTICLE_COLUMNS)
    (article_id,) = insert_articles(db, [row])
    return article_id


def merge_user_state(
    db: sqlite3.Connection,
    article_id: int,
    saved: bool,
    read: bool,
    tags: Sequence[str],
    stamp: float,
) -> bool:
    """Merge saved/read state and tags from an export; True if anything changed.
    A mark restored here is a change made here: queued for a feed server, as ``save``
    and ``mark-read`` queue theirs, or the server's state would undo it at a sync."""
    changes = db.total_changes
    saving = "saved = 1, saved_at = coalesce(saved_at, :stamp) WHERE id = :id AND saved = 0"
    reading = "read = 1, read_at = :stamp WHERE id = :id AND read = 0"
    for wanted, kind, assignment in ((saved, "save", saving), (read, "read", reading)):
        values = {"stamp": stamp, "id": article_id}
        if wanted and db.execute(f"UPDATE articles SET {assignment}", values).rowcount:
            _sync.enqueue_articles(db, kind, [article_id], stamp)
    _tags.add_article_tags(db, article_id, tags)
    return db.total_changes != changes


def import_article(
    db: sqlite3.Connection,
    columns: dict[str, Any],
    *,
    saved: bool,
    read: bool,
    tags: Sequence[str],
    stamp: float,
) -> tuple[int, str]:
    """Add an exported article (``columns`` by name, ``feed_url`` and ``key`` among
    them) unless the library has it, then merge the user's state into it, in one
    transaction: its id and "added", "updated" or "unchanged"."""
    feed_url, key = columns["feed_url"], columns["key"]
    with transaction(db):
        article_id = find_article(db, feed_url, key)
        outcome = "unchanged"
        if article_id is None:
            article_id = insert_article(db, {**columns, "feed_id": feed_id(db, feed_url)})
            outcome = "added"
        changed = merge_user_state(db, article_id, saved, read, tags, stamp)
    return article_id, "updated" if changed and outcome == "unchanged" else outcome
