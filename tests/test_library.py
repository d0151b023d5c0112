"""The core library: storage, views, user state, refresh from local files."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.core import ArticleQuery, Library
from reader.core._storage import SCHEMA_VERSION
from reader.core.errors import BroadsheetError, LibraryError, LibraryLockedError, NotFoundError


def rss(items: list[tuple[str, str, str]], title: str = "Test Feed") -> bytes:
    """A small RSS 2.0 document from (guid, title, body) triples."""
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{item_title}</title>"
        f"<link>http://127.0.0.1:9/{guid}</link>"
        f"<pubDate>Mon, 0{index % 9 + 1} Jun 2026 10:00:00 GMT</pubDate>"
        f"<description><![CDATA[<p>{body}</p>]]></description></item>"
        for index, (guid, item_title, body) in enumerate(items)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://news.example/</link>{entries}</channel></rss>"
    ).encode()


def local_feed(tmp_path: Path, name: str, items: list[tuple[str, str, str]]) -> Path:
    path = tmp_path / name
    path.write_bytes(rss(items, title=name))
    return path


def test_new_library_has_current_schema_and_wal(library: Library) -> None:
    db = library.db.connection()
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_feed_crud(library: Library) -> None:
    feed = library.add_feed("https://example.org/feed.xml", tags=["news"])
    assert feed.title == "https://example.org/feed.xml"
    assert feed.tags == ("news",)
    library.rename_feed(feed.id, "Example [/] news")
    assert library.resolve_feed("example [/] news").id == feed.id
    assert library.resolve_feed(str(feed.id)).id == feed.id
    again = library.add_feed("https://example.org/feed.xml")
    assert again.id == feed.id and len(library.feeds()) == 1
    library.remove_feed(feed.id)
    assert library.feeds() == []
    with pytest.raises(NotFoundError):
        library.resolve_feed("nothing")


@pytest.mark.parametrize(
    "url", ["", "ftp://example.org/x", "exec:rm -rf /", "|cat /etc/passwd", "/no/such/file"]
)
def test_bad_feed_urls_are_refused(library: Library, url: str) -> None:
    with pytest.raises(BroadsheetError):
        library.add_feed(url)


def test_refresh_stores_articles_once_and_keeps_user_state(
    library: Library, tmp_path: Path
) -> None:
    path = local_feed(tmp_path, "one.xml", [("a", "First", "Alpha story."), ("b", "Second", "B.")])
    feed = library.add_feed(str(path))
    summary = library.refresh_sync()
    assert summary.line() == "1 feed: 2 new articles, 0 not modified, 0 errors"
    first = library.article_page(ArticleQuery(), 0, 10)
    assert {article.title for article in first} == {"First", "Second"}
    library.mark_read([first[0].id])
    library.set_saved(first[0].id, True)

    # The feed changes one item and adds one: no duplicates, user state kept.
    path.write_bytes(
        rss([("a", "First (updated)", "Alpha story, corrected."), ("b", "Second", "B."),
             ("c", "Third", "C.")], title="one.xml")
    )  # fmt: skip
    summary = library.refresh_sync()
    assert summary.new == 1
    rows = (
        library.db.connection()
        .execute(
            "SELECT feed_id, key, count(*) FROM articles GROUP BY feed_id, key HAVING count(*) > 1"
        )
        .fetchall()
    )
    assert rows == []
    kept = library.article(first[0].id)
    assert kept.read and kept.saved
    assert library.feed(feed.id).unread == 2


def test_unchanged_feed_body_counts_as_not_modified(library: Library, tmp_path: Path) -> None:
    library.add_feed(str(local_feed(tmp_path, "same.xml", [("a", "A", "Text.")])))
    library.refresh_sync()
    summary = library.refresh_sync()
    assert summary.not_modified == 1 and summary.new == 0


def test_views_paging_and_unread_navigation(library: Library, tmp_path: Path) -> None:
    items = [(f"id{n}", f"Story {n}", f"Body {n}.") for n in range(9)]
    library.add_feed(str(local_feed(tmp_path, "many.xml", items)))
    library.refresh_sync()
    everything = ArticleQuery()
    assert library.count_articles(everything) == 9
    page = library.article_page(everything, 0, 4) + library.article_page(everything, 4, 10)
    times = [article.published or 0 for article in page]
    assert times == sorted(times, reverse=True)
    assert library.article_position(everything, page[5].id) == 5
    library.mark_read([page[1].id])
    following = library.next_unread(everything, page[0].id)
    assert following is not None and following.id == page[2].id
    previous = library.next_unread(everything, page[2].id, backwards=True)
    assert previous is not None and previous.id == page[0].id
    assert len(library.mark_query_read(ArticleQuery(unread_only=True))) == 8
    assert library.count_articles(ArticleQuery(unread_only=True)) == 0


def test_an_unread_view_can_keep_listing_articles_read_in_it(
    library: Library, tmp_path: Path
) -> None:
    items = [(f"id{n}", f"Story {n}", f"Body {n}.") for n in range(4)]
    library.add_feed(str(local_feed(tmp_path, "kept.xml", items)))
    library.refresh_sync()
    first, second, *_ = library.article_page(ArticleQuery(), 0, 4)
    library.mark_read([first.id, second.id])
    kept = ArticleQuery(unread_only=True, also_read=(first.id,))
    assert [row.id for row in library.article_page(kept, 0, 4)][0] == first.id
    assert library.count_articles(kept) == 3  # the second, read too, is not kept
    assert library.article_position(kept, first.id) == 0
    following = library.next_unread(kept, first.id)  # still only unread ones
    assert following is not None and following.id not in (first.id, second.id)


def test_same_link_in_two_feeds_is_listed_once(library: Library, tmp_path: Path) -> None:
    library.add_feed(str(local_feed(tmp_path, "a.xml", [("shared", "Shared", "S.")])))
    library.add_feed(str(local_feed(tmp_path, "b.xml", [("shared", "Shared", "S.")])))
    library.refresh_sync()
    assert library.count_articles(ArticleQuery()) == 1
    only = library.article_page(ArticleQuery(), 0, 5)[0]
    library.mark_read([only.id])
    assert all(feed.unread == 0 for feed in library.feeds())


def test_unsubscribing_keeps_saved_articles(library: Library, tmp_path: Path) -> None:
    feed = library.add_feed(
        str(local_feed(tmp_path, "s.xml", [("a", "Keep", "K."), ("b", "Go", "G.")]))
    )
    library.refresh_sync()
    keep = next(a for a in library.article_page(ArticleQuery(), 0, 5) if a.title == "Keep")
    library.set_saved(keep.id, True)
    library.remove_feed(feed.id)
    assert [a.title for a in library.article_page(ArticleQuery(), 0, 5)] == ["Keep"]
    assert library.article(keep.id).feed_title == "s.xml"


def test_state_and_reading_position_persist(tmp_path: Path) -> None:
    with Library.open(tmp_path, config_dir_path=tmp_path, samples=False) as lib:
        lib.set_state("theme", "newsprint")
    with Library.open(tmp_path, config_dir_path=tmp_path, samples=False) as lib:
        assert lib.get_state("theme") == "newsprint"


def test_fts_index_follows_articles(library: Library, tmp_path: Path) -> None:
    library.add_feed(str(local_feed(tmp_path, "f.xml", [("a", "Glacier report", "Ice melts.")])))
    library.refresh_sync()
    db = library.db.connection()
    hits = db.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'glacier'"
    ).fetchall()
    assert len(hits) == 1
    db.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES('integrity-check', 1)")


def test_version_1_library_upgrades_and_indexes_new_articles_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.core import _storage

    old = tmp_path / "old"
    sync_tables = _storage.MIGRATIONS[3]  # read by today's code (IF NOT EXISTS: rerunnable)
    monkeypatch.setattr(_storage.schema, "MIGRATIONS", _storage.MIGRATIONS[:1])
    monkeypatch.setattr(_storage.schema, "SCHEMA_VERSION", 1)
    # Version 1 code indexed new articles by trigger only.
    monkeypatch.setattr(_storage.schema, "index_articles", lambda db, ids: None)
    with Library.open(old, config_dir_path=tmp_path, samples=False) as lib:
        # Today's refresh code reads a column version 1 lacked (its migration adds it
        # only when missing).
        lib.db.connection().execute(
            "ALTER TABLE feeds ADD COLUMN retry_by_server INTEGER NOT NULL DEFAULT 0"
        )
        for statement in sync_tables:
            assert isinstance(statement, str)
            lib.db.connection().execute(statement)
        lib.add_feed(str(local_feed(tmp_path, "a.xml", [("a", "Glacier report", "Ice.")])))
        lib.refresh_sync()
    monkeypatch.undo()
    with Library.open(old, config_dir_path=tmp_path, samples=False) as lib:
        lib.add_feed(str(local_feed(tmp_path, "b.xml", [("b", "Glacier retreat", "Rock.")])))
        lib.refresh_sync()
        db = lib.db.connection()
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        triggers = {
            row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
        assert "articles_fts_insert" not in triggers
        # Each article is in the index exactly once: a trigger plus explicit indexing
        # would index it twice and fail the integrity check.
        hits = db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'glacier'")
        assert len(hits.fetchall()) == 2
        db.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES('integrity-check', 1)")
    assert (old / f"{_storage.DB_NAME}.v1.bak").exists()


def test_refresh_lock_excludes_a_second_refresh(library: Library) -> None:
    with library.refresh_lock(), pytest.raises(LibraryLockedError):
        library.refresh_sync()


def test_non_sqlite_file_is_refused_and_untouched(tmp_path: Path) -> None:
    (tmp_path / "library.db").write_bytes(b"not a database at all")
    with pytest.raises(LibraryError):
        Library.open(tmp_path, config_dir_path=tmp_path)
    assert (tmp_path / "library.db").read_bytes() == b"not a database at all"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    Library.open(tmp_path, config_dir_path=tmp_path, samples=False).close()
    with sqlite3.connect(tmp_path / "library.db") as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(LibraryError, match="newer"):
        Library.open(tmp_path, config_dir_path=tmp_path)


def test_two_processes_share_a_library(tmp_path: Path) -> None:
    with Library.open(tmp_path, config_dir_path=tmp_path, samples=False) as lib:
        before = lib.data_version()
        code = (
            "from reader.core import Library;"
            f"lib = Library.open({str(tmp_path)!r}, config_dir_path={str(tmp_path)!r});"
            "lib.set_state('from', 'other process')"
        )
        subprocess.run([sys.executable, "-c", code], check=True)
        assert lib.data_version() != before
        assert lib.get_state("from") == "other process"


_ENDINGS = st.sampled_from(
    ["...", "…", "[…]", "[...]", "Read more", "CONTINUE READING", "read the full story",
     "Full Story", "more »", "More›", "more →", "more", "moreover", "story.", " ", ".", "!"]
)  # fmt: skip


@given(
    st.text(alphabet="ab .\n", min_size=590, max_size=700),
    st.lists(_ENDINGS, max_size=3),
)
def test_summary_test_agrees_with_the_truncation_pattern(body: str, endings: list[str]) -> None:
    from reader.core._refresh.prepare import (
        _TRUNCATION,
        SUMMARY_MAX_CHARACTERS,
        looks_like_summary,
    )

    text = body + " ".join(endings)
    stripped = text.strip()
    expected = len(stripped) < SUMMARY_MAX_CHARACTERS or bool(_TRUNCATION.search(stripped[-80:]))
    assert looks_like_summary(text) == expected


def test_tidying_the_search_index_after_cleaning_keeps_every_article_findable(
    library: Library, tmp_path: Path
) -> None:
    for feed in range(5):  # a transaction, so an index segment, per feed; one more to clean
        items = [
            (f"k{feed}-{i}", f"Glacier report {feed}-{i}", f"<p>Ice shelf code{feed}x{i}.</p>")
            for i in range(12)
        ]
        library.add_feed(str(local_feed(tmp_path, f"f{feed}.xml", items)))
    library.refresh_sync()
    assert library.clean_pending() == 60
    db = library.db.connection()
    size = "SELECT sum(length(block)) FROM articles_fts_data"
    before = db.execute(size).fetchone()[0]
    assert library.tidy_search_index(pages_per_step=1) > 1  # small steps: several merges
    assert db.execute(size).fetchone()[0] < before  # the replaced entries are gone
    assert library.tidy_search_index() == 1  # nothing left to merge
    db.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES('integrity-check', 1)")
    assert len(library.search("glacier", limit=100)) == 60
    assert len(library.search("code3x7")) == 1


def test_ranking_in_the_index_first_gives_the_full_ranking(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for feed in range(3):
        items = [
            (
                f"k{feed}-{i}",
                f"Report {feed}-{i}",
                # Distinct lengths and term counts: no two articles tie on bm25.
                "<p>" + " ".join(["glacier"] * (1 + i % 5) + ["ice"] * (i + 3 * feed)) + "</p>",
            )
            for i in range(120)
        ]
        library.add_feed(str(local_feed(tmp_path, f"desk{feed}.xml", items)))
    library.refresh_sync()
    library.clean_pending()
    library.mark_read(library.article_ids(ArticleQuery())[::3])
    from reader.core.annotations import Annotations

    notes = Annotations(library)
    some = library.article_ids(ArticleQuery())[200]
    notes.highlight(some, 0, 6, "glacier walk")  # a match through a note alone
    for article_id in library.article_ids(ArticleQuery())[::40]:
        library.set_saved(article_id, True)  # few: the pool falls back to full ranking
    queries = [
        "glacier", "glacier ice", "is:unread glacier", "feed:desk2 glacier", "ice -glacier",
        "is:saved glacier",
    ]  # fmt: skip
    pages = [(10, 0), (50, 0), (50, 40), (5, 300)]
    pools: list[int] = []  # the pool of each ranking query: -1 is every match
    from reader.core._storage import search as search_module

    ranked_rows = search_module._ranked_rows

    def spy(db: Any, match: str, where: str, params: list[Any], pool: int, *rest: Any) -> Any:
        pools.append(pool)
        return ranked_rows(db, match, where, params, pool, *rest)

    monkeypatch.setattr(search_module, "_ranked_rows", spy)
    fast = {(q, p): [h.article.id for h in library.search(q, limit=p[0], offset=p[1])]
            for q in queries for p in pages}  # fmt: skip
    pooled = sum(pool > 0 for pool in pools)
    assert 0 < pools.count(-1) < pooled  # the pool sufficed, and sometimes fell back

    def every_match(
        db: Any, match: str, where: str, params: list[Any], pool: int, *rest: Any
    ) -> Any:
        return ranked_rows(db, match, where, params, -1, *rest)

    monkeypatch.setattr(search_module, "_ranked_rows", every_match)
    full = {(q, p): [h.article.id for h in library.search(q, limit=p[0], offset=p[1])]
            for q in queries for p in pages}  # fmt: skip
    assert fast == full
    assert all(full[(q, (50, 0))] for q in queries if q != "ice -glacier")  # they match


def test_newest_first_within_feeds_matches_streaming_every_match(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reader.core._storage.search as search_module

    for feed in range(4):
        items = [(f"k{feed}-{i}", f"Report {feed}-{i}", f"<p>railway {i}</p>") for i in range(50)]
        library.add_feed(str(local_feed(tmp_path, f"line{feed}.xml", items)))
    library.refresh_sync()
    library.mark_read(library.article_ids(ArticleQuery())[::4])
    monkeypatch.setattr(search_module, "RANKED_SEARCH_LIMIT", 10)  # the streaming path
    queries = ["feed:line2 railway", "feed:line1 is:unread railway", "feed:line3 railway -7"]
    pages = [(10, 0), (30, 25), (50, 0)]

    def results() -> dict[tuple[str, tuple[int, int]], list[int]]:
        return {
            (q, p): [hit.article.id for hit in library.search(q, limit=p[0], offset=p[1])]
            for q in queries
            for p in pages
        }

    by_index = results()
    streaming = search_module.newest_ids
    monkeypatch.setattr(
        search_module, "newest_ids", lambda db, *args: streaming(db, *args[:-1], False)
    )
    assert by_index == results()
    assert all(by_index[(q, (10, 0))] for q in queries)
