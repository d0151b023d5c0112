"""Story extraction from whole web pages.

trafilatura finds the story (fast precision mode first, dearer modes only when
that keeps a sliver). Our own passes then:

* turn its tree into a small fragment (<p>, <h2>.., <ul><li>, <blockquote>,
  <pre>), splitting paragraphs at line breaks (``story_blocks``);
* put back what precision mode left out: paragraphs from twin containers,
  section titles and lists inside the story, the lede (``recover``);
* drop the furniture it lets through: the repeated headline, bylines and date
  lines, "Related:"/"Read more" pointers, calls to sign up/follow/share,
  reporting credits, copyright lines and trailing tag lists, and list what
  the page holds outside the story with its reason (``furniture``);
* put the story's links back (trafilatura loses text next to links when asked
  to keep them), matching paragraphs to the page's own blocks (``story_blocks``).

Metadata comes from the page's JSON-LD and meta tags, which is far cheaper than
trafilatura's metadata pass (``page_meta``). trafilatura is imported lazily
(~135 ms).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from typing import Any

import lxml.html
from lxml import etree

from reader.core.cleaner.furniture import left_out, tidy
from reader.core.cleaner.page_meta import meta_tags, page_metadata, title_candidates
from reader.core.cleaner.recover import Starts, recover_chunks, recover_inside, recover_lede
from reader.core.cleaner.story_blocks import Block, collapse, link_share, render, source_links
from reader.core.cleaner.story_runs import PageRuns


@dataclass(slots=True)
class ExtractedStory:
    html: str  # clean fragment: <p>, <h2>, <blockquote>, <ul><li>, <figure>, <pre>, <a href>
    title: str | None = None
    author: str | None = None
    published: float | None = None  # POSIX seconds UTC, from page metadata
    canonical_url: str | None = None
    lead_image: str | None = None  # alt text or caption of the lead image
    # What our own passes dropped from trafilatura's story, for explanations:
    # (index of the next kept block, text, rule).
    dropped: list[tuple[int, str, str]] = field(default_factory=list)


# --- decoding and parsing ----------------------------------------------------

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([\w.:-]+)""", re.I)
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode_page(body: bytes, content_type: str | None = None) -> str:
    """A fetched page as text, in the order browsers trust: a byte-order mark,
    the HTTP charset, UTF-8 when the bytes are valid UTF-8, the page's own
    <meta> charset, UTF-8 with replacement when the bytes are UTF-8 but for a
    few stray ones, then a guess from the bytes (trafilatura's detector), and
    Windows-1252 with replacement as the last resort. Never raises."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(codec, "replace")
    declared = _HEADER_CHARSET.search(content_type or "")
    candidates = [declared.group(1)] if declared else []
    candidates.append("utf-8")
    meta = _META_CHARSET.search(body[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii", "ignore"))
    for codec in candidates:
        try:
            return body.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    mostly = _mostly_utf8(body)
    if mostly is not None:
        return mostly
    try:
        from trafilatura.utils import detect_encoding

        for codec in detect_encoding(body):
            try:
                return body.decode(codec)
            except (LookupError, UnicodeDecodeError):
                continue
    except Exception:  # the detector is optional help, never a failure
        pass
    return body.decode("cp1252", "replace")


def _mostly_utf8(body: bytes) -> str | None:
    """UTF-8 with a few stray bytes (a legacy snippet pasted into a UTF-8
    page), decoded as UTF-8 with replacement as browsers do; None when the
    invalid bytes are not rare beside the valid multi-byte characters (text in
    a single-byte codec has almost none of those)."""
    text = body.decode("utf-8", "replace")
    invalid = text.count("\ufffd")
    multibyte = len(text) - len(text.encode("ascii", "ignore")) - invalid
    return text if multibyte >= _UTF8_SHARE * invalid else None


_UTF8_SHARE = 10  # valid multi-byte characters per invalid byte, at least


@lru_cache(maxsize=1)
def _html_parser() -> lxml.html.HTMLParser:
    """trafilatura's HTML parser settings with a C-level element class lookup.

    lxml.html's default lookup is a Python callback run for every element proxy
    created, which trafilatura's runs and ours create by the hundred thousand;
    the only elements it treats specially are form controls, which neither uses.
    """
    parser = lxml.html.HTMLParser(
        collect_ids=False,
        default_doctype=False,
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
    )
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement,
            comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity,
        )
    )
    return parser


def _parse(html: str) -> lxml.html.HtmlElement | None:
    """The page as trafilatura's load_html parses it (its repairs; comments and
    PIs dropped, which its extractor relies on), or None when there is nothing
    usable."""
    if not html or not html.strip():
        return None
    from trafilatura.utils import is_dubious_html  # lazy: ~135 ms

    beginning = html[:50].lower()
    html = _repair(html, beginning)
    parser = _html_parser()
    tree = None
    try:
        tree = lxml.html.fromstring(html, parser=parser)
    except ValueError:  # a string with an encoding declaration: parse the bytes
        pass
    except etree.LxmlError:
        return None
    if tree is None or len(tree) < 1:
        try:
            tree = lxml.html.fromstring(html.encode("utf8", "surrogatepass"), parser=parser)
        except (ValueError, etree.LxmlError):
            return None
    if not isinstance(tree, lxml.html.HtmlElement):
        return None
    # Like load_html: without an <html> mark, a one-child tree is not a page.
    if is_dubious_html(beginning) and len(tree) < 2:
        return None
    _drop_invisible(tree)
    return tree


# What trafilatura's INVALID_XML_CHARS deletes, in UTF-8: C0 controls but tab,
# newline and carriage return (single bytes), and U+FFFE/U+FFFF (EF BF BE/BF).
_XML_INVALID_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def _repair(html: str, beginning: str) -> str:
    """trafilatura's repair_faulty_html. Its first step, deleting the characters
    XML forbids, is a regex pass over the whole page (about a millisecond on a
    large one); most pages hold none, which a byte scan in C tells several times
    faster, and then only its repairs of the first lines run (the same code)."""
    from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML, repair_faulty_html

    data = html.encode("utf-8", "surrogatepass")
    invalid = len(data.translate(None, _XML_INVALID_BYTES)) != len(data)
    if invalid or b"\xef\xbf\xbe" in data or b"\xef\xbf\xbf" in data:
        return str(repair_faulty_html(html, beginning))
    if "doctype" in beginning:
        firstline, _, rest = html.partition("\n")
        html = DOCTYPE_TAG.sub("", firstline, count=1) + "\n" + rest
    for line in html[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            html = FAULTY_HTML.sub(r"\1>", html, count=1)
            break
    return html


def _drop_invisible(tree: lxml.html.HtmlElement) -> None:
    """Remove scripts, styles and inline SVG, which no pass reads and every
    trafilatura run copies (several times) before discarding them; JSON-LD
    stays for the metadata and trafilatura's page-type checks. Also empty
    inline formatting ("<strong></strong>"): trafilatura's precision mode
    deletes empty elements *with the text after them*, which is the rest of
    the sentence; dropped here, that text stays."""
    doomed = [
        element
        for element in tree.iter("script", "style", "svg", *_EMPTY_INLINE)
        if (element.tag != "script" or element.get("type") != "application/ld+json")
        and (
            element.tag not in _EMPTY_INLINE
            or (element.text is None and element.tail and not len(element))
        )
    ]
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()  # keeps the text that follows it


# Inline elements trafilatura deletes when empty (its CUT_EMPTY_ELEMS).
_EMPTY_INLINE = ("b", "em", "i", "q", "span", "strong")


# --- fallbacks ----------------------------------------------------------------


def _readability_fragment(html: str) -> str:
    try:
        from readability import Document
    except ImportError:
        return ""
    try:
        summary = Document(html).summary(html_partial=True)
        root = lxml.html.fragment_fromstring(summary, create_parent="div")
    except Exception:  # readability raises a variety of errors on odd pages
        return ""
    paragraphs = [" ".join(p.text_content().split()) for p in root.iter("p")]
    return "".join(f"<p>{escape(p, quote=False)}</p>" for p in paragraphs if p)


def _paragraph_fragment(tree: lxml.html.HtmlElement) -> str:
    texts = (" ".join(p.text_content().split()) for p in tree.iter("p"))
    return "".join(f"<p>{escape(t, quote=False)}</p>" for t in texts if len(t) > 40)


# --- entry point ---------------------------------------------------------------


def extract_story(html: str, url: str | None = None) -> ExtractedStory:
    """The story of a whole web page as a clean fragment plus its metadata.

    Never raises on bad input: an empty or unparsable page gives an empty story.
    """
    tree = _parse(html)
    if tree is None:
        return ExtractedStory(html="")
    tags = meta_tags(tree)
    meta = page_metadata(tree, url, tags)
    base = url or meta["canonical_url"]

    import trafilatura  # lazy (already loaded by _parse)

    blocks = _best_blocks(trafilatura, tree, url)
    blocks = recover_chunks(tree, blocks)
    starts: Starts = {}
    blocks = recover_inside(tree, blocks, starts)
    blocks = recover_lede(tree, blocks, tags, starts)
    dropped: list[tuple[int, str, str]] = []
    titles = title_candidates(tree, meta["title"])
    blocks = tidy(blocks, titles, dropped)
    story = "\n".join(block.text for block in blocks)
    links = source_links(tree, base, story) if blocks else {}
    fragment = "".join(render(block, links) for block in blocks)
    if not fragment:
        fragment = _readability_fragment(html) or _paragraph_fragment(tree)
        story, dropped = fragment_text(fragment), []
    # Everything else on the page, so that nothing disappears unexplained.
    dropped = left_out(tree, story, titles, len(blocks)) + dropped
    return ExtractedStory(html=fragment, dropped=dropped, **meta)


_SHORT_STORY = 600  # characters: a sliver
_CHECKED_STORY = 1000  # characters: short enough to try the full precision mode


def _length(blocks: list[Block]) -> int:
    return sum(len(block.text) for block in blocks)


def _best_blocks(trafilatura: Any, tree: lxml.html.HtmlElement, url: str | None) -> list[Block]:
    """trafilatura's story, trying dearer configurations only when a cheaper one fails.

    Fast precision mode (no comparison with its bundled readability/justext) is as
    good as the full mode on almost every page and a third faster. Signs that it
    fell short: it kept a short text (a teaser, a reprint notice, the first
    section of a story whose markup changes after it), or much less than the
    page's own paragraphs and list items hold (or, on a page that sets its text
    in neither, a story of a few paragraphs, which nothing confirms). A short
    text gets the full precision mode, taken
    when it finds clearly more (or, below a sliver, anything); a story still a
    sliver or much shorter than the page's paragraphs gets the full balanced
    (recall-leaning) mode, taken only when it finds at least twice as much,
    since on such pages it can return the whole page.
    """
    runs = PageRuns(trafilatura, tree, url)
    blocks = runs.blocks(precision=True, fast=True)
    length = _length(blocks)
    paragraphs = _paragraph_chars(tree)
    # A page whose text is not set in <p> or <li> (forums, recipe cards, posts
    # broken by <br>) gives no measure of truncation: a story of a few
    # paragraphs there is checked against balanced mode.
    unmeasured = paragraphs < _UNMEASURED * length and length < _UNMEASURED_MAX
    truncated = length < _TRUNCATED_SHARE * paragraphs or unmeasured
    if length >= _CHECKED_STORY and not truncated:
        return blocks
    if length < _CHECKED_STORY and (length < _SHORT_STORY or not unmeasured):
        full = runs.blocks(precision=True, fast=False)
        if length < _SHORT_STORY:
            if _length(full) >= _SHORT_STORY or (_length(full) >= length and full):
                blocks = full
        elif _length(full) >= 2 * length:
            blocks = full
    if _length(blocks) >= _SHORT_STORY and not truncated:
        return blocks
    balanced = runs.blocks(precision=False, fast=False)
    return balanced if _length(balanced) >= 2 * max(_length(blocks), 1) else blocks


_TRUNCATED_SHARE = 0.35
_UNMEASURED = 0.5  # paragraphs under half the story: not how the page sets its text
_UNMEASURED_MAX = 2500  # characters: a few paragraphs
# Paragraphs and list items holding no paragraph or list of their own.
_PARAGRAPHS = etree.XPath("//body//p | //body//li[not(.//p or .//li)]")


def _paragraph_chars(tree: lxml.html.HtmlElement) -> int:
    """Characters in the page's substantial, mostly unlinked paragraphs and list items."""
    total = 0
    for element in _PARAGRAPHS(tree):
        raw = element.text_content()
        if len(raw) < 40:
            continue  # collapsing whitespace never lengthens it
        text = collapse(raw)
        if len(text) >= 40 and link_share(element, text) < 0.5:  # news roundups link a lot
            total += len(text)
    return total


def fragment_text(fragment: str) -> str:
    """Plain text of a fragment: one block per line pair, like the product's canonical text."""
    if not fragment.strip():
        return ""
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    texts: list[str] = []
    for element in root.iter("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "figcaption"):
        text = " ".join(element.text_content().split())
        if text:
            texts.append(text)
    return "\n\n".join(texts)
