"""A fast path for plain RSS 2.0 / 0.9x and Atom 1.0: lxml instead of feedparser.

``extract`` walks an lxml tree and produces the same feedparser-shaped result
(``feed`` and ``entries`` dicts with the keys ``_parse._build_feed`` reads) that
feedparser's strict parser would produce for the same document, reusing
feedparser's own helpers (date parsing, HTML guessing, URI fixing, the cp1252
map, in ``_parse_fast_values``) so the two paths cannot drift apart on those.

It only accepts what it can reproduce exactly: every element it meets is
either handled here the way feedparser's handlers treat it, or known to leave
the fields Broadsheet reads untouched. Anything else (a document lxml rejects,
RDF, namespaces declared below the root, ``xml:base``, XHTML or base64
content, media titles, iTunes owners, ...) returns ``None`` and the caller uses
feedparser. ``tests/test_parse_fast.py`` checks the equivalence on the sample
feeds, the benchmark farm and feedparser's own test corpus.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from feedparser.mixin import _FeedParserMixin
from lxml import etree

from reader.core._parse_fast_values import (
    Fallback,
    enforce_href,
    fix_text,
    leaf_text,
    map_type,
    parse_date,
    resolve_uri,
    sync_author,
)

_PARSER = etree.XMLParser(
    collect_ids=False,
    resolve_entities=False,
    no_network=True,
    huge_tree=False,
    recover=False,
    encoding="utf-8",  # the body is already UTF-8, whatever its declaration says
    remove_comments=True,
    remove_pis=True,
)

_MATCH = {uri.lower(): prefix for uri, prefix in _FeedParserMixin.namespaces.items()}
_HANDLED = {n[7:] for n in dir(_FeedParserMixin) if n.startswith("_start_")} | {
    n[5:] for n in dir(_FeedParserMixin) if n.startswith("_end_")
}
_looks_like_html = _FeedParserMixin.looks_like_html

_RSS_VERSIONS = {"0.91": "rss091u", "0.92": "rss092", "0.93": "rss093", "0.94": "rss094"}
_VERSION_URIS = {
    "http://my.netscape.com/rdf/simple/0.9/",
    "http://purl.org/rss/1.0/",
    "http://www.w3.org/2005/atom",
}
_ATOM_URI = "http://www.w3.org/2005/atom"
_XML_NS = "{http://www.w3.org/XML/1998/namespace}"
_XML_LANG = _XML_NS + "lang"

# Handler-less element names whose stored text or attributes would land on a
# key Broadsheet reads: never treat them as inert.
_READ_KEYS = frozenset(
    {
        "id", "title", "title_detail", "link", "links", "author", "author_detail", "authors",
        "published", "published_parsed", "updated", "updated_parsed", "content", "summary",
        "summary_detail", "enclosures", "tags", "guidislink", "href",
    }
)  # fmt: skip
# Elements with feedparser handlers that leave the read keys alone when they
# are leaves (no child elements). "language" only changes content languages.
_INERT_LEAVES = frozenset(
    {
        "cloud", "generator", "language", "dc_language", "rights", "copyright", "dc_rights",
        "subtitle", "tagline", "info", "feedburner_browserfriendly", "created",
        "dcterms_created", "expirationdate", "webmaster", "dc_publisher", "itunes_explicit",
        "itunes_block", "itunes_image", "itunes_subtitle", "media_content", "media_thumbnail",
        "media_rating", "media_credit", "media_restriction", "media_license", "newlocation",
    }
)  # fmt: skip
_AUTHORS = frozenset({"author", "dc_author", "dc_creator", "itunes_author", "managingeditor"})
_PUBLISHED = frozenset({"pubdate", "published", "issued", "dcterms_issued"})
_UPDATED = frozenset({"updated", "modified", "lastbuilddate", "dc_date", "dcterms_modified"})
_CATEGORIES = frozenset({"category", "keywords", "dc_subject"})
_SUMMARIES = frozenset({"description", "dc_description", "summary", "itunes_summary"})
_CONTENTS = frozenset({"content_encoded", "fullitem", "content"})
_IMAGE_CHILDREN = frozenset({"title", "link", "url", "width", "height", "description"})
_TEXT_TYPES = frozenset({"text/plain", "text/html"})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

_XMLNS = re.compile(rb"\sxmlns(?::[^\s=>/]+)?\s*=")
_CDATA = re.compile(rb"<!\[CDATA\[.*?\]\]>", re.S)
_LINK_REF = re.compile("&([A-Za-z0-9_]+);")


Handler = Callable[[Any, str, int, dict[str, Any], bool], None]


@dataclass(slots=True)
class FastResult:
    feed: dict[str, Any]
    entries: list[dict[str, Any]]
    version: str


def extract(data: bytes) -> FastResult | None:
    """The feedparser-shaped result for ``data`` (UTF-8, DTD subset already
    removed), or None when feedparser must decide."""
    if b"<!DOCTYPE" in data[:4096]:
        return None  # a DOCTYPE can make feedparser pick an RSS 0.91 flavour
    try:
        root = etree.fromstring(data, _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
    try:
        return _Walker(data, root).run()
    except Fallback:
        return None


class _Walker:
    def __init__(self, data: bytes, root: Any) -> None:
        self.data = data
        self.root = root
        self.nsmap: dict[str | None, str] = {}  # document prefix -> feedparser prefix
        self.in_use: dict[str, str] = {}  # feedparser's namespaces_in_use
        self.version = ""
        self.atom = False
        self.title_depth = -1
        self.has_content = False
        self.names: dict[str, str] = {}
        self.handlers = self._handlers()
        self.entry_handlers = {
            **self.handlers,
            **dict.fromkeys(_SUMMARIES, self.summary),
            **dict.fromkeys(_CONTENTS, self.content),
            "source": self.source,
        }

    # --- names ---------------------------------------------------------------

    def _declare(self) -> None:
        declared = {p: u for p, u in self.root.nsmap.items() if u}
        found = self.data.count(b"xmlns")
        if found != len(self.root.nsmap):
            found = len(_XMLNS.findall(_CDATA.sub(b"", self.data)))
            if found != len(self.root.nsmap):
                raise Fallback  # declarations below the root: feedparser's maps are global
        uris = [u.lower() for u in declared.values()]
        if len(set(uris)) != len(uris) or len(_VERSION_URIS.intersection(uris)) > 1:
            raise Fallback
        canonical = set(_MATCH.values())
        for prefix, uri in declared.items():
            lower = uri.lower()
            if self.version == "" and lower in _VERSION_URIS:
                if prefix is None and lower == "http://my.netscape.com/rdf/simple/0.9/":
                    self.version = "rss090"
                elif lower == "http://purl.org/rss/1.0/":
                    self.version = "rss10"
                elif lower == _ATOM_URI:
                    self.version = "atom10"
            if "backend.userland.com/rss" in lower:
                uri = lower = "http://backend.userland.com/rss"
            if lower in _MATCH:
                mapped = _MATCH[lower]
                if prefix is not None and prefix != mapped and prefix in canonical:
                    raise Fallback  # a prefix that renames another known namespace
                self.nsmap[prefix] = mapped
                self.in_use[mapped] = uri
            else:
                if prefix is not None and prefix in canonical:
                    raise Fallback
                self.in_use[prefix or ""] = uri

    def name(self, tag: str) -> str:
        """The suffix of feedparser's handler name for an element (``content_encoded``)."""
        name = self.names.get(tag)
        if name is None:
            name = self.names[tag] = self._name(tag)
        return name

    def _name(self, tag: str) -> str:
        if tag[0] == "{":
            uri, local = tag[1:].split("}", 1)
        else:
            uri, local = "", tag
        local = local.lower()
        lower = uri.lower()
        if "backend.userland.com/rss" in lower:
            uri = lower = "http://backend.userland.com/rss"
        prefix = _MATCH.get(lower)
        if prefix:
            name = prefix.lower() + ":" + local
        elif uri:
            name = local
            for key, value in self.in_use.items():
                if key and value == uri:
                    name = key + ":" + local
                    break
        else:
            name = local
        if ":" not in name:
            return name
        prefix, suffix = name.split(":", 1)
        mapped = self.nsmap.get(prefix, prefix)
        return f"{mapped}_{suffix}" if mapped else suffix

    def attrs(self, el: Any) -> dict[str, str]:
        """feedparser's attribute dict: lower-case names, rel/type values lower-cased.

        Called on every element of the document: ``xml:base`` or a plain ``base``
        attribute (feedparser honours both, and never restores the base
        afterwards) or any other namespaced attribute means feedparser."""
        items = el.items()
        if not items:
            return {}
        result: dict[str, str] = {}
        for key, value in items:
            if key[0] == "{":
                if key == _XML_LANG:
                    continue
                raise Fallback
            key = key.lower()
            if key == "base":
                raise Fallback
            result[key] = (value.lower() or value) if key in ("rel", "type") else value
        return result

    # --- document ------------------------------------------------------------

    def run(self) -> FastResult:
        self._declare()
        root = self.root
        if not isinstance(root.tag, str):
            raise Fallback
        name = self.name(root.tag)
        attrs = self.attrs(root)
        feed: dict[str, Any] = {}
        entries: list[dict[str, Any]] = []
        if name == "rss":
            if not self.version.startswith("rss"):
                version = attrs.get("version", "")
                self.version = _RSS_VERSIONS.get(version) or (
                    "rss20" if version.startswith("2.") else "rss"
                )
            if self.version in ("rss090", "rss10"):
                raise Fallback
            channels = [child for child in root if self.name(child.tag) == "channel"]
            if len(channels) != len(root) or len(channels) != 1:
                raise Fallback
            channel = channels[0]
            if self.attrs(channel).keys() & {"lastmod", "href"}:
                raise Fallback
            self.walk_feed(channel, 3, feed, entries, "item")
        elif name == "feed":
            if self.version != "atom10":
                raise Fallback
            self.atom = True
            self.walk_feed(root, 2, feed, entries, "entry")
        else:
            raise Fallback
        return FastResult(feed, entries, self.version)

    def walk_feed(
        self,
        parent: Any,
        depth: int,
        feed: dict[str, Any],
        entries: list[dict[str, Any]],
        entry_name: str,
    ) -> None:
        for el in parent:
            name = self.name(el.tag)
            if name == entry_name:
                entries.append(self.entry(el, depth + 1))
            elif name == "image":
                self.image(el, depth)
            elif name in _SUMMARIES:
                self.attrs(el)
                if "summary" in feed or len(el):
                    raise Fallback  # feedparser would read it as content
                if name in ("summary", "itunes_summary"):
                    feed["summary"] = ""
            else:
                self.element(el, name, depth, feed, feed_level=True)

    def image(self, el: Any, depth: int) -> None:
        self.attrs(el)
        self.title_depth = -1
        for child in el:
            name = self.name(child.tag)
            self.attrs(child)
            if name not in _IMAGE_CHILDREN or child.tag != name:
                raise Fallback
            text = leaf_text(child).strip()
            if name == "title":
                self.title_lookup(depth + 1, text)

    def title_lookup(self, depth: int, out: str) -> bool:
        """feedparser keeps the first non-empty title at a depth: True when it stores this one."""
        blocked = -1 < self.title_depth <= depth
        if out:
            self.title_depth = depth
        return not blocked

    def entry(self, item: Any, depth: int) -> dict[str, Any]:
        if self.attrs(item):
            raise Fallback  # rdf:about, CDF lastmod/href
        entry: dict[str, Any] = {}
        self.title_depth = -1
        self.has_content = False
        handlers, names = self.entry_handlers, self.names
        for el in item:
            tag = el.tag
            name = names.get(tag) or self.name(tag)
            handler = handlers.get(name)
            if handler is None:
                self.other(el, name)
            else:
                handler(el, name, depth, entry, False)
        self.has_content = False
        if "links" in entry:  # FeedParserDict derives "enclosures" from the links
            entry["enclosures"] = [link for link in entry["links"] if link["rel"] == "enclosure"]
        return entry

    def element(
        self, el: Any, name: str, depth: int, ctx: dict[str, Any], *, feed_level: bool
    ) -> None:
        """One child of a channel/feed (``depth`` is the child's depth)."""
        handler = self.handlers.get(name)
        if handler is None:
            self.other(el, name)
        else:
            handler(el, name, depth, ctx, feed_level)

    def _handlers(self) -> dict[str, Handler]:
        handlers: dict[str, Handler] = {"title": self.title, "dc_title": self.title}
        handlers.update(link=self.link, guid=self.guid, id=self.guid, enclosure=self.enclosure)
        handlers.update(dict.fromkeys(_AUTHORS, self.author))
        handlers.update(dict.fromkeys(_PUBLISHED | _UPDATED, self.date))
        handlers.update(dict.fromkeys(_CATEGORIES, self.category))
        handlers.update(dict.fromkeys(_INERT_LEAVES, self.inert_leaf))
        return handlers

    def other(self, el: Any, name: str) -> None:
        if name in _HANDLED or name in _READ_KEYS:
            raise Fallback
        self.inert(el)

    def title(self, el: Any, name: str, depth: int, ctx: dict[str, Any], feed_level: bool) -> None:
        ctype = self.text_type(self.attrs(el), "text/plain")
        out = leaf_text(el).strip()
        if not self.atom and ctype == "text/plain" and _looks_like_html(out):
            ctype = "text/html"
        out = fix_text(out)
        if self.title_lookup(depth, out):
            ctx["title"] = out
            ctx["title_detail"] = {"type": ctype}

    def guid(self, el: Any, name: str, depth: int, ctx: dict[str, Any], feed_level: bool) -> None:
        is_link = self.attrs(el).get("ispermalink", "true") == "true"
        out = leaf_text(el).strip()
        if is_link and out:
            out = resolve_uri(out)
        out = fix_text(out)
        ctx["id"] = out
        if is_link:
            ctx.setdefault("link", out)

    def date(self, el: Any, name: str, depth: int, ctx: dict[str, Any], feed_level: bool) -> None:
        self.attrs(el)
        key = "published" if name in _PUBLISHED else "updated"
        out = fix_text(leaf_text(el).strip())
        ctx[key] = out
        ctx[key + "_parsed"] = parse_date(out)

    def enclosure(
        self, el: Any, name: str, depth: int, ctx: dict[str, Any], feed_level: bool
    ) -> None:
        if len(el):
            raise Fallback
        attrs = enforce_href(self.attrs(el))
        attrs["rel"] = "enclosure"
        ctx.setdefault("links", []).append(attrs)

    def inert_leaf(
        self, el: Any, name: str, depth: int, ctx: dict[str, Any], feed_level: bool
    ) -> None:
        if len(el):
            raise Fallback
        self.attrs(el)

    def source(self, el: Any, name: str, depth: int, ctx: dict[str, Any], feed_level: bool) -> None:
        self.attrs(el)
        if len(el):
            raise Fallback
        self.title_depth = -1

    def inert(self, el: Any) -> None:
        """An element feedparser has no handler for: only its own key changes."""
        for child in el.iter():
            if child is not el:
                name = self.name(child.tag)
                if name in _HANDLED or name in _READ_KEYS:
                    raise Fallback
            self.attrs(child)

    def text_type(self, attrs: dict[str, str], default: str) -> str:
        if "mode" in attrs or "src" in attrs:
            raise Fallback
        ctype = map_type(attrs.get("type", default))
        if ctype not in _TEXT_TYPES:
            raise Fallback
        return ctype

    def link(self, el: Any, name: str, depth: int, ctx: dict[str, Any], feed_level: bool) -> None:
        attrs = self.attrs(el)
        attrs.setdefault("rel", "alternate")
        attrs.setdefault("type", "application/atom+xml" if attrs["rel"] == "self" else "text/html")
        attrs = enforce_href(attrs)
        if "href" in attrs:
            attrs["href"] = resolve_uri(attrs["href"])
        links = ctx.setdefault("links", [])
        links.append(attrs)
        if "href" in attrs:
            if attrs.get("rel") == "alternate" and map_type(attrs["type"]) in _HTML_TYPES:
                ctx["link"] = attrs["href"]
            if len(el):
                raise Fallback
            return
        out = leaf_text(el).strip()
        if out:
            out = resolve_uri(out)
        out = fix_text(out)
        if "&" not in out:
            pass
        elif feed_level:
            out = _LINK_REF.sub(r"&\g<1>", out)
        else:
            out = _LINK_REF.sub(r"&\g<1>", out.replace("&amp;", "&"))
        if feed_level:
            ctx["link"] = out
            attrs["href"] = out
        else:
            ctx["link"] = out
            if out:
                attrs["href"] = out

    def author(self, el: Any, name: str, depth: int, ctx: dict[str, Any], feed_level: bool) -> None:
        """feedparser's author handling, including its ``_sync_author_detail``
        calls (an earlier author's text can leak an e-mail into a later one)."""
        self.attrs(el)
        authors: list[dict[str, str]] = ctx.setdefault("authors", [])
        authors.append({})
        pieces = [el.text or ""]
        for child in el:
            child_name = self.name(child.tag)
            text = leaf_text(child).strip()
            self.attrs(child)
            if child_name in ("name", "itunes_name"):
                key = "name"
            elif child_name in ("email", "itunes_email"):
                key = "email"
            elif child_name in ("uri", "url", "homepage"):
                key, text = "href", fix_text(resolve_uri(text) if text else text)
            else:
                raise Fallback
            sync_author(ctx)
            authors[-1][key] = text
            pieces.append(child.tail or "")
        ctx["author"] = fix_text("".join(pieces).strip())
        sync_author(ctx)

    def category(
        self, el: Any, name: str, depth: int, ctx: dict[str, Any], feed_level: bool
    ) -> None:
        attrs = self.attrs(el)
        tags: list[dict[str, str | None]] = ctx.setdefault("tags", [])
        term, label = attrs.get("term"), attrs.get("label")
        self.add_tag(tags, term, attrs.get("scheme", attrs.get("domain")), label)
        value = fix_text(leaf_text(el).strip())
        if not value:
            return
        if tags and not tags[-1]["term"]:
            tags[-1]["term"] = value
        else:
            self.add_tag(tags, value, None, None)

    @staticmethod
    def add_tag(
        tags: list[dict[str, str | None]], term: str | None, scheme: str | None, label: str | None
    ) -> None:
        if not term and not scheme and not label:
            return
        value = {"term": term, "scheme": scheme, "label": label}
        if value not in tags:
            tags.append(value)

    def summary(
        self, el: Any, name: str, depth: int, entry: dict[str, Any], feed_level: bool
    ) -> None:
        if "summary" in entry and not self.has_content:
            raise Fallback  # a second summary: feedparser reads it as content
        attrs = self.attrs(el)
        default = "text/html" if name in ("description", "dc_description") else "text/plain"
        ctype = self.text_type(attrs, default)
        out = leaf_text(el).strip()
        if not self.atom and ctype == "text/plain" and _looks_like_html(out):
            ctype = "text/html"
        entry["summary"] = fix_text(out)
        entry["summary_detail"] = {"type": ctype}

    def content(
        self, el: Any, name: str, depth: int, entry: dict[str, Any], feed_level: bool
    ) -> None:
        self.has_content = True
        attrs = self.attrs(el)
        ctype = self.text_type(attrs, "text/plain" if name == "content" else "text/html")
        out = leaf_text(el).strip()
        if not self.atom and ctype == "text/plain" and _looks_like_html(out):
            ctype = "text/html"
        out = fix_text(out)
        entry.setdefault("content", []).append({"type": ctype, "value": out})
        entry.setdefault("summary", out)
