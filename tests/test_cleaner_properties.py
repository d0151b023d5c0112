"""Property tests: clean() takes anything, and what comes out is safe and consistent."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.core.cleaner import CleanerRules, clean
from reader.core.models import CleanedArticle, canonical_text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text with a taste of everything hostile: escape sequences, controls, bidi marks,
# appeal vocabulary, quotes and sentence punctuation.
_PIECES = st.sampled_from(
    [
        "\x1b[31m", "\x1b]52;c;ZXZpbA==\x07", "\x9b2J", "\x00", "\x07", "\r\n", "\n\n", "\t",
        "\u202e", "\u200b", " ", ". ", "? ", "“", "”", '"', "&amp;", "&#x1b;", "&#27;", "&#0;",
        "Subscribe now", "your support", "Read more", "Advertisement", "date 2024-01-31 ",
        "We need your help.", "The council said", "newsletter", "donate", "<", ">", "&",
    ]
)  # fmt: skip
_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=12)), max_size=12).map("".join)
_TAGS = st.sampled_from(
    ["p", "div", "span", "a", "em", "li", "ul", "ol", "h2", "blockquote", "pre", "aside",
     "figure", "figcaption", "script", "style", "iframe", "table", "td", "section", "nav"]
)  # fmt: skip
_ATTRS = st.sampled_from(
    ["", ' class="newsletter-signup"', ' class="promo"', ' id="epic"', ' hidden',
     ' href="https://example.org/x"', ' href="/rel"', ' href="javascript:alert(1)"',
     ' href="\x1b[31mhttps://e.org"', ' alt="A photo of the harbour at night"']
)  # fmt: skip


@st.composite
def _html(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        choice = draw(st.integers(0, 5))
        if choice == 0 or depth >= 4:
            parts.append(draw(_TEXT))
        elif choice == 1:
            parts.append(draw(st.sampled_from(["<br>", "<br/>", "<img src=x.jpg>", "<hr>"])))
        elif choice == 2:
            parts.append(f"<img{draw(_ATTRS)}>")
        else:
            tag = draw(_TAGS)
            inner = draw(_html(depth + 1))
            closing = draw(st.sampled_from([f"</{tag}>", ""]))  # unclosed tags too
            parts.append(f"<{tag}{draw(_ATTRS)}>{inner}{closing}")
    return "".join(parts)


def _check(article: CleanedArticle) -> None:
    assert article.text == canonical_text(article.blocks)
    positions = [removal.position for removal in article.removed]
    assert all(0 <= position <= len(article.text) for position in positions)
    assert positions == sorted(positions)  # removals come in reading order
    for block in article.blocks:
        assert block.text.strip()
        assert not _CONTROL.search(block.text), repr(block.text)
        assert "\x1b" not in block.text
        if block.kind == "preformatted":
            assert block.text == block.text.strip("\n").rstrip()  # indentation is kept
        else:
            assert block.text == block.text.strip()
            assert "\n" not in block.text and "\t" not in block.text
            assert "  " not in block.text
        for link in block.links:
            assert 0 <= link.start < link.end <= len(block.text)
            assert re.match(r"https?://", link.href)
            assert not _CONTROL.search(link.href)
    for removal in article.removed:
        assert 0 <= removal.start < removal.end
        assert removal.text and removal.rule
        assert removal.end - removal.start == len(removal.text)


@SETTINGS
@given(st.text(), st.sampled_from([None, "text", "html"]))
def test_arbitrary_text_never_raises(content: str, content_type: str | None) -> None:
    _check(clean(content, content_type=content_type))  # type: ignore[arg-type]


@SETTINGS
@given(_TEXT, st.sampled_from([None, "text", "html"]))
def test_hostile_text_comes_out_clean(content: str, content_type: str | None) -> None:
    _check(clean(content, "https://example.org/a/b", content_type=content_type))  # type: ignore[arg-type]


@SETTINGS
@given(_html())
def test_arbitrary_html_comes_out_clean(content: str) -> None:
    _check(clean(content, "https://example.org/a/b"))


@SETTINGS
@given(_html(), st.lists(st.text(min_size=1, max_size=6), max_size=3))
def test_user_rules_never_break_offsets(content: str, phrases: list[str]) -> None:
    rules = CleanerRules.from_dict(
        {
            "remove": {"phrases": phrases, "regex": [r"\d+", "a{2,}"]},
            "keep": {"phrases": phrases[:1]},
        }
    )
    _check(clean(content, "https://example.org/", rules=rules))
