"""The link opener: only http(s), only a graphical browser, never over SSH."""

from __future__ import annotations

from reader.core.opener import SystemOpener, has_graphical_display


class Launcher:
    def __init__(self, works: bool = True) -> None:
        self.works = works
        self.calls: list[str] = []

    def __call__(self, url: str) -> bool:
        self.calls.append(url)
        return self.works


def test_display_detection() -> None:
    assert has_graphical_display({"DISPLAY": ":0"}, "linux")
    assert has_graphical_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert has_graphical_display({}, "darwin")
    assert not has_graphical_display({}, "linux")
    assert not has_graphical_display({"DISPLAY": ":0", "SSH_CONNECTION": "1 2 3 4"}, "linux")
    assert not has_graphical_display({"SSH_TTY": "/dev/pts/1"}, "darwin")


def test_launches_http_links_with_a_display() -> None:
    launcher = Launcher()
    result = SystemOpener({"DISPLAY": ":0"}, "linux", launcher).open("https://news.example/a")
    assert result.launched and result.allowed
    assert launcher.calls == ["https://news.example/a"]


def test_refuses_other_schemes_without_launching() -> None:
    launcher = Launcher()
    opener = SystemOpener({"DISPLAY": ":0"}, "linux", launcher)
    for url in ("file:///etc/passwd", "javascript:alert(1)", "ftp://x.example/", "  "):
        result = opener.open(url)
        assert not result.launched and not result.allowed
    assert launcher.calls == []


def test_without_a_display_or_over_ssh_nothing_is_launched() -> None:
    launcher = Launcher()
    for environ in ({}, {"DISPLAY": ":0", "SSH_CONNECTION": "a b c d"}):
        result = SystemOpener(environ, "linux", launcher).open("https://news.example/a")
        assert not result.launched and result.allowed
        assert result.reason
    assert launcher.calls == []


def test_a_failed_launch_is_reported() -> None:
    result = SystemOpener({"DISPLAY": ":0"}, "linux", Launcher(works=False)).open(
        "http://a.example/"
    )
    assert not result.launched and result.allowed and "browser" in result.reason
