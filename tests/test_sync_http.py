"""The sync's own HTTP client (reader/core/sync/http.py) against real servers on
127.0.0.1: redirects, gzip, kept-alive connections a server closed, timeouts, an
answer cut short, and the proxy variables."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from reader.core.sync.http import Client, HttpError


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *_: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.seen.append((self.command, self.path, dict(self.headers.items()), body))
        route = self.server.routes.get(self.path.split("?")[0] if "://" not in self.path else "*")
        if route is None:
            return self._send(404, b"no such page")
        route(self)

    def _send(self, status: int, body: bytes, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: list[tuple[str, str, dict[str, str], bytes]] = []
        self.routes: dict[str, Any] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def server() -> Iterator[_Server]:
    started = _Server()
    thread = threading.Thread(target=started.serve_forever, daemon=True)
    thread.start()
    yield started
    started.shutdown()
    started.server_close()


@pytest.fixture
def other() -> Iterator[_Server]:
    started = _Server()
    threading.Thread(target=started.serve_forever, daemon=True).start()
    yield started
    started.shutdown()
    started.server_close()


def test_a_redirect_is_followed_and_a_post_becomes_a_get_after_a_302(server: _Server) -> None:
    server.routes["/old"] = lambda h: h._send(302, b"", Location="/new?x=1")
    server.routes["/new"] = lambda h: h._send(200, b"arrived", Content_Type="text/plain")
    client = Client(timeout=5)
    answer = client.request(
        "POST", server.url + "/old", content=b"a=1", headers={"Authorization": "secret"}
    )
    assert (answer.status, answer.text) == (200, "arrived")
    method, path, headers, body = server.seen[-1]
    assert (method, path, body) == ("GET", "/new?x=1", b"")
    assert headers.get("Authorization") == "secret"  # same origin: still sent
    client.close()


def test_the_authorization_header_never_follows_a_redirect_to_another_origin(
    server: _Server, other: _Server
) -> None:
    server.routes["/away"] = lambda h: h._send(307, b"", Location=other.url + "/there")
    other.routes["/there"] = lambda h: h._send(200, b"ok")
    client = Client(timeout=5)
    answer = client.request("GET", server.url + "/away", headers={"Authorization": "secret"})
    assert answer.status == 200
    assert "Authorization" not in other.seen[-1][2]
    client.close()


def test_endless_redirects_are_an_error(server: _Server) -> None:
    server.routes["/loop"] = lambda h: h._send(302, b"", Location="/loop")
    with pytest.raises(HttpError) as raised:
        Client(timeout=5).request("GET", server.url + "/loop")
    assert raised.value.kind == "unreachable" and "redirects" in str(raised.value)


def test_gzip_bodies_are_unpacked_and_the_charset_is_read(server: _Server) -> None:
    packed = gzip.compress("café".encode("latin-1"))
    server.routes["/z"] = lambda h: h._send(
        200, packed, Content_Encoding="gzip", Content_Type="text/plain; charset=ISO-8859-1"
    )
    answer = Client(timeout=5).request("GET", server.url + "/z", params={"q": "a b"})
    assert answer.text == "café"
    assert server.seen[-1][1] == "/z?q=a+b"
    assert "gzip" in server.seen[-1][2]["Accept-Encoding"]


def test_one_connection_is_kept_and_one_the_server_closed_is_opened_again(
    server: _Server,
) -> None:
    def then_hang_up(handler: _Handler) -> None:  # as a server ending an idle connection
        handler._send(200, b"b")
        handler.close_connection = True

    server.routes["/a"] = lambda h: h._send(200, b"a")
    server.routes["/b"] = then_hang_up
    client = Client(timeout=5)
    client.request("GET", server.url + "/a")
    (connection,) = client._connections.values()
    client.request("GET", server.url + "/b")
    assert list(client._connections.values()) == [connection]  # kept: it said nothing
    time.sleep(0.1)
    assert client.request("GET", server.url + "/a").text == "a"  # sent again, once
    assert list(client._connections.values()) != [connection]  # on a new connection
    assert [path for _, path, _, _ in server.seen] == ["/a", "/b", "/a"]


def test_an_answer_cut_short_and_a_silent_server_are_told_apart(server: _Server) -> None:
    def short(handler: _Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "100")
        handler.end_headers()
        handler.wfile.write(b"only this")
        handler.wfile.flush()
        handler.close_connection = True

    server.routes["/short"] = short

    def slow(handler: _Handler) -> None:
        time.sleep(1.0)
        handler._send(200, b"late")

    server.routes["/slow"] = slow
    with pytest.raises(HttpError) as cut:
        Client(timeout=5).request("GET", server.url + "/short")
    assert cut.value.kind == "cut_short" and "9 bytes" in str(cut.value)
    with pytest.raises(HttpError) as silent:
        Client(timeout=0.2).request("GET", server.url + "/slow")
    assert silent.value.kind == "unreachable"


def test_nothing_listening_is_unreachable() -> None:
    with pytest.raises(HttpError) as raised:
        Client(timeout=2).request("GET", "http://127.0.0.1:9/")
    assert raised.value.kind == "unreachable"


@pytest.mark.parametrize(
    "url", ["https://not a url/api/", "http://127.0.0.1:80x/", "http://host\tname/", "http:///x"]
)
def test_a_malformed_url_is_an_error_not_a_crash(url: str) -> None:
    """What 'account add' was given by mistake: one line, not an InvalidURL traceback."""
    with pytest.raises(HttpError) as raised:
        Client(timeout=2).request("GET", url)
    assert raised.value.kind == "unreachable" and "URL" in str(raised.value)


def test_a_url_with_non_ascii_letters_is_sent_percent_encoded(server: _Server) -> None:
    """A Miniflux or TT-RSS under a path with accents (/lecture/é/): no crash."""
    response = Client(timeout=5).request("GET", f"{server.url}/lecture/é/?q=ü")
    assert response.status == 404
    assert server.seen[-1][1] == "/lecture/%C3%A9/?q=%C3%BC"


def test_the_proxy_variables_are_honoured_and_no_proxy_bypasses_them(
    server: _Server, other: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    other.routes["*"] = lambda h: h._send(200, b"via the proxy")
    server.routes["/direct"] = lambda h: h._send(200, b"direct")
    monkeypatch.setenv("http_proxy", f"http://user:pa%40ss@127.0.0.1:{other.server_address[1]}")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    answer = Client(timeout=5).request("GET", "http://feeds.invalid/api?x=1")
    assert answer.text == "via the proxy"
    method, path, headers, _ = other.seen[-1]
    assert path == "http://feeds.invalid/api?x=1"  # a plain http proxy takes the whole URL
    assert headers["Proxy-Authorization"] == "Basic dXNlcjpwYUBzcw=="  # user:pa@ss
    # A server on loopback is reached directly: no proxy could reach it.
    assert Client(timeout=5).request("GET", server.url + "/direct").text == "direct"
    monkeypatch.setenv("no_proxy", "example.org, .invalid")
    with pytest.raises(HttpError):  # bypassed: nothing resolves feeds.invalid
        Client(timeout=5).request("GET", "http://feeds.invalid/api")
