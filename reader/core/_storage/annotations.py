"""Highlights, article notes and note drafts."""

from __future__ import annotations

import sqlite3
from typing import Any

from reader.core._storage.rows import summary_from_row
from reader.core._storage.tags import tag_filter
from reader.core.models import ArticleSummary

COLUMNS = """n.id, n.uuid, n.article_id, n.kind, n.exact, n.prefix, n.suffix, n.start,
    n."end", n.note, n.orphaned, n.created, n.modified"""


def article_exists(db: sqlite3.Connection, article_id: int) -> bool:
    return db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None


def by_id(db: sqlite3.Connection, annotation_id: int) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        f"SELECT {COLUMNS} FROM annotations n WHERE n.id = ?", (annotation_id,)
    ).fetchone()
    return row


def by_uuid(db: sqlite3.Connection, uuid: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        f"SELECT {COLUMNS} FROM annotations n WHERE n.uuid = ?", (uuid,)
    ).fetchone()
    return row


def for_article(db: sqlite3.Connection, article_id: int) -> list[sqlite3.Row]:
    """The article note first, then highlights by position, then orphans."""
    return db.execute(
        f"""SELECT {COLUMNS} FROM annotations n WHERE n.article_id = ?
        ORDER BY n.kind = 'highlight', n.orphaned, n.start, n."end", n.id""",
        (article_id,),
    ).fetchall()


def article_note(db: sqlite3.Connection, article_id: int) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        f"""SELECT {COLUMNS} FROM annotations n WHERE n.article_id = ? AND n.kind = 'note'
        ORDER BY n.id LIMIT 1""",
        (article_id,),
    ).fetchone()
    return row


def listed(
    db: sqlite3.Connection,
    tag: str | None,
    feed_id: int | None,
    match: str | None,
    limit: int,
    offset: int,
) -> list[tuple[sqlite3.Row, ArticleSummary]]:
    """Annotations with their articles, newest first; ``match`` is an FTS5 expression."""
    clauses: list[str] = ["1"]
    params: list[Any] = []
    if tag is not None:
        clauses.append(tag_filter("a"))
        params += [tag, tag]
    if feed_id is not None:
        clauses.append("a.feed_id = ?")
        params.append(feed_id)
    if match is not None:
        clauses.append("n.id IN (SELECT rowid FROM annotations_fts WHERE annotations_fts MATCH ?)")
        params.append(match)
    rows = db.execute(
        f"""SELECT {COLUMNS}, a.feed_id, a.title, a.link, a.published, a.read, a.saved,
            coalesce(f.user_title, f.title, a.feed_title) AS feed_title
        FROM annotations n JOIN articles a ON a.id = n.article_id
        LEFT JOIN feeds f ON f.id = a.feed_id
        WHERE {" AND ".join(clauses)} ORDER BY n.created DESC, n.id DESC LIMIT ? OFFSET ?""",
        [*params, max(0, limit), max(0, offset)],
    ).fetchall()
    return [(row, summary_from_row(row, "article_id")) for row in rows]


def insert(db: sqlite3.Connection, values: tuple[Any, ...], wanted_id: int | None = None) -> int:
    """Insert (uuid, article_id, kind, exact, prefix, suffix, start, end, note, orphaned,
    created, modified); with ``wanted_id``, reuse that id when it is free."""
    free = (
        wanted_id is not None
        and not db.execute("SELECT 1 FROM annotations WHERE id = ?", (wanted_id,)).fetchone()
    )
    cursor = db.execute(
        """INSERT INTO annotations (id, uuid, article_id, kind, exact, prefix, suffix, start,
        "end", note, orphaned, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (wanted_id if free else None, *values),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def set_note(db: sqlite3.Connection, annotation_id: int, note: str | None, modified: float) -> None:
    db.execute(
        "UPDATE annotations SET note = ?, modified = ? WHERE id = ?",
        (note, modified, annotation_id),
    )


def delete(db: sqlite3.Connection, annotation_id: int) -> None:
    db.execute("DELETE FROM annotations WHERE id = ?", (annotation_id,))


def orphan(db: sqlite3.Connection, annotation_id: int) -> None:
    db.execute("UPDATE annotations SET orphaned = 1 WHERE id = ?", (annotation_id,))


def place(
    db: sqlite3.Connection,
    annotation_id: int,
    exact: str,
    prefix: str,
    suffix: str,
    start: int,
    end: int,
) -> None:
    db.execute(
        """UPDATE annotations SET exact = ?, prefix = ?, suffix = ?, start = ?, "end" = ?,
        orphaned = 0 WHERE id = ?""",
        (exact, prefix, suffix, start, end, annotation_id),
    )


def save_draft(db: sqlite3.Connection, key: str, text: str, stamp: float) -> None:
    db.execute(
        """INSERT INTO note_drafts (key, text, updated) VALUES (?, ?, ?)
        ON CONFLICT (key) DO UPDATE SET text = excluded.text, updated = excluded.updated""",
        (key, text, stamp),
    )


def draft(db: sqlite3.Connection, key: str) -> str | None:
    row = db.execute("SELECT text FROM note_drafts WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def discard_draft(db: sqlite3.Connection, key: str) -> None:
    db.execute("DELETE FROM note_drafts WHERE key = ?", (key,))
