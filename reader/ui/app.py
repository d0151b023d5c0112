"""The Broadsheet terminal app: ``run_app(library)`` is all the CLI needs.

This module is the UI's composition root: it builds the gateway, the screens and
the widgets and hands each what it needs (see :mod:`reader.ui.context`); nothing
imports it."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sqlite3
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import App, ScreenStackError, SystemCommand
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.notifications import Notifications, SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.theme import Theme
from textual.timer import Timer
from textual.widgets._toast import ToastRack

from reader.core.errors import BroadsheetError
from reader.core.opener import LinkOpener, SystemOpener
from reader.ui.commands import FeedCommands, FeedSettingsCommands
from reader.ui.context import ReaderLibrary
from reader.ui.first_view import FirstView, read_first_view
from reader.ui.gateway import LibraryGateway
from reader.ui.key_hold import KeyHold
from reader.ui.screens.main import MainScreen
from reader.ui.themes import DEFAULT_THEME, bundled_themes, variable_defaults
from reader.ui.widgets.annotated_view import AnnotatedReadingView
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.reading_view import ReadingView
from reader.ui.widgets.sidebar import Sidebar

if TYPE_CHECKING:  # screens opened later are imported when they open (start-up time)
    from textual.dom import DOMNode

    from reader.core.background import BackgroundCleaner
    from reader.core.library import Library
    from reader.ui.screens.help import HelpSection
    from reader.ui.widgets.annotated_view import Reveal

# How often to look for writes by other processes (a cron refresh), in seconds.
WATCH_INTERVAL = 5.0
# Background cleaning after a refresh runs in a child process (see
# reader.core.background): the app checks on it this often, in seconds.
CLEAN_POLL = 0.1


class BroadsheetApp(App[None]):
    """Sidebar, article list and reading pane over a library.

    ``cleaner`` makes the process that cleans what a refresh stored uncleaned
    (``process_cleaner(library)`` for a library on disk, as :func:`run_app` does);
    without one, cleaning runs on the gateway's low-priority lane, in this process.
    """

    TITLE = "Broadsheet"
    # Textual's own widgets, in colours checked for contrast in every theme
    # (see reader.ui.themes.variable_defaults).
    CSS = """
    Input > .input--placeholder { color: $broadsheet-text-muted; }
    /* Toasts are a message line: one line, over the footer's right end (never over
       the text being read), the newest replacing the last. */
    ToastRack { margin-bottom: 0; overflow-y: hidden; }
    Toast {
        width: auto; max-width: 75%; height: 1; margin: 0; padding: 0 1;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    Footer { background: $panel; }
    Footer FooterKey { background: $panel; }
    Footer FooterKey .footer-key--key { color: $broadsheet-key; background: $panel; }
    Footer FooterKey .footer-key--description { color: $broadsheet-text; background: $panel; }
    """
    COMMANDS = App.COMMANDS | {FeedCommands, FeedSettingsCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", id="help"),
        Binding("H", "annotations", "Highlights", show=False, id="annotations"),
        # Quit from anywhere: Q (a text field takes it as a letter), and Ctrl+C even there.
        Binding("Q", "quit", "Quit", show=False, id="quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="quit-now"),
    ]

    def __init__(
        self,
        library: ReaderLibrary,
        *,
        opener: LinkOpener | None = None,
        watch_interval: float = WATCH_INTERVAL,
        refresh_on_start: bool = True,
        cleaner: Callable[[], BackgroundCleaner] | None = None,
    ) -> None:
        super().__init__()
        self.gateway = LibraryGateway(library)
        self.cleaner = cleaner
        self.opener: LinkOpener = opener or SystemOpener()
        self.watch_interval = watch_interval
        self.refresh_on_start = refresh_on_start
        self.theme_problems: list[str] = []
        self.refresh_timer: Timer | None = None
        self.cleaned_in_background = 0  # articles cleaned after refreshes, this session
        self._cleaning = False
        self._clean_requested = False
        self.clean_batches: list[int] = []  # articles per cleaning batch, this session
        self.cleaner_pid: int | None = None  # the cleaning process, while it runs
        self._first_view: Future[FirstView] | None = None
        self._deferred_toasts: list[tuple[str, str, SeverityLevel, float | None, bool]] = []
        self.key_hold = KeyHold(self)  # keys typed while a dialog opens wait for it
        self._register_bundled_themes()
        self._start_with_theme(DEFAULT_THEME)

    @property
    def library(self) -> ReaderLibrary:
        return self.gateway.library

    @property
    def main_screen(self) -> MainScreen:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        raise LookupError("the main screen is not running")

    # -- themes --------------------------------------------------------------

    def _register_bundled_themes(self) -> None:
        themes, self.theme_problems = bundled_themes()
        for theme in themes:
            self.register_theme(theme)

    def _start_with_theme(self, name: str) -> None:
        """Choose the theme before the app runs, as Textual chooses its default one.

        Setting ``App.theme`` runs its watcher, which parses the CSS again and
        restyles every widget once the app runs: about a tenth of the time to
        first paint. Before the app runs nothing is parsed or styled yet, so the
        variables and the classes the watcher sets are all there is to do.
        """
        self.set_reactive(App.theme, name)
        theme = self.current_theme
        stale = {cls: False for cls in self.classes if cls.startswith("-theme-")}
        self.update_classes(
            {
                **stale,
                f"-theme-{theme.name}": True,
                "-dark-mode": theme.dark,
                "-light-mode": not theme.dark,
            },
            update=False,
        )
        self._refresh_truecolor_filter(self.ansi_theme)
        self.stylesheet.set_variables(self.get_css_variables())

    # -- notifications -------------------------------------------------------

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Toasts never cover a dialog: one raised while a dialog is open waits for it to close."""
        if threading.get_ident() == self._thread_id and self._dialog_open():
            self._deferred_toasts.append((message, title, severity, timeout, markup))
            return
        if threading.get_ident() == self._thread_id:
            self.clear_notifications()  # one message line: the newest replaces the last
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def _dialog_open(self) -> bool:
        try:
            return isinstance(self.screen, ModalScreen)
        except ScreenStackError:
            return False

    def _refresh_notifications(self) -> None:
        if self._dialog_open():  # toasts already showing leave the dialog alone
            with contextlib.suppress(NoMatches):
                rack = self.screen.get_child_by_type(ToastRack)
                self.call_later(rack.show, Notifications())
            return
        pending, self._deferred_toasts = self._deferred_toasts, []
        for message, title, severity, timeout, markup in pending[-1:]:  # the newest
            self.clear_notifications()
            super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)
        super()._refresh_notifications()

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return variable_defaults(self.current_theme)

    async def _restore_theme(self) -> None:
        stored = await self.gateway.call(self.library.get_state, "theme")
        for name in (stored, self.library.config.theme, DEFAULT_THEME):
            if name and name in self.available_themes:
                self.theme = name
                break
        self.theme_changed_signal.subscribe(self, self._remember_theme)

    def _remember_theme(self, theme: Theme) -> None:
        self.run_worker(
            self.gateway.call(self.library.set_state, "theme", theme.name),
            group="theme",
            exit_on_error=False,
        )

    # -- lifecycle -----------------------------------------------------------

    def get_default_screen(self) -> Screen:
        return MainScreen(self)

    def on_load(self) -> None:
        # The first view's rows are read on the gateway while the terminal and
        # the widgets are set up, so the first frame can show them.
        self._first_view = self.gateway.submit(read_first_view, self.library)

    def take_first_view(self) -> Future[FirstView] | None:
        """The rows read ahead for the first screen (once; None afterwards)."""
        ahead, self._first_view = self._first_view, None
        return ahead

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key):
            await super().on_event(event)
        elif not self.key_hold.keeps(event):
            from_terminal = not event.is_forwarded  # not one coming back up from a widget
            await super().on_event(event)
            if from_terminal:
                self.key_hold.handling(event)

    def _cleaning_problem(self, problem: str) -> None:
        """A broken rules.toml met while cleaning (in a worker thread, or not)."""
        try:
            self.call_from_thread(self.notify, problem, severity="warning", markup=False)
        except RuntimeError:  # already on the app's thread
            self.notify(problem, severity="warning", markup=False)

    async def on_mount(self) -> None:
        self.screen_change_signal.subscribe(self, self.key_hold.wait_for, immediate=True)
        self.library.on_cleaning_problem(self._cleaning_problem)
        keymap = self.library.config.keys
        if keymap:  # checked only when there is one: the checks import every screen
            from reader.ui.keymap import check_keymap

            keymap, problems = check_keymap(keymap, main_chains(), self.library.config.path)
            self.theme_problems += problems
        self.set_keymap(keymap)
        for problem in [*self.theme_problems, *self.library.config.problems]:
            self.notify(problem, severity="warning", markup=False)
        theme = self.library.config.theme
        if theme not in self.available_themes:
            path = self.library.config.path
            self.notify(
                f"{path}: [ui] theme = {theme!r}: unknown theme; one of "
                f"{', '.join(sorted(self.available_themes))}; using {DEFAULT_THEME}",
                severity="warning",
                markup=False,
            )
        await self._restore_theme()
        if self.watch_interval > 0:
            self.set_interval(self.watch_interval, self._watch_library)
        minutes = self.library.config.refresh_interval
        if minutes > 0:  # 0 (the default) turns periodic refresh off
            self.refresh_timer = self.set_interval(minutes * 60, self._periodic_refresh)

    def _periodic_refresh(self) -> None:
        self.main_screen.run_refresh(None, automatic=True)

    def _watch_library(self) -> None:
        self.main_screen.check_external_changes()

    # -- cleaning after refreshes ----------------------------------------------

    def clean_in_background(self) -> None:
        """Clean what a refresh stored uncleaned, so search sees cleaned text.

        A child process opens the library and cleans in batches until nothing
        is left (it does not share this interpreter, so keys stay quick while
        it runs); one at a time: a request while it runs starts another once
        it ends, for what the new refresh stored.
        """
        self._clean_requested = True
        if not self._cleaning:
            self._cleaning = True
            self.run_worker(self._clean_pending(), group="clean", exit_on_error=False)

    def _count_cleaned(self, batches: list[int]) -> None:
        self.clean_batches += batches
        self.cleaned_in_background += sum(batches)

    async def _clean_pending(self) -> None:
        cleaned_before = self.cleaned_in_background
        cleaner = self.cleaner() if self.cleaner is not None else None
        try:
            while self._clean_requested:
                self._clean_requested = False
                if cleaner is None:  # in this process, on the gateway's low-priority lane
                    count = await self.gateway.background(self.library.clean_pending)
                    self._count_cleaned([count])
                    if count:  # as the cleaning process does after its batches
                        await self.gateway.background(self.library.tidy_search_index)
                    continue
                await asyncio.to_thread(cleaner.start)  # may wait for the fork server
                self.cleaner_pid = cleaner.pid
                while True:
                    status = cleaner.poll()
                    self._count_cleaned(status.batches)
                    if status.finished:
                        if status.error:
                            self.log.error("background cleaning stopped:", status.error)
                        break
                    await asyncio.sleep(CLEAN_POLL)
        except (BroadsheetError, sqlite3.Error, OSError) as error:
            # Nothing for the reader to do: articles still clean when opened, and
            # the next refresh tries again.
            self.log.error("background cleaning stopped", error)
        finally:
            if cleaner is not None:
                cleaner.stop()  # the app is closing (the worker was cancelled), or a no-op
            self.cleaner_pid = None
            self._cleaning = False
        if self.cleaned_in_background > cleaned_before:
            # Cleaning can fill in publication dates: list order may change.
            with contextlib.suppress(LookupError):  # the app is closing
                self.main_screen.schedule_reload()

    async def action_quit(self) -> None:
        """Remember the reading position before leaving."""
        try:
            await self.main_screen.save_reading_position()
        except Exception as error:  # noqa: BLE001 - quitting must always work
            self.log.error("could not save the reading position", error)
        self.exit()

    # -- help and the command palette ----------------------------------------

    def help_sections(self) -> list[HelpSection]:
        from reader.ui.screens.annotations import AnnotationsScreen
        from reader.ui.screens.help import HelpSection, bindings_of

        return [
            HelpSection(
                "Everywhere",
                bindings_of(MainScreen.BINDINGS)
                + bindings_of(self.BINDINGS)
                + (Binding("ctrl+p", "command_palette", "Command palette", id="command-palette"),),
            ),
            HelpSection("Article list", bindings_of(ArticleList.BINDINGS)),
            HelpSection("Reading pane", bindings_of(ReadingView.BINDINGS)),
            HelpSection(
                "Reading pane: cursor, selection, highlights and notes",
                bindings_of(AnnotatedReadingView.BINDINGS),
            ),
            HelpSection("Sidebar", bindings_of(Sidebar.BINDINGS)),
            HelpSection("Highlights and notes screen (H)", bindings_of(AnnotationsScreen.BINDINGS)),
        ]

    def action_help(self) -> None:
        from reader.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.help_sections(), self._keymap))

    def action_annotations(self) -> None:
        """Every highlight and note; choosing one opens its passage."""
        from reader.ui.screens.annotations import AnnotationsScreen

        if not isinstance(self.screen, AnnotationsScreen):
            self.push_screen(AnnotationsScreen(self.gateway), self._reveal_annotation)

    def _reveal_annotation(self, reveal: Reveal | None) -> None:
        if reveal is None:
            return
        self.main_screen.reveal(reveal)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from reader.ui.screens.help import bindings_of

        yield from super().get_system_commands(screen)
        try:
            main = self.main_screen
        except LookupError:
            return
        yield SystemCommand("Help: keys", "List every key binding", self.action_help)
        yield SystemCommand(
            "Highlights and notes",
            "Every highlight and note in the library (key H)",
            self.action_annotations,
        )
        for binding in bindings_of(MainScreen.BINDINGS):
            if binding.id not in {"focus-next", "focus-previous", "close-find", "back"}:
                yield self._command(binding, main)
        reader = main.reader
        for binding in bindings_of(ReadingView.BINDINGS):
            if binding.id in {"show-removed", "find", "open-link", "copy-link"}:
                yield self._command(binding, reader)
        for binding in bindings_of(AnnotatedReadingView.BINDINGS):
            if binding.id in {"highlight", "annotate", "article-note", "toggle-notes"}:
                yield self._command(binding, reader)

    def _command(self, binding: Binding, target: MainScreen | ReadingView) -> SystemCommand:
        from reader.ui.screens.help import display_keys

        title = binding.description
        help_text = f"Key: {display_keys(binding, self._keymap)}  (id {binding.id})"
        return SystemCommand(
            title, help_text, partial(self._run_action_later, binding.action, target)
        )

    def _run_action_later(self, action: str, target: MainScreen | ReadingView) -> None:
        self.call_later(self.run_action, action, target)


def main_chains() -> list[tuple[type[DOMNode], ...]]:
    """The views whose keys the ``[keys]`` remapping can take (see
    :func:`reader.ui.keymap.check_keymap`), each under the app's own bindings: the
    main screen's panes, then the other screens. Imports every screen: called only
    when there is a remapping."""
    from reader.ui.screens.annotations import AnnotationsScreen
    from reader.ui.screens.dialogs import ConfirmScreen, PromptScreen
    from reader.ui.screens.help import HelpScreen
    from reader.ui.screens.note_editor import NoteEditor
    from reader.ui.screens.search import SearchScreen
    from reader.ui.screens.tag_prompt import TagPrompt

    chains: list[tuple[type[DOMNode], ...]] = [
        (BroadsheetApp, MainScreen, pane) for pane in (Sidebar, ArticleList, AnnotatedReadingView)
    ]
    screens = (
        AnnotationsScreen, ConfirmScreen, PromptScreen, HelpScreen, NoteEditor, SearchScreen,
        TagPrompt,
    )  # fmt: skip
    chains += [(BroadsheetApp, screen) for screen in screens]
    return chains


def process_cleaner(library: Library) -> Callable[[], BackgroundCleaner]:
    """A maker of cleaning processes for a library on disk (``reader.core.background``)."""

    def start() -> BackgroundCleaner:
        from reader.core.background import BackgroundCleaner

        return BackgroundCleaner(library.data_dir, library.config)

    return start


def run_app(library: Library, *, opener: LinkOpener | None = None) -> None:
    """Run the terminal UI until the user quits."""
    app = BroadsheetApp(library, opener=opener, cleaner=process_cleaner(library))
    # What is allocated so far (modules, classes, the library) lives as long as the
    # app: exempt it from collection, or the first full collection, which falls in
    # the first frame, spends ~17 ms walking it.
    gc.freeze()
    try:
        app.run()
    finally:
        app.gateway.shutdown()
