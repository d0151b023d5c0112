"""Articles read in an unread-only view stay listed (dimmed) while the view lasts.

Reading down All unread (Enter, then ``n``, ``n``) and pressing ``R`` used to
drop every article read so far from the list, the open one included: rows
jumped under the cursor at every refresh (and at every write by another
process, such as a cron refresh). And ``n`` put the list's cursor on the row
the next unread article would have had without the read rows above it: the
cursor sat on an article already read while another one was open.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from reader.core import Library
from reader.ui.app import BroadsheetApp
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.reading_view import ReadingView
from reader.ui.widgets.sidebar import UNREAD_ID, Sidebar, feed_option_id

from .conftest import settle
from .library_fixtures import make_real_app, real_library


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[tuple[BroadsheetApp, Library]]:
    library = real_library(tmp_path)
    app = make_real_app(library)
    yield app, library
    app.gateway.shutdown()
    library.close()


def listed(app: BroadsheetApp) -> list[tuple[str, bool]]:
    """(first title word, read) for every row of the list, top to bottom."""
    articles = app.query_one(ArticleList)
    rows = [summary for page in sorted(articles._pages) for summary in articles._pages[page]]
    return [(summary.title.split()[0], summary.read) for summary in rows]


def cursor_title(app: BroadsheetApp) -> str:
    current = app.query_one(ArticleList).current
    assert current is not None
    return current.title.split()[0]


def open_title(app: BroadsheetApp) -> str:
    article = app.query_one(ReadingView).article
    assert article is not None
    return article.title.split()[0]


async def press(pilot: Pilot, key: str) -> None:
    """``key``, and everything it started done."""
    await pilot.press(key)
    await settle(pilot)
    await pilot.app.workers.wait_for_complete()
    await settle(pilot)


async def test_read_rows_stay_listed_through_refreshes_and_n_keeps_the_cursor_on_the_open_one(
    desk: tuple[BroadsheetApp, Library],
) -> None:
    app, library = desk
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert app.query_one(Sidebar).current_id == UNREAD_ID
        assert listed(app) == [("Glacier", False), ("Compiler", False), ("Budget", False)]
        await press(pilot, "enter")  # the newest, Glacier
        await press(pilot, "n")  # Compiler
        assert open_title(app) == "Compiler"
        assert cursor_title(app) == "Compiler"  # the list shows what is being read

        await press(pilot, "R")
        assert listed(app) == [("Glacier", True), ("Compiler", True), ("Budget", False)]
        assert cursor_title(app) == open_title(app) == "Compiler"

        await press(pilot, "n")  # Budget, after a refresh too
        assert cursor_title(app) == open_title(app) == "Budget"
        app.main_screen.check_external_changes()  # another process wrote: the same
        await press(pilot, "R")
        assert [read for _, read in listed(app)] == [True, True, True]

        # Another view and back: a fresh unread-only list, the read rows gone.
        sidebar = app.query_one(Sidebar)
        sidebar.select_id(feed_option_id(library.feeds()[0].id))
        await settle(pilot)
        sidebar.select_id(UNREAD_ID)
        await settle(pilot)
        assert listed(app) == []


async def test_mark_all_read_rows_go_at_the_next_reload(
    desk: tuple[BroadsheetApp, Library],
) -> None:
    """``A`` empties the view on purpose: its rows are not kept through a refresh."""
    app, _library = desk
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        for key in ("enter", "A"):
            await press(pilot, key)
        await press(pilot, "R")
        assert listed(app) == [("Glacier", True)]  # the one read by opening it stays


async def test_the_open_article_follows_a_refresh_that_changed_its_text(
    desk: tuple[BroadsheetApp, Library], tmp_path: Path
) -> None:
    """A refresh that rewrote the open story (a correction) left the pane on the
    old text, while highlights moved to the new one: a passage highlighted there
    was stored over other words (the pane's offsets, the library's text)."""
    from reader.core.annotations import Annotations

    from .library_fixtures import STORIES, rss

    app, library = desk
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")  # Glacier
        assert open_title(app) == "Glacier"
        correction = "Correction: an earlier version gave the wrong year. "
        corrected = [
            (guid, title, correction + body if guid == "glacier" else body, date)
            for guid, title, body, date in STORIES
        ]
        (tmp_path / "desk.xml").write_bytes(rss(corrected, "The Desk"))
        await press(pilot, "R")
        pane = app.query_one(ReadingView)
        assert pane.article is not None
        assert library.article(pane.article.id).text.startswith("Correction:")
        assert pane.article is not None and pane.article.text.startswith("Correction:")
        await pilot.press("g", "v", "w", "h")  # the first word as shown
        await settle(pilot)
        (item,) = Annotations(library).for_article(pane.article.id)
        assert item.start is not None and item.end is not None
        shown = pane.article.text[item.start : item.end]
        assert item.exact == shown and shown.startswith("Correction")  # what was selected
