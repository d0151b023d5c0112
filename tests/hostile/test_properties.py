"""Property-based: titles, content and URLs mutated with controls, escape
sequences, bidi and zero-width characters, markup-like text and very long
strings go through parse -> store -> CLI-style output (the real ``broadsheet``
entry point, in-process) without a crash and without a control character."""

from __future__ import annotations

import contextlib
import html
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from reader.cli import main
from reader.core import Library
from reader.core._parse import parse_feed
from reader.core.errors import FeedParseError
from reader.core.library import ArticleQuery
from reader.core.sanitize import clean_line, strip_controls, visible_url

from .conftest import unsafe_characters

FRAGMENTS = [
    "\x1b[2J", "\x1b[6n", "\x1b]52;c;UFdORUQ=\x07", "\x1b]8;;https://evil.example/\x1b\\",
    "\x1b]0;", "\x1bP", "\x1b", "\x9b", "\x9d0;", "\x90", "\x9c", "\x07", "\x00", "\r", "\x7f",
    "\u202e", "\u2066", "\u200b", "\ufeff", "\u00ad", "\u0301" * 50,
    "[/]", "[@click=app.quit]", "[bold red]", "[link=file:///etc/passwd]x[/link]", "$(id)",
    "&#27;", "&#x9b;", "&amp;#27;[2J", "<script>alert(1)</script>", "]]>", "<![CDATA[", "&lol;",
    "a" * 5000, "w" * 100_000, "漢" * 2000, " ", "\n", "\t",
]  # fmt: skip
MARK = "ZQXMARK"

hostile_text = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=8
).map("".join)


def _library(root: Path) -> Library:
    return Library.open(root / "data", config_dir_path=root / "config", samples=False)


def _run_cli(root: Path, *args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--data-dir", str(root / "data"), "--config-dir", str(root / "config"), *args])
    assert code == 0, err.getvalue()
    assert not unsafe_characters(err.getvalue())
    return out.getvalue()


def _xml_text(text: str) -> str:
    return html.escape(text, quote=False)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    title=hostile_text,
    content=hostile_text,
    url_tail=hostile_text,
    as_json=st.booleans(),
)
def test_hostile_fields_through_parse_store_and_cli(
    title: str, content: str, url_tail: str, as_json: bool
) -> None:
    link = "https://news.example/" + url_tail
    if as_json:
        body = json.dumps(
            {
                "version": "https://jsonfeed.org/version/1.1",
                "title": title,
                "items": [
                    {"id": "1", "title": f"{MARK} {title}", "url": link,
                     "content_html": f"<p>{MARK} {content}</p>",
                     "attachments": [{"url": link, "mime_type": title}]},
                ],
            }
        ).encode("utf-8", "surrogatepass")  # fmt: skip
    else:
        body = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{_xml_text(title)}</title><item><guid>1</guid>"
            f"<title>{_xml_text(MARK + ' ' + title)}</title><link>{_xml_text(link)}</link>"
            f"<description>{_xml_text('<p>' + MARK + ' ' + content + '</p>')}</description>"
            "</item></channel></rss>"
        ).encode("utf-8", "surrogatepass")
    try:
        parsed = parse_feed(body, "https://news.example/feed")
    except FeedParseError:
        event("not a feed")
        return  # a recorded error is a fine outcome; a crash is not
    event(f"parsed, {len(parsed.entries)} entries")
    for entry in parsed.entries:
        assert not unsafe_characters(entry.title + (entry.author or "") + entry.key)
        assert "\u202e" not in entry.title and "\u200b" not in entry.title
        assert len(entry.title) <= 500
        assert entry.link is None or entry.link.lower().startswith(("http://", "https://"))
        assert not unsafe_characters(entry.link or "")
        assert "\u202e" not in visible_url(entry.link)
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / "feed.json").write_bytes(body)
        library = _library(root)
        feed = library.add_feed(str(root / "feed.json"))
        library.set_feed_fulltext(feed.id, "never")
        summary = library.refresh_sync()
        ids = library.article_ids(ArticleQuery())
        library.close()
        error = summary.results[0].error
        assert error is None or not unsafe_characters(error)
        outputs = [_run_cli(root, "list"), _run_cli(root, "feeds")]
        outputs += [_run_cli(root, "show", str(article_id)) for article_id in ids]
        outputs += [_run_cli(root, "show", str(i), "--format", "markdown") for i in ids]
        outputs.append(_run_cli(root, "search", MARK))
        for output in outputs:
            assert not unsafe_characters(output), output[:200]
        if ids:
            assert MARK in outputs[0]  # the title's own text survived into the list
            assert MARK in outputs[-1]


@settings(max_examples=300, deadline=None)
@given(text=hostile_text)
def test_sanitizers_leave_no_controls_and_are_idempotent(text: str) -> None:
    once = strip_controls(text)
    assert not unsafe_characters(once)
    assert strip_controls(once) == once
    line = clean_line(text)
    assert not unsafe_characters(line) and "\n" not in line and len(line) <= 2000
    assert clean_line(line) == line
    shown = visible_url(text)
    assert not unsafe_characters(shown) and "\u202e" not in shown


@settings(max_examples=300, deadline=None)
@given(before=st.text(alphabet="abcdefgh ", max_size=30), seq=st.sampled_from(FRAGMENTS[:15]))
def test_text_before_a_sequence_always_survives(before: str, seq: str) -> None:
    assert strip_controls(before + seq).startswith(before)
