"""Shared fixtures. Others may append their fixtures below this one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from loopback import LoopbackServer


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    """A fresh HTTP server on 127.0.0.1 per test (function-scoped: no state leaks
    between tests; starting one takes about a millisecond)."""
    server = LoopbackServer().start()
    try:
        yield server
    finally:
        server.stop()
