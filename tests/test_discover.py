"""Feed autodiscovery and the feed sniff, on small pages of our own."""

from __future__ import annotations

import codecs

import pytest

from reader.core._discover import MAX_HTML_BYTES, discover_feed_links, looks_like_feed

PAGE = "https://news.example/section/page.html"


def test_link_alternates_resolved_in_order() -> None:
    html = """<html><head>
      <link rel="alternate" type="application/rss+xml" href="/rss.xml" title="RSS">
      <link rel="Alternate Feed" type="Application/Atom+XML; charset=utf-8" href="atom">
      <link rel="alternate" type="application/feed+json" href="https://cdn.example/feed.json">
      <link rel="alternate" type="application/rdf+xml" href="//other.example/index.rdf">
      <link rel="alternate" type="application/json" href="api.json">
      <link rel="stylesheet" type="text/css" href="/style.css">
      <link rel="alternate" hreflang="fr" href="/fr/">
      <link rel="alternate" type="text/html" href="/print">
    </head><body></body></html>"""
    assert discover_feed_links(html, PAGE) == [
        "https://news.example/rss.xml",
        "https://news.example/section/atom",
        "https://cdn.example/feed.json",
        "https://other.example/index.rdf",
        "https://news.example/section/api.json",
    ]


def test_base_href_is_honoured_and_itself_relative() -> None:
    html = '<head><base href="/blog/"><link rel=alternate type=application/atom+xml href="a.xml"></head>'
    assert discover_feed_links(html, PAGE) == ["https://news.example/blog/a.xml"]


def test_anchor_fallbacks_come_after_link_elements() -> None:
    html = """<body>
      <a href="/feed/">WordPress feed</a>
      <a href="/about">About</a>
      <a href="posts.RSS">Posts</a>
      <a href="/podcast/feed.json">Podcast</a>
      <a href="/sitemap.xml#top">Sitemap</a>
      <a href="/atom">Atom</a>
      <a href="/rss?page=2">RSS page 2</a>
      <a href="/feedback">Feedback</a>
      <a href="/feeds">Feeds page</a>
      <head><link rel="alternate" type="application/rss+xml" href="/main.rss"></head>
    </body>"""
    assert discover_feed_links(html, PAGE) == [
        "https://news.example/main.rss",
        "https://news.example/feed/",
        "https://news.example/section/posts.RSS",
        "https://news.example/podcast/feed.json",
        "https://news.example/sitemap.xml",
        "https://news.example/atom",
        "https://news.example/rss?page=2",
    ]


def test_duplicates_removed_across_kinds() -> None:
    html = """<head>
      <link rel="alternate" type="application/rss+xml" href="/feed">
      <link rel="alternate" type="application/rss+xml" href="https://news.example/feed#x">
    </head><body><a href="/feed">feed</a></body>"""
    assert discover_feed_links(html, PAGE) == ["https://news.example/feed"]


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert('/feed')",
        "ftp://news.example/feed.xml",
        "file:///etc/feed.xml",
        "data:text/xml,<rss/>",
        "",
        "   ",
        "http://[bad/feed.xml",
    ],
)
def test_non_http_and_broken_hrefs_dropped(href: str) -> None:
    html = (
        f'<head><link rel="alternate" type="application/rss+xml" href="{href}"></head>'
        f'<body><a href="{href}">x</a></body>'
    )
    assert discover_feed_links(html, PAGE) == []


def test_whitespace_inside_href_is_dropped_like_browsers_do() -> None:
    html = '<link rel="alternate" type="application/rss+xml" href="  /fe\ned.xml\t ">'
    assert discover_feed_links(html, PAGE) == ["https://news.example/feed.xml"]


def test_commented_out_links_are_ignored() -> None:
    html = '<head><!-- <link rel="alternate" type="application/rss+xml" href="/old.rss"> --></head>'
    assert discover_feed_links(html, PAGE) == []


def test_bytes_with_declared_charset() -> None:
    html = (
        '<html><head><meta charset="iso-8859-1">'
        '<link rel="alternate" type="application/rss+xml" href="/caf\xe9.xml">'
        "</head></html>"
    ).encode("latin-1")
    assert discover_feed_links(html, PAGE) == ["https://news.example/café.xml"]


def test_str_with_xml_declaration() -> None:
    html = (
        '<?xml version="1.0" encoding="iso-8859-1"?><html><head>'
        '<link rel="alternate" type="application/atom+xml" href="/été.xml"></head></html>'
    )
    assert discover_feed_links(html, PAGE) == ["https://news.example/été.xml"]


@pytest.mark.parametrize("html", [b"", "", b"\x00\xff\xfe garbage", "just text, no markup"])
def test_empty_or_junk_input(html: bytes | str) -> None:
    assert discover_feed_links(html, PAGE) == []


def test_fallback_anchors_are_capped() -> None:
    html = "".join(f'<a href="/f{i}.xml">{i}</a>' for i in range(500))
    links = discover_feed_links(html, PAGE)
    assert len(links) == 20 and links[0] == "https://news.example/f0.xml"


def test_only_the_first_part_of_a_huge_page_is_parsed() -> None:
    link = '<link rel="alternate" type="application/rss+xml" href="/%s.rss">'
    padding = "<p>" + "x" * MAX_HTML_BYTES + "</p>"
    html = (link % "early") + padding + (link % "late")
    assert discover_feed_links(html.encode(), PAGE) == ["https://news.example/early.rss"]


# --- looks_like_feed ------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel/></rss>',
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>',
        b'<?xml version="1.0"?><!-- generator --><?xml-stylesheet href="s.xsl"?>'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
        b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        b'"http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"/>',
        b'<atom:feed xmlns:atom="http://www.w3.org/2005/Atom"/>',
        codecs.BOM_UTF8 + b"  \n<rss/>",
        codecs.BOM_UTF16_LE + "<rss/>".encode("utf-16-le"),
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": []}',
        b'{"title": "t", "items": [], "version":"http://jsonfeed.org/version/1"}',
    ],
)
def test_feeds_are_recognised(body: bytes) -> None:
    assert looks_like_feed(body, None)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<!DOCTYPE html><html><head><title>x</title></head></html>", "text/html"),
        (b"<html><link rel=alternate type=application/rss+xml href=/rss></html>", None),
        (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/"/>', "application/xml"),
        (b'{"version": "1.0", "items": []}', "application/json"),
        (b"", "application/rss+xml"),
        (b"plain text that mentions <rss>", "text/plain"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
    ],
)
def test_non_feeds_are_rejected(body: bytes, content_type: str | None) -> None:
    assert not looks_like_feed(body, content_type)


def test_content_type_decides_when_the_root_is_out_of_reach() -> None:
    body = b'<?xml version="1.0"?><!--' + b"x" * 10_000 + b"--><rss/>"
    assert looks_like_feed(body, "application/rss+xml; charset=utf-8")
    assert not looks_like_feed(body, "text/html")
