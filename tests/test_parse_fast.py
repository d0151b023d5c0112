"""Differential tests: the lxml fast path gives exactly feedparser's result."""

from __future__ import annotations

import calendar
import dataclasses
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core import _parse_fast, _parse_fast_values
from reader.core._parse import _to_utf8, parse_feed
from reader.core.errors import FeedParseError
from reader.core.models import ParsedFeed

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_feeds"
CORPUS = ROOT.parent / "shared" / "corpora" / "feedparser-tests" / "tests"
WELLFORMED = CORPUS / "wellformed"
NOW = float(calendar.timegm((2026, 6, 1, 12, 0, 0)))
URL = "https://corpus.example.com/feed"

sys.path.insert(0, str(ROOT / "benchmarks"))
import farm  # noqa: E402


def takes_fast_path(body: bytes) -> bool:
    data, _ = _to_utf8(body, None)
    try:
        from reader.core._parse import _replace_bad_char_refs, _strip_dtd_subset

        data = _replace_bad_char_refs(_strip_dtd_subset(data))
    except FeedParseError:
        return False
    return _parse_fast.extract(data) is not None


def diff(fast: ParsedFeed, slow: ParsedFeed) -> list[str]:
    """Field-by-field differences, readable in a failure message."""
    out: list[str] = []
    for field in dataclasses.fields(ParsedFeed):
        if field.name == "entries":
            continue
        a, b = getattr(fast, field.name), getattr(slow, field.name)
        if a != b:
            out.append(f"feed.{field.name}: fast={a!r} feedparser={b!r}")
    if len(fast.entries) != len(slow.entries):
        out.append(f"entries: fast has {len(fast.entries)}, feedparser {len(slow.entries)}")
    for i, (x, y) in enumerate(zip(fast.entries, slow.entries, strict=False)):
        for field in dataclasses.fields(x):
            a, b = getattr(x, field.name), getattr(y, field.name)
            if a != b:
                out.append(f"entries[{i}].{field.name}: fast={a!r:.300} feedparser={b!r:.300}")
    return out


def assert_same(body: bytes, url: str = URL, content_type: str | None = None) -> bool:
    """Assert both paths agree (or both reject); True when the fast path was taken."""
    try:
        slow = parse_feed(body, url, content_type, now=NOW, fast=False)
    except FeedParseError:
        slow = None
    try:
        fast = parse_feed(body, url, content_type, now=NOW)
    except FeedParseError:
        fast = None
    if slow is None or fast is None:
        assert slow is None and fast is None, "only one path rejected the document"
        return False
    problems = diff(fast, slow)
    assert not problems, "\n".join(problems)
    assert fast == slow
    return takes_fast_path(body)


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.iterdir()))
def test_sample_feeds(name: str) -> None:
    body = (SAMPLES / name).read_bytes()
    took = assert_same(body, f"https://samples.example.com/{name}")
    if name.endswith((".xml", ".atom")):
        assert took, f"{name} should take the fast path"


@pytest.mark.parametrize(("feed", "items"), [(0, 30), (7, 30), (123, 30), (3, 200), (499, 200)])
def test_farm_feeds(feed: int, items: int) -> None:
    body = farm.feed_xml(feed, items, 500, 1, farm.DEFAULT_PORT, farm.DEFAULT_HOSTS)
    assert assert_same(body, farm.feed_url(feed))


def wellformed_files() -> list[Path]:
    if not WELLFORMED.is_dir():
        return []
    return sorted(p for p in WELLFORMED.rglob("*") if p.is_file())


@pytest.mark.skipif(not WELLFORMED.is_dir(), reason="shared feedparser corpus not available")
def test_feedparser_wellformed_corpus() -> None:
    """Every document the fast path accepts comes out exactly as feedparser's."""
    files = wellformed_files()
    fast = 0
    failures: list[str] = []
    for path in files:
        try:
            fast += assert_same(path.read_bytes())
        except AssertionError as exc:
            failures.append(f"{path.relative_to(CORPUS)}: {exc}")
    print(f"\nfast path taken by {fast} of {len(files)} wellformed corpus files")
    assert not failures, f"{len(failures)} differ:\n" + "\n\n".join(failures[:30])
    assert fast > 200


# --- targeted cases: each either matches or falls back ------------------------------

CASES = {
    "rss-plain": b"<rss version='2.0'><channel><title>C</title><link>http://x.example/</link>"
    b"<item><title>T</title><link>/a?b=1&amp;c=2</link><description>d</description></item>"
    b"</channel></rss>",
    "rss-html-title": b"<rss version='2.0'><channel><title>A &lt;b&gt;B&lt;/b&gt;</title>"
    b"<item><title>x &amp;amp; &lt;i&gt;y&lt;/i&gt;</title><guid>g</guid></item></channel></rss>",
    "rss-content-before-description": b"<rss version='2.0' xmlns:content="
    b"'http://purl.org/rss/1.0/modules/content/'><channel><item><guid isPermaLink='false'>g</guid>"
    b"<content:encoded>&lt;p&gt;full&lt;/p&gt;</content:encoded><description>sum</description>"
    b"</item></channel></rss>",
    "rss-two-descriptions": b"<rss version='2.0'><channel><item><description>a</description>"
    b"<description>b</description></item></channel></rss>",
    "rss-two-titles": b"<rss version='2.0'><channel><item><title></title><title>A</title>"
    b"<title>B</title></item><title>late channel title</title></channel></rss>",
    "rss-guid-permalink": b"<rss version='2.0'><channel><item><guid>http:///x.example/p</guid>"
    b"<link>http://x.example/l</link></item><item><guid>http://x.example/g</guid></item>"
    b"</channel></rss>",
    "rss-authors": b"<rss version='2.0' xmlns:dc='http://purl.org/dc/elements/1.1/'><channel>"
    b"<item><author>bob@example.com (Bob)</author><dc:creator>Ann</dc:creator></item>"
    b"<item><dc:creator>  Caf\xc3\x83\xc2\xa9  </dc:creator></item></channel></rss>",
    "rss-categories": b"<rss version='2.0'><channel><item><category domain='d'>A</category>"
    b"<category>A</category><category domain='d'/><category>B</category>"
    b"<category term='t'>C</category></item></channel></rss>",
    "rss-enclosures": b"<rss version='2.0'><channel><item><enclosure url='http://x.example/a.mp3'"
    b" type='Audio/MPEG' length='12'/><enclosure URL='http://x.example/b' length='x'/>"
    b"<enclosure url='' href='http://x.example/c'/></item></channel></rss>",
    "rss-atom-links": b"<rss version='2.0' xmlns:atom='http://www.w3.org/2005/Atom'><channel>"
    b"<atom:link rel='self' href='http://x.example/feed'/><atom:link rel='hub'/>"
    b"<item><atom:link href='http://x.example/alt'/><atom:link rel='enclosure' "
    b"href='http://x.example/e.mp3' length='5'/></item></channel></rss>",
    "rss-image-and-extras": b"<rss version='2.0' xmlns:sy='http://purl.org/rss/1.0/modules/"
    b"syndication/' xmlns:x='urn:x'><channel><image><title>Logo</title><url>http://x.example/i"
    b"</url></image><title>Chan</title><sy:updatePeriod>hourly</sy:updatePeriod><item>"
    b"<x:thing a='1'>q</x:thing><comments>http://x.example/c</comments><title>t</title>"
    b"<pubDate>Sat, 14 Mar 2026 10:00:00 +0100</pubDate></item></channel></rss>",
    "ns-declared-below-root": b"<rss version='2.0'><channel><item><title>t</title><dc:date "
    b"xmlns:dc='http://purl.org/dc/elements/1.1/'>2026-01-01</dc:date></item></channel></rss>",
    "rss-dates": b"<rss version='2.0'><channel><item><guid>1</guid><pubDate>Sat, 31 Feb 2026 "
    b"10:00:00 GMT</pubDate></item><item><guid>2</guid><pubDate>2026-02-31T00:00:00Z</pubDate>"
    b"</item><item><guid>3</guid><pubDate>2099-01-01T00:00:00Z</pubDate></item><item><guid>4"
    b"</guid><pubDate>junk</pubDate><lastBuildDate>Mon, 02 Feb 2026 01:02:03 EST</lastBuildDate>"
    b"</item></channel></rss>",
    "rss-c1-controls": "<rss version='2.0'><channel><item><title>a\x93b\x94 \u00e9</title>"
    "<description>\x80 euro</description></item></channel></rss>".encode(),
    "atom-basic": b"<feed xmlns='http://www.w3.org/2005/Atom'><title type='html'>A &amp;amp; B"
    b"</title><link href='http://x.example/'/><id>http://x.example/id</id><author><name>Desk"
    b"</name><email>d@x.example</email></author><entry><id>tag:x,2026:1</id><title>E</title>"
    b"<link rel='alternate' type='text/html' href='/e1'/><updated>2026-01-02T03:04:05Z</updated>"
    b"<published>2026-01-01T00:00:00+02:00</published><summary>s</summary><content type='html'>"
    b"&lt;p&gt;c&lt;/p&gt;</content><category term='t' label='L'/></entry><entry><id>"
    b"http://x.example/2</id><title type='text'>&lt;b&gt;bold?&lt;/b&gt;</title><author><uri>"
    b"http://x.example/u</uri></author><content>plain &amp; text</content></entry></feed>",
    "atom-feed-id-as-link": b"<feed xmlns='http://www.w3.org/2005/Atom'><id>http://x.example/"
    b"</id><title>t</title><entry><id>urn:1</id><content type='text'>x</content></entry></feed>",
    "atom-xhtml": b"<feed xmlns='http://www.w3.org/2005/Atom'><title>t</title><entry><id>u</id>"
    b"<content type='xhtml'><div xmlns='http://www.w3.org/1999/xhtml'><p>x</p></div></content>"
    b"</entry></feed>",
    "xml-base": b"<feed xmlns='http://www.w3.org/2005/Atom' xml:base='http://b.example/'><entry>"
    b"<id>u</id><link href='rel'/></entry></feed>",
    "rdf": b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#' xmlns='http://purl"
    b".org/rss/1.0/'><channel><title>t</title></channel><item><title>i</title></item></rdf:RDF>",
    "truncated": b"<rss version='2.0'><channel><item><title>a</title></item><item><title>b",
    "dc-prefix-on-unknown-uri": b"<rss version='2.0' xmlns:dc='urn:not-dc'><channel><item>"
    b"<dc:title>x</dc:title></item></channel></rss>",
    "unknown-default-ns": b"<rss version='2.0' xmlns='urn:unknown'><channel><item><title>x</title>"
    b"</item></channel></rss>",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_targeted_cases_agree(name: str) -> None:
    assert_same(CASES[name])


@pytest.mark.parametrize(
    "name",
    [
        "atom-xhtml", "xml-base", "rdf", "truncated", "rss-two-descriptions",
        "ns-declared-below-root", "dc-prefix-on-unknown-uri",
    ],
)  # fmt: skip
def test_unusual_documents_fall_back(name: str) -> None:
    assert not takes_fast_path(CASES[name])


@pytest.mark.parametrize(
    "name",
    [
        "rss-plain", "atom-basic", "rss-authors", "rss-dates", "rss-categories", "rss-enclosures",
        "rss-atom-links", "rss-image-and-extras", "rss-c1-controls", "rss-two-titles",
        "unknown-default-ns", "atom-feed-id-as-link", "rss-content-before-description",
        "rss-guid-permalink", "rss-html-title",
    ],
)  # fmt: skip
def test_common_documents_take_the_fast_path(name: str) -> None:
    assert takes_fast_path(CASES[name])


def test_rfc822_shortcut_matches_feedparser() -> None:
    from feedparser.datetimes import _parse_date

    for value in [
        "Sat, 14 Mar 2026 10:00:00 GMT", "14 Mar 2026 10:00:00 +0130", "Sat, 31 Feb 2026 10:00:00 GMT",
        "Mon, 01 Jan 0001 00:00:00 +0100", "Fri, 31 Dec 9999 23:59:59 -0100",
        "Sat, 14 Mar 2026 24:00:00 GMT", "Sat, 14 Mar 2026 10:00:60 Z", "Sun, 29 Feb 2032 00:00:00 -2359",
    ]:  # fmt: skip
        assert _parse_fast_values.parse_date(value) == _parse_date(value), value


_TOKENS = [
    b"<title>x</title>", b"<description>d</description>", b"<guid isPermaLink='false'>g</guid>",
    b"<link>http:///a.example/&amp;amp;b</link>", b"<category domain='d'>c</category>",
    b"<author><name>n</name><email>e@x.example</email></author>", b"<dc:creator>c</dc:creator>",
    b"&lt;b&gt;", b"&amp;", b"\xc3\x83\xc2\xa9", b"\xc2\x93", b"<image><title>i</title></image>",
    b"<content type='html'>&lt;p&gt;</content>", b"<summary type='text'>s</summary>",
    b"<link rel='enclosure' href='http://e.example/x' length='3'/>", b"<x:y xmlns:x='urn:x'/>",
    b"<pubDate>Sat, 14 Mar 2026 10:00:00 +0100</pubDate>", b"<updated>2026-02-30</updated>",
    b"<source url='http://s.example/'>S</source>", b"<enclosure url='http://e.example/y'/>",
    b"<content:encoded>&lt;i&gt;c&lt;/i&gt;</content:encoded>", b"<dc:subject>s</dc:subject>",
    b"<title></title>", b"<id>http://i.example/</id>", b"<link href='/rel'/>", b"<!-- c -->",
    b"<author>a@b.example (A)</author>", b"<![CDATA[<b>x</b> &amp;]]>", b"<keywords>k</keywords>",
    b"<link rel='alternate' type='text/plain' href='http://p.example/'/>", b"<link/>",
]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    seed=st.sampled_from(["world.xml", "science.atom"]),
    edits=st.lists(st.tuples(st.floats(0, 1), st.sampled_from(_TOKENS)), min_size=1, max_size=4),
)
def test_mutated_samples_agree(seed: str, edits: list[tuple[float, bytes]]) -> None:
    """Insert element snippets at random places: whatever the fast path accepts must agree."""
    body = bytearray((SAMPLES / seed).read_bytes())
    for where, chunk in edits:
        pos = body.find(b">", int(where * len(body)))
        if pos == -1:
            continue
        body[pos + 1 : pos + 1] = chunk
    assert_same(bytes(body))
