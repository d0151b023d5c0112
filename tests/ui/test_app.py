"""Drive the app by keyboard through Pilot, against the in-memory library."""

from __future__ import annotations

from rich.style import Style as RichStyle

from reader.core.library import ArticleQuery
from reader.ui.app import BroadsheetApp
from reader.ui.screens.dialogs import ConfirmScreen, PromptScreen
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.reading_view import ReadingView
from reader.ui.widgets.sidebar import Sidebar

from .conftest import SIZE, RecordingOpener, make_app, screen_text, settle
from .fakes import FakeLibrary, make_article, make_feed


def main_screen(app: BroadsheetApp) -> MainScreen:
    return app.main_screen


async def choose_sidebar(pilot, app: BroadsheetApp, option_id: str) -> None:  # type: ignore[no-untyped-def]
    sidebar = app.query_one(Sidebar)
    sidebar.focus()
    sidebar.select_id(option_id)
    await settle(pilot)


async def test_first_screen_shows_feeds_and_unread(app: BroadsheetApp) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "World News" in text and "Science Weekly" in text
        assert app.query_one(ArticleList).row_count == 4  # four unread
        assert "Choose an article" in text


async def test_open_a_feed_and_read_an_article(app: BroadsheetApp, library: FakeLibrary) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await choose_sidebar(pilot, app, "feed:1")
        await pilot.press("enter")  # sidebar: go to the list
        await settle(pilot)
        articles = app.query_one(ArticleList)
        assert app.focused is articles
        assert articles.row_count == 3  # World News, read ones included
        await pilot.press("enter")
        await settle(pilot)
        reader = app.query_one(ReadingView)
        assert app.focused is reader
        assert reader.article is not None and reader.article.id == 1
        assert "harbour bridge" in screen_text(app)
        assert library.article(1).read  # opening marks read
        assert library.get_state("last_article") == "1"
        await pilot.press("q")  # back to the list
        assert app.focused is articles


async def test_next_and_previous_unread_cross_feeds(app: BroadsheetApp) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await choose_sidebar(pilot, app, "feed:2")  # Science Weekly: 4 and 5 unread
        app.query_one(ArticleList).focus()
        reader = app.query_one(ReadingView)
        seen = []
        for _ in range(4):
            await pilot.press("n")
            await settle(pilot)
            assert reader.article is not None
            seen.append(reader.article.id)
        # Science Weekly first (sidebar order), then on into World News.
        assert seen == [4, 5, 1, 2]
        assert app.query_one(Sidebar).current_id == "feed:1"
        await pilot.press("n")
        await settle(pilot)
        assert reader.article is not None and reader.article.id == 2  # nothing further
        await pilot.press("m")  # mark 2 unread again, then go back to it with p
        await settle(pilot)
        app.query_one(ArticleList).move_to(2)  # 3: Storm warning, read
        await pilot.press("p")
        await settle(pilot)
        assert reader.article is not None and reader.article.id == 2


async def test_toggle_read_and_mark_all_read(app: BroadsheetApp, library: FakeLibrary) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await choose_sidebar(pilot, app, "feed:1")
        articles = app.query_one(ArticleList)
        articles.focus()
        await pilot.press("m")
        await settle(pilot)
        assert library.article(1).read
        await pilot.press("m")
        await settle(pilot)
        assert not library.article(1).read
        await pilot.press("A")
        await settle(pilot)
        assert library.count_articles(ArticleQuery(feed_id=1, unread_only=True)) == 0
        assert library.count_articles(ArticleQuery(feed_id=2, unread_only=True)) == 2
        sidebar = app.query_one(Sidebar)
        assert sidebar.counts.unread == 2
        # U undoes it (until the reader closes), exactly: only what A changed
        await pilot.press("U")
        await settle(pilot)
        assert library.count_articles(ArticleQuery(feed_id=1, unread_only=True)) == 2
        assert library.article(3).read  # was read before A
        assert sidebar.counts.unread == 4
        await pilot.press("U")
        await settle(pilot)
        assert library.count_articles(ArticleQuery(feed_id=1, unread_only=True)) == 2


async def test_refresh_all_shows_new_articles_as_they_arrive(
    app: BroadsheetApp, library: FakeLibrary
) -> None:
    science = library.feed(2)
    library.incoming[2] = [make_article(10, science, "Comet spotted", hours_ago=0.5)]
    library.refresh_delay = 0.01
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        assert app.query_one(ArticleList).row_count == 5
        assert "Comet spotted" in screen_text(app)
        assert not main_screen(app).has_class("-refreshing")


async def test_refresh_of_a_failing_feed_explains_itself(
    app: BroadsheetApp, library: FakeLibrary
) -> None:
    library.failing[2] = "connection refused"
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await choose_sidebar(pilot, app, "feed:2")
        app.query_one(ArticleList).focus()
        await pilot.press("r")
        await settle(pilot)
        text = screen_text(app)
        assert "last refresh failed: connection refused" in text
        assert "Refresh failed: connection refused" in text  # the notification


async def test_add_and_remove_a_feed(app: BroadsheetApp, library: FakeLibrary) -> None:
    library.subscribable["https://blog.example"] = make_feed(7, "Example Blog")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("plus")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"https://blog.example", "enter")
        await settle(pilot)
        sidebar = app.query_one(Sidebar)
        assert sidebar.current_id == "feed:7"
        assert "Example Blog" in screen_text(app)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert [feed.id for feed in library.feeds()] == [2, 1]
        assert sidebar.current_id == "unread"


async def test_declining_unsubscribe_keeps_the_feed(
    app: BroadsheetApp, library: FakeLibrary
) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await choose_sidebar(pilot, app, "feed:1")
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("n")
        await settle(pilot)
        assert len(library.feeds()) == 2


async def test_failed_subscription_is_a_message(app: BroadsheetApp) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("plus")
        await pilot.press(*"https://nothing.example", "enter")
        await settle(pilot)
        assert "no feed found at https://nothing.example" in screen_text(app)
        assert app.is_running


async def test_theme_choice_persists_across_restart(library: FakeLibrary) -> None:
    first = make_app(library)
    async with first.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        first.theme = "newsprint"
        await settle(pilot)
    first.gateway.shutdown()
    assert library.get_state("theme") == "newsprint"
    second = make_app(library)
    async with second.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert second.theme == "newsprint"
    second.gateway.shutdown()


async def test_reading_position_and_last_article_restored(library: FakeLibrary) -> None:
    first = make_app(library)
    async with first.run_test(size=(100, 20), notifications=True) as pilot:
        await settle(pilot)
        first.query_one(ArticleList).focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("j", "j", "j", "j", "j", "j", "j")
        await pilot.pause()
        position = first.query_one(ReadingView).reading_position
        assert position > 0
        await pilot.press("q", "q")  # back to the list, then quit
        await pilot.pause()
    first.gateway.shutdown()
    assert library.article(1).reading_position == position
    second = make_app(library)
    async with second.run_test(size=(100, 20), notifications=True) as pilot:
        await settle(pilot)
        reader = second.query_one(ReadingView)
        assert reader.article is not None and reader.article.id == 1
        assert second.focused is reader
        assert reader.reading_position == position
    second.gateway.shutdown()


async def test_open_and_copy_links(app: BroadsheetApp, opener: RecordingOpener) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.query_one(ArticleList).focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert opener.opened == ["https://news.example/1"]
        assert app.clipboard == "https://news.example/1"  # no display: shown and copied
        await pilot.press("L")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("1", "enter")
        await settle(pilot)
        assert opener.opened[-1] == "https://city.example/council"
        await pilot.press("Y", "2", "enter")
        await settle(pilot)
        assert app.clipboard == "https://city.example/plan.pdf"
        await pilot.press("L", "9", "enter")
        await settle(pilot)
        assert "There is no link 9" in screen_text(app)


async def test_a_non_http_link_is_refused(library: FakeLibrary, opener: RecordingOpener) -> None:
    world = library.feed(1)
    library.add_articles([make_article(20, world, "Local file", link="file:///etc/passwd")])
    app = make_app(library, opener)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.query_one(ArticleList).focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert opener.opened == []
        assert "Only http(s) links open" in screen_text(app)
    app.gateway.shutdown()


async def test_find_in_article_and_show_removed(app: BroadsheetApp) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.query_one(ArticleList).focus()
        await pilot.press("enter")
        await settle(pilot)
        reader = app.query_one(ReadingView)
        await pilot.press("slash")
        await pilot.press(*"bridge", "enter")
        await pilot.pause()
        assert (
            reader.find_state is not None and len(reader.find_state.matches) == 3
        )  # footbridge too
        await pilot.press("enter")
        assert reader.find_state.current == 1
        await pilot.press("escape")
        assert reader.find_state is None and app.focused is reader
        assert "Subscribe now" not in screen_text(app)
        await pilot.press("x")
        await pilot.pause()
        assert "Subscribe now for unlimited access!" in screen_text(app)


async def test_help_lists_every_binding(app: BroadsheetApp) -> None:
    async with app.run_test(size=(120, 80), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-table").render())  # longer than the screen
        for section in app.help_sections():
            for binding in section.bindings:
                assert binding.id and binding.id in text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_keys_can_be_remapped_from_config(library: FakeLibrary) -> None:
    library.config.keys = {"next-unread": "N", "down": "ctrl+n"}
    app = make_app(library)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        articles.focus()
        await pilot.press("ctrl+n")
        assert articles.cursor == 1
        await pilot.press("N")
        await settle(pilot)
        assert app.query_one(ReadingView).article is not None
    app.gateway.shutdown()


async def test_command_palette_offers_every_action(app: BroadsheetApp) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for wanted in (
            "Next unread",
            "Mark all read",
            "Refresh all",
            "Add feed",
            "Unsubscribe",
            "Browser",
            "Copy URL",
            "Find",
            "Help: keys",
            "Theme",
        ):
            assert wanted in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"mark all", "enter")
        await settle(pilot)
        assert "Marked 4 articles read" in screen_text(app)


async def test_every_registered_theme_renders(app: BroadsheetApp) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.query_one(ArticleList).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert len(app.available_themes) > 10
        for name in sorted(app.available_themes):
            app.theme = name
            await pilot.pause()
            assert "harbour bridge" in screen_text(app), name


async def test_empty_and_error_states_have_messages() -> None:
    empty = FakeLibrary()
    app = make_app(empty)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert "No feeds yet" in screen_text(app)
    app.gateway.shutdown()
    quiet = make_feed(1, "Quiet Feed")
    broken = make_feed(2, "Broken Feed", last_error="HTTP 500 from server")
    fresh = make_feed(3, "Fresh Feed", last_checked=None)
    library = FakeLibrary([quiet, broken, fresh])
    app = make_app(library)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert "nothing unread" in screen_text(app)
        for option_id, message in (
            ("feed:1", "This feed has no articles yet"),
            ("feed:2", "This feed failed to refresh: HTTP 500 from server"),
            ("feed:3", "has not been fetched yet"),
        ):
            await choose_sidebar(pilot, app, option_id)
            assert message in screen_text(app)
    app.gateway.shutdown()


async def test_external_writes_are_picked_up(app: BroadsheetApp, library: FakeLibrary) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        library.add_articles([make_article(30, library.feed(1), "Written by cron", hours_ago=0.1)])
        app.main_screen.check_external_changes()
        await settle(pilot)
        assert "Written by cron" in screen_text(app)


async def test_mouse_clicks_move_the_cursor_and_open(app: BroadsheetApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        await pilot.click(ArticleList, offset=(10, 2))
        await settle(pilot)
        assert articles.cursor == 2
        assert app.query_one(ReadingView).article is None
        await pilot.click(ArticleList, offset=(10, 2))
        await settle(pilot)
        assert app.query_one(ReadingView).article is not None


async def test_periodic_refresh_follows_the_config(library: FakeLibrary) -> None:
    library.config.refresh_interval = 15
    app = make_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.refresh_timer is not None
        assert app.refresh_timer._interval == 15 * 60
    app.gateway.shutdown()
    library.config.refresh_interval = 0
    app = make_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.refresh_timer is None
    app.gateway.shutdown()


def cells_showing(view: ReadingView, words: str) -> list[tuple[str, RichStyle]]:
    """(text, style) of the rendered segments that make up ``words`` on the first
    on-screen line that shows them."""
    for y in range(view.size.height):
        segments = [(s.text, s.style or RichStyle()) for s in view.render_line(y)]
        line = "".join(text for text, _ in segments)
        start = line.find(words)
        if start == -1:
            continue
        found, position = [], 0
        for text, style in segments:
            if position < start + len(words) and position + len(text) > start:
                found.append((text, style))
            position += len(text)
        return found
    raise AssertionError(f"{words!r} is not on screen")


async def test_find_matches_are_painted_with_a_background(app: BroadsheetApp) -> None:
    """Textual 8 drops backgrounds and reverse from ".class" styles inside Content:
    the reading view resolves its match styles itself."""
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.query_one(ArticleList).focus()
        await pilot.press("enter")
        await settle(pilot)
        reader = app.query_one(ReadingView)
        await pilot.press("slash")
        await pilot.press(*"bridge", "enter")
        await pilot.pause()
        assert reader.find_state is not None and reader.find_state.current == 0
        match = reader.get_component_rich_style("reading--match")
        assert match.bgcolor is not None
        surface = reader.visual_style.rich_style.bgcolor
        assert match.bgcolor != surface
        # The first "bridge" (in the body's "old harbour bridge") is current: reversed.
        current = cells_showing(reader, "old harbour bridge")
        painted = "".join(t for t, s in current if s.bgcolor == match.bgcolor and s.reverse)
        assert "bridge" in painted and "harbour" not in painted
        # "footbridge" holds another match: painted with the match background, not reversed.
        other = cells_showing(reader, "footbridge")
        painted = "".join(t for t, s in other if s.bgcolor == match.bgcolor and not s.reverse)
        assert painted.strip() == "bridge"


async def test_palette_sets_the_feeds_full_text_mode(
    app: BroadsheetApp, library: FakeLibrary
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose_sidebar(pilot, app, "feed:2")
        await pilot.press("ctrl+p")
        await pilot.press(*"full text never")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        await app.workers.wait_for_complete()
        assert library.feed(2).fulltext == "never"
        assert library.feed(1).fulltext == "auto"


async def test_u_in_the_reading_pane_undoes_mark_all_read(
    app: BroadsheetApp, library: FakeLibrary
) -> None:
    """The reading pane's U (undo a highlight delete) yields to the screen's U when no
    delete is pending: mark-all-read done while reading is undone there too."""
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await choose_sidebar(pilot, app, "feed:1")
        app.query_one(ArticleList).focus()
        await pilot.press("enter")
        await settle(pilot)
        app.query_one(ReadingView).focus()
        await pilot.press("A")
        await settle(pilot)
        assert library.count_articles(ArticleQuery(feed_id=1, unread_only=True)) == 0
        await pilot.press("U")
        await settle(pilot)
        # article 1 was opened (read) before A; A marked article 2 read; U restores it
        assert library.count_articles(ArticleQuery(feed_id=1, unread_only=True)) == 1
        assert not library.article(2).read


async def test_refresh_shows_progress_refuses_a_second_and_names_failures(
    app: BroadsheetApp, library: FakeLibrary
) -> None:
    """Issue 15 items 2-3: progress (done/total, the feed asked, errors so far) in a row
    above the list, visible (the footer used to cover it); R during a refresh says how
    far it is; the summary names the failing feeds."""
    library.failing[1] = "HTTP 500"
    library.refresh_delay = 1.0
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await pilot.pause(1.3)
        text = screen_text(app)
        assert "Refreshing 1/2 · Science Weekly · 1 error" in text
        await pilot.press("R")
        await pilot.pause(0.2)
        assert "Refresh already running (1/2)." in notices(app)
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert any("Failed: World News" in message for message in notices(app))
        assert not main_screen(app).has_class("-refreshing")


def notices(app: BroadsheetApp) -> list[str]:
    """Every notification the app has raised and not yet dropped (toasts show one line
    at a time, so the screen alone cannot show them all)."""
    return [notification.message for notification in app._notifications]
