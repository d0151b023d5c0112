"""Find feeds linked from an HTML page, and tell feeds from pages cheaply."""

from __future__ import annotations

import codecs
import re
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree

from reader.core.sanitize import is_http_url

MAX_HTML_BYTES = 2 * 1024 * 1024  # feed links live in <head>; the rest is not worth parsing
MAX_FALLBACK_LINKS = 20  # guessed <a> links; a page of 10,000 .xml links is not 10,000 feeds
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/json",
        "application/rdf+xml",
    }
)
_FEEDISH_SUFFIXES = ("/feed", "/rss", ".rss", ".xml", "/atom", "feed.json")
_URL_NOISE = re.compile(r"[\t\n\r]")  # browsers drop these inside URLs
_XML_ROOTS = frozenset({"rss", "feed", "rdf"})
_JSONFEED_VERSION = re.compile(rb'"version"\s*:\s*"https?://jsonfeed\.org/version/')
_SNIFF_BYTES = 4096


def discover_feed_links(html: bytes | str, base_url: str) -> list[str]:
    """Feed URLs a page advertises: ``<link rel=alternate>`` first, then
    ``<a href>`` that look like feeds. Absolute http(s) URLs, no duplicates."""
    root = _parse_html(html)
    if root is None:
        return []
    base = _base_url(root, base_url)
    found = [_resolve(base, el.get("href")) for el in root.iter("link") if _is_feed_link(el)]
    anchors = (_resolve(base, el.get("href")) for el in root.iter("a"))
    guesses = [url for url in anchors if url and _looks_feedish(url)][:MAX_FALLBACK_LINKS]
    return list(dict.fromkeys(url for url in [*found, *guesses] if url))


def _parse_html(html: bytes | str) -> etree._Element | None:
    if isinstance(html, str):
        # Encode ourselves: lxml refuses str with an XML encoding declaration.
        data, encoding = html.encode("utf-8", "replace")[:MAX_HTML_BYTES], "utf-8"
    else:
        data, encoding = html[:MAX_HTML_BYTES], None
    parser = lxml.html.HTMLParser(encoding=encoding, no_network=True, remove_comments=True)
    try:
        return lxml.html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError):  # empty or hopeless input
        return None


def _base_url(root: etree._Element, page_url: str) -> str:
    """The first ``<base href>`` (itself relative to the page), else the page URL."""
    for el in root.iter("base"):
        href = el.get("href")
        if href and href.strip():
            return urljoin(page_url, _URL_NOISE.sub("", href.strip()))
    return page_url


def _is_feed_link(el: etree._Element) -> bool:
    rel = (el.get("rel") or "").lower().split()
    mime = (el.get("type") or "").split(";", 1)[0].strip().lower()
    return "alternate" in rel and mime in FEED_TYPES


def _resolve(base: str, href: str | None) -> str | None:
    if not href or not href.strip():
        return None
    try:
        url = urldefrag(urljoin(base, _URL_NOISE.sub("", href.strip())))[0]
    except ValueError:  # e.g. a malformed IPv6 host
        return None
    return url if is_http_url(url) else None


def _looks_feedish(url: str) -> bool:
    path = urlsplit(url).path.lower().rstrip("/")
    return path.endswith(_FEEDISH_SUFFIXES)


def looks_like_feed(body: bytes, content_type: str | None) -> bool:
    """A cheap sniff: XML whose root is rss/feed/RDF, or a JSON Feed. The
    content type decides only when the XML root lies beyond the sniffed prefix."""
    head = _sniff_text(body)
    if head.startswith("{"):
        return _JSONFEED_VERSION.search(body) is not None
    if not head.startswith("<"):
        return False
    root = _xml_root_name(head)
    if root is not None:
        return root in _XML_ROOTS
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    return mime in FEED_TYPES - {"application/json"}


def _sniff_text(body: bytes) -> str:
    """The start of the body as text, BOM-aware, leading whitespace removed."""
    head = body[:_SNIFF_BYTES]
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, "ignore").lstrip()
    return head.decode("latin-1").lstrip()  # ASCII-compatible: enough to read markup


_PROLOG = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)", re.S | re.I)
_TAG = re.compile(r"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")


def _xml_root_name(text: str) -> str | None:
    """Local name of the first element (lower-cased), skipping the prolog; None if unseen."""
    pos = 0
    while match := _PROLOG.match(text, pos):
        pos = match.end()
    tag = _TAG.match(text[pos:].lstrip())
    return tag.group(2).lower() if tag else None
