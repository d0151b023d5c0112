"""Bounded memory for fetched bodies waiting for the single writer."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

# Bytes of fetched feed bodies that may wait to be parsed and stored before new requests
# pause. An ordinary refresh stays far below (200 feeds of 84 KB: 17 MB).
REFRESH_BACKLOG_BYTES = 32 * 1024 * 1024


class Backlog:
    """Fetched bodies not yet parsed and stored. When the network outruns the single
    writer (a first refresh of hundreds of large feeds), requests wait for room, so
    memory stays bounded (500 feeds of 560 KB: peak 260 MB, against 540 MB without)."""

    def __init__(self, limit: int = REFRESH_BACKLOG_BYTES) -> None:
        self.limit = limit
        self.waiting = 0
        self._changed = asyncio.Condition()

    async def wait_for_room(self) -> None:
        if self.waiting < self.limit:
            return
        async with self._changed:
            await self._changed.wait_for(lambda: self.waiting < self.limit)

    @contextlib.asynccontextmanager
    async def holding(self, size: int) -> AsyncIterator[None]:
        self.waiting += size
        try:
            yield
        finally:
            self.waiting -= size
            async with self._changed:
                self._changed.notify_all()
