"""Turn feed HTML or plain text into raw blocks.

Raw blocks carry what the appeal detector needs besides the text: the class/id
hint of a small enclosing container, the container they share with siblings,
and whether a user selector marked them. One iterative ``iterwalk`` pass keeps
this fast and immune to deep nesting.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree

from reader.core.models import BlockKind, LinkSpan
from reader.core.sanitize import strip_controls

# Elements whose content is never story text.
_SKIP_TAGS = (
    "script", "style", "iframe", "form", "nav", "noscript", "template", "svg", "math",
    "button", "input", "select", "textarea", "object", "embed", "canvas", "head",
    "title", "meta", "link", "audio", "video", "source", "track", "map", "dialog",
)  # fmt: skip
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_LISTS = {"ul", "ol", "menu"}
# Elements that start a new block; everything else is inline.
_BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "aside", "header", "footer", "main", "blockquote",
     "li", "pre", "figure", "figcaption", "table", "tr", "td", "th", "caption", "dl",
     "dt", "dd", "hr", "address", "details", "summary", "center", "body", "html",
     "fieldset", "legend", *_HEADINGS, *_LISTS}
)  # fmt: skip
# Elements that group sibling blocks (a promo box, a sidebar).
_CONTAINER_TAGS = frozenset(
    {"div", "aside", "section", "figure", "header", "footer", "details", "blockquote", "table"}
)
# class/id fragments that mark promotional or chrome containers.
_HINT = re.compile(
    r"donat|newsletter|paywall|subscri|promo|\bepic|contribut|(?:^|[\s_-])ads?(?:$|[\s_-])"
    r"|advert|sign-?up|membership|regwall|register|adblock|sponsor|support-?us|\bcta\b"
    r"|inline-?ad|related|recirc|more-?stories|read-?more|share|social|banner|upsell|meter",
    re.I,
)
_SPACE = re.compile(r"\s+")
_ABSOLUTE = re.compile(r"(?i)https?://[^\s/]")
_CONTROL_CHAR = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TAG_SNIFF = re.compile(r"<(?:[a-zA-Z][\w:-]*(?:\s[^<>]*)?/?|/[a-zA-Z][\w:-]*\s*|!--.*?--)>", re.S)
_ALT_JUNK = re.compile(
    r"^(?:image|photo|picture|img|logo|icon|graphic)\b|\.(?:jpe?g|png|gif|webp|svg)$", re.I
)


@dataclass(slots=True)
class RawBlock:
    kind: BlockKind
    text: str
    level: int = 0
    links: list[LinkSpan] = field(default_factory=list)
    container: int = 0  # 0 = top level; blocks sharing a number share a container
    hint: str | None = None  # class/id hint of the innermost hinted container
    hint_owner: int = 0  # the container that carries ``hint``
    user: str | None = None  # "remove" / "keep" when a user selector matched

    @property
    def link_chars(self) -> int:
        return sum(link.end - link.start for link in self.links)


def normal_text(text: str) -> str:
    """One spelling for one letter: Unicode NFC (a precomposed letter, not a
    base letter plus a combining mark, as some editors and scripts write them),
    so that search and anyone matching the text find it."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def looks_like_html(content: str) -> bool:
    return _TAG_SNIFF.search(content[:20000]) is not None


def text_blocks(content: str) -> list[RawBlock]:
    """Plain text: paragraphs split on blank lines, inner newlines become spaces."""
    text = normal_text(strip_controls(content))
    blocks = []
    for para in re.split(r"\n[ \t]*\n", text):
        para = _SPACE.sub(" ", para).strip()
        if para:
            blocks.append(RawBlock("paragraph", para))
    return blocks


class _Builder:
    """Accumulates a block's raw text pieces and link offsets; whitespace is
    collapsed once per block in ``take`` (per-piece work dominated the walk)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.links: list[LinkSpan] = []
        self.open_links: list[tuple[int, str | None]] = []
        self.pre = 0  # >0 inside <pre>
        self.break_at = -1  # len(parts) at the last <br>, -1 if none since text
        self.check_controls = True

    def add(self, text: str) -> None:
        if not self.parts and not self.pre and text.isspace():
            return  # whitespace between blocks: would be trimmed anyway
        if self.check_controls and _CONTROL_CHAR.search(text):
            text = strip_controls(text)  # numeric entities like &#x1b; decode to controls
        if not text.isascii():
            text = normal_text(text)
        self.parts.append(text)
        self.length += len(text)

    def line_break(self) -> bool:
        """Record a <br>; True when it is the second in a row (a paragraph break)."""
        if self.break_at >= 0 and not "".join(self.parts[self.break_at :]).strip():
            return True
        self.add("\n" if self.pre else " ")
        self.break_at = len(self.parts)
        return False

    def open_link(self, href: str | None) -> None:
        self.open_links.append((self.length, href))

    def close_link(self) -> None:
        if not self.open_links:
            return
        start, href = self.open_links.pop()
        if href and self.length > start:
            self.links.append(LinkSpan(start, self.length, href))

    def take(self) -> tuple[str, list[LinkSpan]]:
        """The finished text and its links; resets state (``parts`` is emptied
        in place: the walk holds on to it). Links still open continue at offset
        0 of the next block."""
        raw = "".join(self.parts)
        links = self.links
        if self.open_links:
            links += [
                LinkSpan(start, self.length, href)
                for start, href in self.open_links
                if href and self.length > start
            ]
            self.open_links = [(0, href) for _, href in self.open_links]
        self.parts.clear()
        self.length, self.links, self.break_at = 0, [], -1
        if self.pre:
            text = raw.strip("\n").rstrip()
            lead = len(raw) - len(raw.lstrip("\n"))
            return text, _shift_links(links, lambda offset: offset - lead, text)
        text = " ".join(raw.split())
        if not links or text == raw:
            return text, links
        return text, _shift_links(links, lambda offset: _collapsed_offset(raw, offset), text)


def _collapsed_offset(raw: str, offset: int) -> int:
    """Where ``raw[offset]`` lands once whitespace is collapsed and trimmed."""
    prefix = raw[:offset]
    collapsed = len(" ".join(prefix.split()))
    if collapsed and prefix[-1:].isspace():
        collapsed += 1  # the single space that separates it from what follows
    return collapsed


def _shift_links(
    links: Iterable[LinkSpan], move: Callable[[int], int], text: str
) -> list[LinkSpan]:
    """Move links with ``move``, clip them to ``text`` and trim spaces at their edges."""
    out = []
    for link in links:
        start, end = max(0, move(link.start)), min(len(text), move(link.end))
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            out.append(LinkSpan(start, end, link.href))
    return out


def _origin(base: str | None) -> str | None:
    """``scheme://host`` of an http(s) base URL, for resolving "/path" links cheaply."""
    if not base or not _ABSOLUTE.match(base):
        return None
    try:
        parts = urlsplit(base)
    except ValueError:
        return None
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else None


def _href(element: etree._Element, base: str | None, origin: str | None = None) -> str | None:
    """An http(s) link target, resolved against the article URL; None otherwise."""
    raw = (element.get("href") or "").strip()
    if _CONTROL_CHAR.search(raw):
        raw = strip_controls(raw, keep_newlines=False)
    if not raw or raw.startswith("#"):
        return None
    if _ABSOLUTE.match(raw):
        return raw
    if not base:
        return None
    if origin and raw[0] == "/" and raw[1:2] != "/" and "/." not in raw and "\\" not in raw:
        return origin + raw  # what urljoin gives for a root-relative path, without its cost
    try:
        href = urljoin(base, raw)
    except ValueError:
        return None
    return href if _ABSOLUTE.match(href) else None


_HINTS_SEEN: dict[str, str | None] = {}


def _hint_of(cls: str | None, ident: str | None) -> str | None:
    """The promotional hint named by an element's class and id, if any."""
    attrs = f"{cls or ''} {ident or ''}".strip()
    if not attrs:
        return None
    if attrs not in _HINTS_SEEN:
        if len(_HINTS_SEEN) > 4096:  # bounded: class strings are site-controlled
            _HINTS_SEEN.clear()
        match = _HINT.search(attrs)
        _HINTS_SEEN[attrs] = match.group().strip(" _-").lower() if match else None
    return _HINTS_SEEN[attrs]


def _meaningful_alt(alt: str) -> str | None:
    alt = _SPACE.sub(" ", normal_text(strip_controls(alt))).strip()
    if len(alt.split()) < 3 or _ALT_JUNK.search(alt):
        return None
    return alt


@dataclass(slots=True)
class _Frame:
    kind: BlockKind
    level: int
    container: int
    hint: str | None
    hint_owner: int
    user: str | None
    list_depth: int
    has_caption: bool


class _Walker:
    def __init__(self, base: str | None, marks: dict[etree._Element, str]) -> None:
        self.base = base
        self.origin = _origin(base)
        self.marks = marks
        self.blocks: list[RawBlock] = []
        self.builder = _Builder()
        self.frames = [_Frame("paragraph", 0, 0, None, 0, None, 0, False)]
        self.containers = 0

    def flush(self) -> None:
        if not self.builder.parts:
            self.builder.break_at = -1
            return
        text, links = self.builder.take()
        if text:
            frame = self.frames[-1]
            self.blocks.append(self._block(frame.kind, text, frame.level, links))

    def _block(self, kind: BlockKind, text: str, level: int, links: list[LinkSpan]) -> RawBlock:
        frame = self.frames[-1]
        return RawBlock(
            kind, text, level, links, frame.container, frame.hint, frame.hint_owner, frame.user
        )

    # The walk (html_blocks) handles block tags and text itself; the rarer
    # inline elements come here.
    def inline_start(self, el: etree._Element, tag: str) -> None:
        if tag == "a":
            self.builder.open_link(_href(el, self.base, self.origin))
        elif tag == "br":
            self._line_break()
        elif tag == "img" and not self.frames[-1].has_caption:
            alt = _meaningful_alt(el.get("alt") or "")
            if alt:
                self.flush()
                self.blocks.append(self._block("caption", alt, 0, []))

    def _line_break(self) -> None:
        # Two <br> in a row separate paragraphs; one is a space (a newline in <pre>).
        if self.builder.line_break() and not self.builder.pre:
            self.flush()

    def _frame_for(self, el: etree._Element, tag: str) -> _Frame:
        parent = self.frames[-1]
        kind, level, depth = _kind_for(tag, parent)
        cls, ident = el.get("class"), el.get("id")
        own_hint = _hint_of(cls, ident) if cls or ident else None
        user = self.marks.get(el, parent.user) if self.marks else parent.user
        opens_container = own_hint is not None or tag in _CONTAINER_TAGS
        if not opens_container and tag != "figure" and (kind, level, depth, user) == (
            parent.kind, parent.level, parent.list_depth, parent.user
        ):  # fmt: skip
            return parent  # frames are never mutated, so sharing is safe
        container, hint, owner = parent.container, parent.hint, parent.hint_owner
        if opens_container:
            self.containers += 1
            container = self.containers
            if own_hint:
                hint, owner = own_hint, container
        has_caption = parent.has_caption or (
            tag == "figure" and el.find(".//figcaption") is not None
        )
        return _Frame(kind, level, container, hint, owner, user, depth, has_caption)


def _kind_for(tag: str, parent: _Frame) -> tuple[BlockKind, int, int]:
    """Block kind, level and list depth of a block element inside ``parent``."""
    kind, level, depth = parent.kind, parent.level, parent.list_depth
    if kind == "preformatted":
        return kind, level, depth  # everything inside <pre> stays verbatim
    if tag in _HEADINGS:
        return "heading", _HEADINGS[tag], depth
    if tag in _LISTS:
        return kind, level, depth + 1
    if tag == "li":
        return "list_item", max(depth, 1), depth
    if tag == "blockquote":
        return "quote", 0, depth
    if tag == "pre":
        return "preformatted", 0, depth
    if tag in ("figcaption", "caption"):
        return "caption", 0, depth
    if kind == "heading" and tag in ("p", "td", "th", "dt", "dd"):
        return "paragraph", 0, depth
    return kind, level, depth


# A plain etree parser: lxml.html's element-class lookup runs Python code for
# every element, which costs a third of the walk.
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, encoding="utf-8", no_network=True)


# _CONTROL_CHAR in UTF-8: the C0 controls and DEL are single bytes (no other
# character's encoding holds a byte below 0x80), the C1 controls are C2 80-9F.
_C0_BYTES = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")


def _has_control_bytes(data: bytes) -> bool:
    """Whether UTF-8 ``data`` encodes a character of _CONTROL_CHAR (a C-level
    ``translate`` instead of a regex scan over the whole item)."""
    if len(data.translate(None, _C0_BYTES)) != len(data):
        return True
    return b"\xc2" in data and _C1_UTF8.search(data) is not None


def parse_html(content: str) -> etree._Element | None:
    data = content.encode("utf-8", "replace")
    if _has_control_bytes(data):
        content = strip_controls(content)
        data = content.encode("utf-8", "replace")
    if not data.strip():
        return None
    try:
        root = etree.fromstring(data, parser=_PARSER)
    except (etree.LxmlError, ValueError):
        return None
    if root is None:
        return None
    etree.strip_elements(root, *_SKIP_TAGS, with_tail=False)
    if "hidden" in content:
        for hidden in root.xpath("//*[@hidden or @aria-hidden='true']"):
            if hidden.getparent() is not None:
                _drop_keep_tail(hidden)
    return root


def _drop_keep_tail(element: etree._Element) -> None:
    parent = element.getparent()
    tail = element.tail
    if tail:
        # lxml parses character references to controls but refuses to store them.
        previous = element.getprevious()
        if previous is not None:
            previous.tail = strip_controls((previous.tail or "") + tail)
        else:
            parent.text = strip_controls((parent.text or "") + tail)
    parent.remove(element)


def html_blocks(
    root: etree._Element,
    base: str | None,
    marks: dict[etree._Element, str] | None = None,
    check_controls: bool = True,
) -> list[RawBlock]:
    """Walk a parsed tree into raw blocks. ``marks`` maps elements a user
    selector matched to "remove" or "keep"; their blocks inherit the mark.
    ``check_controls=False`` is for sources without numeric character
    references, where no control character can appear after parsing."""
    walker = _Walker(base, marks or {})
    builder, frames, flush = walker.builder, walker.frames, walker.flush
    builder.check_controls = check_controls
    parts = builder.parts  # emptied in place by every flush
    frame_for, inline_start, close_link = walker._frame_for, walker.inline_start, builder.close_link
    # One loop with the per-element steps inlined (_Walker.flush's empty case,
    # _Builder.add): it runs twice for every element of every item.
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag
        if event == "start":
            if tag in _BLOCK_TAGS:
                if parts:
                    flush()
                else:
                    builder.break_at = -1
                frames.append(frame_for(el, tag))
                if tag == "pre":
                    builder.pre += 1
            elif tag in _INLINE_EVENTS:
                inline_start(el, tag)
            text = el.text
        else:
            if tag in _BLOCK_TAGS:
                if parts:
                    flush()
                else:
                    builder.break_at = -1
                frames.pop()
                if tag == "pre":
                    builder.pre -= 1
            elif tag == "a":
                close_link()
            text = el.tail
        if text and (parts or builder.pre or not text.isspace()):
            # Whitespace between blocks is skipped: it would be trimmed anyway.
            if check_controls and _CONTROL_CHAR.search(text):
                text = strip_controls(text)  # numeric entities like &#x1b; decode to controls
            if not text.isascii():
                text = normal_text(text)
            parts.append(text)
            builder.length += len(text)
    walker.flush()
    return [block for block in walker.blocks if block.text.strip()]


_INLINE_EVENTS = frozenset({"a", "br", "img"})
