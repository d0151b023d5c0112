"""OPML import and export.

Subscription lists come from many readers and are often not well-formed XML
(bare ``&`` in URLs, unclosed outlines, HTML-ish attributes), so parsing
recovers where it can: lxml's recovering XML parser first, an HTML parser when
that loses outlines. The addresses ``broadsheet add`` takes are accepted: http(s),
and ``file://`` and ``sample:`` feeds (which the import reads and parses before
subscribing); command feeds (``exec:``, ``filter:``, ``|cmd``), relative paths and
other schemes are refused and reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from lxml import etree

from reader.core.errors import InputFileError
from reader.core.sanitize import clean_line, is_http_url, strip_controls

# "&" that does not start an entity or character reference: escape it, or the
# recovering parser silently drops it and "?a=1&b=2" becomes "?a=1=2".
_BARE_AMPERSAND = re.compile(rb"&(?!(?:[A-Za-z_][\w.-]*|#\d+|#x[0-9A-Fa-f]+);)")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_COMMAND_SCHEMES = frozenset({"exec", "filter", "cmd", "script"})
# Feeds on this machine: 'broadsheet import' reads and parses each one before
# subscribing (as 'add' does), so a local file that is not a feed is refused.
_LOCAL_SCHEMES = frozenset({"file", "sample"})


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    url: str
    title: str | None
    tags: tuple[str, ...] = ()


@dataclass(slots=True)
class OpmlResult:
    feeds: list[OpmlFeed] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)


def parse_opml(data: bytes) -> OpmlResult:
    """Feeds from an OPML document. Raises ``InputFileError`` when no outlines can be read."""
    if not data or not data.strip():
        raise InputFileError("the OPML file is empty")
    xml_root, recovered = _parse_xml(data)
    result = _collect(xml_root)
    if recovered or not _has_outlines(xml_root):
        # The XML parser had to repair the file; an HTML parser may keep more of it.
        html_result = _collect(_parse_html(data))
        if _size(html_result) > _size(result):
            result = html_result
    if not _size(result) and not _has_outlines(xml_root):
        raise InputFileError("not an OPML file: no readable <outline> entries found")
    return result


def export_opml(
    feeds: Iterable[tuple[str, str, Sequence[str]]], *, title: str = "Broadsheet subscriptions"
) -> bytes:
    """OPML 2.0 for (url, title, tags), each feed written once. A feed goes in the
    folder of its first tag; a tag "News/World" held with "News" (as ``parse_opml``
    gives a feed in folder World inside folder News) is folder World inside News.
    Its other tags go in the outline's ``category`` (only a tag that ``category``
    cannot spell, like "a,b", puts the feed in a second folder). So import → export
    → import keeps the folder tree, each feed once and every tag."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = clean_line(title)
    body = etree.SubElement(root, "body")
    folders: dict[str, etree._Element] = {}
    for url, feed_title, tags in feeds:
        clean_tags = _unique(clean_line(tag) for tag in tags)
        # A tag is a folder's ancestor when the feed holds a deeper path below it.
        homes = [
            tag
            for tag in clean_tags
            if not any(other.startswith(tag + "/") for other in clean_tags if other != tag)
        ]
        tag_set = set(clean_tags)
        # Other tags in ``category`` when it can say them exactly; a tag it cannot
        # ("a,b", or "AI/ML" that would read back as "AI" too) gets its folder.
        categories = [tag for tag in homes[1:] if _as_category(tag, tag_set)]
        parents = [tag for tag in homes if tag not in categories]
        for parent in [_folder(body, folders, tag, tag_set) for tag in parents] or [body]:
            _feed_outline(parent, url, feed_title, ",".join("/" + tag for tag in categories))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- parsing -------------------------------------------------------------------


def _parse_xml(data: bytes) -> tuple[etree._Element | None, bool]:
    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(_BARE_AMPERSAND.sub(b"&amp;", data), parser)
    except etree.XMLSyntaxError:  # raised even in recover mode for some inputs
        return None, True
    return root, len(parser.error_log) > 0


def _parse_html(data: bytes) -> etree._Element | None:
    parser = etree.HTMLParser(recover=True, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None


def _has_outlines(root: etree._Element | None) -> bool:
    return root is not None and next(_outlines(root), None) is not None


def _outlines(root: etree._Element) -> Iterator[etree._Element]:
    return (el for el in root.iter() if isinstance(el.tag, str) and _local(el.tag) == "outline")


def _collect(root: etree._Element | None) -> OpmlResult:
    """Walk outlines keeping the folder path; merge repeated URLs' tags."""
    result = OpmlResult()
    if root is None:
        return result
    found: dict[str, OpmlFeed] = {}
    for outline, folders in _walk(root):
        attrs = {key.lower(): value for key, value in outline.attrib.items()}
        raw_url = attrs.get("xmlurl")
        if raw_url is None:
            continue
        url, reason = _check_url(raw_url)
        if reason:
            result.refused.append((url, reason))
            continue
        tags = _unique([*_path_tags(folders), *_category_tags(attrs.get("category"))])
        previous = found.get(url)
        if previous:
            found[url] = OpmlFeed(url, previous.title, _unique([*previous.tags, *tags]))
        else:
            found[url] = OpmlFeed(url, _outline_title(attrs), tags)
    result.feeds = list(found.values())
    return result


def _walk(root: etree._Element) -> Iterator[tuple[etree._Element, tuple[str, ...]]]:
    """Outlines with the titles of their enclosing folders (iterative: no
    recursion limit to hit on hostile nesting)."""
    stack: list[tuple[etree._Element, tuple[str, ...]]] = [(root, ())]
    while stack:
        element, folders = stack.pop()
        if isinstance(element.tag, str) and _local(element.tag) == "outline":
            yield element, folders
            if not _is_feed(element):
                title = _outline_title({k.lower(): v for k, v in element.attrib.items()})
                folders = (*folders, title) if title else folders
        stack.extend((child, folders) for child in reversed(element))


def _is_feed(outline: etree._Element) -> bool:
    return any(key.lower() == "xmlurl" for key in outline.attrib)


def _check_url(raw: str) -> tuple[str, str | None]:
    url = strip_controls(raw, keep_newlines=False).strip()
    if not url:
        return url, "empty feed URL"
    if url.startswith("|"):
        return url, "command feeds (|command) are not supported"
    if is_http_url(url):
        return url, None
    scheme = _SCHEME.match(url)
    if scheme is None:
        return url, "not an absolute URL (http(s), file:// or sample:)"
    name = scheme.group(1).lower()
    if name in _COMMAND_SCHEMES:
        return url, f"command feeds ({name}:) are not supported"
    if name in _LOCAL_SCHEMES:
        return url, None  # accepted as 'add' accepts it: read and parsed before subscribing
    return url, f"only http(s), file:// and sample: feeds are supported, not {name}:"


def _outline_title(attrs: dict[str, str]) -> str | None:
    return clean_line(attrs.get("title") or attrs.get("text") or "", limit=500) or None


def _path_tags(folders: Sequence[str]) -> list[str]:
    """The tags of a feed in nested folders: each enclosing folder's path, so folder
    World inside News gives "News" and "News/World" (``tag:News`` finds the feeds of
    News and of its subfolders, and export rebuilds the tree)."""
    return ["/".join(folders[: depth + 1]) for depth in range(len(folders))]


def _category_tags(value: str | None) -> list[str]:
    """OPML 2.0 ``category``: comma-separated, each possibly a /slash/path (read like
    nested folders)."""
    tags: list[str] = []
    for category in (value or "").split(","):
        parts = [clean_line(part, limit=200) for part in category.split("/")]
        tags += _path_tags([part for part in parts if part])
    return tags


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _size(result: OpmlResult) -> int:
    return len(result.feeds) + len(result.refused)


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))


# --- export ----------------------------------------------------------------------


def _as_category(tag: str, tags: set[str]) -> bool:
    """True if ``category="/tag"`` reads back as exactly this tag (and tags it has)."""
    read_back = _category_tags("/" + tag)
    return tag in read_back and set(read_back) <= tags


def _folder(
    body: etree._Element, folders: dict[str, etree._Element], tag: str, tags: set[str]
) -> etree._Element:
    """The folder for ``tag``, nested at each "/" where the part before it is a tag too
    (else the "/" is part of a folder's name: "AI/ML")."""
    cuts = [index for index, char in enumerate(tag) if char == "/" and tag[:index] in tags]
    parent, start = body, 0
    for end in [*cuts, len(tag)]:
        key = tag[:end]
        if key not in folders:
            name = tag[start:end]
            folders[key] = etree.SubElement(parent, "outline", text=name, title=name)
        parent, start = folders[key], end + 1
    return parent


def _feed_outline(parent: etree._Element, url: str, title: str, category: str) -> None:
    name = clean_line(title) or clean_line(url)
    outline = etree.SubElement(
        parent,
        "outline",
        type="rss",
        text=name,
        title=name,
        xmlUrl=strip_controls(url, keep_newlines=False).strip(),
    )
    if category:
        outline.set("category", category)
