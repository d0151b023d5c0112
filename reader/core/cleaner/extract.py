"""Story extraction from whole web pages.

trafilatura (precision mode) finds the story; our own passes then turn its tree
into a small HTML fragment, drop the boilerplate it still lets through (bylines,
date lines, share/related/newsletter lines, image credits, tag lists) and
metadata comes from the page's JSON-LD and meta tags, which is far cheaper than
trafilatura's own metadata pass.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from reader.core.sanitize import clean_line


@dataclass(slots=True)
class ExtractedStory:
    html: str  # clean fragment: <p>, <h2>, <blockquote>, <ul><li>, <figure>, <pre>, <a href>
    title: str | None = None
    author: str | None = None
    published: float | None = None  # POSIX seconds UTC, from page metadata
    canonical_url: str | None = None
    lead_image: str | None = None  # alt text or caption of the lead image


# --- parsing ----------------------------------------------------------------


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


# --- trafilatura tree -> fragment --------------------------------------------

_BLOCK_TAGS = {"p", "head", "list", "quote", "code", "table", "graphic", "div"}


# Marks a line break inside a paragraph; paragraphs are split there, since a
# fragment line ("June 9 -- Venue") is its own block to a reader.
_LINE_BREAK = "\x00"


def _inline_html(element: etree._Element, base: str | None) -> str:
    """Text of a trafilatura element with links kept as <a href>, everything else flattened."""
    parts: list[str] = [escape(element.text or "", quote=False)]
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "ref":
            href = _http_url(child.get("target"), base)
            inner = _inline_html(child, base)
            parts.append(
                f'<a href="{escape(href)}">{inner}</a>' if href and inner.strip() else inner
            )
        elif tag == "lb":
            parts.append(_LINE_BREAK)
        elif tag == "graphic":
            pass
        elif tag:
            parts.append(_inline_html(child, base))
        parts.append(escape(child.tail or "", quote=False))
    return "".join(parts)


def _inline(element: etree._Element, base: str | None) -> str:
    """Inline HTML with line breaks turned into spaces (headings, list items)."""
    return _inline_html(element, base).replace(_LINE_BREAK, " ")


def _plain(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _blocks(body: etree._Element, base: str | None) -> Iterator[tuple[str, str]]:
    """(kind, html) for each block of trafilatura's output tree, in order."""
    # trafilatura leaves some story text loose, as the text or tail of container
    # children (e.g. a subheading it did not recognise): those are paragraphs too.
    if body.text and body.text.strip():
        yield "p", escape(body.text, quote=False)
    for element in body:
        yield from _element_blocks(element, base)
        if element.tail and element.tail.strip():
            yield "p", escape(element.tail, quote=False)


def _element_blocks(element: etree._Element, base: str | None) -> Iterator[tuple[str, str]]:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag == "p":
        for line in _inline_html(element, base).split(_LINE_BREAK):
            yield "p", line
    elif tag == "head":
        rend = element.get("rend") or "h2"
        level = int(rend[1]) if re.fullmatch(r"h[1-6]", rend) else 2
        yield "h", f"<h{max(level, 2)}>{_inline(element, base)}</h{max(level, 2)}>"
    elif tag == "list":
        items = [_inline(item, base) for item in element.iter("item")]
        items = [item for item in items if item.strip()]
        if items:
            yield "ul", "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"
    elif tag == "quote":
        lines = "".join(
            f"<p>{line}</p>"
            for line in _inline_html(element, base).split(_LINE_BREAK)
            if line.strip()
        )
        if lines:
            yield "blockquote", f"<blockquote>{lines}</blockquote>"
    elif tag == "code":
        yield "pre", f"<pre>{escape(''.join(element.itertext()), quote=False)}</pre>"
    elif tag == "table":
        # Fragment has no tables: each row becomes a paragraph of its cells.
        for row in element.iter("row"):
            cells = [_plain(cell) for cell in row.iter("cell")]
            line = " ".join(cell for cell in cells if cell)
            if line:
                yield "p", escape(line, quote=False)
    elif tag == "div":
        yield from _blocks(element, base)
    elif tag:
        for line in _inline_html(element, base).split(_LINE_BREAK):
            yield "p", line


def _wrap(kind: str, inner: str) -> str:
    if kind != "p":
        return inner
    return f"<p>{inner.strip()}</p>" if inner.strip() else ""


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
    base = meta["canonical_url"] or url

    import trafilatura  # lazy (already loaded by _parse)

    fragment = ""
    try:
        document = trafilatura.bare_extraction(
            tree,
            url=url,
            favor_precision=True,
            include_comments=False,
            include_links=False,  # trafilatura loses text around links when it keeps them
            include_images=False,
            include_tables=True,
        )
    except Exception:  # trafilatura is third-party code running on hostile input
        document = None
    body = getattr(document, "body", None)
    if body is not None:
        fragment = "".join(_wrap(kind, inner) for kind, inner in _blocks(body, base))
    if not fragment:
        fragment = _readability_fragment(html) or _paragraph_fragment(tree)
    return ExtractedStory(html=fragment, **meta)


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
