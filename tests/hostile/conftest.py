"""Fixtures and helpers for the hostile-input suite (issue 7).

Everything here checks what a user's terminal would see or what the library
file holds; nothing is mocked below the public APIs unless a test says so.
"""

from __future__ import annotations

import asyncio
import html
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from loopback import LoopbackServer

from reader.core import Library
from reader.core._fetch import Fetcher, FetchLimits
from reader.core.models import Feed, FeedRefreshResult, RefreshSummary

# Short limits: every hostile network case must end within a few seconds.
FAST = FetchLimits(
    max_bytes=2 << 20, connect_timeout=2.0, read_timeout=1.0, deadline=2.0, max_redirects=5
)
SHARED = Path(__file__).resolve().parents[2].parent / "shared"
REPO = Path(__file__).resolve().parents[2]


def rss(
    items: Sequence[tuple[str | None, str, str]],
    *,
    title: str = "Hostile Feed",
    raw: bool = False,
    extra: str = "",
) -> bytes:
    """RSS 2.0 from (guid, title, html body) triples. Titles and bodies are
    XML-escaped unless ``raw`` (then they are inserted as they are, so a test
    can write character references or markup itself)."""

    def esc(text: str) -> str:
        return text if raw else html.escape(text, quote=False)

    entries = "".join(
        "<item>"
        + (f"<guid isPermaLink='false'>{guid}</guid>" if guid is not None else "")
        + f"<title>{esc(item_title)}</title>"
        + f"<link>https://news.example/{guid or index}</link>"
        + f"<pubDate>Mon, 0{index % 9 + 1} Jun 2026 10:00:00 GMT</pubDate>"
        + f"<description>{esc(body)}</description>{extra}</item>"
        for index, (guid, item_title, body) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{esc(title)}</title><link>https://news.example/</link>{entries}</channel></rss>"
    ).encode()


GOOD_ITEMS = [
    ("good-1", "First good story", "<p>The council met on Tuesday to discuss the bridge.</p>"),
    ("good-2", "Second good story", "<p>Rain is expected across the valley this weekend.</p>"),
    ("good-3", "Third good story", "<p>The library extends its opening hours in winter.</p>"),
]
GOOD_FEED = rss(GOOD_ITEMS, title="Good Feed")


def open_library(root: Path, **kwargs: object) -> Library:
    return Library.open(root / "data", config_dir_path=root / "config", samples=False, **kwargs)  # type: ignore[arg-type]


def add_feed(library: Library, url: str) -> Feed:
    """Subscribe without full-text page fetches: the test feeds link to
    news.example, and the suite must never touch the network."""
    feed = library.add_feed(url)
    library.set_feed_fulltext(feed.id, "never")
    return library.feed(feed.id)


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = open_library(tmp_path)
    try:
        yield lib
    finally:
        lib.close()


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    """A Fetcher with short limits; refresh() does not close one passed in, so we do."""
    client = Fetcher(FAST)
    try:
        yield client
    finally:
        await client.aclose()


# --- what a terminal would see ----------------------------------------------------


def unsafe_characters(text: str) -> list[str]:
    """Code points a terminal would act on: C0 except tab and newline, DEL, C1."""
    return sorted(
        {
            f"U+{ord(ch):04X}"
            for ch in text
            if (ord(ch) < 0x20 and ch not in "\n\t") or 0x7F <= ord(ch) <= 0x9F
        }
    )


def assert_terminal_safe(data: bytes | str, what: str = "output") -> str:
    """Output must be valid UTF-8 without one control character a terminal acts on.
    (Checked on code points: UTF-8 continuation bytes 0x80-0xBF are not C1 controls;
    a raw ESC, BEL, NUL or CR byte is checked byte-wise as well.)"""
    if isinstance(data, bytes):
        for byte in (0x00, 0x07, 0x08, 0x0D, 0x1B, 0x7F):
            assert bytes([byte]) not in data, f"raw byte 0x{byte:02x} in {what}"
        text = data.decode("utf-8")  # strict: a stray 8-bit C1 byte is invalid UTF-8
    else:
        text = data
    bad = unsafe_characters(text)
    assert not bad, f"control characters {bad} in {what}"
    return text


def cli(
    root: Path, *args: str, timeout: float = 60.0, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run ``broadsheet`` as a user would, stdout and stderr through pipes."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "100", **(extra_env or {})}
    env.pop("BROADSHEET_DATA_DIR", None)
    env.pop("BROADSHEET_CONFIG_DIR", None)
    command = [
        sys.executable, "-m", "reader",
        "--data-dir", str(root / "data"), "--config-dir", str(root / "config"), "--no-samples",
        *args,
    ]  # fmt: skip
    return subprocess.run(
        command, capture_output=True, timeout=timeout, env=env, cwd=root, stdin=subprocess.DEVNULL
    )


# --- what the file holds ------------------------------------------------------------


def integrity_problems(db_path: Path) -> list[str]:
    """SQLite's check, FTS5's own checks (SQLite's does not see a broken FTS index)
    and the (feed_id, key) uniqueness the refresh relies on. Empty when healthy."""
    problems: list[str] = []
    with closing(sqlite3.connect(db_path, timeout=30)) as db:
        result = [row[0] for row in db.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            problems.append(f"integrity_check: {result[:5]}")
        for table in ("articles_fts", "annotations_fts"):
            try:
                db.execute(f"INSERT INTO {table}({table}) VALUES('integrity-check')")
            except sqlite3.DatabaseError as error:
                problems.append(f"{table} integrity-check: {error}")
        duplicates = db.execute(
            "SELECT feed_id, key, count(*) FROM articles WHERE feed_id IS NOT NULL"
            " GROUP BY feed_id, key HAVING count(*) > 1"
        ).fetchall()
        if duplicates:
            problems.append(f"duplicated (feed_id, key): {duplicates[:5]}")
    return problems


def article_rows(library: Library) -> dict[str, tuple[str, str]]:
    """key -> (title, cleaned text) for every stored article."""
    rows = library.db.connection().execute("SELECT key, title, cleaned_text FROM articles")
    return {row[0]: (row[1], row[2]) for row in rows}


# --- the feedparser corpus, refreshed once per session ---------------------------------

CORPUS = SHARED / "corpora" / "feedparser-tests"
CORPUS_LIMITS = FetchLimits(
    max_bytes=4 << 20,
    connect_timeout=5,
    read_timeout=5,
    deadline=10,
    max_connections=16,
    per_host=16,
)


@dataclass
class CorpusLibrary:
    """Every corpus file served from a loopback server, subscribed and refreshed
    by ONE refresh into ONE library (closed afterwards; tests work on a copy)."""

    root: Path  # holds data/ and config/
    files: list[Path]
    summary: RefreshSummary
    crashes: list[str]  # error messages that look like an uncaught exception
    unsafe_errors: list[str]  # error messages with a control character in them
    subscribe_seconds: float
    refresh_seconds: float

    def copy_to(self, root: Path) -> Path:
        """A private copy of the library under ``root`` (for ``open_library``/``cli``)."""
        for name in ("data", "config"):
            if (self.root / name).exists():
                shutil.copytree(self.root / name, root / name)
        return root


def corpus_files() -> list[Path]:
    return sorted(
        path for path in CORPUS.rglob("*") if path.is_file() and path.suffix in (".xml", ".json")
    )


def _build_corpus_library(root: Path) -> CorpusLibrary:
    files = corpus_files()
    server = LoopbackServer().start()
    started = time.perf_counter()
    library = open_library(root)
    try:
        for index, path in enumerate(files):
            content_type = "application/feed+json" if path.suffix == ".json" else "application/xml"
            url = server.static(
                f"/c/{index}", path.read_bytes(), headers={"Content-Type": content_type}
            )
            library.add_feed(url)
        # The corpus links to example.org and friends: never fetch their pages.
        library.db.connection().execute("UPDATE feeds SET fulltext = 'never'")
        added = time.perf_counter()
        crashes: list[str] = []
        unsafe: list[str] = []

        def record(result: FeedRefreshResult, done: int, total: int) -> None:
            error = result.error or ""
            if "Traceback" in error or "Error(" in error:
                crashes.append(error)
            if unsafe_characters(error):
                unsafe.append(error)

        async def refresh() -> RefreshSummary:
            async with Fetcher(CORPUS_LIMITS) as fetcher:
                return await library.refresh(fetcher=fetcher, on_result=record)

        summary = asyncio.run(refresh())
        refreshed = time.perf_counter()
    finally:
        library.close()
        server.stop()
    return CorpusLibrary(root, files, summary, crashes, unsafe, added - started, refreshed - added)


@pytest.fixture(scope="session")
def corpus_library(tmp_path_factory: pytest.TempPathFactory) -> CorpusLibrary:
    """Built once per session (~20 s) and shared by the pipeline and UI corpus tests.
    Built in a thread of its own, so its event loop never meets pytest-asyncio's."""
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    root = tmp_path_factory.mktemp("corpus-library")
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_build_corpus_library, root).result()
