"""Option lists whose highlighted row is drawn in the cursor's own colours.

An option's parts (counts, dates, quotes) are coloured for the page behind
them; on the cursor row, whose background is the theme's cursor colour, those
colours may not read. The highlighted option is drawn as plain text instead,
so it takes the cursor's foreground, which the theme makes readable on it.
"""

from __future__ import annotations

from textual.content import Content
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class PlainCursorOptionList(OptionList):
    """An :class:`OptionList` that draws its highlighted option without colours."""

    DEFAULT_CSS = """
    PlainCursorOptionList { color: $broadsheet-text; }
    PlainCursorOptionList > .option-list--option-highlighted {
        background: $broadsheet-cursor; color: $broadsheet-text;
    }
    PlainCursorOptionList:focus > .option-list--option-highlighted {
        background: $block-cursor-background; color: $broadsheet-cursor-text;
    }
    """

    _plain_option: Option | None = None

    def _get_option_render(self, option: Option, style: Style) -> list[Strip]:
        highlighted = self.highlighted
        if highlighted is not None and self._option_to_index.get(option) == highlighted:
            self._plain_option = option
        try:
            return super()._get_option_render(option, style)
        finally:
            self._plain_option = None

    def _get_visual(self, option: Option) -> Visual:
        if option is self._plain_option and isinstance(option.prompt, Content):
            return Content(option.prompt.plain)
        return super()._get_visual(option)
