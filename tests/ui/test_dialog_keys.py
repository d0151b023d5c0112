"""Keys typed before a dialog is confirmed all reach it (issue 12, item 3).

A terminal delivers a quickly typed line as one burst: every key of it is
queued before the app handles the first. A binding the app handles as the key
arrives (a priority binding, such as the note editor's Ctrl+S) used to run
before the text widget had taken the keys queued ahead of it, and the end of
the note was lost. Each text dialog is typed into here as one burst (all key
events queued at once, like a terminal's read) and through ``pilot.press``
with no pauses, 20 times each, and what was saved is compared character by
character.
"""

from __future__ import annotations

import os
import random
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from textual import events
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.widgets import Input

from reader.core import Library
from reader.core.annotations import Annotations
from reader.ui.app import BroadsheetApp
from reader.ui.screens.dialogs import PromptScreen
from reader.ui.screens.export_prompt import ExportPrompt
from reader.ui.screens.note_editor import NoteEditor
from reader.ui.screens.search import SearchScreen
from reader.ui.screens.tag_prompt import TagPrompt
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.reading_view import ReadingView
from reader.ui.widgets.sidebar import Sidebar, feed_option_id

from .conftest import SIZE
from .conftest import settle as settle_once
from .library_fixtures import article_id, make_real_app, real_library

RUNS = int(os.environ.get("DIALOG_RUNS", "20"))
# pilot.press waits for the screen to settle after every key (~50 ms a key on a
# busy machine): 3 such runs per dialog by default, DIALOG_PRESS_RUNS=20 for all.
PRESS_RUNS = int(os.environ.get("DIALOG_PRESS_RUNS", "3"))
LENGTH = 200
WORDS = [
    "glacier",
    "retreat",
    "survey",
    "ice",
    "summer",
    "Alps",
    "metre",
    "season",
    "thickness",
    "Teams",
    "measured",
    "quick",
    "brown",
    "fox",
    "Jumps",
    "over",
    "lazy",
    "dogs",
    "2025",
    "council",
    "budget",
    "spring",
    "vote",
]


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


async def settle(pilot: Pilot) -> None:
    """Wait for the app to be idle; an exclusive worker replaced meanwhile is no failure."""
    from textual.worker import WorkerCancelled

    for _ in range(5):
        try:
            await settle_once(pilot)
            return
        except WorkerCancelled:
            continue
    await settle_once(pilot)


def words_text(rng: random.Random, length: int, *, punctuation: bool = True) -> str:
    """``length`` characters of words, single spaces and (optionally) punctuation."""
    text = ""
    while len(text) < length:
        word = rng.choice(WORDS)
        if punctuation and rng.random() < 0.3:
            word += rng.choice(".,;:!?'\"()-/&%")
        text = f"{text} {word}" if text else word
    text = text[:length]
    while text[-1] == " ":  # trailing spaces are trimmed by every store: end on a letter
        text = text[:-1] + "z"
    return text


def key_name(character: str) -> str:
    if character == "\n":
        return "enter"
    return character if character.isalnum() else _character_to_key(character)


def key_event(app: BroadsheetApp, key: str, character: str | None) -> events.Key:
    event = events.Key(key, character)
    event.set_sender(app)
    return event


async def type_burst(pilot: Pilot, text: str, confirm: str) -> None:
    """Queue every key of ``text`` and then ``confirm`` before the app handles any,
    as a terminal does with a burst it read at once."""
    app = pilot.app
    assert isinstance(app, BroadsheetApp)
    for character in text:
        app.post_message(key_event(app, key_name(character), character))
    app.post_message(key_event(app, confirm, None))
    await settle(pilot)


async def type_pressed(pilot: Pilot, text: str, confirm: str) -> None:
    """The same keys through ``pilot.press``, in one call (no pauses)."""
    await pilot.press(*[key_name(character) for character in text], confirm)
    await settle(pilot)


Typist = Callable[[Pilot, str, str], Awaitable[None]]
TYPISTS: list[tuple[str, Typist]] = [("burst", type_burst), ("press", type_pressed)]


def runs(mode: str) -> range:
    return range(RUNS if mode == "burst" else PRESS_RUNS)


async def open_article(pilot: Pilot, app: BroadsheetApp, library: Library, word: str) -> int:
    wanted = article_id(library, word)
    articles = app.query_one(ArticleList)
    articles.focus()
    position = library.article_position(articles.query_, wanted)
    assert position is not None
    articles.move_to(position)
    await pilot.press("enter")
    await settle(pilot)
    assert app.query_one(ReadingView).article is not None
    return wanted


async def open_dialog(pilot: Pilot, key: str, kind: type) -> None:
    await pilot.press(key)
    await settle(pilot)
    assert isinstance(pilot.app.screen, kind), pilot.app.screen


def lost(expected: str, saved: str | None) -> str:
    saved = saved or ""
    return f"saved {len(saved)} of {len(expected)} characters: ...{saved[-30:]!r}"


@pytest.mark.slow
@pytest.mark.parametrize(("mode", "typist"), TYPISTS, ids=[name for name, _ in TYPISTS])
async def test_every_key_typed_before_ctrl_s_is_in_the_note(
    app: BroadsheetApp, library: Library, mode: str, typist: Typist
) -> None:
    rng = random.Random(f"note-{mode}")
    annotations = Annotations(library)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        story = await open_article(pilot, app, library, "Glacier")
        for run in runs(mode):
            text = words_text(rng, LENGTH)
            if run % 2:  # a note of several lines too
                cut = text.index(" ", 40)
                text = text[:cut] + "\n" + text[cut + 1 :]
            await open_dialog(pilot, "N", NoteEditor)
            editor = app.screen
            assert isinstance(editor, NoteEditor)
            prefill = editor.text_area.text  # the note so far: typing adds to its end
            await typist(pilot, text, "ctrl+s")
            assert not isinstance(app.screen, NoteEditor)
            note = annotations.article_note(story)
            saved = note.note if note is not None else None
            assert saved == prefill + text, f"run {run}: {lost(prefill + text, saved)}"


@pytest.mark.slow
@pytest.mark.parametrize(("mode", "typist"), TYPISTS, ids=[name for name, _ in TYPISTS])
async def test_every_key_typed_before_enter_reaches_the_tag_prompt(
    app: BroadsheetApp, library: Library, mode: str, typist: Typist
) -> None:
    rng = random.Random(f"tag-{mode}")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        story = await open_article(pilot, app, library, "Glacier")
        for run in runs(mode):
            names: list[str] = []
            while len(", ".join(names)) < LENGTH:
                names.append(f"r{run}-{rng.choice(WORDS).lower()}{len(names)}")
            text = ", ".join(names)[:LENGTH].rstrip(", -")
            expected = {name.strip() for name in text.split(",")}
            await open_dialog(pilot, "t", TagPrompt)
            await typist(pilot, text, "enter")
            assert not isinstance(app.screen, TagPrompt)
            tags = {tag.casefold() for tag in library.article(story).tags}
            assert expected <= tags, f"run {run}: missing {sorted(expected - tags)}"


@pytest.mark.slow
@pytest.mark.parametrize(("mode", "typist"), TYPISTS, ids=[name for name, _ in TYPISTS])
async def test_every_key_typed_before_enter_renames_the_feed(
    app: BroadsheetApp, library: Library, mode: str, typist: Typist
) -> None:
    rng = random.Random(f"rename-{mode}")
    [feed] = library.feeds()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        sidebar = app.query_one(Sidebar)
        for run in runs(mode):
            library.rename_feed(feed.id, "")  # back to the feed's own title
            app.main_screen.check_external_changes()
            await settle(pilot)
            sidebar.focus()
            sidebar.select_id(feed_option_id(feed.id))
            await settle(pilot)
            text = " " + words_text(rng, LENGTH - 1, punctuation=False)
            await open_dialog(pilot, "c", PromptScreen)
            prefill = app.screen.query_one(Input).value
            assert prefill == "The Desk"
            await typist(pilot, text, "enter")
            assert not isinstance(app.screen, PromptScreen)
            title = library.feed(feed.id).title
            assert title == prefill + text, f"run {run}: {lost(prefill + text, title)}"


@pytest.mark.slow
@pytest.mark.parametrize(("mode", "typist"), TYPISTS, ids=[name for name, _ in TYPISTS])
async def test_every_key_typed_before_enter_reaches_add_feed(
    app: BroadsheetApp, library: Library, tmp_path: Path, mode: str, typist: Typist
) -> None:
    from .library_fixtures import rss

    feed_xml = rss([("one", "One story", "Body text.", "Tue, 03 Jun 2025 08:00:00 GMT")], "Extra")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        for run in runs(mode):
            stem = str(tmp_path / f"feed-{mode}-{run:02d}-")
            path = Path(stem + "x" * (LENGTH - len(stem) - 4) + ".xml")
            assert len(str(path)) == LENGTH
            path.write_bytes(feed_xml)
            app.query_one(ArticleList).focus()
            await open_dialog(pilot, "plus", PromptScreen)
            await typist(pilot, str(path), "enter")
            assert not isinstance(app.screen, PromptScreen)
            await app.workers.wait_for_complete()
            await settle(pilot)
            urls = [feed.url for feed in library.feeds()]
            assert any(url.endswith(path.name) for url in urls), f"run {run}: {urls}"


@pytest.mark.slow
@pytest.mark.parametrize(("mode", "typist"), TYPISTS, ids=[name for name, _ in TYPISTS])
async def test_every_key_typed_before_enter_is_searched(
    app: BroadsheetApp, library: Library, mode: str, typist: Typist
) -> None:
    rng = random.Random(f"search-{mode}")
    glacier = article_id(library, "Glacier")
    words = [
        "glacier",
        "retreat",
        "survey",
        "teams",
        "measured",
        "alps",
        "summer",
        "ice",
        "metre",
        "thickness",
        "season",
    ]
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        reader = app.query_one(ReadingView)
        for run in runs(mode):
            query = rng.choice(words)
            while len(query) + 10 < LENGTH:
                query += " " + rng.choice(words)
            first, rest = query.split(" ", 1)  # pad to the length with spaces between words
            query = first + " " * (LENGTH - len(query)) + " " + rest
            assert len(query) == LENGTH
            reader.show(None)
            app.query_one(ArticleList).focus()
            await open_dialog(pilot, "slash", SearchScreen)
            screen = app.screen
            assert isinstance(screen, SearchScreen)
            await typist(pilot, query, "enter")
            assert not isinstance(app.screen, SearchScreen), f"run {run}: Enter opened nothing"
            assert screen.searched == query, f"run {run}: {lost(query, screen.searched)}"
            assert reader.article is not None and reader.article.id == glacier


@pytest.mark.slow
@pytest.mark.parametrize(("mode", "typist"), TYPISTS, ids=[name for name, _ in TYPISTS])
async def test_every_key_typed_before_enter_is_the_export_folder(
    app: BroadsheetApp,
    library: Library,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    typist: Typist,
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)  # were the typed path taken as relative, it lands here
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await open_article(pilot, app, library, "Glacier")
        for run in runs(mode):
            await open_dialog(pilot, "e", ExportPrompt)
            prefill = app.screen.query_one(Input).value
            head = f"-{mode}-{run:02d}/"
            text = head + "/".join(["d" * 49] * 4)
            text = text[:LENGTH]
            await typist(pilot, text, "enter")
            assert not isinstance(app.screen, ExportPrompt)
            folder = Path(prefill + text).expanduser()
            assert folder.is_dir() and len(list(folder.iterdir())) == 2, (
                f"run {run}: nothing in {folder}"
            )


# -- prefilled dialogs put the cursor at the end (issue 15, item 15) -------------------


async def test_prefilled_dialogs_append_what_is_typed(
    app: BroadsheetApp, library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    [feed] = library.feeds()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        sidebar = app.query_one(Sidebar)
        sidebar.focus()
        sidebar.select_id(feed_option_id(feed.id))
        await settle(pilot)
        await open_dialog(pilot, "c", PromptScreen)
        field = app.screen.query_one(Input)
        assert field.value == "The Desk"
        assert field.selection.is_empty and field.cursor_position == len("The Desk")
        await pilot.press("space", "2")
        assert field.value == "The Desk 2"
        await pilot.press("enter")
        await settle(pilot)
        assert library.feed(feed.id).title == "The Desk 2"

        await open_article(pilot, app, library, "Glacier")
        await open_dialog(pilot, "e", ExportPrompt)
        field = app.screen.query_one(Input)
        assert field.value == "~/Broadsheet"
        assert field.selection.is_empty and field.cursor_position == len("~/Broadsheet")
        await pilot.press("minus", "x")
        assert field.value == "~/Broadsheet-x"
        await pilot.press("escape")
        await settle(pilot)


async def test_a_search_started_with_a_query_appends_what_is_typed(
    app: BroadsheetApp,
) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await app.push_screen(SearchScreen(app.gateway, query="glacier"))
        await settle(pilot)
        field = app.screen.query_one(Input)
        assert field.selection.is_empty and field.cursor_position == len("glacier")
        await pilot.press("space", "f", "u", "n", "d")
        assert field.value == "glacier fund"


# -- $EDITOR (issue 12, item 4) ---------------------------------------------------------


async def test_external_editor_text_is_not_glued_to_the_note(
    app: BroadsheetApp, library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import contextlib

    script = tmp_path / "append-editor"
    script.write_text("#!/bin/sh\nprintf 'Line appended\\n' >> \"$1\"\n")
    script.chmod(0o755)
    untouched = tmp_path / "untouched-editor"
    untouched.write_text("#!/bin/sh\nexit 0\n")
    untouched.chmod(0o755)
    monkeypatch.setattr(app, "suspend", contextlib.nullcontext)  # headless: nothing to hand over
    annotations = Annotations(library)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        story = await open_article(pilot, app, library, "Glacier")
        await open_dialog(pilot, "N", NoteEditor)
        await pilot.press("e", "n", "d", "1")
        monkeypatch.setenv("EDITOR", str(script))
        await pilot.press("ctrl+e")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, NoteEditor)
        assert editor.text_area.text == "end1\nLine appended"
        monkeypatch.setenv("EDITOR", str(untouched))  # saved unchanged: nothing added or lost
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert editor.text_area.text == "end1\nLine appended"
        await pilot.press("ctrl+s")
        await settle(pilot)
        note = annotations.article_note(story)
        assert note is not None and note.note == "end1\nLine appended"
