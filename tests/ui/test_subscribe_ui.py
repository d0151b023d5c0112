"""Issue 12.11 in the reader: adding a feed already in the library names it and
selects it; the feed is fetched once per subscription."""

from __future__ import annotations

from pathlib import Path

from loopback import LoopbackServer

from reader.core.library import Library
from reader.ui.app import BroadsheetApp
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.sidebar import Sidebar

from .conftest import SIZE, RecordingOpener, screen_text, settle
from .test_real_library import FIRST, rss


async def test_adding_a_subscribed_feed_again_says_so(
    tmp_path: Path, loopback: LoopbackServer
) -> None:
    url = loopback.static("/feed.xml", rss("Loopback News", FIRST))
    library = Library.open(tmp_path / "data", config_dir_path=tmp_path / "config", samples=False)
    app = BroadsheetApp(library, opener=RecordingOpener(), watch_interval=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("plus", *url, "enter")
        await settle(pilot)
        assert "Subscribed to Loopback News" in screen_text(app)
        assert len(loopback.requests_to("/feed.xml")) == 1  # one fetch, its entries stored
        assert app.query_one(ArticleList).row_count == 2
        await pilot.press("plus", *url, "enter")
        await settle(pilot)
        assert "already subscribed to Loopback News (feed 1" in screen_text(app)
        assert len(app.query_one(Sidebar).feeds) == 1 and len(library.feeds()) == 1
        assert len(loopback.requests_to("/feed.xml")) == 1
    app.gateway.shutdown()
    library.close()
