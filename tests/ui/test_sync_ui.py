"""The reader with a feed server account: R syncs, the list header names the account,
its last sync and pending changes, the progress row says a sync runs, and a failed
sync is one line naming the cause."""

from __future__ import annotations

import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Label

from reader.core.library import Library
from reader.core.sync import accounts
from reader.ui.app import BroadsheetApp
from reader.ui.widgets.article_list import ArticleList

from .conftest import SIZE, RecordingOpener, screen_text, settle

sys.path.insert(0, str(Path(__file__).parent.parent))
from greader_server import GReaderServer  # noqa: E402


@asynccontextmanager
async def reader_with_account(
    tmp_path: Path, server: GReaderServer, items: int
) -> AsyncIterator[tuple[BroadsheetApp, Pilot[None]]]:
    """The reader on a library with an account on ``server``, whose one feed holds
    ``items`` items not synced yet."""
    feed = server.state.add_feed(f"http://127.0.0.1:{server.port}/feeds/a.xml", "Harbour Post")
    server.state.crawl(feed, items)
    library = Library.open(tmp_path / "data", config_dir_path=tmp_path / "config", samples=False)
    account = accounts.Account("greader", server.url, "alice", "test-api-pass")
    accounts.add(library.db.connection(), library.data_dir, account)
    app = BroadsheetApp(library, opener=RecordingOpener(), watch_interval=0, refresh_on_start=False)
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            yield app, pilot
    finally:
        app.gateway.shutdown()
        library.close()


async def test_sync_from_the_reader(tmp_path: Path) -> None:
    with GReaderServer() as server:
        async with reader_with_account(tmp_path, server, 3) as (app, pilot):
            assert "synced with 127.0.0.1 never" in screen_text(app)
            await pilot.press("R")
            await settle(pilot)
            assert app.query_one(ArticleList).row_count == 3
            assert "Harbour Post" in screen_text(app)
            assert "synced with 127.0.0.1 never" not in screen_text(app)
            server.stop()
            await pilot.press("R")
            await settle(pilot)
            text = screen_text(app)
            assert "sync failed (server unreachable)" in text, text
            assert "last sync failed" in text


async def test_the_progress_row_says_the_reader_is_syncing_with_the_server(
    tmp_path: Path,
) -> None:
    with GReaderServer() as server:
        async with reader_with_account(tmp_path, server, 2) as (app, pilot):
            server.state.gate = threading.Event()  # the server answers when told to
            await pilot.press("R")
            await pilot.pause(0.3)
            label = str(app.query_one("#progress-label", Label).render())
            assert label == "Syncing with 127.0.0.1…", label
            assert app.main_screen.has_class("-refreshing")
            await pilot.press("R")  # a second R says what runs
            await pilot.pause(0.1)
            assert "A sync already running" in screen_text(app)
            server.state.gate.set()
            await settle(pilot)
            assert not app.main_screen.has_class("-refreshing")
            assert app.query_one(ArticleList).row_count == 2
