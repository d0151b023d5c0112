"""Parsing feeds on the other cores: a pool of worker processes for large refreshes,
the default thread pool for small ones."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import multiprocessing
import os
from collections.abc import Iterator

from reader.core._process import ensure_process_helpers
from reader.core._refresh.prepare import PreparedEntry, parse_and_prepare
from reader.core.models import FetchResult, ParsedFeed

# Below this many feeds to fetch, worker processes would not repay their start-up.
PARALLEL_PARSE_MIN_FEEDS = 16
# Below the writer, the event loop and a terminal UI: workers use what is left over.
PARSE_NICENESS = 10


def parse_workers() -> int:
    """One core is left to the process that writes: the single SQLite writer is the
    bottleneck of a large refresh, and parsing runs ahead of it anyway (measured on
    2 cores: 1.7 s with one worker against 1.85 s with two, 200 feeds)."""
    return max(1, min((os.cpu_count() or 1) - 1, 8))


def _worker_start() -> None:
    with contextlib.suppress(OSError):
        os.nice(PARSE_NICENESS)


def _warm_up() -> None:
    import reader.core._parse  # noqa: F401 - imported for its side effect: a warm worker


@contextlib.contextmanager
def open_parse_pool(
    feed_count: int, *, warm: bool = False
) -> Iterator[concurrent.futures.Executor | None]:
    """Worker processes to parse feeds on the other cores (feedparser is pure Python, so
    threads would share one core); None — the default thread pool — for small refreshes
    that would not repay the start-up."""
    cores = os.cpu_count() or 1
    if feed_count < PARALLEL_PARSE_MIN_FEEDS or cores < 2:
        yield None
        return
    ensure_process_helpers()  # a host that swapped sys.stderr (a TUI) breaks process starts
    context = multiprocessing.get_context("forkserver")
    # Workers start on first use, so a refresh where every feed is unchanged starts none,
    # unless warm: then they start now, while the first responses are on their way.
    with concurrent.futures.ProcessPoolExecutor(
        parse_workers(), mp_context=context, initializer=_worker_start
    ) as pool:
        for _ in range(parse_workers() if warm else 0):
            # A pool that cannot start fails again on first use, and parse falls back.
            with contextlib.suppress(
                concurrent.futures.process.BrokenProcessPool, OSError, ValueError
            ):
                pool.submit(_warm_up)
        yield pool


class Parser:
    """Parses fetched bodies for one refresh, in ``pool`` when there is one."""

    def __init__(self, pool: concurrent.futures.Executor | None = None, *, warm: bool = False):
        self.pool = pool
        self.warm = warm

    async def parse(self, fetched: FetchResult) -> tuple[ParsedFeed, list[PreparedEntry]]:
        loop = asyncio.get_running_loop()
        assert fetched.body is not None
        body, url, content_type = fetched.body, fetched.url, fetched.content_type
        if self.pool is not None:
            if not self.warm:
                # Start every worker (and its imports) now, while more responses arrive.
                self.warm = True
                for _ in range(parse_workers() - 1):
                    self.pool.submit(_warm_up)
            try:
                return await loop.run_in_executor(
                    self.pool, parse_and_prepare, body, url, content_type
                )
            except (concurrent.futures.process.BrokenProcessPool, OSError, ValueError):
                # Worker processes cannot start in every host program (a script read from
                # stdin, a captured stderr): parse in this process instead.
                self.pool = None
        return await loop.run_in_executor(None, parse_and_prepare, body, url, content_type)
