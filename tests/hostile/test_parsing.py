"""Parsing: entity bombs stay small, nothing external is read, and every broken
body gives a recorded per-feed error or a sane fallback while every stored
article is kept. Each case refreshes a good version of the feed first, then the
hostile one, from the loopback server through ``Library.refresh``."""

from __future__ import annotations

import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import pytest
from loopback import LoopbackServer

from reader.core import Library
from reader.core._fetch import Fetcher
from reader.core._parse import parse_feed
from reader.core.library import ArticleQuery
from reader.core.models import Feed, FeedRefreshResult

from .conftest import GOOD_FEED, GOOD_ITEMS, add_feed, integrity_problems, rss, unsafe_characters

MB = 1 << 20


@dataclass
class Swap:
    feed: Feed  # after the hostile refresh
    result: FeedRefreshResult
    before: dict[str, tuple[str, str]]  # key -> (title, text)
    after: dict[str, tuple[str, str]]
    seconds: float
    peak_bytes: int


def _texts(library: Library) -> dict[str, tuple[str, str]]:
    out = {}
    for article_id in library.article_ids(ArticleQuery()):
        article = library.article(article_id)
        out[article.key] = (article.title, article.text)
    return out


async def swap(
    library: Library,
    server: LoopbackServer,
    fetcher: Fetcher,
    hostile: bytes,
    *,
    good: bytes = GOOD_FEED,
    content_type: str = "application/rss+xml",
) -> Swap:
    """Serve ``good``, refresh; serve ``hostile``, refresh (measured); report."""
    state = {"body": good}
    url = server.route(
        "/feed.xml", lambda h: h.send(200, state["body"], {"Content-Type": content_type})
    )
    feed = add_feed(library, url)
    first = await library.refresh([feed.id], fetcher=fetcher)
    assert first.results[0].error is None, first.results[0].error
    before = _texts(library)
    state["body"] = hostile
    tracemalloc.start()
    started = time.perf_counter()
    try:
        summary = await library.refresh([feed.id], fetcher=fetcher)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    after = _texts(library)
    assert set(after) >= set(before), "a stored article was lost"
    assert integrity_problems(library.db.path) == []
    return Swap(library.feed(feed.id), summary.results[0], before, after, seconds, peak)


def _assert_kept(result: Swap) -> None:
    """Nothing stored was lost or changed."""
    assert result.after == result.before


# --- entity expansion -------------------------------------------------------------

LOL = b"".join(
    b'<!ENTITY lol%d "%s">' % (i, b"".join(b"&lol%d;" % (i - 1) for _ in range(10)))
    for i in range(1, 10)
)
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol0 "lol">' + LOL + b"]>"
    b'<rss version="2.0"><channel><title>&lol9;</title><item><guid>good-1</guid>'
    b"<title>&lol9;</title><description>&lol9;</description></item></channel></rss>"
)
QUADRATIC = (
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "' + b"x" * 100_000 + b'">]>'
    b'<rss version="2.0"><channel><title>q</title><item><guid>good-2</guid><title>&a;</title>'
    b"<description>" + b"&a;" * 20_000 + b"</description></item></channel></rss>"
)


@pytest.mark.parametrize(
    "bomb",
    [
        pytest.param(BILLION_LAUGHS, id="billion-laughs"),
        pytest.param(QUADRATIC, id="quadratic-blowup"),
        pytest.param(BILLION_LAUGHS.replace(b"<?xml version=\"1.0\"?>", b"").decode().encode("utf-16"), id="utf16-billion-laughs"),
    ],
)  # fmt: skip
async def test_entity_bombs_stay_bounded(
    library: Library, loopback: LoopbackServer, fetcher: Fetcher, bomb: bytes
) -> None:
    result = await swap(library, loopback, fetcher, bomb)
    assert result.seconds < 5
    assert result.peak_bytes < 64 * MB  # fully expanded, billion laughs alone is ~3 GB
    assert set(result.after) == set(result.before)
    for title, text in result.after.values():
        assert len(title) <= 500 and len(text) < 4 * MB


# --- nothing external is read or fetched -------------------------------------------


async def test_external_entities_are_never_read_or_fetched(
    tmp_path: Path, library: Library, loopback: LoopbackServer, fetcher: Fetcher
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    dtd = loopback.static("/evil.dtd", b'<!ENTITY remote "REMOTE-ENTITY-TEXT">')
    hostile = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY file SYSTEM "{secret.as_uri()}">'
        f'<!ENTITY net SYSTEM "{dtd}"><!ENTITY % param SYSTEM "{dtd}"> %param;]>'
        '<rss version="2.0"><channel><title>x &file; &net; &remote;</title>'
        "<item><guid>good-1</guid><title>t &file; &net;</title>"
        "<description>d &file; &net; &remote;</description></item></channel></rss>"
    ).encode()
    result = await swap(library, loopback, fetcher, hostile)
    blob = repr(result.after) + result.feed.title + (result.feed.last_error or "")
    assert "TOP-SECRET" not in blob and "REMOTE-ENTITY" not in blob
    assert loopback.requests_to("/evil.dtd") == []


async def test_external_dtd_is_never_fetched(
    library: Library, loopback: LoopbackServer, fetcher: Fetcher
) -> None:
    dtd = loopback.static("/rss.dtd", b'<!ENTITY x "FROM-DTD">')
    hostile = GOOD_FEED.replace(
        b'<rss version="2.0">', f'<!DOCTYPE rss SYSTEM "{dtd}"><rss version="2.0">'.encode()
    )
    result = await swap(library, loopback, fetcher, hostile)
    assert loopback.requests_to("/rss.dtd") == []
    assert "FROM-DTD" not in repr(result.after)


async def test_body_that_looks_like_a_path_is_never_opened(
    tmp_path: Path, library: Library, loopback: LoopbackServer, fetcher: Fetcher
) -> None:
    # A valid feed on disk: if anything opened the body as a path, its story would appear.
    secret = tmp_path / "secret-feed.xml"
    secret.write_bytes(rss([("secret", "SECRET STORY FROM DISK", "<p>local file</p>")]))
    for body in (str(secret).encode(), secret.as_uri().encode(), b"/etc/passwd"):
        result = await swap(library, loopback, fetcher, body)
        assert result.feed.last_error is not None and result.feed.last_error.startswith(
            "not a feed"
        )
        assert "SECRET" not in repr(result.after)
        _assert_kept(result)


# --- broken bodies: recorded error, articles kept ----------------------------------

LOGIN_PAGE = (
    b"<!DOCTYPE html><html><head><title>Sign in</title></head><body><form method=post>"
    b"<input name=user><input type=password name=pass></form></body></html>"
)
CAPTIVE_PORTAL = (
    b'<html><head><meta http-equiv="refresh" content="0;url=http://portal.example/login">'
    b"</head><body>Accept the terms to use Hotel WiFi</body></html>"
)


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"", "application/rss+xml", "not a feed: the response was empty"),
        (b" \r\n\t ", "application/rss+xml", "not a feed: the response was empty"),
        (LOGIN_PAGE, "text/html", "not a feed: the server sent a web page"),
        (CAPTIVE_PORTAL, "application/rss+xml", "not a feed: the server sent a web page"),
        (b"\x00\xff\xfe garbage \x1b[2J", "application/octet-stream", "not a feed"),
        (b'{"items": "nope"}', "application/json", "not a feed: JSON without"),
        (b"{" * 100_000, "application/feed+json", "not a feed: invalid JSON"),
        (b"<" * 100_000, "application/rss+xml", "not a feed"),
    ],
    ids=["empty", "whitespace", "login-page", "captive-portal", "binary", "json-no-items",
         "json-deep-nesting", "angle-brackets"],
)  # fmt: skip
async def test_not_a_feed_is_a_recorded_error(
    library: Library,
    loopback: LoopbackServer,
    fetcher: Fetcher,
    body: bytes,
    content_type: str,
    message: str,
) -> None:
    result = await swap(library, loopback, fetcher, body, content_type=content_type)
    assert result.result.error is not None and result.result.error.startswith(message)
    assert result.feed.last_error == result.result.error
    assert not unsafe_characters(result.feed.last_error)
    assert result.feed.title == "Good Feed"
    _assert_kept(result)


def _two_items(cut_marker: bytes | None = None) -> tuple[bytes, bytes]:
    items = [
        ("good-1", "First good story", "<p>The council met on Tuesday to discuss the bridge.</p>"),
        ("good-2", "Second good story", "<p>Rain is expected across the valley, " + "heavy " * 50 + "at times.</p>"),
    ]  # fmt: skip
    good = rss(items, title="Good Feed")
    cut = good.index(cut_marker or b"heavy heavy") + 3
    return good, good[:cut]


async def test_truncated_xml_keeps_articles_and_feed(
    library: Library, loopback: LoopbackServer, fetcher: Fetcher
) -> None:
    good, truncated = _two_items(b"<item>")
    result = await swap(library, loopback, fetcher, truncated, good=good)
    assert set(result.after) == set(result.before)
    assert result.after["good-1"] == result.before["good-1"]


async def test_truncated_xml_does_not_overwrite_the_entry_it_cuts(
    library: Library, loopback: LoopbackServer, fetcher: Fetcher
) -> None:
    good, truncated = _two_items()
    result = await swap(library, loopback, fetcher, truncated, good=good)
    _assert_kept(result)


# --- encodings ---------------------------------------------------------------------

UNICODE_ITEMS = [("good-1", "Café naïve — “quoted”", "<p>Déjà vu in Zürich, 東京.</p>")]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (rss(UNICODE_ITEMS).replace(b'encoding="utf-8"', b'encoding="iso-8859-1"'), None),
        (rss(UNICODE_ITEMS).decode().encode("cp1252", "replace"), "application/rss+xml; charset=utf-8"),
        (rss(UNICODE_ITEMS).replace(b' encoding="utf-8"', b"").decode().encode("utf-16"), None),
        (rss(UNICODE_ITEMS), "application/rss+xml; charset=koi8-r"),
        (rss(UNICODE_ITEMS), 'text/xml; charset="no-such-charset"'),
        (rss(UNICODE_ITEMS).replace(b"utf-8", b"x-\xff\xfe-bogus"), None),
        (rss(UNICODE_ITEMS).replace(b"utf-8", b"utf-32"), None),
        (b"\xef\xbb\xbf" + rss(UNICODE_ITEMS).decode().encode("utf-16-le"), None),
        (rss(UNICODE_ITEMS) + b"\xff\xfe\xc3", None),
    ],
    ids=["utf8-declared-latin1", "cp1252-header-utf8", "utf16-declared-utf8", "header-koi8",
         "header-unknown", "undecodable-name", "declared-utf32", "utf8-bom-utf16-body",
         "invalid-utf8-tail"],
)  # fmt: skip
async def test_lying_encodings_never_crash_or_lose_articles(
    library: Library,
    loopback: LoopbackServer,
    fetcher: Fetcher,
    body: bytes,
    content_type: str | None,
) -> None:
    result = await swap(
        library, loopback, fetcher, body, content_type=content_type or "application/rss+xml"
    )
    # Either an error is recorded, or the text is stored decoded somehow (mojibake
    # is allowed when the server lies), never with a control character.
    assert result.result.error is None or result.feed.last_error == result.result.error
    assert set(result.after) >= set(result.before)
    for title, text in result.after.values():
        assert not unsafe_characters(title + text)


# --- GUIDs -------------------------------------------------------------------------


async def test_missing_guids_fall_back_to_links_then_content(
    library: Library, loopback: LoopbackServer, fetcher: Fetcher
) -> None:
    no_guids = rss([(None, "Untagged one", "<p>one</p>"), (None, "Untagged two", "<p>two</p>")])
    no_guids = no_guids.replace(b"<link>https://news.example/0</link>", b"")
    result = await swap(library, loopback, fetcher, no_guids)
    assert result.result.error is None and result.result.new == 2
    new_keys = set(result.after) - set(result.before)
    assert "https://news.example/1" in new_keys
    assert any(key.startswith("sha256:") for key in new_keys)
    # The same document again changes nothing: the fallback keys are stable.
    again = await library.refresh([result.feed.id], fetcher=fetcher)
    assert (again.results[0].new, again.results[0].updated) == (0, 0)


async def test_duplicate_guids_in_one_document_keep_both_stories(
    library: Library, loopback: LoopbackServer, fetcher: Fetcher
) -> None:
    dup = rss(
        [
            ("same", "Story A", "<p>a</p>"),
            ("same", "Story B", "<p>b</p>"),
            ("same", "Story A", "<p>a</p>"),  # an exact repeat: dropped
        ]
    )
    result = await swap(library, loopback, fetcher, dup)
    titles = sorted(title for title, _ in result.after.values())
    assert titles.count("Story A") == 1 and titles.count("Story B") == 1
    reordered = rss([("same", "Story B", "<p>b</p>"), ("same", "Story A", "<p>a</p>")])
    url = loopback.url("/feed.xml")
    loopback.static("/feed.xml", reordered)
    assert url == result.feed.url
    await library.refresh([result.feed.id], fetcher=fetcher)
    after = _texts(library)
    assert {"Story A", "Story B"} <= {title for title, _ in after.values()}
    assert integrity_problems(library.db.path) == []


async def test_changing_guids_never_remove_stored_articles(
    library: Library, loopback: LoopbackServer, fetcher: Fetcher
) -> None:
    changed = rss([(f"{guid}-v2", title, body) for guid, title, body in GOOD_ITEMS])
    result = await swap(library, loopback, fetcher, changed)
    assert result.result.error is None
    for key, value in result.before.items():
        assert result.after[key] == value


# --- dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "date",
    [
        "Mon, 31 Feb 2026 10:00:00 GMT",
        "2026-02-31T10:00:00Z",
        "99999-01-01T00:00:00Z",
        "Tue, 01 Jan 99999 00:00:00 GMT",
        "0000-00-00T00:00:00Z",
        "not a date at all",
        "",
        "\x1b[2J",
    ],
)
def test_impossible_dates_are_unknown(date: str) -> None:
    body = rss([("1", "t", "<p>x</p>")]).replace(
        b"<pubDate>Mon, 01 Jun 2026 10:00:00 GMT</pubDate>", f"<pubDate>{date}</pubDate>".encode()
    )
    entry = parse_feed(body, "https://news.example/feed", now=1_800_000_000).entries[0]
    assert entry.published is None


@pytest.mark.parametrize("date", ["Fri, 01 Jan 2100 00:00:00 GMT", "9999-12-31T23:59:59Z"])
def test_future_dates_are_clamped_to_now(date: str) -> None:
    body = rss([("1", "t", "<p>x</p>")]).replace(
        b"<pubDate>Mon, 01 Jun 2026 10:00:00 GMT</pubDate>", f"<pubDate>{date}</pubDate>".encode()
    )
    entry = parse_feed(body, "https://news.example/feed", now=1_800_000_000).entries[0]
    assert entry.published == 1_800_000_000


async def test_hostile_dates_through_refresh_keep_a_sane_order(
    library: Library, loopback: LoopbackServer, fetcher: Fetcher
) -> None:
    dates = ["Mon, 31 Feb 2026 10:00:00 GMT", "Fri, 01 Jan 2100 00:00:00 GMT", "garbage"]
    body = rss([(f"d{i}", f"Dated {i}", "<p>x</p>") for i in range(3)])
    for i, date in enumerate(dates):
        body = body.replace(
            f"<pubDate>Mon, 0{i + 1} Jun 2026 10:00:00 GMT</pubDate>".encode(),
            f"<pubDate>{date}</pubDate>".encode(),
        )
    result = await swap(library, loopback, fetcher, body)
    assert result.result.error is None and result.result.new == 3
    now = time.time()
    for summary in library.article_page(ArticleQuery(), 0, 50):
        assert summary.published is None or summary.published <= now
