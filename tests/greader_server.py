"""A Google Reader API server on 127.0.0.1 for tests and the sync benchmark.

Built from the exchanges recorded from a real FreshRSS (../shared/sync/greader-freshrss,
see its README) and the public API descriptions: ClientLogin's text answer, the T token
(40 hex digits padded with Z and a newline), item ids in two forms (decimal in
``itemRefs`` and continuations, ``tag:google.com,2005:reader/item/<16 hex>`` in items),
ids that are crawl times in microseconds, ``ot=`` in seconds of crawl time, lists newest
first with a ``continuation`` whenever a page is full, 401 ``Unauthorized!`` with
``Google-Bad-Token: true``, ``OK`` replies, quickadd's ``numResults``.

Knobs: ``decimal_item_ids`` (items carry the decimal form), ``max_page`` (caps ``n``),
``expire_write_token()``, ``revoke_logins()`` (the next call with an old token is 401),
``change_password()``, ``break_next(path_part, how)`` with ``how`` one of
``malformed``, ``truncated``, ``500``, ``gate`` (a ``threading.Event``: every request
waits until it is set, to see a client mid-sync), ``miniflux`` (answer as Miniflux does:
no ``stream/contents``, ``ot=`` on published dates, offsets as continuations), and
``stop()`` / ``start()`` (the server down and back on the same port).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

ROOT = "/api/greader.php"
API = ROOT + "/reader/api/0"
READING_LIST = "user/-/state/com.google/reading-list"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
LABEL = "user/-/label/"
LONG_ID = "tag:google.com,2005:reader/item/"


@dataclass
class Feed:
    id: str
    url: str
    title: str
    folder: str = "Uncategorized"


@dataclass
class Item:
    id: int  # crawl time in microseconds, as FreshRSS's ids
    feed_id: str
    title: str
    link: str
    published: int
    content: str
    author: str | None = None
    read: bool = False
    starred: bool = False
    labels: list[str] = field(default_factory=list)


def item_id(raw: str) -> int:
    """Any of the three id forms a client may send."""
    if raw.startswith(LONG_ID):
        return int(raw[len(LONG_ID) :], 16)
    if raw.isdigit() and len(raw) != 16 or raw.isdigit() and not raw.startswith("000"):
        return int(raw)
    return int(raw, 16)


class GReaderState:
    def __init__(self, user: str = "alice", password: str = "test-api-pass") -> None:
        self.user = user
        self.password = password
        self.salt = "1"
        self.t_generation = 0
        self.feeds: dict[str, Feed] = {}
        self.items: list[Item] = []  # newest id first
        self.next_feed = 1
        self.last_id = 0
        self.lock = threading.RLock()
        self.decimal_item_ids = False
        self.max_page = 10_000
        self.broken: list[tuple[str, str]] = []
        self.requests: list[str] = []
        self.now: float | None = None  # the server's clock; None: the real one
        self.gate: threading.Event | None = None  # requests wait until it is set
        # Miniflux's Google Reader API: no stream/contents (its catch-all answers 200
        # with ``[]``), id lists newest *published* first, ``ot=`` compared with the
        # published date and ``c=`` an offset (miniflux internal/googlereader/handler.go).
        self.miniflux = False
        self.ignore_continuation = False  # a server that pages wrongly: the same page again

    # -- knobs --------------------------------------------------------------------

    def auth_token(self) -> str:
        digest = hashlib.sha1(f"{self.user}:{self.password}:{self.salt}".encode()).hexdigest()
        return f"{self.user}/{digest}"

    def write_token(self) -> str:
        base = hashlib.sha1(f"{self.auth_token()}:{self.t_generation}".encode()).hexdigest()
        return base + "Z" * 17

    def expire_write_token(self) -> None:
        self.t_generation += 1

    def revoke_logins(self) -> None:
        self.salt += "1"

    def change_password(self, password: str) -> None:
        self.password = password
        self.revoke_logins()

    def break_next(self, path_part: str, how: str) -> None:
        self.broken.append((path_part, how))

    # -- data ---------------------------------------------------------------------

    def clock(self) -> float:
        return self.now if self.now is not None else time.time()

    def add_feed(self, url: str, title: str, folder: str = "Uncategorized") -> Feed:
        with self.lock:
            feed = Feed(f"feed/{self.next_feed}", url, title, folder)
            self.next_feed += 1
            self.feeds[feed.id] = feed
            return feed

    def crawl(
        self, feed: Feed, count: int, *, content_words: int = 150, at: float | None = None
    ) -> list[Item]:
        """New items of a feed, with consecutive ids from the crawl time (as FreshRSS)."""
        with self.lock:
            base = max(self.last_id + 1, int((at or self.clock()) * 1_000_000))
            made = []
            for index in range(count):
                number = base + index
                words = " ".join(f"word{(number + k) % 997}" for k in range(content_words))
                made.append(
                    Item(
                        id=number,
                        feed_id=feed.id,
                        title=f"{feed.title} item {number % 100000}",
                        link=f"{feed.url.rsplit('/', 1)[0]}/story/{number}",
                        published=int(at or self.clock()) - count + index,
                        content=f"<p>Story {number}: {words}.</p>",
                    )
                )
            self.last_id = base + count - 1
            self.items[:0] = reversed(made)
            return made

    def item(self, number: int) -> Item:
        return next(item for item in self.items if item.id == number)

    def feed_by_url(self, url: str) -> Feed | None:
        return next((feed for feed in self.feeds.values() if feed.url == url), None)

    # -- rendering ----------------------------------------------------------------------

    def render(self, item: Item) -> dict[str, Any]:
        feed = self.feeds.get(item.feed_id)
        categories = [READING_LIST, LABEL + (feed.folder if feed else "Uncategorized")]
        categories += [READ] if item.read else []
        categories += [STARRED] if item.starred else []
        categories += [LABEL + label for label in item.labels]
        rendered: dict[str, Any] = {
            "id": str(item.id) if self.decimal_item_ids else f"{LONG_ID}{item.id:016x}",
            "crawlTimeMsec": str(item.id // 1000),
            "timestampUsec": str(item.id),
            "published": item.published,
            "title": item.title.replace("&", "\uff06")
            .replace("<", "\uff1c")
            .replace(">", "\uff1e"),
            "canonical": [{"href": item.link}],
            "alternate": [{"href": item.link}],
            "categories": categories,
            "origin": {
                "streamId": item.feed_id,
                "htmlUrl": feed.url if feed else "",
                "title": feed.title if feed else "",
            },
            "summary": {"content": item.content},
        }
        if item.author:
            rendered["author"] = item.author
        return rendered


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY the body waits for the
    # client's delayed ACK of the headers (40 ms a request on Linux). Real servers
    # (nginx, Apache) set it or write both at once; a benchmark must not time the wait.
    disable_nagle_algorithm = True

    def log_message(self, *_: Any) -> None:  # quiet tests
        pass

    @property
    def state(self) -> GReaderState:
        return self.server.state

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        split = urlsplit(self.path)
        query = parse_qsl(split.query, keep_blank_values=True)
        form: list[tuple[str, str]] = []
        if method == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True)
        path = split.path
        if self.state.gate is not None:
            self.state.gate.wait(30)
        with self.state.lock:
            self.state.requests.append(f"{method} {path}")
            for index, (part, how) in enumerate(self.state.broken):
                if part in path:
                    del self.state.broken[index]
                    return self._broken(how)
            try:
                status, body, kind = self._route(method, path, query, form)
            except _Reply as reply:
                status, body, kind = reply.status, reply.body, "text/plain; charset=UTF-8"
        self._send(status, body, kind)

    def _send(self, status: int, body: str, kind: str, extra: dict[str, str] | None = None) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        if status == 401:
            self.send_header("Google-Bad-Token", "true")
        self.end_headers()
        self.wfile.write(data)

    def _broken(self, how: str) -> None:
        if how == "500":
            return self._send(500, "Internal Server Error", "text/plain")
        if how == "malformed":
            return self._send(200, '{"items": [{"id": ', "application/json")
        # truncated: promise more than is sent, then hang up
        data = b'{"subscriptions": [{"id": "feed/1", "title": "Alp'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data) + 500))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()
        self.close_connection = True

    def _route(
        self, method: str, path: str, query: list[tuple[str, str]], form: list[tuple[str, str]]
    ) -> tuple[int, str, str]:
        state = self.state
        if path == ROOT + "/accounts/ClientLogin":
            values = dict(query + form)
            if "Passwd" not in values:
                raise _Reply(400, "Bad Request!")
            if values.get("Email") != state.user or values["Passwd"] != state.password:
                raise _Reply(401, "Unauthorized!")
            token = state.auth_token()
            return 200, f"SID={token}\nLSID=null\nAuth={token}\n", "text/plain; charset=UTF-8"
        if not path.startswith(API + "/"):
            raise _Reply(400, "Bad Request!")
        if self.headers.get("Authorization") != f"GoogleLogin auth={state.auth_token()}":
            raise _Reply(401, "Unauthorized!")
        endpoint = path[len(API) + 1 :]
        values = dict(query + form)
        if endpoint == "token":
            return 200, state.write_token() + "\n", "text/html; charset=UTF-8"
        writes = ("edit-tag", "subscription/quickadd", "subscription/edit", "mark-all-as-read")
        if method == "POST" and endpoint in writes and values.get("T") != state.write_token():
            raise _Reply(401, "Unauthorized!")
        handler = _ENDPOINTS.get(endpoint)
        if handler is None and endpoint.startswith("stream/contents/"):
            handler = _stream_contents
        if handler is _stream_contents and state.miniflux:
            return _json([])  # Miniflux: "API endpoint not implemented yet"
        if handler is None:
            raise _Reply(400, "Bad Request!")
        return handler(state, endpoint, query, form)


class _Reply(Exception):
    def __init__(self, status: int, body: str) -> None:
        self.status, self.body = status, body


def _json(data: Any) -> tuple[int, str, str]:
    return 200, json.dumps(data, ensure_ascii=False), "application/json; charset=UTF-8"


def _ok() -> tuple[int, str, str]:
    return 200, "OK", "text/html; charset=UTF-8"


def _subscription_list(state: GReaderState, *_: Any) -> tuple[int, str, str]:
    return _json(
        {
            "subscriptions": [
                {
                    "id": feed.id,
                    "title": feed.title.replace("&", "\uff06"),
                    "categories": [{"id": LABEL + feed.folder, "label": feed.folder}],
                    "url": feed.url,
                    "htmlUrl": feed.url.rsplit("/", 1)[0] + "/",
                }
                for feed in state.feeds.values()
            ]
        }
    )


def _quickadd(
    state: GReaderState, _: str, query: Any, form: list[tuple[str, str]]
) -> tuple[int, str, str]:
    url = dict(form).get("quickadd")
    if not url:
        raise _Reply(400, "Bad Request!")
    if state.feed_by_url(url):
        return _json({"numResults": 0, "error": f"Already subscribed! {url}"})
    if "missing" in url:
        return _json({"numResults": 0, "error": f"cURL error 22: 404 [{url}]"})
    feed = state.add_feed(url, url.rsplit("/", 1)[-1].split(".")[0].title())
    return _json({"numResults": 1, "query": url, "streamId": feed.id, "streamName": feed.title})


def _subscription_edit(
    state: GReaderState, _: str, query: Any, form: list[tuple[str, str]]
) -> tuple[int, str, str]:
    values = dict(form)
    action, stream = values.get("ac"), values.get("s", "")
    feed = state.feeds.get(stream)
    if action == "unsubscribe":
        if feed is None:
            raise _Reply(400, "Bad Request!")
        del state.feeds[stream]
        state.items = [item for item in state.items if item.feed_id != stream]
        return _ok()
    if action == "subscribe":
        url = unquote(stream.removeprefix("feed/"))
        if state.feed_by_url(url):
            raise _Reply(400, "Bad Request!")
        feed = state.add_feed(url, values.get("t") or url)
    elif action != "edit":
        raise _Reply(400, "Bad Request!")
    if feed is not None:
        for name, value in form:
            if name == "t" and value:
                feed.title = value
            elif name == "a" and value.startswith(LABEL):
                feed.folder = value[len(LABEL) :]
            elif name == "r":
                feed.folder = "Uncategorized"
    return _ok()


def _matching(state: GReaderState, stream: str, query: list[tuple[str, str]]) -> list[Item]:
    values = dict(query)
    items = state.items
    if stream == STARRED:
        items = [item for item in items if item.starred]
    elif stream.startswith("feed/"):
        feed_id = (
            stream
            if stream[5:].isdigit()
            else next((f.id for f in state.feeds.values() if f.url == unquote(stream[5:])), "")
        )
        items = [item for item in items if item.feed_id == feed_id]
    if values.get("xt") == READ:
        items = [item for item in items if not item.read]
    if state.miniflux:
        items = sorted(items, key=lambda item: item.published or 0, reverse=True)
        if values.get("ot"):
            items = [item for item in items if (item.published or 0) > int(values["ot"])]
    elif values.get("ot"):
        since = int(values["ot"]) * 1_000_000
        items = [item for item in items if item.id >= since]
    if values.get("r") == "o":
        items = list(reversed(items))
    return items


def _page(
    state: GReaderState,
    items: list[Item],
    query: list[tuple[str, str]],
    *,
    full_page_continues: bool,
) -> tuple[list[Item], str | None]:
    values = dict(query)
    size = min(int(values.get("n") or 20), state.max_page)
    if state.ignore_continuation:
        values.pop("c", None)
    if state.miniflux:  # the continuation is an offset, 0 when there is no more
        offset = int(values.get("c") or 0)
        more = offset + size < len(items)
        return items[offset : offset + size], str(offset + size) if more else None
    if values.get("c"):
        after = int(values["c"])
        oldest_first = values.get("r") == "o"
        items = [item for item in items if (item.id > after if oldest_first else item.id < after)]
    page = items[:size]
    more = len(page) == size if full_page_continues else len(items) > size
    return page, (str(page[-1].id) if page and more else None)


def _stream_contents(
    state: GReaderState, endpoint: str, query: list[tuple[str, str]], _: Any
) -> tuple[int, str, str]:
    stream = endpoint[len("stream/contents/") :] or dict(query).get("s", READING_LIST)
    page, continuation = _page(
        state, _matching(state, stream, query), query, full_page_continues=False
    )
    data: dict[str, Any] = {
        "id": READING_LIST,
        "updated": int(state.clock()),
        "items": [state.render(i) for i in page],
    }
    if continuation:
        data["continuation"] = continuation
    return _json(data)


def _item_ids(
    state: GReaderState, _: str, query: list[tuple[str, str]], __: Any
) -> tuple[int, str, str]:
    stream = dict(query).get("s")
    if not stream:
        raise _Reply(400, "Bad Request!")
    page, continuation = _page(
        state, _matching(state, stream, query), query, full_page_continues=True
    )
    data: dict[str, Any] = {"itemRefs": [{"id": str(item.id)} for item in page]}
    if continuation:
        data["continuation"] = continuation
    return 200, json.dumps(data) + "\n", "text/html; charset=UTF-8"


def _items_contents(
    state: GReaderState, _: str, query: Any, form: list[tuple[str, str]]
) -> tuple[int, str, str]:
    wanted = {item_id(value) for name, value in form if name == "i"}
    if not wanted:
        raise _Reply(400, "Bad Request!")
    found = [state.render(item) for item in state.items if item.id in wanted]
    return _json({"id": READING_LIST, "updated": int(state.clock()), "items": found})


def _edit_tag(
    state: GReaderState, _: str, query: Any, form: list[tuple[str, str]]
) -> tuple[int, str, str]:
    wanted = {item_id(value) for name, value in form if name == "i"}
    adds = [value for name, value in form if name == "a"]
    removes = [value for name, value in form if name == "r"]
    for item in state.items:
        if item.id not in wanted:
            continue
        for tag, on in [(tag, True) for tag in adds] + [(tag, False) for tag in removes]:
            if tag == READ:
                item.read = on
            elif tag == STARRED:
                item.starred = on
    return _ok()


_ENDPOINTS = {
    "subscription/list": _subscription_list,
    "subscription/quickadd": _quickadd,
    "subscription/edit": _subscription_edit,
    "stream/items/ids": _item_ids,
    "stream/items/contents": _items_contents,
    "edit-tag": _edit_tag,
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, state: GReaderState) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.state = state

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client killed mid-request (the kill -9 test) is expected: stay quiet."""


class GReaderServer:
    """Start with ``start()``; ``url`` is the API root to give Broadsheet."""

    def __init__(self, state: GReaderState | None = None) -> None:
        self.state = state or GReaderState()
        self.port = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{ROOT}"

    def start(self) -> GReaderServer:
        self._server = _Server(self.port, self.state)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> GReaderServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


if __name__ == "__main__":  # a server to try by hand: python tests/greader_server.py
    server = GReaderServer().start()
    feed = server.state.add_feed("http://feeds.invalid/alpha.xml", "Alpha Blog", "Tech")
    server.state.crawl(feed, 20)
    print(server.url, "user alice, password test-api-pass")
    threading.Event().wait()
