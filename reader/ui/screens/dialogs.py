"""Small modal dialogs: a yes/no confirmation and a one-line prompt.

Messages may quote feed text, so they take :class:`Content` (or plain strings
shown without markup), never markup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, Static

DIALOG_CSS = """
.dialog {
    width: 64;
    max-width: 90%;
    height: auto;
    padding: 1 2;
    background: $panel;
    color: $broadsheet-text;
    border: thick $primary 60%;
}
.dialog .dialog--title {
    text-style: bold; margin-bottom: 1; width: 1fr; text-wrap: nowrap; text-overflow: ellipsis;
}
.dialog .dialog--hint { color: $broadsheet-text-muted; margin-top: 1; }
.dialog Input > .input--placeholder { color: $broadsheet-text-muted; }
.dialog Horizontal Button.-style-default { color: $broadsheet-text; background: $surface; }
.dialog Horizontal Button.-style-default.-error { color: $broadsheet-error; }
.dialog Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
.dialog Button { margin-left: 2; }
"""


def after_pending_keys(screen: Screen[Any], callback: Callable[[], object]) -> None:
    """Run ``callback`` once every key already sent to ``screen``'s focused widget
    has been handled.

    A terminal delivers a quickly typed line as one burst, and the app forwards
    each key to the focused widget's queue as it reads it, while a priority
    binding (``Ctrl+S`` in the note editor) runs at once: the text box may not
    have taken the keys typed just before it. A key the widget does not take
    itself (Backspace, arrows) travels up through each parent's queue to the
    app, where its binding runs. So the callback hops the same way, queued
    behind them at each step: focused widget, its parents, the screen, the app.
    """
    start: DOMNode = screen.focused or screen
    chain = start.ancestors_with_self

    def hop(index: int) -> None:
        if index == len(chain):
            callback()
        else:
            chain[index].call_later(hop, index + 1)

    hop(0)


def _as_content(message: str | Content) -> Content:
    return message if isinstance(message, Content) else Content(message)


class ConfirmScreen(ModalScreen[bool]):
    """Ask a yes/no question; dismisses with True for yes."""

    DEFAULT_CSS = "ConfirmScreen { align: center middle; }\n" + DIALOG_CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm-no"),
    ]

    def __init__(self, title: str, message: str | Content) -> None:
        super().__init__()
        self.title_text = title
        self.message = _as_content(message)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(self.title_text), classes="dialog--title")
            yield Static(self.message, id="confirm-message")
            with Horizontal():
                yield Button("No", id="no")
                yield Button("Yes", id="yes", variant="error")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text; dismisses with it, or None on Escape."""

    DEFAULT_CSS = "PromptScreen { align: center middle; }\n" + DIALOG_CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="prompt-cancel")
    ]

    def __init__(
        self,
        title: str,
        *,
        placeholder: str = "",
        hint: str = "",
        restrict: str | None = None,
        value: str = "",
        allow_empty: bool = False,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder
        self.hint = hint
        self.restrict = restrict
        self.value = value
        # Whether submitting nothing answers "" (e.g. "no title of my own") or cancels.
        self.allow_empty = allow_empty

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(self.title_text), classes="dialog--title")
            # Prefilled text (a name, a folder) is to be added to: the cursor goes to
            # its end with nothing selected, so typing appends rather than replaces.
            yield Input(
                self.value,
                placeholder=self.placeholder,
                restrict=self.restrict,
                select_on_focus=False,
                id="prompt-input",
            )
            if self.hint:
                yield Label(Content(self.hint), classes="dialog--hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        answer = event.value.strip()
        self.dismiss(answer if answer or self.allow_empty else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
