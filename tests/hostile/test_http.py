"""HTTP: every hostile server behaviour ends in bounded time and memory with a
recorded per-feed error, through ``Library.refresh`` with a short-limit
Fetcher; stored articles are kept. Then back-off and Retry-After."""

from __future__ import annotations

import email.utils
import ssl
import time
import tracemalloc
from collections.abc import Callable, Iterator

import pytest
import trustme
from loopback import Handler, LoopbackServer, gzip_zeros

from reader.core import Library
from reader.core._fetch import Fetcher
from reader.core.library import ArticleQuery

from .conftest import FAST, GOOD_FEED, add_feed, integrity_problems

MB = 1 << 20
BOUND_SECONDS = FAST.deadline + 3  # the deadline plus generous slack


def _switchable(
    server: LoopbackServer, path: str
) -> tuple[str, dict[str, Callable[[Handler], None]]]:
    """A route that serves the good feed until ``state['route']`` is replaced."""
    state: dict[str, Callable[[Handler], None]] = {
        "route": lambda h: h.send(200, GOOD_FEED, {"Content-Type": "application/rss+xml"})
    }
    return server.route(path, lambda h: state["route"](h)), state


async def _good_then(
    library: Library, server: LoopbackServer, fetcher: Fetcher, hostile: Callable[[Handler], None]
) -> tuple[int, str, float, int]:
    """Refresh the good feed, switch to ``hostile``, refresh again. Returns
    (feed id, recorded error, seconds, peak traced bytes)."""
    url, state = _switchable(server, "/feed.xml")
    feed = add_feed(library, url)
    first = await library.refresh([feed.id], fetcher=fetcher)
    assert first.results[0].error is None
    before = library.count_articles(ArticleQuery())
    state["route"] = hostile
    tracemalloc.start()
    started = time.perf_counter()
    try:
        summary = await library.refresh([feed.id], fetcher=fetcher)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    error = summary.results[0].error
    assert error is not None, "the hostile response was accepted"
    stored = library.feed(feed.id)
    assert stored.last_error == error and stored.title == "Good Feed"
    assert library.count_articles(ArticleQuery()) == before == 3
    assert integrity_problems(library.db.path) == []
    return feed.id, error, seconds, peak


def _drip(h: Handler) -> None:
    body = GOOD_FEED * 10
    h.send_head(200, {"Content-Length": str(len(body))})
    for i in range(len(body)):
        if h.stopping.wait(0.05):
            return
        h.wfile.write(body[i : i + 1])


def _silent(h: Handler) -> None:
    h.stopping.wait(10)


def _endless(h: Handler) -> None:
    def blocks() -> Iterator[bytes]:
        while True:
            yield b"<item>" * 10_000

    h.send_until_close(200, {"Content-Type": "application/rss+xml"}, blocks())


def _lying_longer(h: Handler) -> None:
    h.close_connection = True
    h.send_head(200, {"Content-Length": str(len(GOOD_FEED) * 4), "Connection": "close"})
    h.wfile.write(GOOD_FEED[: len(GOOD_FEED) // 2])


def _lying_huge(h: Handler) -> None:
    h.send_head(200, {"Content-Length": str(10 << 30)})
    h.wfile.write(GOOD_FEED)


def _bomb(layers: int) -> Callable[[Handler], None]:
    body = gzip_zeros(64 << 20, layers)
    encoding = ", ".join(["gzip"] * layers)
    return lambda h: h.send(200, body, {"Content-Encoding": encoding})


def _mixed_bomb(h: Handler) -> None:
    import zlib

    inner = gzip_zeros(64 << 20, 1)
    packer = zlib.compressobj(9)  # deflate (zlib-wrapped) around gzip
    h.send(200, packer.compress(inner) + packer.flush(), {"Content-Encoding": "gzip, deflate"})


def _reset(h: Handler) -> None:
    h.send_head(200, {"Content-Length": str(len(GOOD_FEED) * 2)})
    h.wfile.write(GOOD_FEED[:100])
    h.wfile.flush()
    h.stopping.wait(0.2)
    h.reset()


def _redirect(location: str) -> Callable[[Handler], None]:
    return lambda h: h.send(302, b"", {"Location": location})


HOSTILE: dict[str, tuple[Callable[[Handler], None], str]] = {
    "drip-fed": (_drip, "timed out after"),
    "silent": (_silent, "server stopped responding"),
    "endless-body": (_endless, "response larger than"),
    "lying-length-longer": (_lying_longer, "server broke the connection"),
    "lying-length-huge": (_lying_huge, "response larger than"),
    "gzip-bomb": (_bomb(1), "response larger than"),
    "stacked-gzip-bomb": (_bomb(2), "response larger than"),
    "triple-gzip-bomb": (_bomb(3), "response larger than"),
    "deflate-over-gzip-bomb": (_mixed_bomb, "response larger than"),
    "reset-mid-body": (_reset, ""),
    "redirect-loop": (_redirect("/feed.xml"), "redirect loop"),
    "redirect-file": (_redirect("file:///etc/passwd"), "redirect to non-http(s) URL refused"),
    "redirect-javascript": (
        _redirect("javascript:alert(1)"),
        "redirect to non-http(s) URL refused",
    ),
    "redirect-ftp": (_redirect("ftp://files.example/feed"), "redirect to non-http(s) URL refused"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_hostile_server_ends_bounded_with_recorded_error(
    library: Library, loopback: LoopbackServer, fetcher: Fetcher, name: str
) -> None:
    route, message = HOSTILE[name]
    _, error, seconds, peak = await _good_then(library, loopback, fetcher, route)
    assert error.startswith(message) or message in error, error
    assert seconds < BOUND_SECONDS
    assert peak < 4 * FAST.max_bytes + 16 * MB  # the cap, not the 64 MB the bombs inflate to


async def test_redirect_loop_across_paths(
    library: Library, loopback: LoopbackServer, fetcher: Fetcher
) -> None:
    loopback.redirect("/a", "/b")
    loopback.redirect("/b", "/feed.xml")
    _, error, seconds, _ = await _good_then(library, loopback, fetcher, _redirect("/a"))
    assert error.startswith("redirect loop") and seconds < BOUND_SECONDS


# --- TLS ----------------------------------------------------------------------------


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


def _tls_server(ca: trustme.CA, hostname: str) -> LoopbackServer:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(hostname).configure_cert(context)
    return LoopbackServer(tls=context).start()


@pytest.mark.parametrize(
    ("hostname", "trust", "message"),
    [
        ("127.0.0.1", False, "CERTIFICATE_VERIFY_FAILED"),  # unknown CA
        ("other.example", True, "CERTIFICATE_VERIFY_FAILED"),  # wrong host
        ("127.0.0.1", True, None),  # control: trusted and matching works
    ],
)
async def test_bad_tls_certificate_is_a_recorded_error(
    library: Library, ca: trustme.CA, hostname: str, trust: bool, message: str | None
) -> None:
    server = _tls_server(ca, hostname)
    client = ssl.create_default_context()
    if trust:
        ca.configure_trust(client)
    try:
        url = server.static("/feed.xml", GOOD_FEED)
        feed = add_feed(library, url)
        async with Fetcher(FAST, verify=client) as fetcher:
            started = time.perf_counter()
            summary = await library.refresh([feed.id], fetcher=fetcher)
        assert time.perf_counter() - started < BOUND_SECONDS
    finally:
        server.stop()
    error = summary.results[0].error
    if message is None:
        assert error is None and library.feed(feed.id).total == 3
    else:
        assert error is not None and message in error
        assert library.feed(feed.id).last_error == error


# --- back-off and Retry-After ---------------------------------------------------------


def _backoff_row(library: Library, feed_id: int) -> tuple[int, float | None]:
    row = (
        library.db.connection()
        .execute("SELECT error_count, retry_after_until FROM feeds WHERE id = ?", (feed_id,))
        .fetchone()
    )
    return int(row[0]), row[1]


def _status(status: int, retry_after: str | None = None) -> Callable[[Handler], None]:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return lambda h: h.send(status, b"busy", headers)


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_seconds_is_recorded(
    library: Library, loopback: LoopbackServer, fetcher: Fetcher, status: int
) -> None:
    feed_id, error, _, _ = await _good_then(library, loopback, fetcher, _status(status, "120"))
    assert error.startswith(f"HTTP {status}")
    count, until = _backoff_row(library, feed_id)
    assert count == 1 and until is not None and 100 < until - time.time() <= 120


async def test_retry_after_http_date_is_recorded(
    library: Library, loopback: LoopbackServer, fetcher: Fetcher
) -> None:
    when = email.utils.formatdate(time.time() + 600, usegmt=True)
    feed_id, _, _, _ = await _good_then(library, loopback, fetcher, _status(503, when))
    _, until = _backoff_row(library, feed_id)
    assert until is not None and 580 < until - time.time() <= 601


@pytest.mark.parametrize("garbage", ["soon", "-5", "1e9999", "Mon, 99 Foo 2026", "\x1b[2J"])
async def test_retry_after_garbage_is_not_an_error_of_its_own(
    library: Library, loopback: LoopbackServer, fetcher: Fetcher, garbage: str
) -> None:
    feed_id, error, _, _ = await _good_then(library, loopback, fetcher, _status(429, garbage))
    assert error == "HTTP 429 Too Many Requests"
    count, until = _backoff_row(library, feed_id)
    assert count == 1 and (until is None or until <= time.time() + 24 * 3600)


async def test_errors_are_counted_and_reset_by_success(
    library: Library, loopback: LoopbackServer, fetcher: Fetcher
) -> None:
    url, state = _switchable(loopback, "/feed.xml")
    feed = add_feed(library, url)
    state["route"] = _status(500)
    for expected in (1, 2, 3):
        await library.refresh([feed.id], fetcher=fetcher)
        assert _backoff_row(library, feed.id)[0] == expected
    state["route"] = lambda h: h.send(200, GOOD_FEED)
    await library.refresh([feed.id], fetcher=fetcher)
    assert _backoff_row(library, feed.id)[0] == 0 and library.feed(feed.id).last_error is None


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_is_honoured_by_the_next_refresh(
    library: Library, loopback: LoopbackServer, fetcher: Fetcher, status: int
) -> None:
    await _good_then(library, loopback, fetcher, _status(status, "3600"))
    asked = len(loopback.requests_to("/feed.xml"))
    await library.refresh(fetcher=fetcher)  # all feeds: this one must wait an hour
    assert len(loopback.requests_to("/feed.xml")) == asked


@pytest.mark.parametrize("status", [404, 500, 502, 429])
async def test_errors_back_off_with_jitter(
    library: Library, loopback: LoopbackServer, fetcher: Fetcher, status: int
) -> None:
    waits = []
    for _ in range(3):
        feed_id, _, _, _ = await _good_then(
            library, loopback, fetcher, _status(status, "garbage" if status == 429 else None)
        )
        count, until = _backoff_row(library, feed_id)
        assert count == 1 and until is not None and until > time.time()
        waits.append(until - time.time())
        library.remove_feed(feed_id)
    assert len({round(wait, 3) for wait in waits}) > 1  # jitter: not all the same
