"""The TT-RSS backend against a real Tiny Tiny RSS (see ttrss_server.py): what the
client does is checked through the server's own API, never through the client."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from ttrss_server import TtrssServer

from reader.core import Library
from reader.core._storage import sync as _sync
from reader.core.models import ArticleQuery
from reader.core.sync import accounts
from reader.core.sync.backend import RemoteItem, SyncError
from reader.core.sync.ttrss import CURSOR_OVERLAP, TtrssBackend, api_url

# One real TT-RSS account and one feed origin (on a fixed proxy port) serve every test
# here: under ``pytest -n`` they all run in one worker (see pyproject's --dist).
pytestmark = pytest.mark.xdist_group("ttrss")


@pytest.fixture
def backend(ttrss: TtrssServer) -> Iterator[TtrssBackend]:
    with TtrssBackend(ttrss.url, ttrss.user, ttrss.password) as client:
        yield client


def _origin(ttrss: TtrssServer):  # type: ignore[no-untyped-def]
    assert ttrss.origin is not None
    return ttrss.origin


def _all_items(backend: TtrssBackend, since: float | None = None) -> list[RemoteItem]:
    return [item for page in backend.items(since=since) for item in page]


def test_api_url_accepts_the_base_or_the_api_url() -> None:
    assert api_url("https://rss.example.org/tt-rss") == "https://rss.example.org/tt-rss/api/"
    assert api_url("https://rss.example.org/tt-rss/api/") == "https://rss.example.org/tt-rss/api/"
    assert api_url("rss.example.org/") == "https://rss.example.org/api/"


def test_login_errors_name_their_cause(ttrss: TtrssServer) -> None:
    with TtrssBackend(ttrss.url, ttrss.user, "wrong") as client, pytest.raises(SyncError) as bad:
        client.login()
    assert bad.value.kind == "auth"
    down = ttrss.second_server()  # a port nothing listens on yet
    with (
        TtrssBackend(down.url, ttrss.user, ttrss.password) as client,
        pytest.raises(SyncError) as gone,
    ):
        client.subscriptions()
    assert gone.value.kind == "unreachable"


def test_subscribe_update_mark_and_unsubscribe(ttrss: TtrssServer, backend: TtrssBackend) -> None:
    origin = _origin(ttrss)
    url = origin.feed("Harbour news", items=3)
    folder_id = ttrss.category("Local")

    feed = backend.subscribe(url, folder="Local")
    on_server = ttrss.feeds()[url]
    assert (feed.url, feed.id, feed.folders) == (url, str(on_server["id"]), ("Local",))
    assert on_server["cat_id"] == folder_id
    assert backend.subscribe(url, folder="Local").id == feed.id  # idempotent
    assert feed.id in {f.id for f in backend.subscriptions()}

    ttrss.update(feed.id)
    items = [item for item in _all_items(backend) if item.feed_id == feed.id]
    assert sorted(item.title for item in items) == [f"Harbour news: story {n}" for n in (1, 2, 3)]
    assert all("told at length" in item.content_html and not item.read for item in items)
    assert all(item.published and item.link for item in items)

    first, second = items[0].id, items[1].id
    backend.mark_read([first], True)
    backend.mark_starred([second], True)
    seen = {str(row["id"]): row for row in ttrss.headlines(int(feed.id))}
    assert (seen[first]["unread"], seen[first]["marked"]) == (False, False)
    assert (seen[second]["unread"], seen[second]["marked"]) == (True, True)
    assert first not in backend.unread_ids() and second in backend.unread_ids()
    assert backend.starred_ids() >= {second} and first not in backend.starred_ids()
    backend.mark_read([first], False)
    backend.mark_starred([second], False)
    seen = {str(row["id"]): row for row in ttrss.headlines(int(feed.id))}
    assert seen[first]["unread"] and not seen[second]["marked"]

    backend.unsubscribe(feed.id)
    assert url not in ttrss.feeds()
    backend.unsubscribe(feed.id)  # already gone: still fine


def test_incremental_pull_with_the_token(ttrss: TtrssServer, backend: TtrssBackend) -> None:
    origin = _origin(ttrss)
    url = origin.feed("Tide tables", items=2)
    feed = backend.subscribe(url)
    ttrss.update(feed.id)
    pulled = backend.items(since=None)
    first_page = next(pulled)
    assert backend.cursor is None  # not moved until every page is taken
    before = {item.id for item in first_page} | {item.id for page in pulled for item in page}
    token = backend.token
    assert token is not None and backend.cursor == max(int(i) for i in before)

    origin.add_item(url, title="Spring tide")
    ttrss.update(feed.id)
    with TtrssBackend(ttrss.url, ttrss.user, ttrss.password, token=token) as later:
        new = [item for item in _all_items(later, since=1.0) if item.id not in before]
        assert later.cursor == int(new[0].id)
    assert [item.title for item in new] == ["Spring tide"]
    # Without a token a pull since a time reads everything: slower, nothing missed.
    with TtrssBackend(ttrss.url, ttrss.user, ttrss.password) as fresh:
        assert {item.id for item in _all_items(fresh, since=1.0)} >= before | {new[0].id}
        by_id = [item for page in fresh.items_by_id([new[0].id]) for item in page]
    assert [(item.id, item.title, item.feed_id) for item in by_id] == [
        (new[0].id, "Spring tide", feed.id)
    ]
    assert "told at length" in by_id[0].content_html


def test_the_cursor_waits_for_a_feed_listed_after_it(
    ttrss: TtrssServer, backend: TtrssBackend
) -> None:
    """A feed subscribed on the server between listing the feeds and pulling items:
    its items cannot be placed yet, so the cursor stays below them for the next pull."""
    origin = _origin(ttrss)
    known = backend.subscribe(origin.feed("Pilot boats", items=1))
    ttrss.update(known.id)
    backend.subscriptions()
    _all_items(backend, since=None)
    late_url = origin.feed("Dredger", items=2)
    ttrss.api("subscribeToFeed", feed_url=late_url, category_id=0)
    late_feed = ttrss.feeds()[late_url]["id"]
    ttrss.update(late_feed)
    late = {str(row["id"]) for row in ttrss.headlines(late_feed)}

    assert late <= {item.id for item in _all_items(backend, since=1.0)}
    assert backend.cursor is not None and backend.cursor < min(int(i) for i in late)
    backend.subscriptions()  # now listed: the next pull takes them and moves on
    assert late <= {item.id for item in _all_items(backend, since=1.0)}
    assert backend.cursor >= max(int(i) for i in late)


def test_a_feed_the_server_cannot_fetch_is_rejected(
    ttrss: TtrssServer, backend: TtrssBackend
) -> None:
    with pytest.raises(SyncError) as refused:
        backend.subscribe("http://feeds.invalid/nothing-here.xml")
    assert refused.value.kind == "rejected"
    assert "nothing-here.xml" in str(refused.value)


def test_pages_of_two_hundred(ttrss: TtrssServer, backend: TtrssBackend) -> None:
    origin = _origin(ttrss)
    url = origin.feed("Almanac", items=230)
    feed = backend.subscribe(url)
    ttrss.update(feed.id)
    pages = [
        [item for item in page if item.feed_id == feed.id] for page in backend.items(since=None)
    ]
    ids = [item.id for page in pages for item in page]
    assert len(ids) == len(set(ids)) == 230
    assert len(pages) >= 2
    assert len([i for i in backend.unread_ids() if i in set(ids)]) == 230
    assert len(_all_items(backend, since=None)[:5]) == 5
    limited = [item for page in backend.items(since=None, limit=7) for item in page]
    assert len(limited) == 7
    backend.unsubscribe(feed.id)


def test_a_dropped_session_is_renewed(ttrss: TtrssServer, backend: TtrssBackend) -> None:
    backend.login()
    backend.call("logout")  # the server forgets the session
    assert isinstance(backend.subscriptions(), list)


def test_rename_stays_local(ttrss: TtrssServer, backend: TtrssBackend) -> None:
    url = _origin(ttrss).feed("Lighthouse log", items=1)
    feed = backend.subscribe(url)
    backend.rename(feed.id, "My lighthouse")
    assert not backend.renames_on_server
    assert ttrss.feeds()[url]["title"] == "Lighthouse log"
    backend.unsubscribe(feed.id)


def test_server_stopped_then_back(ttrss: TtrssServer) -> None:
    php = ttrss.second_server().start()
    try:
        with TtrssBackend(php.url, ttrss.user, ttrss.password) as client:
            client.login()
            php.stop()
            with pytest.raises(SyncError) as down:
                client.subscriptions()
            assert down.value.kind == "unreachable"
            php.start()
            assert isinstance(client.subscriptions(), list)
    finally:
        php.stop()


# --- answers no real server gives: a fake server on loopback ----------------------------


@contextmanager
def _answering(status: int, body: bytes) -> Iterator[TtrssBackend]:
    """A backend whose server logs it in, then answers every call with ``body``."""

    class Reply(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_: object) -> None:
            pass

        def do_POST(self) -> None:
            request = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            login = b'{"seq": 0, "status": 0, "content": {"session_id": "s"}}'
            code, answer = (200, login) if b'"login"' in request else (status, body)
            self.send_response(code)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Reply)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with TtrssBackend(f"http://127.0.0.1:{server.server_address[1]}", "u", "p") as client:
            yield client
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (200, b'{"seq":0,"status":0,"content":[{"id":1,', "protocol"),  # truncated
        (200, b"<html>PHP Fatal error</html>", "protocol"),
        (200, b'{"seq":0,"status":0,"content":{"not":"a list"}}', "protocol"),
        (200, b'{"seq":0,"status":1,"content":{"error":"API_DISABLED"}}', "auth"),
        (401, b"", "auth"),
        (502, b"bad gateway", "server"),
        (404, b"not here", "protocol"),
        (301, b"", "protocol"),  # moved: not followed, the error says where to
    ],
)
def test_bad_answers_raise_a_clear_error(status: int, body: bytes, kind: str) -> None:
    with _answering(status, body) as client, pytest.raises(SyncError) as error:
        client.subscriptions()
    assert error.value.kind == kind
    assert client.url in str(error.value)


# --- end to end: a library with a TT-RSS account, synced by the engine -----------------


@pytest.fixture
def account_library(tmp_path: Path, ttrss: TtrssServer) -> Iterator[Library]:
    """An empty library with the TT-RSS account, the account emptied first."""
    ttrss.empty_account()
    lib = _open_with_account(tmp_path, ttrss.url, ttrss)
    try:
        yield lib
    finally:
        lib.close()


def _open_with_account(tmp_path: Path, url: str, ttrss: TtrssServer) -> Library:
    lib = Library.open(tmp_path / "data", config_dir_path=tmp_path / "config", samples=False)
    account = accounts.Account("ttrss", url, ttrss.user, ttrss.password)
    accounts.add(lib._db, lib.data_dir, account)
    return lib


def _local_ids(lib: Library, remote_ids: Iterable[str]) -> dict[str, int]:
    """Server article id -> the library's article id, for the articles synced."""
    return {remote: local for remote, (local, _) in _sync.linked_items(lib._db, remote_ids).items()}


def _server_state(ttrss: TtrssServer, feed_id: int | str) -> dict[str, tuple[bool, bool]]:
    """Server article id -> (read, starred), as the server's API says."""
    return {
        str(row["id"]): (not row["unread"], bool(row["marked"]))
        for row in ttrss.headlines(int(feed_id))
    }


def test_e2e_subscribe_sync_and_state_both_ways(
    ttrss: TtrssServer, account_library: Library
) -> None:
    lib, origin = account_library, _origin(ttrss)
    url = origin.feed("Quayside", items=3)
    local_feed = lib.add_feed(url)
    lib.refresh_sync()
    assert url in ttrss.feeds()  # subscribed from Broadsheet -> on the server
    remote_feed = ttrss.feeds()[url]["id"]

    ttrss.update(remote_feed)
    lib.refresh_sync()
    state = _server_state(ttrss, remote_feed)
    local = _local_ids(lib, state)
    assert set(local) == set(state)  # every item synced, once
    assert lib.count_articles(ArticleQuery(feed_id=local_feed.id)) == 3
    first, second, third = sorted(local)
    assert "told at length" in lib.article(local[first]).text
    assert lib.pending_full_texts() == 0  # whole stories: no page to fetch off loopback

    lib.mark_read([local[first]])
    lib.save_articles([local[second]])
    lib.refresh_sync()
    state = _server_state(ttrss, remote_feed)
    assert state[first] == (True, False) and state[second] == (False, True)

    ttrss.api("updateArticle", article_ids=third, mode=0, field=2)  # read there
    ttrss.api("updateArticle", article_ids=third, mode=1, field=0)  # starred there
    ttrss.api("updateArticle", article_ids=second, mode=0, field=0)  # unstarred there
    lib.refresh_sync()
    assert (lib.article(local[third]).read, lib.article(local[third]).saved) == (True, True)
    assert not lib.article(local[second]).saved

    lib.remove_feed(local_feed.id)  # unsubscribed here -> gone from the server
    lib.refresh_sync()
    assert url not in ttrss.feeds()
    assert lib.feed_by_url(url) is None


def test_e2e_subscribe_and_unsubscribe_on_the_server(
    ttrss: TtrssServer, account_library: Library
) -> None:
    lib, origin = account_library, _origin(ttrss)
    url = origin.feed("Ferry times", items=2)
    ttrss.api("subscribeToFeed", feed_url=url, category_id=ttrss.category("Travel"))
    ttrss.update(ttrss.feeds()[url]["id"])
    lib.refresh_sync()
    feed = lib.feed_by_url(url)
    assert feed is not None and feed.title == "Ferry times"
    assert "travel" in [tag.casefold() for tag in feed.tags]
    assert lib.count_articles(ArticleQuery(feed_id=feed.id)) == 2

    ttrss.api("unsubscribeFeed", feed_id=ttrss.feeds()[url]["id"])
    lib.refresh_sync()
    assert lib.feed_by_url(url) is None


def test_e2e_rename_here_stays_here(ttrss: TtrssServer, account_library: Library) -> None:
    """TT-RSS's API cannot rename a feed: the title given here is kept here, and the
    server's stays the feed's own."""
    lib, origin = account_library, _origin(ttrss)
    url = origin.feed("Breakwater", items=1)
    lib.add_feed(url)
    lib.refresh_sync()
    feed = lib.feed_by_url(url)
    assert feed is not None
    lib.rename_feed(feed.id, "My breakwater")
    lib.refresh_sync()
    lib.refresh_sync()
    assert lib.feed(feed.id).title == "My breakwater"
    assert ttrss.feeds()[url]["title"] == "Breakwater"
    assert _pending(lib) == 0


def test_e2e_a_title_given_when_subscribing_stays_here(
    ttrss: TtrssServer, account_library: Library
) -> None:
    """``add URL --title T``: the API cannot send T, and the server naming the feed it
    has just fetched is not the feed being renamed: T stays, as a rename's does."""
    lib, origin = account_library, _origin(ttrss)
    url = origin.feed("Lighthouse log", items=1)
    feed = lib.add_feed(url, title="My lighthouse")
    lib.refresh_sync()
    lib.refresh_sync()
    assert lib.feed(feed.id).title == "My lighthouse"
    assert ttrss.feeds()[url]["title"] == "Lighthouse log"


def test_e2e_offline_changes_are_replayed_when_the_server_is_back(
    ttrss: TtrssServer, tmp_path: Path
) -> None:
    ttrss.empty_account()
    origin = _origin(ttrss)
    php = ttrss.second_server().start()
    lib = _open_with_account(tmp_path, php.url, ttrss)
    try:
        kept, dropped = origin.feed("Harbour master", items=3), origin.feed("Old pier", items=1)
        lib.add_feed(kept)
        old_pier = lib.add_feed(dropped)
        lib.refresh_sync()
        remote_feed = ttrss.feeds()[kept]["id"]
        ttrss.update(remote_feed)
        lib.refresh_sync()
        local = _local_ids(lib, _server_state(ttrss, remote_feed))
        first, second, _ = sorted(local)

        php.stop()
        added = origin.feed("New quay", items=1)
        lib.mark_read([local[first]])
        lib.save_articles([local[second]])
        lib.add_feed(added)
        lib.remove_feed(old_pier.id)
        pending = _pending(lib)
        assert pending >= 4
        with pytest.raises(SyncError) as down:
            lib.refresh_sync()
        assert down.value.kind == "unreachable"
        assert _pending(lib) == pending  # nothing lost while the server is away

        php.start()
        lib.refresh_sync()
        assert _pending(lib) == 0
        state = _server_state(ttrss, remote_feed)
        assert state[first] == (True, False) and state[second] == (False, True)
        assert added in ttrss.feeds() and dropped not in ttrss.feeds()
    finally:
        php.stop()
        lib.close()


def _pending(lib: Library) -> int:
    status = accounts.status(lib._db)
    assert status is not None
    return status.pending


_CHILD_SYNC = """
import sys
from reader.core import Library
import reader.core.sync.engine, reader.core.sync.ttrss  # loaded now: kills land in the sync
lib = Library.open(sys.argv[1], config_dir_path=sys.argv[2], samples=False)
print("ready", flush=True)
if sys.stdin.readline() == "go\\n":  # anything else (the test ended): no sync
    lib.refresh_sync()
"""


def test_e2e_kill_9_during_sync_loses_nothing_and_duplicates_nothing(
    ttrss: TtrssServer, account_library: Library, tmp_path: Path
) -> None:
    """Killed five times from its first, full pull (two pages of headlines) on, then
    at least fifteen times during syncs that push local changes and pull new items:
    afterwards every change is on the server and every item here, once."""
    lib, origin = account_library, _origin(ttrss)
    big, small = origin.feed("Shipping forecast", items=210), origin.feed("Notices", items=1)
    lib.add_feed(big)
    lib.add_feed(small)
    lib.refresh_sync()
    remote = {url: feed["id"] for url, feed in ttrss.feeds().items()}
    for url in (big, small):
        ttrss.update(remote[url])

    def between_syncs(kills: int) -> None:  # once the first pull is done: work to sync
        if kills >= 5:
            origin.add_item(small)
            ttrss.update(remote[small])
            wanted.update(_change_something(lib, rng))

    rng = random.Random(16)
    wanted: dict[int, tuple[bool, bool]] = {}  # local article id -> (read, saved)
    kills, pushed_then_killed = _kill_syncs(lib, tmp_path / "config", rng, between_syncs)
    assert kills >= 20 and len(wanted) >= 15
    assert pushed_then_killed >= 1  # some were killed after pushing: mid-sync, not before

    lib.refresh_sync()
    assert _pending(lib) == 0
    for url in (big, small):
        state = _server_state(ttrss, remote[url])
        local = _local_ids(lib, state)
        assert set(local) == set(state)  # every item the server has is here
        assert len(set(local.values())) == len(local)  # one local article per server item
        feed = lib.feed_by_url(url)
        assert feed is not None and lib.count_articles(ArticleQuery(feed_id=feed.id)) == len(state)
        for remote_id, article in local.items():
            if article in wanted:  # each change queued here reached the server, and stayed
                assert state[remote_id] == wanted[article]
                assert (lib.article(article).read, lib.article(article).saved) == wanted[article]


def _kill_syncs(
    lib: Library, config: Path, rng: random.Random, between: Callable[[int], None]
) -> tuple[int, int]:
    """Start syncs in child processes and SIGKILL them at random moments, 5 times
    from the first full pull on, then until 20 kills. Returns how many were killed,
    and how many of those had sent queued changes first (killed mid-sync). The
    delays follow how long the last sync that finished took, so a fast machine kills
    mid-sync too. Each child starts up while the one before it syncs."""

    def spawn() -> subprocess.Popen[str]:
        command = [sys.executable, "-c", _CHILD_SYNC, str(lib.data_dir), str(config)]
        return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    within = {"full": 2.5, "incremental": 1.2}  # seconds: kills land before these
    kills, pushed_then_killed, children = 0, 0, [spawn()]
    try:
        for attempt in range(60):
            if kills >= 20:
                break
            if kills == 5 and attempt == kills:
                lib.refresh_sync()  # the first full pull, complete at last
            between(kills)
            child, pending = children[-1], _pending(lib)
            assert child.stdin is not None and child.stdout is not None
            assert child.stdout.readline() == "ready\n"
            child.stdin.write("go\n")
            child.stdin.flush()
            started, phase = time.monotonic(), "full" if kills < 5 else "incremental"
            children.append(spawn())
            try:
                finished = child.wait(timeout=rng.uniform(0.05, within[phase]))
            except subprocess.TimeoutExpired:
                child.send_signal(signal.SIGKILL)
                child.wait(timeout=60)
                kills += 1
                pushed_then_killed += _pending(lib) < pending
            else:  # it finished first: aim the next kills within a sync that long
                assert finished == 0
                within[phase] = max(0.15, 1.2 * (time.monotonic() - started))
    finally:
        for child in children:
            child.kill()
            child.wait()
    return kills, pushed_then_killed


def _change_something(lib: Library, rng: random.Random) -> dict[int, tuple[bool, bool]]:
    """Flip read or saved on a few synced articles; returns their state now."""
    ids = lib.article_ids(ArticleQuery())
    changed: dict[int, tuple[bool, bool]] = {}
    for article_id in rng.sample(ids, min(3, len(ids))):
        article = lib.article(article_id)
        if rng.random() < 0.5:
            lib.mark_read([article_id], not article.read)
        else:
            lib.save_articles([article_id], not article.saved)
        after = lib.article(article_id)
        changed[article_id] = (after.read, after.saved)
    return changed


def test_e2e_the_first_sync_takes_the_newest_items_then_everything_new(
    ttrss: TtrssServer, tmp_path: Path
) -> None:
    ttrss.empty_account()
    origin = _origin(ttrss)
    url = origin.feed("Harbour archive", items=CURSOR_OVERLAP + 20)
    ttrss.api("subscribeToFeed", feed_url=url, category_id=0)
    remote_feed = ttrss.feeds()[url]["id"]
    ttrss.update(remote_feed)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text("[sync]\ninitial_items = 5\n")
    lib = _open_with_account(tmp_path, ttrss.url, ttrss)
    try:
        lib.refresh_sync()
        first = _server_state(ttrss, remote_feed)
        taken = set(_local_ids(lib, first))
        assert len(first) == CURSOR_OVERLAP + 20 and len(taken) == 5
        origin.add_item(url)
        origin.add_item(url)
        ttrss.update(remote_feed)
        lib.refresh_sync()  # everything new; of the older ones, at most the overlap
        now = _server_state(ttrss, remote_feed)
        held = set(_local_ids(lib, now))
        assert taken | (set(now) - set(first)) <= held
        window = max(int(article) for article in taken) - CURSOR_OVERLAP
        assert all(int(article) >= window for article in held)
        assert len(held) < len(now)  # the oldest stay on the server
    finally:
        lib.close()
