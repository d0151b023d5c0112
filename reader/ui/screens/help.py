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


def display_keys(binding: Binding, keymap: Mapping[str, str]) -> str:
    """The keys a binding answers to after the user's remapping, made readable."""
    keys = keymap.get(binding.id or "", binding.key)
    names = {"slash": "/", "question_mark": "?", "plus": "+", "space": "Space"}
    return ", ".join(names.get(key.strip(), key.strip()) for key in keys.split(","))


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
