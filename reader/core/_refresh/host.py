"""What the refresh pipeline needs from the library it fills (a Protocol, so this
package never imports the facade that drives it)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from reader.core._lock import RefreshLock
    from reader.core._storage import Database
    from reader.core.cleaning import Cleaning
    from reader.core.config import Config
    from reader.core.models import Feed, RefreshSummary


class Settles(Protocol):
    """What the after-refresh sequence (``after.refresh_and_settle``) calls: also all
    a library stand-in needs to be refreshed by the terminal UI."""

    def pending_full_texts(self) -> int: ...

    def clean_pending(self, *, limit: int | None = None) -> int: ...

    def tidy_search_index(self, *, pages_per_step: int = 2000, max_steps: int = 10_000) -> int: ...

    async def refresh(
        self,
        feed_ids: Sequence[int] | None = None,
        *,
        on_result: Any = None,
        fetcher: Any = None,
        wait: float = 0.0,
        fulltext: bool = True,
        automatic: bool = False,
        on_fetch: Any = None,
    ) -> RefreshSummary: ...

    async def complete_full_texts(self, *, fetcher: Any = None) -> int: ...


class Syncs(Settles, Protocol):
    """A library whose feed server account a sync can run without an event loop."""

    def sync(self, *, on_result: Any = None, wait: float = 0.0) -> RefreshSummary: ...


class RefreshHost(Settles, Protocol):
    data_dir: Path
    config: Config
    db: Database
    cleaning: Cleaning

    def feeds(self) -> list[Feed]: ...

    def feed(self, feed_id: int) -> Feed: ...

    def add_feed(self, url: str, *, title: str | None = None, tags: Sequence[str] = ()) -> Feed: ...

    def reclean(self, article_ids: Iterable[int] | None = None, *, strict: bool = True) -> int: ...

    def prune(self, *, older_than_days: int | None = None, now: float | None = None) -> int: ...

    def refresh_lock(self, wait: float = 0.0) -> RefreshLock: ...
