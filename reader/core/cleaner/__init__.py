"""The cleaner: feed HTML, plain text or whole pages in; readable blocks out,
with donation appeals, paywall and newsletter prompts and page chrome removed
and every removal recorded.

    clean(content, url=None, *, content_type=None, extract=False, rules=None)

``extract=True`` treats ``content`` as a whole web page and first extracts the
story (``reader.core.cleaner.extract``, imported lazily because it pulls in
trafilatura).
"""

from __future__ import annotations

import html
from typing import Literal

from reader.core.cleaner.blocks import (
    RawBlock,
    html_blocks,
    looks_like_html,
    parse_html,
    text_blocks,
)
from reader.core.cleaner.pipeline import compose, plan
from reader.core.cleaner.rules import CleanerRules, RuleSet, SiteRules, compile_selector, load_rules
from reader.core.models import BLOCK_SEPARATOR, CleanedArticle, Removal
from reader.core.sanitize import clean_line

__all__ = ["CleanerRules", "RuleSet", "SiteRules", "clean", "evidence", "explain", "load_rules"]

_NO_RULES = CleanerRules()


def clean(
    content: str,
    url: str | None = None,
    *,
    content_type: Literal["html", "text"] | None = None,
    extract: bool = False,
    rules: CleanerRules | None = None,
) -> CleanedArticle:
    """Clean one article body. Never raises on odd input; the only error is an
    ImportError when ``extract=True`` and the extractor is not installed."""
    content = content if isinstance(content, str) else ""
    article = CleanedArticle(blocks=[])
    dropped: list[tuple[int, str, str]] = []
    if extract:
        content, content_type = _extract(content, url, article, dropped), "html"
    site_rules = (rules or _NO_RULES).for_url(url)
    raw = _raw_blocks(content, url, content_type, site_rules)
    found = plan(raw, site_rules)
    article.blocks, article.removed = compose(raw, found.spans)
    if dropped:
        article.removed = _with_extraction_drops(article, dropped)
    if found.published is not None:
        article.published = found.published
    if article.lead_image is None:
        article.lead_image = _lead_caption(article)
    return article


def _raw_blocks(
    content: str, url: str | None, content_type: str | None, rules: SiteRules
) -> list[RawBlock]:
    if content_type == "text" or not looks_like_html(content):
        # Declared HTML without a single tag is text with entities at most.
        return text_blocks(html.unescape(content) if content_type == "html" else content)
    root = parse_html(content)
    if root is None:
        return []
    marks = {}
    for mark, ruleset in (("keep", rules.keep), ("remove", rules.remove)):
        for selector in ruleset.selectors:
            for element in compile_selector(selector)(root):
                marks[element] = mark
    return html_blocks(root, url, marks, check_controls="&#" in content)


def _with_extraction_drops(
    article: CleanedArticle, dropped: list[tuple[int, str, str]]
) -> list[Removal]:
    """The cleaner's removals plus what extraction's own passes dropped, each
    placed before the story block it preceded (block -1: not a raw block), in
    text order."""
    starts, offset = [], 0
    for block in article.blocks:
        starts.append(offset)
        offset += len(block.text) + len(BLOCK_SEPARATOR)
    end = max(0, offset - len(BLOCK_SEPARATOR))
    extra = [
        Removal(-1, 0, len(text), text, rule, starts[index] if index < len(starts) else end)
        for index, text, rule in dropped
        if text.strip()
    ]
    merged = [(r.position, 0, n, r) for n, r in enumerate(extra)]
    merged += [(r.position, 1, n, r) for n, r in enumerate(article.removed)]
    return [item[3] for item in sorted(merged, key=lambda item: item[:3])]


def _extract(
    content: str, url: str | None, article: CleanedArticle, dropped: list[tuple[int, str, str]]
) -> str:
    """Run story extraction; fill the article's metadata; return the story HTML."""
    try:
        from reader.core.cleaner.extract import extract_story
    except ImportError as error:
        raise ImportError(
            "full-page extraction is unavailable: reader.core.cleaner.extract could not be"
            f" imported ({error})"
        ) from error
    story = extract_story(content, url)
    article.extracted = True
    article.title = clean_line(story.title) or None
    article.author = clean_line(story.author) or None
    article.published = story.published
    article.canonical_url = story.canonical_url
    article.lead_image = clean_line(story.lead_image) or None
    dropped.extend(story.dropped)
    return story.html


def _lead_caption(article: CleanedArticle) -> str | None:
    """The caption of an image that comes before the story text, if any."""
    for block in article.blocks:
        if block.kind == "caption":
            return block.text
        if block.kind == "paragraph":
            return None
    return None


def evidence(removal: Removal, count: int = 3) -> str:
    """Why an appeal or chrome passage went: the appeal model's probability and
    its strongest features ("" for user rules, metadata and extraction)."""
    if not removal.rule.startswith(("appeal.", "chrome.", "boilerplate.")):
        return ""
    from reader.core.cleaner import model as appeal_model
    from reader.core.cleaner.scoring import sentence_features

    found = sentence_features(removal.text)
    current = appeal_model.current()
    strongest = ", ".join(
        f"{name} {weight:+.1f}" for name, weight in current.strongest(found, count)
    )
    return f"p={current.probability_of(found):.2f}" + (f"; {strongest}" if strongest else "")


def explain(cleaned: CleanedArticle, width: int = 100) -> str:
    """One line per removal: rule, block, a preview of the text and the evidence."""
    lines = []
    for removal in cleaned.removed:
        preview = clean_line(removal.text, limit=width)
        lines.append(f"{removal.rule:<28} block {removal.block:>3}: {preview}")
        why = evidence(removal)
        if why:
            lines.append(f"{'':<28}   why: {why}")
    return "\n".join(lines) if lines else "nothing removed"
