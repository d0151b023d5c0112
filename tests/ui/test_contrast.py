"""Every registered theme keeps the text of our panes and dialogs readable (WCAG contrast).

The colours are not recomputed here: each screen is mounted, each theme is made
current, and the terminal output (the compositor's segments, with their resolved
foreground and background) is measured cell by cell inside the widgets under
test. Text needs 4.5:1 against what is behind it; struck-through "removed"
passages, which are meant to recede, need 3:1. Decoration (box-drawing and
block characters: rules, borders, scrollbars) is not text and is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from rich.segment import Segment
from textual.app import App
from textual.color import Color
from textual.geometry import Region
from textual.pilot import Pilot
from textual.theme import BUILTIN_THEMES
from textual.widget import Widget

from reader.core import Library
from reader.ui.app import BroadsheetApp
from reader.ui.themes import bundled_themes
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.reading_view import ReadingView

from .conftest import make_app, settle
from .fakes import FakeLibrary, make_article, make_feed, sample_story

# ANSI themes paint with the terminal's own palette: their colours are not ours to measure.
THEMES = sorted(
    name
    for name, theme in (BUILTIN_THEMES | {t.name: t for t in bundled_themes()[0]}).items()
    if not theme.ansi
)
TEXT_MINIMUM = 4.5
RECEDING_MINIMUM = 3.0  # struck-through removed text


def luminance(colour: Color) -> float:
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = colour.rgb
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(one: Color, other: Color) -> float:
    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def is_decoration(character: str) -> bool:
    return character.isspace() or 0x2500 <= ord(character) <= 0x259F


def segments_in(app: App[None], region: Region) -> Iterator[Segment]:
    """The terminal's segments inside ``region`` of the current screen."""
    strips = app.screen._compositor.render_strips()
    for y in range(region.y, region.bottom):
        if 0 <= y < len(strips):
            yield from strips[y].crop(region.x, region.right)


def problems_in(app: App[None], widget: Widget, theme: str) -> list[str]:
    found: list[str] = []
    for segment in segments_in(app, widget.region):
        text = "".join(ch for ch in segment.text if not is_decoration(ch))
        if not text:
            continue
        style = segment.style
        assert style is not None and style.color is not None and style.bgcolor is not None, text
        foreground = Color.from_rich_color(style.color)
        background = Color.from_rich_color(style.bgcolor)
        if style.reverse:
            foreground, background = background, foreground
        if style.dim:  # a terminal dims by about half toward the background
            foreground = background.blend(foreground, 0.5)
        ratio = contrast(foreground, background)
        minimum = RECEDING_MINIMUM if style.strike else TEXT_MINIMUM
        if ratio < minimum:
            name = widget.id or type(widget).__name__
            found.append(f"{theme} {name}: {text[:30]!r} {ratio:.2f} < {minimum}")
    return found


def styled_library() -> FakeLibrary:
    """Every list and sidebar style: unread, read, saved; a feed in error; a tag."""
    world = make_feed(1, "World News")
    broken = make_feed(2, "Broken Feed", last_error="HTTP 500")
    story = replace(sample_story(world, 1), saved=True, tags=("harbour",))
    articles = [
        story,
        make_article(2, world, "Markets steady after rate decision", hours_ago=3),
        make_article(3, world, "Storm warning for the coast", hours_ago=26, read=True),
        make_article(4, broken, "A new moon for Saturn", hours_ago=2, saved=True),
    ]
    library = FakeLibrary([world, broken], articles)
    return library


async def each_theme(app: BroadsheetApp, pilot: Pilot, widgets: list[Widget]) -> list[str]:
    found: list[str] = []
    for theme in THEMES:
        app.theme = theme
        await pilot.pause()
        for widget in widgets:
            found += problems_in(app, widget, theme)
    return found


@pytest.fixture
def styled_app() -> Iterator[BroadsheetApp]:
    app = make_app(styled_library())
    yield app
    app.gateway.shutdown()


def test_theme_list_covers_builtins_and_ours() -> None:
    assert {"newsprint", "broadsheet-dark", "textual-light", "solarized-light"} <= set(THEMES)
    assert len(THEMES) >= 15


async def test_reading_view_list_and_sidebar_are_readable_in_every_theme(
    styled_app: BroadsheetApp,
) -> None:
    app = styled_app
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.query_one(ArticleList).focus()
        await pilot.press("enter")  # the saved, tagged sample story
        await settle(pilot)
        await pilot.press("x")  # removed passages shown
        await settle(pilot)
        await pilot.press("shift+tab")  # back to the list: sidebar, list and article all show
        await settle(pilot)
        reader = app.query_one(ReadingView)
        assert reader.article is not None and reader.find("bridge")
        await pilot.pause()
        widgets: list[Widget] = [
            reader,
            app.query_one(ArticleList),
            app.query_one("#sidebar"),
            app.query_one("#list-header"),
        ]
        assert all(widget.region.area for widget in widgets)
        assert await each_theme(app, pilot, widgets) == []


async def test_dialogs_are_readable_in_every_theme(styled_app: BroadsheetApp) -> None:
    from reader.ui.screens.dialogs import ConfirmScreen, PromptScreen

    app = styled_app
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(ConfirmScreen("Unsubscribe", "Its articles go too."))
        await settle(pilot)
        found = await each_theme(app, pilot, [app.screen.query_one(".dialog")])
        app.pop_screen()
        app.push_screen(PromptScreen("Add a feed", placeholder="https://", hint="A hint."))
        await settle(pilot)
        found += await each_theme(app, pilot, [app.screen.query_one(".dialog")])
        app.pop_screen()
        await pilot.press("question_mark")
        await settle(pilot)
        found += await each_theme(app, pilot, list(app.screen.children))
        assert found == []


@pytest.fixture
def annotated_library(tmp_path: Path) -> Iterator[Library]:
    from .library_fixtures import real_library

    library = real_library(tmp_path)
    yield library
    library.close()


async def test_highlights_notes_search_and_focused_sidebar_in_every_theme(
    annotated_library: Library,
) -> None:
    from reader.core.annotations import Annotations
    from reader.ui.screens.search import SearchScreen

    from .library_fixtures import article_id, make_real_app

    library = annotated_library
    story = article_id(library, "Glacier")
    text = library.article(story).text
    notes = Annotations(library)
    start = text.index("glacier retreat")
    notes.highlight(story, start, start + len("glacier retreat"), note="Check the survey.")
    notes.highlight(story, text.index("The ice"), text.index("The ice") + 7)
    notes.set_article_note(story, "A note on the whole article.")
    app = make_real_app(library)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            app.main_screen.open_article(story, focus=True)
            await settle(pilot)
            reader = app.query_one(ReadingView)
            found = await each_theme(app, pilot, [reader])
            await pilot.press("shift+tab", "shift+tab")  # the sidebar, focused
            await settle(pilot)
            assert app.focused is app.query_one("#sidebar")
            found += await each_theme(app, pilot, [app.query_one("#sidebar")])
            await pilot.press("H")
            await settle(pilot)
            found += await each_theme(app, pilot, list(app.screen.children))
            app.pop_screen()
            await settle(pilot)
            app.push_screen(SearchScreen(app.gateway, query="glacier"))
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            found += await each_theme(app, pilot, list(app.screen.children))
            assert found == [], "\n".join(sorted(set(found)))
    finally:
        app.gateway.shutdown()
