"""Counted nouns for messages: "1 article", "2 articles", never "1 articles"."""

from __future__ import annotations


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``count`` and ``noun``, in the plural unless ``count`` is 1.

    The plural is ``noun + "s"`` unless ``many`` gives it ("entry", "entries").
    Only the last word changes: plural(2, "new article") is "2 new articles".
    """
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {many if many is not None else noun + 's'}"
