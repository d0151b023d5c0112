"""Article text after storing: cleaning, story pages (full text), the search index."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from reader.core._storage.schema import transaction


def all_ids(db: sqlite3.Connection) -> list[int]:
    return [row[0] for row in db.execute("SELECT id FROM articles")]


def ids_to_clean(db: sqlite3.Connection, version: int, limit: int | None) -> list[int]:
    """Articles refresh stored uncleaned (or an older cleaner cleaned), newest first."""
    # "IS NOT ?" spelled as ranges, which the cleaner_version index answers.
    rows = db.execute(
        """SELECT id FROM articles WHERE cleaner_version IS NULL OR cleaner_version < :v
        OR cleaner_version > :v ORDER BY sort_time DESC"""
        + (" LIMIT :limit" if limit is not None else ""),
        {"v": version, "limit": limit},
    ).fetchall()
    return [row[0] for row in rows]


def rows_to_clean(db: sqlite3.Connection, ids: list[int]) -> list[sqlite3.Row]:
    placeholders = ",".join("?" * len(ids))
    return db.execute(
        f"""SELECT id, raw_content, page_html, link, content_type, cleaned_text,
        cleaner_version FROM articles WHERE id IN ({placeholders})""",
        ids,
    ).fetchall()


def write_cleaned(db: sqlite3.Connection, batch: list[list[Any]], version: int) -> None:
    """``batch``: [id, text, blocks JSON, removed JSON, published] per article."""
    with transaction(db):
        # One statement for the batch: the FTS5 update trigger then runs inside one
        # savepoint, and FTS5 flushes once instead of once per article (3.5x faster).
        db.execute(
            """UPDATE articles SET cleaned_text = v.value ->> 1,
            cleaned_blocks = v.value ->> 2, removed = v.value ->> 3, cleaner_version = ?,
            published = coalesce(articles.published, v.value ->> 4),
            sort_time = CASE WHEN articles.published IS NULL AND v.value ->> 4 IS NOT NULL
                THEN v.value ->> 4 ELSE articles.sort_time END
            FROM json_each(?) AS v WHERE articles.id = v.value ->> 0""",
            (version, json.dumps(batch, ensure_ascii=False)),
        )


def annotated(db: sqlite3.Connection, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    placeholders = ",".join("?" * len(ids))
    return {
        row[0]
        for row in db.execute(
            f"SELECT DISTINCT article_id FROM annotations WHERE article_id IN ({placeholders})",
            list(ids),
        )
    }


def merge_index_step(db: sqlite3.Connection, pages: int) -> bool:
    """One short merge of the search index's segments; False when nothing was merged."""
    before = db.total_changes
    with transaction(db):
        db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('merge', ?)", (pages,))
    return db.total_changes - before >= 2  # FTS5's sign that something was merged


def pending_pages(db: sqlite3.Connection) -> list[sqlite3.Row]:
    return db.execute(
        """SELECT id, link, cleaned_text FROM articles WHERE fulltext_state = 'pending'
        ORDER BY sort_time DESC, id DESC"""
    ).fetchall()


def set_fulltext_state(db: sqlite3.Connection, article_id: int, state: str) -> None:
    with transaction(db):
        db.execute("UPDATE articles SET fulltext_state = ? WHERE id = ?", (state, article_id))


def store_page(
    db: sqlite3.Connection, article_id: int, html: str, columns: tuple[str, str, str], version: int
) -> None:
    """The story page gave more text than the feed: keep it and its cleaned text."""
    with transaction(db):
        db.execute(
            """UPDATE articles SET page_html = ?, fulltext_state = 'done', cleaned_text = ?,
            cleaned_blocks = ?, removed = ?, cleaner_version = ? WHERE id = ?""",
            (html, *columns, version, article_id),
        )
