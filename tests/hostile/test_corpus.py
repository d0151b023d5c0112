"""The whole pipeline over feedparser's test corpus (~2,100 well-formed and
ill-formed feeds): served from the loopback server, fetched, parsed, cleaned,
stored in ONE library by ONE refresh, then rendered (the UI typesetter when it
is installed, and the CLI in a pipe). No crash, no control character on
screen or in CLI output, integrity ok."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from loopback import LoopbackServer

from reader.core import Library
from reader.core._fetch import Fetcher, FetchLimits
from reader.core.library import ArticleQuery
from reader.core.models import Article

from .conftest import SHARED, assert_terminal_safe, cli, integrity_problems, unsafe_characters

CORPUS = SHARED / "corpora" / "feedparser-tests"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")
LIMITS = FetchLimits(
    max_bytes=4 << 20,
    connect_timeout=5,
    read_timeout=5,
    deadline=10,
    max_connections=16,
    per_host=16,
)


def _corpus_files() -> list[Path]:
    return sorted(
        path for path in CORPUS.rglob("*") if path.is_file() and path.suffix in (".xml", ".json")
    )


def _content_type(path: Path) -> str:
    return "application/feed+json" if path.suffix == ".json" else "application/xml"


async def test_corpus_through_the_whole_pipeline(tmp_path: Path, loopback: LoopbackServer) -> None:
    files = _corpus_files()
    assert len(files) > 2000
    started = time.perf_counter()
    library = Library.open(tmp_path / "data", config_dir_path=tmp_path / "config", samples=False)
    for index, path in enumerate(files):
        url = loopback.static(
            f"/c/{index}", path.read_bytes(), headers={"Content-Type": _content_type(path)}
        )
        library.add_feed(url)
    # The corpus links to example.org and friends: never fetch their pages.
    library.db.connection().execute("UPDATE feeds SET fulltext = 'never'")
    added = time.perf_counter()
    crashes: list[str] = []

    def record(result: object, done: int, total: int) -> None:
        error = getattr(result, "error", None) or ""
        if "Traceback" in error or "Error(" in error:
            crashes.append(error)
        assert not unsafe_characters(error), error

    async with Fetcher(LIMITS) as fetcher:
        summary = await library.refresh(fetcher=fetcher, on_result=record)
    refreshed = time.perf_counter()
    assert len(summary.results) == len(files) and crashes == []
    ok = [result for result in summary.results if result.error is None]
    assert len(ok) > len(files) * 0.8  # most of the corpus is a feed
    for feed in library.feeds():
        assert not unsafe_characters(feed.title + (feed.last_error or "")), feed.url

    ids = library.article_ids(ArticleQuery())
    assert len(ids) > 1000
    typeset = _typesetter()
    for article_id in ids:
        article = library.article(article_id)  # cleans it if refresh left it pending
        texts = [article.title, article.text, article.author or "", article.feed_title]
        texts += [block.text for block in article.blocks]
        if typeset is not None:
            texts += [line.content.plain for line in typeset(article, 72).lines]
        for text in texts:
            assert not unsafe_characters(text), (article.key, text[:120])
    rendered = time.perf_counter()
    library.close()
    assert integrity_problems(tmp_path / "data" / "library.db") == []

    listing = cli(tmp_path, "list", "--limit", str(len(ids) + 10), timeout=120)
    assert listing.returncode == 0, listing.stderr
    assert len(assert_terminal_safe(listing.stdout).splitlines()) == len(ids)
    for query in ("the", "feed OR entry", "is:unread"):
        result = cli(tmp_path, "search", query, "--limit", "5000", timeout=120)
        assert_terminal_safe(result.stdout)
        assert_terminal_safe(result.stderr)
    feeds = cli(tmp_path, "feeds", timeout=120)
    assert_terminal_safe(feeds.stdout)
    print(  # for the record, with -s
        f"\ncorpus: {len(files)} files, {len(ok)} parsed, {len(ids)} articles; "
        f"subscribe {added - started:.1f} s, refresh {refreshed - added:.1f} s, render {rendered - refreshed:.1f} s, "
        f"total {time.perf_counter() - started:.1f} s"
    )
    assert time.perf_counter() - started < 90


def _typesetter() -> Callable[[Article, int], Any] | None:
    try:
        from reader.ui.typeset import typeset
    except ImportError:
        return None
    return typeset
