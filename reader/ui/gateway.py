"""Run library calls off the UI thread.

Every read and write goes through one background thread, so the event loop
never waits on SQLite and calls happen in the order they were made (a
``mark_read`` lands before the count that follows it). Refreshes are long and
run in their own worker threads instead (see the app).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, ParamSpec, TypeVar

if TYPE_CHECKING:
    from reader.core.library import Library

P = ParamSpec("P")
T = TypeVar("T")


class LibraryGateway:
    """An awaitable front for a :class:`Library` whose calls run on one thread."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="broadsheet-db")

    async def call(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        future = self._executor.submit(function, *args, **kwargs)
        return await asyncio.wrap_future(future)

    def shutdown(self) -> None:
        """Finish queued writes (a last reading position, say) before exit."""
        self._executor.shutdown(wait=True)
