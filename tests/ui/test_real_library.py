"""The app over the real SQLite library: first run, refresh from a loopback
server, subscribe by a site's address, unsubscribe, no network, a held
refresh lock, and state that survives a restart."""

from __future__ import annotations

import time
from pathlib import Path

from loopback import LoopbackServer
from textual.widgets import Input

from reader.core.library import ArticleQuery, Library
from reader.ui.app import BroadsheetApp
from reader.ui.screens.dialogs import ConfirmScreen, PromptScreen
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.reading_view import ReadingView
from reader.ui.widgets.sidebar import Sidebar

from .conftest import SIZE, RecordingOpener, screen_text, settle

LONG_BODY = "".join(
    f"<p>Paragraph {n} of the long report, with enough words to wrap across the "
    f"measure of the reading pane and make the story scroll.</p>"
    for n in range(1, 30)
)


def rss(title: str, items: list[tuple[str, str, str]]) -> bytes:
    """items: (guid, title, RFC 822 date)."""
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{item_title}</title>"
        f"<link>https://news.example/{guid}</link><pubDate>{date}</pubDate>"
        f"<description><![CDATA[{LONG_BODY}]]></description></item>"
        for guid, item_title, date in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://news.example/</link>{entries}</channel></rss>"
    ).encode()


FIRST = [
    ("a", "Harbour bridge to be rebuilt", "Tue, 03 Jun 2025 08:00:00 GMT"),
    ("b", "Rates held steady", "Mon, 02 Jun 2025 08:00:00 GMT"),
]
LATER = [("c", "Late edition: storm warning", "Wed, 04 Jun 2025 08:00:00 GMT"), *FIRST]


def open_library(tmp_path: Path, *, samples: bool = False) -> Library:
    return Library.open(tmp_path / "data", config_dir_path=tmp_path / "config", samples=samples)


def app_for(library: Library, *, refresh_on_start: bool = False) -> BroadsheetApp:
    return BroadsheetApp(
        library, opener=RecordingOpener(), watch_interval=0, refresh_on_start=refresh_on_start
    )


async def test_first_run_shows_the_sample_feeds(tmp_path: Path) -> None:
    library = open_library(tmp_path, samples=True)
    app = app_for(library, refresh_on_start=True)
    started = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        elapsed = time.perf_counter() - started
        sidebar = app.query_one(Sidebar)
        assert len(sidebar.feeds) >= 2
        assert all(feed.last_checked is not None for feed in sidebar.feeds)
        assert app.query_one(ArticleList).row_count > 0
        for feed in sidebar.feeds:
            assert feed.title[:15] in screen_text(app)  # long titles end in …
    app.gateway.shutdown()
    library.close()
    print(f"\nfirst run: sample feeds fetched and listed in {elapsed:.2f} s")


async def test_refresh_from_a_loopback_server(tmp_path: Path, loopback: LoopbackServer) -> None:
    url = loopback.static("/feed.xml", rss("Loopback News", FIRST))
    library = open_library(tmp_path)
    library.add_feed(url)
    app = app_for(library)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("R")  # refresh all
        await settle(pilot)
        assert app.query_one(ArticleList).row_count == 2
        assert "Loopback News" in screen_text(app)
        loopback.static("/feed.xml", rss("Loopback News", LATER))
        app.query_one(Sidebar).select_id("feed:1")
        await settle(pilot)
        app.query_one(ArticleList).focus()
        await pilot.press("r")  # refresh this feed
        await settle(pilot)
        assert app.query_one(ArticleList).row_count == 3
        assert "Late edition: storm warning" in screen_text(app), screen_text(app)
        assert not app.main_screen.has_class("-refreshing")
    app.gateway.shutdown()
    library.close()


async def test_subscribe_by_site_address_then_unsubscribe(
    tmp_path: Path, loopback: LoopbackServer
) -> None:
    feed_url = loopback.static(
        "/feed.xml", rss("Loopback News", FIRST), headers={"Content-Type": "application/rss+xml"}
    )
    page = (
        '<html><head><link rel="alternate" type="application/rss+xml" '
        f'href="{feed_url}"></head><body>Home</body></html>'
    ).encode()
    site = loopback.static("/", page, headers={"Content-Type": "text/html"})
    library = open_library(tmp_path)
    app = app_for(library)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert "No feeds yet" in screen_text(app)
        await pilot.press("plus", *site, "enter")
        await settle(pilot)
        sidebar = app.query_one(Sidebar)
        assert [feed.url for feed in sidebar.feeds] == [feed_url]
        assert "Subscribed to Loopback News" in screen_text(app)
        assert app.query_one(ArticleList).row_count == 2
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert library.feeds() == []
        assert "No feeds yet" in screen_text(app)
    app.gateway.shutdown()
    library.close()


async def test_no_network_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    library = open_library(tmp_path)
    library.add_feed("http://127.0.0.1:9/feed.xml")  # discard port: nothing listens
    app = app_for(library)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        assert app.is_running
        assert "Refresh failed" in screen_text(app)
        app.query_one(Sidebar).select_id("feed:1")
        await settle(pilot)
        assert "This feed failed to refresh" in screen_text(app)
    app.gateway.shutdown()
    library.close()


async def test_a_held_refresh_lock_is_explained(tmp_path: Path, loopback: LoopbackServer) -> None:
    library = open_library(tmp_path)
    library.add_feed(loopback.static("/feed.xml", rss("Loopback News", FIRST)))
    app = app_for(library)
    with library.refresh_lock():  # as if `broadsheet refresh` were running
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("R")
            await settle(pilot)
            assert "Another Broadsheet is refreshing" in screen_text(app)
            assert app.is_running
    app.gateway.shutdown()
    library.close()


async def test_theme_article_and_position_survive_a_restart(
    tmp_path: Path, loopback: LoopbackServer
) -> None:
    library = open_library(tmp_path)
    library.add_feed(loopback.static("/feed.xml", rss("Loopback News", FIRST)))
    await library.refresh()
    app = app_for(library)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.query_one(ArticleList).focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"jjjjjjjjjj")
        position = app.query_one(ReadingView).reading_position
        assert position > 0
        app.theme = "newsprint"
        await settle(pilot)
        await pilot.press("q", "q")
        await pilot.pause()
    app.gateway.shutdown()
    library.close()

    reopened = open_library(tmp_path)
    article_id = int(reopened.get_state("last_article") or 0)
    assert reopened.article(article_id).reading_position == position
    assert reopened.count_articles(ArticleQuery(unread_only=True)) == 1  # opening marked read
    app = app_for(reopened)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        reader = app.query_one(ReadingView)
        assert app.theme == "newsprint"
        assert reader.article is not None and reader.article.id == article_id
        assert reader.reading_position == position
        assert app.focused is reader
    app.gateway.shutdown()
    reopened.close()


async def test_rename_a_feed_then_restore_its_own_title(tmp_path: Path) -> None:
    feed_file = tmp_path / "desk.xml"
    feed_file.write_bytes(rss("Harbour Desk", FIRST))
    library = open_library(tmp_path)
    feed = library.add_feed(str(feed_file))
    await library.refresh()
    app = app_for(library)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        sidebar = app.query_one(Sidebar)
        sidebar.focus()
        sidebar.select_id(f"feed:{feed.id}")
        await settle(pilot)
        await pilot.press("c")
        await pilot.pause()
        prompt = app.screen
        assert isinstance(prompt, PromptScreen)
        assert prompt.query_one(Input).value == "Harbour Desk"  # starts from the current name
        await pilot.press("ctrl+u", *"[b]Docks[/b]", "enter")  # markup stays text
        await settle(pilot)
        assert library.feed(feed.id).title == "[b]Docks[/b]"
        assert [f.title for f in sidebar.feeds] == ["[b]Docks[/b]"]
        assert "[b]Docks[/b]" in screen_text(app)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("ctrl+u", "enter")  # empty: back to the feed's own title
        await settle(pilot)
        assert library.feed(feed.id).title == "Harbour Desk"
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("ctrl+u", *"Ignored", "escape")  # cancel changes nothing
        await settle(pilot)
        assert library.feed(feed.id).title == "Harbour Desk"
    app.gateway.shutdown()
    library.close()
