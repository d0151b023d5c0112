"""Sync with a feed server: the server's ids of feeds and articles, the durable queue
of local changes not yet sent, and the sync's state.

The queue is written in the same transaction as the local change it records (the
``enqueue_*`` functions run inside the caller's transaction), so a change that is
committed here is always either queued or already sent: a crash loses neither. A
change is queued only while the library has an account (a row ``account`` in
``sync_state``), and an article change only for articles the server knows.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from reader.core._storage import tags as _tags
from reader.core._storage.schema import transaction

ITEM_KINDS = ("read", "unread", "save", "unsave")
FEED_KINDS = ("subscribe", "unsubscribe", "rename")

_HAS_ACCOUNT = "EXISTS (SELECT 1 FROM sync_state WHERE key = 'account')"
_SQL_NOW = "(julianday('now') - 2440587.5) * 86400.0"


# A NamedTuple, not a dataclass: made ~10 times faster when the module is imported,
# which every sync's start-up pays (see benchmarks/README.md, sync).
class QueuedChange(NamedTuple):
    seq: int
    kind: str
    target: str  # the server's item id (article changes) or the feed's URL (feed changes)
    payload: dict[str, Any]


# -- account and state ------------------------------------------------------------


def get_state(db: sqlite3.Connection, key: str) -> str | None:
    row = db.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_state(db: sqlite3.Connection, values: dict[str, str]) -> None:
    with transaction(db):
        db.executemany(
            "INSERT INTO sync_state (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            list(values.items()),
        )


def forget_account(db: sqlite3.Connection) -> int:
    """The library becomes local again: every feed and article stays, the server's ids,
    the queue and the state go. Returns how many queued changes were never sent."""
    with transaction(db):
        unsent = pending_count(db)
        for table in ("sync_queue", "sync_items", "sync_feeds", "sync_state"):
            db.execute(f"DELETE FROM {table}")
    return unsent


# -- the queue --------------------------------------------------------------------


def pending_count(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT count(*) FROM sync_queue").fetchone()[0])


def queue_head(db: sqlite3.Connection, limit: int = 500) -> list[QueuedChange]:
    return [
        QueuedChange(row[0], row[1], row[2], json.loads(row[3]))
        for row in db.execute(
            "SELECT seq, kind, target, payload FROM sync_queue ORDER BY seq LIMIT ?", (limit,)
        )
    ]


def delete_changes(db: sqlite3.Connection, seqs: Sequence[int]) -> None:
    """The server accepted these changes: only now do they leave the queue."""
    with transaction(db):
        db.execute(
            "DELETE FROM sync_queue WHERE seq IN (SELECT value FROM json_each(?))",
            (json.dumps(list(seqs)),),
        )


def enqueue_articles(
    db: sqlite3.Connection,
    kind: str,
    article_ids: Sequence[int],
    stamp: float | None,
    *,
    with_copies: bool = False,
) -> None:
    """Queue an article change for each given article the server knows (and, for read
    state, every copy of their stories in other feeds). Inside the caller's transaction.
    ``stamp`` only records when (undoing a read passes none: the database's clock)."""
    copies = (
        "OR a.id IN (SELECT id FROM story) OR a.duplicate_of IN (SELECT id FROM story)"
        if with_copies
        else ""
    )
    db.execute(
        f"""WITH story AS (SELECT coalesce(duplicate_of, id) AS id FROM articles
            WHERE id IN (SELECT value FROM json_each(:ids)))
        INSERT INTO sync_queue (kind, target, payload, created)
        SELECT :kind, s.remote_id, '{{}}', coalesce(:stamp, {_SQL_NOW})
        FROM sync_items s JOIN articles a ON a.id = s.article_id
        WHERE {_HAS_ACCOUNT} AND (a.id IN (SELECT value FROM json_each(:ids)) {copies})
        ORDER BY a.id""",
        {"ids": json.dumps(list(article_ids)), "kind": kind, "stamp": stamp},
    )


def enqueue_feed(
    db: sqlite3.Connection, kind: str, url: str, payload: dict[str, Any], stamp: float
) -> None:
    """Queue a feed change (by the feed's URL), inside the caller's transaction."""
    db.execute(
        f"""INSERT INTO sync_queue (kind, target, payload, created)
        SELECT ?, ?, ?, ? WHERE {_HAS_ACCOUNT}""",
        (kind, url, json.dumps(payload), stamp),
    )


def enqueue_unsubscribe(db: sqlite3.Connection, feed_id: int, stamp: float) -> None:
    """Before a feed row goes: queue its unsubscription with the server's id, or, for a
    subscription not sent yet, take the queued subscription back."""
    row = db.execute(
        """SELECT f.url, s.remote_id FROM feeds f LEFT JOIN sync_feeds s ON s.feed_id = f.id
        WHERE f.id = ?""",
        (feed_id,),
    ).fetchone()
    if row is None:
        return
    url, remote_id = row
    if remote_id is None:
        db.execute(
            "DELETE FROM sync_queue WHERE kind IN ('subscribe', 'rename') AND target = ?", (url,)
        )
    else:
        enqueue_feed(db, "unsubscribe", url, {"remote_id": remote_id}, stamp)


def enqueue_rename(db: sqlite3.Connection, feed_id: int, title: str | None, stamp: float) -> None:
    row = db.execute(
        "SELECT url, coalesce(?, title, url) FROM feeds WHERE id = ?", (title, feed_id)
    ).fetchone()
    if row is not None:
        enqueue_feed(db, "rename", row[0], {"title": row[1]}, stamp)


def queued_item_targets(db: sqlite3.Connection) -> set[str]:
    return {
        row[0]
        for row in db.execute(
            "SELECT DISTINCT target FROM sync_queue WHERE kind IN ('read','unread','save','unsave')"
        )
    }


def has_queued(db: sqlite3.Connection, kind: str, target: str) -> bool:
    return (
        db.execute(
            "SELECT 1 FROM sync_queue WHERE kind = ? AND target = ? LIMIT 1", (kind, target)
        ).fetchone()
        is not None
    )


# -- feeds ------------------------------------------------------------------------


def feed_links(db: sqlite3.Connection) -> dict[str, tuple[int, list[str]]]:
    """remote feed id -> (local feed id, the folders last taken from the server)."""
    return {
        row[0]: (row[1], json.loads(row[2]))
        for row in db.execute("SELECT remote_id, feed_id, folders FROM sync_feeds")
    }


def remote_feed_id(db: sqlite3.Connection, url: str) -> str | None:
    row = db.execute(
        "SELECT s.remote_id FROM sync_feeds s JOIN feeds f ON f.id = s.feed_id WHERE f.url = ?",
        (url,),
    ).fetchone()
    return row[0] if row else None


def unlinked_feeds(db: sqlite3.Connection) -> list[tuple[int, str, str | None, list[str]]]:
    """Local feeds the server does not know: (id, url, title, tags)."""
    return [
        (row[0], row[1], row[2], row[3].split("\x1f") if row[3] else [])
        for row in db.execute(
            """SELECT f.id, f.url, coalesce(f.user_title, f.title),
                (SELECT group_concat(tag, char(31)) FROM feed_tags t WHERE t.feed_id = f.id)
            FROM feeds f WHERE f.id NOT IN (SELECT feed_id FROM sync_feeds) ORDER BY f.id"""
        )
    ]


def queue_local_feeds(db: sqlite3.Connection, stamp: float) -> int:
    """Queue a subscription for every web feed the server does not know (switching a
    local library to an account with --push-local). Returns how many."""
    with transaction(db):
        feeds = [feed for feed in unlinked_feeds(db) if feed[1].startswith(("http://", "https://"))]
        for _, url, title, tags in feeds:
            if not has_queued(db, "subscribe", url):
                payload = {"title": title, "folder": tags[0] if tags else None}
                enqueue_feed(db, "subscribe", url, payload, stamp)
    return len(feeds)


class FeedLink(NamedTuple):
    """A server's feed as the library takes it (see :func:`link_feeds`)."""

    remote_id: str
    url: str
    title: str | None
    site_url: str | None
    folders: list[str]
    keep_title: bool  # a rename made here is queued: the server's title is older


def link_feeds(db: sqlite3.Connection, links: Sequence[FeedLink], stamp: float) -> list[int]:
    """Make the server's feeds local feeds (found by server id, then by URL, else
    added), their titles the server's and their folders feed tags (folders the server
    dropped since the last sync are untagged), in one transaction. Returns the local
    feed ids, in order."""
    known = feed_links(db)
    ids = []
    with transaction(db):
        for link in links:
            ids.append(_link_feed(db, link, known.get(link.remote_id), stamp))
    return ids


def _link_feed(
    db: sqlite3.Connection,
    link: FeedLink,
    known: tuple[int, list[str]] | None,
    stamp: float,
) -> int:
    if known is None:
        found = db.execute("SELECT id FROM feeds WHERE url = ?", (link.url,)).fetchone()
        feed_id = found[0] if found else _insert_feed(db, link.url, stamp)
        before: list[str] = []
        db.execute("DELETE FROM sync_feeds WHERE feed_id = ?", (feed_id,))
    else:
        feed_id, before = known
    if known is None or before != link.folders:
        db.execute(
            "INSERT OR REPLACE INTO sync_feeds (feed_id, remote_id, folders) VALUES (?, ?, ?)",
            (feed_id, link.remote_id, json.dumps(list(link.folders))),
        )
    if not link.keep_title:
        # A title given here stays until the server's title changes (renamed there):
        # a server that cannot rename keeps the server's, and the reader shows ours.
        # The first title the server tells (a feed subscribed here) is no rename.
        db.execute(
            """UPDATE feeds SET user_title = CASE WHEN :known AND title IS NOT NULL
                AND title IS NOT :title THEN NULL ELSE user_title END,
            title = :title, site_url = coalesce(:site, site_url)
            WHERE id = :id AND (title IS NOT :title OR site_url IS NOT coalesce(:site, site_url))""",
            {"title": link.title, "site": link.site_url, "id": feed_id, "known": known is not None},
        )
    gone = [folder for folder in before if folder not in link.folders]
    _tags.remove_feed_tags(db, feed_id, gone)
    _tags.add_feed_tags(db, feed_id, [folder for folder in link.folders if folder not in before])
    return int(feed_id)


def feeds_synced(db: sqlite3.Connection, feed_ids: Sequence[int], stamp: float) -> None:
    """The server fetched these feeds for us: checked and fine as of this sync."""
    with transaction(db):
        db.execute(
            """UPDATE feeds SET last_checked = :stamp, last_success = :stamp, last_error = NULL,
            error_count = 0 WHERE id IN (SELECT value FROM json_each(:ids))""",
            {"stamp": stamp, "ids": json.dumps(list(feed_ids))},
        )


def _insert_feed(db: sqlite3.Connection, url: str, stamp: float) -> int:
    feed_id = db.execute("INSERT INTO feeds (url, added_at) VALUES (?, ?)", (url, stamp)).lastrowid
    assert feed_id is not None
    return feed_id


def link_subscribed(db: sqlite3.Connection, url: str, remote_id: str) -> None:
    """A queued subscription was accepted: remember the server's id of the feed."""
    with transaction(db):
        found = db.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()
        if found is not None:
            db.execute("DELETE FROM sync_feeds WHERE remote_id = ?", (remote_id,))
            db.execute(
                "INSERT OR REPLACE INTO sync_feeds (feed_id, remote_id) VALUES (?, ?)",
                (found[0], remote_id),
            )


# -- items ------------------------------------------------------------------------


def linked_items(db: sqlite3.Connection, remote_ids: Iterable[str]) -> dict[str, tuple[int, str]]:
    """remote item id -> (article id, content hash) for the ids the library holds."""
    return {
        row[0]: (row[1], row[2])
        for row in db.execute(
            """SELECT s.remote_id, s.article_id, a.content_hash FROM sync_items s
            JOIN articles a ON a.id = s.article_id
            WHERE s.remote_id IN (SELECT value FROM json_each(?))""",
            (json.dumps(list(remote_ids)),),
        )
    }


def unlinked_by_link(db: sqlite3.Connection, feed_id: int, links: Iterable[str]) -> dict[str, int]:
    """Articles of a feed fetched here before the account (no server id), by link: the
    server's copy of such a story adopts the article instead of duplicating it."""
    return {
        row[0]: row[1]
        for row in db.execute(
            """SELECT link, min(id) FROM articles WHERE feed_id = ?
            AND link IN (SELECT value FROM json_each(?))
            AND id NOT IN (SELECT article_id FROM sync_items) GROUP BY link""",
            (feed_id, json.dumps(sorted(set(links)))),
        )
    }


def is_linked(db: sqlite3.Connection, article_id: int) -> bool:
    return (
        db.execute("SELECT 1 FROM sync_items WHERE article_id = ?", (article_id,)).fetchone()
        is not None
    )


def link_items(db: sqlite3.Connection, pairs: Sequence[tuple[int, str]]) -> None:
    """(article id, remote item id) pairs, inside the caller's transaction."""
    db.executemany("INSERT OR IGNORE INTO sync_items (article_id, remote_id) VALUES (?, ?)", pairs)


def queue_adopted_state(
    db: sqlite3.Connection, adopted: Sequence[tuple[int, str, bool, bool]], stamp: float
) -> None:
    """Articles fetched here before the account, now linked to the server's copies
    (article id, remote id, read there, starred there): what was done to them here and
    the server does not say yet (read, saved) is queued, inside the caller's
    transaction. A queued change wins over the server's state, so switching a library
    to an account loses no read and no save; what the server says beyond that is taken."""
    for kind, column, there in (("read", "read", 2), ("save", "saved", 3)):
        db.executemany(
            f"""INSERT INTO sync_queue (kind, target, payload, created)
            SELECT ?, ?, '{{}}', ? FROM articles WHERE id = ? AND {column} = 1""",
            [(kind, pair[1], stamp, pair[0]) for pair in adopted if not pair[there]],
        )


def save_new(db: sqlite3.Connection, article_ids: Sequence[int], stamp: float) -> None:
    """Starred on the server: saved here (inside the caller's transaction)."""
    db.execute(
        "UPDATE articles SET saved = 1, saved_at = ? WHERE id IN (SELECT value FROM json_each(?))",
        (stamp, json.dumps(list(article_ids))),
    )


def reconcile(
    db: sqlite3.Connection, unread: set[str], starred: set[str], stamp: float
) -> tuple[int, int]:
    """Take the server's read and starred state for every article it knows, except those
    with a queued change not sent yet (the local change wins). Returns (read changes,
    saved changes)."""
    params = {
        "unread": json.dumps(sorted(unread)),
        "starred": json.dumps(sorted(starred)),
        "stamp": stamp,
    }
    with transaction(db):
        db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS sync_wanted (remote_id TEXT PRIMARY KEY, unread INTEGER, starred INTEGER)"
        )
        db.execute("DELETE FROM sync_wanted")
        db.execute(
            """INSERT INTO sync_wanted (remote_id, unread, starred)
            SELECT s.remote_id, s.remote_id IN (SELECT value FROM json_each(:unread)),
                s.remote_id IN (SELECT value FROM json_each(:starred))
            FROM sync_items s WHERE s.remote_id NOT IN (SELECT target FROM sync_queue
                WHERE kind IN ('read', 'unread', 'save', 'unsave'))""",
            params,
        )
        read_changes = db.execute(
            """UPDATE articles SET read = 1 - w.unread,
                read_at = CASE WHEN w.unread THEN NULL ELSE :stamp END
            FROM sync_items s JOIN sync_wanted w ON w.remote_id = s.remote_id
            WHERE s.article_id = articles.id AND articles.read = w.unread""",
            params,
        ).rowcount
        saved_changes = db.execute(
            """UPDATE articles SET saved = w.starred,
                saved_at = CASE WHEN w.starred THEN :stamp ELSE NULL END
            FROM sync_items s JOIN sync_wanted w ON w.remote_id = s.remote_id
            WHERE s.article_id = articles.id AND articles.saved != w.starred""",
            params,
        ).rowcount
        db.execute("DELETE FROM sync_wanted")
    return read_changes, saved_changes


def missing_items(db: sqlite3.Connection, remote_ids: Iterable[str]) -> list[str]:
    """Of these server ids, those the library holds no article for."""
    return [
        row[0]
        for row in db.execute(
            """SELECT value FROM json_each(?)
            WHERE value NOT IN (SELECT remote_id FROM sync_items)""",
            (json.dumps(sorted(set(remote_ids))),),
        )
    ]
