"""Broadsheet's headless core: usable as a library, from the CLI and from tests.

Never imports Textual (a test enforces it). The layers, top to bottom (a test in
tests/test_layering.py enforces them): export and background above the
``library`` facade; cleaning, the refresh pipeline and annotations below it; then
``_storage`` (all SQL), the cleaner and the query language; then plain data.

The names below are imported when first used: a command that needs only
``reader.core.errors`` does not pay for the whole library at start-up.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# name -> the module that defines it
_LAZY = {
    "AfterRefresh": "reader.core.library",
    "Library": "reader.core.library",
    "refresh_and_settle": "reader.core.library",
    "BroadsheetError": "reader.core.errors",
    "LibraryError": "reader.core.errors",
    "NotFoundError": "reader.core.errors",
    "Article": "reader.core.models",
    "ArticleQuery": "reader.core.models",
    "ArticleSummary": "reader.core.models",
    "Block": "reader.core.models",
    "CleanedArticle": "reader.core.models",
    "Feed": "reader.core.models",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'reader.core' has no attribute {name!r}")


def open_library(data_dir_path: Path | str | None = None, *, samples: bool = True) -> Library:
    """The library in ``data_dir_path`` (default: the platform's data directory)."""
    from reader.core.library import Library

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
