"""The hostile feeds tried against the product from outside, as a user's
terminal sees them: the real ``broadsheet`` (TUI and CLI) runs in a detached
tmux pane of fixed size, with ``TERM=xterm-256color``, reading a library
refreshed from a loopback server that serves escape sequences, 8-bit C1, bidi
overrides and markup-like text.

tmux is the terminal here. It acts on what the program writes, so the checks
are on the terminal's state, not on the program's idea of it:

- the pane's text (``capture-pane -p``) shows the text around each sequence and
  none of their payloads; ``capture-pane -e`` has only colour/attribute escapes;
- no clear-screen or cursor damage: the pane is byte-for-byte what the app
  draws when it repaints the whole screen (a resize forces that), and the
  header, list and footer lines are where they belong;
- OSC 0/2 did not change the window title (``#{pane_title}``); OSC 52 did not
  set a tmux paste buffer (``set-clipboard on``: tmux would accept one);
- every byte the program wrote (``pipe-pane``) is free of the sequences;
- the program is still running (``#{pane_dead}`` 0), and exits cleanly after.

``test_the_terminal_checks_see_an_attack`` proves each check fires when the
same sequences do reach the terminal.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from loopback import LoopbackServer

from reader.core.library import ArticleQuery

from .conftest import add_feed, assert_terminal_safe, open_library, rss
from .test_rendering import PAYLOADS, SEQUENCES

TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(
    TMUX is None,
    reason="tmux is not installed: these tests run broadsheet inside a real tmux pane "
    "(CI installs it in .ci/run)",
)
WIDTH, HEIGHT = 140, 40
MARKUP = "[/] [@click=app.quit]q[/] [link=file:///etc/passwd]x[/link]"
BIDI = "\u202e\u2066"
EVERY = "".join(SEQUENCES.values())  # raw: C0, CSI, OSC, DCS, APC, PM, SOS, 8-bit C1
NOT_C1 = "".join(seq for name, seq in SEQUENCES.items() if not name.startswith("c1"))
HIDDEN = (*PAYLOADS, "C1HIDDEN")  # text inside sequences: must never show
# In the raw output, minus "25l": Textual hides the cursor itself (ESC[?25l).
HIDDEN_RAW = tuple(payload for payload in HIDDEN if payload != "25l")
# What a sequence reaching the terminal would look like in the raw output.
ATTACKS = {
    "OSC 52 clipboard": b"\x1b]52",
    "OSC 0 title": b"\x1b]0;",
    "OSC 2 title": b"\x1b]2;",
    "OSC 8 link": b"\x1b]8;",
    "DCS": b"\x1bP",
    "APC": b"\x1b_",
    "cursor position query": b"\x1b[6n",
    "8-bit CSI": "\x9b".encode(),
    "8-bit OSC": "\x9d".encode(),
}
SGR = re.compile(r"\x1b\[[0-9;:]*m")


def _hostile_json() -> bytes:
    """JSON Feed: raw controls survive JSON, so every sequence arrives as it is."""
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": f"Raw {SEQUENCES['osc0-title']}{BIDI}Feed {SEQUENCES['osc52-clipboard']}",
            "items": [
                {
                    "id": "alpha",
                    "title": f"Alpha {EVERY}{BIDI}omega {MARKUP}",
                    "content_html": f"<p>Alpha body {EVERY}survives. {MARKUP}</p>"
                    f"<p>Second {SEQUENCES['csi-clear-screen']}paragraph "
                    f"{SEQUENCES['osc8-hyperlink']}ends.</p>",
                    "url": "https://news.example/alpha",
                    "authors": [{"name": f"Mallory {SEQUENCES['csi-cursor-moves']}Writer"}],
                    "date_published": "2026-01-03T10:00:00Z",
                },
                {
                    "id": "calm",
                    "title": "Calm story",
                    "content_html": "<p>Nothing to see.</p>",
                    "url": "https://news.example/calm",
                    "date_published": "2026-01-01T10:00:00Z",
                },
            ],
        }
    ).encode()


def _hostile_rss() -> bytes:
    """RSS with the same sequences written as XML character references."""
    refs = "".join(f"&#{ord(ch)};" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch for ch in NOT_C1)
    refs = refs.replace("<", "&lt;")
    body = f"&lt;p&gt;Bravo body {refs}survives. {MARKUP}&lt;/p&gt;"
    feed = rss([("bravo", f"Bravo {refs}omega {MARKUP}", body)], title="Refs Feed", raw=True)
    return feed.replace(b"Mon, 01 Jun 2026", b"Fri, 02 Jan 2026")


@pytest.fixture
def hostile_root(tmp_path: Path, loopback: LoopbackServer) -> Iterator[Path]:
    """A library subscribed (not yet refreshed) to both hostile feeds."""
    library = open_library(tmp_path)
    add_feed(library, loopback.static("/raw.json", _hostile_json()))
    add_feed(library, loopback.static("/refs.xml", _hostile_rss()))
    library.close()
    yield tmp_path


def _refreshed(root: Path) -> dict[str, int]:
    """Refresh through the CLI (in a pipe), then title-word -> article id."""
    result = _run_cli(root, "refresh")
    assert result.returncode == 0, result.stderr
    library = open_library(root)
    try:
        return {
            summary.title.split()[0]: summary.id
            for summary in library.article_page(ArticleQuery(), 0, 10)
        }
    finally:
        library.close()


def _run_cli(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*_broadsheet(root), *args], capture_output=True, timeout=60, stdin=subprocess.DEVNULL
    )


def _broadsheet(root: Path) -> list[str]:
    """The installed console script (as a user runs it), else the module."""
    script = Path(sys.executable).with_name("broadsheet")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "reader"]
    return [
        *command,
        "--data-dir", str(root / "data"), "--config-dir", str(root / "config"), "--no-samples",
    ]  # fmt: skip


# --- a tmux server of our own -------------------------------------------------------


class Tmux:
    """One private tmux server (own socket, own config) with one session."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.socket = workdir / "sock"
        config = workdir / "tmux.conf"
        config.write_text(
            "set -g remain-on-exit on\n"  # a dead pane stays, with its exit status
            "set -g set-clipboard on\n"  # OSC 52 from a program WOULD set a buffer
            "set -g default-terminal xterm-256color\n"
            "set -g history-limit 20000\n"
            "set -g status off\n"
        )
        self.base = [str(TMUX), "-S", str(self.socket), "-f", str(config)]
        self.raw_path = workdir / "raw-output"
        self.env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(workdir),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TMUX_TMPDIR": str(workdir),
        }

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            [*self.base, *args], capture_output=True, timeout=10, env=self.env, text=True
        )
        assert result.returncode == 0, (args, result.stderr)
        return result.stdout

    def start(self, argv: list[str]) -> None:
        """Run ``argv`` in a WIDTH x HEIGHT pane; everything it writes is also
        recorded raw (the program waits for the recording to start), and its exit
        status is written to a file (tmux 3.3 leaves ``pane_dead_status`` empty)."""
        go, status = self.workdir / "go", self.workdir / "status"
        inner = shlex.join(["env", "TERM=xterm-256color", "COLORTERM=truecolor", *argv])
        command = (
            f"while [ ! -e {shlex.quote(str(go))} ]; do sleep 0.02; done; "
            f"{inner}; echo $? > {shlex.quote(str(status))}"
        )
        self.tmux(
            "new-session", "-d", "-s", "t", "-x", str(WIDTH), "-y", str(HEIGHT), command
        )  # fmt: skip
        self.title_before = self.display("#{pane_title}")
        self.tmux("pipe-pane", "-t", "t", f"cat >> {shlex.quote(str(self.raw_path))}")
        go.touch()

    def display(self, fmt: str) -> str:
        return self.tmux("display-message", "-p", "-t", "t", fmt).rstrip("\n")

    def capture(self, *, escapes: bool = False, history: bool = False) -> str:
        args = ["capture-pane", "-p", "-t", "t"]
        if escapes:
            args.append("-e")
        if history:
            args += ["-J", "-S", "-"]
        return self.tmux(*args)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "t", *keys)

    def wait_for(self, ready: Callable[[str], bool], what: str, timeout: float = 10.0) -> str:
        """Poll the pane until ``ready(text)``; fail with the last screen."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.capture(history=True)
            if ready(text):
                return text
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}; the pane shows:\n{text}")
            time.sleep(0.05)

    def settled(self, timeout: float = 10.0) -> str:
        """The screen once it stops changing (two captures 0.3 s apart agree)."""
        deadline = time.monotonic() + timeout
        previous = self.capture()
        while time.monotonic() < deadline:
            time.sleep(0.3)
            current = self.capture()
            if current == previous:
                return current
            previous = current
        pytest.fail(f"the screen never settled:\n{previous}")

    def repainted(self, shown: str, timeout: float = 5.0) -> str:
        """Make the app repaint every cell (a resize), back at the same size;
        return the screen once it shows ``shown`` again or the timeout ends."""
        self.tmux("resize-window", "-t", "t", "-x", str(WIDTH - 1), "-y", str(HEIGHT))
        self.wait_for(lambda text: text != shown, "the app to redraw at the new size", timeout)
        self.tmux("resize-window", "-t", "t", "-x", str(WIDTH), "-y", str(HEIGHT))
        deadline = time.monotonic() + timeout
        while True:
            current = self.capture()
            if current == shown or time.monotonic() > deadline:
                return current
            time.sleep(0.05)

    def exit_status(self) -> str | None:
        """The program's exit status once it has ended and the pane is dead."""
        status = self.workdir / "status"
        if self.display("#{pane_dead}") != "1" or not status.exists():
            return None
        return status.read_text().strip()

    def raw_output(self) -> bytes:
        return self.raw_path.read_bytes() if self.raw_path.exists() else b""

    def buffers(self) -> str:
        return self.tmux("list-buffers")

    def kill(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True, timeout=10, env=self.env)


@pytest.fixture
def terminal() -> Iterator[Tmux]:
    # A short private directory: a unix socket path must stay under ~100 bytes.
    workdir = Path(tempfile.mkdtemp(prefix="bs-tmux-"))
    tmux = Tmux(workdir)
    try:
        yield tmux
    finally:
        tmux.kill()  # our own server only: ends the app if a test failed early
        shutil.rmtree(workdir, ignore_errors=True)


def assert_terminal_untouched(terminal: Tmux, screen: str) -> None:
    """What the feed could have done to the terminal, it did not do."""
    for payload in HIDDEN:
        assert payload not in screen, f"{payload!r} of an escape sequence is on screen"
    assert "\u202e" not in screen and "\u2066" not in screen
    title = terminal.display("#{pane_title}")
    assert title == terminal.title_before and "PWNED" not in title, title
    assert terminal.buffers() == "", "a paste buffer was set (OSC 52 reached the terminal)"
    escapes = SGR.sub("", terminal.capture(escapes=True))
    assert "\x1b" not in escapes, repr(escapes[escapes.index("\x1b") :][:40])
    raw = terminal.raw_output()
    for name, sequence in ATTACKS.items():
        assert sequence not in raw, f"{name} ({sequence!r}) written to the terminal"
    for payload in HIDDEN_RAW:
        assert payload.encode() not in raw, f"{payload!r} written to the terminal"


def assert_no_damage(terminal: Tmux, screen: str, timeout: float = 5.0) -> None:
    """A clear-screen or cursor move that reached the terminal leaves cells that
    differ from a full repaint of the same screen."""
    repainted = terminal.repainted(screen, timeout)
    assert repainted == screen, "the pane differs from a full repaint (damage):\n" + "\n".join(
        f"{n:2}: {a!r}\n    {b!r}"
        for n, (a, b) in enumerate(zip(screen.splitlines(), repainted.splitlines(), strict=False))
        if a != b
    )


def wait_for_refresh_toast(terminal: Tmux) -> None:
    """The app's own start-up refresh ends with a toast: wait for it to come and
    go, so it cannot vanish between two captures that are compared."""
    terminal.wait_for(lambda text: "new article" in text, "the refresh toast")
    terminal.wait_for(lambda text: "new article" not in text, "the refresh toast to go")


def _lines(screen: str) -> list[str]:
    lines = screen.split("\n")
    return lines[:HEIGHT]


# --- the TUI ---------------------------------------------------------------------------


def test_tui_in_a_real_terminal_shows_hostile_feeds_as_text(
    hostile_root: Path, terminal: Tmux
) -> None:
    started = time.monotonic()
    terminal.start(_broadsheet(hostile_root))
    # Feeds never fetched: the app refreshes them itself at start.
    terminal.wait_for(
        lambda text: "Alpha omega" in text and "Bravo omega" in text and "Calm story" in text,
        "the refreshed list",
    )
    wait_for_refresh_toast(terminal)
    screen = terminal.settled()
    lines = _lines(screen)
    assert len(lines) == HEIGHT
    # Sidebar | header and list; footer on the last line.
    assert lines[0].lstrip().startswith("All unread") and "3 articles" in lines[0], lines[0]
    assert any(line.lstrip().startswith("Raw Feed ") for line in lines), screen
    assert any(line.lstrip().startswith("Refs Feed ") for line in lines), screen
    row = next(line for line in lines if "Alpha omega" in line)
    assert f"Alpha omega {MARKUP}" in row and "Raw Feed" in row, row
    assert "q Back/Quit" in lines[-1] and "^p palette" in lines[-1], lines[-1]
    assert terminal.display("#{pane_dead}") == "0"
    assert_terminal_untouched(terminal, screen)
    assert_no_damage(terminal, screen)

    terminal.keys("Enter")  # the newest, hostile article opens in the reading pane
    screen = terminal.wait_for(lambda text: "Alpha body survives." in text, "the article")
    screen = terminal.settled()
    lines = _lines(screen)
    assert any(line.strip() == f"Alpha omega {MARKUP}" for line in lines), screen
    assert f"Alpha body survives. {MARKUP}" in screen
    assert "Second paragraph ends." in screen
    assert "Mallory Writer" in screen
    assert "x Removed" in lines[-1] and "q Back/Quit" in lines[-1], lines[-1]
    assert "Calm story" in screen  # the list above the reading pane is intact
    assert terminal.display("#{pane_dead}") == "0"
    assert_terminal_untouched(terminal, screen)
    assert_no_damage(terminal, screen)

    terminal.keys("n")  # next unread: the article made of character references
    terminal.wait_for(lambda text: "Bravo body survives." in text, "the second article")
    screen = terminal.settled()
    assert f"Bravo body survives. {MARKUP}" in screen
    assert terminal.display("#{pane_dead}") == "0"
    assert_terminal_untouched(terminal, screen)
    assert_no_damage(terminal, screen)

    terminal.keys("q")  # back to the list, sidebar shown again
    terminal.wait_for(
        lambda text: any(line.startswith("  Refs Feed ") for line in _lines(text)), "the sidebar"
    )
    terminal.settled()
    terminal.keys("q")  # quit
    terminal.wait_for(lambda _: terminal.exit_status() is not None, "broadsheet to exit")
    assert terminal.exit_status() == "0"
    assert_terminal_untouched(terminal, terminal.capture())
    assert time.monotonic() - started < 30


# --- the CLI, its stdout a terminal (not a pipe) ----------------------------------------


def test_cli_in_a_real_terminal_shows_hostile_feeds_as_text(
    hostile_root: Path, terminal: Tmux
) -> None:
    ids = _refreshed(hostile_root)
    broadsheet = shlex.join(_broadsheet(hostile_root))
    steps = [
        ("list", "list"),
        ("show", f"show {ids['Alpha']}"),
        ("show-md", f"show {ids['Alpha']} --format markdown"),
        ("show-refs", f"show {ids['Bravo']}"),
        ("search", "search survives"),
        ("feeds", "feeds"),
    ]
    script = "; ".join(
        f"printf '\\n::start {name}\\n'; {broadsheet} {args}; printf '::end {name} rc=%s\\n' $?"
        for name, args in steps
    )
    terminal.start(["sh", "-c", script + "; printf '::all done\\n'"])
    terminal.wait_for(lambda text: "::all done" in text, "the commands", timeout=30)
    terminal.wait_for(lambda _: terminal.exit_status() is not None, "the shell to exit")
    assert terminal.exit_status() == "0"
    text = terminal.capture(history=True)
    outputs = {
        name: text.split(f"::start {name}\n", 1)[1].split(f"::end {name} rc=", 1)
        for name, _ in steps
    }
    for name, (_, status) in outputs.items():
        assert status.startswith("0\n"), (name, status[:20])
    out = {name: output for name, (output, _) in outputs.items()}
    assert f"Alpha omega {MARKUP}" in out["list"] and "Calm story" in out["list"]
    assert f"Bravo omega {MARKUP}" in out["list"]
    assert f"Alpha body survives. {MARKUP}" in out["show"]
    assert "Second paragraph ends." in out["show"]
    # Markdown escapes the brackets of the body's markup-like text (still literal).
    assert "Alpha body survives. \\[/\\] \\[@click=app.quit\\]q" in out["show-md"]
    assert f"Bravo body survives. {MARKUP}" in out["show-refs"]
    assert "Alpha omega" in out["search"] and "Bravo omega" in out["search"]
    assert "Raw Feed" in out["feeds"] and "Refs Feed" in out["feeds"]
    assert_terminal_untouched(terminal, text)
    # The CLI writes plain text to a terminal: not one escape of its own.
    raw = terminal.raw_output()
    assert_terminal_safe(raw.replace(b"\r\n", b"\n"), "CLI output in a terminal")


# --- the checks themselves ------------------------------------------------------------


def test_the_terminal_checks_see_an_attack(terminal: Tmux) -> None:
    """The same sequences written straight to the pane: every check above fires."""
    attack = SEQUENCES["osc0-title"] + SEQUENCES["osc52-clipboard"] + "\x1b[2J\x1b[5;5HDAMAGE"
    terminal.start(["sh", "-c", f"printf '%s' {shlex.quote(attack)}; exec sleep 30"])
    screen = terminal.wait_for(lambda text: "DAMAGE" in text, "the attack to land")
    assert "PWNED" in terminal.display("#{pane_title}")
    assert terminal.buffers() != ""  # set-clipboard on: OSC 52 made a paste buffer
    assert _lines(terminal.capture())[4].startswith("    DAMAGE")
    with pytest.raises(AssertionError):
        assert_terminal_untouched(terminal, screen)
    raw = terminal.raw_output()
    assert ATTACKS["OSC 52 clipboard"] in raw and ATTACKS["OSC 0 title"] in raw


def test_the_damage_check_sees_a_clear_screen_under_the_app(
    tmp_path: Path, loopback: LoopbackServer, terminal: Tmux
) -> None:
    """A clear-screen and a cursor move that do reach the terminal while the TUI
    runs (written to the pane's tty, as a leak would be) fail the repaint check."""
    library = open_library(tmp_path)
    add_feed(library, loopback.static("/calm.xml", rss([("c", "Calm story", "<p>Calm.</p>")])))
    library.close()
    terminal.start(_broadsheet(tmp_path))
    terminal.wait_for(lambda text: "Calm story" in text, "the list")
    wait_for_refresh_toast(terminal)
    screen = terminal.settled()
    assert_no_damage(terminal, screen)  # the check passes on an undamaged screen
    # A repaint of the app's own (a timer, a toast) can wipe the damage before a capture
    # sees it, on a busy machine: write it again until one capture holds it.
    for attempt in range(5):
        with open(terminal.display("#{pane_tty}"), "w") as tty:
            tty.write("\x1b[2J\x1b[5;5HDAMAGE")
        try:
            damaged = terminal.wait_for(lambda text: "DAMAGE" in text, "the damage", 2.0)
            break
        except pytest.fail.Exception:
            if attempt == 4:
                raise
    with pytest.raises(AssertionError, match="differs from a full repaint"):
        assert_no_damage(terminal, damaged, timeout=2.0)
    assert "DAMAGE" not in terminal.capture()  # the repaint itself wiped it
    assert "Calm story" in terminal.capture()
