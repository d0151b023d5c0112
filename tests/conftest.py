"""Shared fixtures. Others may append their fixtures below this one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from loopback import LoopbackServer
from ttrss_server import ttrss  # noqa: F401 - the session's real TT-RSS (see ttrss_server.py)

from reader.core import Library


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    """A fresh HTTP server on 127.0.0.1 per test (function-scoped: no state leaks
    between tests; starting one takes about a millisecond)."""
    server = LoopbackServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    """An empty library (no sample feeds) in its own data and config dirs."""
    lib = Library.open(tmp_path / "data", config_dir_path=tmp_path / "config", samples=False)
    try:
        yield lib
    finally:
        lib.close()
