"""SQLite storage: connections, schema and migrations.

One database file, WAL mode, one connection per thread. Connections run in
autocommit mode and every write goes through :func:`transaction`, an explicit
``BEGIN IMMEDIATE`` — Python 3.11's ``executescript`` commits first, so it
cannot be relied on for rollback and is never used here.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from reader.core._storage.tags import CANONICAL_SPELLING as _CANONICAL_SPELLING
from reader.core._storage.tags import tag_key
from reader.core.errors import LibraryError
from reader.core.files import why_not_writable
from reader.core.search import SQL_MATCH_FUNCTION, sql_matches

DB_NAME = "library.db"


def _add_column(table: str, column: str, declaration: str) -> Callable[[sqlite3.Connection], None]:
    """A migration step that adds a column unless it is there (ALTER has no IF NOT EXISTS)."""

    def step(connection: sqlite3.Connection) -> None:
        columns = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
        if column not in columns:
            connection.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")

    return step


# Each migration is a list of single statements (or steps), applied in one transaction.
MIGRATIONS: list[list[str | Callable[[sqlite3.Connection], None]]] = [
    [
        """CREATE TABLE feeds (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            title TEXT,
            user_title TEXT,
            site_url TEXT,
            etag TEXT,
            last_modified TEXT,
            last_error TEXT,
            last_error_at REAL,
            error_count INTEGER NOT NULL DEFAULT 0,
            last_success REAL,
            last_checked REAL,
            retry_after_until REAL,
            status TEXT NOT NULL DEFAULT 'active',
            fulltext TEXT NOT NULL DEFAULT 'auto',
            body_hash TEXT,
            settings TEXT NOT NULL DEFAULT '{}',
            added_at REAL NOT NULL
        )""",
        """CREATE TABLE feed_tags (
            feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
            tag TEXT NOT NULL,
            PRIMARY KEY (feed_id, tag)
        ) WITHOUT ROWID""",
        """CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL,
            feed_title TEXT NOT NULL DEFAULT '',
            feed_url TEXT,
            key TEXT NOT NULL,
            title TEXT NOT NULL,
            author TEXT,
            link TEXT,
            duplicate_of INTEGER REFERENCES articles(id) ON DELETE SET NULL,
            published REAL,
            sort_time REAL NOT NULL,
            fetched_at REAL NOT NULL,
            updated_at REAL,
            raw_content TEXT NOT NULL,
            content_type TEXT NOT NULL,
            summary TEXT,
            content_hash TEXT NOT NULL,
            page_html TEXT,
            fulltext_state TEXT,
            cleaned_text TEXT,
            cleaned_blocks TEXT,
            removed TEXT,
            cleaner_version INTEGER,
            enclosures TEXT NOT NULL DEFAULT '[]',
            read INTEGER NOT NULL DEFAULT 0,
            read_at REAL,
            saved INTEGER NOT NULL DEFAULT 0,
            saved_at REAL,
            reading_position INTEGER NOT NULL DEFAULT 0,
            UNIQUE (feed_id, key)
        )""",
        # Partial indexes matching the list views exactly (duplicates are never listed),
        # so paging, counting and next-unread read an index and stop early.
        """CREATE INDEX articles_listed ON articles (sort_time DESC, id DESC)
            WHERE duplicate_of IS NULL""",
        """CREATE INDEX articles_listed_unread ON articles (sort_time DESC, id DESC)
            WHERE duplicate_of IS NULL AND read = 0""",
        "CREATE INDEX articles_by_feed ON articles (feed_id, sort_time DESC, id DESC)",
        "CREATE INDEX articles_feed_state ON articles (feed_id, read, duplicate_of)",
        "CREATE INDEX articles_saved ON articles (sort_time DESC) WHERE saved = 1",
        "CREATE INDEX articles_by_link ON articles (link)",
        """CREATE TABLE article_tags (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            tag TEXT NOT NULL,
            PRIMARY KEY (article_id, tag)
        ) WITHOUT ROWID""",
        "CREATE INDEX article_tags_by_tag ON article_tags (tag)",
        """CREATE TABLE tombstones (
            feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            pruned_at REAL NOT NULL,
            PRIMARY KEY (feed_id, key)
        ) WITHOUT ROWID""",
        "CREATE INDEX articles_by_origin ON articles (feed_url, key)",
        "CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        # Highlights (with W3C quote + position selectors on the canonical text) and
        # article-level notes (kind = 'note', no selectors).
        """CREATE TABLE annotations (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('highlight', 'note')),
            exact TEXT,
            prefix TEXT,
            suffix TEXT,
            start INTEGER,
            end INTEGER,
            note TEXT,
            orphaned INTEGER NOT NULL DEFAULT 0,
            created REAL NOT NULL,
            modified REAL NOT NULL
        )""",
        "CREATE INDEX annotations_by_article ON annotations (article_id, start)",
        "CREATE INDEX annotations_by_time ON annotations (created DESC)",
        "CREATE TABLE note_drafts (key TEXT PRIMARY KEY, text TEXT NOT NULL, updated REAL NOT NULL)",
        """CREATE VIRTUAL TABLE annotations_fts USING fts5(
            exact, note, content='annotations', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        )""",
        """CREATE TRIGGER annotations_fts_insert AFTER INSERT ON annotations BEGIN
            INSERT INTO annotations_fts (rowid, exact, note)
            VALUES (new.id, coalesce(new.exact, ''), coalesce(new.note, ''));
        END""",
        """CREATE TRIGGER annotations_fts_delete AFTER DELETE ON annotations BEGIN
            INSERT INTO annotations_fts (annotations_fts, rowid, exact, note)
            VALUES ('delete', old.id, coalesce(old.exact, ''), coalesce(old.note, ''));
        END""",
        """CREATE TRIGGER annotations_fts_update AFTER UPDATE OF exact, note ON annotations BEGIN
            INSERT INTO annotations_fts (annotations_fts, rowid, exact, note)
            VALUES ('delete', old.id, coalesce(old.exact, ''), coalesce(old.note, ''));
            INSERT INTO annotations_fts (rowid, exact, note)
            VALUES (new.id, coalesce(new.exact, ''), coalesce(new.note, ''));
        END""",
        # External-content FTS5 index over the articles table, kept in step by triggers
        # inside the same transaction as the row change.
        """CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, cleaned_text, content='articles', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        )""",
        # Merge index segments less eagerly while refreshes add rows (insert speed).
        "INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', 16)",
        """CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts (rowid, title, cleaned_text)
            VALUES (new.id, new.title, coalesce(new.cleaned_text, ''));
        END""",
        """CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, cleaned_text)
            VALUES ('delete', old.id, old.title, coalesce(old.cleaned_text, ''));
        END""",
        """CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, cleaned_text ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, cleaned_text)
            VALUES ('delete', old.id, old.title, coalesce(old.cleaned_text, ''));
            INSERT INTO articles_fts (rowid, title, cleaned_text)
            VALUES (new.id, new.title, coalesce(new.cleaned_text, ''));
        END""",
    ],
    # New articles are indexed by index_articles, not by a trigger: a statement that
    # fires a trigger opens a savepoint, and FTS5 flushes its pending index to a new
    # segment at every savepoint — one segment per article made refresh 4x slower.
    ["DROP TRIGGER articles_fts_insert"],
    # Tags are case-insensitive: merge spellings that differ only in case into one
    # (the smallest spelling, as no creation order was kept), on articles and feeds.
    [
        f"""INSERT OR IGNORE INTO article_tags (article_id, tag)
            SELECT article_id, {_CANONICAL_SPELLING} FROM article_tags t""",
        f"DELETE FROM article_tags AS t WHERE tag != {_CANONICAL_SPELLING}",
        f"""INSERT OR IGNORE INTO feed_tags (feed_id, tag)
            SELECT feed_id, {_CANONICAL_SPELLING} FROM feed_tags t""",
        f"DELETE FROM feed_tags AS t WHERE tag != {_CANONICAL_SPELLING}",
        # A server's Retry-After binds every refresh of all feeds; our own back-off
        # after errors only binds automatic ones.
        _add_column("feeds", "retry_by_server", "INTEGER NOT NULL DEFAULT 0"),
        # Read state is shared by a story's copies in other feeds: find them by index.
        """CREATE INDEX IF NOT EXISTS articles_copies ON articles (duplicate_of)
            WHERE duplicate_of IS NOT NULL""",
    ],
    # Sync with a feed server: the server's ids of feeds and articles, the durable queue
    # of local changes not yet sent (written in the transaction of the change itself),
    # and the sync's own state (last sync, high-water mark).
    [
        """CREATE TABLE IF NOT EXISTS sync_feeds (
            feed_id INTEGER PRIMARY KEY REFERENCES feeds(id) ON DELETE CASCADE,
            remote_id TEXT NOT NULL UNIQUE,
            folders TEXT NOT NULL DEFAULT '[]'
        )""",
        """CREATE TABLE IF NOT EXISTS sync_items (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            remote_id TEXT NOT NULL UNIQUE
        )""",
        """CREATE TABLE IF NOT EXISTS sync_queue (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL CHECK (kind IN ('read', 'unread', 'save', 'unsave',
                'subscribe', 'unsubscribe', 'rename')),
            target TEXT NOT NULL,
            payload TEXT NOT NULL DEFAULT '{}',
            created REAL NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS sync_queue_by_target ON sync_queue (target)",
        "CREATE TABLE IF NOT EXISTS sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ],
    # What every refresh and sync asks after storing (story pages waiting, articles left
    # to clean, articles old enough to prune) read by index, not by reading every
    # article: on 10,000 articles each question took ~35 ms when nothing was new.
    [
        """CREATE INDEX IF NOT EXISTS articles_fulltext_pending
            ON articles (sort_time DESC, id DESC) WHERE fulltext_state = 'pending'""",
        "CREATE INDEX IF NOT EXISTS articles_cleaner_version ON articles (cleaner_version)",
        "CREATE INDEX IF NOT EXISTS articles_by_fetched ON articles (fetched_at)",
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10.0)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA busy_timeout = 10000")
    connection.execute("PRAGMA foreign_keys = ON")
    # FULL: a committed annotation or read-state change survives power loss.
    connection.execute("PRAGMA synchronous = FULL")
    _add_functions(connection)
    return connection


def _add_functions(connection: sqlite3.Connection) -> None:
    """SQL functions the queries use: tag comparison, and a symbol-bearing search term
    checked on the text."""
    connection.create_function("tag_key", 1, tag_key, deterministic=True)
    connection.create_function(SQL_MATCH_FUNCTION, 2, sql_matches, deterministic=True)


@contextlib.contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """An explicit write transaction: all or nothing."""
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    except sqlite3.OperationalError as error:
        raise _friendly(error) from error


def _friendly(error: sqlite3.OperationalError) -> Exception:
    """A full disk or a read-only library is the user's to fix: say so in one line.
    Nothing already committed is lost; the failed write was rolled back."""
    code = getattr(error, "sqlite_errorcode", None)
    if code == sqlite3.SQLITE_FULL:
        return LibraryError("the disk is full: the change was not saved (nothing else was lost)")
    if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_READONLY_DBMOVED) or "readonly" in str(
        error
    ):
        return LibraryError("the library is open read-only: the change was not saved")
    return error


@contextlib.contextmanager
def relaxed_sync(connection: sqlite3.Connection) -> Iterator[None]:
    """Refresh writes skip the fsync per commit (WAL + NORMAL: a crash never corrupts,
    a power cut may lose the last refresh, which the next refresh fetches again).
    User actions — annotations, read state — keep FULL durability."""
    connection.execute("PRAGMA synchronous = NORMAL")
    try:
        yield
    finally:
        connection.execute("PRAGMA synchronous = FULL")


def _check_is_sqlite(path: Path) -> None:
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        header = handle.read(16)
    if header != b"SQLite format 3\x00":
        raise LibraryError(f"{path} is not a Broadsheet library (not an SQLite database)")


def _refuse_newer(connection: sqlite3.Connection, path: Path) -> None:
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        connection.close()
        raise LibraryError(
            f"{path} was written by a newer Broadsheet (schema {version}, "
            f"this version knows {SCHEMA_VERSION}); upgrade Broadsheet"
        )


def _migrate(connection: sqlite3.Connection, path: Path) -> None:
    _refuse_newer(connection, path)
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return
    if version > 0:
        backup = path.with_name(f"{path.name}.v{version}.bak")
        with contextlib.closing(sqlite3.connect(backup)) as target:
            connection.backup(target)
    with transaction(connection):
        # Re-read inside the lock: another process may have migrated meanwhile.
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        for statements in MIGRATIONS[version:]:
            for statement in statements:
                if isinstance(statement, str):
                    connection.execute(statement)
                else:
                    statement(connection)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


class Database:
    """Opens the library file and hands each thread its own connection."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            reason = why_not_writable(path.parent, error)
            raise LibraryError(f"cannot create {path.parent}: {reason}") from error
        _check_is_sqlite(path)
        connection = self.connection()
        if read_only:
            return
        try:
            _refuse_newer(connection, path)  # before WAL: that switch would write the file
            connection.execute("PRAGMA journal_mode = WAL")
            _migrate(connection, path)
        except sqlite3.DatabaseError as error:
            self.close()
            raise LibraryError(f"cannot open library {path}: {error}") from error

    def connection(self) -> sqlite3.Connection:
        existing: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if existing is not None:
            return existing
        try:
            if self.read_only:
                uri = f"{self.path.resolve().as_uri()}?mode=ro"
                connection = sqlite3.connect(
                    uri, uri=True, isolation_level=None, timeout=10.0, check_same_thread=False
                )
                connection.row_factory = sqlite3.Row
                connection.execute("PRAGMA busy_timeout = 10000")
                _add_functions(connection)
            else:
                connection = _connect(self.path)
        except sqlite3.Error as error:
            raise LibraryError(f"cannot open library {self.path}: {error}") from error
        self._local.connection = connection
        with self._lock:
            self._all.append(connection)
        return connection

    def close(self) -> None:
        with self._lock:
            for connection in self._all:
                with contextlib.suppress(sqlite3.Error):
                    connection.close()
            self._all.clear()
        self._local = threading.local()


def index_articles(connection: sqlite3.Connection, article_ids: Sequence[int]) -> None:
    """Add newly inserted articles to the search index, in one statement (so FTS5 keeps
    them in memory until the transaction commits). Every INSERT INTO articles calls this
    inside the same transaction; updates and deletes are kept in step by triggers."""
    if article_ids:
        connection.execute(
            """INSERT INTO articles_fts (rowid, title, cleaned_text)
            SELECT id, title, coalesce(cleaned_text, '') FROM articles
            WHERE id IN (SELECT value FROM json_each(?))""",
            (json.dumps(list(article_ids)),),
        )


def now() -> float:
    return time.time()
