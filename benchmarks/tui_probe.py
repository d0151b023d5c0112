"""Drive terminal apps through tmux and time what reaches the screen.

Used by ``run.py`` for scenarios (e) and (f). Every app runs in a detached
session of a private tmux server (``tmux -L NAME -f /dev/null``) at a fixed
size; the screen is read with ``capture-pane -p`` (``-e`` adds colours, so a
cursor that only changes the highlight is seen). A measurement is the time
from just before the action (launching the session, sending a key) to the
first capture that shows the expected change, so it includes tmux's own
latency and one capture (~3 ms here): its resolution is one capture.
"""

from __future__ import annotations

import math
import os
import re
import shlex
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

WIDTH = 160
HEIGHT = 48
# Not passed to the apps: no user's environment has them (PYTHONDONTWRITEBYTECODE
# would make every start compile every module).
DROPPED_ENV = ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PYTHONPATH", "PYTHONSAFEPATH")

HELLO_APP = '''
"""The floor: a bare Textual app (one Static) that j/k change."""
from textual.app import App, ComposeResult
from textual.widgets import Static


class Hello(App[None]):
    BINDINGS = [("j", "move(1)", "down"), ("k", "move(-1)", "up"), ("q", "quit", "quit")]
    count = 0

    def compose(self) -> ComposeResult:
        yield Static("Hello, benchmark 0", id="hello")

    def action_move(self, delta: int) -> None:
        self.count += delta
        self.query_one(Static).update(f"Hello, benchmark {self.count}")


Hello().run()
'''


class ProbeError(RuntimeError):
    pass


@dataclass
class Paint:
    seconds: float
    peak_rss_mb: float | None
    screen: str


class Tmux:
    """A private tmux server; sessions are apps under test."""

    def __init__(self, name: str, width: int = WIDTH, height: int = HEIGHT) -> None:
        self.base = ["tmux", "-L", name, "-f", "/dev/null"]
        self.width = width
        self.height = height
        # The server's environment is what the apps get: the caller's, less these.
        self.env = {key: value for key, value in os.environ.items() if key not in DROPPED_ENV}
        # A long-lived session keeps the server up, so launching an app does
        # not include starting the tmux server.
        self.cmd("new-session", "-d", "-s", "keepalive", "-x", "80", "-y", "24", "sleep 86400")

    def cmd(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            [*self.base, *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
            env=self.env,
        )
        if check and done.returncode != 0:
            raise ProbeError(f"tmux {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def launch(self, session: str, argv: Sequence[str], cwd: Path | None = None) -> float:
        """Start ``argv`` (executed directly, no shell) in a new session; returns the
        perf_counter just before launching."""
        self.cmd("kill-session", "-t", session, check=False)
        args = ["new-session", "-d", "-s", session, "-x", str(self.width), "-y", str(self.height)]
        if cwd is not None:
            args += ["-c", str(cwd)]
        started = time.perf_counter()
        self.cmd(*args, "--", *argv)
        return started

    def set_remain(self, session: str) -> None:
        self.cmd("set-option", "-t", session, "remain-on-exit", "on", check=False)

    def capture(self, session: str, escapes: bool = False) -> str:
        args = ["capture-pane", "-p", "-t", session]
        if escapes:
            args.insert(2, "-e")
        return self.cmd(*args, check=False)

    def send(self, session: str, *keys: str) -> None:
        self.cmd("send-keys", "-t", session, *keys)

    def pane_pid(self, session: str) -> int | None:
        out = self.cmd("display-message", "-p", "-t", session, "#{pane_pid}", check=False).strip()
        return int(out) if out.isdigit() else None

    def pane_dead(self, session: str) -> bool:
        out = self.cmd("display-message", "-p", "-t", session, "#{pane_dead}", check=False)
        return out.strip() == "1"

    def kill(self, session: str) -> None:
        self.cmd("kill-session", "-t", session, check=False)

    def close(self) -> None:
        self.cmd("kill-server", check=False)

    def wait_for(
        self,
        session: str,
        ready: Callable[[str], bool],
        *,
        timeout: float,
        escapes: bool = False,
        interval: float = 0.0,
    ) -> tuple[float, str]:
        """Poll the screen until ``ready(screen)``; returns (perf_counter, screen)."""
        deadline = time.perf_counter() + timeout
        screen = ""
        while True:
            screen = self.capture(session, escapes)
            now = time.perf_counter()
            if ready(screen):
                return now, screen
            if now > deadline:
                raise ProbeError(
                    f"{session}: timed out after {timeout:g} s; screen:\n" + _tail(screen)
                )
            if self.pane_dead(session):
                raise ProbeError(f"{session}: the program exited; screen:\n" + _tail(screen))
            if interval:
                time.sleep(interval)

    def settle(self, session: str, *, quiet: float = 0.03, timeout: float = 2.0) -> str:
        """Wait until the screen has not changed for ``quiet`` seconds."""
        last = self.capture(session, True)
        since = time.perf_counter()
        deadline = since + timeout
        while time.perf_counter() < deadline:
            time.sleep(0.005)
            screen = self.capture(session, True)
            if screen != last:
                last, since = screen, time.perf_counter()
            elif time.perf_counter() - since >= quiet:
                break
        return last


def _tail(screen: str, lines: int = 15) -> str:
    kept = [line for line in screen.splitlines() if line.strip()]
    return "\n".join(kept[-lines:])


def proc_status(pid: int | None) -> dict[str, float]:
    """VmHWM (peak RSS) and VmRSS in MB of a live process, from /proc."""
    out: dict[str, float] = {}
    if pid is None:
        return out
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return out
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            out[key] = int(value.split()[0]) / 1024
    return out


def app_pid(pid: int | None) -> int | None:
    """The pane's process, or (if it is a wrapper that forked) its only descendant."""
    if pid is None:
        return None
    seen = pid
    for _ in range(3):
        try:
            children = Path(f"/proc/{seen}/task/{seen}/children").read_text().split()
        except OSError:
            break
        if len(children) != 1:
            break
        seen = int(children[0])
    return seen


def first_paint(
    tmux: Tmux,
    session: str,
    argv: Sequence[str],
    marker: str | re.Pattern[str],
    *,
    timeout: float,
    cwd: Path | None = None,
    keep: bool = False,
) -> Paint:
    """Launch and time until ``marker`` shows on screen; kills the session unless keep."""
    if isinstance(marker, str):

        def ready(screen: str) -> bool:
            return marker in screen

    else:

        def ready(screen: str) -> bool:
            return marker.search(screen) is not None

    started = tmux.launch(session, argv, cwd)
    tmux.set_remain(session)
    try:
        seen, screen = tmux.wait_for(session, ready, timeout=timeout, interval=0.002)
    except ProbeError:
        tmux.kill(session)
        raise
    status = proc_status(app_pid(tmux.pane_pid(session)))
    if not keep:
        tmux.kill(session)
    return Paint(seen - started, status.get("VmHWM"), screen)


def key_latencies(
    tmux: Tmux, session: str, keys: Sequence[str], *, timeout: float = 5.0
) -> list[float]:
    """For each key: send it, time until the (coloured) screen changes, let it settle."""
    out = []
    before = tmux.settle(session)
    for key in keys:
        started = time.perf_counter()
        tmux.send(session, key)
        seen, _ = tmux.wait_for(
            session, lambda screen, b=before: screen != b, timeout=timeout, escapes=True
        )
        out.append(seen - started)
        before = tmux.settle(session)
    return out


def timed_key(
    tmux: Tmux,
    session: str,
    key: str,
    ready: Callable[[str], bool],
    *,
    timeout: float = 30.0,
) -> float:
    started = time.perf_counter()
    tmux.send(session, key)
    seen, _ = tmux.wait_for(session, ready, timeout=timeout)
    return seen - started


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def command_line(argv: Sequence[str]) -> str:
    return " ".join(shlex.quote(part) for part in argv)
