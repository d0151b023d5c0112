"""SQL fragments shared by storage and the query language (no imports: both use it)."""

from __future__ import annotations


def tag_key(tag: str | None) -> str | None:
    """What makes two tags the same tag: case never does."""
    return None if tag is None else tag.casefold()


def tag_filter(alias: str = "a") -> str:
    """The one SQL test for "article ``alias`` carries this tag", on itself or through its
    feed; takes the tag twice as parameters. Every tag filter (lists, search, the
    annotations screen, export) uses it, so they cannot disagree about case."""
    return (
        f"({alias}.id IN (SELECT article_id FROM article_tags WHERE tag_key(tag) = tag_key(?))"
        f" OR {alias}.feed_id IN (SELECT feed_id FROM feed_tags WHERE tag_key(tag) = tag_key(?)))"
    )


__all__ = ["tag_filter", "tag_key"]
