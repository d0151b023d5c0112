"""The values of the fast feed parser (``_parse_fast``), computed as feedparser
computes them: leaf text, the UTF-8/cp1252 repair of its ``pop()``, URI
collapsing, dates (its RFC 822 handler inlined for the common case), author
details and content types. Anything it cannot reproduce raises :class:`Fallback`.
"""

from __future__ import annotations

import contextlib
import re
import time
from datetime import date
from typing import Any

from feedparser.datetimes import _parse_date
from feedparser.html import _cp1252
from feedparser.urls import _urljoin

_C1 = re.compile("[\x80-\x9f]")
_EMAIL = re.compile(
    r"(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))"
    r"([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"
)  # feedparser's, verbatim
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_MONTH_NAMES = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES.split(" "), 1)}
_RFC822 = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d\d) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r" (\d{4}) (\d\d):(\d\d):(\d\d) (GMT|UTC|UT|Z|[+-]\d{4})\Z"
)


class Fallback(Exception):
    """The document needs feedparser."""


def leaf_text(el: Any) -> str:
    """The text of a leaf element (feedparser joins character data)."""
    if len(el):
        raise Fallback
    return el.text or ""


def fix_text(out: str) -> str:
    """feedparser's pop(): undo UTF-8 read as Latin-1, map C1 controls to cp1252."""
    if out.isascii():
        return out
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        out = out.encode("iso-8859-1").decode("utf-8")
    return out.translate(_cp1252) if _C1.search(out) else out


def resolve_uri(uri: str) -> str:
    """feedparser's resolve_uri with no base: only collapses "http:///x"."""
    return _urljoin("", uri) if ":///" in uri else uri


def parse_date(value: str) -> Any:
    """feedparser's ``_parse_date``, without its handler chain for the common
    "Sat, 14 Mar 2026 10:00:00 GMT" (computed as its RFC 822 handler does)."""
    match = _RFC822.match(value)
    if match:
        day, month, year, hour, minute, second, zone = match.groups()
        offset = 0 if zone in ("GMT", "UT", "UTC", "Z") else int(zone[1:3]) * 60 + int(zone[3:])
        if zone[0] == "-":
            offset = -offset
        y, mo, d = int(year), _MONTHS[month], int(day)
        h, mi, sec = int(hour), int(minute), int(second)
        if 2 <= y <= 9998 and h < 24 and mi < 60 and sec < 60:
            try:
                days = date(y, mo, d).toordinal() - _EPOCH_ORDINAL
            except ValueError:  # no such day: feedparser's handlers decide
                return _parse_date(value)
            return time.gmtime(days * 86400 + h * 3600 + mi * 60 + sec - offset * 60)
    return _parse_date(value)


def sync_author(ctx: dict[str, Any]) -> None:
    """feedparser's ``_sync_author_detail`` (the parts that reach ``author``)."""
    detail = ctx["authors"][-1]
    if detail:
        name, email = detail.get("name"), detail.get("email")
        if name and email:
            ctx["author"] = f"{name} ({email})"
        elif name:
            ctx["author"] = name
        elif email:
            ctx["author"] = email
        return
    author, email = ctx.get("author"), None
    if not author:
        return
    match = _EMAIL.search(author)
    if match:
        email = match.group(0)
        author = author.replace(email, "").replace("()", "").replace("<>", "")
        author = author.replace("&lt;&gt;", "").strip()
        if author and author[0] == "(":
            author = author[1:]
        if author and author[-1] == ")":
            author = author[:-1]
        author = author.strip()
    if author:
        detail["name"] = author
    if email:
        detail["email"] = email


def map_type(value: str) -> str:
    value = value.lower()
    if value in ("text", "plain"):
        return "text/plain"
    if value == "html":
        return "text/html"
    if value == "xhtml":
        return "application/xhtml+xml"
    return value


def enforce_href(attrs: dict[str, str]) -> dict[str, str]:
    href = attrs.get("url", attrs.get("uri", attrs.get("href")))
    if href:
        attrs.pop("url", None)
        attrs.pop("uri", None)
        attrs["href"] = href
    return attrs
