"""Snapshots: the reading view with highlights and notes, and the annotations screen.

A real library of the bundled sample feeds (no network), annotated through
the library with a fixed clock; TZ=UTC (conftest), a fixed terminal size,
workers awaited before the shot; no temporary paths are on screen.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from reader.core import Library, _storage
from reader.core.annotations import Annotations
from reader.ui.motions import sentence_spans

from .conftest import SIZE, settle
from .test_annotations_ui import open_library, reader_of, seed_story_id, start

Compare = Callable[..., bool]
FIXED_NOW = 1_780_000_000.0  # 2026-05-28, after the sample stories


@pytest.fixture
def annotated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Library, int]]:
    library = open_library(tmp_path)
    asyncio.run(library.refresh(None))
    story = seed_story_id(library)
    text = library.article(story).text
    sentences = sentence_spans(text)
    stamps = itertools.count(FIXED_NOW, 60.0)  # one minute apart, every call
    monkeypatch.setattr(_storage, "now", lambda: next(stamps))
    annotations = Annotations(library)
    annotations.highlight(story, *sentences[0])
    annotations.highlight(story, *sentences[2], note="Why now?\nFour years is a long freeze.")
    annotations.set_article_note(story, "Compare with the talks of 2019.")
    yield library, story
    library.close()


def shoot(
    snap_compare: Compare, library: Library, run_before: Callable[[Pilot], Awaitable[None]]
) -> bool:
    app = start(library)
    try:
        return snap_compare(app, terminal_size=SIZE, run_before=run_before)
    finally:
        app.gateway.shutdown()


def test_reading_view_with_highlights_and_notes(
    snap_compare: Compare, annotated: tuple[Library, int]
) -> None:
    library, story = annotated

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        pilot.app.main_screen.open_article(story, focus=True)  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("z")  # notes inline
        await settle(pilot)
        assert reader_of(pilot.app).notes_open  # type: ignore[arg-type]

    assert shoot(snap_compare, library, run_before)


def test_annotations_screen(snap_compare: Compare, annotated: tuple[Library, int]) -> None:
    library, _ = annotated

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("H")
        await settle(pilot)

    assert shoot(snap_compare, library, run_before)
