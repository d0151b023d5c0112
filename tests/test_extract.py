"""Story extraction from whole pages: reader.core.cleaner.extract."""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest

from reader.core.cleaner.extract import ExtractedStory, extract_story, fragment_text

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
BENCHMARK = SHARED / "corpora" / "article-extraction-benchmark"
APPEALS = SHARED / "corpora" / "appeals-dev.json"

# Story text of our own; long enough that an extractor takes it for the article.
STORY = [
    "The harbour board voted on Tuesday to close the old ferry pier for two years while "
    "engineers replace the timber piles that have rotted below the waterline since the 1970s.",
    "Commuters who use the crossing will be moved to a temporary landing further along the "
    "quay, which the board says adds about four minutes of walking to the average trip.",
    "Board members argued for most of the evening about whether the repairs could be done in "
    "stages, keeping half of the pier open, before engineers said the work was too risky.",
    "Local traders fear that the closure will cut the number of visitors to the market stalls "
    "near the pier, which depend on the morning rush of passengers from the island.",
    "The board said it would publish a full timetable for the works in the spring, after a "
    "final survey of the seabed and a consultation with the ferry operator and residents.",
]

PAGE = f"""<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Ferry pier to close for two years | The Harbour Gazette</title>
<link rel="canonical" href="/news/ferry-pier-closure">
<meta property="og:title" content="Ferry pier to close for two years">
<meta property="og:image:alt" content="The old ferry pier at low tide">
<script type="application/ld+json">
{{"@context": "https://schema.org", "@type": "NewsArticle",
  "headline": "Ferry pier to close for two years",
  "author": [{{"@type": "Person", "name": "Mara Quill"}}],
  "datePublished": "2024-03-05T09:30:00+01:00"}}
</script>
</head><body>
<header><nav><ul>
  <li><a href="/">Home</a></li><li><a href="/news">News</a></li>
  <li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li>
</ul></nav></header>
<main><article>
  <h1>Ferry pier to close for two years</h1>
  <p class="byline">By Mara Quill</p>
  <p class="dateline">Updated 5 March 2024, 09:30</p>
  <p>{STORY[0]}</p>
  <p>{STORY[1]} See the <a href="/maps/quay">map of the quay</a> for details.</p>
  <div class="share"><a href="https://share.example/fb">Share on Facebook</a>
    <a href="https://share.example/tw">Share on Twitter</a></div>
  <p>{STORY[2]}</p>
  <p>Related: Island council weighs new bridge plan</p>
  <p>{STORY[3]}</p>
  <div class="newsletter-box"><h3>Morning briefing</h3>
    <p>Sign up for our morning newsletter and get the day's harbour news delivered to your inbox.</p>
    <form><input type="email"><button>Subscribe</button></form></div>
  <p>{STORY[4]}</p>
  <p>Reporting by Mara Quill; Editing by Tom Brell</p>
</article>
<aside class="related"><h2>More stories</h2><ul>
  <li><a href="/a">Lighthouse keeper retires after forty years on the rock</a></li>
  <li><a href="/b">Fish market prices climb as the winter catch shrinks again</a></li>
  <li><a href="/c">Storm damage closes the coastal path until further notice</a></li>
</ul></aside>
<section id="comments" class="comments"><h2>Comments</h2>
  <div class="comment"><p>I have used that pier every day for twenty years and this is a disgrace,
  what are we paying our rates for if not basic maintenance?</p></div>
  <div class="comment"><p>Great, another four minutes of walking in the rain every morning.</p></div>
</section></main>
<footer><p>Copyright 2024 The Harbour Gazette. All rights reserved.</p>
<p><a href="/privacy">Privacy</a> <a href="/terms">Terms</a></p></footer>
</body></html>"""


@pytest.fixture(scope="module")
def story() -> ExtractedStory:
    return extract_story(PAGE, "https://gazette.example/news/ferry-pier-closure?utm=x")


def test_story_paragraphs_kept_in_order(story: ExtractedStory) -> None:
    text = fragment_text(story.html)
    positions = [text.find(paragraph) for paragraph in STORY]
    assert all(position >= 0 for position in positions), text
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    "furniture",
    [
        "Home",
        "Share on Facebook",
        "Related: Island council",
        "Sign up for our morning newsletter",
        "Lighthouse keeper retires",
        "I have used that pier",
        "another four minutes of walking in the rain",
        "Privacy",
        "All rights reserved",
        "Reporting by",
        "By Mara Quill",
    ],
)
def test_boilerplate_gone(story: ExtractedStory, furniture: str) -> None:
    assert furniture not in fragment_text(story.html)


def test_headline_not_repeated_in_body(story: ExtractedStory) -> None:
    assert "Ferry pier to close for two years" not in fragment_text(story.html)


def test_metadata(story: ExtractedStory) -> None:
    assert story.title == "Ferry pier to close for two years"
    assert story.author == "Mara Quill"
    assert story.published == datetime(2024, 3, 5, 8, 30, tzinfo=UTC).timestamp()
    assert story.canonical_url == "https://gazette.example/news/ferry-pier-closure"
    assert story.lead_image == "The old ferry pier at low tide"


def test_fragment_uses_allowed_markup_and_absolute_links(story: ExtractedStory) -> None:
    import lxml.html

    root = lxml.html.fragment_fromstring(story.html, create_parent="div")
    allowed = {"div", "p", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "li", "pre", "a"}
    assert {element.tag for element in root.iter()} <= allowed
    links = {a.text_content(): a.get("href") for a in root.iter("a")}
    assert links == {"map of the quay": "https://gazette.example/maps/quay"}


def test_metadata_from_meta_tags_only() -> None:
    page = f"""<html><head><title>Quay works start - Harbour Gazette</title>
    <meta name="author" content="Ola Brandt">
    <meta property="article:published_time" content="2024-06-01T12:00:00Z">
    <meta property="og:url" content="https://gazette.example/quay-works">
    </head><body><article>{"".join(f"<p>{p}</p>" for p in STORY)}
    <figure><img src="/q.jpg" alt="Cranes on the quay"><figcaption>Cranes on the quay at dawn</figcaption></figure>
    </article></body></html>"""
    story = extract_story(page)
    assert story.title == "Quay works start"
    assert story.author == "Ola Brandt"
    assert story.published == datetime(2024, 6, 1, 12, tzinfo=UTC).timestamp()
    assert story.canonical_url == "https://gazette.example/quay-works"
    assert story.lead_image == "Cranes on the quay at dawn"


def test_story_furniture_inside_text_is_kept() -> None:
    # Sentences that merely mention newsletters, subscribers or dates are story.
    extra = [
        "The gazette said more people now subscribe to its print edition than at any time "
        "since 2015, and that its newsletter readership has doubled.",
        "Updated plans for the pier were filed on 5 March 2024, the board said in a statement "
        "that also set out the cost of the works in detail.",
    ]
    body = "".join(f"<p>{p}</p>" for p in [*STORY[:3], extra[0], *STORY[3:], extra[1]])
    story = extract_story(f"<html><body><article>{body}</article></body></html>")
    text = fragment_text(story.html)
    for paragraph in extra:
        assert paragraph in text


@pytest.mark.parametrize(
    "page",
    [
        "",
        "   \n ",
        "not html at all, just a line of text",
        "<html></html>",
        "<html><body></body></html>",
        "<?xml version='1.0' encoding='utf-8'?><html><body><p>Short.</p></body></html>",
        "\x00\x01\x02<<<>>>&&&;;;",
        "<div>" * 5000 + "deep" + "</div>" * 5000,
        "<html><body><script>var a = '<p>not a story</p>';</script></body></html>",
        '<html><head><script type="application/ld+json">{not json</script></head></html>',
        '<html><head><meta property="article:published_time" content="yesterday"></head></html>',
    ],
)
def test_bad_pages_do_not_raise(page: str) -> None:
    story = extract_story(page)
    assert isinstance(story.html, str)
    fragment_text(story.html)  # whatever came out is a parsable fragment
    assert "not a story" not in story.html


def test_appeal_corpus_story_sentences_survive() -> None:
    """Real story sentences about donations/subscriptions must never be dropped as furniture."""
    if not APPEALS.exists():
        pytest.skip("shared corpora not available")
    keep = [entry["text"] for entry in json.loads(APPEALS.read_text(encoding="utf-8"))["keep"]]
    for sentence in keep:
        for position in (0, 3, len(STORY)):  # first, middle, last paragraph
            paragraphs = [*STORY]
            paragraphs.insert(position, sentence)
            body = "".join(f"<p>{p}</p>" for p in paragraphs)
            story = extract_story(f"<html><body><article>{body}</article></body></html>")
            assert " ".join(sentence.split()) in fragment_text(story.html), (position, sentence)


# --- a few real pages from the benchmark's dev split --------------------------------


def _benchmark_module() -> ModuleType:
    path = REPO / "benchmarks" / "extraction_eval.py"
    spec = importlib.util.spec_from_file_location("extraction_eval", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("extraction_eval", module)
    spec.loader.exec_module(module)
    return module


def test_dev_pages_score_floor() -> None:
    if not (BENCHMARK / "ground-truth.json").exists():
        pytest.skip("shared benchmark corpus not available")
    bench = _benchmark_module()
    # Only dev-split pages (ids 5-9, a-f): the test split stays held out.
    pages = bench.load_corpus(BENCHMARK, "dev", limit=10)
    assert len(pages) == 10 and all(bench.split_of(page.id) == "dev" for page in pages)
    scores = [
        bench.page_scores(page.truth, fragment_text(extract_story(page.html, page.url).html))
        for page in pages
    ]
    precision, recall, f1 = bench.aggregate(scores)
    assert precision >= 0.93 and recall >= 0.93 and f1 >= 0.94, (precision, recall, f1)


def test_metric_edge_cases() -> None:
    bench = _benchmark_module()
    assert bench.page_scores("", "") == (1.0, 1.0)
    assert bench.page_scores("one two three four five", "") == (0.0, 0.0)
    assert bench.page_scores("one two three four five", "one two three four five") == (1.0, 1.0)
    precision, recall = bench.page_scores("a b c d e", "a b c d x")
    assert precision == 0.5 and recall == 0.5


def test_everything_extraction_leaves_out_is_listed_with_a_reason() -> None:
    """Nothing disappears unexplained: page text outside the story becomes a removal."""
    from reader.core.cleaner import clean

    story = "".join(
        f"<p>The ferry company said on Monday that crossing {n} would run twice a day from"
        " the new pier, once the repairs to the old ramp are finished.</p>"
        for n in range(8)
    )
    page = (
        "<html><head><title>Ferry timetable</title></head><body>"
        "<nav><ul><li><a href='/'>Front page</a></li><li><a href='/w'>Weather desk</a></li></ul></nav>"
        f"<main><article><h1>Ferry timetable</h1>{story}</article></main>"
        "<aside class='sidebar'><h3>Most shared this week</h3></aside>"
        "<footer><p>Harbour Gazette, Quay Street 4</p></footer></body></html>"
    )
    article = clean(page, "https://gazette.example.org/ferry", extract=True)
    assert "crossing 7" in article.text
    dropped = {r.text: r.rule for r in article.removed if r.block == -1}
    assert dropped["Front page"] == "extract.navigation"
    assert dropped["Weather desk"] == "extract.navigation"
    assert dropped["Most shared this week"] == "extract.aside"
    assert dropped["Harbour Gazette, Quay Street 4"] == "extract.footer"
    # The headline is shown as the title: at most noted as such.
    assert dropped.get("Ferry timetable", "extract.headline") == "extract.headline"
    positions = {r.text: r.position for r in article.removed if r.block == -1}
    assert positions["Front page"] == 0
    assert positions["Harbour Gazette, Quay Street 4"] == len(article.text)


def _lede_page() -> str:
    lede = (
        "The regional ferry will cross twice a day from spring, after the council found the"
        " money for a second boat and a new pier."
    )
    story = "".join(
        f"<p>Paragraph {n}: the harbour master said the timetable had been drawn up with the"
        " fishing cooperative, whose boats leave the inner basin before dawn.</p>"
        for n in range(8)
    )
    return (
        f'<html><head><title>Ferry to cross twice a day</title><meta name="description" content="{lede}">'
        "</head><body><main><article><header><h1>Ferry to cross twice a day</h1>"
        f'<p class="intro">{lede}</p></header><div class="body">{story}</div></article></main>'
        "</body></html>"
    )


def test_the_lede_the_page_describes_itself_with_leads_the_story() -> None:
    from reader.core.cleaner.extract import extract_story, fragment_text

    text = fragment_text(extract_story(_lede_page(), "https://gazette.example.org/f").html)
    assert text.startswith("The regional ferry will cross twice a day from spring")
    assert "Paragraph 7" in text


def _sectioned_page(title: str) -> str:
    def para(n: int) -> str:
        return (
            f"<p>Paragraph {n}: the harbour master said the timetable had been drawn up with the"
            " fishing cooperative, whose boats leave the inner basin before dawn.</p>"
        )

    return (
        "<html><head><title>Ferry</title></head><body><main><article><h1>Ferry</h1>"
        f"<div class='body'>{''.join(para(n) for n in range(4))}{title}"
        f"{''.join(para(n) for n in range(4, 8))}"
        "<ul><li>One boat in the morning, from the old pier</li>"
        "<li>One boat in the evening, from the new pier</li></ul>"
        f"{para(8)}</div></article></main></body></html>"
    )


def test_section_titles_and_lists_inside_the_story_are_kept_once() -> None:
    from reader.core.cleaner.extract import extract_story, fragment_text

    text = fragment_text(extract_story(_sectioned_page("<h2>What the council decided</h2>")).html)
    assert text.count("What the council decided") == 1
    assert text.count("One boat in the morning") == 1
    assert text.index("Paragraph 3") < text.index("What the council") < text.index("Paragraph 4")


def test_section_title_precision_mode_drops_is_put_back() -> None:
    """trafilatura's precision mode drops every <header>, also a section's own;
    between two story paragraphs its title is still the story's."""
    from reader.core.cleaner.extract import extract_story, fragment_text

    page = _sectioned_page("<header><h2>The council's decision explained</h2></header>")
    text = fragment_text(extract_story(page).html)
    assert (
        text.index("Paragraph 3") < text.index("The council's decision") < text.index("Paragraph 4")
    )


def test_related_labels_in_other_languages_are_furniture() -> None:
    from reader.core.cleaner.furniture import is_boilerplate
    from reader.core.cleaner.story_blocks import Block

    for label in (
        "Mehr zum Thema",
        "À lire aussi",
        "LE PUEDE INTERESAR: Otra noticia del día",
        "Articoli correlati",
        "Weitere Informationen:",
        "Titelbild: Agentur",
    ):
        assert is_boilerplate(Block("p", label), 9, 10), label
    assert not is_boilerplate(Block("p", "Mehr zum Thema sagte der Minister nicht."), 9, 10)


def test_a_lede_marked_by_its_class_between_headline_and_story_leads_it() -> None:
    from reader.core.cleaner.extract import extract_story, fragment_text

    page = _lede_page().replace('<meta name="description"', '<meta name="x-other"')
    page = page.replace('<p class="intro">', '<div class="article-lead-text">').replace(
        "new pier.</p></header>", "new pier.</div></header>"
    )
    text = fragment_text(extract_story(page, "https://gazette.example.org/f").html)
    assert text.startswith("The regional ferry will cross twice a day from spring")
    # A promo box after the story with the same kind of class is not a lede.
    promo = page.replace(
        "</article>",
        '<div class="teaser">Read our guide to every ferry in the region and more.</div></article>',
    )
    assert "Read our guide" not in fragment_text(extract_story(promo).html)


class _ModeStub:
    """Stands in for trafilatura: what precision and balanced mode keep is
    given; records which modes ran."""

    def __init__(self, precise: list[str], balanced: list[str]) -> None:
        self.precise, self.balanced = precise, balanced
        self.runs: list[tuple[bool, bool]] = []

    def bare_extraction(self, tree: object, **options: object) -> object:
        from types import SimpleNamespace

        from lxml import etree

        precision, fast = bool(options["favor_precision"]), bool(options["fast"])
        self.runs.append((precision, fast))
        body = etree.Element("body")
        for post in self.precise if precision else self.balanced:
            etree.SubElement(body, "p").text = post
        return SimpleNamespace(body=body)


def _thread(tag: str) -> tuple[list[str], str]:
    posts = [" ".join([paragraph] * 6) for paragraph in STORY[:4]]  # over 1000 characters each
    markup = "".join(f"<div class='post'><{tag}>{post}</{tag}></div>" for post in posts)
    return posts, f"<html><body><h1>Thread</h1>{markup}</body></html>"


def test_a_page_without_paragraph_markup_is_checked_against_balanced_mode() -> None:
    # A forum thread set in <div>s: the page's <p> text says nothing about how
    # much of it the story should hold, so the short precision result is checked.
    from reader.core.cleaner.extract import _best_blocks, _parse

    posts, page = _thread("span")
    stub = _ModeStub(posts[:1], posts)
    tree = _parse(page)
    assert tree is not None
    blocks = _best_blocks(stub, tree, None)
    assert [block.text for block in blocks] == posts
    assert (False, False) in stub.runs


def test_a_story_the_page_paragraphs_confirm_is_taken_from_precision_mode() -> None:
    # The same thread set in <p>, and precision mode keeps what the page's
    # paragraphs hold: no dearer mode runs, whatever balanced mode would add.
    from reader.core.cleaner.extract import _best_blocks, _parse

    posts, page = _thread("p")
    stub = _ModeStub(posts, posts * 2)
    tree = _parse(page)
    assert tree is not None
    blocks = _best_blocks(stub, tree, None)
    assert [block.text for block in blocks] == posts
    assert stub.runs == [(True, True)]
