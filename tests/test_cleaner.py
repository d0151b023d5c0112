"""The cleaner: HTML/text to blocks, the seed story, metadata, user rules."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader.core.cleaner import CleanerRules, clean, explain, load_rules
from reader.core.errors import InputFileError
from reader.core.models import Removal, canonical_text

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEED = SHARED / "seed" / "independent-pakistan-afghanistan-2025-05-30.txt"


# --- the seed story -----------------------------------------------------------


@pytest.fixture(scope="module")
def seed_text() -> str:
    if not SEED.exists():
        pytest.skip("shared seed story not available")
    return SEED.read_text(encoding="utf-8")


def test_seed_keeps_exactly_the_ten_story_paragraphs(seed_text: str) -> None:
    article = clean(seed_text, content_type="text")
    texts = [block.text for block in article.blocks]
    assert len(texts) == 10
    assert texts[0].startswith("Pakistan announced Friday")
    assert texts[-1].endswith("returned to power in Afghanistan in 2021.")
    assert all(block.kind == "paragraph" for block in article.blocks)
    # The story paragraphs come through verbatim (whitespace aside).
    story = [" ".join(p.split()) for p in seed_text.split("\n\n")[1:] if p.strip()]
    assert texts == story


def test_seed_loses_the_whole_appeal_and_the_date_line(seed_text: str) -> None:
    article = clean(seed_text)  # sniffed as text
    text = article.text
    for fragment in ("Your support", "donation", "Read more", "Support Now", "paywalls", "date "):
        assert fragment not in text
    rules = {removal.rule for removal in article.removed}
    assert "metadata.date" in rules
    assert any(rule.startswith("appeal.") for rule in rules)
    removed_text = " ".join(removal.text for removal in article.removed)
    assert "Your support makes all the difference." in removed_text
    assert article.published == datetime(2025, 5, 30, tzinfo=UTC).timestamp()


def test_seed_removals_point_into_the_raw_block(seed_text: str) -> None:
    article = clean(seed_text)
    first_raw = " ".join(seed_text.split("\n\n")[0].split())
    for removal in article.removed:
        assert removal.block == 0
        assert first_raw[removal.start : removal.end] == removal.text


# --- plain text ---------------------------------------------------------------


def test_plain_text_paragraphs_and_inner_newlines() -> None:
    article = clean(
        "First line\ncontinues here.\n\n\n  Second   paragraph.  \n", content_type="text"
    )
    assert [b.text for b in article.blocks] == ["First line continues here.", "Second paragraph."]
    assert article.text == canonical_text(article.blocks)
    assert article.text == "First line continues here.\n\nSecond paragraph."


def test_text_with_angle_brackets_is_not_sniffed_as_html() -> None:
    article = clean("If a < b and b > c then a < c.\n\nDone.")
    assert [b.text for b in article.blocks] == ["If a < b and b > c then a < c.", "Done."]


def test_escape_sequences_and_controls_are_removed_from_text() -> None:
    article = clean("Red \x1b[31malert\x1b[0m here.\x07\n\nTitle\x1b]52;c;ZXZpbA==\x07 end\x00.")
    assert article.text == "Red alert here.\n\nTitle end."


# --- HTML ---------------------------------------------------------------------

HTML = """
<div>
  <h2>Harbour <em>works</em></h2>
  <p>The council <a href="/plans/harbour">approved the plan</a> on Monday,
     after   a long <b>debate</b>.<script>alert(1)</script></p>
  <style>p { color: red }</style>
  <!-- a comment -->
  <blockquote><p>It is a good day for the town.</p></blockquote>
  <ul><li>First item<ul><li>Nested item</li></ul></li><li>Second item</li></ul>
  <figure><img src="a.jpg" alt="Cranes over the harbour at dusk"><figcaption>Cranes at work.</figcaption></figure>
  <p><img src="b.jpg" alt="Fishing boats in the old basin"></p>
  <pre>  line one
    line two</pre>
  <nav><a href="/">Home</a></nav>
  <form><input name="q"><button>Go</button></form>
  <iframe src="https://example.net/embed"></iframe>
  <p>Details are in <a href="mailto:a@b.c">the notice</a> and <a href="javascript:evil()">the minutes</a>.</p>
</div>
"""


def test_html_blocks_kinds_levels_and_text() -> None:
    article = clean(HTML, "https://news.example.org/story/1")
    kinds = [(b.kind, b.level, b.text) for b in article.blocks]
    assert kinds == [
        ("heading", 2, "Harbour works"),
        ("paragraph", 0, "The council approved the plan on Monday, after a long debate."),
        ("quote", 0, "It is a good day for the town."),
        ("list_item", 1, "First item"),
        ("list_item", 2, "Nested item"),
        ("list_item", 1, "Second item"),
        ("caption", 0, "Cranes at work."),
        ("caption", 0, "Fishing boats in the old basin"),
        ("preformatted", 0, "  line one\n    line two"),
        ("paragraph", 0, "Details are in the notice and the minutes."),
    ]


def test_html_links_are_resolved_and_only_http() -> None:
    article = clean(HTML, "https://news.example.org/story/1")
    paragraph = article.blocks[1]
    (link,) = paragraph.links
    assert paragraph.text[link.start : link.end] == "approved the plan"
    assert link.href == "https://news.example.org/plans/harbour"
    assert article.blocks[-1].links == ()  # mailto: and javascript: dropped


def test_double_br_splits_paragraphs_and_single_br_is_a_space() -> None:
    article = clean("<p>One<br>two<br><br>Three</p>", content_type="html")
    assert [b.text for b in article.blocks] == ["One two", "Three"]


def test_entities_and_escape_sequences_in_html() -> None:
    article = clean("<p>AT&amp;T &lt;b&gt; caf&eacute; \x1b[2Jgone &#x1b;[31mred</p>")
    assert article.blocks[0].text.startswith("AT&T <b> café gone")
    assert "\x1b" not in article.text


def test_link_offsets_survive_removal_of_a_leading_appeal() -> None:
    html = (
        "<p>Sign up for our free newsletter to get stories in your inbox. The mayor "
        '<a href="https://example.org/m">resigned</a> on Tuesday after the vote.</p>'
    )
    article = clean(html)
    (block,) = article.blocks
    (link,) = block.links
    assert block.text.startswith("The mayor")
    assert block.text[link.start : link.end] == "resigned"


def test_empty_and_junk_input_give_no_blocks() -> None:
    for content in ("", "   ", "<!-- only a comment -->", "<script>x()</script>", "\x00\x1b[0m"):
        assert clean(content).blocks == []


# --- metadata -------------------------------------------------------------------


def test_leading_date_line_becomes_published() -> None:
    article = clean("date 2024-02-29\n\nThe story begins here.")
    assert article.published == datetime(2024, 2, 29, tzinfo=UTC).timestamp()
    assert article.text == "The story begins here."
    assert article.removed[0].rule == "metadata.date"


def test_invalid_date_or_date_later_in_text_is_left_alone() -> None:
    assert clean("date 2024-02-30 was a typo.").published is None
    article = clean("The story.\n\ndate 2024-01-01")
    assert article.published is None
    assert "date 2024-01-01" in article.text


# --- user rules -------------------------------------------------------------------

STORY_HTML = """
<p>Listen to this article 4 min. The bridge reopened on Monday after repairs.</p>
<div class="related-links"><p>More on bridges and roads</p></div>
<p>Sponsored content from a partner appears here.</p>
<p>Engineers said the repairs cost less than expected.</p>
<div id="promo"><p>Local events this week</p></div>
"""


def test_user_rules_remove_by_phrase_regex_and_selector() -> None:
    rules = CleanerRules.from_dict(
        {
            "remove": {
                "phrases": ["Sponsored content"],
                "regex": [r"^Listen to this article \d+ min\."],
                "selectors": [".related-links"],
            },
            "site": {"example.com": {"remove": {"selectors": ["#promo"]}}},
        }
    )
    article = clean(STORY_HTML, "https://www.example.com/a", rules=rules)
    assert [b.text for b in article.blocks] == [
        "The bridge reopened on Monday after repairs.",
        "Engineers said the repairs cost less than expected.",
    ]
    assert {r.rule for r in article.removed} == {"user.regex", "user.phrase", "user.selector"}
    # Site rules do not apply to other hosts.
    other = clean(STORY_HTML, "https://elsewhere.org/a", rules=rules)
    assert "Local events this week" in other.text


def test_keep_phrase_beats_built_in_removal() -> None:
    text = "Support Now Act passes the Senate.\n\nSubscribe now for unlimited access."
    assert "Subscribe now" not in clean(text).text
    rules = CleanerRules.from_dict({"keep": {"phrases": ["unlimited access"]}})
    assert "Subscribe now for unlimited access." in clean(text, rules=rules).text


def test_keep_selector_protects_a_block() -> None:
    html = '<p>The vote passed.</p><div class="keepme"><p>Subscribe to our newsletter.</p></div>'
    rules = CleanerRules.from_dict({"keep": {"selectors": [".keepme"]}})
    assert "Subscribe to our newsletter." not in clean(html).text
    assert "Subscribe to our newsletter." in clean(html, rules=rules).text


def test_load_rules_reads_toml(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        "[remove]\nphrases = [\"Sponsored content\"]\nregex = ['^Listen to this article']\n"
        'selectors = [".related-links"]\n[keep]\nphrases = ["Support Now Act"]\n'
        '[site."example.com".remove]\nselectors = ["#promo"]\n',
        encoding="utf-8",
    )
    rules = load_rules(path)
    assert rules.remove.phrases == ("Sponsored content",)
    assert rules.remove.regex[0].pattern == "^Listen to this article"
    assert rules.keep.phrases == ("Support Now Act",)
    assert rules.for_url("https://news.example.com/x").remove.selectors == (
        ".related-links",
        "#promo",
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[remove\nphrases = 1", "not valid TOML"),
        ("[remove]\nregex = ['(unclosed']", "bad regular expression"),
        ("[remove]\nselectors = ['p[']", "bad CSS selector"),
        ("[remove]\nphrases = 'not a list'", "list of strings"),
        ("[remvoe]\nphrases = []", "unknown key"),
    ],
)
def test_load_rules_reports_bad_files(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputFileError, match=message):
        load_rules(path)


def test_load_rules_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="cannot read"):
        load_rules(tmp_path / "absent.toml")


def test_explain_lists_removals() -> None:
    article = clean("The vote passed on Monday.\n\nSubscribe now for unlimited access.")
    report = explain(article)
    assert "appeal.subscription" in report
    assert "Subscribe now" in report
    assert explain(clean("Nothing to remove here.")) == "nothing removed"


# --- full-page extraction -----------------------------------------------------------


def test_extract_path_fills_metadata_and_blocks() -> None:
    pytest.importorskip("reader.core.cleaner.extract")
    page = (
        "<html><head><title>Harbour plan approved</title>"
        '<link rel="canonical" href="https://news.example.org/harbour"></head><body>'
        "<nav><a href='/'>Home</a></nav><article><h1>Harbour plan approved</h1>"
        + "".join(
            f"<p>The council approved the harbour plan on Monday, paragraph {n}, after a long"
            " debate about costs, dredging and the future of the fishing fleet.</p>"
            for n in range(8)
        )
        + "<p>Subscribe now for unlimited access.</p></article><footer>Contact</footer></body></html>"
    )
    article = clean(page, "https://news.example.org/harbour", extract=True)
    assert article.extracted
    assert any("paragraph 3" in block.text for block in article.blocks)
    assert "Subscribe now" not in article.text
    assert "Home" not in article.text


# --- where removed passages stood ---------------------------------------------


def test_removal_positions_point_into_the_cleaned_text() -> None:
    text = (
        "Subscribe now for unlimited access. The council met on Monday and voted.\n\n"
        "Advertisement\n\n"
        "It approved the budget. Sign up for our newsletter."
    )
    article = clean(text)
    assert article.text == "The council met on Monday and voted.\n\nIt approved the budget."
    positions = {removal.text: removal.position for removal in article.removed}
    assert positions == {
        "Subscribe now for unlimited access.": 0,
        "Advertisement": article.text.index("It approved"),
        "Sign up for our newsletter.": len(article.text),
    }


def test_removal_position_round_trips_and_defaults_for_old_data() -> None:
    removal = Removal(2, 0, 12, "Donate today", "appeal.donation", 40)
    assert Removal.from_dict(removal.to_dict()) == removal
    old = {"block": 2, "start": 0, "end": 12, "text": "Donate today", "rule": "appeal.donation"}
    assert Removal.from_dict(old).position == -1


def test_putting_removed_passages_back_restores_the_raw_words(seed_text: str) -> None:
    article = clean(seed_text, content_type="text")
    text = article.text
    assert [r.position for r in article.removed] == sorted(r.position for r in article.removed)
    for removal in reversed(article.removed):  # in raw order, so ties keep their order
        text = text[: removal.position] + " " + removal.text + " " + text[removal.position :]
    assert text.split() == seed_text.split()
