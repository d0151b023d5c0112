"""Turn one line of :class:`Content` into a :class:`Strip` for line-API widgets."""

from __future__ import annotations

from textual.content import Content
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual
from textual.widget import Widget


def content_strip(widget: Widget, content: Content, width: int, style: Style) -> Strip:
    """Render ``content`` (already wrapped to fit) on one line, padded to ``width``.

    Style names starting with "." resolve to the widget's component classes.
    """
    strips = Visual.to_strips(widget, content, max(width, 1), 1, style, apply_selection=False)
    strip = strips[0] if strips else Strip.blank(width, style.rich_style)
    return strip.crop_extend(0, width, style.rich_style)
