"""The help screen: every binding, with its current keys and its id for remapping."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static


@dataclass(frozen=True, slots=True)
class HelpSection:
    title: str
    bindings: tuple[Binding, ...]


def bindings_of(source: Iterable[BindingType]) -> tuple[Binding, ...]:
    return tuple(binding for binding in source if isinstance(binding, Binding))


# Keys with a name of their own, as a keyboard labels them.
KEY_NAMES = {
    "enter": "Enter", "escape": "Esc", "tab": "Tab", "space": "Space", "backspace": "Backspace",
    "delete": "Del", "insert": "Ins", "home": "Home", "end": "End", "pageup": "PgUp",
    "pagedown": "PgDn", "up": "↑", "down": "↓", "left": "←", "right": "→",
    "plus": "+", "minus": "-", "slash": "/", "backslash": "\\", "asterisk": "*",
}  # fmt: skip


def format_key(key: str) -> str:
    """One key as the user types it: ``)`` not right_parenthesis, Ctrl+C not ctrl+c."""
    from textual.keys import key_to_character

    *modifiers, name = key.strip().split("+") if key.strip() != "plus" else ["plus"]
    if name in KEY_NAMES:
        shown = KEY_NAMES[name]
    elif len(name) == 1:
        shown = name.upper() if modifiers else name
    else:
        character = key_to_character(name)
        shown = character if character and character.isprintable() else name.title()
    return "+".join([*(modifier.title() for modifier in modifiers), shown])


def key_list(keys: str) -> list[str]:
    """The keys of a binding's key string ("j,down"), each as typed."""
    return [format_key(key) for key in keys.split(",") if key.strip()]


def display_keys(binding: Binding, keymap: Mapping[str, str]) -> str:
    """The keys a binding answers to after the user's remapping, made readable."""
    return ", ".join(key_list(keymap.get(binding.id or "", binding.key)))


def help_content(sections: Iterable[HelpSection], keymap: Mapping[str, str]) -> Content:
    lines: list[Content] = []
    for section in sections:
        if lines:
            lines.append(Content(""))
        lines.append(Content.styled(section.title, "bold $broadsheet-heading"))
        seen: set[str] = set()
        for binding in section.bindings:
            if binding.id in seen:
                continue
            seen.add(binding.id or binding.action)
            keys = Content.styled(f"  {display_keys(binding, keymap):<22}", "bold")
            description = Content(f"{binding.tooltip or binding.description:<30}")
            ident = Content.styled(binding.id or "", "$broadsheet-text-muted")
            lines.append(keys + description + ident)
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    """Lists every binding; the right column is the id to use under [keys] in config.toml."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 84; max-width: 95%; height: 90%;
        background: $panel; color: $broadsheet-text;
        border: thick $primary 60%; padding: 1 2;
    }
    HelpScreen .help--title { text-style: bold; margin-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help-close"),
    ]

    def __init__(self, sections: Iterable[HelpSection], keymap: Mapping[str, str]) -> None:
        super().__init__()
        self.sections = tuple(sections)
        self.keymap = dict(keymap)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            title = "Broadsheet keys — remap any of them by id in config.toml [keys]"
            yield Static(Content(title), classes="help--title")
            yield Static(help_content(self.sections, self.keymap), id="help-table")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
