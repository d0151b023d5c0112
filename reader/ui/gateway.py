"""Run library calls off the UI thread.

Every read and write the screens make goes through one background thread, so
the event loop never waits on SQLite and calls happen in the order they were
made (a ``mark_read`` lands before the count that follows it). Refreshes are
long and run in their own worker threads instead (see the main screen).

Long housekeeping can go through a second, low-priority lane: its own thread
and SQLite connection (the library hands each thread one), so it never queues
ahead of a page of the article list. Cleaning what a refresh stored runs in a
process of its own instead (``reader.core.background``): a thread would share
the interpreter with the UI. The lane remains for libraries without a
directory (stand-ins) to clean in.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, ParamSpec, TypeVar

if TYPE_CHECKING:
    from reader.ui.context import ReaderLibrary

P = ParamSpec("P")
T = TypeVar("T")

# How much nicer than the app the background lane's thread runs (Linux only).
BACKGROUND_NICENESS = 10


def _lower_thread_priority() -> None:
    """Renice the calling thread. Linux schedules threads on their own, so the
    thread id names just this one; elsewhere it could name another process."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(AttributeError, OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICENESS)


class LibraryGateway:
    """An awaitable front for a library whose calls run on one thread."""

    def __init__(self, library: ReaderLibrary) -> None:
        self.library = library
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="broadsheet-db")
        self._background = ThreadPoolExecutor(
            max_workers=1,
            thread_name_prefix="broadsheet-db-background",
            initializer=_lower_thread_priority,
        )

    def submit(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Queue a call now, from outside the event loop (reads made ahead of need)."""
        return self._executor.submit(function, *args, **kwargs)

    async def call(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        future = self._executor.submit(function, *args, **kwargs)
        return await asyncio.wrap_future(future)

    async def background(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run housekeeping on the low-priority lane (never ahead of :meth:`call`)."""
        future = self._background.submit(function, *args, **kwargs)
        return await asyncio.wrap_future(future)

    def shutdown(self) -> None:
        """Finish queued writes (a last reading position, say) before exit; housekeeping
        not yet started is dropped (the next refresh queues it again)."""
        self._background.shutdown(wait=True, cancel_futures=True)
        self._executor.shutdown(wait=True)
