"""The cleaner's shortcuts give what the long way gives.

Each shortcut skips work only where the work could not find anything: a regex
that cannot match text without certain characters, a byte scan in place of a
character scan. These tests run both ways on the same input.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.core.cleaner import blocks, sentences

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_PIECES = st.sampled_from(
    [
        ". ", "? ", "! ", "… ", "”", "“", '"', "’", ")", " ", "\n", "Read more", "READ MORE",
        "Support now", "Sign Up Now", "Subscribe now", "Donate Now", "Advertisement",
        "Continue reading the main story", "Skip advertisement", "Learn More",
        "Story continues below", "scroll to continue", "Scroll down to continue", "inbox",
        "newsletterPassenger", "Dr.", "Mr. ", "U.S.", "e.g. ", "a.m. ", "Inc. Subscribe",
        "The", "council", "voted", "Hey Siri", "said", "YouTube", "Ärger", "über", "Élan",
    ]
)  # fmt: skip
_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=16).map("".join)


def _split_the_long_way(text: str, monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    with monkeypatch.context() as patch:
        patch.setattr(sentences, "_PUNCTUATED_END_ONLY", sentences._END)
        patch.setattr(sentences, "_CHROME_STARTS", ("",))  # "" is in every text
        patch.setattr(sentences, "_CASE_CHANGE", re.compile(""))  # _GLUED tried everywhere
        return sentences.split_sentences(text)


@SETTINGS
@given(text=_TEXT)
def test_sentence_split_shortcuts_change_nothing(text: str) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        expected = _split_the_long_way(text, monkeypatch)
    assert sentences.split_sentences(text) == expected


def test_every_chrome_label_starts_with_a_listed_word() -> None:
    for label in sentences._CHROME_LABELS:
        plain = re.sub(r"^\[(\w)\w\]", r"\1", label)  # "[Ss]croll" -> "Scroll"
        assert any(start in plain[: len(start) + 1] for start in sentences._CHROME_STARTS), label


def test_chrome_pattern_is_the_labels() -> None:
    found = sentences._CHROME.findall("x Read more. Scroll to continue with content Story")
    assert found == ["Read more", "Scroll to continue with content"]


@SETTINGS
@given(text=st.text(alphabet=st.characters(max_codepoint=0x2FF), max_size=8))
def test_control_byte_scan_matches_the_character_scan(text: str) -> None:
    expected = blocks._CONTROL_CHAR.search(text) is not None
    assert blocks._has_control_bytes(text.encode("utf-8", "replace")) is expected


@pytest.mark.parametrize(
    "text", ["\x85", "\r\n", "\x7f", "é\x9f", "\u0100\x80", "plain ü", "\ud800"]
)
def test_control_byte_scan_examples(text: str) -> None:
    expected = blocks._CONTROL_CHAR.search(text) is not None
    assert blocks._has_control_bytes(text.encode("utf-8", "replace")) is expected


@SETTINGS
@given(text=_TEXT)
def test_glued_cuts_are_found_at_case_changes(text: str) -> None:
    everywhere = {match.start() for match in sentences._GLUED.finditer(text)}
    at_changes = {
        pair.start() + 1
        for pair in sentences._CASE_CHANGE.finditer(text)
        if sentences._GLUED.match(text, pair.start() + 1)
    }
    assert at_changes == everywhere


_PAGE_PIECES = st.sampled_from(
    ["<html", "/>", "\n", "\r", " ", "<!DOCTYPE", "<!doctype html", "/", ">", "a", "\x00", "\x1f",
     "\t", "\x0b", "\ufffe", "\uffff", "\ud800", "\x85", "\u2028", "<body>", "é"]
)  # fmt: skip


@SETTINGS
@given(page=st.lists(_PAGE_PIECES, max_size=14).map("".join))
def test_page_repair_is_trafilaturas(page: str) -> None:
    pytest.importorskip("trafilatura")
    from trafilatura.utils import repair_faulty_html

    from reader.core.cleaner.extract import _repair

    beginning = page[:50].lower()
    assert _repair(page, beginning) == repair_faulty_html(page, beginning)


_LABELS = st.sampled_from(
    ["story", " story ", "story\n\tline", "two  spaces", "nbsp\xa0here", "<b>bold</b> part", "", " ",
     "other", "line\r\nbreak", "Story"]
)  # fmt: skip


@SETTINGS
@given(labels=st.lists(st.tuples(_LABELS, st.booleans()), max_size=8))
def test_story_anchors_are_what_the_xpath_selects(labels: list[tuple[str, bool]]) -> None:
    import lxml.html
    from lxml import etree

    from reader.core.cleaner.story_blocks import _story_anchors

    links = "".join(
        f'<a href="/{n}">{label}</a>' if has_href else f"<a>{label}</a>"
        for n, (label, has_href) in enumerate(labels)
    )
    tree = lxml.html.fromstring(f"<html><body><p>x {links}</p></body></html>")
    story = "a story line\nwith two spaces, a line break, nbsp\xa0here and bold part"
    xpath = etree.XPath("//a[@href][normalize-space(.)][contains($story, normalize-space(.))]")
    expected = xpath(tree, story=story)
    found = [anchor for anchor, _ in _story_anchors(tree, story)]
    assert len(found) == len(expected)
    assert all(a is b for a, b in zip(found, expected, strict=True))
