"""The export prompt (``e``): which folder to write Markdown and JSON into.

A :class:`PromptScreen` whose input starts filled with the default folder
(``config.auto_export_dir`` or ``~/Broadsheet``), so Enter accepts it.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from reader.ui.screens.dialogs import PromptScreen

DEFAULT_EXPORT_DIR = "~/Broadsheet"


def default_export_dir(auto_export_dir: Path | None) -> str:
    """The folder shown first: the auto-export folder if one is set."""
    return str(auto_export_dir) if auto_export_dir is not None else DEFAULT_EXPORT_DIR


def export_target(answer: str) -> Path:
    """The folder an answer names, with ``~`` expanded."""
    return Path(answer).expanduser()


class ExportPrompt(PromptScreen):
    """Ask for the export folder, prefilled; dismisses with it, or None on Escape."""

    def __init__(self, title: str, folder: str, *, hint: str = "") -> None:
        super().__init__(title, placeholder=DEFAULT_EXPORT_DIR, hint=hint)
        self.folder = folder

    def on_mount(self) -> None:
        prompt = self.query_one("#prompt-input", Input)
        prompt.value = self.folder
        prompt.cursor_position = len(self.folder)
        prompt.focus()
