"""Story text that trafilatura's precision mode leaves out, put back: paragraphs
from twin containers, section titles and lists between story paragraphs, and
the lede above the first paragraph."""

from __future__ import annotations

import re
from typing import Any

import lxml.html
from lxml import etree

from reader.core.cleaner.story_blocks import WORD, Block, collapse, link_share, word_count

_TAG = re.compile(r"<[^>]{0,300}>")

_COMMENTS = re.compile(r"comment|repl(?:y|ies)|discuss|respon|disqus", re.I)


def _depth(element: etree._Element) -> int:
    return sum(1 for _ in element.iterancestors())


def _in_comments(element: etree._Element) -> bool:
    for node in element.iterancestors():
        marks = f"{node.get('class') or ''} {node.get('id') or ''}"
        if marks.strip() and _COMMENTS.search(marks):
            return True
    return False


# --- story split over several containers ---------------------------------------

_P_WITH_TEXT = etree.XPath("//p[normalize-space(.) = $text]")
_SAME_CLASS = etree.XPath("//*[local-name() = $tag][@class = $cls]")
_CHUNK_MIN_WORDS = 12


def recover_chunks(tree: lxml.html.HtmlElement, blocks: list[Block]) -> list[Block]:
    """Add paragraphs from sibling containers of the story's own container.

    Some layouts cut one story into several identical containers (the same tag
    and class attribute) with ads or widgets in between; trafilatura then keeps
    only one of them. A container that is an exact twin of the one holding the
    story's longest paragraph holds more of the same story: its substantial,
    unlinked paragraphs are merged in, in page order.
    """
    paragraphs = [block for block in blocks if block.kind == "p"]
    if not paragraphs:
        return blocks
    anchor = max(paragraphs, key=lambda block: len(block.text))
    if len(anchor.text) < 100:
        return blocks
    hits = _P_WITH_TEXT(tree, text=anchor.text)
    if len(hits) != 1:
        return blocks
    container = hits[0].getparent()
    cls = container.get("class") if container is not None else None
    if container is None or not cls or not isinstance(container.tag, str):
        return blocks
    # Twins sit at the same depth and outside comment threads, whose posts often
    # reuse the article body's class.
    depth = _depth(container)
    twins = [
        twin
        for twin in _SAME_CLASS(tree, tag=container.tag, cls=cls)
        if twin is container or (_depth(twin) == depth and not _in_comments(twin))
    ]
    if len(twins) < 2:
        return blocks
    story_words = " " + " ".join(WORD.findall(" ".join(b.text for b in blocks))) + " "

    position = {block.text: i for i, block in enumerate(blocks)}
    inserts: dict[int, list[Block]] = {}
    last = -1  # index in blocks of the last story paragraph seen, in page order
    added = 0
    for twin in twins:
        for element in twin.iter("p"):
            text = collapse(element.text_content())
            if text in position:
                last = position[text]
                continue
            if word_count(text) < _CHUNK_MIN_WORDS or link_share(element, text) > 0.3:
                continue
            if " " + " ".join(WORD.findall(text)) + " " in story_words:
                continue  # already there, spelled slightly differently
            inserts.setdefault(last, []).append(Block("p", text))
            position[text] = last
            added += 1
    if not added:
        return blocks
    merged: list[Block] = list(inserts.get(-1, []))
    for i, block in enumerate(blocks):
        merged.append(block)
        merged.extend(inserts.get(i, []))
    return merged


# --- headings and lists between story paragraphs ----------------------------

_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_UNITS = frozenset({"p", "ul", "ol", "dl", "blockquote", "pre", "table", "figure"} | _HEADINGS)
# A <header> inside the story container heads a section: it is not furniture here.
_OFF_STORY = frozenset({"nav", "aside", "footer", "form", "button", "figure", "select"})
_OFF_STORY_MARKS = re.compile(
    r"share|social|related|recommend|teaser|breadcrumb|\bnav|menu|\btags?\b|comment|"
    r"author|newsletter|promo|advert|\bads?\b|sidebar|widget|pagination|meta",
    re.I,
)


def _off_story(element: etree._Element, stop: etree._Element) -> bool:
    """Inside page furniture (nav, aside, share bar, ...) below ``stop``."""
    node: etree._Element | None = element
    while node is not None and node is not stop:
        if isinstance(node.tag, str):
            if node.tag in _OFF_STORY:
                return True
            marks = f"{node.get('class') or ''} {node.get('id') or ''}"
            if marks.strip() and _OFF_STORY_MARKS.search(marks):
                return True
        node = node.getparent()
    return False


def _inside_block(element: etree._Element, tag: str, text: str, common: Any) -> Block | None:
    """A section title or a list standing in the story, or None (furniture, links)."""
    if _off_story(element, common) or link_share(element, text) > 0.3:
        return None
    if tag in _HEADINGS:
        return Block("h", text, level=max(int(tag[1]), 2)) if word_count(text) <= 25 else None
    if tag in ("ul", "ol"):
        items = tuple(
            t for li in element if isinstance(li.tag, str) and (t := collapse(li.text_content()))
        )
        if items and len(items) <= 30 and all(word_count(item) <= 80 for item in items):
            return Block("ul", " ".join(items), parts=items)
    return None


def recover_inside(
    tree: lxml.html.HtmlElement, blocks: list[Block], starts: Starts | None = None
) -> list[Block]:
    """Put back section titles and lists that precision mode left out of the
    middle of the story: only those whose neighbours on the page, before and
    after, are both story paragraphs, so a titled link box or a teaser list
    (followed by links, not by story) never qualifies."""
    paragraphs = [b for b in blocks if b.kind == "p" and word_count(b.text) >= 6]
    if len(paragraphs) < 2:
        return blocks
    first = _innermost(tree, " ".join(paragraphs[0].text.split()[:8]), starts)
    if first is None:
        return blocks
    common = first.getparent()
    story_words = " " + " ".join(WORD.findall(" ".join(b.text for b in blocks))).lower() + " "
    known = {block.text: i for i, block in enumerate(blocks)}
    # Widen to the container that holds most of the story.
    while common is not None and common.tag not in ("body", "html"):
        if len(collapse(common.text_content())) >= 0.8 * sum(len(p.text) for p in paragraphs):
            break
        common = common.getparent()
    if common is None or common.tag in ("body", "html"):
        return blocks
    if next(common.iter(*_HEADINGS, "ul", "ol"), None) is None:
        return blocks  # nothing of the kind to put back
    units: list[tuple[str, Any]] = []  # ("story", index) / ("cand", block) / ("other", None)
    inner: set[etree._Element] = set()  # units inside the last unit: part of it
    for element in common.iter(*_UNITS):
        if element in inner:
            continue
        tag = element.tag
        inner = set(element.iter(*_UNITS))
        text = collapse(element.text_content())
        if not text:
            continue
        if text in known:
            units.append(("story", known[text]))
        elif _spaced_words(element) in story_words:
            units.append(("story", None))
        else:
            found = _inside_block(element, tag, text, common)
            units.append(("cand", found) if found is not None else ("other", None))
    inserts: dict[int, list[Block]] = {}
    last_story: int | None = None
    run: list[Block] = []
    for kind, value in units:
        if kind == "story":
            if run and last_story is not None:
                inserts.setdefault(last_story, []).extend(run)
            run = []
            if value is not None:
                last_story = value
        elif kind == "cand" and last_story is not None:
            run.append(value)
        else:
            run = []
    if not inserts:
        return blocks
    merged: list[Block] = []
    for i, block in enumerate(blocks):
        merged.append(block)
        merged.extend(inserts.get(i, []))
    return merged


def _spaced_words(element: etree._Element) -> str:
    """The element's words, lowercased, list items and cells apart, with a
    space on either side (for a substring test against the story's words)."""
    spaced = " ".join(element.itertext())
    return " " + " ".join(WORD.findall(spaced)).lower() + " "


# --- the lede ---------------------------------------------------------------

# Elements by the first word of their own text, looked up once per page.
Starts = dict[str, list[etree._Element]]
# Parents of the text nodes holding $word: a substring test on text nodes is
# the cheapest filter libxml2 offers; the start is checked in Python.
_TEXT_PARENTS = etree.XPath("//body//text()[contains(., $word)]/..")
_XML_SPACE = " \t\r\n"  # what XPath's normalize-space() strips


def _own_text_starts(tree: lxml.html.HtmlElement, word: str) -> list[etree._Element]:
    """Elements under <body> whose own first non-blank text starts with ``word``
    (after XML whitespace), in page order."""
    found = []
    for element in _TEXT_PARENTS(tree, word=word):
        if element.tag == "body":
            continue
        own = [element.text or "", *(child.tail or "" for child in element)]
        first = next((text for text in own if text.strip(_XML_SPACE)), "")
        if first.lstrip(_XML_SPACE).startswith(word):
            found.append(element)
    return found


_LEDE_MIN_WORDS = 8
_LEDE_TAGS = frozenset({"p", "div", "h2", "h3", "strong", "span", "section", "b", "em"})


def _innermost(
    tree: lxml.html.HtmlElement, prefix: str, starts: Starts | None = None
) -> etree._Element | None:
    """The first, innermost element whose text starts with ``prefix`` (collapsed).

    ``starts`` keeps the page's elements by the first word of their own text,
    for the passes that look up the same paragraph's start in turn."""
    words = prefix.split()
    if not words:
        return None
    starts = {} if starts is None else starts
    found = starts.get(words[0])
    if found is None:
        found = starts[words[0]] = _own_text_starts(tree, words[0])
    for candidate in found:
        node: etree._Element | None = candidate
        while node is not None:  # climb while the text is a start of the prefix
            text = collapse(node.text_content())
            if text.startswith(prefix):
                return node
            if not prefix.startswith(text):
                break
            node = node.getparent()
    return None


def recover_lede(
    tree: lxml.html.HtmlElement,
    blocks: list[Block],
    meta: dict[str, str],
    starts: Starts | None = None,
) -> list[Block]:
    """Put back the lede (standfirst, teaser, intro) that trafilatura left out.

    Many pages set the summary above the story apart (in the article header, in a
    "teaser" or "intro" element) and trafilatura drops it with the header. Two
    ways to know it: the page names its own summary in its description metadata
    (a visible element that begins with that description), or the element says
    what it is in its class ("lead", "intro", "standfirst", ...) and stands
    between the headline and the story. Either way it must come before the
    story's first paragraph, and it goes right before that paragraph.
    """
    at = next((i for i, b in enumerate(blocks) if b.kind == "p" and word_count(b.text) >= 6), None)
    if at is None:
        return blocks
    story = " " + " ".join(WORD.findall(" ".join(b.text for b in blocks))).lower() + " "
    lede = _described_lede(tree, meta, story, starts)
    start = None
    if lede is None or not _may_lead(lede):
        # The description may match another element (a teaser in a sidebar):
        # the element marked as the lede is the next witness.
        start = _innermost(tree, " ".join(blocks[at].text.split()[:6]), starts)
        lede = _marked_lede(tree, start, story) if start is not None else None
    if lede is None or not _may_lead(lede):
        return blocks
    text = collapse(lede.text_content())
    if word_count(text) < _LEDE_MIN_WORDS or word_count(text) > 120 or link_share(lede, text) > 0.3:
        return blocks
    if " " + " ".join(WORD.findall(text)).lower() + " " in story:
        return blocks
    if start is None:
        start = _innermost(tree, " ".join(blocks[at].text.split()[:6]), starts)
    if start is None:
        return blocks
    if not _comes_before(tree, lede, start):
        return blocks
    return [*blocks[:at], Block("p", text), *blocks[at:]]


def _may_lead(element: etree._Element) -> bool:
    """A block of text outside links, navigation, footers, forms and lists."""
    return (
        isinstance(element.tag, str)
        and element.tag in _LEDE_TAGS
        and not any(
            isinstance(a.tag, str) and a.tag in ("a", "nav", "footer", "button", "form", "li")
            for a in element.iterancestors()
        )
    )


def _comes_before(tree: lxml.html.HtmlElement, first: Any, second: Any) -> bool:
    """Whether ``first`` comes before ``second`` in page order (both in ``tree``):
    the walk stops at whichever it meets first."""
    for element in tree.iter():
        if element is second:
            return False
        if element is first:
            return True
    return False


def _described_lede(
    tree: lxml.html.HtmlElement, meta: dict[str, str], story: str, starts: Starts | None
) -> etree._Element | None:
    """The visible element that begins with the page's description, if the story lacks it."""
    for key in ("og:description", "description", "twitter:description"):
        # Some pages put markup in their description.
        description = collapse(_TAG.sub(" ", meta.get(key, "")))
        if word_count(description) >= _LEDE_MIN_WORDS:
            # Descriptions are often cut off ("..."): match on their first words.
            prefix = " ".join(description.split()[:_LEDE_MIN_WORDS])
            if " " + " ".join(WORD.findall(prefix)).lower() + " " in story:
                return None
            return _innermost(tree, prefix, starts)
    return None


_LEDE_CLASS = re.compile(
    r"(?:^|[\s_-])(?:lead|lede|intro|standfirst|summary|abstract|dek|teaser|excerpt|"
    r"subtitle|subheadline|deck)(?:$|[\s_-])",
    re.I,
)


def _marked_lede(
    tree: lxml.html.HtmlElement, start: etree._Element, story: str
) -> etree._Element | None:
    """An element whose class calls it the lede, after the headline (<h1>) and
    before the story's first paragraph, inside the container they share."""
    h1 = tree.find(".//body//h1")
    if h1 is None:
        return None
    ancestors = set(h1.iterancestors())
    common = next((a for a in start.iterancestors() if a in ancestors), None)
    if common is None or common.tag in ("body", "html"):
        return None
    started = False
    for element in common.iter():
        if element is h1:
            started = True
        elif element is start:
            return None
        elif (
            started
            and isinstance(element.tag, str)
            and element.tag in ("p", "div")
            and _LEDE_CLASS.search(element.get("class") or "")
            and word_count(element.text_content()) >= _LEDE_MIN_WORDS
        ):
            return element
    return None
