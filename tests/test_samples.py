"""The bundled sample feeds and their ``sample:`` addressing."""

from __future__ import annotations

import re

import pytest

from reader.core._parse import parse_feed
from reader.core.errors import FetchError
from reader.core.models import ParsedFeed
from reader.core.samples import SAMPLE_SCHEME, is_sample_url, read_sample, sample_feed_urls

EXPECTED = ["sample:culture.json", "sample:science.atom", "sample:world.xml"]


def parsed() -> dict[str, ParsedFeed]:
    return {url: parse_feed(read_sample(url), url) for url in sample_feed_urls()}


def test_sample_urls_sorted_and_complete() -> None:
    urls = sample_feed_urls()
    assert urls == sorted(urls)
    assert set(EXPECTED) <= set(urls)
    assert all(is_sample_url(url) and url.startswith(SAMPLE_SCHEME) for url in urls)


def test_every_sample_parses_cleanly_with_enough_entries() -> None:
    feeds = parsed()
    formats = {url: feed.format for url, feed in feeds.items()}
    assert formats["sample:world.xml"] == "rss20"
    assert formats["sample:science.atom"] == "atom10"
    assert formats["sample:culture.json"] == "json11"
    for url, feed in feeds.items():
        assert feed.warning is None, url
        assert feed.title and feed.site_url, url
        assert len(feed.entries) >= 8, url
        keys = [entry.key for entry in feed.entries]
        assert len(set(keys)) == len(keys), url
    total = sum(len(feed.entries) for feed in feeds.values())
    assert 28 <= total <= 36


def test_entries_are_complete_2026_articles() -> None:
    for url, feed in parsed().items():
        for entry in feed.entries:
            assert entry.title and entry.title != "(untitled)", url
            assert entry.author, entry.title
            assert entry.link and entry.link.startswith("https://example.org/"), entry.title
            assert entry.published is not None and 1767225600 <= entry.published < 1798761600
            assert entry.categories, entry.title
            assert entry.content.count("\n\n" if entry.content_type == "text" else "<p") >= 3


def test_samples_have_enclosures_rich_markup_and_a_shared_story() -> None:
    entries = [entry for feed in parsed().values() for entry in feed.entries]
    enclosures = [enc for entry in entries for enc in entry.enclosures]
    assert len(enclosures) >= 2
    assert all(
        enc.url.startswith("https://example.org/") and enc.url.endswith(".mp3")
        for enc in enclosures
    )
    html = " ".join(entry.content for entry in entries)
    for tag in ("<h2", "<blockquote", "<ul", "<a href", 'class="newsletter-signup"'):
        assert tag in html
    links = [entry.link for entry in entries]
    shared = {link for link in links if links.count(link) > 1}
    assert shared, "one story should appear in two feeds under the same link"


def test_world_feed_has_the_seed_story_shape() -> None:
    world = parse_feed(read_sample("sample:world.xml"), "sample:world.xml")
    first = world.entries[0]
    paragraphs = re.findall(r"<p>(.*?)</p>", first.content, re.S)
    assert re.match(
        r"date 2026-\d\d-\d\d \S", paragraphs[0]
    )  # metadata line with the appeal glued on
    assert len(paragraphs) >= 11


def test_bare_name_accepted() -> None:
    assert read_sample("world.xml") == read_sample("sample:world.xml")


@pytest.mark.parametrize(
    "url",
    [
        "sample:nope.xml",
        "sample:",
        "sample:../pyproject.toml",
        "sample:..",
        "sample:/etc/passwd",
        "sample:sub/world.xml",
        "sample:..\\world.xml",
        "sample:world.xml\x00",
    ],
)
def test_unknown_or_unsafe_names_refused(url: str) -> None:
    with pytest.raises(FetchError):
        read_sample(url)


def test_is_sample_url() -> None:
    assert is_sample_url("sample:world.xml")
    assert not is_sample_url("https://example.org/sample:world.xml")
    assert not is_sample_url(None)
