"""The search screen as an SVG snapshot (pytest-textual-snapshot; update with --snapshot-update).

As in test_snapshots.py: dates are fixed (the feed's pubDates, TZ=UTC from the
conftest), workers (the debounced search) are awaited before the shot, and the
terminal size is fixed. The library lives in a temporary folder, but no path
is on screen. The results list has focus, so no blinking cursor is captured.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from reader.ui.screens.search import SearchScreen
from reader.ui.widgets.article_list import ArticleList

from .conftest import SIZE, settle
from .library_fixtures import article_id, make_real_app, real_library

Compare = Callable[..., bool]


def test_search_results(snap_compare: Compare, tmp_path: Path) -> None:
    library = real_library(tmp_path)
    library.set_saved(article_id(library, "Glacier"), True)  # shows the saved star
    app = make_real_app(library)

    async def search(pilot: Pilot) -> None:
        await settle(pilot)
        pilot.app.query_one(ArticleList).focus()
        await pilot.press("slash")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, SearchScreen)
        screen.query_one(Input).value = "glacier"
        await settle(pilot)
        assert len(screen.hits) == 2
        await pilot.press("down")  # into the results
        await settle(pilot)

    try:
        assert snap_compare(app, terminal_size=SIZE, run_before=search)
    finally:
        app.gateway.shutdown()
        library.close()
