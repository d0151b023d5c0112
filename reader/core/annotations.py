"""Highlights and notes over a :class:`Library`: storage, re-anchoring and W3C Web
Annotation JSON (Markdown with highlights: ``annotation_markdown``).

Offsets are into an article's canonical text (``Library.article(id).text``).
Every write is one ``BEGIN IMMEDIATE`` transaction on a ``synchronous = FULL``
connection, so an annotation is durable once a method returns.
"""

from __future__ import annotations

import json
import sqlite3
import uuid as uuidlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from reader.core import _storage
from reader.core._storage import annotations as _sql
from reader.core._storage import transaction
from reader.core.anchoring import Anchor, TextPosition, TextQuote, anchor, describe
from reader.core.annotation_markdown import fits as _fits
from reader.core.annotation_markdown import (
    markdown_with_annotations as markdown_with_annotations,  # re-exported
)
from reader.core.annotation_markdown import trim as _trim
from reader.core.errors import BroadsheetError, NotFoundError
from reader.core.models import ArticleSummary
from reader.core.sanitize import strip_controls
from reader.core.search import parse_query

if TYPE_CHECKING:
    from reader.core.library import Library

Kind = Literal["highlight", "note"]
CONTEXT_URL = "http://www.w3.org/ns/anno.jsonld"
ORPHANED_KEY = "broadsheet:orphaned"
MAX_NOTE = 100_000  # characters; a note is prose, not a data dump


@dataclass
class Annotation:
    id: int
    uuid: str
    article_id: int
    kind: Kind
    exact: str | None
    prefix: str | None
    suffix: str | None
    start: int | None
    end: int | None
    note: str | None
    orphaned: bool
    created: float
    modified: float

    @property
    def quote(self) -> TextQuote | None:
        if self.exact is None:
            return None
        return TextQuote(self.exact, self.prefix or "", self.suffix or "")

    @property
    def position(self) -> TextPosition | None:
        if self.start is None or self.end is None:
            return None
        return TextPosition(self.start, self.end)


@dataclass(frozen=True, slots=True)
class ReanchorReport:
    kept: int = 0  # same offsets
    moved: int = 0  # found elsewhere in the new text
    orphaned: int = 0  # could not be placed (including ones already orphaned)
    recovered: int = 0  # former orphans placed again


def _row(row: sqlite3.Row) -> Annotation:
    return Annotation(
        id=row["id"],
        uuid=row["uuid"],
        article_id=row["article_id"],
        kind=row["kind"],
        exact=row["exact"],
        prefix=row["prefix"],
        suffix=row["suffix"],
        start=row["start"],
        end=row["end"],
        note=row["note"],
        orphaned=bool(row["orphaned"]),
        created=row["created"],
        modified=row["modified"],
    )


def _now() -> float:
    # Whole milliseconds, so the ISO 8601 times in exports round-trip exactly.
    return round(_storage.now(), 3)


def _clean_note(note: str | None) -> str | None:
    if note is None:
        return None
    return strip_controls(note[:MAX_NOTE]).strip() or None


def _insert(db: sqlite3.Connection, note: Annotation, *, keep_id: bool = False) -> int:
    """Insert a row; with keep_id, reuse ``note.id`` when it is free (undo keeps ids)."""
    values = (
        note.uuid, note.article_id, note.kind, note.exact, note.prefix, note.suffix,
        note.start, note.end, note.note, int(note.orphaned), note.created, note.modified,
    )  # fmt: skip
    return _sql.insert(db, values, note.id if keep_id else None)


class Annotations:
    """The annotations of one library. Cheap to create; holds no state of its own."""

    def __init__(self, library: Library) -> None:
        self._library = library

    @property
    def _db(self) -> sqlite3.Connection:
        return self._library.db.connection()

    def _changed(self, article_id: int) -> None:
        """Tell the library's change hooks (auto-export keeps its folder in step)."""
        self._library.notify_changed(article_id)

    def _require_article(self, article_id: int) -> None:
        if not _sql.article_exists(self._db, article_id):
            raise NotFoundError(f"no article with id {article_id}")

    # -- reading ---------------------------------------------------------------

    def get(self, annotation_id: int) -> Annotation:
        row = _sql.by_id(self._db, annotation_id)
        if row is None:
            raise NotFoundError(f"no annotation with id {annotation_id}")
        return _row(row)

    def by_uuid(self, uuid: str) -> Annotation | None:
        row = _sql.by_uuid(self._db, uuid)
        return _row(row) if row else None

    def for_article(self, article_id: int) -> list[Annotation]:
        """The article note first, then highlights by position, then orphans."""
        return [_row(row) for row in _sql.for_article(self._db, article_id)]

    def article_note(self, article_id: int) -> Annotation | None:
        row = _sql.article_note(self._db, article_id)
        return _row(row) if row else None

    def all(
        self,
        *,
        tag: str | None = None,
        feed_id: int | None = None,
        text: str | None = None,
        limit: int = 500,
        offset: int = 0,
    ) -> list[tuple[Annotation, ArticleSummary]]:
        """Every annotation with its article, newest first. ``text`` is parsed like the
        search box (words, "phrases", prefix*) and only ever reaches MATCH quoted."""
        match = parse_query(text).match_expression() if text else None
        rows = _sql.listed(self._db, tag, feed_id, match, limit, offset)
        return [(_row(row), summary) for row, summary in rows]

    # -- writing ---------------------------------------------------------------

    def highlight(
        self, article_id: int, start: int, end: int, note: str | None = None
    ) -> Annotation:
        """Highlight ``text[start:end]`` (trimmed of surrounding whitespace)."""
        text = self._library.article(article_id).text
        if not 0 <= start < end <= len(text):
            raise BroadsheetError(
                f"cannot highlight {start}..{end}: the text has {len(text)} characters"
            )
        start, end = _trim(text, start, end)
        if start >= end:
            raise BroadsheetError("cannot highlight only whitespace")
        quote, _ = describe(text, start, end)
        stamp = _now()
        new = Annotation(
            0, str(uuidlib.uuid4()), article_id, "highlight", quote.exact, quote.prefix,
            quote.suffix, start, end, _clean_note(note), False, stamp, stamp,
        )  # fmt: skip
        with transaction(self._db) as db:
            new.id = _insert(db, new)
        self._changed(article_id)
        return new

    def set_note(self, annotation_id: int, note: str | None) -> Annotation:
        """Set or clear (None or blank) a highlight's note, or edit an article note."""
        current = self.get(annotation_id)
        cleaned = _clean_note(note)
        if current.kind == "note" and cleaned is None:
            raise BroadsheetError("an article note cannot be empty; delete it instead")
        updated = replace(current, note=cleaned, modified=_now())
        with transaction(self._db) as db:
            _sql.set_note(db, annotation_id, updated.note, updated.modified)
        self._changed(current.article_id)
        return updated

    def set_article_note(self, article_id: int, note: str | None) -> Annotation | None:
        """Create, edit or (with None or blank text) delete the article's own note."""
        self._require_article(article_id)
        cleaned = _clean_note(note)
        stamp = _now()
        with transaction(self._db) as db:
            current = self.article_note(article_id)
            if cleaned is None:
                if current is not None:
                    _sql.delete(db, current.id)
                result = None
            elif current is not None:
                _sql.set_note(db, current.id, cleaned, stamp)
                result = replace(current, note=cleaned, modified=stamp)
            else:
                result = Annotation(
                    0, str(uuidlib.uuid4()), article_id, "note", None, None, None, None, None,
                    cleaned, False, stamp, stamp,
                )  # fmt: skip
                result.id = _insert(db, result)
        self._changed(article_id)
        return result

    def delete(self, annotation_id: int) -> Annotation:
        """Delete and return the annotation, so that :meth:`restore` can undo it."""
        with transaction(self._db) as db:
            current = self.get(annotation_id)
            _sql.delete(db, annotation_id)
        self._changed(current.article_id)
        return current

    def restore(self, annotation: Annotation) -> Annotation:
        """Undo :meth:`delete`: the same uuid, times (and id when free). Idempotent."""
        self._require_article(annotation.article_id)
        if annotation.kind == "highlight":  # the text may have changed meanwhile
            annotation = _place(annotation, self._library.article(annotation.article_id).text)
        with transaction(self._db) as db:
            existing = self.by_uuid(annotation.uuid)
            if existing is not None:
                return existing
            if annotation.kind == "note" and self.article_note(annotation.article_id):
                raise BroadsheetError("the article has a newer note; edit that one instead")
            restored = replace(annotation, id=_insert(db, annotation, keep_id=True))
        self._changed(annotation.article_id)
        return restored

    # -- re-anchoring ----------------------------------------------------------

    def reanchor(self, article_id: int, old_text: str, new_text: str) -> ReanchorReport:
        """After the canonical text changed: move each highlight with its words, or mark
        it orphaned (keeping its quote and note). Former orphans are tried again.
        ``modified`` is left alone: it records the user's edits, not ours."""
        counts = {"kept": 0, "moved": 0, "orphaned": 0, "recovered": 0}
        change = _Change.between(old_text, new_text)
        with transaction(self._db) as db:
            for current in self.for_article(article_id):
                if current.kind == "highlight":
                    outcome = self._reanchor_one(db, current, change, new_text)
                    counts[outcome] += 1
        if counts["moved"] or counts["recovered"] or counts["orphaned"]:
            self._changed(article_id)
        return ReanchorReport(**counts)

    def _reanchor_one(
        self, db: sqlite3.Connection, current: Annotation, change: _Change, new_text: str
    ) -> str:
        quote = current.quote
        if quote is None or not quote.exact:
            found = None
        else:
            found = anchor(new_text, quote, change.shift(current.position))
        if found is None:
            if not current.orphaned:
                _sql.orphan(db, current.id)
            return "orphaned"
        placed, _ = describe(new_text, found.start, found.end)
        _sql.place(
            db, current.id, placed.exact, placed.prefix, placed.suffix, found.start, found.end
        )
        if current.orphaned:
            return "recovered"
        return "kept" if (found.start, found.end) == (current.start, current.end) else "moved"

    # -- drafts ----------------------------------------------------------------

    def save_draft(self, key: str, text: str) -> None:
        """Keep a note being typed (committed durably) so a closed terminal loses nothing."""
        with transaction(self._db) as db:
            _sql.save_draft(db, key, text[:MAX_NOTE], _storage.now())

    def draft(self, key: str) -> str | None:
        return _sql.draft(self._db, key)

    def discard_draft(self, key: str) -> None:
        with transaction(self._db) as db:
            _sql.discard_draft(db, key)

    # -- W3C Web Annotation ----------------------------------------------------

    def to_web_annotations(self, article_id: int, source_url: str | None) -> list[dict[str, Any]]:
        """The article's annotations in the W3C Web Annotation data model (JSON-LD)."""
        return [_to_web(item, source_url) for item in self.for_article(article_id)]

    def import_web_annotations(self, article_id: int, items: list[dict[str, Any]]) -> int:
        """Add annotations from Web Annotation JSON; returns how many were added.
        Idempotent by uuid. Items we cannot read are skipped. A highlight whose quote
        is not at its position in this article's text is re-anchored or orphaned."""
        text = self._library.article(article_id).text
        parsed = [_from_web(item, article_id, text) for item in items if isinstance(item, dict)]
        added = 0
        with transaction(self._db) as db:
            for item in parsed:
                if item is not None and self._import_one(db, item):
                    added += 1
        if added:
            self._changed(article_id)
        return added

    def _import_one(self, db: sqlite3.Connection, item: Annotation) -> bool:
        if self.by_uuid(item.uuid) is not None:
            return False
        if item.kind == "note":
            current = self.article_note(item.article_id)
            if current is not None:
                if current.modified >= item.modified:
                    return False  # the newer article note wins
                _sql.delete(db, current.id)
        _insert(db, item)
        return True


# -- helpers -------------------------------------------------------------------


def _common_prefix(a: str, b: str) -> int:
    """Length of the common prefix, by binary search over C-speed slice compares."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


@dataclass(frozen=True, slots=True)
class _Change:
    """An edit seen as one changed stretch: ``head`` characters agree at the start,
    ``tail`` at the end, and the text grew by ``delta``."""

    head: int
    tail: int
    old_length: int
    delta: int

    @classmethod
    def between(cls, old: str, new: str) -> _Change:
        head = _common_prefix(old, new)
        tail = _common_prefix(old[head:][::-1], new[head:][::-1])
        return cls(head, tail, len(old), len(new) - len(old))

    def shift(self, position: TextPosition | None) -> TextPosition | None:
        """Where an old position probably is now. Only a hint: anchoring checks the words."""
        if position is None or self.delta == 0 or position.end <= self.head:
            return position
        if position.start >= self.old_length - self.tail:
            return TextPosition(position.start + self.delta, position.end + self.delta)
        return position


def _iso(stamp: float) -> str:
    moment = datetime.fromtimestamp(stamp, UTC)
    spec = "milliseconds" if moment.microsecond % 1000 == 0 else "microseconds"
    return moment.isoformat(timespec=spec).replace("+00:00", "Z")


def _parse_time(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _to_web(item: Annotation, source_url: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": CONTEXT_URL,
        "id": f"urn:uuid:{item.uuid}",
        "type": "Annotation",
        "created": _iso(item.created),
        "modified": _iso(item.modified),
        "motivation": "commenting" if item.note or item.kind == "note" else "highlighting",
    }
    if item.note:
        data["body"] = {"type": "TextualBody", "value": item.note, "format": "text/plain"}
    target: dict[str, Any] = {"source": source_url} if source_url else {}
    if item.kind == "highlight" and item.exact is not None:
        selectors: list[dict[str, Any]] = [
            {
                "type": "TextQuoteSelector",
                "exact": item.exact,
                "prefix": item.prefix or "",
                "suffix": item.suffix or "",
            }
        ]
        if item.start is not None and item.end is not None:
            selectors.append({"type": "TextPositionSelector", "start": item.start, "end": item.end})
        target["selector"] = selectors
    data["target"] = target
    if item.orphaned:
        data[ORPHANED_KEY] = True
    return data


def _uuid_of(item: dict[str, Any]) -> str:
    """Our uuid for an item: its urn:uuid id, else one derived from its id or content
    (deterministic, so a second import recognises the same item)."""
    identifier = item.get("id")
    if isinstance(identifier, str):
        if identifier.lower().startswith("urn:uuid:"):
            try:
                return str(uuidlib.UUID(identifier[9:]))
            except ValueError:
                pass
        return str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, identifier))
    content = json.dumps(item, sort_keys=True, ensure_ascii=False, default=str)
    return str(uuidlib.uuid5(uuidlib.NAMESPACE_OID, content))


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _note_of(item: dict[str, Any]) -> str | None:
    for body in _listed(item.get("body")):
        if isinstance(body, dict) and body.get("purpose") != "tagging":
            value = body.get("value")
            if isinstance(value, str):
                return _clean_note(value)
    return None


def _selectors(item: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    quote = position = None
    for target in _listed(item.get("target")):
        if not isinstance(target, dict):
            continue
        for selector in _listed(target.get("selector")):
            if not isinstance(selector, dict):
                continue
            if selector.get("type") == "TextQuoteSelector" and quote is None:
                quote = selector
            elif selector.get("type") == "TextPositionSelector" and position is None:
                position = selector
    return quote, position


def _offset(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _from_web(item: dict[str, Any], article_id: int, text: str) -> Annotation | None:
    """One Web Annotation as an unsaved Annotation, or None if it is unusable."""
    now = _now()
    created = _parse_time(item.get("created")) or now
    modified = _parse_time(item.get("modified")) or created
    note = _note_of(item)
    base = Annotation(
        0, _uuid_of(item), article_id, "note", None, None, None, None, None, note,
        item.get(ORPHANED_KEY) is True, created, modified,
    )  # fmt: skip
    quote_data, position_data = _selectors(item)
    position = None
    if position_data is not None:
        start, end = _offset(position_data.get("start")), _offset(position_data.get("end"))
        if start is not None and end is not None:
            position = TextPosition(start, end)
    if quote_data is None and position is None:
        return replace(base, orphaned=False) if note else None
    quote = _quote(quote_data, position, text)
    if quote is None:
        return None
    highlight = replace(
        base, kind="highlight", exact=quote.exact, prefix=quote.prefix, suffix=quote.suffix
    )
    if position is not None:
        highlight = replace(highlight, start=position.start, end=position.end)
    return _place(highlight, text)


def _quote(
    data: dict[str, Any] | None, position: TextPosition | None, text: str
) -> TextQuote | None:
    if data is None:  # a position alone: read the words from our text
        assert position is not None
        if 0 <= position.start < position.end <= len(text):
            return describe(text, position.start, position.end)[0]
        return None
    exact = data.get("exact")
    if not isinstance(exact, str) or not exact:
        return None
    prefix, suffix = data.get("prefix"), data.get("suffix")
    return TextQuote(
        strip_controls(exact),
        strip_controls(prefix) if isinstance(prefix, str) else "",
        strip_controls(suffix) if isinstance(suffix, str) else "",
    )


def _place(highlight: Annotation, text: str) -> Annotation:
    """Keep an imported highlight as it came when it fits this text; else re-anchor it."""
    quote, position = highlight.quote, highlight.position
    assert quote is not None
    if highlight.orphaned or (position is not None and _fits(text, quote.exact, position)):
        return highlight
    found: Anchor | None = anchor(text, quote, position)
    if found is None:
        return replace(highlight, orphaned=True)
    placed, _ = describe(text, found.start, found.end)
    return replace(
        highlight, exact=placed.exact, prefix=placed.prefix, suffix=placed.suffix,
        start=found.start, end=found.end,
    )  # fmt: skip
