"""Article lists, one article, user state (read, saved, tags, position) and retention."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from reader.core._storage import sync as _sync
from reader.core._storage import tags as _tags
from reader.core._storage.rows import SUMMARY_COLUMNS, summary_from_row
from reader.core._storage.schema import transaction
from reader.core._storage.where import article_where
from reader.core.errors import NotFoundError
from reader.core.models import ArticleQuery, ArticleSummary


def count(db: sqlite3.Connection, query: ArticleQuery) -> int:
    where, params = article_where(query)
    return int(db.execute(f"SELECT count(*) FROM articles a WHERE {where}", params).fetchone()[0])


def page(
    db: sqlite3.Connection, query: ArticleQuery, offset: int, limit: int
) -> list[ArticleSummary]:
    """Newest first; a story reached through several feeds (same link) appears once."""
    where, params = article_where(query)
    # Skip rows on the (covering) index first, then read just the page's rows:
    # an OFFSET over full rows costs hundreds of ms deep in a 100,000-article list.
    rows = db.execute(
        f"""WITH page AS (
            SELECT a.id, a.sort_time FROM articles a WHERE {where}
            ORDER BY a.sort_time DESC, a.id DESC LIMIT ? OFFSET ?)
        SELECT {SUMMARY_COLUMNS} FROM page JOIN articles a ON a.id = page.id
        LEFT JOIN feeds f ON f.id = a.feed_id
        ORDER BY page.sort_time DESC, page.id DESC""",
        [*params, limit, offset],
    ).fetchall()
    return [summary_from_row(row) for row in rows]


def sort_key(db: sqlite3.Connection, article_id: int) -> tuple[float, int]:
    row = db.execute("SELECT sort_time, id FROM articles WHERE id = ?", (article_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"no article with id {article_id}")
    return row[0], row[1]


def position(db: sqlite3.Connection, query: ArticleQuery, article_id: int) -> int | None:
    """The row index of an article in a view, or None if it is not in it."""
    where, params = article_where(query)
    try:
        sort_time, _ = sort_key(db, article_id)
    except NotFoundError:
        return None
    if not db.execute(
        f"SELECT 1 FROM articles a WHERE {where} AND a.id = ?", [*params, article_id]
    ).fetchone():
        return None
    return int(
        db.execute(
            f"""SELECT count(*) FROM articles a WHERE {where}
            AND (a.sort_time > ? OR (a.sort_time = ? AND a.id > ?))""",
            [*params, sort_time, sort_time, article_id],
        ).fetchone()[0]
    )


def next_unread(
    db: sqlite3.Connection, query: ArticleQuery, after_article_id: int | None, backwards: bool
) -> ArticleSummary | None:
    where, params = article_where(ArticleQuery(query.feed_id, True, query.saved_only, query.tag))
    order = "ASC" if backwards else "DESC"
    if after_article_id is None:
        place, place_params = "1", []
    else:
        sort_time, article_id = sort_key(db, after_article_id)
        comparison = ">" if backwards else "<"
        place = f"(a.sort_time {comparison} ? OR (a.sort_time = ? AND a.id {comparison} ?))"
        place_params = [sort_time, sort_time, article_id]
    row = db.execute(
        f"""SELECT {SUMMARY_COLUMNS} FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id
        WHERE {where} AND {place} ORDER BY a.sort_time {order}, a.id {order} LIMIT 1""",
        [*params, *place_params],
    ).fetchone()
    return summary_from_row(row) if row else None


def article_row(db: sqlite3.Connection, article_id: int) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        """SELECT a.*, coalesce(f.user_title, f.title, a.feed_title) AS current_feed_title,
            (SELECT group_concat(tag, char(31)) FROM article_tags t
                WHERE t.article_id = a.id) AS tags
        FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id WHERE a.id = ?""",
        (article_id,),
    ).fetchone()
    return row


def ids(db: sqlite3.Connection, query: ArticleQuery) -> list[int]:
    where, params = article_where(query)
    return [
        row[0]
        for row in db.execute(
            f"SELECT a.id FROM articles a WHERE {where} ORDER BY a.sort_time DESC, a.id DESC",
            params,
        )
    ]


def existing(db: sqlite3.Connection, article_ids: Iterable[int]) -> set[int]:
    return {
        row[0]
        for row in db.execute(
            "SELECT id FROM articles WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(article_ids)),),
        )
    }


def set_read_with_copies(
    connection: sqlite3.Connection, article_ids: Sequence[int], read: bool, stamp: float | None
) -> None:
    """Set read state on articles and on every copy of their stories (the same link
    reached through other feeds): read once is read everywhere."""
    connection.execute(
        """WITH story AS (SELECT coalesce(duplicate_of, id) AS id FROM articles
            WHERE id IN (SELECT value FROM json_each(:ids)))
        UPDATE articles SET read = :read, read_at = :stamp
        WHERE (id IN (SELECT id FROM story) OR duplicate_of IN (SELECT id FROM story))
        AND (read != :read OR :read = 1)""",
        {"ids": json.dumps(list(article_ids)), "read": int(read), "stamp": stamp},
    )


def mark_read(
    db: sqlite3.Connection, article_ids: Sequence[int], read: bool, stamp: float | None
) -> None:
    with transaction(db):
        set_read_with_copies(db, article_ids, read, stamp)
        kind = "read" if read else "unread"
        _sync.enqueue_articles(db, kind, article_ids, stamp, with_copies=True)


def mark_query_read(db: sqlite3.Connection, query: ArticleQuery, stamp: float) -> list[int]:
    where, params = article_where(query)
    with transaction(db):
        changed = [
            row[0]
            for row in db.execute(
                f"SELECT a.id FROM articles a WHERE {where} AND a.read = 0", params
            )
        ]
        set_read_with_copies(db, changed, True, stamp)
        _sync.enqueue_articles(db, "read", changed, stamp, with_copies=True)
        return changed


def save(
    db: sqlite3.Connection, article_ids: Sequence[int], saved: bool, stamp: float | None
) -> None:
    with transaction(db):
        db.execute(
            """UPDATE articles SET saved = ?, saved_at = ?
            WHERE id IN (SELECT value FROM json_each(?))""",
            (int(saved), stamp, json.dumps(list(article_ids))),
        )
        _sync.enqueue_articles(db, "save" if saved else "unsave", article_ids, stamp)


def set_reading_position(db: sqlite3.Connection, article_id: int, place: int) -> None:
    with transaction(db):
        db.execute(
            "UPDATE articles SET reading_position = ? WHERE id = ?", (max(0, place), article_id)
        )


def tag(db: sqlite3.Connection, article_id: int, tags: Sequence[str]) -> None:
    with transaction(db):
        _tags.add_article_tags(db, article_id, tags)


def untag(db: sqlite3.Connection, article_id: int, tags: Sequence[str]) -> None:
    with transaction(db):
        _tags.remove_article_tags(db, article_id, tags)


def pending_full_texts(db: sqlite3.Connection) -> int:
    return int(
        db.execute("SELECT count(*) FROM articles WHERE fulltext_state = 'pending'").fetchone()[0]
    )


def prune(db: sqlite3.Connection, cutoff: float, open_id: int, stamp: float) -> int:
    """Delete read articles nobody kept (see Library.prune), leaving tombstones."""
    # fetched_at first, by index: most days no article is old enough, and nothing more
    # is read (the subquery below runs only for a candidate).
    prunable = """{a}.fetched_at < :cutoff AND coalesce({a}.read_at, 0) < :cutoff
        AND {a}.feed_id IS NOT NULL AND {a}.read = 1 AND {a}.saved = 0 AND {a}.id != :open
        AND {a}.id NOT IN (SELECT article_id FROM annotations)
        AND {a}.id NOT IN (SELECT article_id FROM article_tags)"""
    # A story and its copies in other feeds go together or not at all: a lone copy
    # left behind would otherwise surface in All as a story of its own.
    doomed = f"""SELECT a.id FROM articles a WHERE {prunable.format(a="a")}
        AND coalesce(a.duplicate_of, a.id) NOT IN (SELECT coalesce(b.duplicate_of, b.id)
            FROM articles b WHERE NOT ({prunable.format(a="b")}))"""
    params: dict[str, Any] = {"cutoff": cutoff, "open": open_id}
    with transaction(db):
        chosen_ids = [row[0] for row in db.execute(doomed, params)]
        if not chosen_ids:
            return 0
        chosen = json.dumps(chosen_ids)
        db.execute(
            """INSERT OR IGNORE INTO tombstones (feed_id, key, pruned_at)
            SELECT feed_id, key, ? FROM articles WHERE id IN (SELECT value FROM json_each(?))""",
            (stamp, chosen),
        )
        db.execute("DELETE FROM articles WHERE id IN (SELECT value FROM json_each(?))", (chosen,))
        return len(chosen_ids)


def is_saved(db: sqlite3.Connection, article_id: int) -> bool:
    row = db.execute("SELECT saved FROM articles WHERE id = ?", (article_id,)).fetchone()
    return bool(row and row[0])


def feed_url(db: sqlite3.Connection, article_id: int) -> str | None:
    """The address of the feed an article came from (kept after unsubscribing)."""
    row = db.execute(
        """SELECT coalesce(f.url, a.feed_url) FROM articles a
        LEFT JOIN feeds f ON f.id = a.feed_id WHERE a.id = ?""",
        (article_id,),
    ).fetchone()
    return row[0] if row else None


def tag_counts(db: sqlite3.Connection, unread_only: bool) -> list[tuple[str, int]]:
    """Every tag with the number of articles its view selects (the same WHERE as the
    view, so sidebar counts and lists agree)."""
    return [
        (name, count(db, ArticleQuery(tag=name, unread_only=unread_only)))
        for name in _tags.tag_names(db)
    ]
