"""Cleaning stored articles: what refresh stored uncleaned, what an older cleaner
cleaned, and everything again after the user's rules change.

Cleaning runs outside the write transaction, a batch at a time, and announces each
article whose text changed to the ``text_hooks`` (re-anchoring highlights is one),
so this module needs to know nothing about annotations.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from reader.core._storage import texts as _texts
from reader.core.errors import BroadsheetError, NotFoundError
from reader.core.models import CleanedArticle

if TYPE_CHECKING:
    from reader.core.config import Config

# Bump when the cleaner changes in a way that should re-clean stored articles.
# 0 marks text stored by refresh and not cleaned yet.
# 7: the story on unfamiliar pages (UTF-8 with stray bytes, NFC, text after empty
# inline elements, speech reported without quotes, a text that is its own offer;
# an English call to subscribe inside a paragraph; a story's own short question);
# 6: unseen appeals (lead-ins and tails in any language, German glue).
# 8: story openings glued to an appeal: speech that runs on past a short first
# sentence, a lowercase opening after a stop, a button's few words before the story.
CLEANER_VERSION = 8
CLEAN_BATCH = 200

# (article id, old text, new text): an article's canonical text changed.
TextChanged = Callable[[int, str, str], None]


def cleaned_columns(cleaned: CleanedArticle) -> tuple[str, str, str]:
    """The stored form of a cleaned article: text, blocks JSON, removals JSON."""
    return (
        cleaned.text,
        json.dumps([block.to_dict() for block in cleaned.blocks], ensure_ascii=False),
        json.dumps([removal.to_dict() for removal in cleaned.removed], ensure_ascii=False),
    )


class Cleaning:
    """The cleaning service of one library."""

    def __init__(
        self,
        connection: Callable[[], sqlite3.Connection],
        config: Config,
        text_hooks: list[TextChanged],
    ) -> None:
        self._connection = connection
        self._config = config
        self.text_hooks = text_hooks
        self._rules: Any = None
        self._rules_read = False
        self._rules_error: BroadsheetError | None = None
        self._rules_error_said = False
        # Called once with a line saying the rules file is broken and ignored
        # (the CLI prints it, the reader shows it).
        self.problem_hooks: list[Callable[[str], None]] = []

    def rules(self, *, strict: bool = True) -> Any:
        """The user's rules file (config dir ``rules.toml``), read once per library.
        A broken file raises when ``strict``; otherwise cleaning goes on without
        it, said once through ``problem_hooks``: a bad regex must not make new
        articles unreadable (``reclean``, asked for, still refuses)."""
        if not self._rules_read:
            from reader.core.cleaner import load_rules

            path = self._config.rules_path
            try:
                self._rules = load_rules(path) if path is not None and path.exists() else None
            except BroadsheetError as error:
                self._rules_error = error
            self._rules_read = True
        if self._rules_error is not None:
            if strict:
                raise self._rules_error
            if not self._rules_error_said:
                self._rules_error_said = True
                problem = f"{self._rules_error}; cleaning without these rules until it is fixed"
                for hook in self.problem_hooks:
                    hook(problem)
        return self._rules

    def clean_page(self, html: str, link: str | None) -> CleanedArticle:
        """Extract and clean a fetched story page."""
        from reader.core.cleaner import clean

        return clean(html, link, extract=True, rules=self.rules(strict=False))

    def _clean(self, row: sqlite3.Row | dict[str, Any], rules: Any) -> CleanedArticle:
        from reader.core.cleaner import clean

        source = row["page_html"] or row["raw_content"]
        return clean(
            source,
            row["link"],
            content_type="html" if row["page_html"] else row["content_type"],
            extract=bool(row["page_html"]),
            rules=rules,
        )

    def reclean(self, article_ids: Iterable[int] | None = None, *, strict: bool = True) -> int:
        """Re-run the cleaner over stored raw content (all articles when ids is None).
        ``strict``: a broken rules file raises (see :meth:`rules`)."""
        db = self._connection()
        ids = _texts.all_ids(db) if article_ids is None else list(article_ids)
        if not ids:
            return 0
        rules = self.rules(strict=strict)
        for start in range(0, len(ids), CLEAN_BATCH):
            self._clean_batch(ids[start : start + CLEAN_BATCH], rules)
        return len(ids)

    def clean_pending(self, *, limit: int | None = None) -> int:
        """Clean articles that refresh stored uncleaned (or that an older cleaner did).
        Returns how many were cleaned; run it after a refresh, in the background."""
        ids = _texts.ids_to_clean(self._connection(), CLEANER_VERSION, limit)
        return self.reclean(ids, strict=False)

    def tidy_search_index(self, *, pages_per_step: int = 2000, max_steps: int = 10_000) -> int:
        """Merge the search index's segments, a short write transaction at a time, so the
        UI and annotation saves never wait long. Cleaning replaces each new article's
        indexed text, and FTS5 keeps the old entries until segments merge: after cleaning
        100,000 articles this halved the index (292 to 148 MB) and search time.
        Returns the steps taken (one when there was nothing to merge)."""
        db = self._connection()
        steps = 0
        while steps < max_steps:
            steps += 1
            if not _texts.merge_index_step(db, pages_per_step):
                break
        return steps

    def _clean_batch(self, ids: list[int], rules: Any) -> None:
        """Clean outside the write transaction, then write the batch in one transaction."""
        db = self._connection()
        rows = _texts.rows_to_clean(db, ids)
        if len(rows) != len(set(ids)):
            missing = set(ids) - {row["id"] for row in rows}
            raise NotFoundError(f"no article with id {min(missing)}")
        cleaned = [(row, self._clean(row, rules)) for row in rows]
        batch = [[row["id"], *cleaned_columns(result), result.published] for row, result in cleaned]
        _texts.write_cleaned(db, batch, CLEANER_VERSION)
        annotated = _texts.annotated(db, {row["id"] for row, _ in cleaned})
        for row, result in cleaned:
            old = row["cleaned_text"]
            if row["id"] in annotated and old is not None and old != result.text:
                for hook in self.text_hooks:
                    hook(row["id"], old, result.text)
