"""Cleaning what a refresh stored, in a process of its own.

Cleaning is Python work (lxml, regular expressions): in a thread of the
terminal app it would share one interpreter with the UI, and a batch makes
keys wait tens of milliseconds. :class:`BackgroundCleaner` runs
:meth:`Library.clean_pending` in a child process instead (``forkserver``, or
``spawn`` where that is missing), at a lower priority, with its own SQLite
connection: SQLite's WAL lets the UI read while it writes, one short
transaction per batch.

The child reports each batch's count through a pipe; the caller polls
:meth:`BackgroundCleaner.poll` (cheap, never blocks) to learn progress and
the end. Nothing here knows about the UI or the command line.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

from reader.core._process import ensure_process_helpers

if TYPE_CHECKING:
    from multiprocessing.context import ForkServerContext, SpawnContext  # not on Windows
    from multiprocessing.process import BaseProcess

    from reader.core.config import Config

# Articles per batch: one write transaction each, and one progress message.
BATCH = 200
# How much nicer than its parent the cleaning process runs (where the OS allows).
NICENESS = 10


def _context() -> ForkServerContext | SpawnContext:
    """forkserver: children fork from a small server, not from the (threaded) app."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


def clean_pending_until_done(
    data_dir: str, config: Config, batch: int, niceness: int, progress: Connection
) -> None:
    """The child process: clean in batches until nothing is pending.

    Sends the count of each batch (the last one is 0, or a batch smaller than
    ``batch``), then ``None`` when done; an error is sent as its one-line text.
    """
    from reader.core.export import enable_auto_export
    from reader.core.library import Library

    if niceness:
        with contextlib.suppress(AttributeError, OSError):
            os.nice(niceness)
    try:
        # Re-anchored highlights change saved articles: keep the auto-export folder too.
        library = enable_auto_export(Library(Path(data_dir), config))
        try:
            total = 0
            while True:
                cleaned = library.clean_pending(limit=batch)
                total += cleaned
                progress.send(cleaned)
                if cleaned < batch:
                    break
            if total:
                library.tidy_search_index()
        finally:
            library.close()
    except Exception as error:  # noqa: BLE001 - reported to the parent, which logs it
        progress.send(f"{error.__class__.__name__}: {error}")
    else:
        progress.send(None)
    finally:
        progress.close()


@dataclass
class CleanerStatus:
    """What :meth:`BackgroundCleaner.poll` learnt since the last call."""

    batches: list[int] = field(default_factory=list)  # articles cleaned, per batch
    finished: bool = False  # the child has ended (cleanly or not)
    error: str | None = None  # why it stopped early, if it did

    @property
    def cleaned(self) -> int:
        return sum(self.batches)


class BackgroundCleaner:
    """At most one cleaning process for a library directory at a time."""

    def __init__(
        self, data_dir: Path, config: Config, *, batch: int = BATCH, niceness: int = NICENESS
    ) -> None:
        self.data_dir = data_dir
        self.config = config
        self.batch = batch
        self.niceness = niceness
        self._process: BaseProcess | None = None
        self._progress: Connection | None = None

    @property
    def running(self) -> bool:
        return self._process is not None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> bool:
        """Start a cleaning process unless one is running; True if it started."""
        if self._process is not None:
            return False
        ensure_process_helpers()
        context = _context()
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(
            target=clean_pending_until_done,
            args=(str(self.data_dir), self.config, self.batch, self.niceness, sender),
            name="broadsheet-clean",
            daemon=True,
        )
        try:
            process.start()
        except BaseException:
            receiver.close()
            raise
        finally:
            sender.close()  # the child holds its own end: EOF here once it exits
        self._process, self._progress = process, receiver
        return True

    def poll(self) -> CleanerStatus:
        """Progress since the last poll, without waiting; reaps the child at its end."""
        status = CleanerStatus()
        process, progress = self._process, self._progress
        if process is None or progress is None:
            return status
        alive = process.is_alive()  # before reading: all a dead child said is in the pipe
        try:
            while progress.poll():
                message = progress.recv()
                if isinstance(message, int):
                    status.batches.append(message)
                elif isinstance(message, str):
                    status.error = message
        except (EOFError, OSError):  # the child has gone: its end of the pipe closed
            status.finished = True
        if not alive:
            status.finished = True
        if status.finished:
            process.join(timeout=1)
            if process.exitcode not in (0, None) and status.error is None:
                status.error = f"the cleaning process exited with code {process.exitcode}"
            progress.close()
            self._process = self._progress = None
        return status

    def stop(self) -> None:
        """End the child now (a batch in progress is rolled back by SQLite)."""
        process, progress = self._process, self._progress
        self._process = self._progress = None
        if process is not None:
            if process.is_alive():
                process.terminate()
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
        if progress is not None:
            progress.close()
