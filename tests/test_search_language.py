"""Issue 12.12: the search language does what a user typing it expects.

- a query whose words hold no letter or digit ("🚀") finds nothing and says why,
  instead of listing every article;
- a word with a meaningful symbol (C#, C++, AT&T) matches only that word, not
  every article where the letters stand alone ("C#" is not "C++");
- operators take quoted values with spaces: tag:"Multi Word", feed:"Meridian Ledger".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_library import local_feed

from reader.core import Library
from reader.core.search import make_snippet, parse_query, term_pattern

STORIES = [
    ("c1", "Compiler adds C++ modules", "The new C++ compiler supports modules."),
    ("c2", "Runtime for C# ships", "The C# runtime now starts faster on small machines."),
    ("t3", "AT&amp;T cuts prices", "The carrier AT&amp;T said prices fall in May."),
    ("t4", "At the market", "Traders at t-junction stalls said prices fall."),
    ("r5", "Rocket launch delayed", "The launch was delayed by wind."),
]


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library.open(tmp_path / "data", config_dir_path=tmp_path / "config", samples=False)
    feed = lib.add_feed(str(local_feed(tmp_path, "desk.xml", STORIES)), tags=["Multi Word"])
    lib.rename_feed(feed.id, "Meridian Ledger")
    lib.refresh_sync()
    yield lib
    lib.close()


def titles(library: Library, query: str) -> set[str]:
    return {hit.article.title.split()[0] for hit in library.search(query)}


def test_emoji_only_query_finds_nothing_and_says_why(library: Library) -> None:
    assert library.search("🚀") == []
    query = parse_query("🚀")
    assert query.impossible and query.problems == ["'🚀' has no letter or digit to search for"]
    # With a real word the emoji is dropped (and reported), the word still searched.
    assert titles(library, "rocket 🚀") == {"Rocket"}
    assert parse_query("rocket 🚀").problems


def test_filters_alone_still_list_articles(library: Library) -> None:
    assert len(library.search("is:unread")) == len(STORIES)
    assert len(library.search('is:unread "')) == len(STORIES)


@pytest.mark.parametrize("text", ['"', '""', "*", "-", '" * -'])
def test_query_syntax_alone_finds_nothing_and_says_why(library: Library, text: str) -> None:
    """A lone '"' used to list every article, as if nothing had been typed."""
    assert library.search(text) == []
    query = parse_query(text)
    assert query.impossible and query.problems == [f"{text!r} has no letter or digit to search for"]


def test_a_filter_alone_shows_an_opening_cut_between_words(tmp_path: Path) -> None:
    """``broadsheet search has:notes`` printed "…a move aimed at im": the opening
    of the text, cut at a fixed length inside a word and with no "…" to say so."""
    words = "Ministers agreed on Friday to upgrade diplomatic representation " * 6
    lib = Library.open(tmp_path / "data", config_dir_path=tmp_path / "config", samples=False)
    try:
        lib.add_feed(str(local_feed(tmp_path, "long.xml", [("l1", "Long story", words)])))
        lib.refresh_sync()
        (hit,) = lib.search("is:unread")
    finally:
        lib.close()
    assert hit.snippet.endswith("…")
    assert set(hit.snippet.removesuffix("…").split(" ")) <= set(words.split())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("C#", {"Runtime"}),
        ("c#", {"Runtime"}),
        ("C++", {"Compiler"}),
        ("C++ -C#", {"Compiler"}),
        ("runtime -C++", {"Runtime"}),
        ("AT&T", {"AT&T"}),
        ('"C# runtime"', {"Runtime"}),
    ],
)
def test_symbol_words_match_precisely(library: Library, query: str, expected: set[str]) -> None:
    assert titles(library, query) == expected


def test_symbol_word_snippet_marks_the_word(library: Library) -> None:
    (hit,) = library.search("C#")
    assert [hit.snippet[a:b] for a, b in hit.marks] == ["C#"]
    snippet, marks = make_snippet("C++ and C# and C", term_pattern(parse_query("C#")))
    assert [snippet[a:b] for a, b in marks] == ["C#"]


def test_quoted_operator_values(library: Library) -> None:
    query = parse_query('tag:"Multi Word" feed:"Meridian Ledger" prices')
    assert query.tags == ["Multi Word"] and query.feeds == ["Meridian Ledger"]
    assert [term.text for term in query.terms] == ["prices"]
    assert len(library.search('tag:"Multi Word"')) == len(STORIES)
    assert titles(library, 'feed:"Meridian Ledger" launch') == {"Rocket"}
    assert titles(library, 'feed:"No Such Ledger"') == set()


@given(
    st.lists(st.text(alphabet="abcdefghij", min_size=1, max_size=14), min_size=1, max_size=80),
    st.sampled_from(["abc", "de", "j"]),
)
def test_snippets_start_and_end_on_whole_words(words: list[str], term: str) -> None:
    """Issue 15 item 13: a snippet is cut between words, never inside one."""
    text = " ".join(words)
    snippet, marks = make_snippet(text, term_pattern(parse_query(term)))
    body = snippet.removeprefix("…").removesuffix("…")
    whole = set(words)
    pieces = body.split(" ")
    # A word longer than the whole window is the only thing that may be cut.
    assert all(piece in whole for piece in pieces[1:-1])
    if snippet.endswith("…"):
        assert pieces[-1] in whole or len(body) >= 100
    if snippet.startswith("…"):
        assert pieces[0] in whole
    for start, end in marks:
        assert term in snippet[start:end].lower()
