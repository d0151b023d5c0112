"""A real HTTP server on 127.0.0.1 for tests, including hostile behaviours.

It runs ``ThreadingHTTPServer`` in a background thread on an ephemeral port,
so it serves sync and async tests alike. Tests register routes by path (the
query string is ignored for matching); each helper returns the route's URL.
``requests`` logs what clients sent; ``max_in_flight`` counts concurrency.
``stop()`` wakes every handler that is sleeping or waiting and shuts down
every open connection, so no test can hang on the server.

    server = LoopbackServer().start()
    url = server.static("/feed.xml", b"<rss/>", headers={"ETag": '"1"'})
    ...
    server.stop()
"""

from __future__ import annotations

import email.utils
import socket
import ssl
import struct
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Route = Callable[["Handler"], None]
_BLOCK = b"x" * (64 * 1024)


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str  # with query string
    headers: dict[str, str]  # lower-cased names

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so Content-Length matters
    timeout = 10  # socket timeout: a stuck client cannot pin a thread for long
    server: _Server

    def setup(self) -> None:
        tls = self.server.owner.tls
        if tls is not None:  # handshake here, in the handler thread, not in accept()
            self.request.settimeout(self.timeout)
            self.request = tls.wrap_socket(self.request, server_side=True)
        super().setup()
        self.server.owner._track(self.connection, add=True)

    def finish(self) -> None:
        self.server.owner._track(self.connection, add=False)
        with suppress(OSError):  # the route may have reset the connection
            super().finish()

    def do_GET(self) -> None:
        self.server.owner._dispatch(self)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass  # keep test output quiet

    @property
    def stopping(self) -> threading.Event:
        return self.server.owner.stopping

    def send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        """A complete response; Content-Length added unless given."""
        headers = dict(headers or {})
        headers.setdefault("Content-Length", str(len(body)))
        self.send_head(status, headers)
        self.wfile.write(body)

    def send_head(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.flush()

    def send_until_close(
        self, status: int, headers: dict[str, str], chunks: Iterator[bytes]
    ) -> None:
        """A body with no Content-Length: it ends when the connection closes."""
        self.close_connection = True
        self.send_head(status, {**headers, "Connection": "close"})
        for chunk in chunks:
            if self.stopping.is_set():
                return
            self.wfile.write(chunk)

    def reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0, then close)."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: LoopbackServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up mid-response is the point of several routes


@lru_cache(maxsize=4)
def gzip_zeros(size: int, layers: int = 1) -> bytes:
    """``size`` zero bytes gzipped ``layers`` times (a bomb: ~1000:1 per layer)."""
    packer = zlib.compressobj(9, wbits=31)
    zeros = bytes(1 << 20)
    parts = [
        packer.compress(zeros[: min(len(zeros), size - done)])
        for done in range(0, size, len(zeros))
    ]
    data = b"".join(parts) + packer.flush()
    for _ in range(layers - 1):
        packer = zlib.compressobj(9, wbits=31)
        data = packer.compress(data) + packer.flush()
    return data


class LoopbackServer:
    def __init__(self, tls: ssl.SSLContext | None = None, *, port: int = 0) -> None:
        self.tls = tls  # serve HTTPS with this server-side context
        self.stopping = threading.Event()
        self.requests: list[LoggedRequest] = []
        self.max_in_flight = 0  # most requests handled at once (registered routes only)
        self._in_flight = 0
        self._routes: dict[str, Route] = {}
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._httpd = _Server(("127.0.0.1", port), Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(target=self._serve, name="loopback", daemon=True)

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def url(self, path: str) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:  # wake handlers blocked in recv/send
            with suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def requests_to(self, path: str) -> list[LoggedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path.split("?", 1)[0] == path]

    def _serve(self) -> None:
        self._httpd.serve_forever(poll_interval=0.01)

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def _dispatch(self, handler: Handler) -> None:
        headers = {name.lower(): value for name, value in handler.headers.items()}
        with self._lock:
            self.requests.append(LoggedRequest(handler.command, handler.path, headers))
            route = self._routes.get(handler.path.split("?", 1)[0])
        if route is None:
            handler.send(404, b"no such route")
            return
        with self._counting():
            route(handler)

    @contextmanager
    def _counting(self) -> Iterator[None]:
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1

    # --- routes: each returns the URL it serves ------------------------------

    def route(self, path: str, route: Route) -> str:
        """Any custom behaviour: ``route(handler)`` writes the response."""
        with self._lock:
            self._routes[path] = route
        return self.url(path)

    def static(
        self,
        path: str,
        body: bytes = b"",
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> str:
        return self.route(path, lambda h: h.send(status, body, headers))

    def conditional(
        self, path: str, body: bytes, *, etag: str | None = None, last_modified: float | None = None
    ) -> str:
        """200 with validators; 304 when the request's validators match."""
        validators: dict[str, str] = {}
        if etag:
            validators["ETag"] = etag
        if last_modified is not None:
            validators["Last-Modified"] = email.utils.formatdate(last_modified, usegmt=True)

        def serve(h: Handler) -> None:
            if _matches(h, validators):
                h.send(304, b"", {**validators, "Content-Length": "0"})
            else:
                h.send(200, body, {"Content-Type": "application/rss+xml", **validators})

        return self.route(path, serve)

    def redirect(self, path: str, location: str, *, status: int = 302) -> str:
        return self.static(path, status=status, headers={"Location": location})

    def slow(self, path: str, body: bytes, *, delay: float) -> str:
        """Answer after ``delay`` seconds (for concurrency counting)."""

        def serve(h: Handler) -> None:
            h.stopping.wait(delay)
            h.send(200, body)

        return self.route(path, serve)

    def drip(self, path: str, body: bytes, *, interval: float) -> str:
        """Send one byte every ``interval`` seconds: never idle long enough for a read timeout."""

        def serve(h: Handler) -> None:
            h.send_head(200, {"Content-Length": str(len(body))})
            for i in range(len(body)):
                if h.stopping.wait(interval):
                    return
                h.wfile.write(body[i : i + 1])

        return self.route(path, serve)

    def silent(self, path: str) -> str:
        """Accept the request, then never answer (until the server stops)."""

        def serve(h: Handler) -> None:
            h.stopping.wait()
            h.reset()

        return self.route(path, serve)

    def endless(self, path: str) -> str:
        """A body with no length that never ends."""

        def blocks() -> Iterator[bytes]:
            while True:
                yield _BLOCK

        return self.route(path, lambda h: h.send_until_close(200, {}, blocks()))

    def big(self, path: str, size: int, *, declare_length: bool = True) -> str:
        """``size`` bytes generated on the fly, with or without Content-Length."""

        def blocks() -> Iterator[bytes]:
            for done in range(0, size, len(_BLOCK)):
                yield _BLOCK[: size - done]

        def serve(h: Handler) -> None:
            if not declare_length:
                h.send_until_close(200, {}, blocks())
                return
            h.send_head(200, {"Content-Length": str(size)})
            for block in blocks():
                if h.stopping.is_set():
                    return
                h.wfile.write(block)

        return self.route(path, serve)

    def gzip_bomb(self, path: str, *, decoded_size: int = 64 << 20, layers: int = 1) -> str:
        """A small body that inflates to ``decoded_size`` zero bytes."""
        body = gzip_zeros(decoded_size, layers)  # built now, not inside a measured test
        encoding = ", ".join(["gzip"] * layers)
        return self.static(path, body, headers={"Content-Encoding": encoding})

    def lying_length(self, path: str, *, declared: int, body: bytes) -> str:
        """Declare one Content-Length, send ``body`` of another length, then close."""

        def serve(h: Handler) -> None:
            h.close_connection = True
            h.send_head(200, {"Content-Length": str(declared), "Connection": "close"})
            h.wfile.write(body)

        return self.route(path, serve)

    def reset_mid_body(self, path: str, *, declared: int, sent: bytes) -> str:
        """Send part of a body, pause so the client reads it, then reset the connection."""

        def serve(h: Handler) -> None:
            h.send_head(200, {"Content-Length": str(declared)})
            h.wfile.write(sent)
            h.stopping.wait(0.2)
            h.reset()

        return self.route(path, serve)


def _matches(h: Handler, validators: dict[str, str]) -> bool:
    """Whether a conditional request matches the current validators (RFC 9110 13.2.2)."""
    if_none_match = h.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        etag = validators.get("ETag", "").removeprefix("W/")
        return "*" in tags or (bool(etag) and etag in tags)
    since = h.headers.get("If-Modified-Since")
    modified = validators.get("Last-Modified")
    if since is None or modified is None:
        return False
    try:
        return email.utils.parsedate_to_datetime(modified) <= email.utils.parsedate_to_datetime(
            since
        )
    except (TypeError, ValueError):
        return False
