"""Issue 15 item 9: the header, the sidebar (All unread, each feed, each tag) and the
library agree on what is unread after every change, and `p` with no earlier unread
article leaves the list as it is."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from reader.core import ArticleQuery, Library
from reader.ui.app import BroadsheetApp
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.sidebar import Sidebar, feed_option_id, tag_option_id

from .conftest import settle
from .library_fixtures import make_real_app, real_library


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    """The three-story desk feed, tagged "desk" (a feed tag covers all three)."""
    lib = real_library(tmp_path)
    lib.tag_feed(lib.feeds()[0].id, ["desk"])
    yield lib
    lib.close()


def header_text(app: BroadsheetApp) -> str:
    return str(app.screen.query_one("#list-header", Static).render())


def header_unread(app: BroadsheetApp) -> int:
    """The unread count the header states: "N unread", or N articles when all are."""
    text = header_text(app)
    found = re.search(r"(\d+) unread", text) or re.search(r"(\d+) articles?", text)
    assert found, text
    return int(found.group(1))


def assert_counts_agree(app: BroadsheetApp, library: Library, unread: int) -> None:
    sidebar = app.screen.query_one(Sidebar)
    assert library.count_articles(ArticleQuery(unread_only=True)) == unread
    assert sidebar.counts.unread == unread
    assert sum(feed.unread for feed in sidebar.feeds) == unread
    assert sidebar.tags == [("desk", unread)]
    assert header_unread(app) == unread, header_text(app)


async def test_counts_agree_everywhere_after_each_change(library: Library) -> None:
    app = make_real_app(library)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert_counts_agree(app, library, 3)
        articles = app.screen.query_one(ArticleList)

        await pilot.press("enter")  # opens (and reads) the newest story
        await settle(pilot)
        assert_counts_agree(app, library, 2)
        assert "3 articles · 2 unread" in header_text(app)

        await pilot.press("p")  # nothing unread above it: the list stays as it is
        await settle(pilot)
        assert articles.row_count == 3
        assert_counts_agree(app, library, 2)

        await pilot.press("escape", "j", "m")  # mark the second one read from the list
        await settle(pilot)
        assert_counts_agree(app, library, 1)

        await pilot.press("A")
        await settle(pilot)
        assert_counts_agree(app, library, 0)
        await pilot.press("U")  # back to what A changed: the one still unread before it
        await settle(pilot)
        assert_counts_agree(app, library, 1)


async def test_feed_and_tag_views_state_the_same_unread_count(library: Library) -> None:
    feed = library.feeds()[0]
    app = make_real_app(library)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        sidebar = app.screen.query_one(Sidebar)
        # Both views list read rows too: read the first row in one, the second in the other.
        for view, keys in ((feed_option_id(feed.id), ["m"]), (tag_option_id("desk"), ["j", "m"])):
            sidebar.select_id(view)
            await settle(pilot)
            app.screen.query_one(ArticleList).focus()
            await pilot.press(*keys)  # one fewer unread in every count
            await settle(pilot)
            unread = library.count_articles(ArticleQuery(unread_only=True))
            assert_counts_agree(app, library, unread)
        assert library.count_articles(ArticleQuery(unread_only=True)) == 1
