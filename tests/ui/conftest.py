"""Fixtures for the UI tests: a fixed clock zone, fake and real libraries, a recording opener."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from reader.core.opener import OpenResult
from reader.core.sanitize import is_http_url
from reader.ui.app import BroadsheetApp

from .fakes import FakeLibrary, make_article, make_feed, sample_story

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def utc_clock() -> Iterator[None]:
    """Dates render in local time: pin the zone so screens do not depend on the machine."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if previous is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = previous
    time.tzset()


class RecordingOpener:
    """Never starts a browser: records what it was asked to open."""

    def __init__(self, launch: bool = False) -> None:
        self.launch = launch
        self.opened: list[str] = []

    def open(self, url: str) -> OpenResult:
        if not is_http_url(url):
            return OpenResult(url, launched=False, allowed=False, reason="Only http(s) links open")
        self.opened.append(url)
        if self.launch:
            return OpenResult(url, launched=True, allowed=True, reason="")
        return OpenResult(url, launched=False, allowed=True, reason="No graphical display")


def two_feed_library() -> FakeLibrary:
    """Two feeds, a few articles each, fixed dates."""
    world = make_feed(1, "World News")
    science = make_feed(2, "Science Weekly")
    articles = [
        sample_story(world, 1),
        make_article(2, world, "Markets steady after rate decision", hours_ago=3),
        make_article(3, world, "Storm warning for the coast", hours_ago=26, read=True),
        make_article(4, science, "A new moon for Saturn", hours_ago=2),
        make_article(5, science, "Why bees dance", hours_ago=30),
    ]
    return FakeLibrary([world, science], articles)


@pytest.fixture
def library() -> FakeLibrary:
    return two_feed_library()


@pytest.fixture
def opener() -> RecordingOpener:
    return RecordingOpener()


def make_app(library: FakeLibrary, opener: RecordingOpener | None = None) -> BroadsheetApp:
    """The app as tests run it: no background watching, no refresh at start."""
    return BroadsheetApp(
        library,
        opener=opener or RecordingOpener(),
        watch_interval=0,
        refresh_on_start=False,
    )


@pytest.fixture
def app(library: FakeLibrary, opener: RecordingOpener) -> Iterator[BroadsheetApp]:
    application = make_app(library, opener)
    yield application
    application.gateway.shutdown()


async def settle(pilot: object) -> None:
    """Wait until workers (and the workers their results start) are done."""
    from textual.pilot import Pilot
    from textual.worker import WorkerCancelled

    assert isinstance(pilot, Pilot)
    for _ in range(4):
        await pilot.pause()
        for _attempt in range(20):
            try:
                await pilot.app.workers.wait_for_complete()
                break
            except WorkerCancelled:  # an exclusive worker replaced by a newer one: wait again
                await pilot.pause()
    await pilot.pause()


def screen_text(app: BroadsheetApp) -> str:
    """What the terminal shows, as plain text (for assertions)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)
