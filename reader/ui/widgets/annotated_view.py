"""The reading pane with highlights and notes, over the reading cursor and the
selection of :mod:`reader.ui.widgets.cursor_view` (its modes: scroll, cursor,
visual).

``h`` highlights the selection, ``a`` annotates it, ``N`` writes the article's
note; notes can show inline (``z``). Highlights are offsets into the article's
canonical text, so they survive re-wrapping at any width; the store is the
library's :meth:`annotations` (none for a stand-in library), reached through
the gateway.
"""

from __future__ import annotations

import sqlite3
import textwrap
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Size
from textual.strip import Strip

from reader.core.errors import BroadsheetError
from reader.core.models import Article
from reader.core.sanitize import clean_line
from reader.core.wording import plural
from reader.ui.key_hold import hold_keys, release_keys_unless_dialog
from reader.ui.typeset import Typeset, TypesetLine
from reader.ui.widgets._strips import content_strip
from reader.ui.widgets.cursor_view import CursorReadingView
from reader.ui.widgets.reading_view import ReadingView

if TYPE_CHECKING:
    # Imported when first used, not at start-up: the first screen needs neither
    # the annotation store (loaded with an article) nor the motions (a key press).
    from reader.core.annotations import Annotation, Annotations
    from reader.ui.gateway import LibraryGateway

T = TypeVar("T")
NOTE_MARKER = "✎"


@dataclass(frozen=True, slots=True)
class Reveal:
    """Put the cursor on ``offset`` once article ``article_id`` is shown."""

    article_id: int
    offset: int


class AnnotatedReadingView(CursorReadingView):
    """A reading pane with a cursor (:class:`CursorReadingView`) that highlights and
    annotates. Every binding of the pane is listed here, the cursor's too: the
    help screen and the command palette read them from this class."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("v", "visual", "Select", id="visual"),
        Binding("escape", "cancel", "Cancel selection", show=False, id="cancel-selection"),
        Binding("w", "motion('word', 1)", "Next word", show=False, id="word-forward"),
        Binding("b", "motion('word', -1)", "Previous word", show=False, id="word-back"),
        Binding(
            "right_parenthesis", "motion('sentence', 1)", "Next sentence", show=False,
            id="sentence-forward",
        ),
        Binding(
            "left_parenthesis", "motion('sentence', -1)", "Previous sentence", show=False,
            id="sentence-back",
        ),
        Binding(
            "right_curly_bracket", "motion('paragraph', 1)", "Next paragraph", show=False,
            id="paragraph-forward",
        ),
        Binding(
            "left_curly_bracket", "motion('paragraph', -1)", "Previous paragraph", show=False,
            id="paragraph-back",
        ),
        Binding("h", "highlight", "Highlight", id="highlight"),
        Binding("a", "annotate", "Annotate", id="annotate"),
        Binding("enter", "edit_note", "Edit note", show=False, id="edit-note"),
        Binding("D", "delete_highlight", "Delete highlight", show=False, id="delete-highlight"),
        Binding("U", "undo_delete", "Undo delete", show=False, id="undo-delete"),
        Binding(
            "right_square_bracket", "jump_highlight(1)", "Next highlight", show=False,
            id="next-highlight",
        ),
        Binding(
            "left_square_bracket", "jump_highlight(-1)", "Previous highlight", show=False,
            id="previous-highlight",
        ),
        Binding("z", "toggle_notes", "Show notes", show=False, id="toggle-notes"),
        Binding("N", "article_note", "Article note", show=False, id="article-note"),
    ]  # fmt: skip

    COMPONENT_CLASSES = ReadingView.COMPONENT_CLASSES | {
        "reading--highlight",
        "reading--selection",
        "reading--cursor",
        "reading--note",
        "reading--note-marker",
        "reading--orphan",
    }

    DEFAULT_CSS = """
    AnnotatedReadingView > .reading--highlight { background: $broadsheet-highlight; }
    AnnotatedReadingView > .reading--selection { background: $broadsheet-selection; }
    AnnotatedReadingView > .reading--cursor { text-style: reverse; }
    AnnotatedReadingView > .reading--note { color: $broadsheet-note; text-style: italic; }
    AnnotatedReadingView > .reading--note-marker { color: $broadsheet-note; text-style: bold; }
    AnnotatedReadingView > .reading--orphan { color: $broadsheet-text-muted; text-style: italic; }
    """

    def __init__(
        self, gateway: LibraryGateway, *, measure: int = 80, id: str | None = None
    ) -> None:
        super().__init__(measure=measure, id=id)
        self.gateway = gateway
        self.annotations: list[Annotation] = []
        self.notes_open = False
        self.deleted: list[Annotation] = []
        self.reveal: Reveal | None = None
        self._marker_lines: set[int] = set()
        self._loaded_for: int | None = None

    # -- plumbing --------------------------------------------------------------

    @property
    def store(self) -> Annotations | None:
        return self.gateway.library.annotations()

    async def call(self, function: Callable[..., T], *args: object) -> T:
        return await self.gateway.call(function, *args)

    def _guard(self, action: Awaitable[object], *, group: str = "annotate") -> None:
        async def run() -> None:
            try:
                await action
            except (BroadsheetError, sqlite3.Error, OSError) as error:
                message = clean_line(str(error)) or error.__class__.__name__
                self.notify(message, severity="error", markup=False, timeout=8)

        self.run_worker(run(), group=group, exit_on_error=False)

    def _require_store(self) -> Annotations | None:
        store = self.store
        if store is None:
            self.notify("Annotations need a library on disk.", markup=False)
        return store

    # -- showing an article ----------------------------------------------------

    def show(self, article: Article | None, position: int = 0) -> None:
        reveal = self.reveal
        keep = article is not None and self._loaded_for == article.id
        if not keep:
            self.annotations = []
            self.deleted = []
            self._loaded_for = None
        self.mode = "scroll"
        self.mouse_range = None
        if article is not None and reveal is not None and reveal.article_id == article.id:
            self.reveal = None
            position = reveal.offset
            self.mode = "cursor"
            self.cursor = max(0, min(reveal.offset, max(0, len(article.text) - 1)))
        super().show(article, position)
        if article is not None:
            self._guard(self._load(article.id), group="annotations-load")

    async def _load(self, article_id: int) -> None:
        store = self.store
        if store is None:
            return
        found = await self.call(store.for_article, article_id)
        if self.article is None or self.article.id != article_id:
            return
        self.annotations = found
        self._loaded_for = article_id
        self._relayout()

    async def reload_annotations(self) -> None:
        if self.article is not None:
            await self._load(self.article.id)

    @property
    def highlights(self) -> list[Annotation]:
        """Placed highlights, by position."""
        return [
            item
            for item in self.annotations
            if item.kind == "highlight" and not item.orphaned and item.start is not None
        ]

    @property
    def article_note_item(self) -> Annotation | None:
        return next((item for item in self.annotations if item.kind == "note"), None)

    # -- layout: notes inline ----------------------------------------------------

    def _relayout(self) -> None:
        super()._relayout()
        if self.layout_ is not None:
            self.layout_ = self._decorate(self.layout_)
            self.virtual_size = Size(self.layout_.width, len(self.layout_.lines) + 1)

    def _note_lines(self, note: str, width: int, style: str, lead: str) -> list[TypesetLine]:
        lines: list[TypesetLine] = []
        body_width = max(10, width - 4)
        for number, paragraph in enumerate(note.splitlines() or [""]):
            wrapped = textwrap.wrap(paragraph, body_width) or [""]
            for index, part in enumerate(wrapped):
                prefix = lead if number == 0 and index == 0 else " " * (len(lead) - 2) + lead[-2:]
                if lead.startswith(NOTE_MARKER):
                    prefix = lead if number == 0 and index == 0 else " " * len(lead)
                content = Content.styled(prefix, ".reading--note-marker") + Content.styled(
                    part, style
                )
                lines.append(TypesetLine(content))
        return lines

    def _decorate(self, layout: Typeset) -> Typeset:
        """Add the article note under the title block and, when notes are open,
        each highlight's note after its paragraph; mark lines that carry notes."""
        lines = list(layout.lines)
        inserts: dict[int, list[TypesetLine]] = {}
        body_start = next((i for i, line in enumerate(lines) if line.runs), len(lines))
        note = self.article_note_item
        if note is not None and note.note:
            block = self._note_lines(note.note, layout.width, ".reading--note", f"{NOTE_MARKER} ")
            inserts.setdefault(max(0, body_start - 1), []).extend(
                [TypesetLine(Content("")), *block]
            )
        orphans = [item for item in self.annotations if item.kind == "highlight" and item.orphaned]
        if orphans:
            text = f"{plural(len(orphans), 'highlight')} could not be placed in the current text (see H)"
            inserts.setdefault(max(0, body_start - 1), []).append(
                TypesetLine(Content.styled(text, ".reading--orphan"))
            )
        if self.notes_open:
            from reader.ui.motions import paragraph_spans

            paragraphs = paragraph_spans(layout.text)
            for item in self.highlights:
                if not item.note or item.end is None:
                    continue
                end = next((high for low, high in paragraphs if low < item.end <= high), item.end)
                last = layout.line_of_offset(max(0, end - 1))
                block = self._note_lines(item.note, layout.width, ".reading--note", "  ┃ ")
                inserts.setdefault(last + 1, []).extend(block)
        markers: set[int] = set()
        if inserts:
            merged: list[TypesetLine] = []
            for index, line in enumerate(lines):
                merged.extend(inserts.get(index, []))
                merged.append(line)
            merged.extend(inserts.get(len(lines), []))
            layout = Typeset(merged, layout.links, layout.width, layout.text)
        for item in self.highlights:
            if item.note and item.start is not None:
                markers.add(layout.line_of_offset(item.start))
        self._marker_lines = markers
        return layout

    # -- rendering -------------------------------------------------------------

    def _line_content(self, line: TypesetLine) -> Content:
        content = super()._line_content(line)
        if not line.runs:
            return content
        highlight = self._paint("reading--highlight")
        for item in self.highlights:
            assert item.start is not None and item.end is not None
            for low, high in line.spans_for(item.start, item.end):
                content = content.stylize_before(highlight, low, high)
        selected = self.selected_range()
        if selected is not None:
            for low, high in line.spans_for(*selected):
                content = content.stylize(self._paint("reading--selection"), low, high)
        if self.has_focus or self.mode != "scroll":
            index = line.index_of_offset(self.cursor_offset)
            if index is not None:
                content = content.stylize(self._paint("reading--cursor"), index, index + 1)
        return content

    def render_line(self, y: int) -> Strip:
        index = round(self.scroll_offset.y) + y
        if self.layout_ is None or index >= len(self.layout_.lines):
            return super().render_line(y)
        width = self.scrollable_content_region.width
        margin = self._margin(width)
        gutter = Content(" " * margin)
        if index in self._marker_lines and margin >= 2:
            marker = Content.styled(NOTE_MARKER, ".reading--note-marker")
            gutter = Content(" " * (margin - 2)) + marker + Content(" ")
        content = gutter + self._line_content(self.layout_.lines[index])
        strip = content_strip(self, content, width, self.visual_style)
        return strip.apply_offsets(0, index)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit_note":
            return self.article is not None and self.highlight_at_cursor() is not None
        if action == "delete_highlight":  # with nothing under the cursor, it says so
            return self.article is not None
        if action == "undo_delete":  # else U reaches the screen: undo mark-all-read
            return bool(self.deleted)
        return super().check_action(action, parameters)

    def highlight_at_cursor(self) -> Annotation | None:
        """The highlight under the cursor as drawn: in scroll mode that is the first
        character shown, so a highlight there answers Enter, ``a`` and ``D`` too."""
        offset = self.cursor_offset
        return next(
            (
                item
                for item in self.highlights
                if item.start is not None and item.end is not None
                and item.start <= offset < item.end
            ),
            None,
        )  # fmt: skip

    def action_jump_highlight(self, direction: int) -> None:
        if self.layout_ is None:
            return
        here = self.cursor_offset
        starts = [item.start for item in self.highlights if item.start is not None]
        if direction > 0:
            # In scroll mode the cursor only marks the top of the view: a highlight
            # starting right there is still ahead of the reader.
            ahead = here if self.mode == "scroll" else here + 1
            found = next((start for start in starts if start >= ahead), None)
        else:
            found = next((start for start in reversed(starts) if start < here), None)
        if found is None:
            word = "after" if direction > 0 else "before"
            self.notify(f"No highlight {word} the cursor.", markup=False)
            return
        if self.mode == "scroll":
            self.mode = "cursor"
        self._set_cursor(found)

    def action_toggle_notes(self) -> None:
        self.notes_open = not self.notes_open
        if self.article is not None:
            self._relayout()

    # -- highlighting and notes ------------------------------------------------

    def _take_selection(self) -> tuple[int, int] | None:
        selected = self.selected_range()
        if selected is None:
            self.notify(
                "Select some text first: v then motions (w b ( ) { } j k), or drag with the mouse.",
                markup=False,
            )
        return selected

    def _after_highlight(self, item: Annotation) -> None:
        self.annotations.append(item)
        self.annotations.sort(key=_order)
        if self.mouse_range is not None:
            self.screen.clear_selection()
        self.mouse_range = None
        self.mode = "cursor"
        self.cursor = item.start or 0
        self._relayout_keeping_view()

    def _relayout_keeping_view(self) -> None:
        top = round(self.scroll_offset.y)
        self._relayout()
        self.call_after_refresh(self.scroll_to, y=top, animate=False, immediate=True)

    def highlight_over(self, selected: tuple[int, int]) -> Annotation | None:
        """The highlight the selection mostly is: the one it overlaps most, if they
        share at least half of the shorter of the two (so selecting an annotated
        sentence again means that annotation, not a second one on top of it)."""
        low, high = selected
        best: tuple[int, Annotation] | None = None
        for item in self.highlights:
            if item.start is None or item.end is None:
                continue
            shared = min(high, item.end) - max(low, item.start)
            shorter = min(high - low, item.end - item.start)
            if shared > 0 and 2 * shared >= shorter and (best is None or shared > best[0]):
                best = (shared, item)
        return best[1] if best is not None else None

    def _leave_selection(self) -> None:
        if self.mouse_range is not None:
            self.screen.clear_selection()
        self.mouse_range = None
        if self.mode == "visual":
            self.mode = "cursor"
        self.refresh()

    def action_highlight(self) -> None:
        store = self._require_store()
        selected = self._take_selection() if store is not None else None
        if store is None or selected is None or self.article is None:
            return
        if self.highlight_over(selected) is not None:
            self._leave_selection()
            self.notify("Already highlighted: a adds a note to it.", markup=False, timeout=3)
            return
        self._guard(self._highlight(store, self.article.id, selected, edit=False))

    def action_annotate(self) -> None:
        store = self._require_store()
        if store is None or self.article is None:
            return
        if self.selected_range() is None:
            existing = self.highlight_at_cursor()
            if existing is not None:
                self.edit_note(existing)
                return
        selected = self._take_selection()
        if selected is None:
            return
        existing = self.highlight_over(selected)
        if existing is not None:  # a note on what is already highlighted: edit that one
            self._leave_selection()
            self.edit_note(existing)
            return
        hold_keys(self.app)  # what is typed next is the note: keep it for the editor
        self._guard(self._highlight(store, self.article.id, selected, edit=True))

    async def _highlight(
        self, store: Annotations, article_id: int, selected: tuple[int, int], *, edit: bool
    ) -> None:
        try:
            item = await self.call(store.highlight, article_id, *selected)
            if self.article is None or self.article.id != article_id:
                return
            self._after_highlight(item)
            if edit:
                self.edit_note(item, new=True)
            else:
                self.notify("Highlighted.", markup=False, timeout=2)
        finally:
            if edit:
                release_keys_unless_dialog(self.app)

    def action_edit_note(self) -> None:
        existing = self.highlight_at_cursor()
        if existing is not None:
            self.edit_note(existing)

    def edit_note(self, item: Annotation, *, new: bool = False) -> None:
        """Edit the note of highlight ``item``; ``new`` when ``a`` has just made it,
        so that cancelling the editor takes the highlight back too."""
        from reader.ui.screens.note_editor import NoteEditor

        store = self._require_store()
        if store is None:
            return
        editor = NoteEditor(
            "Note on the highlight",
            item.note or "",
            draft_key=f"highlight:{item.uuid}",
            store=store,
            gateway=self.gateway,
            quote=item.exact,
        )
        self.app.push_screen(editor, lambda text: self._note_edited(store, item, text, new))

    def _note_edited(
        self, store: Annotations, item: Annotation, text: str | None, new: bool
    ) -> None:
        if text is None:
            if new:  # ``a`` then Escape leaves nothing behind
                self._guard(self._withdraw(store, item))
            return
        self._guard(self._save_note(store, item, text))

    async def _withdraw(self, store: Annotations, item: Annotation) -> None:
        """Remove a highlight made for a note that was never written (no undo entry)."""
        await self.call(store.delete, item.id)
        self.annotations = [each for each in self.annotations if each.id != item.id]
        if self.article is not None and self.article.id == item.article_id:
            self._relayout_keeping_view()
        self.notify("Cancelled: nothing highlighted.", markup=False, timeout=2)

    async def _save_note(self, store: Annotations, item: Annotation, text: str) -> None:
        updated = await self.call(store.set_note, item.id, text or None)
        await self.call(store.discard_draft, f"highlight:{item.uuid}")
        self.annotations = [updated if each.id == item.id else each for each in self.annotations]
        self._relayout_keeping_view()
        self.notify("Note saved." if updated.note else "Note removed.", markup=False, timeout=2)

    def action_article_note(self) -> None:
        from reader.ui.screens.note_editor import NoteEditor

        store = self._require_store()
        if store is None or self.article is None:
            return
        article = self.article
        current = self.article_note_item
        editor = NoteEditor(
            f"Note on “{clean_line(article.title) or 'Untitled'}”",
            current.note or "" if current is not None else "",
            draft_key=f"article:{article.id}",
            store=store,
            gateway=self.gateway,
        )
        self.app.push_screen(editor, lambda text: self._article_note_edited(store, article, text))

    def _article_note_edited(self, store: Annotations, article: Article, text: str | None) -> None:
        if text is not None:
            self._guard(self._save_article_note(store, article.id, text))

    async def _save_article_note(self, store: Annotations, article_id: int, text: str) -> None:
        saved = await self.call(store.set_article_note, article_id, text)
        await self.call(store.discard_draft, f"article:{article_id}")
        if self.article is None or self.article.id != article_id:
            return
        others = [item for item in self.annotations if item.kind != "note"]
        self.annotations = sorted([*others, *([saved] if saved else [])], key=_order)
        self._relayout_keeping_view()
        self.notify(
            "Article note saved." if saved else "Article note removed.", markup=False, timeout=2
        )

    def action_delete_highlight(self) -> None:
        store = self._require_store()
        item = self.highlight_at_cursor()
        if store is not None and item is None:
            self.notify(
                "No highlight under the cursor: ] and [ move to one.", markup=False, timeout=3
            )
        if store is not None and item is not None:
            self._guard(self._delete(store, item))

    async def _delete(self, store: Annotations, item: Annotation) -> None:
        removed = await self.call(store.delete, item.id)
        self.deleted.append(removed)
        self.annotations = [each for each in self.annotations if each.id != item.id]
        self._relayout_keeping_view()
        self.notify("Highlight deleted. U brings it back.", markup=False)

    def action_undo_delete(self) -> None:
        store = self._require_store()
        if store is None:
            return
        if self.deleted:
            self._guard(self._undo(store, self.deleted.pop()))

    async def _undo(self, store: Annotations, item: Annotation) -> None:
        restored = await self.call(store.restore, item)
        if self.article is not None and self.article.id == restored.article_id:
            self.annotations = sorted(
                [each for each in self.annotations if each.uuid != restored.uuid] + [restored],
                key=_order,
            )
            self._relayout_keeping_view()
        self.notify("Highlight restored.", markup=False, timeout=2)


def _order(item: Annotation) -> tuple[bool, bool, int, int, int]:
    """The order of ``Annotations.for_article``: article note, highlights, orphans."""
    return (item.kind == "highlight", item.orphaned, item.start or 0, item.end or 0, item.id)
