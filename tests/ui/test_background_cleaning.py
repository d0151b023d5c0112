"""After a refresh, the app cleans what it stored, in the background, so search sees cleaned text."""

from __future__ import annotations

import os
import time
from pathlib import Path

from textual.pilot import Pilot

from reader.core import Library
from reader.ui.app import BroadsheetApp, process_cleaner
from reader.ui.widgets.reading_view import ReadingView

from .bulk import bulk_library
from .conftest import SIZE, RecordingOpener, settle
from .library_fixtures import rss

NEWS_DATE = "Tue, 03 Jun 2025 08:00:00 GMT"
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
        library,
        opener=RecordingOpener(),
        watch_interval=0,
        refresh_on_start=refresh_on_start,
        cleaner=process_cleaner(library),  # as run_app gives it
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


async def wait_for_cleaner(pilot: Pilot) -> int:
    """The cleaning process's id, once it has started (30 s at most)."""
    app = pilot.app
    assert isinstance(app, BroadsheetApp)
    deadline = time.monotonic() + 30
    while app.cleaner_pid is None and time.monotonic() < deadline:
        await pilot.pause(0.01)
    assert app.cleaner_pid is not None
    return app.cleaner_pid


async def test_cleaning_runs_in_batches_in_another_process(tmp_path: Path) -> None:
    """450 uncleaned articles: batches of at most 200, in a child process, not this one."""
    library, _ = bulk_library(tmp_path, 450)
    in_this_process: list[int] = []
    clean_pending = library.clean_pending

    def counting_clean_pending(*, limit: int | None = None) -> int:
        cleaned = clean_pending(limit=limit)
        in_this_process.append(cleaned)
        return cleaned

    library.clean_pending = counting_clean_pending  # type: ignore[method-assign]
    app = open_app(library, refresh_on_start=False)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert uncleaned(library) == 450
            app.clean_in_background()
            assert await wait_for_cleaner(pilot) != os.getpid()
            await wait_for_cleaning(pilot, library)
            assert uncleaned(library) == 0
            assert app.clean_batches == [200, 200, 50]
            assert app.cleaned_in_background == 450
            assert in_this_process == []  # nothing was cleaned in the app's interpreter
            assert app.cleaner_pid is None  # the child has ended and been reaped
    finally:
        app.gateway.shutdown()
        library.close()


async def test_a_request_while_cleaning_runs_looks_again_afterwards(tmp_path: Path) -> None:
    """One process at a time; a refresh that ends meanwhile gets its articles cleaned too."""
    library, _ = bulk_library(tmp_path, 300)
    app = open_app(library, refresh_on_start=False)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.clean_in_background()
            first = await wait_for_cleaner(pilot)
            app.clean_in_background()  # again while it runs: no second process now
            assert app.cleaner_pid == first
            await wait_for_cleaning(pilot, library)
            assert uncleaned(library) == 0 and app.cleaned_in_background == 300
            # The second look found nothing left: a batch of 0 after the first run's.
            assert app.clean_batches == [200, 100, 0]
    finally:
        app.gateway.shutdown()
        library.close()


async def test_closing_the_app_ends_the_cleaning_process(tmp_path: Path) -> None:
    library, _ = bulk_library(tmp_path, 3000)
    app = open_app(library, refresh_on_start=False)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.clean_in_background()
            pid = await wait_for_cleaner(pilot)
        assert not app._cleaning and app.cleaner_pid is None
        assert gone(pid)
        assert uncleaned(library) > 0  # it was stopped, not waited for
    finally:
        app.gateway.shutdown()
        library.close()


def gone(pid: int) -> bool:
    """The process has exited and been reaped (or is a zombie about to be)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in {"Z", "X"}


async def test_a_refresh_of_many_feeds_in_the_app_parses_in_worker_processes(
    tmp_path: Path,
) -> None:
    """20 feeds: the refresh parses in a process pool, which must start although the
    app has replaced sys.stderr (its fileno() is -1, which process starts reject)."""
    library = Library.open(tmp_path / "data", config_dir_path=tmp_path / "config", samples=False)
    for number in range(20):
        path = tmp_path / f"feed{number}.xml"
        story = (f"s{number}", f"Story {number}", f"Body of story {number}.", NEWS_DATE)
        path.write_bytes(rss([story], f"Feed {number}"))
        feed = library.add_feed(str(path))
        library.set_feed_fulltext(feed.id, "never")
    app = open_app(library, refresh_on_start=False)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("R")
            await wait_for_cleaning(pilot, library)
            assert count(library) == 20
            assert [feed.last_error for feed in library.feeds()] == [None] * 20
            assert uncleaned(library) == 0 and app.cleaned_in_background == 20
    finally:
        app.gateway.shutdown()
        library.close()
