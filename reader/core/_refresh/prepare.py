"""What refresh computes beside each parsed entry, where it was parsed (in a worker
process on large refreshes, so the single database writer only writes)."""

from __future__ import annotations

import hashlib
import html
import json
import re
from typing import Any, NamedTuple

from reader.core.models import Feed, ParsedEntry, ParsedFeed
from reader.core.sanitize import is_http_url, strip_controls

SUMMARY_MAX_CHARACTERS = 600
QUICK_TEXT_LIMIT = 256 * 1024
# How excerpts end: an ellipsis or a "read more"-style link, not merely the word "more".
_TRUNCATION = re.compile(
    r"(?i)(\.\.\.|…|\[…\]|\[\.\.\.\]|\bread more|\bcontinue reading|\bread the full (story|article)"
    r"|\bfull story|\bmore\s*»|\bmore\s*›|\bmore\s*→)\W*$"
)
_TRUNCATION_MARKERS = ("...", "…", "more", "read", "continue", "story")
_MARKUP = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->|<[^>]*>", re.S | re.I)


class PreparedEntry(NamedTuple):
    """What refresh stores beside a parsed entry, computed where it was parsed."""

    text: str  # the search text until the cleaner runs (quick_text)
    content_hash: str
    summary_like: bool  # the feed gave only a summary: a candidate for the full page


def parse_and_prepare(
    body: bytes, url: str, content_type: str | None
) -> tuple[ParsedFeed, list[PreparedEntry]]:
    """Parse a feed and compute what storing each unique entry needs."""
    from reader.core._parse import parse_feed

    parsed = parse_feed(body, url, content_type)
    parsed.entries = _unique_entries(parsed.entries)
    return parsed, [prepare_entry(entry) for entry in parsed.entries]


def needs_full_text(mode: str, entry: ParsedEntry, prepared: PreparedEntry) -> bool:
    """Whether to fetch an entry's page: always, never, or (auto) when the feed gave
    only a summary."""
    if mode == "never" or not is_http_url(entry.link):
        return False
    return mode == "always" or prepared.summary_like


def looks_like_summary(text: str) -> bool:
    """Short, or ending the way truncated excerpts end."""
    text = text.strip()
    if len(text) < SUMMARY_MAX_CHARACTERS:
        return True
    tail = text[-80:]
    # Every ending _TRUNCATION knows contains one of these: most texts skip the regex.
    lowered = tail.lower()
    if not any(marker in lowered for marker in _TRUNCATION_MARKERS):
        return False
    return bool(_TRUNCATION.search(tail))


def quick_text(entry: ParsedEntry) -> str:
    """The entry's words, fast: what search indexes until the cleaner has run.
    Refresh stores this so it is never bound by the cleaner (which runs afterwards)."""
    content = entry.content[:QUICK_TEXT_LIMIT]
    if entry.content_type == "html":
        content = html.unescape(_MARKUP.sub(" ", content))
    words = " ".join(content.split())
    # Without newlines and tabs the text is usually all printable, strip_controls's
    # fastest case; an escape sequence it removes may leave two spaces behind.
    cleaned = strip_controls(words)
    return words if cleaned is words else " ".join(cleaned.split())


def prepare_entry(entry: ParsedEntry) -> PreparedEntry:
    text = quick_text(entry)
    return PreparedEntry(text, content_hash(entry.title, entry.content), looks_like_summary(text))


def content_hash(title: str, content: str) -> str:
    return hashlib.sha256(f"{title}\x00{content}".encode()).hexdigest()


def _unique_entries(entries: list[ParsedEntry]) -> list[ParsedEntry]:
    """A feed that lists one key twice stores it once (the first occurrence wins)."""
    seen: set[str] = set()
    unique = []
    for entry in entries:
        if entry.key not in seen:
            seen.add(entry.key)
            unique.append(entry)
    return unique


def new_row(
    feed: Feed,
    feed_title: str,
    entry: ParsedEntry,
    extras: PreparedEntry,
    full_text: bool,
    original: tuple[int, int, float | None] | None,
    stamp: float,
) -> tuple[Any, ...]:
    """A new article's columns, in ``ingest.ARTICLE_COLUMNS`` order. Its text is stored
    uncleaned (cleaner_version 0); the cleaner runs later. A copy of a story another
    feed brought (``original``) shares its read state: read once is read everywhere."""
    enclosures = json.dumps([enclosure.to_dict() for enclosure in entry.enclosures])
    duplicate_of, read, read_at = original if original is not None else (None, 0, None)
    return (
        feed.id, feed_title, feed.url, entry.key, entry.title, entry.author, entry.link,
        duplicate_of, entry.published, entry.published or stamp, stamp, entry.content,
        entry.content_type, entry.summary, extras.content_hash, extras.text, None, None, 0,
        enclosures, "pending" if full_text else None, read, read_at,
    )  # fmt: skip
