"""A real Tiny Tiny RSS for the sync tests, and the feeds it fetches.

``.ci/ttrss-setup`` installs TT-RSS (Debian's package, PHP's built-in server,
PostgreSQL) and writes where it answers to ``/tmp/broadsheet-ttrss.env``. The
``ttrss`` fixture reads that file (running the script first when it is root and the
server is not answering), empties the test user's account, and starts the feed
origin: TT-RSS fetches every feed through an HTTP proxy on a fixed loopback port
(its config's ``_HTTP_PROXY``; it refuses feed URLs on 127.x), and the origin answers
those proxy-form requests for ``http://feeds.invalid/...``, so tests add and change
feed items at will.

Where TT-RSS cannot be had the tests skip with the reason, except under
``BROADSHEET_REQUIRE_TTRSS=1`` (CI), where they fail: CI must not skip silently.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from loopback import Handler, LoopbackServer

ENV_FILE = Path(os.environ.get("BROADSHEET_TTRSS_ENV", "/tmp/broadsheet-ttrss.env"))
SETUP_SCRIPT = Path(__file__).resolve().parent.parent / ".ci" / "ttrss-setup"
FEED_HOST = "http://feeds.invalid"


# --- the feed origin -------------------------------------------------------------------


@dataclass
class FeedItem:
    guid: str
    title: str
    html: str
    link: str
    published: float


@dataclass
class Feed:
    title: str
    items: list[FeedItem] = field(default_factory=list)

    def rss(self) -> bytes:
        entries = "".join(
            f"<item><guid isPermaLink='false'>{escape(item.guid)}</guid>"
            f"<title>{escape(item.title)}</title><link>{escape(item.link)}</link>"
            f"<pubDate>{formatdate(item.published, usegmt=True)}</pubDate>"
            f"<description>{escape(item.html)}</description></item>"
            for item in self.items
        )
        return (
            "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            f"<title>{escape(self.title)}</title><link>{FEED_HOST}/</link>"
            f"<description>test feed</description>{entries}</channel></rss>"
        ).encode()


class FeedOrigin:
    """Serves the test feeds as TT-RSS's proxy: each feed is a live, editable object."""

    def __init__(self, port: int) -> None:
        self._server = LoopbackServer(port=port)
        self._feeds: dict[str, Feed] = {}
        self._lock = threading.Lock()
        self._prefix = uuid.uuid4().hex[:8]  # feeds of an earlier session never collide
        self._count = 0

    def start(self) -> FeedOrigin:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def feed(self, title: str, items: int = 0) -> str:
        """A new feed with ``items`` items; returns its URL (what TT-RSS subscribes to)."""
        with self._lock:
            self._count += 1
            url = f"{FEED_HOST}/{self._prefix}/{self._count}.xml"
            self._feeds[url] = Feed(title)
        self._server.route(url, lambda h, url=url: self._serve(h, url))
        for _ in range(items):
            self.add_item(url)
        return url

    def add_item(self, url: str, title: str | None = None, html: str | None = None) -> FeedItem:
        with self._lock:
            feed = self._feeds[url]
            number = len(feed.items) + 1
            item = FeedItem(
                guid=f"{url}#{number}",
                title=title or f"{feed.title}: story {number}",
                html=html or _story(feed.title, number),
                link=f"{FEED_HOST}/{self._prefix}/story/{uuid.uuid4().hex[:12]}",
                published=time.time() - 3600 + number,
            )
            feed.items.append(item)
            return item

    def fetches(self, url: str) -> int:
        return len(self._server.requests_to(url))

    def _serve(self, handler: Handler, url: str) -> None:
        with self._lock:
            body = self._feeds[url].rss()
        handler.send(200, body, {"Content-Type": "application/rss+xml; charset=utf-8"})


def _story(title: str, number: int) -> str:
    """A whole story, long enough that Broadsheet does not take it for a summary and
    go to fetch its page (which would leave loopback)."""
    sentences = [
        f"Story {number} of {escape(title)}, told at length.",
        "The harbour wall was finished a week before the storms came in from the west.",
        "Boats that had waited outside for days came in one by one on the morning tide.",
        "Nobody on the quay could remember a season with so many ships waiting to land.",
    ]
    return "".join(f"<p>{' '.join(sentences[i:] + sentences[:i])}</p>" for i in range(3))


# --- TT-RSS itself -------------------------------------------------------------------------


class TtrssUnavailable(Exception):
    pass


@dataclass
class TtrssServer:
    url: str  # TT-RSS's base URL (the API is url + "api/")
    user: str
    password: str
    proxy_port: int
    docroot: str
    origin: FeedOrigin | None = None
    _sid: str | None = None

    def api(self, op: str, url: str | None = None, **params: Any) -> Any:
        """A raw API call with the test's own session, independent of the client under
        test: what the server says, to check the client against."""
        if self._sid is None:
            self._sid = _login(url or self.url, self.user, self.password)
        reply = _post(url or self.url, {"op": op, "sid": self._sid, **params})
        if reply.get("status") != 0:
            raise AssertionError(f"TT-RSS {op} failed: {reply}")
        return reply["content"]

    def feeds(self) -> dict[str, dict[str, Any]]:
        """The user's subscriptions by feed URL."""
        return {feed["feed_url"]: feed for feed in self.api("getFeeds", cat_id=-3)}

    def headlines(self, feed_id: int, view_mode: str = "all_articles") -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while True:
            page = self.api(
                "getHeadlines", feed_id=feed_id, view_mode=view_mode, limit=200, skip=len(found)
            )
            found += page
            if len(page) < 200:
                return found

    def empty_account(self) -> None:
        """Unstar everything (or unsubscribing would archive it), then unsubscribe all."""
        starred = [str(row["id"]) for row in self.headlines(-1)]
        if starred:
            self.api("updateArticle", article_ids=",".join(starred), mode=0, field=0)
        for feed in self.feeds().values():
            self.api("unsubscribeFeed", feed_id=feed["id"])

    def category(self, title: str) -> int:
        """A category's id, created in SQL (the API cannot create one) when missing."""
        for cat in self.api("getCategories", include_empty=True):
            if cat["title"] == title and cat["id"] > 0:
                return int(cat["id"])
        _psql(
            "INSERT INTO ttrss_feed_categories (owner_uid, title) "
            "SELECT id, :'title' FROM ttrss_users WHERE login = :'user'",
            title=title,
            user=self.user,
        )
        return self.category(title)

    def update(self, feed_id: int | str) -> None:
        """Have TT-RSS fetch a feed now (updateFeed fetches synchronously)."""
        self.api("updateFeed", feed_id=int(feed_id))

    def second_server(self) -> PhpServer:
        """Another ``php -S`` on the same database, that a test may stop and start."""
        return PhpServer(self.docroot)


class PhpServer:
    """``php -S`` serving TT-RSS on a free loopback port, stoppable and restartable."""

    def __init__(self, docroot: str) -> None:
        self.docroot = docroot
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> PhpServer:
        command = ["php", "-S", f"127.0.0.1:{self.port}", "-t", self.docroot]
        if os.geteuid() == 0:  # TT-RSS's database settings are readable by www-data only
            command = ["runuser", "-u", "www-data", "--", *command]
        self._process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                _post(self.url, {"op": "getApiLevel"})
                return self
            except (OSError, ValueError):
                time.sleep(0.05)
        raise TtrssUnavailable(f"php -S on {self.url} did not answer")

    def stop(self) -> None:
        if self._process is not None:
            os.killpg(self._process.pid, signal.SIGKILL)  # its own session: php and runuser
            self._process.wait(timeout=10)
            self._process = None


def _post(url: str, body: dict[str, Any], timeout: float = 60) -> dict[str, Any]:
    request = urllib.request.Request(
        url.rstrip("/") + "/api/",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "broadsheet-tests"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        reply = json.loads(response.read())
    if not isinstance(reply, dict):
        raise ValueError(f"not an API reply: {reply!r}")
    return reply


def _login(url: str, user: str, password: str) -> str:
    reply = _post(url, {"op": "login", "user": user, "password": password})
    if reply.get("status") != 0:
        raise TtrssUnavailable(f"TT-RSS at {url} refused the test user: {reply.get('content')}")
    return str(reply["content"]["session_id"])


def _psql(sql: str, **variables: str) -> None:
    settings = _read_env()
    command = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1"]
    command += ["-U", settings.get("BROADSHEET_TTRSS_DB_USER", "ttrss")]
    command += ["-d", settings.get("BROADSHEET_TTRSS_DB_NAME", "ttrss")]
    for name, value in variables.items():
        command += ["-v", f"{name}={value}"]
    env = {**os.environ, "PGPASSWORD": settings.get("BROADSHEET_TTRSS_DB_PASSWORD", "")}
    subprocess.run(command, input=sql.encode(), check=True, env=env, capture_output=True)


# --- finding it ---------------------------------------------------------------------------


def _read_env() -> dict[str, str]:
    if not ENV_FILE.exists():
        return {}
    pairs = (line.split("=", 1) for line in ENV_FILE.read_text().splitlines() if "=" in line)
    return {name.strip(): value.strip() for name, value in pairs}


def _server_from_env() -> TtrssServer:
    settings = _read_env()
    if "BROADSHEET_TTRSS_URL" not in settings:
        raise TtrssUnavailable(f"no TT-RSS settings in {ENV_FILE} (run .ci/ttrss-setup as root)")
    server = TtrssServer(
        url=settings["BROADSHEET_TTRSS_URL"],
        user=settings["BROADSHEET_TTRSS_USER"],
        password=settings["BROADSHEET_TTRSS_PASSWORD"],
        proxy_port=int(settings["BROADSHEET_TTRSS_PROXY_PORT"]),
        docroot=settings["BROADSHEET_TTRSS_DOCROOT"],
    )
    try:
        _login(server.url, server.user, server.password)
    except (OSError, ValueError) as error:
        raise TtrssUnavailable(f"TT-RSS at {server.url} does not answer: {error}") from error
    return server


def find_ttrss() -> TtrssServer:
    """The running TT-RSS; runs ``.ci/ttrss-setup`` first when root and it is not up."""
    try:
        return _server_from_env()
    except TtrssUnavailable as first:
        if os.geteuid() != 0 or not SETUP_SCRIPT.exists() or shutil.which("apt-get") is None:
            raise
        setup = subprocess.run(
            ["bash", str(SETUP_SCRIPT)], capture_output=True, text=True, timeout=600
        )
        if setup.returncode != 0:
            raise TtrssUnavailable(
                f"{first}; .ci/ttrss-setup failed: {setup.stderr.strip()[-300:]}"
            ) from first
        return _server_from_env()


@pytest.fixture(scope="session")
def ttrss() -> Iterator[TtrssServer]:
    """The real TT-RSS, its test account emptied, with the feed origin running."""
    try:
        server = find_ttrss()
        origin = FeedOrigin(server.proxy_port).start()
    except (TtrssUnavailable, OSError, subprocess.SubprocessError) as error:
        message = f"no Tiny Tiny RSS server: {error}"
        if os.environ.get("BROADSHEET_REQUIRE_TTRSS") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    server.origin = origin
    try:
        server.empty_account()
        yield server
        server.empty_account()  # no feed left whose origin is gone
    finally:
        origin.stop()
