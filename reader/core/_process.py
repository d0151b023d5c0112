"""Process starts from any host program (a terminal UI swaps ``sys.stderr``)."""

from __future__ import annotations

import sys
import threading

_STDERR_LOCK = threading.Lock()


def ensure_process_helpers() -> None:
    """Start multiprocessing's resource tracker, once, so child processes can start
    from inside a terminal UI.

    The tracker is started on first use and inherits the descriptor of
    ``sys.stderr``; Textual replaces ``sys.stderr`` while an app runs with an
    object whose ``fileno()`` is -1, and then every process start (this
    module's, and a :class:`~concurrent.futures.ProcessPoolExecutor`'s) fails
    with "bad value(s) in fds_to_keep". The real stderr is lent for the moment
    the tracker takes to start (a fork and exec; nothing waits for it).
    """
    from multiprocessing import resource_tracker

    if _has_descriptor(sys.stderr) or not _has_descriptor(sys.__stderr__):
        resource_tracker.ensure_running()
        return
    with _STDERR_LOCK:
        captured, sys.stderr = sys.stderr, sys.__stderr__
        try:
            resource_tracker.ensure_running()
        finally:
            sys.stderr = captured


def _has_descriptor(stream: object) -> bool:
    try:
        return stream is not None and stream.fileno() >= 0  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return False
