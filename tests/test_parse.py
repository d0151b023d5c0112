"""Tests for reader.core._parse.parse_feed."""

from __future__ import annotations

import calendar
import json
import threading
import time
import tracemalloc
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core._parse import UNTITLED, _line, _strip, _strip_line, parse_feed
from reader.core.errors import FeedParseError
from reader.core.models import Enclosure
from reader.core.sanitize import clean_line, strip_controls

NOW = float(calendar.timegm((2026, 6, 1, 12, 0, 0)))
FEED_URL = "https://news.example.com/feeds/main.xml"
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "feedparser-tests"


def ts(*parts: int) -> float:
    return float(calendar.timegm((*parts, 0, 0, 0)[:6]))


def rss(
    items: str, channel: str = "<title>Channel</title><link>https://news.example.com/</link>"
) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel>{channel}{items}</channel></rss>"
    ).encode()


def parse(body: bytes, url: str = FEED_URL, content_type: str | None = None):  # type: ignore[no-untyped-def]
    return parse_feed(body, url, content_type, now=NOW)


# --- formats -----------------------------------------------------------------


def test_rss20_full_content_preferred_and_summary_kept() -> None:
    feed = parse(
        rss(
            "<item><title>Harbour reopens</title><link>https://news.example.com/a</link>"
            "<guid isPermaLink='false'>id-1</guid><dc:creator>Ana Ruiz</dc:creator>"
            "<description>Short teaser.</description>"
            "<content:encoded><![CDATA[<p>First paragraph.</p><p>Second.</p>]]></content:encoded>"
            "<pubDate>Sat, 14 Mar 2026 10:00:00 GMT</pubDate>"
            "<category>Ports</category><category>Economy</category>"
            '<enclosure url="https://example.org/a.mp3" type="audio/mpeg" length="1234"/>'
            "</item>"
        )
    )
    assert (feed.format, feed.title, feed.site_url, feed.warning) == (
        "rss20",
        "Channel",
        "https://news.example.com/",
        None,
    )
    (entry,) = feed.entries
    assert entry.key == "id-1"
    assert entry.title == "Harbour reopens"
    assert entry.author == "Ana Ruiz"
    assert entry.content == "<p>First paragraph.</p><p>Second.</p>"
    assert entry.content_type == "html"
    assert entry.summary == "Short teaser."
    assert entry.published == ts(2026, 3, 14, 10)
    assert entry.categories == ["Ports", "Economy"]
    assert entry.enclosures == [Enclosure("https://example.org/a.mp3", "audio/mpeg", 1234)]


def test_rss_description_only_is_the_content() -> None:
    feed = parse(
        rss("<item><title>T</title><description>&lt;p&gt;Body&lt;/p&gt;</description></item>")
    )
    entry = feed.entries[0]
    assert (entry.content, entry.content_type, entry.summary) == ("<p>Body</p>", "html", None)


def test_rdf_rss10() -> None:
    body = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
 <channel rdf:about="https://rdf.example.com/"><title>RDF news</title><link>https://rdf.example.com/</link></channel>
 <item rdf:about="https://rdf.example.com/1"><title>One</title><link>https://rdf.example.com/1</link>
  <description>Body one</description><dc:date>2026-02-01T08:30:00Z</dc:date></item>
</rdf:RDF>"""
    feed = parse(body)
    assert feed.format == "rss10"
    assert feed.title == "RDF news"
    entry = feed.entries[0]
    assert (entry.key, entry.link, entry.published) == (
        "https://rdf.example.com/1",
        "https://rdf.example.com/1",
        ts(2026, 2, 1, 8) + 30 * 60,
    )


def test_atom_content_html_title_and_inherited_author() -> None:
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">Lab &lt;b&gt;notes&lt;/b&gt;</title>
  <link href="https://lab.example.com/"/><id>tag:lab.example.com,2026:feed</id>
  <author><name>Lab Desk</name></author>
  <entry>
    <id>tag:lab.example.com,2026:1</id>
    <title type="html">A &lt;em&gt;tiny&lt;/em&gt; telescope</title>
    <link href="/posts/1"/>
    <link rel="enclosure" href="https://example.org/ep1.mp3" type="audio/mpeg" length="99"/>
    <updated>2026-04-02T09:00:00+02:00</updated>
    <summary>Teaser</summary>
    <content type="html">&lt;p&gt;Full text&lt;/p&gt;</content>
    <category term="space"/><category term="optics" label="Optics"/>
  </entry>
</feed>"""
    feed = parse(body)
    assert (feed.format, feed.title, feed.site_url) == (
        "atom10",
        "Lab notes",
        "https://lab.example.com/",
    )
    entry = feed.entries[0]
    assert entry.key == "tag:lab.example.com,2026:1"
    assert entry.title == "A tiny telescope"
    assert entry.link == "https://news.example.com/posts/1"  # resolved against the feed URL
    assert entry.author == "Lab Desk"
    assert (entry.content, entry.content_type, entry.summary) == (
        "<p>Full text</p>",
        "html",
        "Teaser",
    )
    assert entry.published == ts(2026, 4, 2, 7)
    assert entry.enclosures == [Enclosure("https://example.org/ep1.mp3", "audio/mpeg", 99)]
    assert entry.categories == ["space", "optics"]


def test_atom_text_content_is_text() -> None:
    body = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        b"<entry><id>urn:1</id><title>x</title><content type='text'>a &lt; b</content></entry></feed>"
    )
    entry = parse(body).entries[0]
    assert (entry.content, entry.content_type) == ("a < b", "text")


def test_relative_link_resolved_against_site_link_when_feed_url_is_not_http() -> None:
    feed = parse(
        rss("<item><title>T</title><link>/stories/7</link></item>"), url="sample:world.xml"
    )
    assert feed.entries[0].link == "https://news.example.com/stories/7"


def test_non_http_links_and_enclosures_dropped() -> None:
    feed = parse(
        rss(
            "<item><title>T</title><link>javascript:alert(1)</link>"
            '<enclosure url="file:///etc/passwd" type="text/plain"/></item>',
            channel="<title>C</title><link>ftp://files.example.com/</link>",
        ),
        url="sample:x",
    )
    assert feed.site_url is None
    assert feed.entries[0].link is None
    assert feed.entries[0].enclosures == []


# --- JSON Feed ----------------------------------------------------------------


def json_feed(items: list[object], **extra: object) -> bytes:
    doc: dict[str, object] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "JSON news",
        **extra,
    }
    doc["items"] = items
    return json.dumps(doc).encode()


def test_json_feed_11() -> None:
    body = json_feed(
        [
            {
                "id": "j1",
                "url": "/j/1",
                "title": "Garden census",
                "content_html": "<p>Full</p>",
                "content_text": "Full",
                "summary": "Sum",
                "date_published": "2026-03-01T10:00:00Z",
                "authors": [{"name": "Kit Moss"}, {"name": "Ola Berg"}],
                "tags": ["gardens", 5, "city"],
                "attachments": [
                    {
                        "url": "https://example.org/g.mp3",
                        "mime_type": "audio/mpeg",
                        "size_in_bytes": 42,
                    },
                    {"url": "data:text/plain,hi"},
                ],
            },
            {"id": 7, "content_text": "Plain words only here."},
            "not an item",
        ],
        home_page_url="https://json.example.com/",
    )
    feed = parse(body, url="https://json.example.com/feed.json")
    assert (feed.format, feed.title, feed.site_url, feed.warning) == (
        "json11",
        "JSON news",
        "https://json.example.com/",
        None,
    )
    first, second = feed.entries
    assert first.key == "j1"
    assert first.link == "https://json.example.com/j/1"
    assert (first.content, first.content_type, first.summary) == ("<p>Full</p>", "html", "Sum")
    assert first.author == "Kit Moss, Ola Berg"
    assert first.published == ts(2026, 3, 1, 10)
    assert first.categories == ["gardens", "city"]
    assert first.enclosures == [Enclosure("https://example.org/g.mp3", "audio/mpeg", 42)]
    assert (second.key, second.content_type, second.title) == (
        "7",
        "text",
        "Plain words only here.",
    )


def test_json_feed_10_author_object_and_feed_author_fallback() -> None:
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1",
            "title": "Old",
            "author": {"name": "Feed Person"},
            "items": [
                {"id": "a", "title": "A", "content_text": "x", "author": {"name": "Item Person"}},
                {"id": "b", "title": "B", "content_text": "y"},
            ],
        }
    ).encode()
    feed = parse(body, content_type="application/feed+json")
    assert feed.format == "json10"
    assert [e.author for e in feed.entries] == ["Item Person", "Feed Person"]


@pytest.mark.parametrize(
    "body",
    [b'{"title": "no items"}', b"[1, 2]", b"{not json", b"[" * 100_000, b'{"items": "nope"}'],
)
def test_bad_json_raises(body: bytes) -> None:
    with pytest.raises(FeedParseError):
        parse(body, content_type="application/json")


def test_json_impossible_and_future_dates() -> None:
    body = json_feed(
        [
            {"id": "1", "content_text": "a", "date_published": "2026-02-31T00:00:00Z"},
            {"id": "2", "content_text": "b", "date_published": "2099-01-01T00:00:00Z"},
            {"id": "3", "content_text": "c", "date_published": "2026-01-05"},
        ]
    )
    assert [e.published for e in parse(body).entries] == [None, NOW, ts(2026, 1, 5)]


# --- not a feed ---------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   \n\t ",
        b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form></form></body></html>",
        b"<html><body>Welcome to Airport WiFi. Accept the terms to continue.</body></html>",
        b"<!doctype html><title>Portal</title><p>Log in",
        b"\x00\x01\x02\xff\xfe binary garbage",
        b"just some words",
        b"<?xml version='1.0'?><catalog><book>x</book></catalog>",
    ],
)
def test_not_a_feed(body: bytes) -> None:
    with pytest.raises(FeedParseError) as info:
        parse(body, content_type="text/html; charset=utf-8")
    assert "\n" not in str(info.value)
    assert str(info.value).startswith("not a feed")


def test_html_doctype_on_a_real_rss_feed_is_tolerated() -> None:
    body = b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x"><rss><channel><title>ok</title></channel></rss>'
    assert parse(body).title == "ok"


def test_path_like_body_is_not_opened(tmp_path: Path) -> None:
    real = tmp_path / "feed.xml"
    real.write_bytes(rss("<item><title>secret</title></item>"))
    with pytest.raises(FeedParseError):
        parse(str(real).encode())  # had feedparser opened it, this would parse


@pytest.mark.parametrize("body", [b"/etc/passwd", b"/dev/zero", b"file:///etc/passwd"])
def test_system_paths_are_not_read(body: bytes) -> None:
    started = time.monotonic()
    with pytest.raises(FeedParseError):
        parse(body)
    assert time.monotonic() - started < 2


# --- entity attacks -------------------------------------------------------------


def billion_laughs() -> bytes:
    decls = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + "\n".join(decls) + "\n]>\n"
        '<rss version="2.0"><channel><title>&lol9;</title>'
        "<item><guid>1</guid><title>t &lol9;</title><description>&lol9;</description></item>"
        "</channel></rss>"
    ).encode()


def quadratic_blowup() -> bytes:
    value = "Q" * 20_000
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY q "{value}">]>'
        '<rss version="2.0"><channel><title>t</title><item><guid>1</guid><title>x</title>'
        f"<description>{'&q;' * 20_000}</description></item></channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    "body",
    [
        billion_laughs(),
        quadratic_blowup(),
        billion_laughs()
        .replace(b'"1.0"?>', b'"1.0" encoding="utf-16"?>')
        .decode()
        .encode("utf-16"),
    ],
    ids=["billion-laughs", "quadratic", "billion-laughs-utf16"],
)
def test_entity_bombs_stay_bounded(body: bytes) -> None:
    tracemalloc.start()
    started = time.monotonic()
    try:
        feed = parse(body)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.monotonic() - started < 5
    assert peak < 50_000_000
    entry = feed.entries[0]
    # Nothing expanded: no text is longer than the body it came from.
    assert len(entry.content) + len(entry.title) + len(feed.title) <= len(body)
    assert "lollol" not in entry.title and "QQQQQQQQ" * 3000 not in entry.content
    assert feed.warning  # the undefined entity is reported, not silently swallowed


def test_external_entity_file_not_read() -> None:
    body = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<rss version="2.0"><channel><title>&xxe;</title><item><title>a&xxe;</title>'
        b"<description>&xxe;</description></item></channel></rss>"
    )
    feed = parse(body)
    texts = [feed.title, feed.entries[0].title, feed.entries[0].content]
    assert not any("root:" in text for text in texts)


@pytest.fixture
def dtd_server() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY ext "FETCHED">')

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def test_external_dtd_and_entities_never_fetched(dtd_server: tuple[str, list[str]]) -> None:
    base, hits = dtd_server
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{base}/ext.dtd" ['
        f'<!ENTITY remote SYSTEM "{base}/remote.ent"><!ENTITY % pe SYSTEM "{base}/pe.ent">%pe;]>'
        '<rss version="2.0"><channel><title>&remote;&ext;</title>'
        "<item><title>x</title></item></channel></rss>"
    ).encode()
    feed = parse(body)
    assert hits == []
    assert "FETCHED" not in feed.title


def test_malformed_doctype_raises() -> None:
    with pytest.raises(FeedParseError):
        parse(b'<!DOCTYPE rss [<!ENTITY a "unterminated><rss><channel></channel></rss>')


# --- recovery, keys, titles ------------------------------------------------------


def test_truncated_feed_recovers_readable_entries() -> None:
    body = rss(
        "<item><guid>1</guid><title>First</title><description>one</description></item>"
        "<item><guid>2</guid><title>Second</title><description>two</description></item>"
    )
    cut = body[: body.index(b"</item>", body.index(b"Second")) + 3]
    feed = parse(cut)
    assert [e.title for e in feed.entries][:1] == ["First"]
    assert feed.warning and "\n" not in feed.warning


def test_keys_fall_back_to_link_then_hash_and_are_stable() -> None:
    body = rss(
        "<item><title>Linked</title><link>https://news.example.com/l</link></item>"
        "<item><title>Bare</title><description>text</description></item>"
    )
    first = parse(body).entries
    second = parse(body).entries
    assert first[0].key == "https://news.example.com/l"
    assert first[1].key.startswith("sha256:") and len(first[1].key) == 7 + 64
    assert [e.key for e in first] == [e.key for e in second]


def test_duplicate_guids_get_distinct_stable_keys_and_exact_repeats_drop() -> None:
    item_a = "<item><guid isPermaLink='false'>same</guid><title>A</title><description>a</description></item>"
    item_b = "<item><guid isPermaLink='false'>same</guid><title>B</title><description>b</description></item>"
    feed = parse(rss(item_a + item_b + item_a))
    keys = [e.key for e in feed.entries]
    assert len(keys) == 2 and len(set(keys)) == 2
    assert keys[0] == "same" and keys[1].startswith("same#")
    assert keys == [e.key for e in parse(rss(item_a + item_b)).entries]


def test_untitled_entries_get_text_fallback() -> None:
    long_text = "word " * 40
    feed = parse(
        rss(
            f"<item><guid>1</guid><description>&lt;p&gt;{long_text}&lt;/p&gt;</description></item>"
            "<item><guid>2</guid><description>&lt;p&gt;Short &amp;amp; sweet&lt;/p&gt;</description></item>"
            "<item><guid>3</guid></item>"
        )
    )
    long_title, short_title, empty_title = (e.title for e in feed.entries)
    assert long_title.endswith("…") and len(long_title) <= 81 and "<" not in long_title
    assert short_title == "Short & sweet"
    assert empty_title == UNTITLED


def test_control_characters_and_escapes_stripped() -> None:
    body = rss(
        "<item><guid>1\x1b[31m</guid><title>Red\x1b[31m alert\x1b]52;c;Zm9v\x07 now\u202e</title>"
        "<dc:creator>Eve\x1b[2J</dc:creator><link>https://news.example.com/\x1b[0mx</link>"
        "<description>line1\nline2\x1b[1m bold\x9b31m</description></item>",
        channel="<title>Chan\x1b[5mnel</title>",
    ).replace(b"\x1b", b"&#27;")  # ESC as a character reference...
    raw = body.replace(b"&#27;", b"\x1b")  # ...and as a raw byte: both must come out clean
    for variant in (body, raw):
        feed = parse(variant)
        entry = feed.entries[0]
        for text in (
            feed.title,
            entry.title,
            entry.author or "",
            entry.content,
            entry.key,
            entry.link or "",
        ):
            assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text
        assert entry.title == "Red alert now"
        assert feed.title == "Channel"
        assert "line1\nline2" in entry.content


# --- dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pub", "expected"),
    [
        ("Sat, 14 Mar 2026 10:00:00 +0100", ts(2026, 3, 14, 9)),
        ("Sat, 31 Feb 2026 10:00:00 GMT", None),
        ("Mon, 01 Jan 99999 00:00:00 GMT", None),
        ("not a date", None),
        ("Fri, 01 Jan 2100 00:00:00 GMT", NOW),  # future: clamped
    ],
)
def test_rss_dates(pub: str, expected: float | None) -> None:
    entry = parse(
        rss(f"<item><guid>1</guid><title>x</title><pubDate>{pub}</pubDate></item>")
    ).entries[0]
    assert entry.published == expected


@pytest.mark.parametrize(
    ("updated", "expected"),
    [
        ("2026-01-02T03:04:05Z", ts(2026, 1, 2, 3) + 4 * 60 + 5),
        ("2026-02-31T10:00:00Z", None),  # feedparser alone would roll this to March 3
        ("99999-01-01T00:00:00Z", None),
        ("0000-00-00T00:00:00Z", None),
    ],
)
def test_atom_dates(updated: str, expected: float | None) -> None:
    body = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        f"<entry><id>urn:x</id><title>x</title><updated>{updated}</updated></entry></feed>"
    ).encode()
    assert parse(body).entries[0].published == expected


def test_published_preferred_over_updated_and_updated_used_when_alone() -> None:
    body = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        b"<entry><id>urn:a</id><title>a</title><published>2026-01-01T00:00:00Z</published>"
        b"<updated>2026-02-01T00:00:00Z</updated></entry>"
        b"<entry><id>urn:b</id><title>b</title><updated>2026-02-01T00:00:00Z</updated></entry></feed>"
    )
    assert [e.published for e in parse(body).entries] == [ts(2026, 1, 1), ts(2026, 2, 1)]


# --- encodings --------------------------------------------------------------------


def test_declared_latin1_and_http_charset() -> None:
    latin = '<?xml version="1.0" encoding="iso-8859-1"?><rss><channel><title>Caf\xe9</title></channel></rss>'
    assert parse(latin.encode("latin-1")).title == "Café"
    plain = "<rss><channel><title>Caf\xe9</title></channel></rss>".encode("latin-1")
    assert parse(plain, content_type="text/xml; charset=ISO-8859-1").title == "Café"


def test_utf8_feed_served_as_text_html_without_warning() -> None:
    feed = parse(rss("<item><guid>1</guid><title>Zoë</title></item>"), content_type="text/html")
    assert feed.entries[0].title == "Zoë"
    assert feed.warning is None


# --- robustness corpus ----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared feedparser corpus not available")
def test_feedparser_corpus_never_crashes() -> None:
    """~2,100 files from feedparser's own suite; takes about 2 s."""
    files = sorted(path for path in CORPUS.rglob("*") if path.is_file() and path.name != "LICENSE")
    assert len(files) > 2000
    parsed = 0
    for path in files:
        try:
            feed = parse_feed(path.read_bytes(), "https://corpus.example.com/feed", now=NOW)
        except FeedParseError as exc:
            assert "\n" not in str(exc), path
            continue
        parsed += 1
        for entry in feed.entries:
            assert entry.key and entry.title, path
            assert "\x1b" not in entry.title + entry.content, path
            assert entry.link is None or entry.link.lower().startswith("http"), path
    assert parsed > 2000


# Printable text plus the characters the sanitizer treats specially.
_TRICKY = "ab \n\t\r\x00\x07\x1b[]\\;52m\x7f\x90\x9b\x9c\x9d\u202e\u200b"


@given(st.text(alphabet=_TRICKY, max_size=40))
def test_fast_path_strip_matches_strip_controls(text: str) -> None:
    assert _strip(text) == strip_controls(text)


@given(st.text(alphabet=_TRICKY + "\u00a0\u2028\u00ad\ufeffé ", max_size=40) | st.text(max_size=40))
def test_shortcut_line_cleaning_matches_sanitize(text: str) -> None:
    assert _strip(text) == strip_controls(text)
    assert _strip_line(text) == strip_controls(text, keep_newlines=False)
    assert _line(text) == clean_line(text)
    assert _line(text, limit=5) == clean_line(text, limit=5)


def test_a_title_keeps_joiners_and_loses_bidi_overrides() -> None:
    family = "\U0001f469\u200d\U0001f469\u200d\U0001f467"  # one emoji, three people
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # ZWNJ inside a word
    assert clean_line(f"A {family} day") == f"A {family} day"
    assert clean_line(persian) == persian
    assert clean_line("invoice\u202egpj.exe\u200b") == "invoicegpj.exe"
    assert clean_line("invoice\u200dgpj\u200c.exe") == "invoicegpj.exe"  # no use there
    assert _line(f"A {family} day") == f"A {family} day"


# --- crash regressions and fuzzing ----------------------------------------------------


def test_char_refs_to_surrogates_and_beyond_unicode_become_replacement_chars() -> None:
    # feedparser's fallback parser raises on these (chr() / utf-8 encode) if left alone.
    body = rss(
        "<item><guid>1</guid><title>a&#xD800;b&#1114112;c&#99999999999;</title>"
        "<description>x &#xDC00; &#x2019; &#8217;</description></item>",
        channel="<title>C&#55296;</title>",
    )
    feed = parse(body)
    assert feed.title == "C\ufffd"
    assert feed.entries[0].title == "a\ufffdb\ufffdc\ufffd"
    assert feed.entries[0].content == "x \ufffd \u2019 \u2019"


def test_undecodable_encoding_name_does_not_crash() -> None:
    body = b'<?xml version="1.0" encoding="iso-8859-\x8c"?><rss version="2.0"><channel><title>ok</title></channel></rss>'
    assert parse(body).title == "ok"


def test_json_lone_surrogates_replaced() -> None:
    body = b'{"version": "https://jsonfeed.org/version/1.1", "title": "x\\ud800y", "items": [{"id": "\\udc00", "title": "t\\ud800", "content_text": "a\\ud800", "tags": ["\\ud800"]}]}'
    feed = parse(body)
    entry = feed.entries[0]
    for text in (feed.title, entry.title, entry.content, entry.key, *entry.categories):
        text.encode("utf-8")  # raises on a lone surrogate
    assert entry.title == "t\ufffd"


_FUZZ_TOKENS = [
    b"&#xD800;", b"&#1114112;", b"<", b">", b"&", b"]]>", b"<![CDATA[", b"\x00", b"\x1b[31m",
    b"\xff\xfe", b"<!DOCTYPE x [", b'<!ENTITY a "b">', b'"', b"<item>", b"</item>", b"{", b"\\ud800",
    b'<?xml version="1.0" encoding="utf-16"?>', b'xml:base="javascript:x"',
]  # fmt: skip


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(
    seed=st.sampled_from(["world.xml", "science.atom", "culture.json"]),
    edits=st.lists(
        st.tuples(
            st.floats(0, 1), st.sampled_from(_FUZZ_TOKENS) | st.binary(max_size=8), st.booleans()
        ),
        min_size=1,
        max_size=6,
    ),
    content_type=st.sampled_from(
        [None, "text/html", "application/json", "text/xml; charset=utf-16"]
    ),
)
def test_mutated_feeds_never_raise_anything_but_feed_parse_error(
    seed: str, edits: list[tuple[float, bytes, bool]], content_type: str | None
) -> None:
    body = bytearray((Path(__file__).resolve().parents[1] / "sample_feeds" / seed).read_bytes())
    for where, chunk, delete in edits:
        pos = int(where * len(body))
        if delete:
            del body[pos : pos + 40]
        body[pos:pos] = chunk
    try:
        feed = parse(bytes(body), content_type=content_type)
    except FeedParseError as exc:
        assert "\n" not in str(exc)
        return
    for entry in feed.entries:
        assert "\x1b" not in entry.title + entry.content + entry.key
        (entry.title + entry.content + (entry.author or "")).encode("utf-8")
