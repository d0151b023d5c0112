"""An in-memory stand-in for :class:`reader.core.library.Library`.

It implements the part of the Library API the UI uses (the Protocol
``reader.ui.context.ReaderLibrary``; mypy checks it, see the end of this file),
with the same semantics (newest first, unread counts, next_unread ordering), so
UI tests are fast and deterministic. Tests that need the real storage (search,
annotations) use the real Library.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.core.errors import BroadsheetError, NotFoundError
from reader.core.library import ArticleQuery
from reader.core.models import (
    Article,
    ArticleSummary,
    Block,
    Enclosure,
    Feed,
    FeedRefreshResult,
    LinkSpan,
    RefreshSummary,
    Removal,
    SearchHit,
    canonical_text,
)

if TYPE_CHECKING:
    from reader.core.annotations import Annotations
    from reader.ui.context import ReaderLibrary

# 2025-06-03 09:00 UTC: every fixture date counts back from here.
BASE_TIME = 1748941200.0


@dataclass
class FakeConfig:
    measure: int = 80
    refresh_interval: int = 0
    theme: str = "broadsheet-dark"
    keys: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    problems: list[str] = field(default_factory=list)
    auto_export_dir: Path | None = None


def make_feed(feed_id: int, title: str, **changes: Any) -> Feed:
    feed = Feed(
        id=feed_id,
        url=f"https://feeds.example/{feed_id}.xml",
        title=title,
        site_url=None,
        etag=None,
        last_modified=None,
        last_error=None,
        last_success=BASE_TIME,
        last_checked=BASE_TIME,
        status="active",
        fulltext="auto",
    )
    return replace(feed, **changes)


def make_article(
    article_id: int,
    feed: Feed,
    title: str,
    *,
    hours_ago: float = 0.0,
    blocks: Sequence[Block] | None = None,
    read: bool = False,
    link: str | None = None,
    **changes: Any,
) -> Article:
    blocks = list(blocks) if blocks is not None else [Block("paragraph", f"Body of {title}.")]
    article = Article(
        id=article_id,
        feed_id=feed.id,
        feed_title=feed.title,
        key=f"key-{article_id}",
        title=title,
        author=None,
        link=link if link is not None else f"https://news.example/{article_id}",
        published=BASE_TIME - hours_ago * 3600,
        fetched_at=BASE_TIME,
        raw_content="",
        content_type="html",
        text=canonical_text(blocks),
        blocks=blocks,
        removed=[],
        enclosures=[],
        read=read,
        saved=False,
    )
    return replace(article, **changes)


def sample_story(feed: Feed, article_id: int = 1) -> Article:
    """A story with every block kind, a link, a removal and an enclosure."""
    blocks = [
        Block(
            "paragraph",
            "The city council voted on Tuesday to rebuild the old harbour bridge, "
            "ending a decade of argument over its future.",
            links=(LinkSpan(4, 16, "https://city.example/council"),),
        ),
        Block("heading", "What happens next", level=2),
        Block(
            "paragraph",
            "Work starts in spring. The bridge will close to cars for eighteen months, "
            "but a temporary footbridge will stay open.",
        ),
        Block("quote", "We have waited long enough for this decision.", level=0),
        Block("list_item", "A new cycle lane on both sides", level=1),
        Block("list_item", "Wider pavements and lighting", level=1),
        Block("paragraph", "Residents can comment on the plans until the end of the month."),
    ]
    return make_article(
        article_id,
        feed,
        "Council approves harbour bridge rebuild",
        hours_ago=1,
        blocks=blocks,
        author="Ada Reporter",
        removed=[
            Removal(3, 0, 40, "Subscribe now for unlimited access!", "appeal"),
        ],
        enclosures=[Enclosure("https://city.example/plan.pdf", "application/pdf", 2_500_000)],
    )


class FakeLibrary:
    """Thread-safe, in-memory; mirrors the Library API the UI calls."""

    def __init__(self, feeds: Sequence[Feed] = (), articles: Sequence[Article] = ()) -> None:
        self.config = FakeConfig()
        self._feeds: dict[int, Feed] = {feed.id: feed for feed in feeds}
        self._articles: dict[int, Article] = {article.id: article for article in articles}
        self._state: dict[str, str] = {}
        self._lock = threading.RLock()
        self._version = 0
        self.incoming: dict[int, list[Article]] = {}  # what the next refresh "fetches"
        self.failing: dict[int, str] = {}  # feed id -> error the next refresh reports
        self.refresh_delay = 0.0
        self.subscribable: dict[str, Feed] = {}
        self.closed = False

    # -- helpers for tests ----------------------------------------------------

    def add_articles(self, articles: Sequence[Article]) -> None:
        with self._lock:
            for article in articles:
                self._articles[article.id] = article
            self._version += 1

    def external_write(self) -> None:
        """Pretend another process committed."""
        with self._lock:
            self._version += 1

    # -- state ----------------------------------------------------------------

    def close(self) -> None:
        self.closed = True

    def data_version(self) -> int:
        return self._version

    def sync_status(self) -> None:
        return None  # no feed server account

    def get_state(self, key: str, default: str | None = None) -> str | None:
        with self._lock:
            return self._state.get(key, default)

    def set_state(self, key: str, value: str) -> None:
        with self._lock:
            self._state[key] = value

    # -- feeds ----------------------------------------------------------------

    def feeds(self) -> list[Feed]:
        with self._lock:
            result = []
            for feed in self._feeds.values():
                mine = [a for a in self._articles.values() if a.feed_id == feed.id]
                unread = sum(1 for a in mine if not a.read)
                result.append(replace(feed, unread=unread, total=len(mine)))
            return sorted(result, key=lambda feed: (feed.title.lower(), feed.id))

    def feed(self, feed_id: int) -> Feed:
        for feed in self.feeds():
            if feed.id == feed_id:
                return feed
        raise NotFoundError(f"no feed with id {feed_id}")

    def add_feed(self, url: str, *, title: str | None = None, tags: Sequence[str] = ()) -> Feed:
        with self._lock:
            feed_id = max(self._feeds, default=0) + 1
            self._feeds[feed_id] = make_feed(feed_id, title or url, url=url, last_checked=None)
        return self.feed(feed_id)

    async def subscribe(self, url: str, *, tags: Sequence[str] = (), **_: Any) -> Feed:
        if url not in self.subscribable:
            raise BroadsheetError(f"no feed found at {url}")
        with self._lock:
            feed = self.subscribable[url]
            self._feeds[feed.id] = feed
            self._version += 1
        return self.feed(feed.id)

    def remove_feed(self, feed_id: int) -> None:
        with self._lock:
            self.feed(feed_id)
            del self._feeds[feed_id]
            for article_id in [a.id for a in self._articles.values() if a.feed_id == feed_id]:
                if not (self._articles[article_id].saved or self._articles[article_id].tags):
                    del self._articles[article_id]

    def rename_feed(self, feed_id: int, title: str) -> None:
        with self._lock:
            self.feed(feed_id)
            self._feeds[feed_id].title = title.strip() or self._feeds[feed_id].url

    def tag_feed(self, feed_id: int, tags: Sequence[str]) -> None:
        with self._lock:
            feed = self._feeds[feed_id]
            feed.tags = tuple(sorted(set(feed.tags) | {t.strip() for t in tags if t.strip()}))

    def untag_feed(self, feed_id: int, tags: Sequence[str]) -> None:
        with self._lock:
            feed = self._feeds[feed_id]
            feed.tags = tuple(tag for tag in feed.tags if tag not in set(tags))

    # -- article lists --------------------------------------------------------

    def set_feed_fulltext(self, feed_id: int, mode: str) -> None:
        if mode not in ("auto", "always", "never"):
            raise BroadsheetError("full-text mode must be auto, always or never")
        with self._lock:
            self._feeds[feed_id].fulltext = mode  # type: ignore[assignment]
            self._version += 1

    def _matching(self, query: ArticleQuery) -> list[Article]:
        with self._lock:
            rows = [
                a
                for a in self._articles.values()
                if (query.feed_id is None or a.feed_id == query.feed_id)
                and (not query.unread_only or not a.read or a.id in query.also_read)
                and (not query.saved_only or a.saved)
                and (query.tag is None or query.tag in a.tags)
            ]
        return sorted(rows, key=lambda a: (a.published or 0.0, a.id), reverse=True)

    @staticmethod
    def _summary(article: Article) -> ArticleSummary:
        return ArticleSummary(
            id=article.id,
            feed_id=article.feed_id,
            feed_title=article.feed_title,
            title=article.title,
            link=article.link,
            published=article.published,
            read=article.read,
            saved=article.saved,
        )

    def count_articles(self, query: ArticleQuery) -> int:
        return len(self._matching(query))

    def article_page(self, query: ArticleQuery, offset: int, limit: int) -> list[ArticleSummary]:
        return [self._summary(a) for a in self._matching(query)[offset : offset + limit]]

    def article_position(self, query: ArticleQuery, article_id: int) -> int | None:
        for index, article in enumerate(self._matching(query)):
            if article.id == article_id:
                return index
        return None

    def next_unread(
        self, query: ArticleQuery, after_article_id: int | None, *, backwards: bool = False
    ) -> ArticleSummary | None:
        rows = self._matching(replace(query, unread_only=False))
        if after_article_id is not None:
            ids = [a.id for a in rows]
            if after_article_id in ids:
                index = ids.index(after_article_id)
                rows = list(reversed(rows[:index])) if backwards else rows[index + 1 :]
        elif backwards:
            rows = list(reversed(rows))
        return next((self._summary(a) for a in rows if not a.read), None)

    def article_ids(self, query: ArticleQuery) -> list[int]:
        return [article.id for article in self._matching(query)]

    def search(
        self, text: str, *, limit: int = 50, offset: int = 0, order: str = "best"
    ) -> list[SearchHit]:
        """No full-text index here: tests of search use the real library."""
        raise BroadsheetError("the stand-in library cannot search")

    # -- one article ----------------------------------------------------------

    def on_cleaning_problem(self, hook: Callable[[str], None]) -> None:
        pass  # the fake cleans nothing with user rules

    def article(self, article_id: int) -> Article:
        with self._lock:
            if article_id not in self._articles:
                raise NotFoundError(f"no article with id {article_id}")
            return replace(self._articles[article_id])

    def article_feed_url(self, article_id: int) -> str | None:
        feed_id = self.article(article_id).feed_id
        return self._feeds[feed_id].url if feed_id in self._feeds else None

    def annotations(self) -> Annotations | None:
        """No annotation store: tests of highlights and notes use the real library."""
        return None

    def mark_read(self, article_ids: Sequence[int], read: bool = True) -> None:
        with self._lock:
            for article_id in article_ids:
                if article_id in self._articles:
                    self._articles[article_id].read = read

    def mark_query_read(self, query: ArticleQuery) -> list[int]:
        unread = [a.id for a in self._matching(query) if not a.read]
        self.mark_read(unread)
        return unread

    def set_saved(self, article_id: int, saved: bool) -> None:
        with self._lock:
            self._articles[article_id].saved = saved

    def set_reading_position(self, article_id: int, position: int) -> None:
        with self._lock:
            self._articles[article_id].reading_position = max(0, position)

    # -- tags (article tags only; the real library adds feed tags) -------------

    def tag_article(self, article_id: int, tags: Sequence[str]) -> None:
        with self._lock:
            article = self._articles[article_id]
            article.tags = tuple(sorted(set(article.tags) | {t.strip() for t in tags if t.strip()}))

    def untag_article(self, article_id: int, tags: Sequence[str]) -> None:
        with self._lock:
            article = self._articles[article_id]
            article.tags = tuple(tag for tag in article.tags if tag not in set(tags))

    def tags(self, *, unread_only: bool = False) -> list[tuple[str, int]]:
        with self._lock:
            names = sorted({tag for a in self._articles.values() for tag in a.tags})
        return [
            (name, self.count_articles(ArticleQuery(tag=name, unread_only=unread_only)))
            for name in names
        ]

    # -- refresh --------------------------------------------------------------

    async def refresh(
        self,
        feed_ids: Sequence[int] | None = None,
        *,
        on_result: Callable[[FeedRefreshResult, int, int], None] | None = None,
        fetcher: Any = None,
        wait: float = 0.0,
        fulltext: bool = True,
        automatic: bool = False,
        on_fetch: Callable[[Feed, int], None] | None = None,
    ) -> RefreshSummary:
        targets = list(feed_ids) if feed_ids is not None else sorted(self._feeds)
        summary = RefreshSummary()
        for feed_id in targets:
            if on_fetch is not None:
                on_fetch(self._feeds[feed_id], len(targets))
            await asyncio.sleep(self.refresh_delay)
            result = FeedRefreshResult(feed_id=feed_id, url=self._feeds[feed_id].url)
            with self._lock:
                if feed_id in self.failing:
                    result.error = self.failing[feed_id]
                    self._feeds[feed_id].last_error = result.error
                else:
                    fresh = self.incoming.pop(feed_id, [])
                    for article in fresh:
                        self._articles[article.id] = article
                    result.new = len(fresh)
                    self._feeds[feed_id].last_checked = BASE_TIME
                self._version += 1
            summary.results.append(result)
            if on_result is not None:
                on_result(result, len(summary.results), len(targets))
        return summary

    def clean_pending(self, *, limit: int | None = None) -> int:
        """The fake stores articles already cleaned: nothing is ever pending."""
        return 0

    async def complete_full_texts(self, *, fetcher: Any = None) -> int:
        """The fake's articles are whole: no story page is ever pending."""
        return 0

    def pending_full_texts(self) -> int:
        return 0

    def tidy_search_index(self, *, pages_per_step: int = 2000, max_steps: int = 10_000) -> int:
        return 1


def _is_a_reader_library(fake: FakeLibrary) -> ReaderLibrary:
    """Never called: mypy checks here that the fake is what the UI is written against."""
    return fake
