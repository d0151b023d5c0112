"""Completing summary-only articles from their story pages."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from reader.core._storage import texts as _texts
from reader.core.cleaning import CLEANER_VERSION, cleaned_columns
from reader.core.models import FetchResult

if TYPE_CHECKING:
    from reader.core._refresh.host import RefreshHost

FULLTEXT_MAX_BYTES = 5 * 1024 * 1024
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
# Story pages fetched per refresh: at most this many from one site, and in all; the
# rest stay pending for later refreshes, newest first. Subscribing to a feed of 3,000
# summaries must not send 3,000 requests to its site at once.
FULLTEXT_PAGES_PER_HOST = 25
FULLTEXT_PAGES_PER_REFRESH = 200


def pages_for_this_refresh(rows: list[sqlite3.Row]) -> list[sqlite3.Row]:
    per_host: dict[str, int] = {}
    chosen = []
    for row in rows:
        host = (urlsplit(row["link"] or "").hostname or "").lower()
        if per_host.get(host, 0) >= FULLTEXT_PAGES_PER_HOST:
            continue
        per_host[host] = per_host.get(host, 0) + 1
        chosen.append(row)
        if len(chosen) >= FULLTEXT_PAGES_PER_REFRESH:
            break
    return chosen


async def complete_full_texts(host: RefreshHost, fetcher: Any = None) -> int:
    """Fetch the story pages of summary-only articles that refresh marked pending, with
    ``fetcher`` or a fetcher of its own."""
    if fetcher is not None:
        return await complete_pending(host, fetcher, asyncio.Lock())
    if not host.pending_full_texts():  # no pages to fetch: no client (its TLS set-up) either
        return 0
    from reader.core._fetch import Fetcher, FetchLimits

    config = host.config
    limits = FetchLimits(max_connections=config.max_connections, per_host=config.per_host)
    async with Fetcher(limits) as client:
        return await complete_pending(host, client, asyncio.Lock())


async def complete_pending(host: RefreshHost, fetcher: Any, store_lock: asyncio.Lock) -> int:
    """Fetch and extract pending pages (bounded concurrency). The page is stored, so
    the article reads in full offline afterwards."""
    slots = asyncio.Semaphore(host.config.fulltext_concurrency)
    done = 0
    pending = pages_for_this_refresh(_texts.pending_pages(host.db.connection()))

    async def one(row: sqlite3.Row) -> None:
        nonlocal done
        async with slots:
            page = await fetcher.fetch(
                row["link"], max_bytes=FULLTEXT_MAX_BYTES, accept=PAGE_ACCEPT
            )
        async with store_lock:
            stored = await asyncio.to_thread(_store_full_text, host, row, page)
        done += stored

    await asyncio.gather(*(one(row) for row in pending))
    return done


def _store_full_text(host: RefreshHost, row: sqlite3.Row, page: FetchResult) -> bool:
    db = host.db.connection()
    if page.error or not page.body:
        _texts.set_fulltext_state(db, row["id"], f"failed: {page.error or 'empty page'}")
        return False
    from reader.core.cleaner.extract import decode_page

    html = decode_page(page.body, page.content_type)
    cleaned = host.cleaning.clean_page(html, row["link"])
    # Keep the feed's text when the page gave less (a paywall, a consent wall).
    if len(cleaned.text) > len(row["cleaned_text"] or ""):
        _texts.store_page(db, row["id"], html, cleaned_columns(cleaned), CLEANER_VERSION)
        return True
    _texts.set_fulltext_state(db, row["id"], "shorter")
    return False
