"""The reading pane's cursor and selection, under the highlights and notes of
:class:`~reader.ui.widgets.annotated_view.AnnotatedReadingView`.

Three modes:

* **scroll** (the default): j/k scroll as before; the cursor follows the top
  of the view (it is drawn on the first character shown there).
* **cursor**: the cursor stays where it was put (w/b, ( ), { }, ] [ move it;
  j/k move it by screen line and the view follows). Escape goes back to scroll.
* **visual** (``v``): the text between where ``v`` was pressed and the cursor
  is selected; motions extend it over whole units. Escape cancels.

Everything is an offset into the article's canonical text, so the cursor and the
selection survive re-wrapping at any width. A mouse drag selects too: the
line-API rendering tags every cell with its (character, line) offset, and
:meth:`get_selection` / :meth:`selection_updated` map the screen selection back
through the wrap map. The keys are bound by the subclass.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from textual.geometry import Offset
from textual.selection import Selection

from reader.ui.widgets.reading_view import ReadingView

if TYPE_CHECKING:
    from reader.ui.motions import Unit

Mode = Literal["scroll", "cursor", "visual"]


class CursorReadingView(ReadingView):
    """A :class:`ReadingView` with a reading cursor and a selection (keys and mouse)."""

    def __init__(self, *, measure: int = 80, id: str | None = None) -> None:
        super().__init__(measure=measure, id=id)
        self.mode: Mode = "scroll"
        self.cursor = 0
        self.selection_anchor = 0
        self.mouse_range: tuple[int, int] | None = None

    # -- where the cursor and the selection are ----------------------------------

    def selected_range(self) -> tuple[int, int] | None:
        """The selection as a canonical range (visual mode first, then the mouse's)."""
        if self.layout_ is None:
            return None
        if self.mode == "visual":
            low, high = sorted((self.selection_anchor, self.cursor))
            return low, min(len(self.layout_.text), high + 1)
        return self.mouse_range

    @property
    def cursor_offset(self) -> int:
        """Where the cursor is drawn: pinned, or the top of the view in scroll mode."""
        if self.mode != "scroll":
            return self.cursor
        if self.layout_ is None:
            return 0
        return self.layout_.offset_of_line(round(self.scroll_offset.y))

    def _margin(self, width: int) -> int:
        assert self.layout_ is not None
        return max(1, (width - self.layout_.width) // 2)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- mouse selection -------------------------------------------------------

    def _offset_at(self, point: Offset | None, *, end: bool) -> int:
        """The canonical offset at a selection point (x: character, y: line)."""
        assert self.layout_ is not None
        text_length = len(self.layout_.text)
        if point is None:
            return text_length if end else 0
        lines = self.layout_.lines
        width = self.scrollable_content_region.width
        column = point.x - self._margin(width)
        row = min(max(0, point.y), len(lines) - 1) if lines else 0
        if not lines:
            return 0
        line = lines[row]
        for run in line.runs:
            if run.index <= column < run.index + run.length:
                return run.offset + column - run.index
        if end:  # past a line's text: the end of what comes before
            before = [run for run in line.runs if run.index < column]
            if before:
                last = before[-1]
                return last.offset + last.length
            for previous in range(row - 1, -1, -1):
                if lines[previous].runs:
                    last = lines[previous].runs[-1]
                    return last.offset + last.length
            return 0
        after = [run for run in line.runs if run.index >= column]
        if after:
            return after[0].offset
        for following in range(row + 1, len(lines)):
            if lines[following].runs:
                return lines[following].runs[0].offset
        return text_length

    def range_of_selection(self, selection: Selection) -> tuple[int, int] | None:
        if self.layout_ is None:
            return None
        start = self._offset_at(selection.start, end=False)
        end = self._offset_at(selection.end, end=True)
        return (start, end) if end > start else None

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        found = self.range_of_selection(selection)
        if found is None or self.layout_ is None:
            return None
        return self.layout_.text[found[0] : found[1]], "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.mouse_range = None if selection is None else self.range_of_selection(selection)
        self.refresh()

    # -- cursor movement ---------------------------------------------------------

    def _text(self) -> str:
        return self.layout_.text if self.layout_ is not None else ""

    def _pin(self) -> None:
        """Leave scroll mode: the cursor stays where it is drawn."""
        if self.mode == "scroll":
            self.cursor = self.cursor_offset
            self.mode = "cursor"

    def _set_cursor(self, offset: int) -> None:
        text = self._text()
        self.cursor = max(0, min(offset, max(0, len(text) - 1)))
        self._ensure_visible()
        self.refresh()

    def _ensure_visible(self) -> None:
        if self.layout_ is None:
            return
        line = self.layout_.line_of_offset(self.cursor)
        top = round(self.scroll_offset.y)
        height = max(1, self.size.height)
        if line < top:
            self.scroll_to(y=max(0, line - 1), animate=False, immediate=True)
        elif line >= top + height:
            self.scroll_to(y=line - height + 2, animate=False, immediate=True)

    def _line_move(self, delta: int) -> None:
        assert self.layout_ is not None
        lines = self.layout_.lines
        row = self.layout_.line_of_offset(self.cursor)
        index = lines[row].index_of_offset(self.cursor)
        column = lines[row].column_of_index(index) if index is not None else 0
        step = 1 if delta > 0 else -1
        remaining, target, found = abs(delta), row, row
        while remaining:
            target += step
            if not 0 <= target < len(lines):
                break
            if lines[target].runs:
                found = target
                remaining -= 1
        line = lines[found]
        offset = line.offset_at_column(column)
        if offset is None:
            last = line.runs[-1]
            offset = last.offset + last.length - 1 if column > last.index else line.runs[0].offset
        self._set_cursor(offset)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel":
            return self.mode != "scroll" or self.mouse_range is not None
        return super().check_action(action, parameters)

    def action_scroll_lines(self, lines: int) -> None:
        if self.mode == "scroll" or self.layout_ is None:
            super().action_scroll_lines(lines)
        else:
            self._line_move(lines)

    def action_page(self, direction: int) -> None:
        if self.mode == "scroll" or self.layout_ is None:
            super().action_page(direction)
        else:
            self._line_move(direction * max(1, self.size.height - 2))

    def action_top(self) -> None:
        if self.mode == "scroll":
            super().action_top()
        else:
            self._set_cursor(0)

    def action_bottom(self) -> None:
        if self.mode == "scroll":
            super().action_bottom()
        else:
            self._set_cursor(len(self._text()) - 1)

    def action_motion(self, unit: Unit, direction: int) -> None:
        if self.layout_ is None:
            return
        from reader.ui.motions import move

        self._pin()
        extending = self.mode == "visual" and self.cursor >= self.selection_anchor
        target = move(self._text(), self.cursor, unit, direction > 0, to_end=extending)
        self._set_cursor(target)

    def action_visual(self) -> None:
        if self.layout_ is None:
            return
        if self.mode == "visual":
            self.mode = "cursor"
        else:
            self._pin()
            self.mode = "visual"
            self.selection_anchor = self.cursor
            self.mouse_range = None
        self.refresh()

    def action_cancel(self) -> None:
        if self.mode == "visual":
            self.mode = "cursor"
        elif self.mouse_range is not None:
            self.mouse_range = None
            self.screen.clear_selection()
        else:
            self.mode = "scroll"
        self.refresh()
