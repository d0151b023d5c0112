"""Open article links safely.

Only http(s) URLs are ever handed to a browser, and only a graphical one: a
text browser started from inside the TUI would fight it for the terminal. When
there is no display (or we run over SSH, where a browser would open on the
wrong machine) the caller shows and copies the URL instead.
"""

from __future__ import annotations

import os
import sys
import webbrowser
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from reader.core.sanitize import is_http_url


@dataclass(frozen=True, slots=True)
class OpenResult:
    """What happened to a URL we were asked to open."""

    url: str
    launched: bool  # a graphical browser was started
    allowed: bool  # False: not an http(s) URL, so it must not be opened or copied
    reason: str  # one line for the user when nothing was launched


class LinkOpener(Protocol):
    """Anything that can try to open a URL. Tests inject a recording fake."""

    def open(self, url: str) -> OpenResult: ...


def has_graphical_display(environ: Mapping[str, str], platform: str) -> bool:
    """True when a browser window would appear in front of the user."""
    if environ.get("SSH_CONNECTION") or environ.get("SSH_TTY"):
        return False
    if platform == "darwin" or platform.startswith("win"):
        return True
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def _runs_in_background(browser: webbrowser.BaseBrowser) -> bool:
    """Console browsers (lynx, w3m, www-browser...) are registered as plain
    GenericBrowser or foreground UnixBrowser instances; they would take over
    the terminal, so only background launchers qualify."""
    if isinstance(browser, webbrowser.BackgroundBrowser):
        return True
    if isinstance(browser, webbrowser.UnixBrowser):
        return bool(getattr(browser, "background", False))
    return type(browser) is not webbrowser.GenericBrowser


def launch_graphical_browser(url: str) -> bool:
    """Open ``url`` with the first registered background browser (no shell)."""
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    if not _runs_in_background(browser):
        return False
    try:
        return bool(browser.open(url, new=2))
    except OSError:
        return False


class SystemOpener:
    """The real opener: a graphical browser when there is a display, else nothing."""

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        platform: str | None = None,
        launch: Callable[[str], bool] = launch_graphical_browser,
    ) -> None:
        self._environ = os.environ if environ is None else environ
        self._platform = sys.platform if platform is None else platform
        self._launch = launch

    def open(self, url: str) -> OpenResult:
        if not is_http_url(url):
            return OpenResult(url, launched=False, allowed=False, reason="Only http(s) links open")
        if not has_graphical_display(self._environ, self._platform):
            return OpenResult(url, launched=False, allowed=True, reason="No graphical display")
        if self._launch(url):
            return OpenResult(url, launched=True, allowed=True, reason="")
        return OpenResult(url, launched=False, allowed=True, reason="No graphical browser found")
