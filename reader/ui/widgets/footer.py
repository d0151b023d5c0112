"""Textual's footer, rebuilt only when what it shows changes.

Textual's :class:`~textual.widgets.Footer` throws its keys away and mounts new
ones whenever the screen says its bindings may have changed: on every focus
change, and whenever a reactive declared with ``bindings=True`` changes. Each
rebuild mounts and styles a widget per key; at start-up the main screen asks
five times for the same six keys, which cost about a tenth of the time to
first paint. This footer compares what it would show with what it shows and
rebuilds only on a difference. It lists the essential keys first (see
ESSENTIAL_ACTIONS).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# The footer cannot always show every key (a narrow terminal, the reading pane's
# keys): these come first, so that what is cut off at the right matters least.
ESSENTIAL_ACTIONS = ("back", "help", "next_unread")


def _rank(action: str) -> int:
    name = action.rsplit(".", 1)[-1]
    return ESSENTIAL_ACTIONS.index(name) if name in ESSENTIAL_ACTIONS else len(ESSENTIAL_ACTIONS)


class QuietFooter(Footer):
    """A :class:`Footer` that skips rebuilds which would show the same keys, puts
    the essential keys first, and goes compact when ``narrow``."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: object | None = None
        self.narrow = False

    def set_narrow(self, narrow: bool) -> None:
        if narrow != self.narrow:
            self.narrow = narrow
            self.compact = narrow
            self.call_after_refresh(self.recompose)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        first: dict[str, tuple[Binding, bool, str]] = {}
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show:
                first.setdefault(binding.action, (binding, enabled, tooltip))
        ordered = sorted(first.values(), key=lambda item: _rank(item[0].action))
        self.styles.grid_size_columns = len(ordered)
        for binding, enabled, tooltip in ordered:
            key = FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            )
            key.compact = self.compact  # the footer recomposes when it changes
            yield key
        if not self.narrow:  # Ctrl+P, at the right end, when there is room for it
            yield from self._palette_key()

    def _palette_key(self) -> ComposeResult:
        app = self.app
        if not (self.show_command_palette and app.ENABLE_COMMAND_PALETTE):
            return
        found = self.screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
        if found is not None:
            _node, binding, enabled, _tooltip = found
            yield FooterKey(
                binding.key,
                app.get_key_display(binding),
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not enabled,
                tooltip=binding.tooltip or binding.description,
            )

    def _signature(self) -> object:
        """Everything ``Footer.compose`` reads: the shown bindings and how they look."""
        if not self._bindings_ready:
            return None
        app = self.app
        keys = tuple(
            (
                binding.key,
                app.get_key_display(binding),
                binding.description,
                binding.action,
                binding.group,
                binding.show,
                binding.tooltip,
                enabled,
                tooltip,
            )
            for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == app.COMMAND_PALETTE_BINDING
        )
        return (
            keys,
            self.compact,
            self.narrow,
            self.show_command_palette,
            self.combine_groups,
            app.ENABLE_COMMAND_PALETTE,
            app.COMMAND_PALETTE_BINDING,
        )

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        signature = self._signature()
        if signature is not None and signature == self._shown:
            return
        self._shown = signature
        await super().recompose()
