"""trafilatura's output tree as story blocks, the text helpers the extraction
passes share, and rendering blocks as a clean fragment with the page's links."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html import escape

import lxml.html
from lxml import etree

from reader.core.cleaner.page_meta import http_url

WORD = re.compile(r"\w+")


def word_count(text: str) -> int:
    return len(WORD.findall(text))


@dataclass(slots=True)
class Block:
    kind: str  # "p", "h", "ul", "quote", "pre"
    text: str  # plain text, whitespace collapsed (for "pre": as is)
    parts: tuple[str, ...] = ()  # list items / quote paragraphs
    level: int = 0  # heading level


def collapse(text: str) -> str:
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
    return [text for line in lines if (text := collapse(line))]


def _paragraphs(lines: Iterable[str]) -> Iterator[Block]:
    for line in lines:
        if text := collapse(line):
            yield Block("p", text)


def tree_blocks(body: etree._Element) -> Iterator[Block]:
    """Blocks of trafilatura's output tree, in order."""
    # trafilatura leaves some story text loose, as the text or tail of container
    # children (e.g. a subheading it did not recognise): those are paragraphs too.
    yield from _paragraphs([body.text or ""])
    for element in body:
        yield from _element_blocks(element)
        yield from _paragraphs([element.tail or ""])


def _element_blocks(element: etree._Element) -> Iterator[Block]:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag == "head":
        rend = element.get("rend") or ""
        level = max(int(rend[1]), 2) if re.fullmatch(r"h[1-6]", rend) else 2
        if text := " ".join(_lines(element)):
            yield Block("h", text, level=level)
    elif tag == "list":
        items = tuple(text for item in element.iter("item") if (text := " ".join(_lines(item))))
        if items:
            yield Block("ul", " ".join(items), parts=items)
    elif tag == "quote":
        lines = tuple(_lines(element))
        if lines:
            yield Block("quote", " ".join(lines), parts=lines)
    elif tag == "code":
        code = "".join(element.itertext()).strip("\n")
        if code.strip():
            yield Block("pre", code)
    elif tag == "table":
        # The fragment has no tables: each row becomes a paragraph of its cells.
        for row in element.iter("row"):
            cells = (collapse("".join(cell.itertext())) for cell in row.iter("cell"))
            yield from _paragraphs([" ".join(c for c in cells if c)])
    elif tag == "div":
        yield from tree_blocks(element)
    elif tag:  # "p" and anything unexpected
        yield from _paragraphs(_lines(element))


def link_share(element: etree._Element, text: str) -> float:
    linked = sum(len(collapse(a.text_content())) for a in element.iter("a"))
    return linked / max(len(text), 1)


# --- links ----------------------------------------------------------------------

# Elements whose text a story paragraph corresponds to, for finding its links.
_LINK_HOSTS = frozenset(
    {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "td", "dd", "figcaption", "div"}
)


_XML_SPACE_RUN = re.compile(r"[ \t\r\n]+")  # what XPath's normalize-space() collapses


def _story_anchors(
    tree: lxml.html.HtmlElement, story: str
) -> Iterator[tuple[lxml.html.HtmlElement, str]]:
    """The page's links whose label occurs in the story, with their text, in
    page order: what ``//a[@href][normalize-space(.)][contains($story,
    normalize-space(.))]`` selects. Most anchors are navigation; Python's
    substring search rejects them several times faster than libxml2's."""
    for anchor in tree.getroottree().iter("a"):
        if anchor.get("href") is None:
            continue
        text = anchor.text_content()
        label = text
        if "\n" in text or "  " in text or "\t" in text or "\r" in text:
            label = _XML_SPACE_RUN.sub(" ", text)  # else every run is one space already
        label = label.strip(" \t\r\n")
        if label and label in story:
            yield anchor, text


def source_links(
    tree: lxml.html.HtmlElement, base: str | None, story: str
) -> dict[str, list[tuple[str, str]]]:
    """Links of the page, keyed by the collapsed text of the block that holds them.

    trafilatura drops text next to links when asked to keep them, so links are
    recovered here instead: a story block whose text equals a page block's text
    gets that block's links.
    """
    found: dict[str, list[tuple[str, str]]] = {}
    host_text: dict[etree._Element, str] = {}
    for anchor, text in _story_anchors(tree, story):
        href = (anchor.get("href") or "").strip()
        label = collapse(text)
        if href.startswith("#") or not label:
            continue
        absolute = http_url(href, base)
        if not absolute:
            continue
        host = anchor.getparent()
        while host is not None and host.tag not in _LINK_HOSTS:
            host = host.getparent()
        if host is None:
            continue
        key = host_text.get(host)
        if key is None:
            key = host_text[host] = collapse(host.text_content())
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


def render(block: Block, links: dict[str, list[tuple[str, str]]]) -> str:
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
