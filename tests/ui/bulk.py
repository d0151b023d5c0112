"""Many articles in a real library, fast: rows inserted with SQL the way refresh stores them
(raw HTML, plain text, cleaner_version 0 — the cleaner runs later)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from reader.core import Library
from reader.core._storage import index_articles, transaction

# 2025-06-03 09:00 UTC; article n is n minutes older.
NEWEST = 1748941200.0


def bulk_library(root: Path, count: int, *, feed_title: str = "Firehose") -> tuple[Library, int]:
    """A library (no samples) with one feed holding ``count`` unread, uncleaned articles."""
    library = Library.open(root / "data", config_dir_path=root / "config", samples=False)
    feed = library.add_feed("https://firehose.example/feed.xml", title=feed_title)
    library.set_feed_fulltext(feed.id, "never")
    rows = []
    for number in range(1, count + 1):
        title = f"Story number {number} about the harbour"
        body = (
            f"Story {number}: the harbour authority met on Tuesday to discuss the new quay. "
            "Fishermen said the plans ignore the winter storms. Support our journalism today."
        )
        stamp = NEWEST - number * 60
        rows.append(
            (
                feed.id, feed_title, feed.url, f"story-{number}", title,
                f"https://firehose.example/{number}", stamp, stamp, stamp, f"<p>{body}</p>",
                "text/html", hashlib.sha256(f"{title}\x00{body}".encode()).hexdigest(), body,
            )
        )  # fmt: skip
    with transaction(library.db.connection()) as db:
        db.executemany(
            """INSERT INTO articles (feed_id, feed_title, feed_url, key, title, link,
            published, sort_time, fetched_at, raw_content, content_type, content_hash,
            cleaned_text, cleaner_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)""",
            rows,
        )
        ids = [
            row[0] for row in db.execute("SELECT id FROM articles WHERE feed_id = ?", (feed.id,))
        ]
        index_articles(db, ids)
        db.execute(
            "UPDATE feeds SET last_checked = ?, last_success = ? WHERE id = ?",
            (NEWEST, NEWEST, feed.id),
        )
    return library, feed.id
