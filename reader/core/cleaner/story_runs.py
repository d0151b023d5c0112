"""trafilatura's runs on one page, sharing the work its precision runs repeat.

Every ``bare_extraction`` call copies the page and prunes the copy with three
XPath expressions (infinite-scroll containers, share-button bars, comment
sections) that test every element, most of them with regular expressions
called back into Python: about 6 ms on an average page, a fifth of a fast
precision run, paid again by each run; then it copies the copy twice more.

For the trafilatura release this replay was checked against (``VERIFIED``),
the precision runs here call the same steps of its ``trafilatura_sequence`` in
the same order, with the options ``bare_extraction`` would build. The pruning
is a plain scan with the same tests as the XPath expressions, several times
faster. The fast run (every page) works on one pruned copy of the page, which
its steps may change since it compares with nothing afterwards; a full run
(some pages) keeps its pruned copy for the runs after it, as each of its steps
copies what it edits. ``tests/test_story_runs.py`` holds the scans to the
XPath expressions and the replay to ``bare_extraction``'s blocks. Any other
release, or a stand-in for trafilatura, gets ``bare_extraction`` as before.
Balanced mode (on fewer pages) is replayed the same way, but on a forum page,
where it keeps the comment sections the shared copy has lost.
"""

from __future__ import annotations

import re
from contextlib import suppress
from copy import copy
from functools import lru_cache
from typing import Any

import lxml.html
from lxml import etree

from reader.core.cleaner.story_blocks import Block, tree_blocks

VERIFIED = "2.3.1"

# The tests of trafilatura 2.3.1's RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH
# and REMOVE_COMMENTS_XPATH (lxml's re:test is re.search).
_SCROLL = re.compile(r"mvp-post-add-(?:box|wrap)|infinite-?scroll")
_MVP = re.compile(r"mvp-post-add-(?:box|wrap)")
_COMMENT_ID = re.compile(r"^(?:[Cc]omment(?!ary)|comol|disqus_thread|dsq-comments)")
_COMMENT_LIST_ID = re.compile(r"^(?:[Cc]omment(?!ary)|comol)")
_COMMENT_CLASS = re.compile(r"^[Cc]omment(?!ary)|(?:article|post)-comments")
# A substring of every id or class any of those tests accepts: most elements fail it.
_MAYBE = re.compile(r"omment|comol|disqus_thread|infinite|mvp-post-add-|elementor-share-buttons")
_RAW_TAGS = ("div", "section", "aside", "list", "details", "ol", "ul")


def _marked(tree: etree._Element, tags: tuple[str, ...]) -> list[etree._Element]:
    """Elements of these tags whose id or class could pass one of the tests, in page order."""
    found = []
    for element in tree.iterdescendants(tags):  # like .//*: not the root itself
        ident, cls = element.get("id"), element.get("class")
        if (ident and _MAYBE.search(ident)) or (cls and _MAYBE.search(cls)):
            found.append(element)
    return found


def _comment_marks(ident: str, cls: str) -> bool:
    return bool(_COMMENT_CLASS.search(cls) or _COMMENT_ID.search(ident))


def raw_prunes(tree: etree._Element) -> list[list[etree._Element]]:
    """What RAW_TREE_PRUNE_XPATH's two expressions and REMOVE_COMMENTS_AND_LISTS_XPATH
    select, in page order. Found on the unpruned page: each deletion only takes
    elements away, so an element still in the tree passes the later tests as it
    would after the earlier deletions (they read its tag and attributes only)."""
    scroll, share, comments = [], [], []
    for element in _marked(tree, _RAW_TAGS):
        ident, cls, tag = element.get("id") or "", element.get("class") or "", element.tag
        if tag in ("div", "section", "aside"):
            # Infinite-scroll containers of appended articles, unless they hold the <h1>.
            if (_SCROLL.search(ident) or _SCROLL.search(cls)) and (
                element.find(".//h1") is None or _MVP.search(ident) or _MVP.search(cls)
            ):
                scroll.append(element)
            if "elementor-share-buttons" in cls:
                share.append(element)
        if tag == "aside" or not _comment_marks(ident, cls):
            continue
        # An <ol>/<ul> needs the narrower id test (no Disqus ids) or the class.
        if tag not in ("ol", "ul") or _COMMENT_CLASS.search(cls) or _COMMENT_LIST_ID.search(ident):
            comments.append(element)
    return [scroll, share, comments]


def comment_containers(tree: etree._Element) -> list[etree._Element]:
    """What REMOVE_COMMENTS_XPATH selects (on the converted tree), in page order."""
    return [
        element
        for element in _marked(tree, ("div", "list", "section", "details"))
        if _comment_marks(element.get("id") or "", element.get("class") or "")
    ]


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


@lru_cache(maxsize=4)
def _mode_options(precision: bool, fast: bool) -> Any:
    """The options bare_extraction builds for the calls below (but the URL, set
    per page): building them reads the configuration, a third of a millisecond."""
    from trafilatura.settings import Extractor

    return Extractor(
        output_format="xml",
        fast=fast,
        precision=precision,
        comments=False,
        links=False,
        images=False,
        tables=True,
    )


def _sized(body: etree._Element, text: str, options: Any) -> etree._Element | None:
    """bare_extraction's size check (no comments were asked for)."""
    if len(text) < options.min_output_size and options.min_output_comm_size > 0:
        return None
    return body


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
            elif not fast and self._replay:
                body = self._balanced_body()
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
        from trafilatura.core import _extract_and_compare, _prepare_tree
        from trafilatura.htmlprocessing import convert_tags, tree_cleaning
        from trafilatura.main_extractor import extract_content

        options = self._options(precision=True, fast=fast)
        if options.max_tree_size:  # never with the default settings: left to bare_extraction
            return self._bare_body(True, fast)
        if fast:
            # _prepare_tree without its two copies: fast mode compares with
            # nothing, so neither the pruned page nor the backup is read again.
            cleaned = tree_cleaning(self._pruned_copy(), options)
            cleaned = convert_tags(cleaned, options, self._url)
            if not self._forum:
                _delete(comment_containers(cleaned))
            body, text = extract_content(cleaned, options)
        else:
            if self._pruned is None:  # kept: the runs after this one read it too
                self._pruned = self._pruned_copy()
            cleaned, backup = _prepare_tree(self._pruned, options, self._url)
            if not self._forum:
                _delete(comment_containers(cleaned))
            body, text = _extract_and_compare(cleaned, backup, self._pruned, options)
        return _sized(body, text, options)

    def _balanced_body(self) -> etree._Element | None:
        """bare_extraction(favor_precision=False, fast=False) with the options
        above, replayed: trafilatura_sequence's balanced steps with comments off
        (no comment capture, no forum salvage). Each step copies what it edits
        (baseline, html2txt and the recall retry included), so the pruned copy
        serves as it is."""
        from trafilatura import core
        from trafilatura.external import justext_rescue

        options = self._options(precision=False, fast=False)
        if self._pruned is None:
            self._pruned = self._pruned_copy()
        if options.max_tree_size or self._forum:
            # A forum page keeps its comment sections in balanced mode: not this copy.
            return self._bare_body(False, False)
        tree = self._pruned
        cleaned, backup = core._prepare_tree(tree, options, self._url)
        body, text = core._extract_and_compare(cleaned, backup, tree, options)
        if len(text) < options.min_extracted_size:  # the baseline rescue
            rescued, rescued_text, rescued_length = core.baseline(tree)
            if rescued_length > len(text):
                body, text = rescued, rescued_text
        if 0 < len(text) < core.ESCALATION_MAX_LENGTH and len(text) < (
            core.ESCALATION_PAGE_SHARE * len(core.html2txt(tree))
        ):  # the recall escalation, with its justext candidate
            recall = copy(options)
            recall.focus = "recall"
            retried: tuple[Any, str] = (None, "")
            with suppress(Exception):  # as trafilatura: a failed candidate is no candidate
                retried = core._recall_retry(tree, recall, self._url)
            justext: tuple[Any, str] = (None, "")
            with suppress(Exception):
                justext = justext_rescue(copy(tree), options)
            length, r_length, j_length = len(text), len(retried[1]), len(justext[1])
            if j_length > r_length and j_length > core.ESCALATION_JUSTEXT_RATIO * length:
                body, text = justext
            elif (
                r_length >= options.min_extracted_size
                and r_length > core.ESCALATION_ACCEPT_RATIO * length
            ):
                body, text = retried
        return _sized(body, text, options)

    def _options(self, *, precision: bool, fast: bool) -> Any:
        options = copy(_mode_options(precision, fast))
        options.url = self._url
        options.source = self._url and self._url.encode("utf-8", "replace").decode("utf-8")
        return options

    def _pruned_copy(self) -> lxml.html.HtmlElement:
        """A copy of the page as trafilatura_sequence prunes it before its steps."""
        from trafilatura.core import _forum_thread_page

        pruned = copy(self._tree)
        self._forum = _forum_thread_page(pruned)
        # Comments are off: comment sections go on any page in precision mode,
        # on any but a forum's in balanced mode.
        for found in raw_prunes(pruned):
            _delete(found)
        return pruned
