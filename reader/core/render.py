"""Plain renderings of cleaned blocks: text for the terminal, Markdown for files."""

from __future__ import annotations

import re
from collections.abc import Sequence

from reader.core.models import Block

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def escape_markdown(text: str) -> str:
    """Escape characters that would turn story text into Markdown syntax."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    # A line starting with "1." or "-" would become a list.
    return re.sub(
        r"(?m)^(\s*)(\d+)\.(\s)", r"\1\2\\.\3", re.sub(r"(?m)^(\s*)([-+])(\s)", r"\1\\\2\3", text)
    )


def block_to_markdown(block: Block, text: str | None = None) -> str:
    """One block as Markdown; ``text`` overrides the block text (already escaped)."""
    body = escape_markdown(block.text) if text is None else text
    if block.kind == "heading":
        return "#" * max(2, min(block.level or 2, 6)) + " " + body
    if block.kind == "quote":
        return "\n".join("> " + line for line in body.splitlines() or [""])
    if block.kind == "list_item":
        return "  " * max(0, block.level - 1) + "- " + body
    if block.kind == "preformatted":
        fence = "````" if "```" in block.text else "```"
        return f"{fence}\n{block.text}\n{fence}"
    if block.kind == "caption":
        return f"*{body}*"
    return body


def blocks_to_markdown(blocks: Sequence[Block]) -> str:
    return "\n\n".join(block_to_markdown(block) for block in blocks)
