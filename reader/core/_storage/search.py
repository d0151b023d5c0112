"""Search SQL: ranking over the articles and annotations indexes, and the hits."""

from __future__ import annotations

import sqlite3
from typing import Any

from reader.core._storage.feeds import feeds_matching
from reader.core._storage.rows import SUMMARY_COLUMNS, summary_from_row
from reader.core._storage.where import search_where
from reader.core.models import SearchHit
from reader.core.sanitize import clean_line
from reader.core.search import SearchQuery, feed_pattern, make_snippet, term_pattern

# Above this many matches, search lists newest first instead of ranking every match.
RANKED_SEARCH_LIMIT = 5000


def newest_rows(
    db: sqlite3.Connection, where: str, params: list[Any], limit: int, offset: int
) -> list[sqlite3.Row]:
    """No words to match: the filtered articles, newest first, with a text opening."""
    return db.execute(
        f"""SELECT {SUMMARY_COLUMNS}, substr(a.cleaned_text, 1, 400) AS snippet
        FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id WHERE {where}
        ORDER BY a.sort_time DESC, a.id DESC LIMIT ? OFFSET ?""",
        [*params, limit, offset],
    ).fetchall()


def matching_ids(
    db: sqlite3.Connection,
    match: str,
    where: str,
    params: list[Any],
    limit: int,
    offset: int,
    order: str,
    by_feed: bool,
) -> list[int]:
    """The page of matching article ids: ranked, or newest stored first for very common
    terms."""
    if not matches_more_than(db, match, RANKED_SEARCH_LIMIT):
        return ranked_ids(db, match, where, params, limit, offset, order)
    return newest_ids(db, match, where, params, limit, offset, by_feed)


def matches_more_than(db: sqlite3.Connection, match: str, count: int) -> bool:
    """Stops counting at ``count``: cheaper than count(*) for very common terms."""
    return (
        db.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? LIMIT 1 OFFSET ?",
            (match, count),
        ).fetchone()
        is not None
    )


def ranked_ids(
    db: sqlite3.Connection,
    match: str,
    where: str,
    params: list[Any],
    limit: int,
    offset: int,
    order: str,
) -> list[int]:
    """Best first (bm25) or newest published first, over article text and annotations.
    Best first ranks a pool inside the index before any articles row is read (with a
    cold disk cache, ranking every match joined to its row took 227 ms at 100,000
    articles; the pool, 47 ms)."""
    if order == "best":
        pool = max(4 * (limit + offset), 200)
        rows = _ranked_rows(db, match, where, params, pool, "best", limit, offset)
        # Exact when enough pooled articles pass the filters (any article outside the
        # pool ranks below all of them), or when the pool holds every match.
        if rows and rows[0]["pooled_passing"] >= limit + offset:
            return [row["id"] for row in rows]
        if not matches_more_than(db, match, pool):
            return [row["id"] for row in rows]
    ranking = "best" if order == "best" else "a.sort_time DESC, a.id DESC"
    return [row["id"] for row in _ranked_rows(db, match, where, params, -1, ranking, limit, offset)]


def _ranked_rows(
    db: sqlite3.Connection,
    match: str,
    where: str,
    params: list[Any],
    pool: int,
    ranking: str,
    limit: int,
    offset: int,
) -> list[sqlite3.Row]:
    """Articles matching in their text (the ``pool`` best by bm25; -1: every one) or
    in a note, filtered, each with its best rank, and how many filtered articles came
    from the pool."""
    return db.execute(
        f"""SELECT a.id, min(m.best) AS best, sum(max(m.pooled)) OVER () AS pooled_passing
        FROM (
            SELECT id, best, 1 AS pooled FROM (
                SELECT rowid AS id, rank AS best FROM articles_fts
                WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?
            )
            UNION ALL
            SELECT n.article_id, annotations_fts.rank, 0 FROM annotations_fts
            JOIN annotations n ON n.id = annotations_fts.rowid
            WHERE annotations_fts MATCH ?
        ) AS m JOIN articles a ON a.id = m.id LEFT JOIN feeds f ON f.id = a.feed_id
        WHERE {where} GROUP BY a.id ORDER BY {ranking} LIMIT ? OFFSET ?""",
        [match, pool, match, *params, limit, offset],
    ).fetchall()


def newest_ids(
    db: sqlite3.Connection,
    match: str,
    where: str,
    params: list[Any],
    limit: int,
    offset: int,
    by_feed: bool,
) -> list[int]:
    """For very common terms: newest *stored* first, streamed from the index in rowid
    order and stopped at the page (sorting or ranking every match would cost hundreds
    of ms at 100,000 articles; storage order follows publication closely in feeds).
    Limited to some feeds, their articles come from an index holding feed, read state
    and duplicate mark, checked against the matches: streaming would read an articles
    row per match until enough were in those feeds (910 ms against 13 ms, cold disk)."""
    wanted = limit + offset
    if by_feed:
        source = "articles a INDEXED BY articles_feed_state"
        matching = "a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
        newest = "a.id"
    else:
        source = "articles_fts m JOIN articles a ON a.id = m.rowid"
        matching = "articles_fts MATCH ?"
        newest = "m.rowid"
    from_articles = db.execute(
        f"""SELECT a.id FROM {source} LEFT JOIN feeds f ON f.id = a.feed_id
        WHERE {matching} AND {where} ORDER BY {newest} DESC LIMIT ?""",
        [match, *params, wanted],
    ).fetchall()
    from_notes = db.execute(
        f"""SELECT DISTINCT a.id FROM annotations_fts JOIN annotations n
        ON n.id = annotations_fts.rowid JOIN articles a ON a.id = n.article_id
        LEFT JOIN feeds f ON f.id = a.feed_id
        WHERE annotations_fts MATCH ? AND {where} ORDER BY a.id DESC LIMIT ?""",
        [match, *params, wanted],
    ).fetchall()
    ids = sorted({row[0] for row in from_articles} | {row[0] for row in from_notes})
    return ids[::-1][offset:wanted]


def hit_rows(
    db: sqlite3.Connection, ids: list[int]
) -> tuple[dict[int, sqlite3.Row], dict[int, str]]:
    """The hits' summary rows with their text, and the text of their annotations."""
    marks = ",".join("?" * len(ids))
    rows = {
        row["id"]: row
        for row in db.execute(
            f"""SELECT {SUMMARY_COLUMNS}, a.cleaned_text FROM articles a
            LEFT JOIN feeds f ON f.id = a.feed_id WHERE a.id IN ({marks})""",
            ids,
        )
    }
    notes: dict[int, str] = {}
    for row in db.execute(
        f"""SELECT article_id, coalesce(exact, '') || ' ' || coalesce(note, '')
        FROM annotations WHERE article_id IN ({marks})""",
        ids,
    ):
        notes[row[0]] = notes.get(row[0], "") + " " + row[1]
    return rows, notes


def search(
    db: sqlite3.Connection, query: SearchQuery, limit: int, offset: int, order: str
) -> list[SearchHit]:
    """The page of hits for a parsed query (see ``reader.core.search``)."""
    if query.impossible:  # only words with nothing to search for: "🚀"
        return []
    query.feed_ids = [feeds_matching(db, feed, feed_pattern(feed)) for feed in query.feeds]
    where, params = search_where(query)
    match = query.match_expression()
    if match is None:
        return [  # the text's opening, cut between words like any snippet
            SearchHit(summary_from_row(row), make_snippet(clean_line(row["snippet"]), None)[0], [])
            for row in newest_rows(db, where, params, limit, offset)
        ]
    ids = matching_ids(db, match, where, params, limit, offset, order, bool(query.feed_ids))
    if not ids:
        return []
    rows, notes = hit_rows(db, ids)
    pattern = term_pattern(query)
    hits = []
    for article_id in ids:
        row = rows[article_id]
        text = row["cleaned_text"] or ""
        if pattern and not pattern.search(text) and pattern.search(notes.get(article_id, "")):
            text = notes[article_id]  # the match is in a highlight or a note
        snippet, spans = make_snippet(text, pattern)
        hits.append(SearchHit(summary_from_row(row), snippet, spans))
    return hits
