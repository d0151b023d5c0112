"""The typesetter's wrap map: every canonical character shown maps back exactly."""

from __future__ import annotations

import pytest

from reader.core.cleaner import clean
from reader.core.models import Article, Block, LinkSpan, Removal
from reader.ui.typeset import typeset

from .fakes import make_article, make_feed, sample_story

FEED = make_feed(1, "World News")


def shown_offsets(layout_lines: list, text: str) -> list[int]:
    offsets: list[int] = []
    for line in layout_lines:
        plain = line.content.plain
        for run in line.runs:
            assert (
                plain[run.index : run.index + run.length]
                == text[run.offset : run.offset + run.length]
            )
            offsets.extend(range(run.offset, run.offset + run.length))
    return offsets


@pytest.mark.parametrize("width", [20, 33, 47, 80, 120])
def test_every_non_space_character_is_shown_once_in_order(width: int) -> None:
    article = sample_story(FEED)
    layout = typeset(article, width)
    offsets = shown_offsets(layout.lines, article.text)
    assert offsets == sorted(offsets)
    assert len(offsets) == len(set(offsets))
    hidden = set(range(len(article.text))) - set(offsets)
    assert all(article.text[offset].isspace() for offset in hidden)


@pytest.mark.parametrize("width", [20, 47, 80])
def test_lines_fit_the_width(width: int) -> None:
    layout = typeset(sample_story(FEED), width)
    assert all(line.content.cell_length <= width for line in layout.lines)


def test_link_markers_are_not_canonical_text() -> None:
    article = sample_story(FEED)
    layout = typeset(article, 80)
    line = next(line for line in layout.lines if "council[1]" in line.content.plain)
    marker = line.content.plain.index("[1]")
    assert line.offset_at_index(marker) is None
    assert line.offset_at_index(marker - 1) == article.text.index("council") + len("council") - 1
    assert layout.links[0] == "https://city.example/council"
    assert layout.links[-1] == "https://city.example/plan.pdf"  # enclosures follow inline links


def test_offsets_survive_rewrapping() -> None:
    article = sample_story(FEED)
    target = article.text.index("temporary footbridge")
    for width in (24, 50, 90):
        layout = typeset(article, width)
        line = layout.lines[layout.line_of_offset(target)]
        index = line.index_of_offset(target)
        assert index is not None
        assert line.content.plain[index:].startswith("temporary")


def test_offset_of_line_and_line_of_offset_agree() -> None:
    layout = typeset(sample_story(FEED), 30)
    for index, line in enumerate(layout.lines):
        if line.first_offset is not None:
            assert layout.offset_of_line(index) == line.first_offset
            assert layout.line_of_offset(line.first_offset) == index


def test_column_mapping_counts_wide_characters() -> None:
    article = make_article(1, FEED, "t", blocks=[Block("paragraph", "日本語 text")])
    layout = typeset(article, 40)
    line = next(line for line in layout.lines if line.runs)
    assert line.offset_at_column(0) == 0
    assert line.offset_at_column(1) == 0  # second cell of the first wide character
    assert line.offset_at_column(2) == 1
    assert line.offset_at_column(7) == 4  # the "t" after "日本語 "


def test_overlong_words_are_split_and_preformatted_text_keeps_its_spaces() -> None:
    blocks = [
        Block("paragraph", "x" * 50),
        Block("preformatted", "    indented code"),
    ]
    article = make_article(1, FEED, "t", blocks=blocks)
    layout = typeset(article, 20)
    plain = [line.content.plain for line in layout.lines]
    assert "x" * 20 in plain
    assert "    indented code" in plain
    shown_offsets(layout.lines, article.text)


def test_removed_passages_appear_only_when_asked() -> None:
    blocks = [Block("paragraph", "Keep this. And this.")]
    removed = [
        Removal(0, 10, 27, " Donate today!", "appeal"),
        Removal(1, 0, 9, "Promo box", "promo"),
    ]
    article = make_article(1, FEED, "t", blocks=blocks, removed=removed)
    hidden = "\n".join(line.content.plain for line in typeset(article, 60).lines)
    shown_layout = typeset(article, 60, show_removed=True)
    shown = "\n".join(line.content.plain for line in shown_layout.lines)
    assert "Donate" not in hidden and "2 passages removed" in hidden
    assert "Keep this. ✂ Donate today! And this." in shown
    assert "✂ Promo box" in shown
    shown_offsets(shown_layout.lines, article.text)


def test_invalid_links_are_ignored() -> None:
    blocks = [Block("paragraph", "short", links=(LinkSpan(3, 99, "https://x.example"),))]
    layout = typeset(make_article(1, FEED, "t", blocks=blocks), 40)
    assert layout.links == []


def cleaned_article(html: str) -> Article:
    """An article as the real cleaner leaves it: blocks, removals and their positions."""
    cleaned = clean(html, content_type="html")
    article = make_article(1, FEED, "t", blocks=cleaned.blocks, removed=cleaned.removed)
    assert article.text == cleaned.text
    assert cleaned.removed and all(removal.position >= 0 for removal in cleaned.removed)
    return article


def body_lines(article: Article, width: int = 200) -> list[str]:
    """The lines after the title block's rule, with removals shown."""
    lines = [line.content.plain for line in typeset(article, width, show_removed=True).lines]
    rule = next(i for i, line in enumerate(lines) if line.startswith("─"))
    return [line for line in lines[rule + 1 :] if line]


def test_a_removal_inside_a_paragraph_is_shown_exactly_where_it_stood() -> None:
    article = cleaned_article(
        "<p>The council met on Tuesday to vote on the harbour plan. Read more "
        "The vote passed by nine to four after a long debate.</p><p>Work starts in spring.</p>"
    )
    assert body_lines(article) == [
        "The council met on Tuesday to vote on the harbour plan. ✂ Read more The vote passed "
        "by nine to four after a long debate.",
        "Work starts in spring.",
    ]


def test_a_removal_at_a_paragraph_end_stays_in_that_paragraph() -> None:
    article = cleaned_article(
        "<p>The council met on Tuesday to vote on the harbour plan. The vote passed by nine "
        "to four. Share this story</p><p>Work starts in spring.</p>"
    )
    assert body_lines(article) == [
        "The council met on Tuesday to vote on the harbour plan. The vote passed by nine to "
        "four. ✂ Share this story",
        "Work starts in spring.",
    ]


def test_a_removed_paragraph_is_shown_between_its_neighbours() -> None:
    article = cleaned_article(
        "<p>The council met on Tuesday to vote on the harbour plan.</p>"
        "<p>Subscribe to our newsletter for more stories like this.</p>"
        "<p>Work starts in spring.</p>"
    )
    assert body_lines(article) == [
        "The council met on Tuesday to vote on the harbour plan.",
        "✂ Subscribe to our newsletter for more stories like this.",
        "Work starts in spring.",
    ]
    layout = typeset(article, 60, show_removed=True)
    shown_offsets(layout.lines, article.text)  # the wrap map is untouched by them


def test_removals_without_positions_fall_back_to_the_approximation() -> None:
    blocks = [Block("paragraph", "Keep this. And this."), Block("paragraph", "Last one.")]
    removed = [  # position -1: cleaned before positions were recorded
        Removal(1, 0, 9, "Promo box", "promo"),
        Removal(2, 10, 20, "Tail promo", "promo"),  # past the block's end: kept at its end
    ]
    article = make_article(1, FEED, "t", blocks=blocks, removed=removed)
    assert body_lines(article) == [
        "Keep this. And this.",
        "✂ Promo box",
        "Last one. ✂ Tail promo",
    ]
