"""A multi-line note editor: ctrl+s saves, escape cancels, ctrl+e opens ``$EDITOR``.

What is typed is kept as a draft (``Annotations.save_draft``, committed
durably) shortly after each change, so a terminal closed mid-sentence loses
nothing: the next time the same note is edited, the draft comes back.
The caller stores the note and then discards the draft.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Static, TextArea

from reader.ui.screens.dialogs import after_pending_keys

if TYPE_CHECKING:
    from reader.core.annotations import Annotations
    from reader.ui.gateway import LibraryGateway

DRAFT_DELAY = 0.4  # seconds of quiet before the draft is written


class NoteEditor(ModalScreen[str | None]):
    """Edit one note; dismisses with the text (ctrl+s) or None (escape)."""

    DEFAULT_CSS = """
    NoteEditor { align: center middle; }
    NoteEditor > Vertical {
        width: 76; max-width: 95%; height: auto; max-height: 95%;
        background: $panel; border: thick $primary 60%; padding: 1 2;
    }
    NoteEditor #note-title {
        text-style: bold; margin-bottom: 1; text-wrap: nowrap; text-overflow: ellipsis;
    }
    NoteEditor #note-quote {
        color: $broadsheet-text-muted; text-style: italic; margin-bottom: 1; max-height: 3;
    }
    NoteEditor TextArea { height: auto; min-height: 4; max-height: 10; }
    NoteEditor #note-hint { color: $broadsheet-text-muted; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save note", priority=True, id="note-save"),
        Binding("escape", "cancel", "Cancel", priority=True, id="note-cancel"),
        Binding("ctrl+e", "external_editor", "$EDITOR", priority=True, id="note-external"),
    ]

    def __init__(
        self,
        title: str,
        text: str,
        *,
        draft_key: str,
        store: Annotations,
        gateway: LibraryGateway,
        quote: str | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.initial = text
        self.quote = quote
        self.draft_key = draft_key
        self.store = store
        self.gateway = gateway
        self._timer: Timer | None = None
        self._draft_loaded = False
        self._answered = False  # saved or cancelled: later keys change nothing

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(self.title_text), id="note-title")
            if self.quote:
                shown = self.quote if len(self.quote) <= 240 else self.quote[:239] + "…"
                yield Static(Content(f"“{shown}”"), id="note-quote")
            yield TextArea(self.initial, id="note-text", soft_wrap=True)
            hint = "ctrl+s save · escape cancel · ctrl+e edit in $EDITOR"
            yield Static(Content(hint), id="note-hint")

    @property
    def text_area(self) -> TextArea:
        return self.query_one("#note-text", TextArea)

    def on_mount(self) -> None:
        self.text_area.focus()
        self.text_area.move_cursor(self.text_area.document.end)
        self.restore_draft()

    @work(group="draft-load", exit_on_error=False)
    async def restore_draft(self) -> None:
        draft = await self.gateway.call(self.store.draft, self.draft_key)
        self._draft_loaded = True
        if self.text_area.text != self.initial:  # typed into already: the keys win
            return
        if draft is not None and draft != self.initial and draft.strip():
            self.text_area.load_text(draft)
            self.text_area.move_cursor(self.text_area.document.end)
            self.notify("Restored the draft you had not saved.", markup=False)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DRAFT_DELAY, self.save_draft)

    def save_draft(self) -> None:
        self._timer = None
        self._write_draft(self.text_area.text)

    @work(group="draft", exit_on_error=False)
    async def _write_draft(self, text: str) -> None:
        await self.gateway.call(self.store.save_draft, self.draft_key, text)

    def action_save(self) -> None:
        # Ctrl+S is a priority binding: it runs as the key arrives, possibly before
        # the text area has taken the keys typed just ahead of it. Save once it has.
        after_pending_keys(self, self._save_now)

    def _save_now(self) -> None:
        if self._answered:
            return
        self._answered = True
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.dismiss(self.text_area.text)

    def action_cancel(self) -> None:
        if self._answered:
            return
        self._answered = True
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._discard_draft()
        self.dismiss(None)

    @work(group="draft", exit_on_error=False)
    async def _discard_draft(self) -> None:
        await self.gateway.call(self.store.discard_draft, self.draft_key)

    def action_external_editor(self) -> None:
        # A priority binding too: the editor gets the text with every key typed before.
        after_pending_keys(self, self._edit_externally)

    def _edit_externally(self) -> None:
        if self._answered:
            return
        try:
            argv = shlex.split(os.environ.get("EDITOR", ""))
        except ValueError:
            argv = []
        if not argv:
            self.notify("Set $EDITOR to edit notes in your own editor.", markup=False)
            return
        handle, name = tempfile.mkstemp(prefix="broadsheet-note-", suffix=".md")
        path = Path(name)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                # A text file ends with a newline: an editor that appends a line then
                # starts it on a line of its own (and one trailing newline is taken off below).
                file.write(self.text_area.text + "\n")
            try:
                with self.app.suspend():
                    subprocess.run([*argv, str(path)], check=False)
            except SuspendNotSupported:
                self.notify("This terminal cannot hand over to an editor.", markup=False)
                return
            except OSError as error:
                self.notify(f"Could not start the editor: {error.strerror}", markup=False)
                return
            text = path.read_text(encoding="utf-8", errors="replace")
        finally:
            path.unlink(missing_ok=True)
        self.text_area.load_text(text[:-1] if text.endswith("\n") else text)
        self.text_area.move_cursor(self.text_area.document.end)
