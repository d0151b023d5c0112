"""Keys typed while a dialog opens wait for it.

A terminal delivers quickly typed keys as one burst (a fast typist over SSH, a
paste): ``tpolitics⏎`` arrives at once. Textual hands each key to the focused
widget as it reads it, and a key's binding runs only once the key has travelled
back up from that widget; some dialogs also ask the library for what they show
before they open. So the keys typed after the one that opens a dialog (the tag,
the note, the query) used to run as commands on the screen behind it.

:class:`KeyHold` keeps them instead: from the moment a dialog is on its way (a
screen is pushed, or an action that will push one after a look in the library
calls :func:`hold_keys`) until the new screen has focus, every key, whether it
comes from the terminal or back up unhandled from the widget that had focus, is
kept; then they are handed out again as if just typed, in the order they were
typed. Keys read meanwhile wait behind them. If no dialog opens after all
(:func:`release_keys_unless_dialog`), they go where they would have gone.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import App
from textual.screen import Screen
from textual.timer import Timer

HOLD_LIMIT = 5.0  # seconds: keys never wait longer than this for a dialog
FOCUS_POLL = 0.01  # seconds between looks at whether the new screen has focus
FOCUS_WAIT = 1.0  # seconds a screen that takes no focus is waited for
NEVER_HELD = frozenset({"ctrl+c"})  # quitting works whatever happens


class KeyHold:
    """The keys of one app, kept while a dialog opens (see the module's docstring)."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.holding = False
        self._kept: list[events.Key] = []
        self._replays: list[events.Key] = []
        self._waiting_for: Screen[Any] | None = None
        self._limit: Timer | None = None

    # -- holding ---------------------------------------------------------------

    def start(self) -> None:
        """Keep keys from now on, until :meth:`release` (or ``HOLD_LIMIT``)."""
        self.holding = True
        if self._limit is not None:
            self._limit.stop()
        self._limit = self.app.set_timer(HOLD_LIMIT, self.release)

    def wait_for(self, screen: Screen[Any]) -> None:
        """``screen`` has just been pushed: keep keys until it has focus."""
        self.start()
        self._waiting_for = screen
        self._check_focus(screen, round(FOCUS_WAIT / FOCUS_POLL))

    def _check_focus(self, screen: Screen[Any], tries: int) -> None:
        if self._waiting_for is not screen:  # released, or another screen took over
            return
        focused = screen.focused
        # Focus is given as the screen is pushed, before its widgets are mounted,
        # and may move as they mount (a dialog focuses its field then): wait for
        # both, then let anything queued meanwhile run before the keys go out.
        ready = (
            self.app.screen is screen
            and screen.is_mounted
            and focused is not None
            and focused.is_mounted
        )
        gone = screen not in self.app.screen_stack
        if ready or gone or tries <= 0:
            self.app.call_later(self._release_if_waiting_for, screen)
            return
        self.app.set_timer(FOCUS_POLL, lambda: self._check_focus(screen, tries - 1))

    def _release_if_waiting_for(self, screen: Screen[Any]) -> None:
        if self._waiting_for is screen:
            self.release()

    def release_unless_waiting(self) -> None:
        """An action that held keys is over: release them unless a screen it
        pushed is still on its way (that screen releases them once focused)."""
        if self._waiting_for is None:
            self.release()

    def release(self) -> None:
        """Hand the kept keys out again, in the order they were typed."""
        self.holding = False
        self._waiting_for = None
        if self._limit is not None:
            self._limit.stop()
            self._limit = None
        self._replay()

    # -- the keys --------------------------------------------------------------

    def keeps(self, event: events.Key) -> bool:
        """Called for every key the app sees; True if it is kept for later.

        A key read from the terminal (not forwarded yet) is kept while holding,
        and while kept keys are being handed out (it was typed after them). A key
        coming back up unhandled from a widget is kept only while holding.
        """
        if event.key in NEVER_HELD:
            return False
        if not event.is_forwarded:
            replay = next(
                (index for index, kept in enumerate(self._replays) if kept is event), None
            )
            if replay is not None:
                del self._replays[replay]
                if not self._replays and self._kept and not self.holding:
                    self._replay()  # keys read while these were handed out: theirs next
                return False
            if self.holding or self._replays:
                self._kept.append(event)
                return True
            return False
        if self.holding:
            self._kept.append(event)
            return True
        return False

    def _replay(self) -> None:
        kept = sorted(self._kept, key=lambda event: event.time)  # typing order
        self._kept = []
        for event in kept:
            again = events.Key(event.key, event.character)
            again.set_sender(self.app)
            self._replays.append(again)
            self.app.post_message(again)


def _hold_of(app: App[Any]) -> KeyHold | None:
    hold = getattr(app, "key_hold", None)
    return hold if isinstance(hold, KeyHold) else None


def hold_keys(app: App[Any]) -> None:
    """An action will open a dialog once the library answers: keep the keys
    typed meanwhile for it. Pair with :func:`release_keys_unless_dialog`."""
    hold = _hold_of(app)
    if hold is not None:
        hold.start()


def release_keys_unless_dialog(app: App[Any]) -> None:
    """The action that called :func:`hold_keys` is over: if it opened no dialog,
    the keys kept go where they would have gone."""
    hold = _hold_of(app)
    if hold is not None:
        hold.release_unless_waiting()
