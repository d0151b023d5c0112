"""Keys typed right after the key that opens a dialog reach the dialog.

A terminal delivers quickly typed keys as one burst (a fast typist over SSH, a
paste): ``tpolitics⏎`` arrives at once. The app hands each key to the focused
widget as it reads it, and ``t`` opens the tag prompt only once it has travelled
back up from that widget, after a look in the library: the keys behind it used
to run as commands on the screen behind the prompt (``p`` went to the previous
unread article, ``c`` opened "Rename feed", ``A`` marked everything read) and
the prompt opened empty, for an article no longer shown. Here each dialog key
and what follows it are queued as one burst before the app handles any.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from textual import events
from textual.keys import _character_to_key
from textual.pilot import Pilot

from reader.core import ArticleQuery, Library
from reader.core.annotations import Annotations
from reader.ui.app import BroadsheetApp
from reader.ui.screens.dialogs import PromptScreen
from reader.ui.screens.note_editor import NoteEditor
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.reading_view import ReadingView
from reader.ui.widgets.sidebar import Sidebar, feed_option_id

from .conftest import SIZE, settle
from .library_fixtures import article_id, make_real_app, real_library
from .test_library_ui import open_article

Reader = tuple[BroadsheetApp, Library]


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Reader]:
    """The app over a small real library (one feed, three stories)."""
    library = real_library(tmp_path)
    app = make_real_app(library)
    yield app, library
    app.gateway.shutdown()
    library.close()


def burst(pilot: Pilot, *keys: str) -> None:
    """Queue ``keys`` (names, or single characters) before the app handles any."""
    for key in keys:
        character = key if len(key) == 1 else None
        if key == "space":
            character = " "
        name = key if len(key) > 1 or key.isalnum() else _character_to_key(key)
        event = events.Key(name, character)
        event.set_sender(pilot.app)
        pilot.app.post_message(event)


def typed(text: str) -> list[str]:
    return ["space" if character == " " else character for character in text]


async def all_done(pilot: Pilot) -> None:
    """Every key handled, every worker it started finished, and the screen settled."""
    await settle(pilot)
    await pilot.app.workers.wait_for_complete()
    await settle(pilot)


def unread(library: Library) -> int:
    return library.count_articles(ArticleQuery(unread_only=True))


@contextlib.asynccontextmanager
async def glacier_open(reader: Reader) -> AsyncIterator[tuple[BroadsheetApp, Library, Pilot, int]]:
    """The app running with the Glacier story open in the focused reading pane."""
    app, library = reader
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        story = await open_article(pilot, app, library, "Glacier")
        yield app, library, pilot, story


async def test_tags_typed_right_after_t_tag_the_open_article(reader: Reader) -> None:
    async with glacier_open(reader) as (app, library, pilot, story):
        before = unread(library)
        burst(pilot, "t", *typed("politics, cold"), "enter")
        await all_done(pilot)
        assert app.screen is app.main_screen
        assert {tag.casefold() for tag in library.article(story).tags} == {"politics", "cold"}
        pane = app.query_one(ReadingView)
        assert pane.article is not None and pane.article.id == story  # p, n moved nothing
        assert unread(library) == before
        assert {feed.title for feed in library.feeds()} == {"The Desk"}  # c renamed nothing


async def test_a_note_typed_right_after_n_is_the_note(reader: Reader) -> None:
    async with glacier_open(reader) as (app, library, pilot, story):
        before = unread(library)
        burst(pilot, "N", *typed("Also read the council report"), "ctrl+s")
        await all_done(pilot)
        assert not isinstance(app.screen, NoteEditor)
        note = Annotations(library).article_note(story)
        assert note is not None and note.note == "Also read the council report"
        assert unread(library) == before  # A (mark all read) never ran


async def test_a_note_typed_right_after_a_on_a_selection_is_the_note(reader: Reader) -> None:
    async with glacier_open(reader) as (app, library, pilot, story):
        burst(pilot, "v", "w", "a", *typed("Good lede"), "ctrl+s")
        await all_done(pilot)
        assert not isinstance(app.screen, NoteEditor)
        [item] = Annotations(library).for_article(story)
        assert item.note == "Good lede"


async def test_a_title_typed_right_after_c_renames_the_feed(reader: Reader) -> None:
    app, library = reader
    [feed] = library.feeds()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.query_one(Sidebar).select_id(feed_option_id(feed.id))
        app.query_one(Sidebar).focus()
        await settle(pilot)
        burst(pilot, "c", *typed(" at dawn"), "enter")
        await all_done(pilot)
        assert not isinstance(app.screen, PromptScreen)
        assert library.feed(feed.id).title == "The Desk at dawn"


async def test_a_query_typed_right_after_slash_is_searched(reader: Reader) -> None:
    app, library = reader
    from reader.ui.screens.search import SearchScreen

    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.query_one(ArticleList).focus()
        await settle(pilot)
        burst(pilot, "slash", *typed("compiler"))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        burst(pilot, "enter")
        await all_done(pilot)
        assert screen.searched == "compiler"
        pane = app.query_one(ReadingView)
        assert pane.article is not None and pane.article.id == article_id(library, "Compiler")


async def test_a_folder_typed_right_after_e_gets_the_export(
    reader: Reader, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    async with glacier_open(reader) as (app, _library, pilot, _story):
        burst(pilot, "e", *typed("-now"), "enter")
        await all_done(pilot)
        assert app.screen is app.main_screen
        folder = tmp_path / "home" / "Broadsheet-now"
        assert folder.is_dir() and len(list(folder.iterdir())) == 2


async def test_keys_typed_right_after_enter_or_ctrl_s_go_to_the_screen_behind(
    reader: Reader,
) -> None:
    """``tpolitics⏎n`` tagged the article "politicsn", ``Nnote^Sn`` saved "noten":
    the keys after the one closing the dialog reached its field before it closed.
    They belong to the screen behind it: n opens the next unread article."""
    async with glacier_open(reader) as (app, library, pilot, story):
        burst(pilot, "t", *typed("politics"), "enter", "n")
        await all_done(pilot)
        assert library.article(story).tags == ("politics",)
        pane = app.query_one(ReadingView)
        assert pane.article is not None and pane.article.title.startswith("Compiler")
        compiler = pane.article.id
        burst(pilot, "N", *typed("note"), "ctrl+s", "n")
        await all_done(pilot)
        note = Annotations(library).article_note(compiler)
        assert note is not None and note.note == "note"
        assert pane.article is not None and pane.article.title.startswith("Budget")
