"""Broadsheet's search language, parsed by us and compiled to safe SQL.

Raw user input never reaches FTS5 ``MATCH`` (it raises on ``C++`` or
``tag:x``): every word becomes a quoted FTS5 string.

    words  "a phrase"  -excluded  -"excluded phrase"  prefix*
    tag:T  feed:F  is:saved  is:unread  is:read  has:notes  has:highlights
    before:YYYY-MM-DD  after:YYYY-MM-DD
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from reader.core.sanitize import strip_controls

MAX_QUERY_LENGTH = 2000
MAX_TERMS = 32
# A quoted phrase, an operator with a quoted value (tag:"Multi Word"), or a word.
_TOKEN = re.compile(r'(-?)(?:"([^"]*)"?|([A-Za-z]+):"([^"]*)"?|(\S+))')
_WORD_CHARACTER = re.compile(r"\w")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# Symbols that make a word mean something else (C# is not C++, AT&T is not "at t"):
# a term holding one matches only where the text holds it too. Apostrophes, hyphens,
# dots and quotes stay loose (typographic variants: "don't" finds "don’t").
_MEANINGFUL_PUNCTUATION = frozenset("#&@%*/\\")

# The SQL function that checks a symbol-bearing term, registered on every connection.
SQL_MATCH_FUNCTION = "broadsheet_matches"


def _has_meaningful_symbol(text: str) -> bool:
    return any(
        char in _MEANINGFUL_PUNCTUATION or unicodedata.category(char).startswith("S")
        for char in text
    )


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    phrase: bool = False
    prefix: bool = False

    def fts(self) -> str:
        quoted = '"' + self.text.replace('"', '""') + '"'
        return quoted + ("*" if self.prefix else "")

    @property
    def precise(self) -> bool:
        """True when the index (which keeps only letters and digits) cannot tell this
        term apart from others: then the text itself is checked for it."""
        return _has_meaningful_symbol(self.text)

    def pattern(self) -> str:
        """A regex for the term as written: symbols literal, spaces any whitespace, and
        no letter or digit glued on at an end that is a letter or digit."""
        body = r"\s+".join(re.escape(part) for part in self.text.split())
        start = r"(?<!\w)" if _WORD_CHARACTER.match(self.text[:1]) else ""
        end = r"(?!\w)" if _WORD_CHARACTER.match(self.text[-1:]) and not self.prefix else ""
        return start + body + end


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def sql_matches(pattern: str, text: str | None) -> int:
    """``broadsheet_matches(pattern, text)``: 1 if the (case-insensitive) regex is found."""
    if not text:
        return 0
    return int(_compiled(pattern).search(text) is not None)


@dataclass(slots=True)
class SearchQuery:
    terms: list[Term] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    feed_ids: list[list[int]] = field(default_factory=list)  # one list per feed: operator
    saved: bool | None = None
    unread: bool | None = None
    has_notes: bool = False
    has_highlights: bool = False
    before: float | None = None
    after: float | None = None
    problems: list[str] = field(default_factory=list)  # ignored parts, to tell the user
    unsearchable: list[str] = field(default_factory=list)  # words with no letter or digit

    @property
    def impossible(self) -> bool:
        """The user asked for words, and none of them can be searched for ("🚀"):
        nothing matches (rather than every article)."""
        return bool(self.unsearchable) and not self.terms

    def match_expression(self) -> str | None:
        """An FTS5 expression: the positive terms (AND), minus the excluded ones (NOT,
        evaluated inside the index — far cheaper than a NOT IN over a common word).
        An excluded term with a symbol is checked on the text instead (see ``where``):
        "-C#" must not exclude articles about C++."""
        if not self.terms:
            return None
        expression = " ".join(term.fts() for term in self.terms)
        for term in self.excluded:
            if not term.precise:
                expression = f"({expression}) NOT {term.fts()}"
        return expression


def feed_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere (its own % and _ taken literally)."""
    return "%" + re.sub(r"([%_\\])", r"\\\1", text) + "%"


def _term(text: str, phrase: bool) -> Term | None:
    prefix = not phrase and text.endswith("*")
    text = text.rstrip("*") if prefix else text
    if not _WORD_CHARACTER.search(text):
        return None  # nothing FTS5 could match: "*", "++", "--"
    return Term(text=text, phrase=phrase, prefix=prefix)


def date_problem(value: str) -> str:
    """Why ``value`` is not a date the search understands, in a few words."""
    if not _DATE.match(value):
        return f"“{value}” is not a date" if value else "no date given"
    year, month, day = (int(part) for part in value.split("-"))
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    if year < 1:
        return f"there is no year {year}"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"{calendar.month_name[month]} {year} has no day {day} (it has {days})"
    return "not a date"


def _date(value: str) -> float | None:
    if not _DATE.match(value):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").timestamp()  # local midnight
    except ValueError:
        return None


def _operator(query: SearchQuery, name: str, value: str) -> bool:
    """Apply ``name:value``; False if it is not one of ours (then it is a word)."""
    name = name.lower()
    lowered = value.lower()
    if name == "tag" and value:
        query.tags.append(value)
    elif name == "feed" and value:
        query.feeds.append(value)
    elif name == "is" and lowered in ("saved", "unread", "read", "unsaved"):
        if lowered in ("saved", "unsaved"):
            query.saved = lowered == "saved"
        else:
            query.unread = lowered == "unread"
    elif name == "has" and lowered in ("notes", "note", "highlights", "highlight"):
        if lowered.startswith("note"):
            query.has_notes = True
        else:
            query.has_highlights = True
    elif name in ("before", "after"):
        stamp = _date(value)
        if stamp is None:
            query.problems.append(
                f"{name}:{value} ignored: {date_problem(value)}; "
                f"dates are YYYY-MM-DD, e.g. {name}:2026-01-31"
            )
        elif name == "before":
            query.before = stamp
        else:
            query.after = stamp
    else:
        return False
    return True


def parse_query(text: str) -> SearchQuery:
    """Parse user input; never raises, whatever the input."""
    query = SearchQuery()
    syntax_only: list[str] = []
    text = strip_controls(text, keep_newlines=False)  # a NUL would end the FTS5 string early
    if len(text) > MAX_QUERY_LENGTH:
        query.problems.append(f"query cut to {MAX_QUERY_LENGTH} characters")
        text = text[:MAX_QUERY_LENGTH]
    for match in _TOKEN.finditer(text):
        negated, phrase_text, word = match.group(1) == "-", match.group(2), match.group(5)
        name, quoted_value = match.group(3), match.group(4)
        if name is not None and quoted_value is not None:
            if not negated and _operator(query, name, quoted_value.strip()):
                continue
            phrase_text = f"{name} {quoted_value}"  # not ours: search the words
        if phrase_text is None and word and ":" in word and not negated:
            name, _, value = word.partition(":")
            if _operator(query, name, value):
                continue
        written = phrase_text if phrase_text is not None else word or ""
        term = _term(written, phrase_text is not None)
        if term is None:
            if written.strip(' "*-'):
                query.unsearchable.append(written)
                query.problems.append(f"{written!r} has no letter or digit to search for")
            else:  # query syntax alone: '"', '*', '-'
                syntax_only.append(match.group(0))
            continue
        target = query.excluded if negated else query.terms
        if len(query.terms) + len(query.excluded) >= MAX_TERMS:
            query.problems.append(f"only the first {MAX_TERMS} words are used")
            break
        target.append(term)
    asked_nothing = not (query.terms or query.excluded or query.unsearchable)
    if syntax_only and asked_nothing and not _has_filters(query):
        # '"' alone asks for nothing: not for every article.
        written = " ".join(syntax_only)
        query.unsearchable.append(written)
        query.problems.append(f"{written!r} has no letter or digit to search for")
    return query


def _has_filters(query: SearchQuery) -> bool:
    return bool(
        query.tags or query.feeds or query.saved is not None or query.unread is not None
        or query.has_notes or query.has_highlights
        or query.before is not None or query.after is not None
    )  # fmt: skip


SNIPPET_BEFORE = 40
SNIPPET_LENGTH = 110


def term_pattern(query: SearchQuery) -> re.Pattern[str] | None:
    """A regex finding the query's positive terms in plain text (case-insensitive), to
    build snippets without asking FTS5 (its snippet() re-expands prefixes per row)."""
    parts = []
    for term in query.terms:
        if term.precise:
            parts.append(term.pattern())
            continue
        words = [re.escape(word) for word in re.findall(r"\w+", term.text)]
        if not words:
            continue
        body = r"\W+".join(words)
        parts.append(rf"\b{body}\w*" if term.prefix else rf"\b{body}\b")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def _word_end(text: str, end: int, at_least: int) -> int:
    """``end``, moved back to the end of a whole word (not before ``at_least``), so a
    snippet never stops mid-word."""
    if end >= len(text) or text[end] == " ":
        return min(end, len(text))
    space = text.rfind(" ", at_least, end)
    return space if space > at_least else end


def make_snippet(text: str, pattern: re.Pattern[str] | None) -> tuple[str, list[tuple[int, int]]]:
    """A window of ``text`` around the first match, with (start, end) spans of matches."""
    text = " ".join(text.split())
    first = pattern.search(text) if pattern else None
    if first is None:
        end = _word_end(text, SNIPPET_LENGTH, 0)
        return text[:end] + ("…" if end < len(text) else ""), []
    start = max(0, first.start() - SNIPPET_BEFORE)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first.start() else start
    end = _word_end(text, start + SNIPPET_LENGTH, first.end())
    prefix = "…" if start else ""
    window = text[start:end]
    assert pattern is not None
    marks = [(len(prefix) + m.start(), len(prefix) + m.end()) for m in pattern.finditer(window)]
    return prefix + window + ("…" if end < len(text) else ""), marks
