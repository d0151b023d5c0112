"""``broadsheet refresh`` with an account, as a person runs it: a sync that finds
nothing new asks the server the least it can and starts only what it needs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.core.library import Library
from reader.core.sync import accounts

sys.path.insert(0, str(Path(__file__).parent))
from greader_server import GReaderServer, GReaderState  # noqa: E402

# What a sync that finds nothing new never needs: the feed fetcher and parsers, the
# cleaner, the event loop, httpx, the platform's directories (given here), exports.
NOT_NEEDED = (
    "asyncio",
    "httpx",
    "httpcore",
    "feedparser",
    "lxml",
    "platformdirs",
    "reader.core._fetch",
    "reader.core._parse",
    "reader.core._refresh.pipeline",
    "reader.core._refresh.prepare",  # the row builder: only for items that came
    "reader.core.cleaner",
    "reader.core.export",
    "multiprocessing",
    "shutil",  # argparse's help formatter would import it, with lzma and bz2
)


@pytest.fixture
def server() -> Iterator[GReaderServer]:
    state = GReaderState()
    with GReaderServer(state) as running:
        feed = state.add_feed(f"http://127.0.0.1:{running.port}/feeds/a.xml", "Alpha", "Tech")
        state.crawl(feed, 30, at=time.time() - 3600)
        state.items[0].starred = True
        yield running


@pytest.fixture
def env(tmp_path: Path, server: GReaderServer) -> dict[str, str]:
    data, config = tmp_path / "data", tmp_path / "config"
    with Library.open(data, config_dir_path=config, samples=False) as library:
        account = accounts.Account("greader", server.url, "alice", "test-api-pass")
        accounts.add(library.db.connection(), library.data_dir, account)
    return {**os.environ, "BROADSHEET_DATA_DIR": str(data), "BROADSHEET_CONFIG_DIR": str(config)}


def refresh(env: dict[str, str]) -> set[str]:
    """``broadsheet refresh`` in its own process; returns the modules it imported."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "reader", "refresh"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    return {line.rsplit("|", 1)[1].strip() for line in lines[1:]}  # after the header


def test_a_sync_with_nothing_new_imports_only_what_it_needs(
    env: dict[str, str], server: GReaderServer
) -> None:
    refresh(env)  # the first sync: stores and cleans 30 items
    loaded = refresh(env)
    assert not [name for name in NOT_NEEDED if name in loaded]
    assert "reader.core.sync.greader" in loaded  # it did sync


def test_a_sync_with_nothing_new_sends_one_request_per_list(
    env: dict[str, str], server: GReaderServer
) -> None:
    refresh(env)
    server.state.requests.clear()
    refresh(env)
    # Logged in with the kept token: no login, no write token; subscriptions, the
    # items crawled since the last sync, the unread ids, the starred ids.
    assert [request.split("/reader/api/0/")[-1] for request in server.state.requests] == [
        "subscription/list",
        "stream/contents/user/-/state/com.google/reading-list",
        "stream/items/ids",
        "stream/items/ids",
    ]


def test_only_the_named_command_gets_a_parser_and_a_typo_lists_them_all() -> None:
    import argparse

    from reader.cli import build_parser

    def commands(parser: argparse.ArgumentParser) -> set[str]:
        subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        return set(subparsers.choices)

    assert commands(build_parser(["--data-dir", "/x", "refresh", "--quiet"])) == {"refresh"}
    everything = commands(build_parser())
    assert {"refresh", "feeds", "account", "search"} <= everything
    assert commands(build_parser(["refrsh"])) == everything  # the error lists them all
    assert commands(build_parser(["--help"])) == everything
