"""Fetch feeds and pages over HTTP(S) or from local files, defensively.

Every fetch is bounded: bytes (raw *and* decoded, so a gzip bomb stops at
the cap), time (one deadline across all redirects), redirects, and
concurrency (globally and per host). ``Fetcher.fetch`` never raises for
network or HTTP problems; it reports them in ``FetchResult.error``.
"""

from __future__ import annotations

import asyncio
import email.utils
import http
import os
import re
import ssl
import stat
import time
import weakref
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import httpx

from reader import __version__
from reader.core.models import FetchResult
from reader.core.sanitize import clean_line, visible_url

try:  # optional; only used if it can bound its output (brotli >= 1.2)
    import brotli as _brotli
except ImportError:  # pragma: no cover - depends on the environment
    _brotli = None

HAVE_BROTLI = _brotli is not None and hasattr(_brotli.Decompressor, "can_accept_more_data")
ACCEPT_ENCODING = "gzip, deflate, br" if HAVE_BROTLI else "gzip, deflate"
# The project and its version only: Broadsheet has no published home page to name.
DEFAULT_USER_AGENT = f"Broadsheet/{__version__} (terminal feed reader)"
FEED_ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, "
    "application/rdf+xml;q=0.9, application/json;q=0.8, application/xml;q=0.8, "
    "text/xml;q=0.8, */*;q=0.5"
)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_RETRY_STATUSES = frozenset({429, 503})
_CHUNK = 64 * 1024
_HEADER_VALUE = re.compile(r"[\x20-\x7e]{1,1024}")  # printable ASCII only: no header injection


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int = 20 * 1024 * 1024  # per response, raw and decoded
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 60.0  # total per fetch, all redirects included
    max_redirects: int = 5
    max_connections: int = 128  # global concurrency (per-host politeness is per_host)
    per_host: int = 4  # concurrency per hostname
    max_retry_after: float = 24 * 3600


class _Failure(Exception):
    """Ends a fetch with a one-line message for the user."""

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.fields = fields


def _too_large(cap: int) -> _Failure:
    return _Failure(f"response larger than {human_size(cap)}")


def human_size(size: int) -> str:
    """``20 MB``, ``1.5 KB``, ``4999 bytes``: binary units when exact to one decimal."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale and size * 10 % scale == 0:
            return f"{size / scale:g} {unit}"
    return f"{size} bytes"


# --- Content-Encoding ---------------------------------------------------------


class _Layer(Protocol):
    def feed(self, data: bytes, room: int) -> bytes:
        """Decode ``data``; raise ``_Overflow`` if output would exceed ``room`` bytes."""
        ...


class _Overflow(Exception):
    pass


class _ZlibLayer:
    """gzip (multi-member too) or deflate (zlib-wrapped or raw), output-bounded."""

    def __init__(self, encoding: str) -> None:
        self._gzip = encoding == "gzip"
        self._pending = b""  # deflate: held until we can tell zlib from raw
        self._obj: Any = zlib.decompressobj(31) if self._gzip else None

    def feed(self, data: bytes, room: int) -> bytes:
        if self._obj is None:
            data = self._pick_deflate(data)
        out = bytearray()
        while data:
            # max_length=room+1 so one byte too many proves the overflow.
            out += self._obj.decompress(data, room + 1 - len(out))
            if len(out) > room:
                raise _Overflow
            data = self._obj.unconsumed_tail or self._next_member()
        return bytes(out)

    def _pick_deflate(self, data: bytes) -> bytes:
        data = self._pending + data
        if len(data) < 2:
            self._pending = data
            return b""
        # RFC 1950 header: CM=8 and the 16-bit header is a multiple of 31.
        wrapped = data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
        self._obj = zlib.decompressobj(15 if wrapped else -15)
        self._pending = b""
        return data

    def _next_member(self) -> bytes:
        """A gzip stream may hold several members; anything else after the end is ignored."""
        if not (self._obj.eof and self._gzip and self._obj.unused_data[:2] == b"\x1f\x8b"):
            return b""
        rest: bytes = self._obj.unused_data
        self._obj = zlib.decompressobj(31)
        return rest


class _BrotliLayer:
    def __init__(self) -> None:
        assert _brotli is not None
        self._obj = _brotli.Decompressor()

    def feed(self, data: bytes, room: int) -> bytes:
        out = bytearray(self._obj.process(data, max_output_length=room + 1))
        while len(out) <= room and not self._obj.can_accept_more_data():
            out += self._obj.process(b"", max_output_length=room + 1 - len(out))
        if len(out) > room:
            raise _Overflow
        return bytes(out)


class _BodyDecoder:
    """Undo Content-Encoding layers, each bounded by the cap."""

    def __init__(self, content_encoding: str | None, cap: int) -> None:
        self._cap = cap
        self._out = bytearray()
        codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
        codings = [c.removeprefix("x-") for c in codings if c and c != "identity"]
        self._layers = [_make_layer(c) for c in reversed(codings)]  # last applied, first undone
        self._produced = [0] * len(self._layers)

    def feed(self, chunk: bytes) -> None:
        try:
            for index, layer in enumerate(self._layers):
                chunk = layer.feed(chunk, self._cap - self._produced[index])
                self._produced[index] += len(chunk)
        except _Overflow:
            raise _too_large(self._cap) from None
        except Exception as exc:  # zlib.error, brotli.error: a corrupt body
            raise _Failure(f"cannot decode compressed response ({type(exc).__name__})") from exc
        if len(self._out) + len(chunk) > self._cap:
            raise _too_large(self._cap)
        self._out += chunk

    def result(self) -> bytes:
        return bytes(self._out)


def _make_layer(coding: str) -> _Layer:
    if coding in ("gzip", "deflate"):
        return _ZlibLayer(coding)
    if coding == "br" and HAVE_BROTLI:
        return _BrotliLayer()
    raise _Failure(f"unsupported Content-Encoding: {clean_line(coding, limit=40)}")


# --- response interpretation --------------------------------------------------


def parse_retry_after(
    value: str | None, max_seconds: float, now: float | None = None
) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), clamped."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # "-0000" parses naive; HTTP dates are GMT anyway
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    return min(max(seconds, 0.0), max_seconds)


def _status_text(status: int, reason: str) -> str:
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = clean_line(reason, limit=60)
    return f"HTTP {status} {phrase}".rstrip()


def _header_ok(value: str | None) -> bool:
    return value is not None and _HEADER_VALUE.fullmatch(value) is not None


@dataclass
class _Hop:
    """One HTTP response, reduced to what the redirect loop needs."""

    url: str
    status: int
    reason: str
    headers: httpx.Headers
    body: bytes | None = None
    location: str | None = None


@dataclass
class _Chain:
    """Where a fetch has got to, so failures can report the URL they happened at."""

    url: str
    visited: set[str] = field(default_factory=set)
    permanent: bool = True
    spent: float = 0.0
    wait_for_room: Callable[[], Awaitable[None]] | None = None


def _redirect_target(hop: _Hop) -> str:
    try:
        target = httpx.URL(hop.url).join(hop.location or "")
    except (httpx.InvalidURL, ValueError):
        raise _Failure("redirect to an invalid URL") from None
    if target.scheme not in ("http", "https") or not target.host:
        raise _Failure("redirect to non-http(s) URL refused")
    return str(target)


# --- local files --------------------------------------------------------------


def _local_path(url: str) -> Path | None:
    """The file a ``file://`` URL or a plain path names; None for anything else."""
    if url.startswith(("/", "~", "./", "../")):
        return Path(url).expanduser()
    if url[:7].lower() != "file://":
        return None
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise _Failure("file URLs on another host are not supported")
    return Path(unquote(parts.path))


def _read_capped(path: Path, cap: int) -> bytes:
    # O_NONBLOCK so a FIFO cannot block the open; then insist on a regular file.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _Failure(f"not a regular file: {visible_url(str(path))}")
        data = handle.read(cap + 1)
    if len(data) > cap:
        raise _too_large(cap)
    return data


async def _read_file(url: str, path: Path, cap: int) -> FetchResult:
    shown = visible_url(str(path))
    try:
        body = await asyncio.to_thread(_read_capped, path, cap)
    except _Failure as failure:
        return FetchResult(url=url, error=str(failure))
    except FileNotFoundError:
        return FetchResult(url=url, error=f"file not found: {shown}")
    except IsADirectoryError:
        return FetchResult(url=url, error=f"not a regular file: {shown}")
    except OSError as exc:
        return FetchResult(url=url, error=f"cannot read {shown}: {exc.strerror or exc}")
    return FetchResult(url=url, body=body)


# --- the fetcher --------------------------------------------------------------


def _network_error(exc: httpx.HTTPError, limits: FetchLimits) -> str:
    detail = clean_line(str(exc), limit=160) or type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connection timed out after {limits.connect_timeout:g} s"
    if isinstance(exc, httpx.TimeoutException):
        return f"server stopped responding (nothing for {limits.read_timeout:g} s)"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {detail}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"server broke the connection: {detail}"
    if isinstance(exc, httpx.NetworkError):
        return f"connection lost: {detail}"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return f"invalid URL: {detail}"
    return f"request failed: {detail}"


_LOCATION = "broadsheet.location"


async def _take_location(response: httpx.Response) -> None:
    """Move Location out of httpx's sight. Even with follow_redirects=False it
    builds ``next_request`` from it and raises on odd values ("javascript:...");
    we vet and follow redirects ourselves."""
    location = response.headers.get("location")
    if location is not None:
        del response.headers["location"]
        response.extensions[_LOCATION] = location


class Fetcher:
    """One shared HTTP client with limits. Use as ``async with Fetcher() as f``."""

    def __init__(
        self,
        limits: FetchLimits = FetchLimits(),  # noqa: B008 - frozen, so sharing is safe
        *,
        user_agent: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.limits = limits
        self._user_agent = user_agent or DEFAULT_USER_AGENT
        self._transport = transport
        self._verify = verify
        # One small pool per origin: httpcore scans every pooled connection whenever a
        # response closes, so one shared pool of 128 connections costs O(n^2) in CPU.
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._global = asyncio.Semaphore(limits.max_connections)
        # Weak values: a host's semaphore lives only while a fetch uses it.
        self._hosts: weakref.WeakValueDictionary[str, asyncio.Semaphore] = (
            weakref.WeakValueDictionary()
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()

    def _client_for(self, url: str) -> httpx.AsyncClient:
        parts = httpx.URL(url)
        origin = "*" if self._transport is not None else f"{parts.scheme}://{parts.netloc.decode()}"
        client = self._clients.get(origin)
        if client is None:
            if parts.scheme == "https" and self._verify is True:
                # httpx would build (and load certificates) per client: once, when needed.
                self._verify = _default_ssl_context()
            per_pool = self.limits.max_connections if origin == "*" else self.limits.per_host
            client = self._clients[origin] = httpx.AsyncClient(
                follow_redirects=False,  # we follow, to bound and vet every hop
                timeout=httpx.Timeout(
                    self.limits.read_timeout, connect=self.limits.connect_timeout, pool=None
                ),
                limits=httpx.Limits(max_connections=per_pool),
                headers={"User-Agent": self._user_agent, "Accept-Encoding": ACCEPT_ENCODING},
                transport=self._transport,
                verify=self._verify if parts.scheme == "https" else _NO_TLS,
                event_hooks={"response": [_take_location]},
            )
        return client

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
        accept: str = FEED_ACCEPT,
        wait_for_room: Callable[[], Awaitable[None]] | None = None,
    ) -> FetchResult:
        """Fetch ``url`` (http(s), ``file://`` or a local path). Never raises for
        network or HTTP trouble: see ``FetchResult.error``. ``wait_for_room`` is awaited
        before each request, once its connection slots are held: a caller that cannot
        keep up with responses uses it to pause new requests (not a slot's queue)."""
        cap = self.limits.max_bytes if max_bytes is None else max_bytes
        try:
            path = _local_path(url)
        except _Failure as failure:
            return FetchResult(url=url, error=str(failure))
        if path is not None:
            return await _read_file(url, path, cap)
        if not re.match(r"(?i)https?://", url):
            return FetchResult(url=url, error=f"unsupported URL: {visible_url(url)[:200]}")
        headers = {"Accept": accept}
        if _header_ok(etag):
            headers["If-None-Match"] = etag or ""
        if _header_ok(last_modified):
            headers["If-Modified-Since"] = last_modified or ""
        chain = _Chain(url, wait_for_room=wait_for_room)
        return await self._fetch_http(chain, headers, cap, etag, last_modified)

    async def _fetch_http(
        self,
        chain: _Chain,
        headers: dict[str, str],
        cap: int,
        etag: str | None,
        last_modified: str | None,
    ) -> FetchResult:
        try:
            hop = await self._follow(chain, headers, cap)
        except _Failure as failure:
            return FetchResult(url=chain.url, error=str(failure), **failure.fields)
        except TimeoutError:
            return FetchResult(url=chain.url, error=f"timed out after {self.limits.deadline:g} s")
        except httpx.HTTPError as exc:
            return FetchResult(url=chain.url, error=_network_error(exc, self.limits))
        except httpx.InvalidURL as exc:  # not an HTTPError in httpx 0.28
            return FetchResult(
                url=chain.url, error=f"invalid URL: {clean_line(str(exc), limit=160)}"
            )
        return self._result(chain, hop, etag, last_modified)

    async def _follow(self, chain: _Chain, headers: dict[str, str], cap: int) -> _Hop:
        chain.visited.add(str(httpx.URL(chain.url)))  # normalised, as redirect targets are
        for _ in range(self.limits.max_redirects + 1):
            hop = await self._hop(chain, headers, cap)
            if hop.location is None:
                return hop
            target = _redirect_target(hop)
            if target in chain.visited:
                raise _Failure(f"redirect loop at {visible_url(target)[:200]}")
            chain.visited.add(target)
            chain.permanent = chain.permanent and hop.status in _PERMANENT
            chain.url = target
        raise _Failure(f"too many redirects (more than {self.limits.max_redirects})")

    async def _hop(self, chain: _Chain, headers: dict[str, str], cap: int) -> _Hop:
        """One request. Host slot, then global slot: a waiter never holds a host
        slot it does not use, so hosts cannot starve each other."""
        host = httpx.URL(chain.url).host
        slot = self._hosts.get(host)
        if slot is None:
            slot = self._hosts[host] = asyncio.Semaphore(self.limits.per_host)
        async with slot, self._global:
            if chain.wait_for_room is not None:
                await chain.wait_for_room()
            return await self._request(chain, headers, cap)

    async def _request(self, chain: _Chain, headers: dict[str, str], cap: int) -> _Hop:
        async with self._clock(chain):
            client = self._client_for(chain.url)
            request = client.build_request("GET", chain.url, headers=headers)
            response = await client.send(request, stream=True)
            try:
                return await self._read(chain.url, response, cap)
            finally:
                await response.aclose()

    @asynccontextmanager
    async def _clock(self, chain: _Chain) -> AsyncIterator[None]:
        """The deadline covers network time only, not waiting for a slot."""
        loop = asyncio.get_running_loop()
        remaining = self.limits.deadline - chain.spent
        if remaining <= 0:
            raise TimeoutError
        started = loop.time()
        try:
            async with asyncio.timeout(remaining):
                yield
        finally:
            chain.spent += loop.time() - started

    async def _read(self, url: str, response: httpx.Response, cap: int) -> _Hop:
        hop = _Hop(url, response.status_code, response.reason_phrase, response.headers)
        if hop.status in _REDIRECTS:
            hop.location = response.extensions.get(_LOCATION)
            if not hop.location:
                raise _Failure(f"{_status_text(hop.status, hop.reason)} without a Location header")
        elif 200 <= hop.status < 300:
            hop.body = await _read_body(response, cap)
        return hop

    def _result(
        self, chain: _Chain, hop: _Hop, etag: str | None, last_modified: str | None
    ) -> FetchResult:
        result = FetchResult(
            url=chain.url,
            status=hop.status,
            etag=hop.headers.get("etag"),
            last_modified=hop.headers.get("last-modified"),
            content_type=hop.headers.get("content-type"),
        )
        if hop.status == 304:
            result.not_modified = True
            # A 304 may omit validators; the ones we sent are still current.
            result.etag = result.etag or etag
            result.last_modified = result.last_modified or last_modified
        elif 200 <= hop.status < 300:
            result.body = hop.body
        else:
            result.error = _status_text(hop.status, hop.reason)
            result.gone = hop.status == 410
            if hop.status in _RETRY_STATUSES:
                result.retry_after = parse_retry_after(
                    hop.headers.get("retry-after"), self.limits.max_retry_after
                )
            return result
        if chain.permanent and len(chain.visited) > 1:
            result.permanent_redirect = chain.url
        return result


# Plain-http clients never negotiate TLS (each origin has its own client and redirects
# are followed by hand); should one ever try, this context trusts nothing and fails.
_NO_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _default_ssl_context() -> ssl.SSLContext:
    """The system's trust store plus certifi's (as httpx does by default)."""
    import certifi

    context = ssl.create_default_context()
    context.load_verify_locations(cafile=certifi.where())
    return context


async def _read_body(response: httpx.Response, cap: int) -> bytes:
    """Stream the body, stopping as soon as raw or decoded bytes pass ``cap``."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise _too_large(cap)
    decoder = _BodyDecoder(response.headers.get("content-encoding"), cap)
    raw = 0
    async for chunk in response.aiter_raw(_CHUNK):
        raw += len(chunk)
        if raw > cap:
            raise _too_large(cap)
        decoder.feed(chunk)
    return decoder.result()
