"""Issue 15: what the command line prints: the show header, plurals, refusals; and
where undated articles sort (by the time they were fetched)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from loopback import LoopbackServer

from reader.cli import main
from reader.core import Library
from reader.core.library import ArticleQuery

DAY = 86400.0


def rss(items: list[tuple[str, float | None]]) -> bytes:
    def item(guid: str, published: float | None) -> str:
        date = ""
        if published is not None:
            stamp = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(published))
            date = f"<pubDate>{stamp}</pubDate>"
        return (
            f"<item><guid>{guid}</guid><title>Story {guid}</title>"
            f"<link>https://news.example/{guid}</link>{date}"
            f"<description>Body of story {guid}.</description></item>"
        )

    body = "".join(item(guid, published) for guid, published in items)
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>'
        f"<link>https://news.example/</link>{body}</channel></rss>"
    ).encode()


def open_library(root: Path) -> Library:
    return Library.open(root / "data", config_dir_path=root / "config", samples=False)


def test_undated_articles_sort_by_fetch_time_future_dates_by_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first_fetch = time.time() - 10 * DAY
    second_fetch = first_fetch + 2 * DAY
    feed_file = tmp_path / "desk.xml"
    feed_file.write_bytes(rss([("old", first_fetch - 30 * DAY), ("undated-1", None)]))
    library = open_library(tmp_path)
    try:
        feed = library.add_feed(str(feed_file))
        library.set_feed_fulltext(feed.id, "never")
        monkeypatch.setattr("reader.core._storage.now", lambda: first_fetch)
        library.refresh_sync()
        feed_file.write_bytes(
            rss(
                [
                    ("old", first_fetch - 30 * DAY),
                    ("undated-1", None),
                    ("dated-between", first_fetch + DAY),
                    ("undated-2", None),
                    ("future", time.time() + 365 * DAY),
                ]
            )
        )
        monkeypatch.setattr("reader.core._storage.now", lambda: second_fetch)
        library.refresh_sync()
        order = [row.title for row in library.article_page(ArticleQuery(), 0, 10)]
    finally:
        library.close()
    assert order == [
        "Story future",  # dated in the future: counted as published when fetched, no later
        "Story undated-2",  # fetched at the second refresh
        "Story dated-between",  # published after the first refresh
        "Story undated-1",  # fetched at the first refresh: below what came later
        "Story old",
    ]


def test_show_prints_a_header_with_title_feed_date_and_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_file = tmp_path / "desk.xml"
    feed_file.write_bytes(rss([("dated", 1748941200.0), ("undated", None)]))
    library = open_library(tmp_path)
    try:
        feed = library.add_feed(str(feed_file))
        library.set_feed_fulltext(feed.id, "never")
        library.refresh_sync()
        ids = {row.title: row.id for row in library.article_page(ArticleQuery(), 0, 10)}
        library.set_saved(ids["Story dated"], True)
        library.tag_article(ids["Story dated"], ["desk"])
    finally:
        library.close()
    base = ["--data-dir", str(tmp_path / "data"), "--config-dir", str(tmp_path / "config")]
    assert main([*base, "show", str(ids["Story dated"])]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Story dated"
    assert lines[1].startswith("Desk · ") and "2025" in lines[1] and "Jun" in lines[1]
    assert lines[2] == "https://news.example/dated"
    assert lines[3] == "saved #desk"
    assert "Body of story dated." in lines
    assert main([*base, "show", str(ids["Story undated"])]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Story undated" and "undated (fetched " in lines[1]
    assert main([*base, "show", str(ids["Story dated"]), "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("# Story dated\n\nDesk · ")
    assert "https://news.example/dated" in markdown


def test_plural_is_singular_only_for_one() -> None:
    from reader.core.wording import plural

    assert plural(1, "article") == "1 article"
    assert [plural(n, "new article") for n in (0, 2)] == ["0 new articles", "2 new articles"]
    assert (
        plural(1, "entry", "entries") == "1 entry" and plural(3, "entry", "entries") == "3 entries"
    )


def test_cli_messages_count_in_the_singular_for_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_file = tmp_path / "desk.xml"
    feed_file.write_bytes(rss([("only", 1748941200.0)]))
    gone = tmp_path / "gone.xml"
    gone.write_bytes(rss([]))
    library = open_library(tmp_path)
    try:
        feed = library.add_feed(str(feed_file))
        library.set_feed_fulltext(feed.id, "never")
        assert library.refresh_sync().line() == "1 feed: 1 new article, 0 not modified, 0 errors"
        library.add_feed(str(gone))
        gone.unlink()
        summary = library.refresh_sync()
        assert summary.line() == "2 feeds: 0 new articles, 1 not modified, 1 error"
        [article_id] = library.article_ids(ArticleQuery())
    finally:
        library.close()
    base = ["--data-dir", str(tmp_path / "data"), "--config-dir", str(tmp_path / "config")]
    capsys.readouterr()
    assert main([*base, "mark-read", str(article_id)]) == 0
    assert capsys.readouterr().out.strip() == "marked 1 article read"
    assert main([*base, "save", str(article_id)]) == 0
    assert capsys.readouterr().out.strip() == "saved 1 article"
    out = tmp_path / "out"
    assert main([*base, "export", str(article_id), "--format", "markdown", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote 1 file to {out}"


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("photo.bin", bytes(range(256)) * 8, "binary data"),
        ("scan.pdf", b"%PDF-1.7\n" + bytes(range(256)), "a PDF"),
        ("news.xml", rss([("a", 1748941200.0)]), "is a feed"),
        (
            "news.atom",
            b'<?xml version="1.0" encoding="utf-8"?>\n<!-- generated -->\n'
            b'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title></feed>',
            "is a feed",
        ),
    ],
    ids=["binary", "pdf", "rss", "atom"],
)
def test_clean_refuses_binary_files_and_feeds_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, data: bytes, says: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    base = ["--data-dir", str(tmp_path / "data"), "--config-dir", str(tmp_path / "config")]
    assert main([*base, "clean", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1 and says in captured.err


def test_clean_still_reads_a_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<?xml version='1.0'?><!DOCTYPE html><html><body><article><h1>Title</h1>"
        "<p>A paragraph long enough to be kept as the story's own text, with words.</p>"
        "</article></body></html>",
        encoding="utf-8",
    )
    base = ["--data-dir", str(tmp_path / "data"), "--config-dir", str(tmp_path / "config")]
    assert main([*base, "clean", str(path)]) == 0
    assert "A paragraph long enough" in capsys.readouterr().out


STORY = (
    "Pakistan and Afghanistan raised their ties to ambassador level on Friday, "
    "officials in both capitals said.\n\nThe move follows talks in Beijing last week."
)


@pytest.mark.parametrize("content_type", ["text/plain; charset=utf-8", "text/html"])
def test_clean_of_a_url_serving_an_article_text_prints_it(
    loopback: LoopbackServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content_type: str,
) -> None:
    """``clean http://…/story.txt`` printed an empty line and "removed: nothing":
    an address was always taken for a whole web page to extract a story from,
    where a file with the same text was cleaned as the article it is."""
    url = loopback.static("/story.txt", STORY.encode(), headers={"Content-Type": content_type})
    base = ["--data-dir", str(tmp_path / "data"), "--config-dir", str(tmp_path / "config")]
    assert main([*base, "clean", url]) == 0
    out = capsys.readouterr().out
    assert "ambassador level on Friday" in out and "talks in Beijing" in out


def test_a_data_dir_that_is_a_file_is_named_as_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--data-dir`` naming a file said "cannot create X: File exists"."""
    plain = tmp_path / "library-notes.txt"
    plain.write_text("mine")
    for data_dir in (plain, plain / "sub"):
        assert main(["--data-dir", str(data_dir), "feeds"]) == 1
        err = capsys.readouterr().err
        assert err == f"broadsheet: cannot create {data_dir}: {plain} is a file, not a folder\n"
    assert plain.read_text() == "mine"
