"""The feedparser corpus (~2,100 feeds, ~1,160 articles) in ONE Textual app
instance over the real library: every sidebar row is drawn, every article is
opened in the reading view through the app's own actions (list cursor, then
"open"), and every drawn segment — the whole screen, and every typeset line of
every article through the reading view's own ``render_line`` — is checked for
C0/C1 controls and ESC. No exception, the app keeps running.

The library is the session fixture ``corpus_library`` (shared with
``test_corpus.py``; it skips when the corpus is absent), copied, so what this
test changes (read, saved) changes nothing there.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.strip import Strip
from textual.worker import Worker, WorkerCancelled, WorkerState

from reader.core.library import ArticleQuery
from reader.core.opener import OpenResult
from reader.ui.app import BroadsheetApp
from reader.ui.widgets.sidebar import SAVED_ID

from .conftest import CorpusLibrary, open_library, unsafe_characters

SIZE = (120, 36)


class RefusingOpener:
    """Never launches anything (nothing here should try)."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def open(self, url: str) -> OpenResult:
        self.asked.append(url)
        return OpenResult(url, launched=False, allowed=False, reason="tests open nothing")


def _bad_segments(strips: Iterable[Strip], where: str) -> list[str]:
    """Every segment whose text holds a C0 (even tab or newline: a segment is
    one screen line), DEL, C1 or ESC, described for the failure message."""
    bad = []
    for number, strip in enumerate(strips):
        for segment in strip:
            text = segment.text
            if unsafe_characters(text) or "\n" in text or "\t" in text:
                bad.append(f"{where} line {number}: {text[:80]!r} {unsafe_characters(text)}")
    return bad


async def _workers_done(app: App[None]) -> None:
    """Wait for every worker (a cancelled one, as exclusive groups do, counts as done)."""
    for _ in range(100):
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            continue


async def _settle(pilot: Pilot[None]) -> None:
    await _workers_done(pilot.app)
    await pilot.pause()


async def _until(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    """Poll the event loop until ``condition()``: faster than waiting for idle."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        await asyncio.sleep(0.001)


async def test_corpus_in_one_app_instance(tmp_path: Path, corpus_library: CorpusLibrary) -> None:
    started = time.perf_counter()
    cpu_started = time.process_time()
    library = open_library(corpus_library.copy_to(tmp_path))
    # Every article read and saved first: the Saved view then lists them all, and
    # opening one does not mark it read, which rebuilds the ~2,100-row sidebar
    # (about 0.25 s each time: too slow to do 1,160 times here).
    ids = library.article_ids(ArticleQuery())
    library.mark_read(ids)
    for article_id in ids:
        library.set_saved(article_id, True)
    opener = RefusingOpener()
    app = BroadsheetApp(library, opener=opener, watch_interval=0, refresh_on_start=False)
    problems: list[str] = []
    opened: list[int] = []
    lines_drawn = 0
    # Workers run with exit_on_error=False and the screen turns library errors into
    # notifications: record both, so a swallowed exception still fails the test.
    failures: list[str] = []
    finished = app.workers._remove_worker

    def worker_done(worker: Worker[object]) -> None:
        if worker.state == WorkerState.ERROR:
            failures.append(f"worker {worker.name}: {worker.error!r}")
        finished(worker)

    app.workers._remove_worker = worker_done  # type: ignore[method-assign]
    notify = app.notify

    def record_notify(message: str, *args: object, **kwargs: object) -> None:
        if kwargs.get("severity") == "error":
            failures.append(f"error shown: {message}")
        notify(message, *args, **kwargs)  # type: ignore[arg-type]

    app.notify = record_notify  # type: ignore[method-assign]
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await _settle(pilot)
            main = app.main_screen
            sidebar, articles, reader = main.sidebar, main.articles, main.reader

            # Every sidebar row (one per feed: ~2,100 titles) drawn on screen.
            assert sidebar.option_count > 2000
            page = max(1, sidebar.scrollable_content_region.height - 1)
            for top in range(0, sidebar.option_count + page, page):
                sidebar.scroll_to(y=top, animate=False, immediate=True)
                await pilot.pause()
                problems += _bad_segments(
                    app.screen._compositor.render_strips(), f"sidebar at {top}"
                )
            sidebar.select_id(SAVED_ID)
            await _settle(pilot)
            await _settle(pilot)
            total = articles.row_count
            assert total == len(ids) > 1000
            # Key x: the reading view shows what the cleaner removed as well (struck
            # through), so every block of every article is drawn, kept or not.
            reader.action_toggle_removed()
            assert reader.show_removed

            # Every article: the list cursor onto it, opened as Enter does, drawn.
            for row in range(total):
                articles.move_to(row)
                for _ in range(100):  # the row's page may still be loading
                    if articles.current is not None:
                        break
                    await _settle(pilot)
                summary = articles.current
                assert summary is not None, row
                articles.action_open()
                wanted = summary.id
                await _until(
                    lambda: reader.article is not None and reader.article.id == wanted,  # noqa: B023 - awaited here
                    f"row {row} ({summary.title[:60]!r}) to open",
                )
                await _workers_done(app)
                article = reader.article
                assert article is not None
                opened.append(article.id)
                where = f"article {article.id} ({article.key[:60]!r})"
                layout = reader.layout_
                assert layout is not None
                offset = round(reader.scroll_offset.y)
                lines_drawn += len(layout.lines)
                problems += _bad_segments(
                    (reader.render_line(y - offset) for y in range(len(layout.lines))),
                    f"{where}, reading view",
                )
                list_y = articles.cursor - round(articles.scroll_offset.y)
                problems += _bad_segments([articles.render_line(list_y)], f"{where}, list row")
                if row % 25 == 0 or row == total - 1:  # the whole screen, now and then
                    await pilot.pause()
                    assert app.focused is reader, row
                    problems += _bad_segments(app.screen._compositor.render_strips(), where)
                assert not problems, problems[:10]
                assert not failures, failures[:10]
            assert app.is_running
            assert app.return_code is None
    finally:
        app.gateway.shutdown()
        library.close()
    assert not problems, problems[:10]
    assert not failures, failures[:10]
    assert sorted(opened) == sorted(ids)
    assert lines_drawn > 5 * total  # title, meta, link, rule and a body for each
    assert opener.asked == []
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    print(
        f"\nUI corpus: {total} articles, {lines_drawn} lines drawn, {elapsed:.1f} s ({cpu:.1f} s CPU)"
    )
    # CPU time, not wall time: other processes on a busy machine must not fail it.
    assert cpu < 120


def test_the_segment_check_finds_controls() -> None:
    """The check above is not vacuous: ESC, C1, other C0 and a newline are found."""
    from rich.segment import Segment

    for text in ("a\x1b[2Jb", "a\x9bb", "a\x07b", "a\nb", "a\x7fb"):
        assert _bad_segments([Strip([Segment("ok "), Segment(text)])], "test"), text
    assert _bad_segments([Strip([Segment("plain text, [/] and ‹›")])], "test") == []
