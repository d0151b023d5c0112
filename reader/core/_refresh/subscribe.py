"""Subscribing: one fetch of the address (or of the feed its page links to), which must
parse as a feed before anything is stored. The library imports this module for
``normalize_feed_url``; what subscribing needs (asyncio, the parser, the pipeline) is
imported when a subscription runs, so a command that never subscribes skips it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.core.errors import AlreadySubscribedError, BroadsheetError, FeedParseError
from reader.core.models import Feed, FeedRefreshResult, FetchResult
from reader.core.sanitize import clean_line, is_http_url, strip_controls, visible_url

if TYPE_CHECKING:
    from reader.core._refresh.host import RefreshHost


def normalize_feed_url(url: str) -> str:
    """Validate what a user typed as a feed address; raise a one-line error if unusable."""
    from reader.core.samples import is_sample_url

    url = strip_controls(url, keep_newlines=False).strip()
    if not url:
        raise BroadsheetError("empty feed URL")
    lowered = url.lower()
    if lowered.startswith(("http://", "https://")):
        if len(url.split("://", 1)[1].split("/", 1)[0]) == 0:
            raise BroadsheetError(f"not a valid URL: {url}")
        return url
    if is_sample_url(url) or lowered.startswith("file://"):
        return url
    if "://" in url or lowered.startswith(("exec:", "filter:", "|")):
        raise BroadsheetError(f"unsupported URL scheme (only http, https and local files): {url}")
    path = Path(url).expanduser()
    if not path.is_file():
        raise BroadsheetError(f"not a URL and no such file: {url}")
    return path.resolve().as_uri()


def refuse_existing(existing: Feed | None) -> None:
    if existing is not None:
        raise AlreadySubscribedError(
            f"already subscribed to {clean_line(existing.title)} (feed {existing.id}, "
            f"{visible_url(existing.url)})",
            existing,
        )


async def subscribe(
    host: RefreshHost,
    url: str,
    title: str | None,
    tags: Sequence[str],
    fetcher: Any,
    find: Callable[[str], Feed | None],
) -> Feed:
    """``find(url)`` finds a subscribed feed by address: the URL, or a page's feed,
    already in the library is refused. Without a ``fetcher``, one is opened."""
    url = normalize_feed_url(url)
    refuse_existing(find(url))
    if fetcher is None:
        from reader.core._fetch import Fetcher, FetchLimits

        config = host.config
        limits = FetchLimits(max_connections=config.max_connections, per_host=config.per_host)
        async with Fetcher(limits) as client:
            return await _subscribe(host, url, title, tags, client, find)
    return await _subscribe(host, url, title, tags, fetcher, find)


async def _subscribe(
    host: RefreshHost,
    url: str,
    title: str | None,
    tags: Sequence[str],
    fetcher: Any,
    find: Callable[[str], Feed | None],
) -> Feed:
    import asyncio

    from reader.core._discover import looks_like_feed
    from reader.core._refresh.pipeline import store_feed
    from reader.core._refresh.pool import Parser

    fetched = await _fetch_to_subscribe(url, fetcher)
    assert fetched.body is not None
    if is_http_url(url) and not looks_like_feed(fetched.body, fetched.content_type):
        url = _discovered_feed(url, fetched)
        refuse_existing(find(url))
        fetched = await _fetch_to_subscribe(url, fetcher)
    try:
        parsed, prepared = await Parser().parse(fetched)
    except FeedParseError as error:
        raise BroadsheetError(f"cannot subscribe to {visible_url(url)}: {error}") from None
    feed = host.add_feed(url, title=title, tags=tags)
    result = FeedRefreshResult(feed_id=feed.id, url=feed.url)
    assert fetched.body is not None
    lock = host.refresh_lock(30.0)
    await asyncio.to_thread(lock.acquire)
    try:
        body_hash = hashlib.sha256(fetched.body).hexdigest()
        await asyncio.to_thread(
            store_feed, host, feed, parsed, prepared, fetched, body_hash, result
        )
    finally:
        lock.release()
    await host.complete_full_texts(fetcher=fetcher)
    return host.feed(feed.id)


async def _fetch_to_subscribe(url: str, fetcher: Any) -> FetchResult:
    """The one fetch a subscription makes of ``url``; raises if it failed."""
    from reader.core.samples import is_sample_url, read_sample

    if is_sample_url(url):
        try:
            fetched = FetchResult(url=url, status=200, body=read_sample(url))
        except BroadsheetError as error:
            fetched = FetchResult(url=url, error=str(error))
    else:
        fetched = await fetcher.fetch(url)
    if fetched.error or not fetched.body:
        reason = fetched.error or "empty response"
        raise BroadsheetError(f"cannot subscribe to {visible_url(url)}: {reason}")
    return fetched


def _discovered_feed(url: str, page: FetchResult) -> str:
    """The first feed a fetched page links to."""
    from reader.core._discover import discover_feed_links

    assert page.body is not None
    links = discover_feed_links(page.body, page.url)
    if not links:
        raise BroadsheetError(f"no feed found at {url} (it is a page that links to no feed)")
    return links[0]
