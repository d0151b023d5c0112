"""A 5,000-article feed stays immediate to move through. Prints figures; asserts no timings."""

from __future__ import annotations

import statistics
import time

import pytest

from reader.ui.widgets.article_list import PAGE_SIZE, ArticleList
from reader.ui.widgets.sidebar import Sidebar

from .conftest import make_app, settle
from .fakes import FakeLibrary, make_article, make_feed

ARTICLES = 5000


def big_library() -> FakeLibrary:
    feed = make_feed(1, "Firehose")
    articles = [
        make_article(n, feed, f"Story number {n} about something", hours_ago=n / 10)
        for n in range(1, ARTICLES + 1)
    ]
    return FakeLibrary([feed], articles)


@pytest.mark.slow
async def test_jk_latency_on_5000_articles(capsys: pytest.CaptureFixture[str]) -> None:
    app = make_app(big_library())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.query_one(Sidebar).select_id("feed:1")
        await settle(pilot)
        articles = app.query_one(ArticleList)
        articles.focus()
        assert articles.row_count == ARTICLES

        press_times: list[float] = []
        for key in ["j"] * 150 + ["k"] * 50:
            started = time.perf_counter()
            await pilot.press(key)
            press_times.append(time.perf_counter() - started)
        assert articles.cursor == 100
        assert articles.current is not None

        render_times: list[float] = []  # one j, then every visible row redrawn
        rows = articles.size.height
        for _ in range(100):
            started = time.perf_counter()
            articles.action_move(1)
            for y in range(rows):
                articles.render_line(y)
            render_times.append(time.perf_counter() - started)

        started = time.perf_counter()
        await pilot.press("G")  # to the bottom: the last page loads in the background
        await articles.wait_for_rows()
        await pilot.pause()
        bottom = time.perf_counter() - started
        assert articles.cursor == ARTICLES - 1
        assert articles.current is not None and articles.current.id == ARTICLES
        assert len(articles._pages) <= ARTICLES // PAGE_SIZE

    app.gateway.shutdown()
    with capsys.disabled():
        print(
            f"\n[5,000 articles] j/k key press to screen settled (Pilot): "
            f"median {statistics.median(press_times) * 1000:.1f} ms, "
            f"max {max(press_times) * 1000:.1f} ms; "
            f"cursor move + full list repaint ({rows} rows): "
            f"median {statistics.median(render_times) * 1000:.2f} ms; "
            f"G to the last row: {bottom * 1000:.0f} ms"
        )
