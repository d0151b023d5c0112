"""The first screen's rows, read ahead: while the app starts, the gateway reads the
last session's view and the page of the article list it showed, so the first
frame can show them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader.core.models import ArticleQuery, ArticleSummary
from reader.ui.widgets.article_list import PAGE_SIZE
from reader.ui.widgets.sidebar import UNREAD_ID, query_for

if TYPE_CHECKING:
    from reader.ui.context import ReaderLibrary


@dataclass(frozen=True, slots=True)
class FirstView:
    """The last session's view and where it was, with the rows the first screen shows."""

    view: str  # a sidebar entry id
    article_id: int | None  # the article open when the last session ended
    unread_only: bool
    query: ArticleQuery
    count: int
    cursor: int
    rows: list[ArticleSummary]  # the page holding ``cursor``


def read_first_view(library: ReaderLibrary) -> FirstView:
    """Everything the article list needs for the first screen, in one trip to the
    gateway (made while the app starts, before the sidebar's feeds)."""
    view = library.get_state("last_view", UNREAD_ID) or UNREAD_ID
    last_article = library.get_state("last_article")
    unread_only = library.get_state("unread_only", "0") == "1"
    article_id = int(last_article) if last_article and last_article.isdigit() else None
    query = query_for(view, unread_only)
    count = library.count_articles(query)
    cursor = 0
    if article_id is not None and count:
        cursor = min(library.article_position(query, article_id) or 0, count - 1)
    start = cursor // PAGE_SIZE * PAGE_SIZE
    rows = library.article_page(query, start, PAGE_SIZE) if count else []
    return FirstView(view, article_id, unread_only, query, count, cursor, rows)
