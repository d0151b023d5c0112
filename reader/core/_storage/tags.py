"""Tags: one rule for their case everywhere (case-insensitive; the first spelling is
kept for display), and the one SQL test for "this article carries this tag"."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence


def tag_key(tag: str | None) -> str | None:
    """What makes two tags the same tag: case never does (registered as ``tag_key``;
    Unicode case folding, where SQLite's NOCASE folds ASCII only)."""
    return None if tag is None else tag.casefold()


# The spelling a tag is merged into by the case migration (the smallest one).
CANONICAL_SPELLING = """(SELECT min(spelling.tag) FROM
    (SELECT tag FROM article_tags UNION SELECT tag FROM feed_tags) AS spelling
    WHERE tag_key(spelling.tag) = tag_key(t.tag))"""


def tag_filter(alias: str = "a") -> str:
    """The one SQL test for "article ``alias`` carries this tag", on itself or through its
    feed; takes the tag twice as parameters. Every tag filter (lists, search, the
    annotations screen, export) uses it, so they cannot disagree about case."""
    return (
        f"({alias}.id IN (SELECT article_id FROM article_tags WHERE tag_key(tag) = tag_key(?))"
        f" OR {alias}.feed_id IN (SELECT feed_id FROM feed_tags WHERE tag_key(tag) = tag_key(?)))"
    )


def canonical_tags(connection: sqlite3.Connection, tags: Sequence[str]) -> list[str]:
    """Each tag in the spelling the library already uses for it (the first one given),
    without repeats: "News" stays "News" when someone later types "news"."""
    known = {
        tag_key(row[0]): row[0]
        for row in connection.execute(
            "SELECT tag FROM article_tags UNION SELECT tag FROM feed_tags ORDER BY 1 DESC"
        )
    }
    result: list[str] = []
    for tag in tags:
        key = tag_key(tag)
        spelling = known.setdefault(key, tag)
        if spelling not in result:
            result.append(spelling)
    return result


def add_article_tags(db: sqlite3.Connection, article_id: int, tags: Sequence[str]) -> None:
    for tag in canonical_tags(db, tags):
        db.execute(
            "INSERT OR IGNORE INTO article_tags (article_id, tag) VALUES (?, ?)",
            (article_id, tag),
        )


def remove_article_tags(db: sqlite3.Connection, article_id: int, tags: Sequence[str]) -> None:
    for tag in tags:
        db.execute(
            "DELETE FROM article_tags WHERE article_id = ? AND tag_key(tag) = tag_key(?)",
            (article_id, tag),
        )


def add_feed_tags(db: sqlite3.Connection, feed_id: int, tags: Sequence[str]) -> None:
    for tag in canonical_tags(db, tags):
        db.execute("INSERT OR IGNORE INTO feed_tags (feed_id, tag) VALUES (?, ?)", (feed_id, tag))


def remove_feed_tags(db: sqlite3.Connection, feed_id: int, tags: Sequence[str]) -> None:
    for tag in tags:
        db.execute(
            "DELETE FROM feed_tags WHERE feed_id = ? AND tag_key(tag) = tag_key(?)",
            (feed_id, tag),
        )


def tag_names(db: sqlite3.Connection) -> list[str]:
    """Every tag on articles or feeds, sorted."""
    return [
        row[0]
        for row in db.execute(
            "SELECT tag FROM article_tags UNION SELECT tag FROM feed_tags ORDER BY 1"
        )
    ]
