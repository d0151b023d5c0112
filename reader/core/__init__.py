"""Broadsheet's headless core: usable as a library, from the CLI and from tests.

Never imports Textual (a test enforces it).
"""

from reader.core.errors import BroadsheetError, LibraryError, NotFoundError
from reader.core.library import ArticleQuery, Library, open_library
from reader.core.models import Article, ArticleSummary, Block, CleanedArticle, Feed

__all__ = [
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
]
