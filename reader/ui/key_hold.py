"""Each key goes where the screen, as it stands once the keys before it are handled,
sends it.

A terminal delivers quickly typed keys as one burst (a fast typist over SSH, a
paste): ``tpolitics⏎j`` arrives at once. Textual hands each key to the focused
widget as soon as it reads it, while a key's binding runs only once the key has
travelled back up from that widget, and some dialogs also ask the library for
what they show before they open. So the keys typed after the one that opens a
dialog (the tag, the note, the query) used to run as commands on the screen
behind it, and the keys typed after the one that closes a dialog (Enter, Ctrl+S)
were added to what it saved ("politicsj").

:class:`KeyHold` hands the keys out one at a time instead. A key read from the
terminal is kept while another is being handled (until it has been through the
focused widget and each of its parents up to the app, where its binding runs),
and while a dialog is on its way (a screen was pushed, or an action that will
push one after a look in the library called :func:`hold_keys`) until the new
screen has focus. Kept keys are then handed out again as if just typed, in the
order they were typed. If no dialog opens after all
(:func:`release_keys_unless_dialog`), they go where they would have gone.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import App, ScreenStackError
from textual.dom import DOMNode
from textual.screen import Screen
from textual.timer import Timer

HOLD_LIMIT = 5.0  # seconds: keys never wait longer than this for a dialog
IN_FLIGHT_LIMIT = 1.0  # seconds: nor for one key to be handled
HOP_ROUNDS = 2  # trips up the focused widget's parents that make a key handled
FOCUS_POLL = 0.01  # seconds between looks at whether the new screen has focus
FOCUS_WAIT = 1.0  # seconds a screen that takes no focus is waited for
NEVER_HELD = frozenset({"ctrl+c"})  # quitting works whatever happens


class KeyHold:
    """The keys of one app, handed out one at a time (see the module's docstring)."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.holding = False  # for a dialog on its way
        self._in_flight: events.Key | None = None
        self._in_flight_limit: Timer | None = None
        self._kept: list[events.Key] = []
        self._replay: events.Key | None = None
        self._waiting_for: Screen[Any] | None = None
        self._limit: Timer | None = None

    # -- holding for a dialog ------------------------------------------------------

    def start(self) -> None:
        """Keep keys from now on, until :meth:`release` (or ``HOLD_LIMIT``)."""
        self.holding = True
        if self._limit is not None:
            self._limit.stop()
        self._limit = self.app.set_timer(HOLD_LIMIT, self.release)

    def wait_for(self, screen: Screen[Any]) -> None:
        """``screen`` has just been shown: keep keys until it has focus."""
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
        """Stop holding for a dialog: the kept keys go out again, in typing order."""
        self.holding = False
        self._waiting_for = None
        if self._limit is not None:
            self._limit.stop()
            self._limit = None
        self._next()

    # -- one key at a time ---------------------------------------------------------

    def keeps(self, event: events.Key) -> bool:
        """Called for every key the app sees; True if it is kept for later.

        A key read from the terminal (not forwarded yet) is kept while another is
        being handled, while a dialog is on its way, and while keys typed before it
        wait. A key coming back up unhandled from a widget is kept only while a
        dialog is on its way (it was sent before the dialog was asked for).
        """
        if event.key in NEVER_HELD:
            return False
        if not event.is_forwarded:
            if event is self._replay:
                self._replay = None
                return False
            busy = self.holding or self._in_flight is not None or self._replay is not None
            if busy or self._kept:
                self._kept.append(event)
                return True
            return False
        if self.holding:
            self._kept.append(event)
            return True
        return False

    def handling(self, event: events.Key) -> None:
        """``event`` was just given to the screen: keep the keys after it until it has
        been through the focused widget and each parent up to the app."""
        if event.key in NEVER_HELD:
            return
        self._in_flight = event
        if self._in_flight_limit is not None:
            self._in_flight_limit.stop()
        self._in_flight_limit = self.app.set_timer(IN_FLIGHT_LIMIT, lambda: self._handled(event))
        try:
            start: DOMNode = self.app.focused or self.app.screen
        except ScreenStackError:  # starting or closing: no screen to go through
            chain: list[DOMNode] = [self.app]
        else:
            chain = list(start.ancestors_with_self)
        self._hop(chain, 0, event, HOP_ROUNDS)

    def _hop(self, chain: list[DOMNode], index: int, event: events.Key, rounds: int) -> None:
        # Queued behind the key at each level: when this runs there, the key has
        # been handled there (and, unless stopped, sent on to the next level). A
        # second round comes behind what its binding posted on the way (Enter in a
        # field posts Submitted, whose handler closes the dialog).
        while index < len(chain):
            if chain[index].call_later(self._hop, chain, index + 1, event, rounds):
                return
            index += 1  # closed (a dismissed dialog): nothing more happens there
        if rounds > 1:
            self._hop(chain, 0, event, rounds - 1)
        else:
            self._handled(event)

    def _handled(self, event: events.Key) -> None:
        if self._in_flight is not event:
            return
        self._in_flight = None
        if self._in_flight_limit is not None:
            self._in_flight_limit.stop()
            self._in_flight_limit = None
        self._next()

    def _next(self) -> None:
        """Hand out the earliest kept key, if nothing holds the keys."""
        if self.holding or self._in_flight is not None or self._replay is not None:
            return
        if not self._kept:
            return
        self._kept.sort(key=lambda event: event.time)  # typing order
        kept = self._kept.pop(0)
        again = events.Key(kept.key, kept.character)
        again.set_sender(self.app)
        self._replay = again
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
