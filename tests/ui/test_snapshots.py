"""Screens as SVG snapshots (pytest-textual-snapshot). Update with --snapshot-update.

Dates are fixed (fixture articles and TZ=UTC), workers are awaited before the
shot, the terminal size is fixed, and the in-memory library has no paths.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.pilot import Pilot

from reader.ui.app import BroadsheetApp
from reader.ui.widgets.article_list import ArticleList

from .conftest import SIZE, make_app, settle, two_feed_library

Compare = Callable[..., bool]
RunBefore = Callable[[Pilot], Awaitable[None]]


async def open_first_article(pilot: Pilot) -> None:
    await settle(pilot)
    pilot.app.query_one(ArticleList).focus()
    await pilot.press("enter")
    await settle(pilot)


def shoot(snap_compare: Compare, app: BroadsheetApp, run_before: RunBefore) -> bool:
    try:
        return snap_compare(app, terminal_size=SIZE, run_before=run_before)
    finally:
        app.gateway.shutdown()


def test_main_screen(snap_compare: Compare) -> None:
    assert shoot(snap_compare, make_app(two_feed_library()), settle)


def test_reading_view(snap_compare: Compare) -> None:
    assert shoot(snap_compare, make_app(two_feed_library()), open_first_article)


def test_help_screen(snap_compare: Compare) -> None:
    async def open_help(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert shoot(snap_compare, make_app(two_feed_library()), open_help)


def test_newsprint_theme(snap_compare: Compare) -> None:
    library = two_feed_library()
    library.set_state("theme", "newsprint")
    assert shoot(snap_compare, make_app(library), open_first_article)


def test_light_theme_reading_view(snap_compare: Compare) -> None:
    """A built-in light theme: title, byline and link read on the light page (issue 15)."""
    library = two_feed_library()
    library.set_state("theme", "catppuccin-latte")
    assert shoot(snap_compare, make_app(library), open_first_article)
