"""Page metadata for extraction: title, author, date, canonical URL and lead
image from the page's JSON-LD and meta tags (far cheaper than trafilatura's
metadata pass), and the texts a repeated headline could match."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html

from reader.core.sanitize import clean_line

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


def meta_tags(tree: lxml.html.HtmlElement) -> dict[str, str]:
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


def http_url(value: Any, base: str | None) -> str | None:
    if isinstance(value, dict):
        value = value.get("@id") or value.get("url")
    if not isinstance(value, str) or not value.strip():
        return None
    absolute = urljoin(base or "", value.strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


_TITLE_SUFFIX = re.compile(r"\s+[|\u2013\u2014-]\s+[^|\u2013\u2014-]{2,40}$")


def page_metadata(
    tree: lxml.html.HtmlElement, url: str | None, tags: dict[str, str] | None = None
) -> dict[str, Any]:
    """Title, author, date, canonical URL and lead image; ``tags``: the page's
    ``meta_tags`` when the caller has them already."""
    meta = meta_tags(tree) if tags is None else tags
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
            canonical = http_url(link.get("href"), url)
            break
    canonical = (
        canonical
        or http_url(meta.get("og:url"), url)
        or http_url(ld.get("mainEntityOfPage"), url)
        or http_url(ld.get("url"), url)
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


def title_candidates(tree: lxml.html.HtmlElement, title: str | None) -> list[str]:
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
