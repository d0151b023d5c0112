"""Highlights and notes in the reading view, driven through Pilot against a real library.

The acceptance flow (issue 6) uses the keyboard only: open the seed-shaped
sample story, select a sentence with ``v`` and motions, highlight it,
annotate another with a two-line note, tag and save the article, quit, start
again and find all of it there; then export it to Markdown.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from reader.core import Library
from reader.core.annotations import Annotations
from reader.core.export import export_articles
from reader.core.library import ArticleQuery
from reader.ui.app import BroadsheetApp
from reader.ui.motions import sentence_spans
from reader.ui.screens.note_editor import NoteEditor
from reader.ui.widgets.annotated_view import AnnotatedReadingView
from reader.ui.widgets.article_list import ArticleList

from .conftest import SIZE, make_app, screen_text, settle

SEED_TITLE = "Karvia and Ostmark agree to restore ambassadors after four-year freeze"


def open_library(root: Path) -> Library:
    return Library.open(root / "data", config_dir_path=root / "config")


@pytest.fixture
async def sample_root(tmp_path: Path) -> Path:
    """A data directory whose sample feeds (subscribed on first run) are fetched."""
    library = open_library(tmp_path)
    try:
        await library.refresh(None)
    finally:
        library.close()
    return tmp_path


def seed_story_id(library: Library) -> int:
    """The seed-shaped story: its feed text began with a 'date …' line the cleaner took out."""
    for summary in library.article_page(ArticleQuery(), 0, 500):
        article = library.article(summary.id)
        if any(removal.rule == "metadata.date" for removal in article.removed) and (
            article.title == SEED_TITLE
        ):
            return article.id
    raise AssertionError("the seed-shaped sample story is missing")


def start(library: Library) -> BroadsheetApp:
    return make_app(library)  # type: ignore[arg-type]  # the real Library, not the fake


@pytest.fixture
def library(sample_root: Path) -> Iterator[Library]:
    opened = open_library(sample_root)
    yield opened
    opened.close()


def reader_of(app: BroadsheetApp) -> AnnotatedReadingView:
    return app.query_one(AnnotatedReadingView)


@contextlib.asynccontextmanager
async def reading(
    library: Library, story: int
) -> AsyncIterator[tuple[BroadsheetApp, Pilot, AnnotatedReadingView]]:
    """The app with ``story`` open in the focused reading view."""
    app = start(library)
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            app.main_screen.open_article(story, focus=True)
            await settle(pilot)
            yield app, pilot, reader_of(app)
    finally:
        app.gateway.shutdown()


async def open_by_keyboard(pilot: Pilot, library: Library, article_id: int) -> None:
    """Walk the article list down to the story and press Enter."""
    app = pilot.app
    articles = app.query_one(ArticleList)
    assert app.focused is articles
    position = library.article_position(ArticleQuery(unread_only=True), article_id)
    assert position is not None
    for _ in range(position):
        await pilot.press("j")
    await pilot.press("enter")
    await settle(pilot)


async def type_text(pilot: Pilot, text: str) -> None:
    for character in text:
        await pilot.press("enter" if character == "\n" else character)


def highlight_style_at(view: AnnotatedReadingView, words: str) -> bool:
    """True if the rendered line showing ``words`` paints them in the highlight colour."""
    wanted = view.get_component_rich_style("reading--highlight").bgcolor
    for y in range(view.size.height):
        strip = view.render_line(y)
        text = "".join(segment.text for segment in strip)
        if words in text:
            painted = "".join(
                segment.text
                for segment in strip
                if segment.style is not None and segment.style.bgcolor == wanted
            )
            return words in painted
    return False


async def test_highlight_annotate_tag_save_restart_export(
    sample_root: Path, tmp_path: Path
) -> None:
    library = open_library(sample_root)
    story = seed_story_id(library)
    text = library.article(story).text
    first, second = sentence_spans(text)[0], sentence_spans(text)[1]
    first_text, second_text = text[first[0] : first[1]], text[second[0] : second[1]]
    app = start(library)
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await open_by_keyboard(pilot, library, story)
            view = reader_of(app)
            assert app.focused is view and view.article is not None
            assert view.article.id == story
            assert view.cursor_offset == 0  # the cursor follows the top of the view

            await pilot.press("v", "right_parenthesis")  # select the first sentence
            assert view.selected_range() == first
            await pilot.press("h")
            await settle(pilot)

            await pilot.press("right_parenthesis")  # on to the next sentence
            assert view.cursor == second[0]
            await pilot.press("v", "right_parenthesis", "a")
            await settle(pilot)
            assert isinstance(app.screen, NoteEditor)
            await type_text(pilot, "Why now?\nFour years is a long freeze.")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert not isinstance(app.screen, NoteEditor)

            await pilot.press("t")  # the tag prompt
            await settle(pilot)
            await type_text(pilot, "diplomacy")
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("s")  # save the article
            await settle(pilot)
            await pilot.press("q", "q")  # back to the list, then quit
            await settle(pilot)
    finally:
        app.gateway.shutdown()
        library.close()

    library = open_library(sample_root)  # start again, from disk
    app = start(library)
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            view = reader_of(app)
            assert view.article is not None and view.article.id == story  # restored
            assert view.article.saved and "diplomacy" in view.article.tags
            placed = [(item.start, item.end) for item in view.highlights]
            assert placed == [first, second]
            assert [item.note for item in view.highlights] == [
                None,
                "Why now?\nFour years is a long freeze.",
            ]
            assert highlight_style_at(view, first_text[:30])
            assert highlight_style_at(view, second_text[:30])
            assert "✎" in screen_text(app)  # the note's marker beside its paragraph
            assert "Four years is a long freeze." not in screen_text(app)
            await pilot.press("z")  # expand notes inline
            await settle(pilot)
            shown = screen_text(app)
            assert "Why now?" in shown and "Four years is a long freeze." in shown
    finally:
        app.gateway.shutdown()

    try:
        out = tmp_path / "export"
        out.mkdir()
        [path] = export_articles(library, [story], out, ["markdown"])
        markdown = path.read_text(encoding="utf-8")
    finally:
        library.close()
    front_matter = markdown.split("---")[1]
    assert "diplomacy" in front_matter and "saved: true" in front_matter
    assert f"=={first_text}==" in markdown
    assert f"=={second_text}==" in markdown
    assert "Why now?" in markdown and "Four years is a long freeze." in markdown


async def test_mouse_drag_highlights_the_dragged_words(library: Library) -> None:
    story = seed_story_id(library)
    text = library.article(story).text
    async with reading(library, story) as (app, pilot, view):
        assert view.layout_ is not None
        layout = view.layout_
        row = layout.line_of_offset(0)  # the first line of the story
        line = layout.lines[row]
        margin = max(1, (view.scrollable_content_region.width - layout.width) // 2)
        words = text[: text.index(" ", text.index(" ") + 1)]  # the first two words
        # Pilot offsets count from the widget's edge, border included.
        gutter_x = view.content_region.x - view.region.x
        gutter_y = view.content_region.y - view.region.y
        start_x = gutter_x + margin + line.column_of_index(line.index_of_offset(0) or 0)
        end_x = start_x + len(words) - 1
        y = gutter_y + row - round(view.scroll_offset.y)
        await pilot.mouse_down(view, offset=(start_x, y))
        await pilot.hover(view, offset=(end_x, y))
        await pilot.mouse_up(view, offset=(end_x, y))
        await settle(pilot)
        assert view.mouse_range == (0, len(words))
        assert app.screen.get_selected_text() == words
        await pilot.press("h")
        await settle(pilot)
        stored = Annotations(library).for_article(story)
        assert [(item.exact, item.start, item.end) for item in stored] == [(words, 0, len(words))]
        assert highlight_style_at(view, words)


async def test_motions_delete_undo_jump_and_article_note(library: Library) -> None:
    story = seed_story_id(library)
    text = library.article(story).text
    sentences = sentence_spans(text)
    async with reading(library, story) as (app, pilot, view):
        await pilot.press("w")  # a motion pins the cursor on the next word
        assert view.mode == "cursor" and view.cursor == text.index(" ") + 1
        await pilot.press("b")
        assert view.cursor == 0
        await pilot.press("right_curly_bracket")  # next paragraph
        second_paragraph = text.index("\n\n") + 2
        assert view.cursor == second_paragraph
        await pilot.press("v", "w", "w")  # extends by whole words
        selected = view.selected_range()
        assert selected is not None and selected[0] == second_paragraph
        assert text[selected[0] : selected[1]].count(" ") == 1
        await pilot.press("escape")  # cancels the selection, keeps the cursor
        assert view.mode == "cursor" and view.selected_range() is None

        await pilot.press("g")  # cursor to the top, highlight sentences 1 and 3
        await pilot.press("v", "right_parenthesis", "h")
        await settle(pilot)
        view.cursor = sentences[2][0]
        await pilot.press("v", "right_parenthesis", "h")
        await settle(pilot)
        await pilot.press("g", "right_square_bracket")
        assert view.cursor == sentences[2][0]
        await pilot.press("left_square_bracket")
        assert view.cursor == sentences[0][0]

        await pilot.press("D")  # delete the highlight under the cursor
        await settle(pilot)
        assert len(Annotations(library).for_article(story)) == 1
        await pilot.press("U")  # and undo
        await settle(pilot)
        restored = Annotations(library).for_article(story)
        assert [(item.start, item.end) for item in restored] == [
            sentences[0],
            sentences[2],
        ]

        await pilot.press("N")  # the article's own note
        await settle(pilot)
        assert isinstance(app.screen, NoteEditor)
        await type_text(pilot, "Compare with the 2019 talks.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        note = Annotations(library).article_note(story)
        assert note is not None and note.note == "Compare with the 2019 talks."
        assert "Compare with the 2019 talks." in screen_text(app)


async def test_a_note_being_typed_survives_as_a_draft(library: Library) -> None:
    story = seed_story_id(library)
    annotations = Annotations(library)
    app = start(library)
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            app.main_screen.open_article(story, focus=True)
            await settle(pilot)
            await pilot.press("v", "right_parenthesis", "a")
            await settle(pilot)
            assert isinstance(app.screen, NoteEditor)
            key = app.screen.draft_key
            await type_text(pilot, "half a thou")
            await pilot.pause(0.6)  # the draft is written after a short quiet spell
            await settle(pilot)
            assert annotations.draft(key) == "half a thou"
    finally:  # the "terminal closes" here: the editor was never saved
        app.gateway.shutdown()

    app = start(library)
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            view = reader_of(app)
            assert view.article is not None and view.article.id == story
            [item] = view.highlights
            view.mode, view.cursor = "cursor", item.start or 0
            await pilot.press("enter")  # edit the note of the highlight under the cursor
            await settle(pilot)
            assert isinstance(app.screen, NoteEditor)
            assert app.screen.text_area.text == "half a thou"  # the draft came back
            await type_text(pilot, "ght")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert annotations.get(item.id).note == "half a thought"
            assert annotations.draft(key) is None
    finally:
        app.gateway.shutdown()


async def test_annotations_screen_filters_marks_orphans_and_jumps(library: Library) -> None:
    from reader.ui.screens.annotations import AnnotationsScreen

    story = seed_story_id(library)
    text = library.article(story).text
    other = next(
        summary.id
        for summary in library.article_page(ArticleQuery(), 0, 500)
        if summary.feed_id != library.article(story).feed_id
    )
    other_text = library.article(other).text
    annotations = Annotations(library)
    start_at = text.index("ambassadors") if "ambassadors" in text else 0
    kept = annotations.highlight(story, start_at, start_at + 30, note="Worth following up")
    first_words = other_text[: other_text.index(" ", 12)]
    lost = annotations.highlight(other, 0, len(first_words))
    annotations.reanchor(other, other_text, "Entirely different words now.")  # an orphan
    library.tag_article(story, ["diplomacy"])
    app = start(library)
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("H")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, AnnotationsScreen)
            assert [item.id for item, _ in screen.entries] == [lost.id, kept.id]  # newest first
            assert "ORPHAN" in screen_text(app) and "Worth following up" in screen_text(app)

            await pilot.press("slash")
            await type_text(pilot, "tag:diplomacy")
            await pilot.press("enter")
            await settle(pilot)
            assert [item.id for item, _ in screen.entries] == [kept.id]

            screen.query_one("#annotations-filter").value = ""  # type: ignore[attr-defined]
            await pilot.press("slash")
            await type_text(pilot, "following")
            await pilot.press("enter")
            await settle(pilot)
            assert [item.id for item, _ in screen.entries] == [kept.id]  # matched in the note

            await pilot.press("enter")  # jump to the passage
            await settle(pilot)
            view = reader_of(app)
            assert not isinstance(app.screen, AnnotationsScreen)
            assert view.article is not None and view.article.id == story
            assert view.mode == "cursor" and view.cursor == kept.start
            assert app.focused is view
            top = round(view.scroll_offset.y)
            assert view.layout_ is not None
            line = view.layout_.line_of_offset(kept.start or 0)
            assert top <= line < top + view.size.height
    finally:
        app.gateway.shutdown()


async def test_help_and_palette_list_the_annotation_keys(library: Library) -> None:
    from reader.ui.screens.help import HelpScreen

    app = start(library)
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            await settle(pilot)
            assert isinstance(app.screen, HelpScreen)
            table = str(app.screen.query_one("#help-table").render())
            for ident in (
                "visual",
                "highlight",
                "annotate",
                "delete-highlight",
                "undo-delete",
                "next-highlight",
                "toggle-notes",
                "article-note",
                "annotations",
            ):
                assert ident in table
            await pilot.press("escape")
            titles = [command.title for command in app.get_system_commands(app.screen)]
            assert "Highlights and notes" in titles and "Highlight" in titles
    finally:
        app.gateway.shutdown()


def highlighted_offsets(view: AnnotatedReadingView) -> set[int]:
    """Canonical offsets of every cell painted in the highlight colour, over the whole
    article: the view is scrolled page by page and each screen line rendered."""
    assert view.layout_ is not None
    wanted = view.get_component_rich_style("reading--highlight").bgcolor
    assert wanted is not None
    layout, height = view.layout_, view.size.height
    width = view.scrollable_content_region.width
    margin = max(1, (width - layout.width) // 2)
    found: set[int] = set()
    for top in range(0, len(layout.lines), height):
        view.scroll_to(y=top, animate=False, immediate=True)
        assert round(view.scroll_offset.y) == min(top, view.max_scroll_y)
        for y in range(height):
            index = round(view.scroll_offset.y) + y
            if index >= len(layout.lines):
                break
            column = 0
            for segment in view.render_line(y):
                for character in segment.text:
                    if segment.style is not None and segment.style.bgcolor == wanted:
                        offset = layout.lines[index].offset_at_column(column - margin)
                        assert offset is not None, "a painted cell outside the text"
                        assert layout.text[offset] == character
                        found.add(offset)
                    column += 1
    return found


async def test_highlights_survive_rewrapping(library: Library) -> None:
    """Highlight a passage across two paragraphs, narrow the terminal and widen it again:
    the painted cells cover exactly the same canonical characters each time."""
    story = seed_story_id(library)
    text = library.article(story).text
    async with reading(library, story) as (app, pilot, view):
        await pilot.press("w", "v", "right_curly_bracket", "w", "w", "w", "h")
        await settle(pilot)
        [item] = view.highlights
        assert item.start is not None and item.end is not None
        assert "\n\n" in text[item.start : item.end]  # it spans a paragraph break
        # Every character of the passage shows painted except the blank line
        # between the paragraphs and spaces where a line wraps.
        visible = {i for i in range(item.start, item.end) if not text[i].isspace()}
        widths: list[int] = []
        painted: list[set[int]] = []
        for width in (SIZE[0], 46, SIZE[0]):
            await pilot.resize_terminal(width, SIZE[1])
            await settle(pilot)
            assert view.layout_ is not None
            widths.append(view.layout_.width)
            found = highlighted_offsets(view)
            assert visible <= found <= set(range(item.start, item.end))
            painted.append(found)
        assert widths[1] < widths[0] == widths[2]  # it really re-wrapped
        assert painted[0] == painted[2]
        assert {i for i in painted[1] if not text[i].isspace()} == visible


async def test_cancelling_the_note_of_a_new_highlight_leaves_nothing(library: Library) -> None:
    """``a`` on a fresh selection, then Escape: no highlight, no draft. Escape while
    editing the note of an existing highlight keeps the highlight."""
    story = seed_story_id(library)
    text = library.article(story).text
    first, second = sentence_spans(text)[0], sentence_spans(text)[1]
    annotations = Annotations(library)
    async with reading(library, story) as (app, pilot, view):
        await pilot.press("v", "right_parenthesis", "a")
        await settle(pilot)
        assert isinstance(app.screen, NoteEditor)
        key = app.screen.draft_key
        assert [(item.start, item.end) for item in annotations.for_article(story)] == [first]
        await type_text(pilot, "never mind")
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, NoteEditor)
        assert annotations.for_article(story) == []
        assert view.highlights == [] and view.deleted == []
        assert annotations.draft(key) is None
        opening = text[first[0] : first[0] + 20]
        assert opening in screen_text(app)  # on screen, and not painted
        assert not highlight_style_at(view, opening)

        # An existing highlight: its note editor cancelled (by a, then by Enter) keeps it.
        view.mode, view.cursor = "cursor", second[0]
        await pilot.press("v", "right_parenthesis", "h")
        await settle(pilot)
        [item] = annotations.for_article(story)
        assert (item.start, item.end) == second
        for key_name in ("a", "enter"):
            view.mode, view.cursor = "cursor", second[0] + 3
            await pilot.press(key_name)
            await settle(pilot)
            assert isinstance(app.screen, NoteEditor)
            await type_text(pilot, "x")
            await pilot.press("escape")
            await settle(pilot)
            assert [each.uuid for each in annotations.for_article(story)] == [item.uuid]
            assert annotations.get(item.id).note is None
            assert [each.uuid for each in view.highlights] == [item.uuid]
        assert highlight_style_at(view, text[second[0] : second[0] + 30])


def notices(app: BroadsheetApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def test_a_on_an_annotated_passage_edits_its_note(library: Library) -> None:
    """``v ) a`` on a sentence already annotated opens that note, never a second one
    (issue 15 item 4); ``h`` on it again adds nothing; ``D`` off any highlight says so."""
    story = seed_story_id(library)
    text = library.article(story).text
    first = sentence_spans(text)[0]
    annotations = Annotations(library)
    async with reading(library, story) as (app, pilot, view):
        await pilot.press("v", "right_parenthesis", "a")
        await settle(pilot)
        assert isinstance(app.screen, NoteEditor)
        await type_text(pilot, "First thought.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        [item] = annotations.for_article(story)
        for _ in range(2):  # the same sentence selected again, twice
            view.mode, view.cursor = "cursor", first[0]
            await pilot.press("v", "right_parenthesis", "a")
            await settle(pilot)
            assert isinstance(app.screen, NoteEditor)
            assert "First thought." in app.screen.query_one("TextArea").text  # type: ignore[attr-defined]
            await pilot.press("escape")  # cancelling keeps the existing note
            await settle(pilot)
            assert [(each.id, each.note) for each in annotations.for_article(story)] == [
                (item.id, "First thought.")
            ]
            assert view.mode == "cursor" and view.selected_range() is None
        view.mode, view.cursor = "cursor", first[0]
        await pilot.press("v", "right_parenthesis", "h")
        await settle(pilot)
        assert len(annotations.for_article(story)) == 1
        assert any("Already highlighted" in message for message in notices(app))

        view.mode, view.cursor = "cursor", first[1] + 5  # past the highlight
        assert view.highlight_at_cursor() is None
        await pilot.press("D")
        await settle(pilot)
        assert len(annotations.for_article(story)) == 1
        assert any("No highlight under the cursor" in message for message in notices(app))


async def test_highlights_screen_keys_q_j_k_and_escape_in_the_filter(library: Library) -> None:
    """In H: j/k move, Escape in the filter leaves the filter only, q closes (issue 15 item 8)."""
    from reader.ui.screens.annotations import AnnotationsScreen

    story = seed_story_id(library)
    text = library.article(story).text
    annotations = Annotations(library)
    for start, end in sentence_spans(text)[:3]:
        annotations.highlight(story, start, end)
    async with reading(library, story) as (app, pilot, _view):
        await pilot.press("H")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AnnotationsScreen)
        options = screen.option_list
        assert options.highlighted == 0
        await pilot.press("j", "j")
        assert options.highlighted == 2
        await pilot.press("k")
        assert options.highlighted == 1
        await pilot.press("slash")
        await settle(pilot)
        field = screen.query_one("#annotations-filter")
        assert app.focused is field
        await pilot.press("q", "j")  # letters in the filter are text
        assert app.screen is screen
        await pilot.press("backspace", "backspace", "escape")
        await settle(pilot)
        assert app.screen is screen and app.focused is options  # the filter only
        await pilot.press("q")
        await settle(pilot)
        assert not isinstance(app.screen, AnnotationsScreen)


async def test_note_editor_and_orphans_fit_80x24(library: Library) -> None:
    """Issue 15 items 16 and 18: with a three-line selection the note editor's key line
    stays on screen; in H, "ORPHAN:" stays on its entry's first line."""
    from reader.ui.screens.annotations import AnnotationsScreen

    story = seed_story_id(library)
    other = next(
        summary.id
        for summary in library.article_page(ArticleQuery(), 0, 500)
        if summary.feed_id != library.article(story).feed_id
    )
    other_text = library.article(other).text
    annotations = Annotations(library)
    annotations.highlight(other, 0, other_text.index(" ", 12))
    annotations.reanchor(other, other_text, "Entirely different words now.")  # an orphan
    app = start(library)
    try:
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await settle(pilot)
            app.main_screen.open_article(story, focus=True)
            await settle(pilot)
            view = reader_of(app)
            await pilot.press("v", "j", "j", "right_parenthesis", "a")
            await settle(pilot)
            assert isinstance(app.screen, NoteEditor)
            hint = app.screen.query_one("#note-hint")
            assert 0 < hint.region.bottom <= 24 and hint.region.height >= 1
            assert "ctrl" in screen_text(app).lower()
            await pilot.press("escape")
            await settle(pilot)
            assert view.highlights == []
            await pilot.press("H")
            await settle(pilot)
            assert isinstance(app.screen, AnnotationsScreen)
            lines = screen_text(app).splitlines()
            [orphan_line] = [line for line in lines if "ORPHAN:" in line]
            assert orphan_line.strip().startswith(("0", "1", "2", "3")) or "·" in orphan_line
            assert not orphan_line.strip().startswith("ORPHAN")
            assert all(len(line) <= 80 for line in lines)
    finally:
        app.gateway.shutdown()


async def test_a_highlight_under_the_drawn_cursor_is_reachable_after_reopening(
    library: Library,
) -> None:
    """A reopened article starts in scroll mode with the cursor drawn on its first
    character; a highlight there (the lede, highlighted yesterday) must answer
    Enter, ``a`` and ``]`` as the cursor shows, not "Select some text first"."""
    story = seed_story_id(library)
    first = sentence_spans(library.article(story).text)[0]
    annotations = Annotations(library)
    item = annotations.highlight(story, *first)
    async with reading(library, story) as (app, pilot, view):
        assert view.mode == "scroll" and view.cursor_offset == first[0]
        assert view.highlight_at_cursor() is not None
        for key_name in ("enter", "a"):
            await pilot.press(key_name)
            await settle(pilot)
            assert isinstance(app.screen, NoteEditor), key_name
            await pilot.press("escape")
            await settle(pilot)
        view.mode = "scroll"
        view.scroll_to(y=0, animate=False, immediate=True)
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert view.mode == "cursor" and view.cursor == item.start
        assert not any("No highlight" in message for message in notices(app))
