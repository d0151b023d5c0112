"""j/k on a 5,000-article feed in a real (SQLite) library: key to settled screen.

Prints figures; asserts no timings (they depend on the machine). "Settled" is
the first frame the app draws once the key has been handled and no page of
the list is still loading; Pilot's own idle waits are not part of it (keys go
to the driver directly, as Pilot sends them). A one-widget app measured the
same way shows what Textual itself costs per key on this machine.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from rich.console import RenderableType
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from reader.core import Library
from reader.ui.widgets.article_list import PAGE_SIZE, ArticleList
from reader.ui.widgets.sidebar import Sidebar, feed_option_id

from .bulk import bulk_library
from .conftest import settle
from .library_fixtures import make_real_app

ARTICLES = 5000
PRESSES = 50
START_ROW = 60  # the presses cross the prefetch point (row 81) and a page boundary (100)


@pytest.fixture
def big_library(tmp_path: Path) -> Iterator[tuple[Library, int]]:
    library, feed_id = bulk_library(tmp_path, ARTICLES)
    yield library, feed_id
    library.close()


def library_cleaned_some(library: Library) -> bool:
    row = library.db.connection().execute(
        "SELECT count(*) FROM articles WHERE cleaner_version != 0"
    )
    return bool(row.fetchone()[0])


class FrameClock:
    """Times from a key (or any change) to the first frame drawn once ``done()`` holds."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.done: Callable[[], bool] | None = None
        self.settled_at: float | None = None
        original = app._display

        def display(screen: Screen[object], renderable: RenderableType | None) -> None:
            original(screen, renderable)
            pending = renderable is not None and self.settled_at is None
            if pending and self.done is not None and self.done():
                self.settled_at = time.perf_counter()

        app._display = display  # type: ignore[method-assign]

    async def time(self, start: Callable[[], None], done: Callable[[], bool]) -> float:
        self.done, self.settled_at = done, None
        started = time.perf_counter()
        start()
        deadline = started + 10
        while self.settled_at is None:
            assert time.perf_counter() < deadline, "the screen never settled"
            await asyncio.sleep(0.0005)
        self.done = None
        return self.settled_at - started

    def press(self, key: str) -> Callable[[], None]:
        def send() -> None:
            event = events.Key(key, key)
            event.set_sender(self.app)
            driver = self.app._driver
            assert driver is not None
            driver.send_message(event)

        return send


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=20)
    return f"p50 {statistics.median(samples) * 1000:.1f} ms, p95 {cuts[18] * 1000:.1f} ms"


class OneWidget(App[None]):
    """The least an app can do for a key: one Static, updated."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("j", "down", "Down")]

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def compose(self) -> ComposeResult:
        yield Static(Content("0"), id="count")

    def action_down(self) -> None:
        self.count += 1
        self.query_one("#count", Static).update(Content(str(self.count)))


async def one_widget_figures() -> list[float]:
    app = OneWidget()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        clock = FrameClock(app)
        timings: list[float] = []
        for number in range(1, PRESSES + 1):

            def counted(number: int = number) -> bool:
                return app.count == number

            timings.append(await clock.time(clock.press("j"), counted))
        assert app.count == PRESSES
    return timings


@pytest.mark.slow
async def test_jk_latency_on_5000_articles_in_sqlite(
    big_library: tuple[Library, int], capsys: pytest.CaptureFixture[str]
) -> None:
    library, feed_id = big_library
    app = make_real_app(library)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            clock = FrameClock(app)
            sidebar = app.query_one(Sidebar)
            articles = app.query_one(ArticleList)

            def feed_open() -> bool:
                return (
                    articles.query_.feed_id == feed_id  # "All unread" lists them all too
                    and articles.row_count == ARTICLES
                    and articles.current is not None
                    and not articles._pending
                )

            opened = await clock.time(lambda: sidebar.select_id(feed_option_id(feed_id)), feed_open)
            await settle(pilot)
            assert articles.query_.feed_id == feed_id and articles.row_count == ARTICLES
            articles.focus()
            articles.move_to(START_ROW)
            await settle(pilot)

            timings: list[float] = []
            for key, step in [("j", 1)] * PRESSES + [("k", -1)] * 10:
                expected = articles.cursor + step

                def settled(expected: int = expected) -> bool:
                    current = articles.current
                    return (
                        articles.cursor == expected
                        and current is not None
                        and not articles._pending
                    )

                timings.append(await clock.time(clock.press(key), settled))
            assert articles.cursor == START_ROW + PRESSES - 10
            # Every row on the way had its real summary: the newest is number 1, one a minute.
            assert articles.current is not None
            assert (
                articles.current.title
                == f"Story number {START_ROW + PRESSES - 9} about the harbour"
            )
            assert set(articles._pages) >= {0, 1}  # the second page came from SQLite
            assert START_ROW + PRESSES > PAGE_SIZE

            # The same while the app cleans a refresh's articles (every article here is
            # uncleaned). Cleaning runs in a child process: the keys do not share an
            # interpreter with it, only the machine's cores (the child runs niced).
            def one_down() -> Callable[[], bool]:
                expected = articles.cursor + 1
                return lambda: (
                    articles.cursor == expected
                    and articles.current is not None
                    and not articles._pending
                )

            app.clean_in_background()
            deadline = time.monotonic() + 30
            while not library_cleaned_some(library):  # its first batch has landed
                assert time.monotonic() < deadline, "background cleaning never started"
                await asyncio.sleep(0.01)
            busy: list[float] = []
            for _ in range(PRESSES):
                if not app._cleaning:
                    break
                busy.append(await clock.time(clock.press("j"), one_down()))
            assert len(busy) >= 10, "cleaning ended before the keys could be timed"
        baseline = await one_widget_figures()
    finally:
        app.gateway.shutdown()

    j_times = timings[:PRESSES]
    with capsys.disabled():
        print(
            f"\n[SQLite, 5,000-article feed] open the feed: {opened * 1000:.0f} ms; "
            f"j key to settled screen ({PRESSES} presses, rows {START_ROW}→"
            f"{START_ROW + PRESSES}): {percentiles(j_times)}, max {max(j_times) * 1000:.1f} ms; "
            f"k (10): median {statistics.median(timings[PRESSES:]) * 1000:.1f} ms; "
            f"j while the cleaning process runs ({len(busy)} presses): {percentiles(busy)}, "
            f"max {max(busy) * 1000:.1f} ms; "
            f"one-widget app, same measure: {percentiles(baseline)}"
        )
