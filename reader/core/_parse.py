"""Turn a fetched body into a ``ParsedFeed``: RSS, RDF and Atom via feedparser,
JSON Feed by hand.

Everything a feed says is untrusted. Titles and authors become clean single
lines, links are kept only when they are http(s), bodies lose control
characters, and DTD internal subsets are removed before any XML parser sees
the document, so entity bombs cannot expand and external entities are never
resolved.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import io
import json
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urljoin

import feedparser
from feedparser.encodings import convert_to_utf8  # stable in feedparser 6.x

from reader.core._parse_fast import extract
from reader.core.errors import FeedParseError
from reader.core.models import Enclosure, ParsedEntry, ParsedFeed
from reader.core.sanitize import clean_line, is_http_url, strip_controls

UNTITLED = "(untitled)"
_TITLE_FALLBACK_CHARS = 80
_KEY_LIMIT = 2000

# Misc before the root element or DOCTYPE: whitespace, PIs, comments, and
# stray text (e.g. a PHP warning printed before the XML declaration).
_PROLOG = re.compile(rb"(?:\s++|<\?.*?\?>|<!--.*?-->|[^<]++)*+", re.S)
# A DOCTYPE whose internal subset is tokenised so that "]>" inside a quoted
# entity value or a comment does not end it early.
_DOCTYPE = re.compile(
    rb"""<!DOCTYPE(?P<head>(?:[^\["'>]++|"[^"]*+"|'[^']*+')*+)
    (?P<subset>\[(?:[^\]"'<]++|"[^"]*+"|'[^']*+'|<!--.*?-->|<)*+\])?\s*+>""",
    re.S | re.I | re.X,
)
_DOCTYPE_START = re.compile(rb"<!DOCTYPE", re.I)
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)
_FIRST_ELEMENT = re.compile(rb"<\w")  # how feedparser finds the end of the prolog
_HTML_DOCTYPE = re.compile(rb"<!DOCTYPE\s+html\b", re.I)
_ROOT_NAME = re.compile(rb"<([\w:.-]+)")
_HTML_ROOTS = frozenset({b"html", b"head", b"body", b"meta", b"title", b"script", b"link", b"div"})
_FEED_ROOTS = frozenset({b"rss", b"feed", b"rdf:rdf", b"channel", b"rdf"})
_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.I)
_ISO_DATE = re.compile(r"^\s*(\d{4,})-(\d{1,2})-(\d{1,2})")
_SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_ANY_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # ESC, CSI, CR, C0/C1
_LONG_CHAR_REF = re.compile(rb"&#(?:[xX]0*([0-9a-fA-F]{4,})|0*(\d{5,}));")
_ASCII_OK = bytes(range(0x20, 0x7F)) + b"\t\n"
_SURROGATE = re.compile("[\ud800-\udfff]")
_SAX_POSITION = re.compile(r"^<unknown>:(\d+):(\d+):\s*")
_JSON_VERSION = "https://jsonfeed.org/version/"
# Warnings about media types are noise: feeds served as text/html are common.
_IGNORED_BOZO = ("NonXMLContentType",)


@dataclass(slots=True)
class _RawEntry:
    """Format-neutral fields an entry offers, before cleaning."""

    key: str | None
    title: str | None
    title_is_html: bool
    link: str | None
    author: str | None
    published: float | None
    content: str
    content_type: Literal["html", "text"]
    summary: str | None
    enclosures: list[Enclosure] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)


def parse_feed(
    body: bytes,
    url: str,
    content_type: str | None = None,
    *,
    now: float | None = None,
    fast: bool = True,
) -> ParsedFeed:
    """Parse a feed body fetched from ``url``. Raises ``FeedParseError`` when it is not a feed.

    ``fast`` lets plain RSS 2.0 and Atom 1.0 documents go through lxml
    (``_parse_fast``), with output identical to feedparser's; ``fast=False``
    always uses feedparser (the differential tests compare the two)."""
    if not body or not body.strip():
        raise FeedParseError("not a feed: the response was empty")
    now = time.time() if now is None else now
    if _looks_like_json(body, content_type):
        return _parse_json_feed(body, url, now)
    return _parse_xml_feed(body, url, content_type, now, fast)


# --- XML feeds -------------------------------------------------------------


def _parse_xml_feed(
    body: bytes, url: str, content_type: str | None, now: float, fast: bool = True
) -> ParsedFeed:
    data, encoding_warning = _to_utf8(body, content_type)
    if _looks_like_html(data):
        raise FeedParseError("not a feed: the server sent a web page (HTML), not RSS or Atom")
    data = _replace_bad_char_refs(_strip_dtd_subset(data))
    quick = extract(data) if fast else None
    if quick is not None:  # well-formed: feedparser would have reported nothing either
        if encoding_warning and quick.entries and _last_entry_unclosed(data):
            quick.entries = quick.entries[:-1]
        return _build_feed(quick, url, quick.version, encoding_warning, now)
    try:
        result = feedparser.parse(
            io.BytesIO(data),  # never a str/bytes: feedparser would open a path-like body
            sanitize_html=False,
            resolve_relative_uris=False,
            # No content-location: feedparser would urljoin every element against it
            # (a third of its run time); entry links are resolved here instead.
            response_headers={"content-type": "application/xml; charset=utf-8"},
        )
    except Exception as exc:  # a third-party parser fed hostile bytes: never crash a refresh
        raise FeedParseError(f"not a feed: the parser failed ({type(exc).__name__})") from exc
    version = result.get("version") or ""
    warning = _bozo_message(result) or encoding_warning
    if warning and result.entries and _last_entry_unclosed(data):
        # The document ends inside its last entry: storing that entry would replace a
        # complete stored article with a cut-off one.
        result["entries"] = result.entries[:-1]
    if not version and not result.entries:
        raise FeedParseError(f"not a feed: {warning or 'no RSS, Atom or JSON Feed found'}")
    return _build_feed(result, url, version or "unknown", warning, now)


def _to_utf8(body: bytes, content_type: str | None) -> tuple[bytes, str | None]:
    """Decode once up front so the DTD stripping below sees UTF-8 whatever the
    document's encoding (a UTF-16 entity bomb must not slip past it)."""
    headers: dict[str, str] = {}
    charset = _CHARSET.search(content_type or "")
    if charset:
        headers["content-type"] = f"application/xml; charset={charset.group(1)}"
    info: dict[str, Any] = {}
    try:
        data = convert_to_utf8(headers, body, info)
    except (UnicodeError, LookupError, ValueError):  # e.g. non-UTF-8 bytes in the declared name
        info = {"bozo_exception": "document encoding unreadable, read as UTF-8"}
    if not info.get("encoding"):  # undecodable: feedparser would use utf-8 with replacement
        data = body.decode("utf-8", "replace").encode("utf-8")
    exc = info.get("bozo_exception")
    return data, _one_line(str(exc)) if exc else None


def _looks_like_html(data: bytes) -> bool:
    """A web page (login page, captive portal) by its root element; an HTML
    DOCTYPE alone is not enough, some feeds carry one by mistake."""
    start = _skip_prolog(data, 0)
    html_doctype = _HTML_DOCTYPE.match(data, start) is not None
    doctype = _DOCTYPE.match(data, start)
    if doctype:
        start = _skip_prolog(data, doctype.end())
    root = _ROOT_NAME.match(data, start)
    name = root.group(1).lower() if root else b""
    return name in _HTML_ROOTS or (html_doctype and name not in _FEED_ROOTS)


def _skip_prolog(data: bytes, start: int) -> int:
    prolog = _PROLOG.match(data, start)
    return prolog.end() if prolog else start


def _strip_dtd_subset(data: bytes) -> bytes:
    """Remove the DOCTYPE internal subset (entity declarations). The external
    identifier is kept: feedparser reads it to tell RSS 0.91 flavours apart,
    then drops the DOCTYPE before the XML parser runs, so nothing is fetched."""
    start = _skip_prolog(data, 0)
    if _DOCTYPE_START.match(data, start):
        doctype = _DOCTYPE.match(data, start)
        if doctype is None:
            raise FeedParseError("not a feed: malformed DOCTYPE declaration")
        if doctype.group("subset"):
            data = (
                data[:start] + b"<!DOCTYPE" + doctype.group("head") + b">" + data[doctype.end() :]
            )
    first = _FIRST_ELEMENT.search(data)
    head_end = first.start() if first else len(data)
    if _ENTITY_DECL.search(data, 0, head_end):
        # Declarations outside a well-formed DOCTYPE: feedparser would still pick them up.
        raise FeedParseError("not a feed: entity declarations outside a DOCTYPE")
    return data


def _replace_bad_char_refs(data: bytes) -> bytes:
    """feedparser's fallback parser crashes on references to surrogates or to
    code points past U+10FFFF; make them U+FFFD. Short references are always valid."""
    return _LONG_CHAR_REF.sub(_fix_char_ref, data)


def _fix_char_ref(match: re.Match[bytes]) -> bytes:
    hex_digits, decimal = match.groups()
    code = int(hex_digits, 16) if hex_digits else int(decimal)
    valid = code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF
    return match.group() if valid else b"&#xFFFD;"


_ENTRY_OPEN = re.compile(rb"<(?:\w+:)?(?:item|entry)[\s>]")
_ENTRY_CLOSE = re.compile(rb"</(?:\w+:)?(?:item|entry)\s*>")


def _last_entry_unclosed(data: bytes) -> bool:
    """True when the document was cut off inside an item or entry."""
    return len(_ENTRY_OPEN.findall(data)) > len(_ENTRY_CLOSE.findall(data))


def _bozo_message(result: Any) -> str | None:
    exc = result.get("bozo_exception") if result.get("bozo") else None
    if exc is None or type(exc).__name__ in _IGNORED_BOZO:
        return None
    return _one_line(str(exc)) or type(exc).__name__


def _build_feed(result: Any, url: str, version: str, warning: str | None, now: float) -> ParsedFeed:
    meta = result.feed
    site_url = _http_link(meta.get("link"), [url])
    bases = [url, site_url]
    inherited = meta.get("author") if version.startswith("atom") else None  # RFC 4287 4.2.1
    raws = [_raw_from_feedparser(entry, bases, inherited, now) for entry in result.entries]
    return ParsedFeed(
        title=_title_text(meta.get("title"), _is_html_detail(meta.get("title_detail"))),
        site_url=site_url,
        entries=_finish_entries(raws),
        format=version,
        warning=warning,
    )


def _raw_from_feedparser(
    entry: Any, bases: list[str | None], inherited_author: str | None, now: float
) -> _RawEntry:
    content, content_type = _best_content(entry)
    summary = entry.get("summary")
    return _RawEntry(
        key=entry.get("id"),
        title=entry.get("title"),
        title_is_html=_is_html_detail(entry.get("title_detail")),
        link=_http_link(entry.get("link"), bases),
        author=entry.get("author") or inherited_author,
        published=_feedparser_date(entry, now),
        content=content,
        content_type=content_type,
        summary=summary if summary and summary != content else None,
        enclosures=_enclosures(
            (e.get("href"), e.get("type"), e.get("length")) for e in entry.get("enclosures", ())
        ),
        categories=[tag.get("term") or tag.get("label") or "" for tag in entry.get("tags", ())],
    )


def _best_content(entry: Any) -> tuple[str, Literal["html", "text"]]:
    """Full content (content:encoded, Atom content) first, then the summary."""
    contents = entry.get("content") or []
    for detail in sorted(contents, key=lambda d: not _is_html_detail(d)):
        if detail.get("value"):
            return detail["value"], "html" if _is_html_detail(detail) else "text"
    detail = entry.get("summary_detail") or {}
    value = entry.get("summary") or ""
    return value, "text" if detail.get("type") == "text/plain" else "html"


def _is_html_detail(detail: Any) -> bool:
    return bool(detail) and detail.get("type") in ("text/html", "application/xhtml+xml")


def _feedparser_date(entry: Any, now: float) -> float | None:
    for name in ("published", "updated"):
        # dict.get: FeedParserDict maps a missing "updated" to "published", with a warning.
        raw = dict.get(entry, name)
        if raw and _iso_date_possible(raw):
            stamp = _struct_to_timestamp(dict.get(entry, f"{name}_parsed"))
            if stamp is not None:
                return min(stamp, now)
    return None


def _iso_date_possible(raw: str) -> bool:
    """feedparser rolls ISO dates over (Feb 31 -> Mar 3); reject them instead."""
    match = _ISO_DATE.match(raw)
    if not match:
        return True  # other formats: feedparser already rejects impossible ones
    year, month, day = (int(part) for part in match.groups())
    return (
        1 <= year <= 9999 and 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]
    )


def _struct_to_timestamp(parsed: Any) -> float | None:
    if parsed is None or not 1 <= parsed.tm_year <= 9999:
        return None
    return float(calendar.timegm(parsed))


# --- JSON Feed -------------------------------------------------------------


def _looks_like_json(body: bytes, content_type: str | None) -> bool:
    start = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start == b"{":
        return True
    return start != b"<" and "json" in (content_type or "").lower()


def _parse_json_feed(body: bytes, url: str, now: float) -> ParsedFeed:
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise FeedParseError(f"not a feed: invalid JSON ({_one_line(str(exc))})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise FeedParseError("not a feed: JSON without a JSON Feed item list")
    version = _str(doc.get("version")) or ""
    site_url = _http_link(_str(doc.get("home_page_url")), [url])
    bases = [url, site_url]
    feed_author = _json_author(doc)
    raws = [
        _raw_from_json(item, bases, feed_author, now)
        for item in doc["items"]
        if isinstance(item, dict)
    ]
    return ParsedFeed(
        title=_title_text(_str(doc.get("title")), False),
        site_url=site_url,
        entries=_finish_entries(raws),
        format="json11" if version.rstrip("/").endswith("/1.1") else "json10",
        warning=None if version.startswith(_JSON_VERSION) else "JSON Feed version missing",
    )


def _raw_from_json(
    item: dict[str, Any], bases: list[str | None], feed_author: str | None, now: float
) -> _RawEntry:
    html_body, text_body = _str(item.get("content_html")), _str(item.get("content_text"))
    summary = _str(item.get("summary"))
    content_type: Literal["html", "text"] = "html" if html_body else "text"
    content = html_body or text_body or summary or ""
    item_id = item.get("id")
    return _RawEntry(
        key=_str(item_id) or (str(item_id) if isinstance(item_id, int) else None),
        title=_str(item.get("title")),
        title_is_html=False,
        link=_http_link(_str(item.get("url")) or _str(item.get("external_url")), bases),
        author=_json_author(item) or feed_author,
        published=_json_date(item, now),
        content=content,
        content_type=content_type,
        summary=summary if summary and summary != content else None,
        enclosures=_enclosures(
            (_str(a.get("url")), _str(a.get("mime_type")), a.get("size_in_bytes"))
            for a in _list(item.get("attachments"))
            if isinstance(a, dict)
        ),
        categories=[tag for tag in map(_str, _list(item.get("tags"))) if tag],
    )


def _json_author(obj: dict[str, Any]) -> str | None:
    """JSON Feed 1.1 ``authors`` (list) or 1.0 ``author`` (object)."""
    candidates = [*_list(obj.get("authors")), obj.get("author")]
    names = [_str(a.get("name")) for a in candidates if isinstance(a, dict)]
    joined = ", ".join(name for name in names if name)
    return joined or None


def _json_date(item: dict[str, Any], now: float) -> float | None:
    for name in ("date_published", "date_modified"):
        raw = _str(item.get(name))
        if not raw:
            continue
        try:
            parsed = datetime.fromisoformat(raw.strip())
        except ValueError:
            continue
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return min(parsed.timestamp(), now)
    return None


def _str(value: Any) -> str | None:
    """A JSON string, or None. JSON escapes can encode lone surrogates, which
    no terminal or database encoder accepts: replace them."""
    if not isinstance(value, str):
        return None
    return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# --- Shared cleaning ---------------------------------------------------------


def _finish_entries(raws: Iterable[_RawEntry]) -> list[ParsedEntry]:
    """Clean each entry and make keys unique: a repeated GUID gets a content
    suffix (stable across refreshes); an exact repeat is dropped."""
    entries: list[ParsedEntry] = []
    by_key: dict[str, ParsedEntry] = {}
    for raw in raws:
        entry = _clean_entry(raw)
        first = by_key.get(entry.key)
        if first is not None:
            digest = _digest(entry.title, entry.content)
            if digest == _digest(first.title, first.content):
                continue
            entry.key = f"{entry.key}#{digest[:16]}"
            if entry.key in by_key:
                continue
        by_key[entry.key] = entry
        entries.append(entry)
    return entries


def _clean_entry(raw: _RawEntry) -> ParsedEntry:
    content = _strip(raw.content)
    title = _title_text(raw.title, raw.title_is_html)
    return ParsedEntry(
        key=_entry_key(raw, title, content),
        title=title or _fallback_title(content, raw.content_type),
        link=raw.link,
        author=_line(raw.author) or None,
        published=raw.published,
        content=content,
        content_type=raw.content_type,
        summary=_strip(raw.summary) if raw.summary else None,
        enclosures=raw.enclosures,
        categories=_unique(_line(name, limit=200) for name in raw.categories),
    )


def _entry_key(raw: _RawEntry, title: str, content: str) -> str:
    for candidate in (raw.key, raw.link):
        key = _strip_line(candidate or "").strip()
        if key:
            return key[:_KEY_LIMIT]
    return f"sha256:{_digest(title, content)}"


def _digest(title: str, content: str) -> str:
    return hashlib.sha256(f"{title}\n{content}".encode("utf-8", "replace")).hexdigest()


def _title_text(value: str | None, is_html: bool) -> str:
    if not value:
        return ""
    return _line(_html_to_text(value) if is_html else value, limit=500)


def _fallback_title(content: str, content_type: str) -> str:
    text = _line(_html_to_text(content) if content_type == "html" else content)
    if len(text) <= _TITLE_FALLBACK_CHARS:
        return text or UNTITLED
    cut = text[:_TITLE_FALLBACK_CHARS]
    space = cut.rfind(" ")
    return (cut[:space] if space > _TITLE_FALLBACK_CHARS // 2 else cut).rstrip() + "…"


_CONTROL_REFERENCE = re.compile(r"&#(?:[xX]0*([0-9a-fA-F]{1,2})|0*(\d{1,3}));?")


def _control_reference(match: re.Match[str]) -> str:
    """``&#27;`` as the real ESC, so the sanitizer removes the whole escape sequence
    (html.unescape would drop the ESC alone and leave its visible tail, e.g. ``[2J``)."""
    code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    return chr(code) if code < 0x20 or code == 0x7F else match.group(0)


def _html_to_text(value: str) -> str:
    text = _TAG.sub(" ", _SCRIPT_STYLE.sub(" ", value))
    return html.unescape(_CONTROL_REFERENCE.sub(_control_reference, text))


def _http_link(raw: str | None, bases: list[str | None]) -> str | None:
    """An absolute http(s) link, resolving relative ones against the bases."""
    link = _strip_line(raw or "").strip()
    if not link:
        return None
    if is_http_url(link):
        return link
    for base in bases:
        if base and is_http_url(base):
            try:
                joined = urljoin(base, link)
            except ValueError:
                continue
            if is_http_url(joined):
                return joined
    return None


def _enclosures(items: Iterable[tuple[Any, Any, Any]]) -> list[Enclosure]:
    found: dict[str, Enclosure] = {}
    for href, mime, length in items:
        link = _http_link(_str(href), [])
        if link and link not in found:
            found[link] = Enclosure(link, _line(_str(mime), limit=100) or None, _length(length))
    return list(found.values())


def _length(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    text = _str(value)
    return int(text) if text and text.strip().isdigit() and int(text) > 0 else None


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def _line(text: str | None, *, limit: int = 2000) -> str:
    """``clean_line`` with a shortcut: printable text has no controls, escapes,
    newlines or invisible (format) characters, so only whitespace and length change."""
    if text and text.isprintable():
        text = " ".join(text[: limit * 4].split())
        return text if len(text) <= limit else text[: limit - 1] + "…"
    return clean_line(text, limit=limit)


def _strip_line(text: str) -> str:
    """``strip_controls(text, keep_newlines=False)``; printable text is unchanged by it."""
    return text if text.isprintable() else strip_controls(text, keep_newlines=False)


def _strip(text: str) -> str:
    """``strip_controls`` only when needed: its escape-sequence regex is slow on
    long bodies, and it changes nothing when no control character is present."""
    if text.isascii():  # ASCII: delete the allowed bytes, anything left is a control
        return strip_controls(text) if text.encode("ascii").translate(None, _ASCII_OK) else text
    return strip_controls(text) if _ANY_CONTROL.search(text) else text


def _one_line(text: str) -> str:
    # expat messages read "<unknown>:3:35: undefined entity"; say where in words.
    text = _SAX_POSITION.sub(r"line \1, column \2: ", text.strip())
    return _line(text, limit=300)
