"""The replay of trafilatura's precision runs (reader.core.cleaner.story_runs)
against trafilatura itself: the scans select what its XPath prunes select, and
the replayed runs give bare_extraction's blocks."""

from __future__ import annotations

from copy import copy

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

trafilatura = pytest.importorskip("trafilatura")

from reader.core.cleaner import story_runs  # noqa: E402
from reader.core.cleaner.extract import _parse  # noqa: E402

pytestmark = pytest.mark.skipif(
    trafilatura.__version__ != story_runs.VERIFIED,
    reason="the replay is off for this trafilatura release (bare_extraction runs instead)",
)

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PARAGRAPH = (
    "The county council agreed on Monday to rebuild the footbridge over the canal after an "
    "inspection found the steel frame had corroded far faster than its designers expected, "
    "and the crossing will stay closed until the new span is lifted into place next autumn."
)


def _xpath_prunes(tree: etree._Element) -> list[list[etree._Element]]:
    from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH

    return [list(x(tree)) for x in (*RAW_TREE_PRUNE_XPATH, *REMOVE_COMMENTS_AND_LISTS_XPATH)]


def _pruned_by_trafilatura(tree: etree._Element) -> bytes:
    from trafilatura.htmlprocessing import prune_unwanted_nodes
    from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH

    pruned = prune_unwanted_nodes(copy(tree), RAW_TREE_PRUNE_XPATH)
    pruned = prune_unwanted_nodes(pruned, REMOVE_COMMENTS_AND_LISTS_XPATH)
    return bytes(etree.tostring(pruned))


def _pruned_by_scan(tree: etree._Element) -> bytes:
    pruned = copy(tree)
    for found in story_runs.raw_prunes(pruned):
        story_runs._delete(found)
    return bytes(etree.tostring(pruned))


# --- the scans against the XPath expressions ----------------------------------------

MARKS = [
    "comment",
    "Comments",
    "commentary",
    "comment-list",
    "comol",
    "disqus_thread",
    "dsq-comments",
    "article-comments",
    "post-comments box",
    "no-comments",
    "infinite-scroll",
    "infinitescroll",
    "mvp-post-add-box",
    "mvp-post-add-wrap",
    "elementor-share-buttons",
    "elementor-widget",
    "story",
    "",
]
TAGS = ["div", "section", "aside", "details", "ol", "ul", "list", "p", "article", "h1", "span"]


@st.composite
def _trees(draw: st.DrawFn) -> str:
    """Nested markup of the tags and ids/classes the prunes look at."""

    def element(depth: int) -> str:
        tag = draw(st.sampled_from(TAGS))
        attributes = ""
        for name in ("id", "class"):
            mark = draw(st.sampled_from([None, *MARKS]))
            if mark is not None:
                attributes += f' {name}="{mark}"'
        children = draw(st.integers(0, 3 if depth < 4 else 0))
        inner = "".join(element(depth + 1) for _ in range(children))
        return f"<{tag}{attributes}>x{inner}</{tag}>tail"

    return (
        "<html><body>"
        + "".join(element(0) for _ in range(draw(st.integers(1, 4))))
        + "</body></html>"
    )


@given(markup=_trees())
@SETTINGS
def test_the_scan_selects_what_the_raw_tree_xpaths_select(markup: str) -> None:
    tree = lxml.html.document_fromstring(markup)
    assert story_runs.raw_prunes(tree) == _xpath_prunes(tree)
    assert _pruned_by_scan(tree) == _pruned_by_trafilatura(tree)


@given(markup=_trees())
@SETTINGS
def test_the_scan_selects_what_remove_comments_xpath_selects(markup: str) -> None:
    from trafilatura.xpaths import REMOVE_COMMENTS_XPATH

    tree = lxml.html.document_fromstring(markup)
    assert story_runs.comment_containers(tree) == list(REMOVE_COMMENTS_XPATH[0](tree))


def test_a_scroll_container_holding_the_headline_stays_unless_it_is_an_appended_post() -> None:
    tree = lxml.html.document_fromstring(
        "<html><body><div class='infinite-scroll'><h1>Title</h1><p>x</p></div>"
        "<div class='infinite-scroll'><p>next story</p></div>"
        "<section id='mvp-post-add-box'><h1>Another</h1></section></body></html>"
    )
    scroll, _, _ = story_runs.raw_prunes(tree)
    assert [element.get("class") or element.get("id") for element in scroll] == [
        "infinite-scroll",
        "mvp-post-add-box",
    ]
    assert scroll[0].find(".//h1") is None
    assert story_runs.raw_prunes(tree) == _xpath_prunes(tree)


# --- replayed runs against bare_extraction --------------------------------------------


def _story(paragraphs: int = 6) -> str:
    return "".join(f"<p>{PARAGRAPH} Part {n}.</p>" for n in range(paragraphs))


PAGES = {
    "article with comments": (
        "<html><head><title>Bridge</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>Footbridge to be rebuilt</h1>{_story()}"
        # A list with a Disqus id outlives the raw-tree prune (lists need a
        # narrower id), and goes once converted to trafilatura's <list>.
        f"<ul id='disqus_thread'><li>{PARAGRAPH} Reply.</li><li>{PARAGRAPH} More.</li></ul>"
        f"{_story(2)}</article>"
        "<div id='comments'><h3>3 comments</h3>"
        f"<ol class='comment-list'><li><p>{PARAGRAPH} A reader.</p></li></ol></div>"
        "<footer><p>Contact us</p></footer></body></html>"
    ),
    "forum thread": (
        "<html><head><script type='application/ld+json'>"
        '{"@type": "DiscussionForumPosting", "headline": "Bridge"}</script></head><body>'
        f"<div class='comment'><p>{PARAGRAPH} First post.</p></div>"
        f"<div class='comment'><p>{PARAGRAPH} Second post.</p></div>"
        # Kept on a forum page (where the comments are the content) once converted.
        f"<article><p>{PARAGRAPH} Opening post.</p><p>{PARAGRAPH} More of it.</p>"
        f"<ul id='disqus_thread'><li>{PARAGRAPH} Reply.</li><li>{PARAGRAPH} Another.</li></ul>"
        "</article>"
        "</body></html>"
    ),
    "infinite scroll": (
        "<html><body><div class='infinite-scroll'>"
        f"<article><h1>Footbridge</h1>{_story(4)}</article></div>"
        f"<div class='infinite-scroll'><article><h2>Next story</h2>{_story(3)}</article></div>"
        "<div class='elementor-share-buttons'><a href='#'>Share</a></div></body></html>"
    ),
    "short teaser": (
        f"<html><body><div class='teaser'><p>{PARAGRAPH}</p></div>"
        "<ul class='comments'><li>first</li></ul><table><tr><td>cell text</td></tr></table>"
        "</body></html>"
    ),
    "text in divs": (
        "<html><body><div class='post'>" + "<br>".join([PARAGRAPH] * 5) + "</div></body></html>"
    ),
    "nothing": "<html><body><div><span>Menu</span></div></body></html>",
    # One paragraph, too short for balanced mode: its baseline rescue decides.
    "one paragraph": (
        f"<html><body><article><p>{PARAGRAPH}</p></article><aside>"
        + "".join(f"<div class='teaser'>{PARAGRAPH} Teaser {n}.</div>" for n in range(10))
        + "</aside></body></html>"
    ),
    # A short story beside much more text: balanced mode escalates to recall.
    "sidebar teasers": (
        f"<html><body><article>{_story(2)}</article>"
        + "".join(
            f"<div class='sidebar'><div>{PARAGRAPH} Teaser {n}.</div></div>" for n in range(15)
        )
        + "</body></html>"
    ),
}


def _bare_blocks(tree: lxml.html.HtmlElement, precision: bool, fast: bool) -> list[object]:
    runs = story_runs.PageRuns(trafilatura, tree, "https://example.org/news/bridge")
    body = runs._bare_body(precision, fast)
    from reader.core.cleaner.story_blocks import tree_blocks

    return list(tree_blocks(body)) if body is not None else []


MODES = [(True, True), (True, False), (False, False)]  # precision, fast: what extraction asks


@pytest.mark.parametrize("name", sorted(PAGES))
def test_replayed_runs_give_bare_extractions_blocks(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = _parse(PAGES[name])
    assert tree is not None
    before = etree.tostring(tree)
    expected = {mode: _bare_blocks(tree, *mode) for mode in MODES}
    bare = trafilatura.bare_extraction
    calls: list[tuple[object, object]] = []

    def counted(*args: object, **kwargs: object) -> object:
        calls.append((kwargs["favor_precision"], kwargs["fast"]))
        return bare(*args, **kwargs)

    monkeypatch.setattr(trafilatura, "bare_extraction", counted)
    runs = story_runs.PageRuns(trafilatura, tree, "https://example.org/news/bridge")
    # Every mode in turn, and again in another order: a run after another must
    # find the shared pruned copy unchanged.
    for mode in [*MODES, *reversed(MODES)]:
        assert runs.blocks(precision=mode[0], fast=mode[1]) == expected[mode], mode
    # Only a forum page's balanced runs are left to bare_extraction.
    assert calls == ([(False, False)] * 2 if name == "forum thread" else [])
    assert etree.tostring(tree) == before  # the page itself is never changed


def test_a_stand_in_for_trafilatura_is_called_as_before() -> None:
    calls: list[dict[str, object]] = []

    class StandIn:
        def bare_extraction(self, tree: object, **options: object) -> None:
            calls.append(options)

    tree = _parse(PAGES["nothing"])
    assert tree is not None
    assert story_runs.PageRuns(StandIn(), tree, None).blocks(precision=True, fast=True) == []
    assert calls and calls[0]["favor_precision"] is True
