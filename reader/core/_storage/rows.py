"""Rows to models: the columns the list queries select and how they become objects."""

from __future__ import annotations

import json
import sqlite3

from reader.core.models import Article, ArticleSummary, Block, Enclosure, Feed, Removal

FEED_COLUMNS = """
    f.id, f.url, coalesce(f.user_title, f.title, f.url) AS title, f.site_url, f.etag,
    f.last_modified, f.last_error, f.last_success, f.last_checked, f.status, f.fulltext
"""

SUMMARY_COLUMNS = """
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


def feed_from_row(row: sqlite3.Row) -> Feed:
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


def article_from_row(row: sqlite3.Row) -> Article:
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
