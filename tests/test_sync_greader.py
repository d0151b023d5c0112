"""Sync with a Google Reader API server (tests/greader_server.py, built from the
exchanges recorded from FreshRSS): subscriptions, items, read and starred both ways,
the offline queue, a killed sync, and every failure a clear error that loses nothing."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.core._storage import sync as _sync
from reader.core.errors import BroadsheetError
from reader.core.library import Library, refresh_and_settle
from reader.core.models import ArticleQuery
from reader.core.sync import accounts
from reader.core.sync.backend import SyncError
from reader.core.sync.engine import SyncEngine
from reader.core.sync.greader import GReaderBackend, long_item_id

sys.path.insert(0, str(Path(__file__).parent))
from greader_server import GReaderServer, GReaderState, Item  # noqa: E402


@pytest.fixture
def server() -> Iterator[GReaderServer]:
    state = GReaderState()
    with GReaderServer(state) as running:
        base = f"http://127.0.0.1:{running.port}"
        alpha = state.add_feed(f"{base}/feeds/alpha.xml", "Alpha & Omega", "Tech")
        beta = state.add_feed(f"{base}/feeds/beta.xml", "Beta News")
        state.crawl(alpha, 5, at=time.time() - 3600)
        state.crawl(beta, 3, at=time.time() - 3000)
        state.items[0].starred = True  # the newest (beta) item
        state.items[-1].read = True  # the oldest (alpha) item
        yield running


def open_library(tmp_path: Path) -> Library:
    return Library.open(tmp_path / "data", config_dir_path=tmp_path / "config", samples=False)


@pytest.fixture
def library(tmp_path: Path, server: GReaderServer) -> Iterator[Library]:
    with open_library(tmp_path) as opened:
        account = accounts.Account("greader", server.url, "alice", "test-api-pass")
        accounts.add(opened.db.connection(), opened.data_dir, account)
        yield opened


def articles(library: Library) -> list[int]:
    return library.article_ids(ArticleQuery())


def remote_ids(library: Library) -> dict[int, str]:
    db = library.db.connection()
    return {row[0]: row[1] for row in db.execute("SELECT article_id, remote_id FROM sync_items")}


def article_for(library: Library, number: int) -> int:
    wanted = long_item_id(number)
    return next(a for a, r in remote_ids(library).items() if r == wanted)


def pending(library: Library) -> int:
    return _sync.pending_count(library.db.connection())


# -- pulling ----------------------------------------------------------------------


def test_first_sync_brings_feeds_folders_items_and_their_state(
    library: Library, server: GReaderServer
) -> None:
    asyncio.run(refresh_and_settle(library))  # as the CLI and the reader refresh
    feeds = {feed.title: feed for feed in library.feeds()}
    assert set(feeds) == {"Alpha & Omega", "Beta News"}  # FreshRSS's full-width & undone
    assert "Tech" in feeds["Alpha & Omega"].tags
    assert len(articles(library)) == 8
    starred = article_for(library, server.state.items[0].id)
    oldest = article_for(library, server.state.items[-1].id)
    assert library.is_saved(starred)
    assert library.article(oldest).read
    assert library.count_articles(ArticleQuery(unread_only=True)) == 7
    number = server.state.items[3].id
    assert [hit.article.id for hit in library.search(f"story {number}")] == [
        article_for(library, number)
    ]
    # Cleaned like any refreshed article, by the same after-refresh sequence.
    assert library.clean_pending() == 0
    assert library.article(starred).text


def test_re_sync_adds_only_new_items_whichever_id_form(
    library: Library, server: GReaderServer
) -> None:
    library.refresh_sync()
    server.state.decimal_item_ids = True
    alpha = next(iter(server.state.feeds.values()))
    server.state.crawl(alpha, 2)
    summary = library.refresh_sync()
    assert summary.new == 2
    assert len(articles(library)) == 10
    library.db.connection().execute("DELETE FROM sync_state WHERE key = 'high_water'")
    server.state.decimal_item_ids = False
    assert library.refresh_sync().new == 0  # everything again: all known
    assert len(articles(library)) == 10


def test_continuation_pages_bring_every_item(library: Library, server: GReaderServer) -> None:
    server.state.max_page = 3
    library.refresh_sync()
    assert len(articles(library)) == 8
    contents = [r for r in server.state.requests if "stream/contents" in r]
    assert len(contents) == 3  # 3 + 3 + 2


@pytest.mark.parametrize("miniflux", [False, True])
def test_a_continuation_that_does_not_move_ends_the_sync_with_an_error(
    library: Library, server: GReaderServer, miniflux: bool
) -> None:
    """A server that answers the same page whatever c= says: an error, not a sync that
    never ends (holding the refresh lock the reader's refreshes wait for)."""
    server.state.miniflux = miniflux
    server.state.max_page = 3
    server.state.ignore_continuation = True
    with pytest.raises(SyncError) as failed:
        library.refresh_sync()
    assert failed.value.kind == "protocol" and "continuation" in str(failed.value)


def test_items_of_a_feed_subscribed_on_the_server_mid_sync_are_kept(
    library: Library, server: GReaderServer
) -> None:
    backend = GReaderBackend(server.url, "alice", "test-api-pass")
    engine = SyncEngine(library, backend)
    feeds = engine.pull_subscriptions()
    late = server.state.add_feed(f"http://127.0.0.1:{server.port}/feeds/late.xml", "Late")
    server.state.crawl(late, 2)
    engine.pull_items(feeds, None)
    assert len(articles(library)) == 10
    assert library.feed_by_url(late.url) is not None


def test_killed_page_sequence_stores_no_duplicate(library: Library, server: GReaderServer) -> None:
    """A sync that stops after its first page (killed, or the network dropped) leaves
    that page stored; the next sync stores the rest, nothing twice."""
    server.state.max_page = 3
    backend = GReaderBackend(server.url, "alice", "test-api-pass", page_size=3)
    engine = SyncEngine(library, backend)
    feeds = engine.pull_subscriptions()
    engine.store_page(next(backend.items(since=None)), feeds)
    assert len(articles(library)) == 3
    library.refresh_sync()
    assert len(articles(library)) == 8
    assert len(set(remote_ids(library).values())) == 8


# -- pushing --------------------------------------------------------------------


def test_read_and_star_here_reach_the_server(library: Library, server: GReaderServer) -> None:
    library.refresh_sync()
    item = server.state.items[2]
    article = article_for(library, item.id)
    library.mark_read([article])
    library.set_saved(article, True)
    assert pending(library) == 2
    library.refresh_sync()
    assert item.read and item.starred
    assert pending(library) == 0
    library.mark_read([article], False)
    library.set_saved(article, False)
    library.refresh_sync()
    assert not item.read and not item.starred
    assert not library.article(article).read and not library.is_saved(article)


def test_read_and_star_on_the_server_come_here(library: Library, server: GReaderServer) -> None:
    library.refresh_sync()
    item = server.state.items[4]
    article = article_for(library, item.id)
    item.read, item.starred = True, True
    library.refresh_sync()
    assert library.article(article).read and library.is_saved(article)
    item.read, item.starred = False, False
    library.refresh_sync()
    assert not library.article(article).read and not library.is_saved(article)


def test_unsent_local_change_wins_over_the_server(library: Library, server: GReaderServer) -> None:
    library.refresh_sync()
    item, other = server.state.items[1], server.state.items[2]
    article, other_article = article_for(library, item.id), article_for(library, other.id)
    library.mark_read([article])  # queued, not sent
    item.read = False
    other.read = True  # no local change: the server's state is taken
    engine = SyncEngine(library, GReaderBackend(server.url, "alice", "test-api-pass"))
    engine.reconcile()
    assert library.article(article).read
    assert library.article(other_article).read
    library.refresh_sync()  # sent, then the server agrees
    assert item.read and library.article(article).read


def test_subscribe_here_appears_on_the_server_then_its_items_come(
    library: Library, server: GReaderServer
) -> None:
    library.refresh_sync()
    url = f"http://127.0.0.1:{server.port}/feeds/gamma.xml"
    feed = library.add_feed(url, tags=["Reading"])
    assert pending(library) == 1
    library.refresh_sync()
    remote = server.state.feed_by_url(url)
    assert remote is not None and remote.folder == "Reading"
    server.state.crawl(remote, 4)
    library.refresh_sync()
    assert library.feed(feed.id).total == 4
    assert len(library.feeds()) == 3


def test_with_an_account_only_web_feeds_can_be_added(library: Library, tmp_path: Path) -> None:
    """The server fetches the feeds and cannot read a local file or a sample, and the
    library no longer fetches its own: such a feed would stay empty for good."""
    feed_file = tmp_path / "feed.xml"
    feed_file.write_text("<rss version='2.0'><channel><title>x</title></channel></rss>")
    for address in ("sample:world", str(feed_file)):
        with pytest.raises(BroadsheetError, match="server"):
            asyncio.run(library.subscribe(address))
    assert library.feeds() == [] and pending(library) == 0


def test_subscribe_refused_by_the_server_is_reported_and_dropped(
    library: Library, server: GReaderServer
) -> None:
    library.add_feed(f"http://127.0.0.1:{server.port}/feeds/missing.xml")
    summary = library.refresh_sync()
    assert any("refused to subscribe" in (result.error or "") for result in summary.results)
    assert pending(library) == 0


def test_unsubscribe_both_ways_keeps_saved_articles(
    library: Library, server: GReaderServer
) -> None:
    library.refresh_sync()
    alpha, beta = (library.feed_by_url(f.url) for f in server.state.feeds.values())
    assert alpha is not None and beta is not None
    library.remove_feed(alpha.id)
    library.refresh_sync()
    assert [f.title for f in server.state.feeds.values()] == ["Beta News"]
    kept = article_for(library, server.state.items[0].id)  # starred: saved here
    del server.state.feeds["feed/2"]
    server.state.items.clear()
    library.refresh_sync()
    assert library.feeds() == []
    assert articles(library) == [kept] and library.is_saved(kept)
    assert pending(library) == 0  # the server's own unsubscription is not sent back


def test_rename_here_reaches_the_server(library: Library, server: GReaderServer) -> None:
    library.refresh_sync()
    feed = library.feed_by_url(server.state.feeds["feed/2"].url)
    assert feed is not None
    library.rename_feed(feed.id, "Beta, renamed")
    library.refresh_sync()
    assert server.state.feeds["feed/2"].title == "Beta, renamed"
    assert library.feed(feed.id).title == "Beta, renamed"
    server.state.feeds["feed/2"].title = "Beta, renamed there"
    library.refresh_sync()
    assert library.feed(feed.id).title == "Beta, renamed there"


# -- failures ----------------------------------------------------------------------


def synced_then_read_here(library: Library, server: GReaderServer) -> Item:
    """Sync, then mark one item read here (queued): the item on the server."""
    library.refresh_sync()
    item = server.state.items[3]
    library.mark_read([article_for(library, item.id)])
    assert pending(library) == 1
    return item


def test_offline_queue_is_replayed_when_the_server_is_back(
    library: Library, server: GReaderServer
) -> None:
    item = synced_then_read_here(library, server)
    server.stop()
    with pytest.raises(SyncError) as failed:
        library.refresh_sync()
    assert failed.value.kind == "unreachable"
    assert "server unreachable" in str(failed.value) and "\n" not in str(failed.value)
    assert pending(library) == 1
    server.start()
    library.refresh_sync()
    assert item.read and pending(library) == 0


def test_expired_write_token_and_revoked_login_are_renewed(
    library: Library, server: GReaderServer
) -> None:
    library.refresh_sync()
    item = server.state.items[3]
    library.set_saved(article_for(library, item.id), True)
    server.state.expire_write_token()
    server.state.revoke_logins()
    library.refresh_sync()
    assert item.starred and pending(library) == 0


def test_wrong_password_is_an_auth_error_and_loses_nothing(
    library: Library, server: GReaderServer
) -> None:
    item = synced_then_read_here(library, server)
    server.state.change_password("another")
    with pytest.raises(SyncError) as failed:
        library.refresh_sync()
    assert failed.value.kind == "auth" and "login refused" in str(failed.value)
    assert pending(library) == 1 and not item.read
    server.state.change_password("test-api-pass")
    library.refresh_sync()
    assert item.read and pending(library) == 0


def test_a_url_without_the_api_says_which_url_to_give(server: GReaderServer) -> None:
    """FreshRSS's root instead of its api/greader.php: not 'server error'."""
    backend = GReaderBackend(f"http://127.0.0.1:{server.port}/", "alice", "test-api-pass")
    with pytest.raises(SyncError) as failed:
        backend.login()
    assert failed.value.kind == "protocol"
    assert "no Google Reader API" in str(failed.value) and "api/greader.php" in str(failed.value)


@pytest.mark.parametrize(
    ("path", "how", "kind"),
    [
        ("stream/contents", "malformed", "protocol"),
        ("subscription/list", "truncated", "protocol"),
        ("stream/items/ids", "500", "server"),
        ("edit-tag", "500", "server"),
    ],
)
def test_broken_answers_are_clear_errors_and_lose_nothing(
    library: Library, server: GReaderServer, path: str, how: str, kind: str
) -> None:
    item = synced_then_read_here(library, server)
    alpha = next(iter(server.state.feeds.values()))
    server.state.crawl(alpha, 3)
    server.state.break_next(path, how)
    with pytest.raises(SyncError) as failed:
        library.refresh_sync()
    assert failed.value.kind == kind and "\n" not in str(failed.value)
    library.refresh_sync()
    assert item.read and pending(library) == 0
    assert len(articles(library)) == 11
    assert len(set(remote_ids(library).values())) == 11


def test_account_remove_keeps_everything_local(library: Library, server: GReaderServer) -> None:
    library.refresh_sync()
    before = articles(library)
    accounts.remove(library.db.connection(), library.data_dir)
    assert articles(library) == before and len(library.feeds()) == 2
    assert not (library.data_dir / accounts.SECRETS_FILE).exists()
    library.mark_read(before[:1])
    assert pending(library) == 0  # no account: nothing to queue


def test_switching_back_and_forth_keeps_what_was_read_and_saved_here(
    library: Library, server: GReaderServer
) -> None:
    """Local, account, local again, account again: what was read and saved here while
    the library was local reaches the server (it is a change not sent yet), and the
    server's own read and starred state is kept too: nothing is lost either way."""
    library.refresh_sync()
    before = sorted(articles(library))
    accounts.remove(library.db.connection(), library.data_dir)
    read_here, saved_here, read_there = before[1], before[2], before[3]
    library.mark_read([read_here])
    library.set_saved(saved_here, True)
    accounts.add(
        library.db.connection(),
        library.data_dir,
        accounts.Account("greader", server.url, "alice", "test-api-pass"),
    )
    library.refresh_sync()
    assert sorted(articles(library)) == before  # adopted, not duplicated
    remote = {  # the server's items, by the local article linked to them
        article: server.state.item(int(rid.rsplit("/", 1)[1], 16))
        for article, rid in remote_ids(library).items()
    }
    assert remote[read_here].read and library.article(read_here).read
    assert remote[saved_here].starred and library.is_saved(saved_here)
    remote[read_there].read = True  # read on the phone meanwhile: taken here
    library.refresh_sync()
    assert library.article(read_there).read and pending(library) == 0


def test_highlights_notes_and_exports_stay_local_on_synced_articles(
    library: Library, server: GReaderServer, tmp_path: Path
) -> None:
    from reader.core.export import export_articles

    library.refresh_sync()
    item = server.state.items[1]
    article = article_for(library, item.id)
    text = library.article(article).text
    start = text.index("word")
    notes = library.annotations()
    assert notes is not None
    mark = notes.highlight(article, start, start + 15, note="check this")
    notes.set_article_note(article, "read it again")
    assert pending(library) == 0  # nothing of it goes to the server
    item.read = True  # read on the phone: taken here, the annotations untouched
    library.refresh_sync()
    assert library.article(article).read
    feed = server.state.feeds.pop(item.feed_id)  # then unsubscribed there
    library.refresh_sync()
    assert library.feed_by_url(feed.url) is None  # unsubscribed here too
    kept = notes.for_article(article)  # the annotated article stays, and its notes
    assert {a.note for a in kept} == {"check this", "read it again"}
    assert notes.get(mark.id).exact == text[start : start + 15].strip()
    (markdown,) = export_articles(library, [article], tmp_path / "out", ["markdown"])
    assert "check this" in markdown.read_text() and "read it again" in markdown.read_text()


def test_a_server_without_stream_contents_syncs_through_item_ids(
    library: Library, server: GReaderServer
) -> None:
    """Miniflux answers stream/contents with ``[]`` and compares ``ot=`` with published
    dates: items are listed by id and fetched by id, and an item the server stores now
    with an old (or no) date still comes, once."""
    server.state.miniflux = True
    server.state.max_page = 3  # offsets as continuations, over several pages
    server.state.items[1].read = True
    library.refresh_sync()
    assert len(articles(library)) == 8
    assert library.is_saved(article_for(library, server.state.items[0].id))
    assert library.article(article_for(library, server.state.items[1].id)).read
    alpha = next(iter(server.state.feeds.values()))
    late, undated, fresh = server.state.crawl(alpha, 3)
    late.published = 1546300800  # 2019, stored on the server today
    undated.published = None  # type: ignore[assignment]
    requests = len(server.state.requests)
    assert library.refresh_sync().new == 3
    assert len(articles(library)) == 11
    assert library.article(article_for(library, late.id)).published == 1546300800
    fetches = [r for r in server.state.requests[requests:] if "items/contents" in r]
    assert len(fetches) == 1  # the three new ones only, in one call
    assert library.refresh_sync().new == 0
    assert len(articles(library)) == 11


def test_saved_and_read_restored_from_an_export_reach_the_server(
    library: Library, server: GReaderServer, tmp_path: Path
) -> None:
    """import-library into a synced library: the restored saved and read marks are
    changes made here, sent to the server, not undone by its state at the next sync."""
    from reader.core.export import export_articles, import_library

    library.refresh_sync()
    item = server.state.items[2]
    article = article_for(library, item.id)
    library.save_articles([article])
    library.mark_read([article])
    export_articles(library, [article], tmp_path / "out", ["json"])
    library.save_articles([article], saved=False)
    library.mark_read([article], read=False)
    library.refresh_sync()
    assert not item.starred and not item.read
    import_library(library, tmp_path / "out")
    assert pending(library) == 2
    server.state.items[0].starred = not server.state.items[0].starred  # any change there
    library.refresh_sync()
    assert item.starred and item.read
    assert library.is_saved(article) and library.article(article).read


def test_credentials_file_is_readable_by_its_owner_only(library: Library) -> None:
    mode = (library.data_dir / accounts.SECRETS_FILE).stat().st_mode & 0o777
    assert mode == 0o600


def test_starred_articles_are_never_pruned(library: Library, server: GReaderServer) -> None:
    library.refresh_sync()
    for item in server.state.items:
        item.read = True
    library.refresh_sync()
    later = time.time() + 400 * 86400
    library.prune(older_than_days=1, now=later)
    kept = articles(library)
    assert kept == [article_for(library, server.state.items[0].id)]  # the starred one


# -- kill -9 ------------------------------------------------------------------------

KILLS = 20


def test_killed_syncs_lose_no_queued_change_and_duplicate_no_article(
    tmp_path: Path, server: GReaderServer
) -> None:
    state = server.state
    state.max_page = 10
    alpha = next(iter(state.feeds.values()))
    state.crawl(alpha, 200, content_words=120, at=time.time() - 1800)
    with open_library(tmp_path) as library:
        account = accounts.Account("greader", server.url, "alice", "test-api-pass")
        accounts.add(library.db.connection(), library.data_dir, account)
        library.refresh_sync()
    env = {
        **os.environ,
        "BROADSHEET_DATA_DIR": str(tmp_path / "data"),
        "BROADSHEET_CONFIG_DIR": str(tmp_path / "config"),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # 20 start-ups: compile the sources once
    command = [sys.executable, "-m", "reader", "refresh", "--quiet"]
    rng = random.Random(16)
    marked: list[int] = []
    interrupted = 0
    for _ in range(KILLS):
        state.crawl(alpha, 30, content_words=120)
        with open_library(tmp_path) as library:
            unread = library.article_ids(ArticleQuery(unread_only=True))
            chosen = rng.choice(unread)
            library.mark_read([chosen])
            marked.append(int(remote_ids(library)[chosen].rsplit("/", 1)[1], 16))
        # Killed after a random number of its requests reached the server (and a few
        # milliseconds more): in a push, between pages, while storing, reconciling.
        seen = len(state.requests)
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wanted = seen + rng.randint(1, 9)
        deadline = time.monotonic() + 10
        while len(state.requests) < wanted and process.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.03))
        interrupted += process.poll() is None  # still running: killed mid-sync
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert interrupted >= KILLS - 1, f"only {interrupted} of {KILLS} syncs killed while running"
    with open_library(tmp_path) as library:
        library.refresh_sync()
        assert pending(library) == 0
        assert all(state.item(number).read for number in marked)
        assert len(articles(library)) == len(state.items)
        links = library.db.connection().execute("SELECT count(DISTINCT link) FROM articles")
        assert links.fetchone()[0] == len(state.items)


# -- the command line -------------------------------------------------------------


def test_account_commands(
    tmp_path: Path, server: GReaderServer, capsys: pytest.CaptureFixture[str]
) -> None:
    from reader.cli import main

    where = ["--data-dir", str(tmp_path / "data"), "--config-dir", str(tmp_path / "config")]
    with open_library(tmp_path) as library:  # a local library with one feed of its own
        library.add_feed(f"http://127.0.0.1:{server.port}/feeds/local.xml", tags=["Mine"])
    secret = tmp_path / "password"
    secret.write_text("wrong\n")
    add = [*where, "account", "add", "greader", server.url, "--user", "alice"]
    assert main([*add, "--password-file", str(secret)]) == 1
    assert "login refused" in capsys.readouterr().err
    secret.write_text("test-api-pass\n")
    assert main([*add, "--password-file", str(secret), "--push-local"]) == 0
    out = capsys.readouterr().out
    assert "1 local feed(s) will be subscribed" in out and "test-api-pass" not in out
    assert main([*where, "refresh", "--quiet"]) == 0
    assert server.state.feed_by_url(f"http://127.0.0.1:{server.port}/feeds/local.xml")
    assert main([*where, "account", "show"]) == 0
    shown = capsys.readouterr().out
    assert "greader" in shown and "alice" in shown and "0 change(s)" in shown
    assert "never" not in shown and "test-api-pass" not in shown
    assert main([*where, "account", "remove"]) == 0
    assert main([*where, "account", "show"]) == 0
    assert "no account" in capsys.readouterr().out
    with open_library(tmp_path) as library:
        assert len(library.feeds()) == 3 and len(articles(library)) == 8


def test_account_remove_waits_for_a_running_sync(
    tmp_path: Path, server: GReaderServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Removed mid-sync, the sync would write its links and marks back after the
    removal: a later account (another server) would take them as its own."""
    from reader.cli import main

    where = ["--data-dir", str(tmp_path / "data"), "--config-dir", str(tmp_path / "config")]
    with open_library(tmp_path) as library:
        account = accounts.Account("greader", server.url, "alice", "test-api-pass")
        accounts.add(library.db.connection(), library.data_dir, account)
        running = library.refresh_lock()
        running.acquire()  # a sync (the reader's, another terminal's) is running
        try:
            assert main([*where, "account", "remove"]) == 1
            assert "running" in capsys.readouterr().err
            assert accounts.status(library.db.connection()) is not None
        finally:
            running.release()
    assert main([*where, "account", "remove"]) == 0


def test_an_account_added_over_a_removed_ones_leftovers_starts_afresh(
    tmp_path: Path, server: GReaderServer
) -> None:
    """A library where a sync outlived its account's removal (before removal waited for
    it) kept that server's mark and links: the next account must not inherit them."""
    with open_library(tmp_path) as library:
        db = library.db.connection()
        _sync.set_state(db, {"high_water": repr(time.time() + 86400)})
        mine = library.add_feed(f"http://127.0.0.1:{server.port}/feeds/mine.xml")
        db.execute(  # the old server's feed/2 is not this one's "Beta News"
            "INSERT INTO sync_feeds (feed_id, remote_id, folders) VALUES (?, 'feed/2', '[]')",
            (mine.id,),
        )
        account = accounts.Account("greader", server.url, "alice", "test-api-pass")
        accounts.add(db, library.data_dir, account)
        library.refresh_sync()
        assert len(articles(library)) == 8  # a first sync, not one "since" the old mark
        assert library.feed(mine.id).title != "Beta News"


def test_password_from_a_command_or_a_file_never_from_the_command_line(tmp_path: Path) -> None:
    import argparse

    from reader.cli_account import read_password

    def args(**given: str | None) -> argparse.Namespace:
        defaults = {"password_file": None, "password_command": None, "user": "a", "url": "u"}
        return argparse.Namespace(**{**defaults, **given})

    assert read_password(args(password_command="printf 'from-cmd\\nsecond line'")) == "from-cmd"
    secret = tmp_path / "secret"
    secret.write_text("from-file\n")
    assert read_password(args(password_file=str(secret))) == "from-file"
    with pytest.raises(BroadsheetError, match="failed"):
        read_password(args(password_command="sh -c 'exit 3'"))
    with pytest.raises(SystemExit):  # no --password option exists
        from reader.cli import build_parser

        build_parser().parse_args(
            ["account", "add", "greader", "u", "--user", "a", "--password", "x"]
        )


def test_no_password_and_no_terminal_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    """From a script or cron (no terminal, stdin at its end) without --password-file."""
    where = ["--data-dir", str(tmp_path / "data"), "--config-dir", str(tmp_path / "config")]
    command = [sys.executable, "-m", "reader", *where, "account", "add", "greader"]
    done = subprocess.run(
        [*command, "http://127.0.0.1:9/", "--user", "alice"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        start_new_session=True,  # no controlling terminal to prompt on
        timeout=60,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "--password-file" in done.stderr.strip().splitlines()[-1]


def test_an_old_item_starred_on_the_server_is_fetched_and_saved(
    library: Library, server: GReaderServer
) -> None:
    library.refresh_sync()
    alpha = next(iter(server.state.feeds.values()))
    # Crawled (by id) just after the fixture's items, an hour ago: before the sync's mark.
    (old,) = server.state.crawl(alpha, 1, at=time.time() - 7200)
    library.refresh_sync()
    assert len(articles(library)) == 8  # an incremental sync does not list it
    old.starred = True
    library.refresh_sync()
    assert library.is_saved(article_for(library, old.id))


# -- the first sync of a large server ---------------------------------------------------


def test_the_first_sync_takes_the_newest_items_and_every_starred_one(
    tmp_path: Path, server: GReaderServer
) -> None:
    state = server.state
    state.max_page = 4  # the cap holds across pages
    feed = state.add_feed(f"http://127.0.0.1:{server.port}/feeds/big.xml", "Big Archive")
    state.crawl(feed, 40, at=time.time() - 1800)  # newer than the fixture's 8
    old_starred = state.items[-2]  # among the oldest: beyond the cap
    old_starred.starred = True
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text("[sync]\ninitial_items = 10\n")
    with open_library(tmp_path) as library:
        assert library.config.problems == []
        account = accounts.Account("greader", server.url, "alice", "test-api-pass")
        accounts.add(library.db.connection(), library.data_dir, account)
        library.refresh_sync()
        held = set(remote_ids(library).values())
        newest = {long_item_id(item.id) for item in state.items[:10]}
        assert newest <= held
        starred = {long_item_id(item.id) for item in state.items if item.starred}
        assert starred <= held  # the fixture's starred item and the old one
        assert len(held) == len(newest | starred)
        state.crawl(feed, 15)  # later syncs take everything new, whatever the cap
        library.refresh_sync()
        assert len(remote_ids(library)) == len(held) + 15


def test_by_default_the_first_sync_takes_1000_items_and_0_takes_everything(
    tmp_path: Path, server: GReaderServer
) -> None:
    feed = server.state.add_feed(f"http://127.0.0.1:{server.port}/feeds/big.xml", "Big")
    server.state.crawl(feed, 1200, content_words=5, at=time.time() - 1800)
    for name, setting, expected in (("default", "", 1001), ("all", "initial_items = 0", 1208)):
        config = tmp_path / name / "config"
        config.mkdir(parents=True)
        (config / "config.toml").write_text(f"[sync]\n{setting}\n")
        with open_library(tmp_path / name) as library:
            account = accounts.Account("greader", server.url, "alice", "test-api-pass")
            accounts.add(library.db.connection(), library.data_dir, account)
            library.sync()
            # 1000 newest and the fixture's old starred item; or all the server keeps
            assert len(remote_ids(library)) == expected, name
