"""The base of the main screen's parts: mixins of :class:`MainScreen`, one module
per topic (tags and search, feeds, refreshing, links, reading order), so that
the screen module holds the layout, the views and the wiring only."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from reader.ui.screens.main import MainScreen


class MainScreenPart:
    """A part of :class:`~reader.ui.screens.main.MainScreen`, mixed into it (whose
    ``BINDINGS`` list the keys). Textual finds ``@on`` handlers only on the screen
    class itself: a part offers methods, the screen routes messages to them."""

    @property
    def _main(self) -> MainScreen:
        return cast("MainScreen", self)
