"""Show removed (x) on the seed-shaped sample story, cleaned by the real cleaner: the
appeal it carried at the top comes back exactly where it stood, dimmed and marked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.core import Library

from .conftest import SIZE, settle
from .test_annotations_ui import open_library, reader_of, seed_story_id, start


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    opened = open_library(tmp_path)
    opened.refresh_sync(None)  # the sample feeds, from local files
    yield opened
    opened.close()


async def test_show_removed_puts_the_appeal_back_in_place(library: Library) -> None:
    story = seed_story_id(library)
    article = library.article(story)
    removed = [removal.text for removal in article.removed]
    assert any("consider chipping in" in text for text in removed)
    assert all(removal.position == 0 for removal in article.removed)  # all before the story
    app = start(library)
    try:
        async with app.run_test(size=(SIZE[0], 60), notifications=True) as pilot:
            await settle(pilot)
            app.main_screen.open_article(story, focus=True)
            await settle(pilot)
            view = reader_of(app)
            assert view.layout_ is not None
            hidden = [line.content.plain for line in view.layout_.lines]
            assert not any("✂" in line for line in hidden)
            assert f"{len(removed)} passages removed (x shows them)" in hidden

            await pilot.press("x")
            await settle(pilot)
            lines = [line.content.plain for line in view.layout_.lines]
            rule = next(i for i, line in enumerate(lines) if line.startswith("─"))
            first = next(i for i, line in enumerate(lines) if line.startswith("Karvia announced"))
            marked = [i for i, line in enumerate(lines) if line.startswith("✂ ")]
            # Every removed passage, each marked, in order, between the title block and
            # the story's first paragraph; the story's own lines are untouched.
            assert len(marked) == len(removed) and rule < min(marked) and max(marked) < first
            shown = " ".join(" ".join(lines[rule + 1 : first]).replace("✂", "").split())
            assert shown == " ".join(" ".join(removed).split())
            assert not any("✂" in line for line in lines[first:])
            assert article.text.startswith(lines[first])

            # On screen they are drawn in the removed style (dimmed colour, struck out).
            dim = view.get_component_rich_style("reading--removed")
            assert dim.color is not None and dim.strike
            body = view.get_component_rich_style("reading--title")
            assert dim.color != body.color
            for y in range(view.size.height):
                strip = view.render_line(y)
                text = "".join(segment.text for segment in strip)
                if "chipping" in text:
                    styled = [s for s in strip if "chipping" in s.text]
                    assert styled and all(
                        s.style is not None and s.style.color == dim.color and s.style.strike
                        for s in styled
                    )
                    break
            else:
                raise AssertionError("the appeal is not on screen")
    finally:
        app.gateway.shutdown()
