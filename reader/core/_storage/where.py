"""The one WHERE builder for article lists, and the filters of a search query."""

from __future__ import annotations

from typing import Any

from reader.core._storage.tags import tag_filter
from reader.core.models import ArticleQuery
from reader.core.search import SQL_MATCH_FUNCTION, SearchQuery, Term


def article_where(query: ArticleQuery) -> tuple[str, list[Any]]:
    """SQL over ``articles a``. A story reached through several feeds (same link) is
    listed in each of its feeds' views, and once everywhere else: the first copy that
    passes the other filters stands for the rest."""
    clauses: list[str] = []
    params: list[Any] = []
    filters, filter_params = _filters(query, "a")
    clauses += filters
    params += filter_params
    if query.feed_id is not None:
        clauses.append("a.feed_id = ?")
        params.append(query.feed_id)
    elif query.saved_only or query.tag is not None:
        # Saved state and tags belong to one copy: the view shows the first copy that
        # matches. Read state is shared by every copy, so the plain views need not.
        primary, primary_params = _filters(query, "p")
        clauses.append(
            "(a.duplicate_of IS NULL OR NOT EXISTS (SELECT 1 FROM articles p"
            f" WHERE p.id = a.duplicate_of AND {' AND '.join(primary)}))"
        )
        params += primary_params
    else:
        clauses.append("a.duplicate_of IS NULL")
    return " AND ".join(clauses) or "1", params


def _filters(query: ArticleQuery, alias: str) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if query.unread_only and query.also_read:
        marks = ",".join("?" * len(query.also_read))
        clauses.append(f"({alias}.read = 0 OR {alias}.id IN ({marks}))")
        params += query.also_read
    elif query.unread_only:
        clauses.append(f"{alias}.read = 0")
    if query.saved_only:
        clauses.append(f"{alias}.saved = 1")
    if query.tag is not None:
        clauses.append(tag_filter(alias))
        params += [query.tag, query.tag]
    return clauses, params


def term_sql(term: Term) -> tuple[str, list[Any]]:
    """SQL true when an article's title, text, highlights or notes hold the term."""
    function = SQL_MATCH_FUNCTION
    pattern = term.pattern()
    return (
        f"({function}(?, a.title) OR {function}(?, a.cleaned_text) OR a.id IN ("
        f"SELECT article_id FROM annotations WHERE "
        f"{function}(?, coalesce(exact, '') || ' ' || coalesce(note, ''))))",
        [pattern, pattern, pattern],
    )


def search_where(query: SearchQuery) -> tuple[str, list[Any]]:
    """SQL filters over ``articles a`` (joined to ``feeds f``) other than the text match."""
    clauses: list[str] = ["a.duplicate_of IS NULL"]
    params: list[Any] = []
    for tag in query.tags:
        clauses.append(tag_filter("a"))
        params += [tag, tag]
    for ids in query.feed_ids:
        # Resolved by the caller from the feeds table (a few rows), so matching does
        # not run a LIKE on every article.
        clauses.append(f"a.feed_id IN ({','.join('?' * len(ids)) or 'NULL'})")
        params += ids
    if query.saved is not None:
        clauses.append("a.saved = ?")
        params.append(int(query.saved))
    if query.unread is not None:
        clauses.append("a.read = ?")
        params.append(int(not query.unread))
    if query.has_notes:
        clauses.append(
            "a.id IN (SELECT article_id FROM annotations WHERE coalesce(note, '') != '')"
        )
    if query.has_highlights:
        clauses.append("a.id IN (SELECT article_id FROM annotations WHERE kind = 'highlight')")
    if query.before is not None:
        clauses.append("a.sort_time < ?")
        params.append(query.before)
    if query.after is not None:
        clauses.append("a.sort_time >= ?")
        params.append(query.after)
    for term in query.excluded:
        if term.precise:
            clause, values = term_sql(term)
            clauses.append(f"NOT {clause}")
            params += values
        elif not query.terms:  # else inside the MATCH
            clauses.append(
                "a.id NOT IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
            )
            params.append(term.fts())
    for term in query.terms:
        if term.precise:  # the index found the letters; the text must hold the symbols
            clause, values = term_sql(term)
            clauses.append(clause)
            params += values
    return " AND ".join(clauses), params
