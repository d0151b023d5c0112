"""trafilatura's runs on one page, sharing the work its precision runs repeat.

Every ``bare_extraction`` call copies the page and prunes the copy with three
XPath expressions (infinite-scroll containers, share-button bars, comment
sections) whose regular expressions call back into Python for every <div>,
<section> and list on the page: about 6 ms on an average page, a fifth of a
fast precision run, paid again by each run.

For the trafilatura release this replay was checked against (``VERIFIED``),
the precision runs here call the same steps of its ``trafilatura_sequence`` in
the same order, with the options ``bare_extraction`` would build, on one pruned
copy shared by the runs (none of them changes it: each step copies what it
edits). The pruning itself is a plain scan with the same tests as the XPath
expressions, several times faster; ``tests/test_story_runs.py`` holds both to
the same elements and the replay to ``bare_extraction``'s blocks. Any other
release, or a stand-in for trafilatura, gets ``bare_extraction`` as before;
balanced mode always does (it runs on few pages and has more steps).
"""

from __future__ import annotations

import re
from copy import copy
from typing import Any

import lxml.html
from lxml import etree

from reader.core.cleaner.story_blocks import Block, tree_blocks

VERIFIED = "2.3.1"

# The tests of trafilatura 2.3.1's RAW_TREE_PRUNE_XPATH and
# REMOVE_COMMENTS_AND_LISTS_XPATH (lxml's re:test is re.search).
_SCROLL = re.compile(r"mvp-post-add-(?:box|wrap)|infinite-?scroll")
_MVP = re.compile(r"mvp-post-add-(?:box|wrap)")
_COMMENT_ID = re.compile(r"^(?:[Cc]omment(?!ary)|comol|disqus_thread|dsq-comments)")
_COMMENT_LIST_ID = re.compile(r"^(?:[Cc]omment(?!ary)|comol)")
_COMMENT_CLASS = re.compile(r"^[Cc]omment(?!ary)|(?:article|post)-comments")


def scroll_containers(tree: etree._Element) -> list[etree._Element]:
    """RAW_TREE_PRUNE_XPATH's first expression: infinite-scroll containers of
    appended articles (unless they hold the page's <h1>), in page order."""
    found = []
    for element in tree.iter("div", "section", "aside"):
        marks = (element.get("id") or "", element.get("class") or "")
        if any(_SCROLL.search(mark) for mark in marks) and (
            element.find(".//h1") is None or any(_MVP.search(mark) for mark in marks)
        ):
            found.append(element)
    return found


def share_bars(tree: etree._Element) -> list[etree._Element]:
    """RAW_TREE_PRUNE_XPATH's second expression."""
    return [
        element
        for element in tree.iter("div", "section", "aside")
        if "elementor-share-buttons" in (element.get("class") or "")
    ]


def comment_sections(tree: etree._Element) -> list[etree._Element]:
    """REMOVE_COMMENTS_AND_LISTS_XPATH: comment containers and comment lists."""
    found = []
    for element in tree.iter("div", "list", "section", "details", "ol", "ul"):
        ident, cls = element.get("id") or "", element.get("class") or ""
        in_class = _COMMENT_CLASS.search(cls) is not None
        if not (in_class or _COMMENT_ID.search(ident)):
            continue
        # An <ol>/<ul> needs the narrower id test (no Disqus ids) or the class.
        if element.tag not in ("ol", "ul") or in_class or _COMMENT_LIST_ID.search(ident):
            found.append(element)
    return found


def _delete(elements: list[etree._Element]) -> None:
    """trafilatura's delete_element: the tail text stays."""
    for element in elements:
        parent = element.getparent()
        if parent is None:
            continue
        if element.tail:
            previous = element.getprevious()
            if previous is None:
                parent.text = (parent.text or "") + element.tail
            else:
                previous.tail = (previous.tail or "") + element.tail
        parent.remove(element)


class PageRuns:
    """trafilatura's story blocks for one page, in any mode, as often as asked."""

    def __init__(self, trafilatura: Any, tree: lxml.html.HtmlElement, url: str | None) -> None:
        self._trafilatura, self._tree, self._url = trafilatura, tree, url
        self._replay = getattr(trafilatura, "__version__", None) == VERIFIED
        self._pruned: lxml.html.HtmlElement | None = None
        self._forum = False

    def blocks(self, *, precision: bool, fast: bool) -> list[Block]:
        try:
            if precision and self._replay:
                body = self._precision_body(fast)
            else:
                body = self._bare_body(precision, fast)
        except Exception:  # third-party code running on hostile input
            return []
        return list(tree_blocks(body)) if body is not None else []

    def _bare_body(self, precision: bool, fast: bool) -> etree._Element | None:
        document = self._trafilatura.bare_extraction(
            self._tree,  # trafilatura copies it, so one parse serves every run
            url=self._url,
            fast=fast,
            favor_precision=precision,
            include_comments=False,
            include_links=False,  # trafilatura loses text around links when it keeps them
            include_images=False,
            include_tables=True,
            # Only the body tree is read: "xml" spares the plain-text rendering
            # that the default "python" format computes for every run; nothing
            # else in the extraction depends on the output format.
            output_format="xml",
        )
        return getattr(document, "body", None)

    def _precision_body(self, fast: bool) -> etree._Element | None:
        """bare_extraction(favor_precision=True) with the options above, replayed."""
        from trafilatura.core import _extract_and_compare, _forum_thread_page, _prepare_tree
        from trafilatura.htmlprocessing import prune_unwanted_nodes
        from trafilatura.settings import Extractor
        from trafilatura.xpaths import REMOVE_COMMENTS_XPATH

        options = Extractor(
            output_format="xml",
            fast=fast,
            precision=True,
            comments=False,
            links=False,
            images=False,
            tables=True,
            url=self._url,
        )
        if options.max_tree_size:  # never with the default settings: left to bare_extraction
            return self._bare_body(True, fast)
        if self._pruned is None:
            pruned = copy(self._tree)
            self._forum = _forum_thread_page(pruned)
            _delete(scroll_containers(pruned))
            _delete(share_bars(pruned))
            # Comments are off and the focus is precision: pruned on any page.
            _delete(comment_sections(pruned))
            self._pruned = pruned
        cleaned, backup = _prepare_tree(self._pruned, options, self._url)
        if not self._forum:
            cleaned = prune_unwanted_nodes(cleaned, REMOVE_COMMENTS_XPATH)
        body, text = _extract_and_compare(cleaned, backup, self._pruned, options)
        if len(text) < options.min_output_size and options.min_output_comm_size > 0:
            return None  # bare_extraction's size check (no comments were asked for)
        return body
