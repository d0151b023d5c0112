"""Tags, search, retention, export and import-library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_library import local_feed

from reader.core import ArticleQuery, Library
from reader.core.export import export_articles, import_library
from reader.core.search import make_snippet, parse_query, term_pattern

STORIES = [
    ("g1", "Glacier retreat speeds up", "Survey teams measured the glacier retreat in the Alps."),
    ("c2", "Compiler release adds C++ modules", "The new C++ compiler supports modules."),
    ("b3", "Budget vote delayed", "Council members delayed the budget vote until spring."),
]


@pytest.fixture
def library(tmp_path: Path) -> Library:
    lib = Library.open(tmp_path / "data", config_dir_path=tmp_path / "config", samples=False)
    lib.add_feed(str(local_feed(tmp_path, "desk.xml", STORIES)), tags=["desk"])
    lib.refresh_sync()
    yield lib
    lib.close()


def article_id(library: Library, title_word: str) -> int:
    hits = [a for a in library.article_page(ArticleQuery(), 0, 50) if title_word in a.title]
    assert len(hits) == 1
    return hits[0].id


def test_tags_on_articles_and_inherited_from_feeds(library: Library) -> None:
    glacier = article_id(library, "Glacier")
    library.tag_article(glacier, ["climate", "  ", "climate"])
    assert library.article(glacier).tags == ("climate",)
    assert dict(library.tags()) == {"climate": 1, "desk": 3}
    assert library.count_articles(ArticleQuery(tag="climate")) == 1
    assert library.count_articles(ArticleQuery(tag="desk")) == 3
    library.untag_article(glacier, ["climate"])
    assert library.article(glacier).tags == ()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("glacier", {"Glacier"}),
        ('"budget vote"', {"Budget"}),
        ('"vote budget"', set()),
        ("C++", {"Compiler"}),
        ("delay*", {"Budget"}),
        ("council -glacier", {"Budget"}),
        ("tag:desk -budget -glacier", {"Compiler"}),
        ("tag:nothing", set()),
        ("feed:desk glacier", {"Glacier"}),
        ("is:saved", set()),
        ("is:unread glacier", {"Glacier"}),
        ("before:2000-01-01", set()),
        ("after:2000-01-01 glacier", {"Glacier"}),
    ],
)
def test_search_operators(library: Library, query: str, expected: set[str]) -> None:
    titles = {hit.article.title.split()[0] for hit in library.search(query)}
    assert titles == expected


def test_search_snippets_mark_terms(library: Library) -> None:
    (hit,) = library.search("retreat")
    marked = {hit.snippet[start:end].lower() for start, end in hit.marks}
    assert marked == {"retreat"}


def test_saved_filter(library: Library) -> None:
    library.set_saved(article_id(library, "Budget"), True)
    assert [hit.article.title for hit in library.search("is:saved")] == ["Budget vote delayed"]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_query_parser_never_raises(text: str) -> None:
    query = parse_query(text)
    assert query.match_expression() is None or query.match_expression()


@pytest.mark.parametrize(
    "text", ["C++", '"', '"unbalanced', "*", "tag:", "-", "NEAR(a b)", "a OR", "x" * 10_000,
             "^col:x", "before:2026-02-31", "\x00\x1b[2J"],
)  # fmt: skip
def test_hostile_queries_do_not_raise(library: Library, text: str) -> None:
    assert isinstance(library.search(text), list)


def test_snippets_mark_words_prefixes_and_phrases() -> None:
    pattern = term_pattern(parse_query('vote delay* "the budget"'))
    text = "Intro. " * 30 + "Members delayed the Budget vote until spring."
    snippet, marks = make_snippet(text, pattern)
    assert snippet.startswith("…") and "Members delayed the Budget vote" in snippet
    assert [snippet[a:b] for a, b in marks] == ["delayed", "the Budget", "vote"]
    assert make_snippet("no match here", pattern) == ("no match here", [])


def test_prune_leaves_tombstones_that_stop_readding(library: Library, tmp_path: Path) -> None:
    budget = article_id(library, "Budget")
    library.mark_read([budget])
    keep = article_id(library, "Glacier")
    library.mark_read([keep])
    library.set_saved(keep, True)
    # Everything is older than "now + 10 years" minus a day of retention.
    pruned = library.prune(older_than_days=1, now=4_000_000_000)
    assert pruned == 1
    library.refresh_sync()  # the unchanged file is skipped by its hash...
    path = tmp_path / "desk.xml"
    path.write_bytes(path.read_bytes().replace(b"</channel>", b" </channel>"))
    library.refresh_sync()  # ...and a changed body still does not bring the item back
    titles = {a.title for a in library.article_page(ArticleQuery(), 0, 50)}
    assert "Budget vote delayed" not in titles and "Glacier retreat speeds up" in titles


def _fields(library: Library) -> dict[str, tuple[object, ...]]:
    result = {}
    for summary in library.article_page(ArticleQuery(), 0, 100):
        a = library.article(summary.id)
        result[a.key] = (a.title, a.author, a.link, a.published, a.text, a.blocks, a.tags,
                         a.saved, a.read, a.enclosures, a.removed)  # fmt: skip
    return result


def test_export_import_round_trip(library: Library, tmp_path: Path) -> None:
    glacier = article_id(library, "Glacier")
    library.tag_article(glacier, ["climate", "to-read"])
    library.set_saved(glacier, True)
    library.mark_read([glacier])
    out = tmp_path / "export"
    ids = library.article_ids(ArticleQuery())
    written = export_articles(library, ids, out)
    assert len(written) == 6
    again = export_articles(library, ids, out)
    assert sorted(again) == sorted(written)  # stable names, updated in place
    markdown = next(p for p in written if p.suffix == ".md" and "glacier" in p.name).read_text()
    assert markdown.startswith('---\ntitle: "Glacier retreat speeds up"')
    assert 'tags: ["climate", "to-read"]' in markdown and "saved: true" in markdown
    document = json.loads(next(p for p in written if p.suffix == ".json").read_text())
    assert document["broadsheet_export"] == 1

    with Library.open(tmp_path / "fresh", config_dir_path=tmp_path / "c2", samples=False) as fresh:
        report = import_library(fresh, out)
        assert (report.added, report.updated, report.unchanged) == (3, 0, 0)
        assert _fields(fresh) == _fields(library)
        report = import_library(fresh, out)
        assert (report.added, report.updated) == (0, 0) and report.unchanged == 3
        assert fresh.count_articles(ArticleQuery()) == 3


def test_import_rejects_garbage_without_losing_anything(library: Library, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    before = library.count_articles(ArticleQuery())
    report = import_library(library, bad)
    assert report.skipped and "not a Broadsheet JSON export" in report.skipped[0]
    assert library.count_articles(ArticleQuery()) == before


def test_newest_order_follows_publication_date(library: Library) -> None:
    hits = library.search("the", order="newest")
    assert len(hits) == 3
    published = [hit.article.published for hit in hits]
    assert published == sorted(published, reverse=True)
