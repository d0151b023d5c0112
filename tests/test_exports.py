"""Issue 12.9: exports keep what the reader had — links in Markdown, ordinary file
permissions, and the OPML folder tree with each feed once."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from reader.cli import main
from reader.core import Library
from reader.core.annotations import markdown_with_annotations
from reader.core.errors import BroadsheetError
from reader.core.files import write_atomic
from reader.core.models import Article, Block, LinkSpan
from reader.core.opml import export_opml, parse_opml
from reader.core.render import blocks_to_markdown, inline_markdown

# --- links in Markdown -----------------------------------------------------------

TEXT = "The council will vote in May; our earlier coverage explains the background."
LINK = LinkSpan(TEXT.index("our earlier"), TEXT.index(" explains"), "https://news.example/a")


def test_markdown_keeps_links() -> None:
    block = Block("paragraph", TEXT, links=(LINK,))
    assert blocks_to_markdown([block]) == (
        "The council will vote in May; [our earlier coverage](https://news.example/a)"
        " explains the background."
    )


def test_link_targets_cannot_break_the_markdown() -> None:
    text = "see [this] (page)"
    link = LinkSpan(4, 10, "https://x.example/a b)(c<d>")
    assert inline_markdown(text, [link]) == (
        r"see [\[this\]](https://x.example/a%20b%29%28c%3Cd%3E) (page)"
    )
    # Overlapping or empty links: the first wins, nothing is lost from the text.
    links = [LinkSpan(0, 3, "https://a.example/"), LinkSpan(1, 8, "https://b.example/")]
    assert inline_markdown("see [this]", links) == r"[see](https://a.example/) \[this\]"


def test_highlights_and_links_nest() -> None:
    # A highlight from "May" into the link: cut at the link's edge, each piece hugging words.
    start = TEXT.index("May")
    marks = [(start, TEXT.index(" coverage"))]
    assert inline_markdown(TEXT, [LINK], marks) == (
        "The council will vote in ==May;== [==our earlier== coverage](https://news.example/a)"
        " explains the background."
    )


def test_markdown_with_annotations_keeps_links() -> None:
    article = Article(
        id=1, feed_id=None, feed_title="Desk", key="k", title="T", author=None,
        link="https://news.example/t", published=None, fetched_at=0.0, raw_content="",
        content_type="html", text=TEXT, blocks=[Block("paragraph", TEXT, links=(LINK,))],
        removed=[], enclosures=[], read=False, saved=False,
    )  # fmt: skip
    assert "[our earlier coverage](https://news.example/a)" in markdown_with_annotations(
        article, []
    )


def test_exported_markdown_keeps_the_sample_link(tmp_path: Path) -> None:
    options = ["--data-dir", str(tmp_path / "d"), "--config-dir", str(tmp_path / "c")]
    assert main([*options, "refresh", "--quiet", "--no-clean"]) == 0
    with Library.open(tmp_path / "d", config_dir_path=tmp_path / "c") as library:
        (hit,) = library.search('"earlier coverage"')
    assert main([*options, "export", str(hit.article.id), "--out", str(tmp_path / "out")]) == 0
    (markdown,) = (tmp_path / "out").glob("*.md")
    assert "[our earlier coverage](https://example.org/world/velsk-housing)" in (
        markdown.read_text()
    )


def test_a_feed_title_cannot_make_markdown_in_the_heading(tmp_path: Path) -> None:
    """The story's text is escaped; its title, the feed's too: no link, code or
    highlight a feed wrote in a title becomes one in the file."""
    title = "Win [a prize](javascript:alert(1)) `now` ==today== *x*"
    feed = tmp_path / "feed.xml"
    feed.write_text(
        "<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>"
        "<link>https://t.example/</link><description>d</description><item>"
        f"<title>{title}</title><link>https://t.example/a</link><guid>a</guid>"
        "<description>A story long enough to stand on its own as the whole text of "
        "it.</description></item></channel></rss>"
    )
    options = ["--data-dir", str(tmp_path / "d"), "--config-dir", str(tmp_path / "c")]
    assert main([*options, "--no-samples", "add", str(feed)]) == 0
    assert main([*options, "export", "--all", "--out", str(tmp_path / "out")]) == 0
    (markdown,) = (tmp_path / "out").glob("*.md")
    heading = next(line for line in markdown.read_text().splitlines() if line.startswith("# "))
    assert heading == (r"# Win \[a prize\](javascript:alert(1)) \`now\` \=\=today\=\= \*x\*")


# --- file permissions ------------------------------------------------------------


@contextmanager
def umask(value: int) -> Iterator[None]:
    previous = os.umask(value)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_new_files_follow_the_umask(tmp_path: Path, mask: int, expected: int) -> None:
    with umask(mask):
        write_atomic(tmp_path / "a.md", "text")
    assert mode(tmp_path / "a.md") == expected
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]  # no temporary left behind


def test_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("old")
    path.chmod(0o640)
    with umask(0o022):
        write_atomic(path, "new")
    assert path.read_text() == "new" and mode(path) == 0o640


def test_writing_under_a_file_says_it_is_a_file(tmp_path: Path) -> None:
    """An export folder typed as an existing file said "File exists"."""
    plain = tmp_path / "notes.txt"
    plain.write_text("mine")
    with pytest.raises(BroadsheetError) as raised:
        write_atomic(plain / "deeper" / "a.md", "text")
    assert (
        str(raised.value)
        == f"cannot write {plain / 'deeper' / 'a.md'}: {plain} is a file, not a folder"
    )
    assert plain.read_text() == "mine"


def test_cli_exports_are_0644_under_umask_022(tmp_path: Path) -> None:
    options = ["--data-dir", str(tmp_path / "d"), "--config-dir", str(tmp_path / "c")]
    with umask(0o022):
        assert main([*options, "refresh", "--quiet", "--no-clean"]) == 0
        assert main([*options, "export", "--all", "--out", str(tmp_path / "out")]) == 0
        assert main([*options, "export-opml", "--out", str(tmp_path / "subs.opml")]) == 0
    files = [*(tmp_path / "out").iterdir(), tmp_path / "subs.opml"]
    assert len(files) > 20 and {mode(path) for path in files} == {0o644}


# --- OPML: the folder tree and each feed once ---------------------------------------

NESTED = b"""<?xml version="1.0"?><opml version="2.0"><body>
  <outline text="News">
    <outline text="World">
      <outline text="Europe">
        <outline type="rss" text="B" xmlUrl="https://b.example/feed"/>
      </outline>
      <outline type="rss" text="A" xmlUrl="https://a.example/feed"/>
    </outline>
    <outline type="rss" text="C" xmlUrl="https://c.example/feed"/>
  </outline>
  <outline text="Tech">
    <outline type="rss" text="A again" xmlUrl="https://a.example/feed"/>
  </outline>
  <outline type="rss" text="Loose" xmlUrl="https://loose.example/feed"/>
</body></opml>"""


def tree(data: bytes) -> list[tuple[str, ...]]:
    """Each feed outline as (folder titles..., url): the shape of the document."""
    root = etree.fromstring(data)
    shape = []
    for outline in root.iter("outline"):
        if outline.get("xmlUrl"):
            folders = [a.get("text") for a in outline.iterancestors("outline")][::-1]
            shape.append((*folders, outline.get("xmlUrl")))
    return sorted(shape)


def test_round_trip_keeps_the_tree_and_each_feed_once() -> None:
    first = parse_opml(NESTED)
    exported = export_opml((f.url, f.title or f.url, f.tags) for f in first.feeds)
    second = parse_opml(exported)
    assert [(f.url, f.title, set(f.tags)) for f in second.feeds] == [
        (f.url, f.title, set(f.tags)) for f in first.feeds
    ]
    urls = [shape[-1] for shape in tree(exported)]
    assert sorted(urls) == sorted(set(urls))  # each feed once
    assert tree(exported) == [
        ("News", "World", "Europe", "https://b.example/feed"),
        ("News", "World", "https://a.example/feed"),  # also in Tech: as a category
        ("News", "https://c.example/feed"),
        ("https://loose.example/feed",),
    ]
    again = export_opml((f.url, f.title or f.url, f.tags) for f in second.feeds)
    assert tree(again) == tree(exported)


def test_cli_import_export_import_round_trip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.opml"
    source.write_bytes(NESTED)

    def library_options(name: str) -> list[str]:
        return ["--data-dir", str(tmp_path / name), "--config-dir", str(tmp_path / "c"),
                "--no-samples"]  # fmt: skip

    assert main([*library_options("one"), "import", str(source)]) == 0
    assert main([*library_options("one"), "export-opml", "--out", str(tmp_path / "out.opml")]) == 0
    assert main([*library_options("two"), "import", str(tmp_path / "out.opml")]) == 0
    assert (
        main([*library_options("two"), "export-opml", "--out", str(tmp_path / "again.opml")]) == 0
    )
    capsys.readouterr()
    first, second = (tmp_path / "out.opml").read_bytes(), (tmp_path / "again.opml").read_bytes()
    assert tree(first) == tree(second) == tree(export_opml(
        (f.url, f.title or f.url, f.tags) for f in parse_opml(NESTED).feeds
    ))  # fmt: skip
    assert len(tree(first)) == 4
    for name in ("one", "two"):
        assert main([*library_options(name), "feeds"]) == 0
        assert len(capsys.readouterr().out.splitlines()) == 4


_WORD = st.text(st.characters(categories=("L", "N")), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_WORD, min_size=0, max_size=4), min_size=1, max_size=6))
def test_folder_paths_round_trip_with_each_feed_once(paths: list[list[str]]) -> None:
    """Any folder tree of plain names: the feeds come back with the same folders, once."""
    outlines = "".join(
        "".join(f'<outline text="{name}">' for name in path)
        + f'<outline type="rss" text="f{n}" xmlUrl="https://f{n}.example/"/>'
        + "</outline>" * len(path)
        for n, path in enumerate(paths)
    )
    data = f"<opml><body>{outlines}</body></opml>".encode()
    exported = export_opml((f.url, f.title or "", f.tags) for f in parse_opml(data).feeds)
    assert tree(exported) == tree(data)
