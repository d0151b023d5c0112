"""The one sequence of a refresh and what follows it, for the CLI and the TUI:
store → complete summary-only articles from their pages → clean what was stored
uncleaned → tidy the search index.

The CLI cleans in its own process; the TUI hands the last two steps to a child
process (``reader.core.background``) through the ``clean`` step it passes in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader.core.models import RefreshSummary

if TYPE_CHECKING:
    from reader.core._refresh.host import Settles, Syncs
    from reader.core._refresh.pipeline import OnFetch, OnResult


@dataclass(slots=True)
class AfterRefresh:
    full_texts: int = 0  # summary-only articles completed from their pages
    queued: int = 0  # story pages left for later refreshes
    cleaned: int = 0  # articles cleaned here (0 when cleaning was handed elsewhere)


async def refresh_and_settle(
    library: Settles,
    feed_ids: Sequence[int] | None = None,
    *,
    on_result: OnResult | None = None,
    on_fetch: OnFetch | None = None,
    wait: float = 0.0,
    automatic: bool = False,
    on_stored: Callable[[RefreshSummary], None] | None = None,
    settle: bool = True,
    clean: Callable[[], int] | None = None,
) -> tuple[RefreshSummary, AfterRefresh]:
    """Refresh, then (``settle``) complete, clean and tidy. ``on_stored`` hears the
    summary as soon as the articles are stored (they are searchable already);
    ``clean`` replaces the in-process clean-and-tidy step."""
    summary = await library.refresh(
        feed_ids,
        on_result=on_result,
        wait=wait,
        fulltext=False,
        automatic=automatic,
        on_fetch=on_fetch,
    )
    if on_stored is not None:
        on_stored(summary)
    after = AfterRefresh()
    if not settle:
        return summary, after
    after.full_texts = summary.full_texts = await library.complete_full_texts()
    after.queued = library.pending_full_texts()
    _clean(library, after, clean)
    return summary, after


def sync_and_settle(
    library: Syncs,
    *,
    on_result: OnResult | None = None,
    wait: float = 0.0,
    on_stored: Callable[[RefreshSummary], None] | None = None,
    settle: bool = True,
) -> tuple[RefreshSummary, AfterRefresh]:
    """:func:`refresh_and_settle` for a library with a feed server account, without an
    event loop: asyncio (and a page fetcher) start only when story pages wait to be
    fetched, so a sync that finds nothing new costs its requests and a few queries."""
    summary = library.sync(on_result=on_result, wait=wait)
    if on_stored is not None:
        on_stored(summary)
    after = AfterRefresh()
    if not settle:
        return summary, after
    if library.pending_full_texts():
        import asyncio

        after.full_texts = summary.full_texts = asyncio.run(library.complete_full_texts())
        after.queued = library.pending_full_texts()
    _clean(library, after, None)
    return summary, after


def _clean(library: Settles, after: AfterRefresh, clean: Callable[[], int] | None) -> None:
    if clean is not None:
        after.cleaned = clean()
        return
    after.cleaned = library.clean_pending()
    if after.cleaned:
        library.tidy_search_index()
