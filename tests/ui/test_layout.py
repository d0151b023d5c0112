"""Issue 15 items 16-18: 80×24 and 120×35 layouts, toasts, wrapping."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.widgets import Input

from reader.ui.app import BroadsheetApp
from reader.ui.screens.dialogs import ConfirmScreen, PromptScreen
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.reading_view import ReadingView
from reader.ui.widgets.sidebar import Sidebar, SidebarCounts, count_badge, feed_option_id

from .conftest import make_app, screen_text, settle
from .fakes import FakeLibrary, make_article, make_feed, sample_story

SIZES = [(80, 24), (120, 35)]
LONG_FEED = "World News and a very long feed title that goes on and on"
LONG_TITLE = "Markets steady after rate decision in the capital city today"


def wide_library() -> FakeLibrary:
    feed = make_feed(1, LONG_FEED)
    return FakeLibrary(
        [feed], [sample_story(feed, 1), make_article(2, feed, LONG_TITLE, hours_ago=3)]
    )


def lines_of(app: BroadsheetApp) -> list[str]:
    return screen_text(app).splitlines()


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x35"])
async def test_sidebar_footer_and_titles_fit_the_terminal(size: tuple[int, int]) -> None:
    app = make_app(wide_library())
    try:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            sidebar = app.query_one(Sidebar)
            text = screen_text(app)
            assert LONG_TITLE in text  # the whole title: the list has the room
            footer = lines_of(app)[-1]
            for key in ("n Next unread", "q Back/Quit", "? Help"):
                assert key in footer, footer
            if size[0] < 100:
                assert sidebar.region.width == 0  # hidden: f shows it
                assert "f: feeds" in lines_of(app)[0]
                await pilot.press("f")
                await settle(pilot)
                assert sidebar.region.width == 24 and app.focused is sidebar
                assert LONG_TITLE[:30] in screen_text(app)
                await pilot.press("f")
                await settle(pilot)
                assert sidebar.region.width == 0 and app.focused is app.query_one(ArticleList)
            else:
                assert sidebar.region.width == 32
                assert "f: feeds" not in screen_text(app)
            sidebar.select_id(feed_option_id(1))  # a long feed name: the header cuts it
            await settle(pilot)
            header = lines_of(app)[0]
            assert "2 articles" in header and (LONG_FEED in header or "…" in header)
            app.query_one(ArticleList).focus()
            await pilot.press("enter")  # reading: the pane's own keys join the footer
            await settle(pilot)
            assert isinstance(app.focused, ReadingView)
            footer = lines_of(app)[-1]
            for key in ("q Back/Quit", "? Help", "v Select"):
                assert key in footer, footer
    finally:
        app.gateway.shutdown()


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x35"])
async def test_empty_library_messages_wrap_in_whole_indented_lines(size: tuple[int, int]) -> None:
    app = make_app(FakeLibrary([], []))
    try:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            message = app.query_one(ArticleList).empty_message
            assert message.startswith("No feeds yet.")
            articles = app.query_one(ArticleList)
            shown = [articles.render_line(y).text.rstrip() for y in range(articles.size.height)]
            body = [line for line in shown if line.strip()]
            assert " ".join(" ".join(body).split()) == message  # every word, in order
            assert all(line.startswith("  ") for line in body)  # no line at column 0
            if size[0] >= 100:
                lines = [line.strip() for line in screen_text(app).splitlines()]
                assert any(line.startswith("No feeds yet:") for line in lines)
                assert any(line.startswith("press + to add one") for line in lines)
    finally:
        app.gateway.shutdown()


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x35"])
async def test_dialogs_fit_and_long_titles_end_in_an_ellipsis(size: tuple[int, int]) -> None:
    app = make_app(wide_library())
    width, height = size
    try:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            app.query_one(Sidebar).select_id(feed_option_id(1))
            await settle(pilot)
            app.query_one(ArticleList).focus()
            await pilot.press("d")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmScreen)
            dialog = app.screen.query_one(".dialog")
            assert dialog.region.right <= width and dialog.region.bottom <= height
            assert "Yes" in screen_text(app)
            await pilot.press("n")
            await settle(pilot)
            app.push_screen(PromptScreen("Rename “" + LONG_FEED + " " + LONG_FEED + "”"))
            await settle(pilot)
            title_line = next(line for line in lines_of(app) if "Rename “" in line)
            assert LONG_FEED + " " + LONG_FEED not in title_line
            assert "…" in title_line  # cut with an ellipsis, on one line
    finally:
        app.gateway.shutdown()


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x35"])
async def test_toasts_are_short_wait_for_dialogs_and_stay_off_the_text(
    size: tuple[int, int],
) -> None:
    app = make_app(wide_library())
    try:
        async with app.run_test(size=size, notifications=True) as pilot:
            await settle(pilot)
            app.query_one(ArticleList).focus()
            await pilot.press("enter")
            await settle(pilot)
            reader = app.query_one(ReadingView)
            app.push_screen(PromptScreen("Add a feed"))
            await settle(pilot)
            app.notify("Exported 3 files to /tmp/broadsheet-export", markup=False)
            await settle(pilot)
            assert "Exported 3 files" not in screen_text(app)  # not over the dialog
            assert app.screen.query_one(Input) is app.focused
            await pilot.press("escape")
            await settle(pilot)
            assert "Exported 3 files" in screen_text(app)  # shown once it closed
            toasts = list(app.screen.query("Toast"))
            assert toasts
            for toast in toasts:
                assert toast.region.height <= 3  # one line of text
                assert toast.region.right >= size[0] - 3  # at the right edge
                assert not toast.region.overlaps(reader.region), (toast.region, reader.region)
    finally:
        app.gateway.shutdown()


async def test_sidebar_counts_of_a_hundred_thousand_and_more_stay_on_the_row() -> None:
    feed = make_feed(1, "Wire")
    app = make_app(FakeLibrary([feed], [make_article(1, feed, "One story", hours_ago=1)]))
    try:
        async with app.run_test(size=(120, 35)) as pilot:
            await settle(pilot)
            sidebar = app.query_one(Sidebar)
            big = replace(feed, unread=123_456, total=123_456)
            sidebar.show_feeds([big], SidebarCounts(unread=4_567_890, saved=99_999))
            await settle(pilot)
            rows = [line[: sidebar.region.width] for line in lines_of(app)]
            assert any("All unread" in row and "4567k" in row for row in rows), rows
            assert any("Saved" in row and "99999" in row for row in rows), rows
            assert any("Wire" in row and "123k" in row for row in rows), rows
    finally:
        app.gateway.shutdown()


def test_count_badges_are_five_cells() -> None:
    for count in (1, 99_999, 100_000, 123_456, 9_999_999, 10_000_000, 10**12):
        assert len(count_badge(count)) == 5, count
    assert count_badge(123_456).strip() == "123k" and count_badge(12_345_678).strip() == "12M"
