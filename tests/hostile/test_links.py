"""Links and commands: only http(s) opens, nothing runs through a shell, OPML
command feeds are refused, enclosure names never become paths."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from reader.core import Library
from reader.core.export import export_articles
from reader.core.library import ArticleQuery
from reader.core.opener import SystemOpener

from .conftest import REPO, add_feed, assert_terminal_safe, cli, rss

DISPLAY = {"DISPLAY": ":0"}


class Recorder:
    def __init__(self) -> None:
        self.launched: list[str] = []

    def __call__(self, url: str) -> bool:
        self.launched.append(url)
        return True


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "ftp://files.example/x",
        "ssh://host.example",
        "x-man-page://ls",
        "mailto:a@example.org",
        "/etc/passwd",
        "../../etc/passwd",
        "~/secret",
        "$(touch /tmp/pwned)",
        "`id`",
        "https:/missing-slash.example",
        "https:// space.example",
        " http://leading-space.example",
        "",
    ],
)
def test_opener_refuses_everything_but_http(url: str) -> None:
    launch = Recorder()
    result = SystemOpener(environ=DISPLAY, platform="linux", launch=launch).open(url)
    assert not result.allowed and not result.launched
    assert result.reason == "Only http(s) links open"
    assert launch.launched == []


@pytest.mark.parametrize("url", ["https://news.example/a?b=1&c=2", "HTTP://NEWS.EXAMPLE/"])
def test_opener_opens_http_links_as_given(url: str) -> None:
    launch = Recorder()
    result = SystemOpener(environ=DISPLAY, platform="linux", launch=launch).open(url)
    assert result.launched and launch.launched == [url]


# --- no shell anywhere ---------------------------------------------------------------

_SHELL_CALLS = {
    ("os", "system"),
    ("os", "popen"),
    ("asyncio", "create_subprocess_shell"),
    ("subprocess", "getoutput"),
    ("subprocess", "getstatusoutput"),
}
_SUBPROCESS = {"run", "call", "check_call", "check_output", "Popen"}


def _shell_uses(path: Path, root: Path = REPO) -> list[str]:
    """Calls that would hand a string to a shell: shell=True, os.system/popen,
    os.exec*/spawn* and subprocess calls whose command is a plain string."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Call):
            continue
        where = f"{path.relative_to(root)}:{node.lineno}"
        for keyword in node.keywords:
            if keyword.arg == "shell" and not (
                isinstance(keyword.value, ast.Constant) and keyword.value.value is False
            ):
                found.append(f"{where} shell=")
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            pair = (func.value.id, func.attr)
            if pair in _SHELL_CALLS or (
                func.value.id == "os" and func.attr.startswith(("exec", "spawn", "posix_spawn"))
            ):
                found.append(f"{where} {pair[0]}.{pair[1]}")
            if func.value.id == "subprocess" and func.attr in _SUBPROCESS and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant | ast.JoinedStr | ast.BinOp):
                    found.append(f"{where} subprocess.{func.attr} with a string command")
    return found


def test_no_shell_anywhere_in_the_product() -> None:
    sources = sorted((REPO / "reader").rglob("*.py"))
    assert len(sources) > 20
    found = [use for path in sources for use in _shell_uses(path)]
    assert found == []


def test_the_shell_check_itself_finds_shell_uses(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os, subprocess\n"
        "os.system('ls')\n"
        "subprocess.run('ls', shell=True)\n"
        "subprocess.check_output(f'ls {x}')\n"
        "os.execvp('sh', ['sh'])\n"
        "subprocess.run(['ls', '-l'])\n"
    )
    uses = _shell_uses(sample, tmp_path)
    assert len(uses) == 5  # the argv-list call alone is fine


# --- OPML: command feeds refused ---------------------------------------------------


def test_opml_import_refuses_commands_and_non_http(tmp_path: Path) -> None:
    sentinel = tmp_path / "PWNED"
    hostile = {
        f"exec:touch {sentinel}": "command feeds (exec:)",
        f"filter:touch {sentinel}:https://news.example/f": "command feeds (filter:)",
        f"|touch {sentinel}": "command feeds (|command)",
        # A local file is read as 'add' reads it (12.11): not a feed, so refused.
        "file:///etc/passwd": "file:///etc/passwd: not a feed",
        "javascript:alert(1)": "only http(s), file:// and sample: feeds",
        "data:application/rss+xml,<rss/>": "only http(s), file:// and sample: feeds",
        "ftp://files.example/feed.xml": "only http(s), file:// and sample: feeds",
        "/etc/passwd": "not an absolute URL",
        "feeds/local.xml": "not an absolute URL",
        "\x1b]0;PWNED\x07https://x": "not an absolute URL",
    }
    outlines = "".join(
        f'<outline type="rss" text="t{i}" xmlUrl="{_attr(url)}"/>' for i, url in enumerate(hostile)
    )
    good = '<outline type="rss" text="Good" xmlUrl="http://127.0.0.1:9/feed.xml"/>'
    opml = tmp_path / "subs.opml"
    opml.write_text(
        f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}{good}</body></opml>'
    )
    result = cli(tmp_path, "import", str(opml))
    assert result.returncode == 0, result.stderr
    out = assert_terminal_safe(result.stdout)
    err = assert_terminal_safe(result.stderr)
    assert f"imported 1 feed ({len(hostile)} refused)" in out
    for reason in hostile.values():
        assert reason in err
    assert err.count("refused ") == len(hostile)
    feeds = assert_terminal_safe(cli(tmp_path, "feeds").stdout)
    assert "http://127.0.0.1:9/feed.xml" in feeds and len(feeds.strip().splitlines()) == 1
    cli(tmp_path, "refresh")  # the good feed fails (port 9 refuses); nothing else may run
    assert not sentinel.exists()


def _attr(value: str) -> str:
    return (
        value.replace("&", "&amp;")
        .replace('"', "&quot;")
        .replace("<", "&lt;")
        .replace("\x1b", "&#27;")
    )


# --- enclosure names are never paths ------------------------------------------------

HOSTILE_NAMES = [
    "../../../../etc/passwd",
    "..%2F..%2F..%2Fetc%2Fcron.d%2Fpwn",
    "/etc/shadow",
    "; rm -rf ~ ;.mp3",
    "$(touch PWNED).mp3",
    "`id`.mp3",
    "CON.mp3",
    "a\u202egpj.exe",
]


def test_enclosure_names_stay_urls_and_exports_stay_in_their_folder(
    tmp_path: Path, library: Library
) -> None:
    enclosures = "".join(
        f'<enclosure url="https://files.example/{_attr(name)}" type="audio/mpeg" length="1"/>'
        for name in HOSTILE_NAMES
    )
    titles = ["../../../../tmp/escape", "/etc/passwd", "..", "~root", "CON", "a/b\\c"]
    items = [(f"k{i}", title, "<p>Body.</p>") for i, title in enumerate(titles)]
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss(items, extra=enclosures))
    add_feed(library, str(feed))
    assert library.refresh_sync().results[0].error is None
    ids = library.article_ids(ArticleQuery())
    stored = library.article(ids[0]).enclosures
    assert {e.url for e in stored} == {f"https://files.example/{n}" for n in HOSTILE_NAMES}
    out = tmp_path / "deep" / "export"
    written = export_articles(library, ids, out)
    assert len(written) == 2 * len(titles)
    for path in written:
        assert path.parent == out and path.name.startswith("2026-")
        assert path.resolve().is_relative_to(out.resolve())
        if path.suffix == ".json":  # the names are kept as URL text, nowhere else
            urls = [e["url"] for e in json.loads(path.read_text())["article"]["enclosures"]]
            assert len(urls) == len(HOSTILE_NAMES)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "deep", "feed.xml"]
    assert not (tmp_path / "PWNED").exists()
