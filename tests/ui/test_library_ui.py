"""Tags, saving, search and export in the app, driven by keyboard through Pilot.

These run against a real SQLite library (search and tag counts need it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Label

from reader.core import ArticleQuery, Library
from reader.ui.app import BroadsheetApp
from reader.ui.screens.export_prompt import ExportPrompt
from reader.ui.screens.search import SearchResults, SearchScreen, snippet_content
from reader.ui.screens.tag_prompt import TagPrompt, matching_tags, parse_tag_input
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.reading_view import ReadingView
from reader.ui.widgets.sidebar import UNREAD_ID, Sidebar, feed_option_id, tag_option_id

from .conftest import SIZE, screen_text, settle
from .library_fixtures import article_id, make_real_app, real_library


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = real_library(tmp_path)
    yield lib
    lib.close()


@pytest.fixture
def app(library: Library) -> Iterator[BroadsheetApp]:
    application = make_real_app(library)
    yield application
    application.gateway.shutdown()


async def open_article(pilot: Pilot, app: BroadsheetApp, library: Library, word: str) -> int:
    """Put the list's cursor on the article titled with ``word`` and press Enter."""
    wanted = article_id(library, word)
    articles = app.query_one(ArticleList)
    articles.focus()
    position = library.article_position(articles.query_, wanted)
    assert position is not None
    articles.move_to(position)
    await pilot.press("enter")
    await settle(pilot)
    reader = app.query_one(ReadingView)
    assert reader.article is not None and reader.article.id == wanted
    assert app.focused is reader
    return wanted


async def search_for(pilot: Pilot, app: BroadsheetApp, text: str) -> SearchScreen:
    screen = app.screen
    assert isinstance(screen, SearchScreen)
    screen.query_one("#search-input", Input).value = text
    await settle(pilot)
    assert screen.searched == text
    return screen


def errors_shown(app: BroadsheetApp) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def test_tag_filter_save_search_and_open(app: BroadsheetApp, library: Library) -> None:
    """The issue's acceptance path, all by keyboard."""
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        glacier = await open_article(pilot, app, library, "Glacier")

        # Tag it from the reading view.
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TagPrompt)
        await pilot.press(*"climate", "enter")
        await settle(pilot)
        assert library.article(glacier).tags == ("climate",)
        assert "Tagged climate." in screen_text(app)

        # The sidebar lists the tag with its unread count (as for feeds: the tagged
        # article is open, so read); choosing it filters the list.
        sidebar = app.query_one(Sidebar)
        assert sidebar.tags == [("climate", 0)]
        sidebar.focus()
        sidebar.select_id(tag_option_id("climate"))
        await settle(pilot)
        articles = app.query_one(ArticleList)
        assert articles.query_ == ArticleQuery(tag="climate")
        assert articles.row_count == 1
        assert articles.current is not None and articles.current.id == glacier
        assert "Tag: climate" in screen_text(app)

        # Save it from the list: the row shows the saved marker, Saved counts it.
        articles.focus()
        await pilot.press("s")
        await settle(pilot)
        assert library.article(glacier).saved
        assert "★ " in screen_text(app)
        assert sidebar.counts.saved == 1
        assert library.count_articles(ArticleQuery(saved_only=True)) == 1

        # Search for a phrase in its text and open it from the results.
        await pilot.press("slash")
        await settle(pilot)
        screen = await search_for(pilot, app, '"ice lost more"')
        assert [hit.article.id for hit in screen.hits] == [glacier]
        assert "Glacier retreat speeds up" in screen_text(app)
        assert "The Desk" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, SearchScreen)
        reader = app.query_one(ReadingView)
        assert reader.article is not None and reader.article.id == glacier
        assert app.focused is reader


async def test_untag_with_a_minus_and_tag_view_updates(
    app: BroadsheetApp, library: Library
) -> None:
    glacier = article_id(library, "Glacier")
    library.tag_article(glacier, ["climate", "alps"])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        sidebar = app.query_one(Sidebar)
        assert sidebar.tags == [("alps", 1), ("climate", 1)]
        sidebar.focus()
        sidebar.select_id(tag_option_id("alps"))
        await settle(pilot)
        app.query_one(ArticleList).focus()
        await pilot.press("t")
        await settle(pilot)
        prompt = app.screen
        assert isinstance(prompt, TagPrompt)
        assert "Current: alps, climate" in screen_text(app)
        await pilot.press(*"-alps", "enter")
        await settle(pilot)
        assert library.article(glacier).tags == ("climate",)
        assert sidebar.tags == [("climate", 1)]


async def test_tag_prompt_completes_existing_tags(app: BroadsheetApp, library: Library) -> None:
    library.tag_article(article_id(library, "Glacier"), ["climate"])
    library.tag_article(article_id(library, "Budget"), ["council"])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        compiler = await open_article(pilot, app, library, "Compiler")
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TagPrompt)
        assert "No tags yet." in screen_text(app)
        await pilot.press("c", "l")
        await settle(pilot)
        field = app.screen.query_one("#tag-input", Input)
        assert field._suggestion == "climate"
        assert "Matching: climate (1)" in screen_text(app)
        await pilot.press("right")  # accept the completion
        assert field.value == "climate"
        await pilot.press(*", cou")
        await settle(pilot)
        assert field._suggestion == "climate, council"
        await pilot.press("right", "enter")
        await settle(pilot)
        assert library.article(compiler).tags == ("climate", "council")


def test_tag_input_parsing_and_matching() -> None:
    change = parse_tag_input(" climate, -draft ,long read,, climate, - ")
    assert change.add == ("climate", "long read")
    assert change.remove == ("draft",)
    assert not parse_tag_input(" , ")
    assert matching_tags(["Climate", "acclimate", "council"], "cli") == ["Climate", "acclimate"]


async def test_save_toggles_from_the_reading_view(app: BroadsheetApp, library: Library) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        budget = await open_article(pilot, app, library, "Budget")
        await pilot.press("s")
        await settle(pilot)
        assert library.article(budget).saved
        reader = app.query_one(ReadingView)
        assert reader.article is not None and reader.article.saved
        await pilot.press("s")
        await settle(pilot)
        assert not library.article(budget).saved
        assert "Unsaved." in screen_text(app)
        assert app.query_one(Sidebar).counts.saved == 0


async def test_slash_in_the_reading_pane_still_finds(app: BroadsheetApp, library: Library) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await open_article(pilot, app, library, "Glacier")
        await pilot.press("slash")
        await settle(pilot)
        assert not isinstance(app.screen, SearchScreen)
        assert app.focused is not None and app.focused.id == "find"
        # From the sidebar, / searches.
        await pilot.press("escape")
        app.query_one(Sidebar).focus()
        await pilot.press("slash")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, SearchScreen)


@pytest.mark.parametrize(
    "text",
    ["C++", '"', "*", '"unbalanced phrase', "tag:", "x" * 10_000, "glacier " * 1_250, "-"],
)
async def test_hostile_search_input_shows_no_error(
    app: BroadsheetApp, library: Library, text: str
) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.query_one(ArticleList).focus()
        await pilot.press("slash")
        await settle(pilot)
        screen = await search_for(pilot, app, text)
        assert errors_shown(app) == []
        assert isinstance(app.screen, SearchScreen)
        status = str(screen.query_one("#search-status", Label).content)
        assert "result" in status
        if text == "C++":
            titles = [hit.article.title for hit in screen.hits]
            assert titles == ["Compiler release adds C++ modules"]
        if len(text) > 2000:
            problems = str(screen.query_one("#search-problems", Label).content)
            assert problems.startswith("query cut to ")


async def test_search_order_toggles_and_marks_are_styled(
    app: BroadsheetApp, library: Library
) -> None:
    # "newest" orders by publication date: make the story that matches "glacier" least
    # (once, in passing) the newest, so the two orders differ and the toggle shows.
    budget = article_id(library, "Budget")
    library.db.connection().execute(
        "UPDATE articles SET published = published + 7 * 86400,"
        " sort_time = sort_time + 7 * 86400 WHERE id = ?",
        (budget,),
    )
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.query_one(ArticleList).focus()
        await pilot.press("slash")
        await settle(pilot)
        screen = await search_for(pilot, app, "glacier")
        assert screen.order == "best"
        assert {hit.article.title for hit in screen.hits} == {
            "Glacier retreat speeds up",
            "Budget vote delayed [/] again",
        }
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert screen.order == "newest"
        # The screen shows the library's own "newest" order.
        newest = [hit.article.id for hit in library.search("glacier", order="newest")]
        best = [hit.article.id for hit in library.search("glacier", order="best")]
        assert newest != best  # so the toggle is visible in this library
        assert [hit.article.id for hit in screen.hits] == newest
        assert "newest first" in screen_text(app)
        assert "Budget vote delayed [/] again" in screen_text(app)  # markup-looking text, plain
        # Each marked span of a snippet is styled with the results' mark class.
        hit = screen.hits[1]
        content = snippet_content(hit.snippet, hit.marks)
        marked = [content.plain[span.start : span.end] for span in content.spans]
        assert marked == ["glacier"]
        # The order is remembered for the next search.
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen) and app.screen.order == "newest"
        assert isinstance(app.screen.query_one(SearchResults), SearchResults)


async def test_export_open_article_to_a_folder(
    app: BroadsheetApp, library: Library, tmp_path: Path
) -> None:
    out = tmp_path / "exported"
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        glacier = await open_article(pilot, app, library, "Glacier")
        await pilot.press("e")
        await settle(pilot)
        prompt = app.screen
        assert isinstance(prompt, ExportPrompt)
        field = prompt.query_one(Input)
        assert field.value == "~/Broadsheet"  # no auto-export folder configured
        field.value = str(out)
        await pilot.press("enter")
        await settle(pilot)
        written = sorted(path.name for path in out.iterdir())
        assert len(written) == 2
        assert written[0].endswith(".json") and written[1].endswith(".md")
        assert written[0][:-5] == written[1][:-3]
        assert "Glacier retreat speeds up" in (out / written[1]).read_text()
        assert "Exported 2 files" in screen_text(app)
        assert library.article(glacier).id == glacier


async def test_export_saved_articles_of_the_view(
    app: BroadsheetApp, library: Library, tmp_path: Path
) -> None:
    for word in ("Glacier", "Budget"):
        library.set_saved(article_id(library, word), True)
    out = tmp_path / "saved"
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.query_one(ArticleList).focus()
        await pilot.press("E")
        await settle(pilot)
        assert isinstance(app.screen, ExportPrompt)
        app.screen.query_one(Input).value = str(out)
        await pilot.press("enter")
        await settle(pilot)
        names = sorted(path.name for path in out.iterdir())
        assert len(names) == 4
        assert sum(name.endswith(".md") for name in names) == 2
        assert "Exported 4 files" in screen_text(app)


async def test_export_prompt_defaults_to_the_auto_export_folder(
    app: BroadsheetApp, library: Library, tmp_path: Path
) -> None:
    library.config.auto_export_dir = tmp_path / "auto"
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await open_article(pilot, app, library, "Compiler")
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportPrompt)
        assert app.screen.query_one(Input).value == str(tmp_path / "auto")
        await pilot.press("escape")
        await settle(pilot)
        assert not (tmp_path / "auto").exists()


async def test_palette_lists_the_library_commands(app: BroadsheetApp) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for title in (
            "Tag article (feed in sidebar)",
            "Save/unsave article",
            "Search library",
            "Export article",
            "Export saved in view",
        ):
            assert title in titles


async def test_palette_search_command_opens_the_search_screen(app: BroadsheetApp) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        command = next(
            c for c in app.get_system_commands(app.screen) if c.title == "Search library"
        )
        command.callback()
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)


async def test_t_in_the_sidebar_tags_the_feed(app: BroadsheetApp, library: Library) -> None:
    [feed] = library.feeds()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        sidebar = app.query_one(Sidebar)
        sidebar.focus()
        await pilot.press("g")
        while sidebar.current_feed is None:  # down from "All unread" to the feed
            await pilot.press("j")
        await settle(pilot)
        assert sidebar.current_feed is not None and sidebar.current_feed.id == feed.id
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TagPrompt)
        assert "Tags for feed The Desk" in screen_text(app)
        await pilot.press(*"longform", "enter")
        await settle(pilot)
        assert library.feed(feed.id).tags == ("longform",)
        stories = library.article_page(ArticleQuery(), 0, 50)
        assert len(stories) == 3 and all(library.article(s.id).tags == () for s in stories)
        assert "Feed “The Desk”: tagged longform." in screen_text(app)
        # The tag is listed with the feed's articles, and filters to them.
        assert sidebar.tags == [("longform", 3)]
        sidebar.select_id(tag_option_id("longform"))
        await settle(pilot)
        assert app.query_one(ArticleList).row_count == 3

        # Back on the feed, "-longform" takes it off again.
        sidebar.select_id(feed_option_id(feed.id))
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TagPrompt)
        assert "Current: longform" in screen_text(app)
        await pilot.press(*"-longform", "enter")
        await settle(pilot)
        assert library.feed(feed.id).tags == ()
        assert sidebar.tags == []

        # Elsewhere in the sidebar (All unread), t still tags the list's article.
        sidebar.select_id(UNREAD_ID)
        await settle(pilot)
        sidebar.focus()
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TagPrompt)
        current = app.query_one(ArticleList).current
        assert current is not None
        await pilot.press(*"brief", "enter")
        await settle(pilot)
        assert library.article(current.id).tags == ("brief",)
        assert library.feed(feed.id).tags == ()


async def test_unsubscribe_dialog_says_what_is_kept(app: BroadsheetApp, library: Library) -> None:
    """The dialog names what survives, and that is what survives (issue 15 item 5)."""
    from reader.core.annotations import Annotations
    from reader.ui.screens.dialogs import ConfirmScreen

    glacier, compiler, budget = (article_id(library, w) for w in ("Glacier", "Compiler", "Budget"))
    library.set_saved(glacier, True)
    text = library.article(compiler).text
    Annotations(library).highlight(compiler, 0, text.index(" "))
    library.tag_article(budget, ["council"])
    feed = library.feeds()[0]
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.query_one(Sidebar).select_id(feed_option_id(feed.id))
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        shown = " ".join(app.screen.message.plain.split())
        assert "except saved ones, tagged ones and ones with highlights or notes" in shown
        await pilot.press("y")
        await settle(pilot)
    left = {summary.id for summary in library.article_page(ArticleQuery(), 0, 50)}
    assert left == {glacier, compiler, budget}  # saved, annotated and tagged stay


def reading_header(app: BroadsheetApp) -> str:
    reader = app.query_one(ReadingView)
    assert reader.layout_ is not None
    return "\n".join(line.content.plain for line in reader.layout_.lines[:5])


async def test_reading_header_shows_saved_and_tags_live(
    app: BroadsheetApp, library: Library
) -> None:
    """Issue 15 item 11: the article's header says saved and its tags, as they change."""
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await open_article(pilot, app, library, "Glacier")
        assert "Saved" not in reading_header(app) and "#" not in reading_header(app)
        await pilot.press("s")
        await settle(pilot)
        assert "★ Saved" in reading_header(app)
        assert "★ Saved" in screen_text(app)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press(*"climate, alps", "enter")
        await settle(pilot)
        assert "★ Saved  # alps  # climate" in reading_header(app)
        await pilot.press("s")
        await settle(pilot)
        assert "Saved" not in reading_header(app)
        assert "# alps  # climate" in reading_header(app)


LONG_BODY = (
    "The glacier survey began before dawn on the northern flank, where teams measured "
    "the retreating ice against markers placed a decade ago. Every marker stood further "
    "from the ice than the year before, and the meltwater channels had widened into "
    "rivers that the surveyors crossed on ropes. By noon the numbers were clear enough "
    "to publish, though the scientists wanted another season of measurements first."
)


@pytest.fixture
def survey_library(library: Library, tmp_path: Path) -> Library:
    """The real library plus a feed with one long story."""
    from .library_fixtures import rss

    path = tmp_path / "survey.xml"
    story = [("survey", "Survey season", LONG_BODY, "Wed, 04 Jun 2025 08:00:00 GMT")]
    path.write_bytes(rss(story, "Survey Log"))
    feed = library.add_feed(str(path))
    library.set_feed_fulltext(feed.id, "never")
    library.refresh_sync()
    return library


async def test_search_snippets_wrap_indented_in_whole_words_and_bad_dates_explain(
    survey_library: Library,
) -> None:
    """Issue 15 item 13, at 80×24 and 120×35."""
    library = survey_library
    words = set(LONG_BODY.replace(".", " ").replace(",", " ").split())
    for size in ((80, 24), (120, 35)):
        app = make_real_app(library)
        try:
            async with app.run_test(size=size, notifications=True) as pilot:
                await settle(pilot)
                app.query_one(ArticleList).focus()
                await pilot.press("slash")
                await settle(pilot)
                screen = await search_for(pilot, app, "meltwater")
                results = screen.query_one(SearchResults)
                lines = [results.render_line(y).text.rstrip() for y in range(results.size.height)]
                body = [line for line in lines if line and "Survey season" not in line]
                assert len(body) >= (2 if size[0] == 80 else 1), (size, results.size, lines)
                assert all(line.startswith(" " * 4) for line in body), lines
                last = body[-1].strip()
                assert last.endswith("…")
                assert last.rstrip("…").split()[-1].strip(".,") in words, last

                await search_for(pilot, app, "meltwater before:2026-13-45")
                problems = str(screen.query_one("#search-problems", Label).content)
                assert "before:2026-13-45" in problems and "no month 13" in problems
                assert "YYYY-MM-DD" in problems and "Ignored: ignored" not in problems
        finally:
            app.gateway.shutdown()
