"""Issue 15: keys, screens and messages a terminal user expects from the first minute."""

from __future__ import annotations

from textual.widgets import Input

from reader.ui.app import BroadsheetApp
from reader.ui.screens.dialogs import PromptScreen
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.reading_view import ReadingView
from reader.ui.widgets.sidebar import UNREAD_ID, Sidebar, feed_option_id

from .conftest import make_app, settle, two_feed_library

LAYOUTS = [(80, 24), (120, 35)]


class QuitSpy:
    """Stands in for the app's quit action: records, does not exit."""

    def __init__(self, app: BroadsheetApp) -> None:
        self.calls = 0
        app.action_quit = self  # type: ignore[method-assign]

    async def __call__(self) -> None:
        self.calls += 1


async def open_in_feed(pilot: object, app: BroadsheetApp) -> None:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await settle(pilot)
    app.query_one(Sidebar).select_id(feed_option_id(1))
    await settle(pilot)
    app.query_one(ArticleList).focus()
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.focused, ReadingView)


async def test_q_and_escape_go_back_one_level_then_q_quits() -> None:
    app = make_app(two_feed_library())
    try:
        async with app.run_test(size=(120, 35)) as pilot:
            spy = QuitSpy(app)
            await open_in_feed(pilot, app)
            sidebar, articles = app.query_one(Sidebar), app.query_one(ArticleList)
            await pilot.press("escape")  # reading pane → list
            await settle(pilot)
            assert app.focused is articles
            await pilot.press("escape")  # list (a feed's) → the feeds
            await settle(pilot)
            assert app.focused is sidebar and sidebar.region.width > 0
            await pilot.press("escape")  # Escape never quits
            assert spy.calls == 0
            articles.focus()
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("q")  # the same with q
            await settle(pilot)
            assert app.focused is articles and spy.calls == 0
            await pilot.press("q")
            await settle(pilot)
            assert app.focused is sidebar and spy.calls == 0
            await pilot.press("q")  # the top: quit
            assert spy.calls == 1
            sidebar.select_id(UNREAD_ID)
            await settle(pilot)
            articles.focus()
            await pilot.press("q")  # the All unread list is the top too
            assert spy.calls == 2
    finally:
        app.gateway.shutdown()


async def test_ctrl_c_quits_from_anywhere_and_shift_q_outside_text_fields() -> None:
    app = make_app(two_feed_library())
    try:
        async with app.run_test(size=(120, 35)) as pilot:
            spy = QuitSpy(app)
            await open_in_feed(pilot, app)
            await pilot.press("Q")
            assert spy.calls == 1
            app.push_screen(PromptScreen("Add a feed"))
            await settle(pilot)
            field = app.screen.query_one(Input)
            assert app.focused is field
            await pilot.press("Q")  # a letter in a text field
            assert field.value == "Q" and spy.calls == 1
            await pilot.press("ctrl+c")  # quits even from the dialog
            assert spy.calls == 2
    finally:
        app.gateway.shutdown()


async def test_tab_cycles_every_visible_pane_including_the_sidebar() -> None:
    for size in LAYOUTS:
        app = make_app(two_feed_library())
        try:
            async with app.run_test(size=size) as pilot:
                await open_in_feed(pilot, app)
                sidebar, articles = app.query_one(Sidebar), app.query_one(ArticleList)
                reader = app.query_one(ReadingView)
                seen = []
                for _ in range(3):
                    await pilot.press("tab")
                    await settle(pilot)
                    seen.append(app.focused)
                    assert app.focused is not None and app.focused.region.width > 0
                if size[0] >= 100:
                    assert seen == [sidebar, articles, reader], size
                else:  # the sidebar starts hidden on a narrow terminal: f shows it
                    assert seen == [articles, reader, articles], size
                    await pilot.press("f")
                    await settle(pilot)
                    assert app.focused is sidebar and sidebar.region.width == 24
                    await pilot.press("tab", "tab", "tab")
                    await settle(pilot)
                    assert app.focused is sidebar and sidebar.region.width == 24
                    await pilot.press("tab", "tab")
                    await settle(pilot)
                    assert app.focused is reader
                await pilot.press("shift+tab")
                await settle(pilot)
                assert app.focused is articles
        finally:
            app.gateway.shutdown()


def readme_keys() -> set[str]:
    """The backquoted keys in the first column of the README's key table."""
    import re
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| keys | action |") :].split("\n\n", 1)[0]
    keys: set[str] = set()
    for row in table.splitlines()[2:]:
        keys |= set(re.findall(r"`([^`]+)`", row.split("|")[1]))
    return keys


async def test_readme_key_table_help_and_palette_agree_with_the_bindings() -> None:
    """Keys shown as typed (`)` `{` `+`), and the README lists exactly the bound keys."""
    from textual.command import CommandPalette

    from reader.ui.screens.help import HelpScreen, key_list

    app = make_app(two_feed_library())
    try:
        async with app.run_test(size=(120, 35)) as pilot:
            await settle(pilot)
            bound = {
                key
                for section in app.help_sections()
                for binding in section.bindings
                for key in key_list(binding.key)
            }
            assert {")", "(", "{", "}", "+", "/", "?", "Ctrl+C", "Shift+Tab", "Esc"} <= bound
            assert readme_keys() == bound
            await pilot.press("question_mark")
            await settle(pilot)
            assert isinstance(app.screen, HelpScreen)
            shown = str(app.screen.query_one("#help-table").render())
            for section in app.help_sections():
                for binding in section.bindings:
                    assert binding.id in shown
            for internal in ("right_parenthesis", "left_curly_bracket", "plus", "question_mark"):
                assert internal not in shown
            await pilot.press("escape")
            await settle(pilot)
            app.action_command_palette()
            await settle(pilot)
            assert isinstance(app.screen, CommandPalette)
            await pilot.press(*"Add feed")
            await settle(pilot)
            palette = " ".join(
                str(option.prompt) for option in app.screen.query_one("CommandList").options
            )  # type: ignore[attr-defined]
            assert "Key: +" in palette and "Key: plus" not in palette
    finally:
        app.gateway.shutdown()
