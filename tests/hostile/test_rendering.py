"""Rendering: no control character or escape sequence from a feed reaches a
terminal (CLI output) or an export file, and the text around it survives."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from loopback import Handler, LoopbackServer

from reader.core import Library
from reader.core._fetch import Fetcher
from reader.core._parse import parse_feed
from reader.core.cleaner import clean
from reader.core.library import ArticleQuery
from reader.core.sanitize import clean_line, strip_controls, visible_url

from .conftest import add_feed, assert_terminal_safe, cli, rss, unsafe_characters

# Terminated sequences: removed whole, payload included.
SEQUENCES: dict[str, str] = {
    "csi-clear-screen": "\x1b[2J\x1b[3J\x1b[H",
    "csi-cursor-moves": "\x1b[10;20H\x1b[5A\x1b[2K\x1b[?25l",
    "csi-colour": "\x1b[31;1;5m",
    "osc52-clipboard": "\x1b]52;c;ZWNobyBQV05FRA==\x07",
    "osc8-hyperlink": "\x1b]8;;https://evil.example/\x1b\\\x1b]8;;\x1b\\",
    "osc0-title": "\x1b]0;PWNED-TITLE\x07",
    "osc2-title-st": "\x1b]2;PWNED-TITLE\x1b\\",
    "dcs-sixel": "\x1bPq#0;2;0;0;0#0~~@@vv\x1b\\",
    "apc-kitty": "\x1b_Gf=100,a=T;PWNEDPAYLOAD\x1b\\",
    "pm": "\x1b^PWNEDPRIVACY\x1b\\",
    "sos": "\x1bXPWNEDSTRING\x1b\\",
    "query-dsr-6n": "\x1b[6n",
    "query-da": "\x1b[c\x1b[>c",
    "query-decrqss": "\x1bP$qm\x1b\\",
    "two-byte-ris": "\x1bc\x1b7\x1b8\x1b=",
    "c0-controls": "".join(chr(c) for c in range(0x20) if chr(c) not in "\n\t\r"),
    "del": "\x7f",
    "c1-csi-8bit": "\x9b2J\x9b6n",
    "c1-osc-8bit": "\x9d0;C1HIDDEN\x9c",
    "c1-dcs-8bit": "\x90qC1HIDDEN\x9c",
    "c1-others": "".join(chr(c) for c in range(0x80, 0xA0) if c not in (0x90, 0x98, 0x9B, 0x9D, 0x9E, 0x9F)),
}  # fmt: skip
# Unterminated sequences: the introducer goes, the text after it stays.
UNTERMINATED: dict[str, str] = {
    "osc-unterminated": "\x1b]0;",
    "dcs-unterminated": "\x1bP1;2",
    "c1-osc-unterminated": "\x9d52;",
    "csi-unterminated-at-end": "\x1b[12;",
    "lone-esc-at-end": "\x1b",
}
# Payload text of terminated sequences. (8-bit C1 sequences carry "C1HIDDEN"
# instead: in XML, feedparser maps U+0080-U+009F to windows-1252 printables, so
# their payload may show as harmless text; see the parse test.)
PAYLOADS = ("PWNED", "ZWNobyBQV05FRA", "evil.example", "25l")


def _no_payload(text: str) -> None:
    for payload in PAYLOADS:
        assert payload not in text, f"{payload!r} of an escape sequence leaked into {text!r}"


def _json_feed(title: str, body: str, *, url: str = "https://news.example/1") -> bytes:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": f"Feed {title}",
            "items": [{"id": "1", "title": title, "content_html": body, "url": url}],
        }
    ).encode()


def _char_refs(text: str) -> str:
    """Controls written as XML character references (&#27; and &#x9b; style)."""
    out = []
    for index, ch in enumerate(text):
        code = ord(ch)
        if code < 0x20 or 0x7F <= code <= 0x9F:
            out.append(f"&#x{code:x};" if index % 2 else f"&#{code};")
        else:
            out.append({"<": "&lt;", ">": "&gt;", "&": "&amp;"}.get(ch, ch))
    return "".join(out)


# --- sanitize and parse ----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SEQUENCES))
def test_strip_controls_removes_whole_sequence(name: str) -> None:
    text = f"before {SEQUENCES[name]}after\nnext line"
    assert strip_controls(text) == "before after\nnext line"
    assert clean_line(text) == "before after next line"


@pytest.mark.parametrize("name", sorted(UNTERMINATED))
def test_unterminated_sequence_keeps_the_text_after_it(name: str) -> None:
    text = f"before {UNTERMINATED[name]}after words here"
    if name.endswith("at-end"):
        text = f"before words {UNTERMINATED[name]}"
    cleaned = strip_controls(text)
    assert not unsafe_characters(cleaned)
    assert cleaned.startswith("before ")
    assert ("after words here" in cleaned) or name.endswith("at-end")


def test_unterminated_string_sequence_cannot_eat_an_article() -> None:
    article = "\x1b]52;c;" + "lorem ipsum " * 2000 + "THE END"
    assert strip_controls(article).endswith("THE END")


@pytest.mark.parametrize("name", sorted(SEQUENCES))
@pytest.mark.parametrize("form", ["raw-xml", "xml-char-refs", "json-escapes"])
def test_parsed_title_and_body_lose_the_sequence(name: str, form: str) -> None:
    seq = SEQUENCES[name]
    if form == "raw-xml":
        body = rss([("1", f"before {seq}after", f"<p>alpha {seq}omega</p>")], title=f"F {seq}X")
    elif form == "xml-char-refs":
        title, para = _char_refs(f"before {seq}after"), _char_refs(f"alpha {seq}omega")
        body = rss([("1", title, f"&lt;p&gt;{para}&lt;/p&gt;")], title="F", raw=True)
    else:
        body = _json_feed(f"before {seq}after", f"<p>alpha {seq}omega</p>")
    feed = parse_feed(body, "https://news.example/feed")
    entry = feed.entries[0]
    cleaned = clean(entry.content, entry.link, content_type=entry.content_type)
    for text in (feed.title, entry.title, entry.content, cleaned.text):
        assert not unsafe_characters(text), (text, form)
    assert entry.title.startswith("before ") and entry.title.endswith("after")
    assert cleaned.text.startswith("alpha ") and cleaned.text.endswith("omega")
    if form == "json-escapes" or not name.startswith("c1"):
        # In XML, feedparser (and HTML for references) map 0x80-0x9f to their
        # windows-1252 printables, e.g. U+009B to "›": no control is left, but the
        # "2J" after it is then plain text.
        _no_payload(entry.title + cleaned.text)
        assert "C1HIDDEN" not in entry.title + cleaned.text


def test_c1_character_references_become_printables_not_controls() -> None:
    refs = rss([("1", "a &#x9b;2J b &#155; c", "&lt;p&gt;x &amp;#x9b;6n y&lt;/p&gt;")], raw=True)
    entry = parse_feed(refs, "https://news.example/feed").entries[0]
    cleaned = clean(entry.content, entry.link, content_type=entry.content_type)
    assert entry.title == "a ›2J b › c"
    assert cleaned.text == "x ›6n y"


def test_escaped_esc_reference_in_html_title_removes_whole_sequence() -> None:
    # &amp;#27; in RSS XML is the HTML text "&#27;[2J": an ESC written as an HTML reference.
    body = rss([("1", "before &amp;#27;[2J&amp;#27;]0;PWNED&amp;#7;after", "<p>x</p>")], raw=True)
    title = parse_feed(body, "https://news.example/feed").entries[0].title
    assert not unsafe_characters(title)
    assert title.split() == ["before", "after"]  # the whole sequence is gone


# --- bidi and invisible characters ---------------------------------------------------

BIDI = "\u202e\u2066\u200b\u200d\u2060\ufeff\u00ad"


def test_bidi_and_zero_width_removed_from_titles() -> None:
    body = _json_feed(f"invoice{BIDI}fdp.exe", "<p>x</p>")
    feed = parse_feed(body, "https://news.example/feed")
    assert feed.entries[0].title == "invoicefdp.exe"
    assert feed.title == "Feed invoicefdp.exe"


def test_bidi_in_urls_is_shown_visibly() -> None:
    url = "https://news.example/\u202egpj.exe\u200b"
    assert visible_url(url) == "https://news.example/<U+202E>gpj.exe<U+200B>"
    assert visible_url("https://e.example/\x1b]8;;x\x07a") == "https://e.example/a"


# --- end to end: feed -> refresh -> library -> CLI in a pipe -> exports ----------------


def _hostile_feed_body() -> bytes:
    items: list[tuple[str | None, str, str]] = []
    for name, seq in sorted({**SEQUENCES, **UNTERMINATED}.items()):
        title = (
            f"Title {name} survives {seq}"
            if name.endswith("at-end")
            else f"Title {name} {seq}survives"
        )
        items.append(
            (
                f"seq-{name}",
                title,
                f"<p>Opening {name} {seq}paragraph omega.</p><p>Second {seq} para [/] "
                f"[@click=app.quit] ends.</p>",
            )
        )
    everything = "".join(seq for name, seq in SEQUENCES.items() if not name.startswith("c1"))
    items.append(("all", f"All {everything}sequences", f"<p>Start {everything}omega end.</p>"))
    return rss(
        items, title=f"Hostile {SEQUENCES['osc0-title']}Feed", extra="<author>a\x1b[2Jb</author>"
    )


def _serve_hostile(server: LoopbackServer) -> dict[str, str]:
    urls = {"feed": server.static("/hostile.xml", _hostile_feed_body())}

    def bad_reason(handler: Handler) -> None:
        handler.send_response(599, "Broken\x1b]0;PWNED\x07 Gateway")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    urls["error"] = server.route("/error.xml", bad_reason)
    urls["loop"] = server.redirect("/loop.xml", "/loop.xml\x1b[2J")
    return urls


@pytest.fixture
async def hostile_library(
    tmp_path: Path, loopback: LoopbackServer, library: Library, fetcher: Fetcher
) -> Library:
    urls = _serve_hostile(loopback)
    for url in urls.values():
        add_feed(library, url)
    summary = await library.refresh(fetcher=fetcher)
    assert [r.error for r in summary.results if r.url == urls["feed"]] == [None]
    return library


async def test_cli_output_in_a_pipe_has_no_control_characters(
    tmp_path: Path, hostile_library: Library
) -> None:
    ids = hostile_library.article_ids(ArticleQuery())
    all_id = next(
        a.id
        for a in hostile_library.article_page(ArticleQuery(), 0, 100)
        if a.title.startswith("All")
    )
    colour_id = next(
        a.id
        for a in hostile_library.article_page(ArticleQuery(), 0, 100)
        if a.title.startswith("Title csi-colour")
    )
    hostile_library.close()
    outputs: dict[str, subprocess.CompletedProcess[bytes]] = {
        "list": cli(tmp_path, "list", "--limit", "100"),
        "feeds": cli(tmp_path, "feeds"),
        "search": cli(tmp_path, "search", "omega", "--limit", "100"),
        "search-title": cli(tmp_path, "search", "survives", "--limit", "100"),
        "show": cli(tmp_path, "show", str(all_id)),
        "show-md": cli(tmp_path, "show", str(all_id), "--format", "markdown"),
        "show-first": cli(tmp_path, "show", str(colour_id)),
        "refresh": cli(tmp_path, "refresh"),
    }
    texts = {}
    for name, result in outputs.items():
        texts[name] = assert_terminal_safe(result.stdout, f"{name} stdout")
        assert_terminal_safe(result.stderr, f"{name} stderr")
        _no_payload(texts[name])
    listing = texts["list"]
    assert len(ids) == len(SEQUENCES) + len(UNTERMINATED) + 1
    for name in SEQUENCES:
        if name.startswith("c1"):  # 8-bit C1 in XML: feedparser maps them to printables
            assert re.search(rf"Title {name} [^\n]*survives", listing)
        else:
            assert f"Title {name} survives" in listing
    for name in UNTERMINATED:
        assert f"Title {name} " in listing
        assert f"Title {name} survives" in listing or name == "c1-osc-unterminated"
    assert "Hostile Feed" in listing
    assert "Start omega end." in texts["show"]
    assert "# All sequences" in texts["show-md"]
    assert texts["search"].count("*omega*") >= len(SEQUENCES)
    assert "HTTP 599" in texts["feeds"] and texts["feeds"].count("error:") == 2
    assert "[/] [@click=app.quit]" in texts["show-first"]  # markup-like text stays literal


async def test_exports_have_no_control_characters(tmp_path: Path, hostile_library: Library) -> None:
    hostile_library.close()
    out = tmp_path / "export"
    result = cli(tmp_path, "export", "--all", "--out", str(out))
    assert result.returncode == 0, result.stderr
    files = sorted(out.iterdir())
    assert len(files) == 2 * (len(SEQUENCES) + len(UNTERMINATED) + 1)
    for path in files:
        text = assert_terminal_safe(path.read_bytes(), path.name)
        _no_payload(text)
        if path.suffix == ".json":
            _assert_strings_safe(json.loads(text), path.name)
    all_md = next(p for p in files if p.suffix == ".md" and "-all-sequences-" in p.name)
    assert "Start omega end." in all_md.read_text()


def _assert_strings_safe(value: Any, where: str) -> None:
    """JSON escapes (\\u001b) would hide a control from a byte check: walk the values."""
    if isinstance(value, str):
        assert not unsafe_characters(value), (where, value[:80])
        _no_payload(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _assert_strings_safe(key, where)
            _assert_strings_safe(item, where)
    elif isinstance(value, list):
        for item in value:
            _assert_strings_safe(item, where)


async def test_exports_via_api_are_safe(tmp_path: Path, hostile_library: Library) -> None:
    from reader.core.export import export_articles

    written = export_articles(
        hostile_library, hostile_library.article_ids(ArticleQuery()), tmp_path / "api-export"
    )
    assert written
    for path in written:
        assert_terminal_safe(path.read_bytes(), path.name)


# --- URLs with bidi characters in CLI output ---------------------------------------------


def _bidi_enclosure_feed() -> bytes:
    enclosure = (
        '<enclosure url="https://files.example/invoice\u202egpj.exe" type="audio/mpeg" length="5"/>'
    )
    return rss([("1", "Attachment story", "<p>Body text.</p>")], extra=enclosure)


def test_cli_show_makes_bidi_in_enclosure_urls_visible(tmp_path: Path, library: Library) -> None:
    feed = tmp_path / "enclosure.xml"
    feed.write_bytes(_bidi_enclosure_feed())
    add_feed(library, str(feed))
    library.refresh_sync()
    article_id = library.article_ids(ArticleQuery())[0]
    library.close()
    text = assert_terminal_safe(cli(tmp_path, "show", str(article_id)).stdout)
    assert "enclosure:" in text
    assert "\u202e" not in text
    assert "invoice<U+202E>gpj.exe" in text


def test_cli_feeds_makes_bidi_in_feed_urls_visible(tmp_path: Path, library: Library) -> None:
    add_feed(library, "https://news.example/\u202elmx.exe")
    library.close()
    text = assert_terminal_safe(cli(tmp_path, "feeds").stdout)
    assert "\u202e" not in text
    assert "https://news.example/<U+202E>lmx.exe" in text


# --- huge inputs render in bounded time -----------------------------------------------

HUGE = {
    "1mb-title": ("T" * (1 << 20), "<p>short body</p>"),
    "100k-word": ("word", "<p>" + "w" * 100_000 + "</p>"),
    "100k-wide-word": ("wide", "<p>" + "漢" * 100_000 + "</p>"),
    "combining-stack": ("z" + "\u0301" * 100_000, "<p>" + ("a" + "\u0301" * 5_000 + " ") * 20 + "</p>"),
    "escape-storm": ("e" + "\x1b[" * 200_000, "<p>" + "\x9d" * 200_000 + "x</p>"),
}  # fmt: skip


@pytest.fixture
def huge_library(tmp_path: Path, library: Library) -> Library:
    items = [
        {"id": name, "title": title, "content_html": body} for name, (title, body) in HUGE.items()
    ]
    path = tmp_path / "huge.json"
    path.write_text(json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items}))
    add_feed(library, str(path))
    started = time.perf_counter()
    summary = library.refresh_sync()
    assert summary.results[0].error is None and summary.results[0].new == len(HUGE)
    assert time.perf_counter() - started < 10
    return library


def test_huge_inputs_cli_list_and_show_in_bounded_time(
    tmp_path: Path, huge_library: Library
) -> None:
    rows = {a.title: a.id for a in huge_library.article_page(ArticleQuery(), 0, 10)}
    assert all(len(title) <= 500 for title in rows)
    huge_library.close()
    started = time.perf_counter()
    listing = cli(tmp_path, "list")
    assert_terminal_safe(listing.stdout)
    for article_id in rows.values():
        shown = cli(tmp_path, "show", str(article_id))
        assert shown.returncode == 0
        assert_terminal_safe(shown.stdout)
    assert time.perf_counter() - started < 5 + 2 * len(rows)  # generous: ~0.5 s per process


def _typeset_seconds(data_dir: Path, config_dir: Path, article_id: int, limit: float) -> float:
    """Typeset in a child process, so a quadratic layout cannot hang the suite."""
    code = (
        "import sys, time\n"
        "from reader.core import Library\n"
        "from reader.ui.typeset import typeset\n"
        f"lib = Library.open({str(data_dir)!r}, config_dir_path={str(config_dir)!r}, samples=False)\n"
        f"article = lib.article({article_id})\n"
        "started = time.perf_counter()\n"
        "for width in (80, 37):\n"
        "    typeset(article, width)\n"
        "print(time.perf_counter() - started)\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, timeout=limit + 1.5, check=True
        )
    except subprocess.TimeoutExpired:
        return float("inf")
    return float(done.stdout)


TYPESET_LIMIT = 5.0


@pytest.mark.parametrize(
    "name",
    [
        "1mb-title",
        "100k-word",
        "100k-wide-word",
        "combining-stack",
        "escape-storm",
    ],
)
def test_huge_inputs_typeset_in_bounded_time(
    tmp_path: Path, huge_library: Library, name: str
) -> None:
    pytest.importorskip("reader.ui.typeset")
    article_id = next(
        a.id
        for a in huge_library.article_page(ArticleQuery(), 0, 10)
        if huge_library.article(a.id).key == name
    )
    huge_library.close()
    seconds = _typeset_seconds(tmp_path / "data", tmp_path / "config", article_id, TYPESET_LIMIT)
    assert seconds < TYPESET_LIMIT
