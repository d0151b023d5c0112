"""After a refresh, the app cleans what it stored, in the background, so search sees cleaned text."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

from textual import events
from textual.pilot import Pilot

from reader.core import Library
from reader.ui.app import BroadsheetApp
from reader.ui.widgets.reading_view import ReadingView

from .bulk import bulk_library
from .conftest import SIZE, RecordingOpener, settle

SEED_TITLE = "Karvia and Ostmark agree to restore ambassadors after four-year freeze"


def count(library: Library, where: str = "1") -> int:
    """Stored rows (every copy of a story, not the deduplicated list count)."""
    row = library.db.connection().execute(f"SELECT count(*) FROM articles WHERE {where}")
    return int(row.fetchone()[0])


def uncleaned(library: Library) -> int:
    return count(library, "cleaner_version = 0")


async def wait_for_cleaning(pilot: Pilot, library: Library) -> None:
    """Until something is stored and the app's cleaner has stopped (30 s at most)."""
    app = pilot.app
    assert isinstance(app, BroadsheetApp)
    deadline = time.monotonic() + 30
    while (count(library) == 0 or app._cleaning or uncleaned(library)) and (
        time.monotonic() < deadline
    ):
        await pilot.pause(0.05)
    await settle(pilot)


def open_app(library: Library, *, refresh_on_start: bool) -> BroadsheetApp:
    return BroadsheetApp(
        library, opener=RecordingOpener(), watch_interval=0, refresh_on_start=refresh_on_start
    )


async def test_first_run_refresh_is_cleaned_in_the_background(tmp_path: Path) -> None:
    library = Library.open(tmp_path / "data", config_dir_path=tmp_path / "config")
    assert count(library) == 0  # first run: the sample feeds are subscribed, not fetched
    app = open_app(library, refresh_on_start=True)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await wait_for_cleaning(pilot, library)
            assert count(library) > 0
            assert uncleaned(library) == 0
            # Refresh stored every new article uncleaned and the app cleaned them all:
            # nothing opened an article (which would have cleaned it lazily).
            assert app.cleaned_in_background == count(library)
            assert app.query_one(ReadingView).article is None
            # Search sees cleaned text: the appeal the cleaner removes from the
            # seed-shaped story no longer finds it; its reporting still does.
            assert library.search("chipping") == []
            titles = [hit.article.title for hit in library.search("hydroelectric")]
            assert SEED_TITLE in titles
    finally:
        app.gateway.shutdown()
        library.close()


async def test_refresh_key_cleans_what_it_stored(tmp_path: Path) -> None:
    library = Library.open(tmp_path / "data", config_dir_path=tmp_path / "config")
    app = open_app(library, refresh_on_start=False)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert count(library) == 0 and app.cleaned_in_background == 0
            await pilot.press("R")
            await wait_for_cleaning(pilot, library)
            assert count(library) > 0
            assert uncleaned(library) == 0
            assert app.cleaned_in_background == count(library)
    finally:
        app.gateway.shutdown()
        library.close()


async def test_cleaning_runs_in_batches_on_the_background_lane(tmp_path: Path) -> None:
    """450 uncleaned articles: three batches of at most 200, none on the UI's own lane."""
    library, _ = bulk_library(tmp_path, 450)
    calls: list[int] = []
    lanes: list[str] = []
    clean_pending = library.clean_pending

    def counting_clean_pending(*, limit: int | None = None) -> int:
        lanes.append(threading.current_thread().name)
        cleaned = clean_pending(limit=limit)
        calls.append(cleaned)
        return cleaned

    library.clean_pending = counting_clean_pending  # type: ignore[method-assign]
    app = open_app(library, refresh_on_start=False)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert uncleaned(library) == 450
            app.clean_in_background()
            await wait_for_cleaning(pilot, library)
            assert uncleaned(library) == 0
            assert calls == [200, 200, 50, 0]
            assert app.cleaned_in_background == 450
            assert all(lane.startswith("broadsheet-db-background") for lane in lanes)
    finally:
        app.gateway.shutdown()
        library.close()


async def test_cleaning_waits_while_the_reader_is_pressing_keys(tmp_path: Path) -> None:
    library, _ = bulk_library(tmp_path, 50)
    app = open_app(library, refresh_on_start=False)

    def press_j() -> None:  # straight to the driver, as Pilot does, without its idle waits
        event = events.Key("j", "j")
        event.set_sender(app)
        assert app._driver is not None
        app._driver.send_message(event)

    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            press_j()
            await pilot.pause()
            app.clean_in_background()
            for _ in range(12):  # a key every 0.1 s for 1.2 s: never the 1 s pause it needs
                await asyncio.sleep(0.1)
                press_j()
                assert uncleaned(library) == 50 and app._cleaning
            assert time.monotonic() - app._last_input < app.clean_idle
            await wait_for_cleaning(pilot, library)  # the keys stop: it goes ahead
            assert uncleaned(library) == 0 and app.cleaned_in_background == 50
    finally:
        app.gateway.shutdown()
        library.close()
