"""Small modal dialogs: a yes/no confirmation and a one-line prompt.

Messages may quote feed text, so they take :class:`Content` (or plain strings
shown without markup), never markup.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
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
            yield Input(
                self.value, placeholder=self.placeholder, restrict=self.restrict, id="prompt-input"
            )
            if self.hint:
                yield Label(Content(self.hint), classes="dialog--hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        answer = event.value.strip()
        self.dismiss(answer if answer or self.allow_empty else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
