"""Broadsheet's headless core: usable as a library, from the CLI and from tests.

Never imports Textual (a test enforces it). The layers, top to bottom (a test in
tests/test_layering.py enforces them): export and background above the
``library`` facade; cleaning, the refresh pipeline and annotations below it; then
``_storage`` (all SQL), the cleaner and the query language; then plain data.
"""

from pathlib import Path

from reader.core.errors import BroadsheetError, LibraryError, NotFoundError
from reader.core.library import AfterRefresh, Library, refresh_and_settle
from reader.core.models import (
    Article,
    ArticleQuery,
    ArticleSummary,
    Block,
    CleanedArticle,
    Feed,
)


def open_library(data_dir_path: Path | str | None = None, *, samples: bool = True) -> Library:
    """The library in ``data_dir_path`` (default: the platform's data directory)."""
    return Library.open(data_dir_path, samples=samples)


__all__ = [
    "AfterRefresh",
    "Article",
    "ArticleQuery",
    "ArticleSummary",
    "Block",
    "BroadsheetError",
    "CleanedArticle",
    "Feed",
    "Library",
    "LibraryError",
    "NotFoundError",
    "open_library",
    "refresh_and_settle",
]
