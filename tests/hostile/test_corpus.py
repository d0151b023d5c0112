"""The whole pipeline over feedparser's test corpus (~2,100 well-formed and
ill-formed feeds): served from the loopback server, fetched, parsed, cleaned,
stored in ONE library by ONE refresh (the session fixture ``corpus_library``,
shared with ``test_ui_corpus.py``), then rendered (the UI typesetter when it is
installed, and the CLI in a pipe). No crash, no control character on screen or
in CLI output, integrity ok."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reader.core.library import ArticleQuery
from reader.core.models import Article

from .conftest import (
    CORPUS,
    CorpusLibrary,
    assert_terminal_safe,
    cli,
    integrity_problems,
    open_library,
    unsafe_characters,
)

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")


def test_corpus_through_the_whole_pipeline(tmp_path: Path, corpus_library: CorpusLibrary) -> None:
    corpus = corpus_library
    files = corpus.files
    assert len(files) > 2000
    started = time.perf_counter()
    summary = corpus.summary
    assert len(summary.results) == len(files)
    assert corpus.crashes == []
    assert corpus.unsafe_errors == []
    ok = [result for result in summary.results if result.error is None]
    assert len(ok) > len(files) * 0.8  # most of the corpus is a feed

    library = open_library(corpus.copy_to(tmp_path))
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
    total = corpus.subscribe_seconds + corpus.refresh_seconds + time.perf_counter() - started
    print(  # for the record, with -s
        f"\ncorpus: {len(files)} files, {len(ok)} parsed, {len(ids)} articles; "
        f"subscribe {corpus.subscribe_seconds:.1f} s, refresh {corpus.refresh_seconds:.1f} s, "
        f"render {rendered - started:.1f} s, total {total:.1f} s"
    )
    assert total < 90


def _typesetter() -> Callable[[Article, int], Any] | None:
    try:
        from reader.ui.typeset import typeset
    except ImportError:
        return None
    return typeset
