"""The fetcher against a real loopback HTTP server, hostile routes included."""

from __future__ import annotations

import asyncio
import email.utils
import gzip
import os
import socket
import ssl
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import trustme
from loopback import Handler, LoopbackServer

from reader import __version__
from reader.core._fetch import (
    DEFAULT_USER_AGENT,
    FEED_ACCEPT,
    Fetcher,
    FetchLimits,
    human_size,
    parse_retry_after,
)
from reader.core.models import FetchResult

FAST = FetchLimits(deadline=2, connect_timeout=2, read_timeout=2)
FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
MB = 1 << 20


async def fetch(
    url: str,
    limits: FetchLimits = FAST,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int | None = None,
) -> FetchResult:
    """One fetch with a fresh Fetcher."""
    async with Fetcher(limits) as fetcher:
        return await fetcher.fetch(url, etag=etag, last_modified=last_modified, max_bytes=max_bytes)


# --- plain responses and conditional requests ----------------------------------


async def test_200_then_304_sends_validators(loopback: LoopbackServer) -> None:
    url = loopback.conditional("/feed", FEED, etag='"v1"', last_modified=1_700_000_000)
    first = await fetch(url)
    assert (first.status, first.body, first.error) == (200, FEED, None)
    assert first.etag == '"v1"'
    assert first.last_modified == "Tue, 14 Nov 2023 22:13:20 GMT"
    assert first.content_type == "application/rss+xml"

    second = await fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.status == 304 and second.body is None
    assert second.error is None and second.etag == '"v1"'
    sent = loopback.requests_to("/feed")[1]
    assert sent.header("If-None-Match") == '"v1"'
    assert sent.header("If-Modified-Since") == "Tue, 14 Nov 2023 22:13:20 GMT"
    assert loopback.requests_to("/feed")[0].header("If-None-Match") is None


async def test_304_by_last_modified_alone(loopback: LoopbackServer) -> None:
    url = loopback.conditional("/feed", FEED, last_modified=1_700_000_000)
    result = await fetch(url, last_modified="Wed, 15 Nov 2023 00:00:00 GMT")
    assert result.not_modified
    assert result.last_modified == "Tue, 14 Nov 2023 22:13:20 GMT"


async def test_304_without_validators_keeps_the_ones_sent(loopback: LoopbackServer) -> None:
    url = loopback.static("/bare304", status=304)
    result = await fetch(url, etag='"old"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT")
    assert result.not_modified
    assert (result.etag, result.last_modified) == ('"old"', "Mon, 01 Jan 2024 00:00:00 GMT")


async def test_changed_etag_gets_full_body(loopback: LoopbackServer) -> None:
    url = loopback.conditional("/feed", FEED, etag='"v2"')
    result = await fetch(url, etag='"v1"')
    assert result.body == FEED and not result.not_modified


async def test_header_injection_in_stored_etag_is_not_sent(loopback: LoopbackServer) -> None:
    url = loopback.static("/feed", FEED)
    result = await fetch(url, etag='"x"\r\nX-Evil: 1')
    assert result.body == FEED
    sent = loopback.requests_to("/feed")[0]
    assert sent.header("If-None-Match") is None and sent.header("X-Evil") is None


async def test_default_headers(loopback: LoopbackServer) -> None:
    await fetch(loopback.static("/feed", FEED))
    sent = loopback.requests_to("/feed")[0]
    assert sent.header("User-Agent") == DEFAULT_USER_AGENT
    # Project and version; no web address (the project publishes none) (12.11).
    assert sent.header("User-Agent") == f"Broadsheet/{__version__} (terminal feed reader)"
    assert "http" not in DEFAULT_USER_AGENT and "+" not in DEFAULT_USER_AGENT
    assert sent.header("Accept") == FEED_ACCEPT
    assert "gzip" in (sent.header("Accept-Encoding") or "")


async def test_custom_user_agent_and_accept(loopback: LoopbackServer) -> None:
    url = loopback.static("/page", b"<html></html>")
    async with Fetcher(FAST, user_agent="Custom/1") as fetcher:
        await fetcher.fetch(url, accept="text/html")
    sent = loopback.requests_to("/page")[0]
    assert (sent.header("User-Agent"), sent.header("Accept")) == ("Custom/1", "text/html")


async def test_custom_transport_is_used() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        # A streamed body, as a real transport returns (content= would be pre-read).
        return httpx.Response(200, stream=httpx.ByteStream(b"mocked"), headers={"ETag": '"m"'})

    async with Fetcher(FAST, transport=httpx.MockTransport(answer)) as fetcher:
        result = await fetcher.fetch("https://example.invalid/feed")
    assert (result.body, result.etag) == (b"mocked", '"m"')


async def test_body_that_looks_like_a_path_is_just_bytes(loopback: LoopbackServer) -> None:
    result = await fetch(loopback.static("/p", b"/etc/passwd"))
    assert result.body == b"/etc/passwd" and result.error is None


# --- redirects -----------------------------------------------------------------


async def test_permanent_chain_sets_permanent_redirect(loopback: LoopbackServer) -> None:
    final = loopback.static("/new", FEED)
    loopback.redirect("/mid", final, status=308)
    start = loopback.redirect("/old", loopback.url("/mid"), status=301)
    result = await fetch(start)
    assert result.body == FEED and result.url == final
    assert result.permanent_redirect == final


async def test_permanent_redirect_then_304(loopback: LoopbackServer) -> None:
    final = loopback.conditional("/new", FEED, etag='"e"')
    start = loopback.redirect("/old", final, status=301)
    result = await fetch(start, etag='"e"')
    assert result.not_modified and result.permanent_redirect == final


@pytest.mark.parametrize("status", [302, 303, 307])
async def test_temporary_redirect_does_not_set_it(loopback: LoopbackServer, status: int) -> None:
    final = loopback.static("/new", FEED)
    result = await fetch(loopback.redirect("/old", final, status=status))
    assert result.body == FEED and result.url == final
    assert result.permanent_redirect is None


async def test_mixed_chain_is_not_permanent(loopback: LoopbackServer) -> None:
    final = loopback.static("/new", FEED)
    loopback.redirect("/b", final, status=302)
    result = await fetch(loopback.redirect("/a", "/b", status=301))  # relative Location too
    assert result.body == FEED and result.permanent_redirect is None


async def test_permanent_redirect_to_an_error_is_not_adopted(loopback: LoopbackServer) -> None:
    result = await fetch(loopback.redirect("/old", "/missing", status=301))
    assert result.status == 404 and result.permanent_redirect is None


async def test_conditional_headers_follow_redirects(loopback: LoopbackServer) -> None:
    final = loopback.conditional("/new", FEED, etag='"e"')
    await fetch(loopback.redirect("/old", final), etag='"e"')
    assert loopback.requests_to("/new")[0].header("If-None-Match") == '"e"'


async def test_redirect_loop(loopback: LoopbackServer) -> None:
    loopback.redirect("/a", "/b")
    loopback.redirect("/b", "/a")
    result = await fetch(loopback.url("/a"))
    assert result.error and result.error.startswith("redirect loop")
    assert len(loopback.requests) == 2


async def test_self_redirect_is_a_loop(loopback: LoopbackServer) -> None:
    result = await fetch(loopback.redirect("/a", "/a"))
    assert result.error and "redirect loop" in result.error


def _chain(server: LoopbackServer, hops: int) -> str:
    """``hops`` redirects, then a feed."""
    server.static(f"/r{hops}", FEED)
    for i in range(hops):
        server.redirect(f"/r{i}", f"/r{i + 1}", status=301)
    return server.url("/r0")


async def test_five_redirects_are_fine(loopback: LoopbackServer) -> None:
    result = await fetch(_chain(loopback, 5))
    assert result.body == FEED and result.permanent_redirect == loopback.url("/r5")


async def test_six_redirects_are_too_many(loopback: LoopbackServer) -> None:
    result = await fetch(_chain(loopback, 6))
    assert result.error == "too many redirects (more than 5)"
    assert result.body is None and len(loopback.requests) == 6


@pytest.mark.parametrize(
    "target", ["file:///etc/passwd", "ftp://127.0.0.1/feed", "javascript:alert(1)", "data:,x"]
)
async def test_redirect_to_non_http_is_refused(loopback: LoopbackServer, target: str) -> None:
    result = await fetch(loopback.redirect("/r", target))
    assert result.error == "redirect to non-http(s) URL refused" and result.body is None


@pytest.mark.parametrize("target", ["http://a:notaport/", "https://[zz]/"])
async def test_redirect_to_invalid_url(loopback: LoopbackServer, target: str) -> None:
    result = await fetch(loopback.redirect("/r", target))
    assert result.error == "redirect to an invalid URL" and len(loopback.requests) == 1


async def test_redirect_without_location(loopback: LoopbackServer) -> None:
    result = await fetch(loopback.static("/r", status=302))
    assert result.error == "HTTP 302 Found without a Location header"


# --- HTTP errors ---------------------------------------------------------------


async def test_410_gone(loopback: LoopbackServer) -> None:
    result = await fetch(loopback.static("/g", b"bye", status=410))
    assert result.gone and result.error == "HTTP 410 Gone" and result.body is None


@pytest.mark.parametrize(
    ("status", "message"), [(404, "HTTP 404 Not Found"), (500, "HTTP 500 Internal Server Error")]
)
async def test_http_errors(loopback: LoopbackServer, status: int, message: str) -> None:
    result = await fetch(loopback.static("/e", b"oops", status=status))
    assert (result.status, result.error, result.gone, result.body) == (status, message, False, None)


async def test_unknown_status_uses_sanitised_reason(loopback: LoopbackServer) -> None:
    def serve(h: Handler) -> None:
        h.send_response(599, "Weird\x1b[31m Thing")
        h.send_header("Content-Length", "0")
        h.end_headers()

    result = await fetch(loopback.route("/w", serve))
    assert result.error == "HTTP 599 Weird Thing"


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_seconds(loopback: LoopbackServer, status: int) -> None:
    result = await fetch(loopback.static("/r", status=status, headers={"Retry-After": "120"}))
    assert result.retry_after == 120 and result.error and str(status) in result.error


async def test_retry_after_http_date(loopback: LoopbackServer) -> None:
    when = email.utils.formatdate(time.time() + 600, usegmt=True)
    result = await fetch(loopback.static("/r", status=429, headers={"Retry-After": when}))
    assert result.retry_after is not None and 590 <= result.retry_after <= 601


@pytest.mark.parametrize(
    ("header", "expected"),
    [("soon", None), ("", None), ("-5", None), ("99999999999", 24 * 3600.0)],
)
async def test_retry_after_garbage_and_clamping(
    loopback: LoopbackServer, header: str, expected: float | None
) -> None:
    result = await fetch(loopback.static("/r", status=503, headers={"Retry-After": header}))
    assert result.retry_after == expected and result.error == "HTTP 503 Service Unavailable"


def test_parse_retry_after_edges() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after("Tue, 14 Nov 2023 22:13:20 GMT", 100, now) == 0.0  # exactly now
    assert parse_retry_after("Mon, 13 Nov 2023 00:00:00 GMT", 100, now) == 0.0  # past
    assert parse_retry_after("Wed, 15 Nov 2023 00:00:00 GMT", 100, now) == 100  # clamped
    assert parse_retry_after(" 7 ", 100, now) == 7.0
    assert parse_retry_after("1e3", 100, now) is None
    assert parse_retry_after(None, 100, now) is None


def test_human_size() -> None:
    sizes = [human_size(n) for n in (20 * MB, 1536, 4999, 10)]
    assert sizes == ["20 MB", "1.5 KB", "4999 bytes", "10 bytes"]


# --- size limits ---------------------------------------------------------------


def _measure() -> None:
    tracemalloc.start()
    tracemalloc.reset_peak()


def _peak_mb() -> float:
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / MB


async def test_100mb_declared_body_stops_at_once(loopback: LoopbackServer) -> None:
    url = loopback.big("/big", 100 * MB)
    started = time.monotonic()
    result = await fetch(url, FetchLimits(deadline=10))
    assert result.error == "response larger than 20 MB" and result.body is None
    assert time.monotonic() - started < 5


async def test_100mb_undeclared_body_bounded_time_and_memory(loopback: LoopbackServer) -> None:
    url = loopback.big("/big", 100 * MB, declare_length=False)
    started = time.monotonic()
    _measure()
    result = await fetch(url, FetchLimits(deadline=10))
    peak = _peak_mb()
    assert result.error == "response larger than 20 MB"
    assert peak < 50, f"peak {peak:.1f} MB"
    assert time.monotonic() - started < 10
    assert loopback.requests_to("/big")  # it really went over the wire


async def test_endless_body(loopback: LoopbackServer) -> None:
    result = await fetch(loopback.endless("/forever"), FetchLimits(deadline=10), max_bytes=MB)
    assert result.error == "response larger than 1 MB"


async def test_max_bytes_per_call(loopback: LoopbackServer) -> None:
    url = loopback.static("/f", b"x" * 2000)
    assert (await fetch(url, max_bytes=2000)).body == b"x" * 2000
    assert (await fetch(url, max_bytes=1999)).error == "response larger than 1999 bytes"


@pytest.mark.parametrize("layers", [1, 2])
async def test_gzip_bomb_bounded_memory(loopback: LoopbackServer, layers: int) -> None:
    url = loopback.gzip_bomb("/bomb", layers=layers)
    _measure()
    result = await fetch(url, FetchLimits(deadline=10))
    peak = _peak_mb()
    assert result.error == "response larger than 20 MB" and result.body is None
    assert peak < 50, f"peak {peak:.1f} MB"


async def test_gzip_bomb_under_small_cap(loopback: LoopbackServer) -> None:
    url = loopback.gzip_bomb("/bomb")
    _measure()
    result = await fetch(url, FetchLimits(deadline=10, max_bytes=MB))
    peak = _peak_mb()
    assert result.error == "response larger than 1 MB"
    assert peak < 8, f"peak {peak:.1f} MB"


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-15)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", gzip.compress(FEED, mtime=0)),
        ("x-gzip", gzip.compress(FEED, mtime=0)),
        ("GZIP", gzip.compress(FEED, mtime=0)),
        ("gzip, gzip", gzip.compress(gzip.compress(FEED, mtime=0), mtime=0)),
        ("deflate", zlib.compress(FEED)),
        ("deflate", _raw_deflate(FEED)),
        ("identity", FEED),
        (
            "gzip",
            gzip.compress(FEED[:40], mtime=0) + gzip.compress(FEED[40:], mtime=0),
        ),  # two gzip members
    ],
)
async def test_content_encodings_decoded(
    loopback: LoopbackServer, encoding: str, body: bytes
) -> None:
    result = await fetch(loopback.static("/z", body, headers={"Content-Encoding": encoding}))
    assert result.error is None and result.body == FEED


async def test_compressed_body_dripped_byte_by_byte(loopback: LoopbackServer) -> None:
    def serve(h: Handler) -> None:
        body = zlib.compress(FEED)
        h.send_head(200, {"Content-Length": str(len(body)), "Content-Encoding": "deflate"})
        for i in range(len(body)):
            h.wfile.write(body[i : i + 1])
            h.wfile.flush()
            time.sleep(0.001)

    result = await fetch(loopback.route("/z", serve))
    assert result.body == FEED


async def test_decoded_cap_exact(loopback: LoopbackServer) -> None:
    url = loopback.static("/z", gzip.compress(b"a" * 5000), headers={"Content-Encoding": "gzip"})
    assert (await fetch(url, max_bytes=5000)).body == b"a" * 5000
    assert (await fetch(url, max_bytes=4999)).error == "response larger than 4999 bytes"


async def test_corrupt_gzip(loopback: LoopbackServer) -> None:
    url = loopback.static("/z", b"\x1f\x8bnot gzip at all", headers={"Content-Encoding": "gzip"})
    result = await fetch(url)
    assert result.error and result.error.startswith("cannot decode compressed response")


async def test_unsupported_encoding(loopback: LoopbackServer) -> None:
    url = loopback.static("/z", b"???", headers={"Content-Encoding": "zstd-ish\x1b[2J"})
    result = await fetch(url)
    assert result.error == "unsupported Content-Encoding: zstd-ish"


# --- slow, silent and broken servers -----------------------------------------------


async def test_drip_fed_body_hits_deadline(loopback: LoopbackServer) -> None:
    url = loopback.drip("/drip", b"x" * 1000, interval=0.05)
    started = time.monotonic()
    result = await fetch(url, FetchLimits(deadline=1, read_timeout=5))
    elapsed = time.monotonic() - started
    assert result.error == "timed out after 1 s" and result.body is None
    assert 0.9 <= elapsed < 2


async def test_silent_server_hits_deadline(loopback: LoopbackServer) -> None:
    started = time.monotonic()
    result = await fetch(loopback.silent("/silent"), FetchLimits(deadline=1))
    assert result.error == "timed out after 1 s"
    assert time.monotonic() - started < 2


async def test_silent_server_hits_read_timeout(loopback: LoopbackServer) -> None:
    result = await fetch(loopback.silent("/silent"), FetchLimits(deadline=5, read_timeout=0.3))
    assert result.error == "server stopped responding (nothing for 0.3 s)"


async def test_deadline_spans_redirects(loopback: LoopbackServer) -> None:
    # Each hop is well under the deadline; together they are not.
    loopback.slow("/d", FEED, delay=0.4)
    for hop in "abc":
        loopback.route(f"/{hop}", _slow_redirect("/" + chr(ord(hop) + 1), 0.4))
    result = await fetch(loopback.url("/a"), FetchLimits(deadline=1))
    assert result.error == "timed out after 1 s"


def _slow_redirect(location: str, delay: float) -> Callable[[Handler], None]:
    def serve(h: Handler) -> None:
        h.stopping.wait(delay)
        h.send(302, b"", {"Location": location})

    return serve


async def test_connection_reset_mid_body(loopback: LoopbackServer) -> None:
    url = loopback.reset_mid_body("/reset", declared=10_000, sent=b"<rss>" * 100)
    result = await fetch(url)
    assert result.error and result.body is None
    assert result.error.startswith(("connection lost", "server broke the connection"))


async def test_content_length_longer_than_body(loopback: LoopbackServer) -> None:
    result = await fetch(loopback.lying_length("/lie", declared=10_000, body=FEED))
    assert result.error and result.error.startswith("server broke the connection")


async def test_content_length_shorter_than_body(loopback: LoopbackServer) -> None:
    # The declared length wins: we never read past it, however much is sent.
    result = await fetch(loopback.lying_length("/lie", declared=5, body=b"x" * MB))
    assert result.body == b"xxxxx"


async def test_connection_refused() -> None:
    with socket.socket() as sock:  # find a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = await fetch(f"http://127.0.0.1:{port}/feed")
    assert result.error and result.error.startswith("cannot connect")


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1/feed", "gopher://x", "example.com/feed", "", "javascript:alert(1)"]
)
async def test_other_schemes_refused(url: str) -> None:
    result = await fetch(url)
    assert result.error and result.error.startswith("unsupported URL") and result.body is None


async def test_invalid_http_url() -> None:
    result = await fetch("http://127.0.0.1:notaport/feed")
    assert result.error and result.error.startswith("invalid URL")


# --- concurrency -----------------------------------------------------------------


async def test_per_host_limit(loopback: LoopbackServer) -> None:
    url = loopback.slow("/slow", FEED, delay=0.2)
    async with Fetcher(FetchLimits(per_host=2, deadline=5)) as fetcher:
        results = await asyncio.gather(*(fetcher.fetch(f"{url}?{i}") for i in range(6)))
    assert all(r.body == FEED for r in results)
    assert loopback.max_in_flight == 2


async def test_global_limit(loopback: LoopbackServer) -> None:
    url = loopback.slow("/slow", FEED, delay=0.2)
    async with Fetcher(FetchLimits(max_connections=3, per_host=10, deadline=5)) as fetcher:
        results = await asyncio.gather(*(fetcher.fetch(f"{url}?{i}") for i in range(8)))
    assert all(r.body == FEED for r in results)
    assert loopback.max_in_flight == 3


async def test_waiting_for_a_slot_does_not_count_against_the_deadline(
    loopback: LoopbackServer,
) -> None:
    url = loopback.slow("/slow", FEED, delay=0.3)
    async with Fetcher(FetchLimits(per_host=1, deadline=1)) as fetcher:
        results = await asyncio.gather(*(fetcher.fetch(f"{url}?{i}") for i in range(5)))
    assert [r.error for r in results] == [None] * 5  # 1.5 s in all, 0.3 s each


# --- local files -----------------------------------------------------------------


async def test_file_url_and_plain_path(tmp_path: Path) -> None:
    path = tmp_path / "my feed.xml"
    path.write_bytes(FEED)
    by_url = await fetch(path.as_uri())
    by_path = await fetch(str(path))
    assert by_url.body == FEED and by_path.body == FEED
    assert by_url.error is None and by_url.url == path.as_uri()


async def test_home_and_relative_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "feed.xml").write_bytes(FEED)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert (await fetch("~/feed.xml")).body == FEED
    assert (await fetch("./feed.xml")).body == FEED


async def test_file_errors(tmp_path: Path) -> None:
    assert (await fetch(str(tmp_path / "nope.xml"))).error == f"file not found: {tmp_path}/nope.xml"
    assert (await fetch(str(tmp_path))).error == f"not a regular file: {tmp_path}"
    assert (await fetch("file://elsewhere/etc/passwd")).error == (
        "file URLs on another host are not supported"
    )


async def test_file_over_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    path.write_bytes(b"x" * 2048)
    assert (await fetch(str(path), max_bytes=2048)).body == b"x" * 2048
    assert (await fetch(str(path), max_bytes=1024)).error == "response larger than 1 KB"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
async def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = await asyncio.wait_for(fetch(str(fifo)), timeout=2)
    assert result.error == f"not a regular file: {fifo}"


# --- TLS -----------------------------------------------------------------------


@pytest.fixture
def tls_server() -> Iterator[tuple[LoopbackServer, ssl.SSLContext]]:
    """An HTTPS loopback server and a client context that trusts its private CA."""
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    server = LoopbackServer(tls=server_context).start()
    try:
        yield server, client_context
    finally:
        server.stop()


async def test_https_with_given_trust(tls_server: tuple[LoopbackServer, ssl.SSLContext]) -> None:
    server, client_context = tls_server
    url = server.static("/feed", FEED)
    async with Fetcher(FAST, verify=client_context) as fetcher:
        result = await fetcher.fetch(url)
    assert url.startswith("https://") and result.body == FEED


async def test_https_untrusted_certificate_is_an_error(
    tls_server: tuple[LoopbackServer, ssl.SSLContext],
) -> None:
    server, _ = tls_server
    result = await fetch(server.static("/feed", FEED))
    assert result.error and result.error.startswith("cannot connect")
    assert "CERTIFICATE_VERIFY_FAILED" in result.error and result.body is None


# --- backpressure ------------------------------------------------------------------


async def test_no_request_is_sent_until_there_is_room(loopback: LoopbackServer) -> None:
    url = loopback.static("/feed", FEED)
    room = asyncio.Event()
    async with Fetcher(FAST) as fetcher:
        task = asyncio.create_task(fetcher.fetch(url, wait_for_room=room.wait))
        await asyncio.sleep(0.2)
        assert not task.done() and loopback.requests_to("/feed") == []
        room.set()
        result = await asyncio.wait_for(task, 5)
    assert result.body == FEED and len(loopback.requests_to("/feed")) == 1


async def test_a_full_backlog_pauses_requests_until_bodies_are_stored() -> None:
    from reader.core._refresh.backlog import Backlog as _Backlog

    backlog = _Backlog(limit=100)
    await asyncio.wait_for(backlog.wait_for_room(), 1)  # empty: room at once
    stored = asyncio.Event()

    async def store_slowly() -> None:
        async with backlog.holding(100):  # one body fills it
            await stored.wait()

    storing = asyncio.create_task(store_slowly())
    await asyncio.sleep(0)
    waiting = asyncio.create_task(backlog.wait_for_room())
    await asyncio.sleep(0.05)
    assert not waiting.done()
    stored.set()
    await asyncio.wait_for(waiting, 1)
    await storing
    assert backlog.waiting == 0
