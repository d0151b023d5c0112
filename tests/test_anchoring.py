"""Re-anchoring highlights: found on the same words after edits, or not at all."""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from reader.core.anchoring import TextPosition, TextQuote, anchor, describe

# Body text is lowercase; quoted passages use capitalised words that never occur in
# the body, so "the quoted words are gone" is certain and not a coincidence of the draw.
BODY_WORDS = ["the", "council", "said", "on", "monday", "budget", "vote", "and", "a", "of"]
QUOTE_WORDS = ["Glacier", "Retreat", "Survey", "Alps", "Measured", "Teams", "Winter", "Ice"]

body = st.lists(st.sampled_from(BODY_WORDS), min_size=0, max_size=60).map(" ".join)
quoted = st.lists(st.sampled_from(QUOTE_WORDS), min_size=2, max_size=8).map(" ".join)


def build(before: str, quote: str, after: str) -> tuple[str, int, int]:
    text = f"{before} {quote} {after}"
    start = len(before) + 1
    return text, start, start + len(quote)


@given(before=body, quote=quoted, after=body)
def test_unchanged_text_anchors_at_the_stored_position(before: str, quote: str, after: str) -> None:
    text, start, end = build(before, quote, after)
    selector, position = describe(text, start, end)
    assert selector.exact == quote
    found = anchor(text, selector, position)
    assert found is not None
    assert (found.start, found.end, found.method, found.confidence) == (start, end, "position", 1.0)


@given(before=body, quote=quoted, after=body, inserted=body, removed=st.integers(0, 40))
def test_text_inserted_or_removed_before_keeps_the_same_words(
    before: str, quote: str, after: str, inserted: str, removed: int
) -> None:
    text, start, end = build(before, quote, after)
    selector, position = describe(text, start, end)
    cut = min(removed, len(before))
    new_before = inserted + "\n\n" + before[cut:]
    new_text, new_start, new_end = build(new_before, quote, after)
    found = anchor(new_text, selector, position)
    assert found is not None
    assert (found.start, found.end) == (new_start, new_end)
    assert new_text[found.start : found.end] == quote


@given(before=body, quote=quoted, after=body)
def test_deleting_the_quoted_words_orphans(before: str, quote: str, after: str) -> None:
    text, start, end = build(before, quote, after)
    selector, position = describe(text, start, end)
    assert anchor(text[:start] + text[end:], selector, position) is None


@given(
    before=st.lists(st.sampled_from(BODY_WORDS), min_size=8, max_size=40).map(" ".join),
    quote=quoted,
    after=st.lists(st.sampled_from(BODY_WORDS), min_size=8, max_size=40).map(" ".join),
    data=st.data(),
)
def test_a_few_characters_edited_elsewhere_in_the_paragraph_keep_it(
    before: str, quote: str, after: str, data: st.DataObject
) -> None:
    text, start, end = build(before, quote, after)
    selector, position = describe(text, start, end)
    # Edit a few characters well away from the quote (outside its context too).
    outside = [i for i in range(len(text)) if i < start - 40 or i >= end + 40]
    assume(outside)
    spots = sorted(set(data.draw(st.lists(st.sampled_from(outside), min_size=1, max_size=4))))
    new_text = text
    for done, spot in enumerate(spots):  # each earlier edit moved this spot by one
        new_text = new_text[: spot + done] + "XY" + new_text[spot + done + 1 :]
    shift = sum(1 for spot in spots if spot < start)
    found = anchor(new_text, selector, position)
    assert found is not None
    assert (found.start, found.end) == (start + shift, end + shift)


@given(
    quote=quoted,
    contexts=st.lists(
        st.lists(st.sampled_from(BODY_WORDS), min_size=6, max_size=12).map(" ".join),
        min_size=3,
        max_size=6,
        unique=True,
    ),
    pick=st.integers(0, 5),
    inserted=body,
)
def test_a_repeated_phrase_is_told_apart_by_its_context(
    quote: str, contexts: list[str], pick: int, inserted: str
) -> None:
    pick %= len(contexts)
    parts = [f"{context} {quote}." for context in contexts]
    text = "\n\n".join(parts)
    start = sum(len(part) + 2 for part in parts[:pick]) + len(contexts[pick]) + 1
    selector, position = describe(text, start, start + len(quote))
    assume(len({text[max(0, s - 32) : s] for s in _occurrences(text, quote)}) == len(contexts))
    # Shift everything so the old position no longer points at the quote.
    new_text = inserted + "!" + text
    found = anchor(new_text, selector, position)
    assert found is not None
    assert found.start == start + len(inserted) + 1
    assert found.method == "exact"


def _occurrences(text: str, needle: str) -> list[int]:
    return [i for i in range(len(text)) if text.startswith(needle, i)]


def test_a_slightly_corrected_quote_is_found_fuzzily() -> None:
    text = "Intro paragraph.\n\nThe minister said on Monday that the budget would pass easily."
    start = text.index("the budget")
    end = text.index(" easily")
    selector, position = describe(text, start, end)
    new_text = "A new lead.\n\n" + text.replace("budget would", "budget will")
    found = anchor(new_text, selector, position)
    assert found is not None and found.method == "fuzzy"
    assert new_text[found.start : found.end] == "the budget will pass"
    assert found.confidence >= 0.85


def test_a_rewritten_quote_is_not_matched() -> None:
    text = "The minister said on Monday that the budget would pass easily."
    selector, position = describe(text, text.index("the budget"), text.index(" easily"))
    new_text = "The minister said on Monday that the spending plan fails."
    assert anchor(new_text, selector, position) is None


def test_a_short_common_quote_does_not_jump_to_other_words() -> None:
    text = "We met the mayor. Later the council voted."
    start = text.index("the mayor")
    selector, position = describe(text, start, start + 3)  # "the"
    new_text = "Later the council voted."
    assert anchor(new_text, selector, position) is None


def test_same_words_at_the_same_offset_by_chance_are_not_trusted() -> None:
    selector = TextQuote(exact="the", prefix="We met ", suffix=" mayor. Later")
    new_text = "Voters saw the budget."
    assert new_text[11:14] == "the"
    assert anchor(new_text, selector, TextPosition(11, 14)) is None


def test_describe_rejects_empty_and_bad_ranges() -> None:
    for start, end in [(3, 3), (-1, 2), (2, 99), (5, 4)]:
        with pytest.raises(ValueError):
            describe("some text", start, end)


def test_large_text_and_quote_stay_fast() -> None:
    rng = random.Random(7)
    words = [
        "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(2, 9))) for _ in range(3000)
    ]
    text = " ".join(rng.choices(words, k=180_000))[:1_000_000]
    start = 500_000
    selector, position = describe(text, start, start + 10_000)
    edited = list(text)
    for spot in rng.sample(range(start, start + 10_000), 500):  # 5% of the quote changes
        edited[spot] = "#"
    new_text = "A new first paragraph.\n\n" + "".join(edited)
    # CPU time, not wall time: other processes on a busy machine must not fail it.
    began = time.process_time()
    found = anchor(new_text, selector, position)
    elapsed = time.process_time() - began
    assert found is not None and found.method == "fuzzy"
    assert (found.start, found.end) == (start + 24, start + 24 + 10_000)
    missing = anchor(text[:start] + text[start + 10_000 :], selector, position)
    total = time.process_time() - began
    assert missing is None
    assert elapsed < 2.0 and total < 4.0, (elapsed, total)


@settings(max_examples=50)
@given(text=st.text(min_size=1, max_size=200), data=st.data(), other=st.text(max_size=200))
def test_any_answer_is_a_valid_range(text: str, data: st.DataObject, other: str) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    selector, position = describe(text, start, end)
    found = anchor(other, selector, position)
    if found is not None:
        assert 0 <= found.start < found.end <= len(other)
        assert 0.0 < found.confidence <= 1.0
    else:  # a long quote found exactly once is always placed
        assert not (len(_occurrences(other, selector.exact)) == 1 and len(selector.exact) >= 20)
