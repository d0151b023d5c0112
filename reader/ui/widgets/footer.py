"""Textual's footer, rebuilt only when what it shows changes.

Textual's :class:`~textual.widgets.Footer` throws its keys away and mounts new
ones whenever the screen says its bindings may have changed: on every focus
change, and whenever a reactive declared with ``bindings=True`` changes. Each
rebuild mounts and styles a widget per key; at start-up the main screen asks
five times for the same six keys, which cost about a tenth of the time to
first paint. This footer compares what it would show with what it shows and
rebuilds only on a difference. It looks exactly the same.
"""

from __future__ import annotations

from textual.widgets import Footer


class QuietFooter(Footer):
    """A :class:`Footer` that skips rebuilds which would show the same keys."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: object | None = None

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
