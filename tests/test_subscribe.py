"""Issue 12.11: one subscription rule for 'add', the reader and OPML import.

A feed that cannot be fetched or read as a feed is refused and nothing is
subscribed; adding a feed already in the library says so and exits 0; a
subscription fetches the feed once and stores what that fetch returned; the
User-Agent names the project and its version only.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from loopback import LoopbackServer
from test_refresh_network import feed_xml

from reader import __version__
from reader.cli import main
from reader.core import Library
from reader.core.errors import AlreadySubscribedError, BroadsheetError

HOME = (
    b'<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml">'
    b"</head><body>Hello</body></html>"
)


def options(tmp_path: Path) -> list[str]:
    return [
        "--data-dir", str(tmp_path / "data"), "--config-dir", str(tmp_path / "config"),
        "--no-samples",
    ]  # fmt: skip


def run(capsys: pytest.CaptureFixture[str], tmp_path: Path, *argv: str) -> tuple[int, str, str]:
    code = main([*options(tmp_path), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def feed_lines(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> list[str]:
    return run(capsys, tmp_path, "feeds")[1].splitlines()


def test_add_fetches_the_feed_once_and_stores_it(
    loopback: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = loopback.static("/feed.xml", feed_xml("once", 3))
    code, out, err = run(capsys, tmp_path, "add", url)
    assert code == 0, err
    assert out.startswith("1\tonce\t") and "(3 articles)" in out
    assert len(loopback.requests_to("/feed.xml")) == 1
    user_agent = loopback.requests_to("/feed.xml")[0].header("User-Agent") or ""
    assert user_agent.startswith(f"Broadsheet/{__version__}") and "http" not in user_agent


def test_add_of_a_feed_with_one_article_says_1_article(
    loopback: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = loopback.static("/feed.xml", feed_xml("single", 1))
    code, out, err = run(capsys, tmp_path, "add", url)
    assert code == 0, err
    assert out == f"1\tsingle\t{url} (1 article)\n"


def test_add_of_a_home_page_fetches_each_address_once(
    loopback: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loopback.static("/feed.xml", feed_xml("site", 2))
    home = loopback.static("/", HOME, headers={"Content-Type": "text/html"})
    code, out, err = run(capsys, tmp_path, "add", home)
    assert code == 0, err and "(2 articles)" in out
    assert len(loopback.requests_to("/")) == 1 and len(loopback.requests_to("/feed.xml")) == 1
    # The same site again: its feed is named, nothing fetched twice, exit 0.
    code, out, err = run(capsys, tmp_path, "add", home)
    assert code == 0, err
    assert out.startswith("already subscribed: 1\tsite\t")
    assert len(feed_lines(capsys, tmp_path)) == 1


def test_adding_a_subscribed_feed_says_so_and_changes_nothing(
    loopback: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = loopback.static("/feed.xml", feed_xml("dup", 2))
    assert run(capsys, tmp_path, "add", url)[0] == 0
    for extra in ([], ["--no-fetch"]):
        code, out, err = run(capsys, tmp_path, "add", url, *extra)
        assert (code, err) == (0, "")
        assert out == f"already subscribed: 1\tdup\t{url} (2 articles)\n"
    assert len(loopback.requests_to("/feed.xml")) == 1
    assert len(feed_lines(capsys, tmp_path)) == 1


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda server, tmp: server.static("/gone.xml", b"nope", status=404), "404"),
        (lambda server, tmp: server.static("/page", b"<html><body>No feeds</body></html>"),
         "no feed found"),
        (lambda server, tmp: "file:///nonexistent-broadsheet-test.xml", "file not found"),
        (lambda server, tmp: str(tmp), "no such file"),  # a directory
    ],
)  # fmt: skip
def test_a_feed_that_cannot_be_read_is_refused_and_nothing_subscribed(
    loopback: LoopbackServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    make: object,
    reason: str,
) -> None:
    url = make(loopback, tmp_path)  # type: ignore[operator]
    code, out, err = run(capsys, tmp_path, "add", url)
    assert code == 1 and out == ""
    assert err.startswith("broadsheet: ") and reason in err and len(err.splitlines()) == 1
    assert feed_lines(capsys, tmp_path) == []


def test_a_local_file_that_is_not_a_feed_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:SECRET-LINE:/root:/bin/sh\n")
    for address in (str(secret), secret.as_uri()):
        code, _, err = run(capsys, tmp_path, "add", address)
        assert code == 1 and "not a feed" in err and "SECRET" not in err
    assert feed_lines(capsys, tmp_path) == []


async def test_subscribe_raises_already_subscribed_with_the_feed(
    loopback: LoopbackServer, library: Library
) -> None:
    url = loopback.static("/feed.xml", feed_xml("lib", 2))
    feed = await library.subscribe(url)
    with pytest.raises(AlreadySubscribedError) as info:
        await library.subscribe(url)
    assert info.value.feed == library.feed(feed.id) and "already subscribed" in str(info.value)
    with pytest.raises(BroadsheetError, match="404"):
        await library.subscribe(loopback.static("/missing", b"", status=404))
    assert [f.id for f in library.feeds()] == [feed.id]
    assert len(loopback.requests_to("/feed.xml")) == 1


def test_opml_import_takes_what_add_takes(
    loopback: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local = tmp_path / "local.xml"
    local.write_bytes(feed_xml("local", 2))
    not_feed = tmp_path / "notes.txt"
    not_feed.write_text("just some text\n")
    remote = loopback.static("/remote.xml", feed_xml("remote", 1))
    addresses = [
        local.as_uri(), "sample:science.atom", remote,
        not_feed.as_uri(), "file:///nonexistent-broadsheet-test.xml", "exec:true",
    ]  # fmt: skip
    outlines = "".join(f'<outline type="rss" text="f" xmlUrl="{url}"/>' for url in addresses)
    opml = tmp_path / "subs.opml"
    opml.write_text(f"<opml><body>{outlines}</body></opml>")
    code, out, err = run(capsys, tmp_path, "import", str(opml))
    assert code == 0, err
    assert out == "imported 3 feeds (3 refused)\n"
    assert "not a feed" in err and "file not found" in err and "command feeds" in err
    listed = "\n".join(feed_lines(capsys, tmp_path))
    assert local.as_uri() in listed and "sample:science.atom" in listed and remote in listed
    # Local feeds were read as 'add' reads them; the remote one waits for refresh.
    assert "2/2" in listed and "10/10" in listed and loopback.requests_to("/remote.xml") == []
    code, out, _ = run(capsys, tmp_path, "import", str(opml))
    assert out == "imported 0 feeds (3 already subscribed, 3 refused)\n"
