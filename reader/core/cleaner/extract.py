"""Story extraction from whole web pages.

trafilatura finds the story (fast precision mode first, dearer modes only when
that keeps a sliver). Our own passes then:

* turn its tree into a small fragment (<p>, <h2>.., <ul><li>, <blockquote>,
  <pre>), splitting paragraphs at line breaks;
* merge in paragraphs from twin containers when a layout cuts the story body
  into several identical blocks and trafilatura kept only one;
* drop the furniture it lets through: the repeated headline, bylines and date
  lines, "Related:"/"Read more" pointers, calls to sign up/follow/share,
  reporting credits, copyright lines and trailing tag lists;
* put the story's links back (trafilatura loses text next to links when asked
  to keep them), matching paragraphs to the page's own blocks.

Metadata comes from the page's JSON-LD and meta tags, which is far cheaper than
trafilatura's metadata pass. trafilatura is imported lazily (~135 ms).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from html import escape
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from reader.core.cleaner.sentences import split_sentences
from reader.core.sanitize import clean_line


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
    <meta> charset, then a guess from the bytes (trafilatura's detector), and
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


def _parse(html: str) -> lxml.html.HtmlElement | None:
    """The page as trafilatura parses it (comments and PIs dropped, which its
    extractor relies on), or None when there is nothing usable."""
    if not html or not html.strip():
        return None
    import trafilatura  # lazy: importing it costs ~135 ms

    try:
        tree = trafilatura.load_html(html)
    except (TypeError, ValueError, etree.LxmlError):
        return None
    return tree if isinstance(tree, lxml.html.HtmlElement) else None


# --- metadata ---------------------------------------------------------------

_ARTICLE_TYPES = re.compile(r"Article|BlogPosting|Report|NewsArticle|WebPage", re.I)


def _json_ld_objects(tree: lxml.html.HtmlElement) -> Iterator[dict[str, Any]]:
    """Every dict in the page's JSON-LD, flattening lists and @graph."""
    for script in tree.iterfind('.//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack: list[Any] = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                yield item
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(reversed(graph))


def _ld_article(tree: lxml.html.HtmlElement) -> dict[str, Any]:
    """The JSON-LD object that describes the article (most specific type wins)."""
    best: dict[str, Any] = {}
    best_rank = 99
    for obj in _json_ld_objects(tree):
        types = obj.get("@type")
        names = " ".join(types) if isinstance(types, list) else str(types or "")
        if not _ARTICLE_TYPES.search(names):
            continue
        rank = 2 if "WebPage" in names and "Article" not in names else 1
        if rank < best_rank:
            best, best_rank = obj, rank
    return best


def _meta(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """<meta> property/name -> content (first one wins), keys lower-cased."""
    found: dict[str, str] = {}
    for meta in tree.iterfind(".//meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = meta.get("content")
        if key and content and content.strip():
            found.setdefault(key.strip().lower(), content.strip())
    return found


def _ld_names(value: Any) -> list[str]:
    """Names out of a JSON-LD author value (string, Person, or a list of them)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        return [name] if isinstance(name, str) else []
    if isinstance(value, list):
        return [name for item in value for name in _ld_names(item)]
    return []


def _parse_date(value: Any) -> float | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    # Drop sub-second digits fromisoformat may not accept (e.g. 7 digits).
    text = re.sub(r"(\d{2}:\d{2}:\d{2})\.\d+", r"\1", text)
    # "+0000" offsets -> "+00:00"
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # no zone given: UTC is the least wrong guess
    return moment.timestamp()


def _http_url(value: Any, base: str | None) -> str | None:
    if isinstance(value, dict):
        value = value.get("@id") or value.get("url")
    if not isinstance(value, str) or not value.strip():
        return None
    absolute = urljoin(base or "", value.strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


_TITLE_SUFFIX = re.compile(r"\s+[|\u2013\u2014-]\s+[^|\u2013\u2014-]{2,40}$")


def _metadata(tree: lxml.html.HtmlElement, url: str | None) -> dict[str, Any]:
    meta = _meta(tree)
    ld = _ld_article(tree)

    title = ld.get("headline") if isinstance(ld.get("headline"), str) else None
    title = title or meta.get("og:title") or meta.get("twitter:title")
    if not title:
        page_title = tree.findtext(".//title") or ""
        title = _TITLE_SUFFIX.sub("", page_title.strip()) or None
    if not title:
        h1 = tree.find(".//h1")
        title = h1.text_content() if h1 is not None else None

    authors = _ld_names(ld.get("author"))
    if not authors:
        for key in ("author", "article:author", "byl", "dc.creator", "sailthru.author"):
            candidate = meta.get(key)
            if candidate and not candidate.startswith(("http://", "https://")):
                authors = [candidate]
                break
    authors = [clean_line(a) for a in authors if clean_line(a)]
    author = ", ".join(dict.fromkeys(authors)) or None

    published = _parse_date(ld.get("datePublished"))
    for key in (
        "article:published_time",
        "og:published_time",
        "datepublished",
        "pubdate",
        "publishdate",
        "date",
        "dc.date.issued",
        "parsely-pub-date",
        "sailthru.date",
    ):
        if published is not None:
            break
        published = _parse_date(meta.get(key))
    if published is None:
        time_el = tree.find(".//time[@datetime]")
        if time_el is not None:
            published = _parse_date(time_el.get("datetime"))

    canonical = None
    for link in tree.iterfind(".//link[@rel]"):
        if "canonical" in (link.get("rel") or "").lower().split():
            canonical = _http_url(link.get("href"), url)
            break
    canonical = (
        canonical
        or _http_url(meta.get("og:url"), url)
        or _http_url(ld.get("mainEntityOfPage"), url)
        or _http_url(ld.get("url"), url)
    )

    lead = meta.get("og:image:alt") or meta.get("twitter:image:alt")
    image = ld.get("image")
    if not lead and isinstance(image, list) and image:
        image = image[0]
    if not lead and isinstance(image, dict):
        caption = image.get("caption") or image.get("description")
        lead = caption if isinstance(caption, str) else None
    if not lead:
        lead = _first_figure_caption(tree)

    return {
        "title": clean_line(title) or None if title else None,
        "author": author,
        "published": published,
        "canonical_url": canonical,
        "lead_image": clean_line(lead, limit=500) or None if lead else None,
    }


def _first_figure_caption(tree: lxml.html.HtmlElement) -> str | None:
    root = tree.find(".//article") if tree.find(".//article") is not None else tree
    figure = root.find(".//figure")
    if figure is None:
        return None
    caption = figure.find(".//figcaption")
    if caption is not None and caption.text_content().strip():
        return str(caption.text_content())
    img = figure.find(".//img[@alt]")
    return img.get("alt") if img is not None and (img.get("alt") or "").strip() else None


# --- trafilatura tree -> blocks ---------------------------------------------


@dataclass(slots=True)
class _Block:
    kind: str  # "p", "h", "ul", "quote", "pre"
    text: str  # plain text, whitespace collapsed (for "pre": as is)
    parts: tuple[str, ...] = ()  # list items / quote paragraphs
    level: int = 0  # heading level


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _lines(element: etree._Element) -> list[str]:
    """Text of a trafilatura element, split at its line breaks (<lb/>), blank lines dropped.

    A broken line ("June 9 -- Venue") is its own block to a reader, so paragraphs
    are split there rather than glued together.
    """
    lines: list[str] = [""]

    def walk(node: etree._Element) -> None:
        lines[-1] += node.text or ""
        for child in node:
            if child.tag == "lb":
                lines.append("")
            elif isinstance(child.tag, str) and child.tag != "graphic":
                walk(child)
            lines[-1] += child.tail or ""

    walk(element)
    return [text for line in lines if (text := _collapse(line))]


def _paragraphs(lines: Iterable[str]) -> Iterator[_Block]:
    for line in lines:
        if text := _collapse(line):
            yield _Block("p", text)


def _blocks(body: etree._Element) -> Iterator[_Block]:
    """Blocks of trafilatura's output tree, in order."""
    # trafilatura leaves some story text loose, as the text or tail of container
    # children (e.g. a subheading it did not recognise): those are paragraphs too.
    yield from _paragraphs([body.text or ""])
    for element in body:
        yield from _element_blocks(element)
        yield from _paragraphs([element.tail or ""])


def _element_blocks(element: etree._Element) -> Iterator[_Block]:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag == "head":
        rend = element.get("rend") or ""
        level = max(int(rend[1]), 2) if re.fullmatch(r"h[1-6]", rend) else 2
        if text := " ".join(_lines(element)):
            yield _Block("h", text, level=level)
    elif tag == "list":
        items = tuple(text for item in element.iter("item") if (text := " ".join(_lines(item))))
        if items:
            yield _Block("ul", " ".join(items), parts=items)
    elif tag == "quote":
        lines = tuple(_lines(element))
        if lines:
            yield _Block("quote", " ".join(lines), parts=lines)
    elif tag == "code":
        code = "".join(element.itertext()).strip("\n")
        if code.strip():
            yield _Block("pre", code)
    elif tag == "table":
        # The fragment has no tables: each row becomes a paragraph of its cells.
        for row in element.iter("row"):
            cells = (_collapse("".join(cell.itertext())) for cell in row.iter("cell"))
            yield from _paragraphs([" ".join(c for c in cells if c)])
    elif tag == "div":
        yield from _blocks(element)
    elif tag:  # "p" and anything unexpected
        yield from _paragraphs(_lines(element))


# --- story split over several containers ---------------------------------------

_P_WITH_TEXT = etree.XPath("//p[normalize-space(.) = $text]")
_SAME_CLASS = etree.XPath("//*[local-name() = $tag][@class = $cls]")
_CHUNK_MIN_WORDS = 12


def _recover_chunks(tree: lxml.html.HtmlElement, blocks: list[_Block]) -> list[_Block]:
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
    story_words = " " + " ".join(_WORD.findall(" ".join(b.text for b in blocks))) + " "

    position = {block.text: i for i, block in enumerate(blocks)}
    inserts: dict[int, list[_Block]] = {}
    last = -1  # index in blocks of the last story paragraph seen, in page order
    added = 0
    for twin in twins:
        for element in twin.iter("p"):
            text = _collapse(element.text_content())
            if text in position:
                last = position[text]
                continue
            if _words(text) < _CHUNK_MIN_WORDS or _link_share(element, text) > 0.3:
                continue
            if " " + " ".join(_WORD.findall(text)) + " " in story_words:
                continue  # already there, spelled slightly differently
            inserts.setdefault(last, []).append(_Block("p", text))
            position[text] = last
            added += 1
    if not added:
        return blocks
    merged: list[_Block] = list(inserts.get(-1, []))
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


def _inside_block(element: etree._Element, tag: str, text: str, common: Any) -> _Block | None:
    """A section title or a list standing in the story, or None (furniture, links)."""
    if _off_story(element, common) or _link_share(element, text) > 0.3:
        return None
    if tag in _HEADINGS:
        return _Block("h", text, level=max(int(tag[1]), 2)) if _words(text) <= 25 else None
    if tag in ("ul", "ol"):
        items = tuple(
            t for li in element if isinstance(li.tag, str) and (t := _collapse(li.text_content()))
        )
        if items and len(items) <= 30 and all(_words(item) <= 80 for item in items):
            return _Block("ul", " ".join(items), parts=items)
    return None


def _recover_inside(tree: lxml.html.HtmlElement, blocks: list[_Block]) -> list[_Block]:
    """Put back section titles and lists that precision mode left out of the
    middle of the story: only those whose neighbours on the page, before and
    after, are both story paragraphs, so a titled link box or a teaser list
    (followed by links, not by story) never qualifies."""
    paragraphs = [b for b in blocks if b.kind == "p" and _words(b.text) >= 6]
    if len(paragraphs) < 2:
        return blocks
    first = _innermost(tree, " ".join(paragraphs[0].text.split()[:8]))
    if first is None:
        return blocks
    common = first.getparent()
    story_words = " " + " ".join(_WORD.findall(" ".join(b.text for b in blocks))).lower() + " "
    known = {block.text: i for i, block in enumerate(blocks)}
    # Widen to the container that holds most of the story.
    while common is not None and common.tag not in ("body", "html"):
        if len(_collapse(common.text_content())) >= 0.8 * sum(len(p.text) for p in paragraphs):
            break
        common = common.getparent()
    if common is None or common.tag in ("body", "html"):
        return blocks
    if next(common.iter(*_HEADINGS, "ul", "ol"), None) is None:
        return blocks  # nothing of the kind to put back
    units: list[tuple[str, Any]] = []  # ("story", index) / ("cand", block) / ("other", None)
    skip: etree._Element | None = None
    for element in common.iter():
        if skip is not None and skip in element.iterancestors():
            continue
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag not in _UNITS:
            continue
        skip = element
        text = _collapse(element.text_content())
        if not text:
            continue
        spaced = " ".join(element.itertext())  # list items and cells apart
        if text in known:
            units.append(("story", known[text]))
        elif " " + " ".join(_WORD.findall(spaced)).lower() + " " in story_words:
            units.append(("story", None))
        else:
            found = _inside_block(element, tag, text, common)
            units.append(("cand", found) if found is not None else ("other", None))
    inserts: dict[int, list[_Block]] = {}
    last_story: int | None = None
    run: list[_Block] = []
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
    merged: list[_Block] = []
    for i, block in enumerate(blocks):
        merged.append(block)
        merged.extend(inserts.get(i, []))
    return merged


# --- the lede ---------------------------------------------------------------

# Elements whose own first words start with $word: cheap to find (no string
# value of whole subtrees), then checked in Python.
_OWN_TEXT_STARTS = etree.XPath(
    "//body//*[starts-with(normalize-space(text()[normalize-space()][1]), $word)]"
)
_LEDE_MIN_WORDS = 8
_LEDE_TAGS = frozenset({"p", "div", "h2", "h3", "strong", "span", "section", "b", "em"})


def _innermost(tree: lxml.html.HtmlElement, prefix: str) -> etree._Element | None:
    """The first, innermost element whose text starts with ``prefix`` (collapsed)."""
    words = prefix.split()
    if not words:
        return None
    for candidate in _OWN_TEXT_STARTS(tree, word=words[0]):
        node: etree._Element | None = candidate
        while node is not None:  # climb while the text is a start of the prefix
            text = _collapse(node.text_content())
            if text.startswith(prefix):
                return node
            if not prefix.startswith(text):
                break
            node = node.getparent()
    return None


def _recover_lede(
    tree: lxml.html.HtmlElement, blocks: list[_Block], meta: dict[str, str]
) -> list[_Block]:
    """Put back the lede (standfirst, teaser, intro) that trafilatura left out.

    Many pages set the summary above the story apart (in the article header, in a
    "teaser" or "intro" element) and trafilatura drops it with the header. Two
    ways to know it: the page names its own summary in its description metadata
    (a visible element that begins with that description), or the element says
    what it is in its class ("lead", "intro", "standfirst", ...) and stands
    between the headline and the story. Either way it must come before the
    story's first paragraph, and it goes right before that paragraph.
    """
    at = next((i for i, b in enumerate(blocks) if b.kind == "p" and _words(b.text) >= 6), None)
    if at is None:
        return blocks
    story = " " + " ".join(_WORD.findall(" ".join(b.text for b in blocks))).lower() + " "
    lede = _described_lede(tree, meta, story)
    start = None
    if lede is None:
        start = _innermost(tree, " ".join(blocks[at].text.split()[:6]))
        lede = _marked_lede(tree, start, story) if start is not None else None
    if lede is None or not isinstance(lede.tag, str) or lede.tag not in _LEDE_TAGS:
        return blocks
    if any(
        isinstance(a.tag, str) and a.tag in ("a", "nav", "footer", "button", "form", "li")
        for a in lede.iterancestors()
    ):
        return blocks
    text = _collapse(lede.text_content())
    if _words(text) < _LEDE_MIN_WORDS or _words(text) > 120 or _link_share(lede, text) > 0.3:
        return blocks
    if " " + " ".join(_WORD.findall(text)).lower() + " " in story:
        return blocks
    if start is None:
        start = _innermost(tree, " ".join(blocks[at].text.split()[:6]))
    if start is None:
        return blocks
    order = {element: i for i, element in enumerate(tree.iter())}
    if order.get(lede, 0) >= order.get(start, 0):
        return blocks
    return [*blocks[:at], _Block("p", text), *blocks[at:]]


def _described_lede(
    tree: lxml.html.HtmlElement, meta: dict[str, str], story: str
) -> etree._Element | None:
    """The visible element that begins with the page's description, if the story lacks it."""
    for key in ("og:description", "description", "twitter:description"):
        # Some pages put markup in their description.
        description = _collapse(_TAG.sub(" ", meta.get(key, "")))
        if _words(description) >= _LEDE_MIN_WORDS:
            # Descriptions are often cut off ("..."): match on their first words.
            prefix = " ".join(description.split()[:_LEDE_MIN_WORDS])
            if " " + " ".join(_WORD.findall(prefix)).lower() + " " in story:
                return None
            return _innermost(tree, prefix)
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
            and _words(element.text_content()) >= _LEDE_MIN_WORDS
        ):
            return element
    return None


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


def _link_share(element: etree._Element, text: str) -> float:
    linked = sum(len(_collapse(a.text_content())) for a in element.iter("a"))
    return linked / max(len(text), 1)


# --- links ----------------------------------------------------------------------

# Elements whose text a story paragraph corresponds to, for finding its links.
_LINK_HOSTS = frozenset(
    {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "td", "dd", "figcaption", "div"}
)


_STORY_ANCHORS = etree.XPath("//a[@href][normalize-space(.)][contains($story, normalize-space(.))]")


def _source_links(
    tree: lxml.html.HtmlElement, base: str | None, story: str
) -> dict[str, list[tuple[str, str]]]:
    """Links of the page, keyed by the collapsed text of the block that holds them.

    trafilatura drops text next to links when asked to keep them, so links are
    recovered here instead: a story block whose text equals a page block's text
    gets that block's links.
    """
    found: dict[str, list[tuple[str, str]]] = {}
    host_text: dict[etree._Element, str] = {}
    # Most anchors are navigation; libxml2 drops those whose label the story lacks.
    for anchor in _STORY_ANCHORS(tree, story=story):
        href = (anchor.get("href") or "").strip()
        label = _collapse(anchor.text_content())
        if href.startswith("#") or not label:
            continue
        absolute = _http_url(href, base)
        if not absolute:
            continue
        host = anchor.getparent()
        while host is not None and host.tag not in _LINK_HOSTS:
            host = host.getparent()
        if host is None:
            continue
        key = host_text.get(host)
        if key is None:
            key = host_text[host] = _collapse(host.text_content())
        found.setdefault(key, []).append((label, absolute))
    return found


def _linked(text: str, links: list[tuple[str, str]] | None) -> str:
    """Escaped text with each link label, in order, wrapped in <a href>."""
    if not links:
        return escape(text, quote=False)
    out: list[str] = []
    cursor = 0
    for label, href in links:
        at = text.find(label, cursor)
        if at < 0:
            continue
        out.append(escape(text[cursor:at], quote=False))
        out.append(f'<a href="{escape(href)}">{escape(label, quote=False)}</a>')
        cursor = at + len(label)
    out.append(escape(text[cursor:], quote=False))
    return "".join(out)


def _render(block: _Block, links: dict[str, list[tuple[str, str]]]) -> str:
    if block.kind == "h":
        return f"<h{block.level}>{_linked(block.text, links.get(block.text))}</h{block.level}>"
    if block.kind == "ul":
        items = "".join(f"<li>{_linked(item, links.get(item))}</li>" for item in block.parts)
        return f"<ul>{items}</ul>"
    if block.kind == "quote":
        lines = "".join(f"<p>{_linked(line, links.get(line))}</p>" for line in block.parts)
        return f"<blockquote>{lines}</blockquote>"
    if block.kind == "pre":
        return f"<pre>{escape(block.text, quote=False)}</pre>"
    return f"<p>{_linked(block.text, links.get(block.text))}</p>"


# --- boilerplate trafilatura lets through ---------------------------------------

_WORD = re.compile(r"\w+")
# Pointers to other stories: "Related: ...", "READ MORE: ...", "Don't miss".
_POINTER = re.compile(
    r"^(?:related(?: (?:articles?|stories|content|coverage|reading))?|read (?:more|also|next)|"
    r"see (?:more|also)|more|also(?: read| see)?|watch(?: more)?|don[’']t miss|"
    r"recommended(?: for you)?|most (?:read|popular|viewed)(?:\b.*)?|trending(?: now)?|"
    r"top stories|more from [^:]{1,40}|you (?:may|might) also like|leggi anche|"
    r"lesen sie auch|lire aussi|leia também|lea también|ver también|"
    # the same in other languages the reader meets: German, French, Spanish, Italian, Portuguese
    r"mehr zum thema|mehr (?:von|zu|aus)(?: [^:]{1,40})?|zum weiterlesen|auch interessant|"
    r"weiterführende (?:informationen|links|artikel)|"
    r"weitere (?:informationen|infos|artikel|beiträge|nachrichten|themen)(?: [^:]{1,40})?|"
    r"(?:das thema |das |dies )?könnte (?:dich|sie|euch) (?:auch )?interessieren|"
    r"meist(?:-| )?(?:gelesen|diskutiert|kommentiert)|"
    r"à lire aussi|a lire aussi|à lire également|sur le même sujet|voir aussi|"
    r"articles? (?:liés|similaires|associés)|"
    r"(?:le|te|les|os) (?:puede|pueden) interesar|(?:vea|lee|mira|veja) (?:también|também)|"
    r"(?:notas|noticias|artículos|notícias) relacionad[ao]s|"
    r"potrebbe interessarti|ti potrebbe interessare|articoli correlati|vedi anche)"
    r"\s*(?::|$|\||»|›)",
    re.I,
)
# All-caps section tags after a promo headline: "... [VIDEO]", "... [INSIGHT]|".
_PROMO_TAG = re.compile(r"\w.{15,}\[[A-Z][A-Z ]{2,}\]\s*\|?\s*$")
# Calls to act on the page rather than the story: sign up, follow, share, listen.
_CALL = re.compile(
    r"^(?:sign up|subscribe|like us on|join us|click here|tap here|share (?:this|on)|"
    r"follow (?:us|me|@|[\w.@ ]{1,40} on (?:twitter|x|facebook|instagram|youtube|tiktok|"
    r"linkedin|threads|bluesky|mastodon|social media))|"
    r"email (?:us|the writer|the author|\w+ at)|"
    r"reach (?:the )?(?:reporters?|writers?|authors?)|contact (?:the )?(?:reporters?|writers?)|"
    r"listen (?:to|on)\b.{0,60}\b(?:podcast|episode|live|spotify|apple|itunes|radio)|"
    r"download (?:the|our)\b.{0,40}\bapp|get (?:our|the)\b.{0,80}\b(?:newsletter|delivered|"
    r"inbox|app)|to order presentation-ready copies)\b",
    re.I,
)
# A newsletter pitch, as opposed to news about subscriptions: it addresses the reader.
_NEWSLETTER = re.compile(
    r"\bsign up\b.{0,80}\bnewsletters?\b|(?:^|[.!?:]\s+)subscribe\b.{0,80}\bnewsletters?\b|"
    r"\bsubscribe to (?:our|this|my)\b.{0,40}\bnewsletters?\b|"
    r"\bnewsletters?\b.{0,80}\b(?:sign up|subscribe (?:here|now|today|for free))\b|"
    r"\bdelivered (?:straight |directly |right )?to your (?:inbox|letterbox|door)",
    re.I,
)
# Credits for the reporting, usually the last line of a wire story.
_CREDIT = re.compile(
    r"^(?:\(?(?:additional )?reporting by\b|editing by\b|contributing:|"
    r"(?:[\w.’'-]+ ){1,30}contributed (?:to )?(?:this )?(?:report|reporting|story)\b)",
    re.I,
)
# Picture credits: "Titelbild: ...", "Crédits photos : ...", "Photo credit: ...".
_PICTURE_CREDIT = re.compile(
    r"^(?:titelbild|bildquelle|bildnachweis|fotos?|photos?|cr[ée]dits? photos?|"
    r"(?:photo|image|picture) credits?|foto(?:grafía)?s?|beitragsbild|header ?image)\s*:",
    re.I,
)
_COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright\b)|\ball rights reserved\b", re.I)
_BARE_LABEL = re.compile(
    r"^(?:advertisement|advertising|ad|comments?|\d+ comments?|share|share this(?: article| story)?|"
    r"tweet|print|email|tags?|topics?|filed under|related|continue reading|story continues below|"
    r"more|top)\W*$",
    re.I,
)
_LABEL_PREFIX = re.compile(r"^(?:tags?|topics?|filed under|categories|category|source)\s*:", re.I)
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE = re.compile(
    rf"\b(?:(?:{_MONTHS})\.? \d{{1,2}}\b|\d{{1,2}} (?:{_MONTHS})\b|\d{{1,4}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}\b|"
    rf"\d{{1,2}}:\d{{2}}\b|\d{{1,2}} de \w+ de \d{{4}})",
    re.I,
)
_DATE_WORDS = re.compile(
    r"^(?:updated|published|posted|last updated|first published|modified)\b|\bby [A-Z]", re.I
)
_BYLINE = re.compile(r"^by\s+[A-Z][\w.’'-]+(?:\s+[A-Z][\w.’'-]+){0,3}\s*(?:[,|].{0,60})?$")


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _is_boilerplate(block: _Block, index: int, count: int) -> bool:
    """True for a block that is page furniture, not story.

    Rules are deliberately narrow: each needs a short block and a telltale shape,
    and the position-dependent ones (dates, bylines, credits) only fire near the
    story's edges, where that furniture lives.
    """
    text = block.text
    words = _words(text)
    if words == 0:
        return True  # punctuation or invisible characters only
    # "___" dividers stay: wire stories use them between sections.
    if block.kind in ("pre", "quote"):
        return False
    near_start = index < 3
    near_end = index >= count - 3
    if words <= 6 and _BARE_LABEL.match(text):
        return True
    if words <= 40 and _LABEL_PREFIX.match(text):
        return True
    if near_end and _is_tag_list(text):
        return True
    if words <= 25 and (_POINTER.match(text) or _PROMO_TAG.search(text)):
        return True
    # A call or pitch that shares its block with other sentences is left to
    # the cleaner, which removes it sentence by sentence (the story glued to
    # it stays).
    if words <= 45 and (_CALL.match(text) or _NEWSLETTER.search(text)):
        return len(split_sentences(text)) <= 1
    if near_end and words <= 40 and _CREDIT.match(text):
        return True
    if (near_start or near_end) and words <= 15 and _PICTURE_CREDIT.match(text):
        return True
    if (near_start or near_end) and words <= 15 and _COPYRIGHT.search(text):
        return True
    if (near_start or near_end) and words <= 10 and _BYLINE.match(text):
        return True
    # A short date/time line at the top or bottom: "Updated 5:45 AM", "05/10/2018 - ...".
    return bool(
        (near_start or near_end)
        and words <= 14
        and _DATE.search(text)
        and (_DATE_WORDS.search(text) or words <= 8 or not text.rstrip().endswith((".", "!", "?")))
        and _date_share(text) >= 0.3
    )


def _is_tag_list(text: str) -> bool:
    """A trailing keyword list: many short comma-separated items and no sentence."""
    items = [item.strip() for item in re.split(r"[,;|]", text)]
    return (
        len(items) >= 5
        and all(0 < _words(item) <= 5 for item in items)
        and not re.search(r"[.!?]\s", text)
    )


def _date_share(text: str) -> float:
    """Share of the block's words that sit inside date/time/byline matter."""
    covered = sum(_words(m.group(0)) for m in _DATE.finditer(text))
    covered += 1 if _DATE_WORDS.search(text) else 0
    return covered / max(_words(text), 1)


def _same_words(a: str, b: str) -> bool:
    return [w.lower() for w in _WORD.findall(a)] == [w.lower() for w in _WORD.findall(b)]


def _tidy(
    blocks: list[_Block], titles: list[str], dropped: list[tuple[int, str, str]] | None = None
) -> list[_Block]:
    """Drop the repeated headline and the furniture around the story; what
    goes is listed in ``dropped`` as (index of the next kept block, text, rule)."""
    dropped = [] if dropped is None else dropped
    # The headline is shown separately; trafilatura often repeats it as the first block.
    while blocks and any(_same_words(blocks[0].text, title) for title in titles if title):
        dropped.append((0, blocks[0].text, "extract.headline"))
        blocks = blocks[1:]
    count = len(blocks)
    kept: list[_Block] = []
    for i, block in enumerate(blocks):
        if _is_boilerplate(block, i, count):
            dropped.append((len(kept), block.text, "extract.boilerplate"))
        else:
            kept.append(block)
    return kept


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
    meta = _metadata(tree, url)
    base = url or meta["canonical_url"]

    import trafilatura  # lazy (already loaded by _parse)

    blocks = _best_blocks(trafilatura, tree, url)
    blocks = _recover_chunks(tree, blocks)
    blocks = _recover_inside(tree, blocks)
    blocks = _recover_lede(tree, blocks, _meta(tree))
    dropped: list[tuple[int, str, str]] = []
    titles = _title_candidates(tree, meta["title"])
    blocks = _tidy(blocks, titles, dropped)
    story = "\n".join(block.text for block in blocks)
    links = _source_links(tree, base, story) if blocks else {}
    fragment = "".join(_render(block, links) for block in blocks)
    if not fragment:
        fragment = _readability_fragment(html) or _paragraph_fragment(tree)
        story, dropped = fragment_text(fragment), []
    # Everything else on the page, so that nothing disappears unexplained.
    dropped = _left_out(tree, story, titles, len(blocks)) + dropped
    return ExtractedStory(html=fragment, dropped=dropped, **meta)


# --- what extraction left out ---------------------------------------------------

_PAGE_BLOCKS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "dd", "dt", "blockquote", "pre",
     "figcaption", "caption", "address"}
)  # fmt: skip
# The kind of furniture a container is, from its tag or its class/id.
_KIND_OF_TAG = {
    "nav": "navigation", "header": "header", "footer": "footer", "aside": "aside",
    "form": "form", "button": "form", "select": "form",
}  # fmt: skip
_KIND_MARKS = re.compile(
    r"(?P<navigation>\bnav|menu|breadcrumb)|"
    r"(?P<comments>comment|repl(?:y|ies)|discuss|respon|disqus)|"
    r"(?P<header>masthead|\bheader|top-?bar)|"
    r"(?P<footer>footer|copyright|legal)|"
    r"(?P<aside>sidebar|related|teaser|widget|aside)|"
    r"(?P<form>newsletter|cookie|consent)",
    re.I,
)
_CLIP = 160


_HIDDEN_TAGS = ("noscript", "template", "svg")


def _page_leaves(tree: lxml.html.HtmlElement) -> list[etree._Element]:
    """The innermost text blocks of the page (block elements, and divs holding
    loose text), in page order, leaving out what is never shown."""
    body = tree.find(".//body")
    if body is None:
        return []
    hidden = {node for root in body.iter(*_HIDDEN_TAGS) for node in root.iter()}
    found = [
        element
        for element in body.iter(*_PAGE_BLOCKS, "div")
        if element not in hidden
        and (element.tag != "div" or (element.text is not None and element.text.strip()))
    ]
    outer: set[etree._Element] = set()
    for element in found:
        parent = element.getparent()
        while parent is not None and parent not in outer:
            outer.add(parent)
            parent = parent.getparent()
    return [element for element in found if element not in outer]


def _left_out(
    tree: lxml.html.HtmlElement, story: str, titles: list[str], count: int
) -> list[tuple[int, str, str]]:
    """Every text block of the page that is not in the story, with why it was
    left out (the kind of page furniture it sits in, a link list, or simply
    outside the story), clipped to a preview, as (where, text, rule): 0 before
    the story, ``count`` after it. The headline, shown as the title, is not
    counted as dropped."""
    story_lines = set(story.split("\n"))
    story_words = " " + " ".join(_WORD.findall(story)).lower() + " "
    title_words = {tuple(_WORD.findall(title.lower())) for title in titles}
    reasons: dict[etree._Element, str] = {}
    found: list[tuple[int, str, str]] = []
    seen_story = False
    for element in _page_leaves(tree):
        raw = element.text_content()
        if raw.strip() in story_lines:  # the common case, without tokenising
            seen_story = True
            continue
        words = _WORD.findall(raw.lower())
        if not words:
            continue
        if " " + " ".join(words) + " " in story_words:
            seen_story = True
            continue
        if tuple(words) in title_words:
            continue
        text = _collapse(raw)
        reason = _left_out_reason(element, text, reasons)
        # Before the story it stands before its first block, else after the last.
        preview = clean_line(text[: _CLIP + 20], limit=_CLIP)
        found.append((count if seen_story else 0, preview, reason))
    return found


def _left_out_reason(element: etree._Element, text: str, cache: dict[etree._Element, str]) -> str:
    kind = _furniture_kind(element, cache)
    if kind:
        return kind
    if _link_share(element, text) > 0.5:
        return "extract.links"
    return "extract.outside-story"


@lru_cache(maxsize=4096)
def _kind_of_marks(marks: str) -> str:
    """The furniture kind a class/id string names ("" for none); pages repeat them."""
    found = _KIND_MARKS.search(marks)
    return (found.lastgroup or "") if found else ""


def _furniture_kind(element: etree._Element, cache: dict[etree._Element, str]) -> str:
    """The kind of page furniture an element sits in ("" for none), memoised per node."""
    path: list[etree._Element] = []
    node: etree._Element | None = element
    kind = ""
    while node is not None:
        if node in cache:
            kind = cache[node]
            break
        path.append(node)
        tag = node.tag if isinstance(node.tag, str) else ""
        own = _KIND_OF_TAG.get(tag, "")
        if not own:
            marks = f"{node.get('class') or ''} {node.get('id') or ''}"
            own = _kind_of_marks(marks) if len(marks) > 1 else ""
        if own:
            kind = f"extract.{own}"
            break
        node = node.getparent()
    # The innermost kind wins; nodes between share what was found above them.
    for visited in path:
        cache[visited] = kind
    return kind


_SHORT_STORY = 600  # characters: a sliver
_CHECKED_STORY = 1000  # characters: short enough to try the full precision mode


def _length(blocks: list[_Block]) -> int:
    return sum(len(block.text) for block in blocks)


def _best_blocks(trafilatura: Any, tree: lxml.html.HtmlElement, url: str | None) -> list[_Block]:
    """trafilatura's story, trying dearer configurations only when a cheaper one fails.

    Fast precision mode (no comparison with its bundled readability/justext) is as
    good as the full mode on almost every page and a third faster. Signs that it
    fell short: it kept a short text (a teaser, a reprint notice, the first
    section of a story whose markup changes after it), or much less than the
    page's own paragraphs hold. A short text gets the full precision mode, taken
    when it finds clearly more (or, below a sliver, anything); a story still a
    sliver or much shorter than the page's paragraphs gets the full balanced
    (recall-leaning) mode, taken only when it finds at least twice as much,
    since on such pages it can return the whole page.
    """
    blocks = _run_trafilatura(trafilatura, tree, url, precision=True, fast=True)
    length = _length(blocks)
    truncated = length < _TRUNCATED_SHARE * _paragraph_chars(tree)
    if length >= _CHECKED_STORY and not truncated:
        return blocks
    if length < _CHECKED_STORY:
        full = _run_trafilatura(trafilatura, tree, url, precision=True, fast=False)
        if length < _SHORT_STORY:
            if _length(full) >= _SHORT_STORY or (_length(full) >= length and full):
                blocks = full
        elif _length(full) >= 2 * length:
            blocks = full
    if _length(blocks) >= _SHORT_STORY and not truncated:
        return blocks
    balanced = _run_trafilatura(trafilatura, tree, url, precision=False, fast=False)
    return balanced if _length(balanced) >= 2 * max(_length(blocks), 1) else blocks


_TRUNCATED_SHARE = 0.35
_PARAGRAPHS = etree.XPath("//body//p")


def _paragraph_chars(tree: lxml.html.HtmlElement) -> int:
    """Characters in the page's substantial, mostly unlinked <p> elements."""
    total = 0
    for element in _PARAGRAPHS(tree):
        text = _collapse(element.text_content())
        if len(text) >= 40 and _link_share(element, text) < 0.3:
            total += len(text)
    return total


def _run_trafilatura(
    trafilatura: Any,
    tree: lxml.html.HtmlElement,
    url: str | None,
    *,
    precision: bool,
    fast: bool,
) -> list[_Block]:
    try:
        document = trafilatura.bare_extraction(
            tree,  # trafilatura copies it, so one parse serves every run
            url=url,
            fast=fast,
            favor_precision=precision,
            include_comments=False,
            include_links=False,  # trafilatura loses text around links when it keeps them
            include_images=False,
            include_tables=True,
        )
    except Exception:  # third-party code running on hostile input
        return []
    body = getattr(document, "body", None)
    return list(_blocks(body)) if body is not None else []


def _title_candidates(tree: lxml.html.HtmlElement, title: str | None) -> list[str]:
    """Texts a repeated headline could match: metadata title, <title>, first <h1>."""
    found = [title or ""]
    page_title = " ".join((tree.findtext(".//title") or "").split())
    if page_title:
        found.append(page_title)
        found.append(_TITLE_SUFFIX.sub("", page_title))
    h1 = tree.find(".//h1")
    if h1 is not None:
        found.append(h1.text_content())
    return [t for t in found if t.strip()]


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
