"""Plain data types shared by the core, the CLI and the UI.

Everything here is immutable-ish data with no I/O. Timestamps are POSIX
seconds (UTC) as floats; ``None`` means unknown.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from reader.core.errors import NotFoundError

BlockKind = Literal["paragraph", "heading", "quote", "list_item", "caption", "preformatted"]
FullTextMode = Literal["auto", "always", "never"]


@dataclass(frozen=True, slots=True)
class LinkSpan:
    """A link inside a block: ``text[start:end]`` points at ``href``."""

    start: int
    end: int
    href: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "href": self.href}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinkSpan:
        return cls(int(data["start"]), int(data["end"]), str(data["href"]))


@dataclass(frozen=True, slots=True)
class Block:
    """One unit of reading text. ``text`` holds no markup and no control characters."""

    kind: BlockKind
    text: str
    level: int = 0  # heading level (1-6) or list nesting depth
    links: tuple[LinkSpan, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "text": self.text}
        if self.level:
            data["level"] = self.level
        if self.links:
            data["links"] = [link.to_dict() for link in self.links]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Block:
        return cls(
            kind=data.get("kind", "paragraph"),
            text=str(data.get("text", "")),
            level=int(data.get("level", 0)),
            links=tuple(LinkSpan.from_dict(link) for link in data.get("links", ())),
        )


@dataclass(frozen=True, slots=True)
class Removal:
    """A passage the cleaner removed.

    ``block`` indexes the *raw* block list (before removal); ``start``/``end``
    are offsets into that raw block's text. ``rule`` names what fired.
    ``position`` is the offset in the *cleaned* canonical text at which the
    passage stood (where the text after it now starts; -1 when unknown, as in
    data saved before it existed), so a reader can show it in place.
    """

    block: int
    start: int
    end: int
    text: str
    rule: str
    position: int = -1

    def to_dict(self) -> dict[str, Any]:
        return {
            "block": self.block,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "rule": self.rule,
            "position": self.position,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Removal:
        return cls(
            int(data["block"]),
            int(data["start"]),
            int(data["end"]),
            str(data["text"]),
            str(data["rule"]),
            int(data.get("position", -1)),
        )


BLOCK_SEPARATOR = "\n\n"


def canonical_text(blocks: list[Block] | tuple[Block, ...]) -> str:
    """The canonical text: block texts joined by blank lines. All offsets point into it."""
    return BLOCK_SEPARATOR.join(block.text for block in blocks)


@dataclass(slots=True)
class CleanedArticle:
    """The cleaner's output."""

    blocks: list[Block]
    removed: list[Removal] = field(default_factory=list)
    title: str | None = None
    author: str | None = None
    published: float | None = None
    canonical_url: str | None = None
    lead_image: str | None = None  # alt text or caption of the lead image
    extracted: bool = False  # True when the story was extracted from a full page

    @property
    def text(self) -> str:
        return canonical_text(self.blocks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "author": self.author,
            "published": self.published,
            "canonical_url": self.canonical_url,
            "lead_image": self.lead_image,
            "extracted": self.extracted,
            "text": self.text,
            "blocks": [block.to_dict() for block in self.blocks],
            "removed": [removal.to_dict() for removal in self.removed],
        }


@dataclass(frozen=True, slots=True)
class Enclosure:
    url: str
    type: str | None = None
    length: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "type": self.type, "length": self.length}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Enclosure:
        length = data.get("length")
        return cls(str(data["url"]), data.get("type"), int(length) if length else None)


@dataclass(slots=True)
class ParsedEntry:
    """One item as the parser understood it. Strings are already control-free."""

    key: str  # guid, else link, else a content hash
    title: str
    link: str | None
    author: str | None
    published: float | None
    content: str  # best body available: full content preferred over summary
    content_type: Literal["html", "text"]
    summary: str | None = None
    enclosures: list[Enclosure] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ParsedFeed:
    title: str
    site_url: str | None
    entries: list[ParsedEntry]
    format: str  # "rss20", "atom10", "json11", ...
    warning: str | None = None  # a recoverable parse problem (bozo)


@dataclass(slots=True)
class Feed:
    id: int
    url: str
    title: str  # user title if set, else the feed's own title, else the URL
    site_url: str | None
    etag: str | None
    last_modified: str | None
    last_error: str | None
    last_success: float | None
    last_checked: float | None
    status: str  # "active" or "gone" (410)
    fulltext: FullTextMode
    tags: tuple[str, ...] = ()
    unread: int = 0
    total: int = 0


@dataclass(frozen=True, slots=True)
class ArticleQuery:
    """Which articles a list shows (plain data: ``_storage.where`` turns it into SQL)."""

    feed_id: int | None = None
    unread_only: bool = False
    saved_only: bool = False
    tag: str | None = None
    # Articles read while an unread-only view was open: it keeps listing them
    # (dimmed) until the reader leaves the view, so rows never vanish under the
    # cursor at a refresh.
    also_read: tuple[int, ...] = ()


@dataclass(slots=True)
class ArticleSummary:
    """A row of the article list: just what a list line needs."""

    id: int
    feed_id: int | None
    feed_title: str
    title: str
    link: str | None
    published: float | None
    read: bool
    saved: bool


@dataclass(slots=True)
class Article:
    id: int
    feed_id: int | None
    feed_title: str
    key: str
    title: str
    author: str | None
    link: str | None
    published: float | None
    fetched_at: float
    raw_content: str
    content_type: str
    text: str  # canonical text
    blocks: list[Block]
    removed: list[Removal]
    enclosures: list[Enclosure]
    read: bool
    saved: bool
    reading_position: int = 0
    tags: tuple[str, ...] = ()


@dataclass(slots=True)
class FetchResult:
    """What one HTTP (or file) fetch produced. ``error`` set means failure."""

    url: str  # final URL after redirects
    status: int | None = None
    body: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    not_modified: bool = False
    permanent_redirect: str | None = None  # new URL after 301/308, to adopt once it parses
    gone: bool = False  # 410
    retry_after: float | None = None  # seconds, clamped
    error: str | None = None


@dataclass(slots=True)
class FeedRefreshResult:
    feed_id: int
    url: str
    new: int = 0  # new articles in this feed, copies of other feeds' stories included
    updated: int = 0
    not_modified: bool = False
    error: str | None = None
    duplicates: int = 0  # of the new ones, stories another feed had brought already


@dataclass(slots=True)
class RefreshSummary:
    results: list[FeedRefreshResult] = field(default_factory=list)
    full_texts: int = 0  # summary-only articles completed from their web page

    @property
    def feeds(self) -> int:
        return len(self.results)

    waiting: int = 0  # feeds skipped because they are in back-off after errors
    next_try: float | None = None  # when the first of them may be fetched again

    @property
    def new(self) -> int:
        """New stories, each counted once however many feeds brought it (as All lists them)."""
        return sum(result.new - result.duplicates for result in self.results)

    @property
    def not_modified(self) -> int:
        return sum(1 for result in self.results if result.not_modified)

    @property
    def errors(self) -> int:
        return sum(1 for result in self.results if result.error)

    def line(self, now: float | None = None) -> str:
        from reader.core.wording import plural

        text = (
            f"{plural(self.feeds, 'feed')}: {plural(self.new, 'new article')}, "
            f"{self.not_modified} not modified, {plural(self.errors, 'error')}"
        )
        if self.waiting:
            text += f"; {self.waiting_line(now)}"
        return text

    def waiting_line(self, now: float | None = None) -> str:
        """ "2 feeds waiting after errors, next try in 12 min" (an explicit refresh of
        them, or of everything, fetches them at once)."""
        feeds = "1 feed" if self.waiting == 1 else f"{self.waiting} feeds"
        if self.next_try is None:
            return f"{feeds} waiting after errors"
        seconds = max(0.0, self.next_try - (time.time() if now is None else now))
        minutes = max(1, round(seconds / 60))
        after = f"{minutes} min" if minutes < 120 else f"{round(minutes / 60)} h"
        return f"{feeds} waiting after errors, next try in {after}"


@dataclass(slots=True)
class SearchHit:
    """A search result: the article and a snippet with (start, end) spans of the matched terms."""

    article: ArticleSummary
    snippet: str
    marks: list[tuple[int, int]] = field(default_factory=list)


def find_feed(feeds: Sequence[Feed], reference: str) -> Feed:
    """The feed ``reference`` names: its id, its URL or its exact (case-insensitive)
    title; NotFoundError when none or several titles match."""
    for feed in feeds:
        if reference == str(feed.id) or reference == feed.url:
            return feed
    matches = [feed for feed in feeds if feed.title.lower() == reference.lower()]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise NotFoundError(f"several feeds are titled {reference!r}; use the id")
    raise NotFoundError(f"no feed {reference!r} (give an id, URL or title; see 'feeds')")
