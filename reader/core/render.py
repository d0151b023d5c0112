"""Plain renderings of cleaned blocks: text for the terminal, Markdown for files."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from reader.core.models import Block, LinkSpan

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def escape_markdown(text: str) -> str:
    """Escape characters that would turn story text into Markdown syntax."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    # A line starting with "1." or "-" would become a list.
    return re.sub(
        r"(?m)^(\s*)(\d+)\.(\s)", r"\1\2\\.\3", re.sub(r"(?m)^(\s*)([-+])(\s)", r"\1\\\2\3", text)
    )


# Characters that would end or break a Markdown link destination.
_URL_UNSAFE = re.compile(r"[\s()<>\\]")


def markdown_url(url: str) -> str:
    """A link destination that cannot end early: spaces, parentheses and angle
    brackets percent-encoded."""
    return _URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), url)


def _usable_links(text: str, links: Sequence[LinkSpan]) -> list[LinkSpan]:
    """Links inside the text, not overlapping (the first wins), in order."""
    usable: list[LinkSpan] = []
    for link in sorted(links, key=lambda item: (item.start, -item.end)):
        start, end = max(0, link.start), min(len(text), link.end)
        if start < end and text[start:end].strip() and (not usable or start >= usable[-1].end):
            usable.append(LinkSpan(start, end, link.href))
    return usable


def _split_marks(
    text: str, marks: Sequence[tuple[int, int]], cuts: set[int]
) -> list[tuple[int, int]]:
    """Marks cut where a link starts or ends (a mark cannot cross "[" or "]"), each
    piece trimmed of whitespace so "==" hugs the words."""
    pieces: list[tuple[int, int]] = []
    for start, end in marks:
        points = [start, *sorted(cut for cut in cuts if start < cut < end), end]
        for left, right in zip(points, points[1:], strict=False):
            while left < right and text[left].isspace():
                left += 1
            while right > left and text[right - 1].isspace():
                right -= 1
            if left < right:
                pieces.append((left, right))
    return pieces


def inline_markdown(
    text: str,
    links: Sequence[LinkSpan] = (),
    marks: Sequence[tuple[int, int]] = (),
    *,
    escape: Callable[[str], str] = escape_markdown,
    escape_marked: Callable[[str], str] | None = None,
) -> str:
    """Block text as Markdown with its links as ``[text](url)`` and the (sorted,
    non-overlapping) ``marks`` as ``==highlights==``."""
    usable = _usable_links(text, links)
    if not usable and not marks:
        return escape(text)
    pieces = _split_marks(text, marks, {p for link in usable for p in (link.start, link.end)})
    opening: dict[int, list[str]] = {}
    closing: dict[int, list[str]] = {}
    for link in usable:
        opening.setdefault(link.start, []).append("[")
        closing.setdefault(link.end, []).append(f"]({markdown_url(link.href)})")
    for start, end in pieces:
        opening.setdefault(start, []).append("==")  # inside a link's "[" at the same place
        closing.setdefault(end, []).insert(0, "==")  # before a link's "]" at the same place
    inside = escape_marked or escape
    out: list[str] = []
    points = sorted({0, len(text), *opening, *closing})
    marked = False
    for index, point in enumerate(points):
        out += closing.get(point, [])
        out += opening.get(point, [])
        if closing.get(point, [None])[0] == "==":
            marked = False
        if "==" in opening.get(point, []):
            marked = True
        if index + 1 < len(points):
            segment = text[point : points[index + 1]]
            out.append(inside(segment) if marked else escape(segment))
    return "".join(out)


def code_fence(code: str) -> str:
    """Backticks enough that no run of them in the code closes the block early."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    return "`" * max(3, longest + 1)


def block_to_markdown(block: Block, text: str | None = None) -> str:
    """One block as Markdown, links kept; ``text`` overrides the block text (already
    Markdown)."""
    body = inline_markdown(block.text, block.links) if text is None else text
    if block.kind == "heading":
        return "#" * max(2, min(block.level or 2, 6)) + " " + body
    if block.kind == "quote":
        return "\n".join("> " + line for line in body.splitlines() or [""])
    if block.kind == "list_item":
        return "  " * max(0, block.level - 1) + "- " + body
    if block.kind == "preformatted":
        return f"{code_fence(block.text)}\n{block.text}\n{code_fence(block.text)}"
    if block.kind == "caption":
        return f"*{body}*"
    return body


def blocks_to_markdown(blocks: Sequence[Block]) -> str:
    return "\n\n".join(block_to_markdown(block) for block in blocks)
