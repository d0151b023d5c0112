"""Start-up: the first screen imports, reads and builds only what it shows.

Time to first paint is measured by the benchmark (benchmarks/run.py, scenario
e); these tests pin the behaviour that makes it short, deterministically.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading

from reader.core.library import ArticleQuery
from reader.core.models import Feed
from reader.ui.app import BroadsheetApp
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.footer import QuietFooter
from reader.ui.widgets.reading_view import ReadingView
from reader.ui.widgets.sidebar import SAVED_ID, UNREAD_ID, Sidebar, feed_option_id

from .conftest import SIZE, make_app, screen_text, settle
from .fakes import FakeLibrary

# Needed later (a key, a screen opened on demand), never to paint the first screen.
LATER = (
    "reader.core.cleaner",
    "reader.ui.motions",
    "reader.core.annotations",
    "reader.core.export",
    "reader.ui.screens.annotations",
    "reader.ui.screens.search",
    "reader.ui.screens.help",
    "reader.ui.screens.note_editor",
    "reader.ui.screens.tag_prompt",
    "reader.ui.screens.export_prompt",
    "reader.ui.screens.dialogs",
    "trafilatura",
)


def test_the_app_module_imports_nothing_the_first_screen_does_not_need() -> None:
    code = (
        "import json, sys\n"
        "import reader.cli\n"
        "from reader.core.library import Library\n"
        "from reader.ui.app import run_app\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = set(json.loads(done.stdout))
    assert not [name for name in LATER if name in loaded]


async def test_the_first_frame_shows_the_rows_read_while_the_app_started(
    app: BroadsheetApp,
) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        main = app.main_screen
        # on_mount showed the rows read ahead: no waiting on the gateway first
        assert main._first_view_shown
        assert app.query_one(ArticleList).row_count == 4
        assert app.take_first_view() is None  # taken once
        await settle(pilot)
        text = screen_text(app)
        assert "World News" in text and "All unread" in text


async def test_the_last_view_comes_back_before_and_after_the_sidebar_fills(
    library: FakeLibrary,
) -> None:
    library.set_state("last_view", feed_option_id(2))
    library.set_state("unread_only", "0")
    app = make_app(library)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        sidebar = app.query_one(Sidebar)
        assert sidebar.current_id == feed_option_id(2)
        articles = app.query_one(ArticleList)
        assert articles.query_ == ArticleQuery(feed_id=2, unread_only=False)
        assert articles.row_count == 2
        assert "Science Weekly" in screen_text(app)
    app.gateway.shutdown()


async def test_a_last_view_that_is_gone_falls_back_to_all_unread(library: FakeLibrary) -> None:
    library.set_state("last_view", feed_option_id(99))  # unsubscribed since
    app = make_app(library)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert app.query_one(Sidebar).current_id == UNREAD_ID
        articles = app.query_one(ArticleList)
        assert articles.query_ == ArticleQuery(unread_only=True)
        assert articles.row_count == 4
    app.gateway.shutdown()


class _SlowFeedsLibrary(FakeLibrary):
    """The feed list (the sidebar's rows) comes only when the test says so, as
    on a library with many feeds, where it is read after the article list."""

    def __init__(self, like: FakeLibrary) -> None:
        super().__init__(list(like._feeds.values()), list(like._articles.values()))
        self.feeds_ready = threading.Event()

    def feeds(self) -> list[Feed]:
        self.feeds_ready.wait(10)
        return super().feeds()


async def test_keys_typed_in_the_sidebar_before_its_feeds_come_are_not_lost(
    library: FakeLibrary,
) -> None:
    library = _SlowFeedsLibrary(library)
    app = make_app(library)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        sidebar = app.query_one(Sidebar)
        for _ in range(50):  # the article list is up; the feeds are still being read
            await pilot.pause()
            if app.main_screen._first_view_shown:
                break
        assert not sidebar.filled
        assert sidebar.current_id == UNREAD_ID
        await pilot.press("shift+tab", "j")
        assert sidebar.current_id == SAVED_ID  # the Saved view, not a key lost
        library.feeds_ready.set()
        await asyncio.sleep(0.05)
        await settle(pilot)
        assert sidebar.filled and sidebar.current_id == SAVED_ID
        assert app.query_one(ArticleList).query_ == ArticleQuery(saved_only=True)
        assert "Science Weekly" in screen_text(app)  # the feeds are listed after all
    app.gateway.shutdown()


def test_the_sidebar_remembers_a_choice_made_before_it_is_filled() -> None:
    sidebar = Sidebar()
    sidebar.select_id(feed_option_id(7))
    assert sidebar.current_id == feed_option_id(7)
    assert sidebar.current_feed is None  # named once the feeds are in


async def test_the_footer_rebuilds_only_when_its_keys_change(app: BroadsheetApp) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        footer = app.query_one(QuietFooter)
        keys = list(footer.children)
        app.main_screen.refresh_bindings()  # same bindings: the same widgets stay
        await settle(pilot)
        assert list(footer.children) == keys
        await pilot.press("enter")  # reading: the reading pane's keys show
        await settle(pilot)
        assert isinstance(app.focused, ReadingView)
        assert list(footer.children) != keys
        assert "Highlight" in screen_text(app)
