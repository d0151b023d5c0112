"""Articles as files people own: Markdown (with YAML front matter) and JSON,
and the JSON import that restores them into any library, offline."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from reader.core.annotation_markdown import escape_text, markdown_with_annotations
from reader.core.cleaning import CLEANER_VERSION
from reader.core.errors import InputFileError
from reader.core.files import write_atomic
from reader.core.models import Article, Block, Enclosure, Removal, canonical_text
from reader.core.sanitize import clean_line, strip_controls

if TYPE_CHECKING:
    from reader.core.annotations import Annotations
    from reader.core.library import Library

EXPORT_VERSION = 1
FORMATS = ("markdown", "json")


def _iso(stamp: float | None) -> str | None:
    if stamp is None:
        return None
    return datetime.fromtimestamp(stamp, UTC).isoformat().replace("+00:00", "Z")


def _from_iso(value: Any) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _slug(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:60].rstrip("-") or "article"


def file_stem(article: Article, feed_url: str | None) -> str:
    """``YYYY-MM-DD-title-slug-hash``: stable across re-exports and across libraries
    (the hash is of the feed URL and item key, not of a database id)."""
    day = datetime.fromtimestamp(article.published or article.fetched_at, UTC).strftime("%Y-%m-%d")
    origin = hashlib.sha256(f"{feed_url}\x00{article.key}".encode()).hexdigest()[:6]
    return f"{day}-{_slug(article.title)}-{origin}"


def _yaml_string(value: str | None) -> str:
    # JSON strings are valid YAML double-quoted scalars, escapes included.
    return "null" if value is None else json.dumps(value, ensure_ascii=False)


def _front_matter(article: Article, exported: float) -> str:
    tags = "[" + ", ".join(_yaml_string(tag) for tag in article.tags) + "]"
    lines = [
        "---",
        f"title: {_yaml_string(article.title)}",
        f"url: {_yaml_string(article.link)}",
        f"feed: {_yaml_string(article.feed_title)}",
        f"author: {_yaml_string(article.author)}",
        f"published: {_yaml_string(_iso(article.published))}",
        f"tags: {tags}",
        f"saved: {'true' if article.saved else 'false'}",
        f"exported: {_yaml_string(_iso(exported))}",
        "---",
    ]
    return "\n".join(lines)


class ExportSource(Protocol):
    """What exporting reads from a library (the terminal UI's stand-ins too)."""

    def article(self, article_id: int) -> Article: ...

    def article_feed_url(self, article_id: int) -> str | None: ...

    def annotations(self) -> Annotations | None: ...


def article_markdown(library: ExportSource, article: Article, exported: float) -> str:
    store = library.annotations()  # None: a library that keeps no annotations
    body = markdown_with_annotations(article, store.for_article(article.id) if store else [])
    links = [f"- <{enclosure.url}>" for enclosure in article.enclosures]
    attachments = "\n\n## Attachments\n\n" + "\n".join(links) if links else ""
    title = escape_text(clean_line(article.title).replace("\n", " "))  # a feed's words
    return f"{_front_matter(article, exported)}\n\n# {title}\n\n{body}{attachments}\n"


def article_json(
    library: ExportSource, article: Article, feed_url: str | None, exported: float
) -> str:
    store = library.annotations()
    web_annotations = store.to_web_annotations(article.id, article.link) if store else []
    document = {
        "broadsheet_export": EXPORT_VERSION,
        "exported": _iso(exported),
        "article": {
            "key": article.key,
            "feed_url": feed_url,
            "feed_title": article.feed_title,
            "title": article.title,
            "author": article.author,
            "url": article.link,
            "published": _iso(article.published),
            "fetched": _iso(article.fetched_at),
            "tags": list(article.tags),
            "saved": article.saved,
            "read": article.read,
            "content_type": article.content_type,
            "raw_content": article.raw_content,
            "text": article.text,
            "blocks": [block.to_dict() for block in article.blocks],
            "removed": [removal.to_dict() for removal in article.removed],
            "enclosures": [enclosure.to_dict() for enclosure in article.enclosures],
        },
        "annotations": web_annotations,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def export_articles(
    library: ExportSource,
    article_ids: Iterable[int],
    out_dir: Path,
    formats: Sequence[str] = FORMATS,
) -> list[Path]:
    """Write each article in each format; files are replaced atomically in place."""
    written: list[Path] = []
    exported = datetime.now(UTC).timestamp()
    for article_id in article_ids:
        article = library.article(article_id)
        feed_url = library.article_feed_url(article_id)
        stem = file_stem(article, feed_url)
        if "markdown" in formats:
            path = out_dir / f"{stem}.md"
            write_atomic(path, article_markdown(library, article, exported))
            written.append(path)
        if "json" in formats:
            path = out_dir / f"{stem}.json"
            write_atomic(path, article_json(library, article, feed_url, exported))
            written.append(path)
    return written


def auto_export(library: Library, article_id: int) -> None:
    """Refresh the auto-export folder's files for one article, if it is saved, or if
    it was and its files are there: they are the reader's to keep, and must not
    say ``saved: true`` once it is not."""
    folder = library.config.auto_export_dir
    if folder is None:
        return
    if library.is_saved(article_id) or _exported_to(library, article_id, folder):
        export_articles(library, [article_id], folder)


def _exported_to(library: Library, article_id: int, folder: Path) -> bool:
    stem = file_stem(library.article(article_id), library.article_feed_url(article_id))
    return any((folder / f"{stem}.{suffix}").exists() for suffix in ("md", "json"))


# -- import ---------------------------------------------------------------------


@dataclass(slots=True)
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    annotations: int = 0
    skipped: list[str] | None = None


def _export_files(source: Path) -> list[Path]:
    if source.is_dir():
        return sorted(source.glob("*.json"))
    if source.is_file():
        return [source]
    raise InputFileError(f"no such file or directory: {source}")


def _load(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputFileError(f"{path.name}: not a Broadsheet JSON export ({error})") from error
    if not isinstance(document, dict) or not isinstance(document.get("article"), dict):
        raise InputFileError(f"{path.name}: not a Broadsheet JSON export")
    version = document.get("broadsheet_export")
    if not isinstance(version, int) or version > EXPORT_VERSION:
        raise InputFileError(f"{path.name}: unsupported export version {version!r}")
    return document


def import_library(library: Library, source: Path) -> ImportReport:
    """Restore articles, tags, saved state and annotations from JSON exports.
    Importing the same files again changes nothing."""
    report = ImportReport(skipped=[])
    for path in _export_files(source):
        try:
            document = _load(path)
            article_id, outcome = _import_article(library, document["article"])
        except InputFileError as error:
            assert report.skipped is not None
            report.skipped.append(str(error))
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
        items = document.get("annotations") or []
        if isinstance(items, list) and items:
            report.annotations += library.annotations().import_web_annotations(article_id, items)
    return report


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return strip_controls(value) if isinstance(value, str) else None


def _import_article(library: Library, data: dict[str, Any]) -> tuple[int, str]:
    key, title = _text(data, "key"), _text(data, "title")
    blocks_data = data.get("blocks")
    if not key or title is None or not isinstance(blocks_data, list):
        raise InputFileError(f"article {title!r}: missing key, title or blocks")
    try:
        blocks = [Block.from_dict(item) for item in blocks_data]
        removed = [Removal.from_dict(item) for item in data.get("removed") or []]
        enclosures = [Enclosure.from_dict(item) for item in data.get("enclosures") or []]
    except (KeyError, TypeError, ValueError) as error:
        raise InputFileError(f"article {title!r}: malformed blocks ({error})") from error
    feed_url = _text(data, "feed_url")
    given = [clean_line(tag, limit=100) for tag in data.get("tags") or [] if isinstance(tag, str)]
    columns = _imported_columns(data, feed_url, key, title, blocks, removed, enclosures)
    return library.import_article(
        columns,
        saved=data.get("saved") is True,
        read=data.get("read") is True,
        tags=[tag for tag in given if tag],
    )


def _imported_columns(
    data: dict[str, Any],
    feed_url: str | None,
    key: str,
    title: str,
    blocks: list[Block],
    removed: list[Removal],
    enclosures: list[Enclosure],
) -> dict[str, Any]:
    published = _from_iso(data.get("published"))
    fetched = _from_iso(data.get("fetched")) or datetime.now(UTC).timestamp()
    raw = _text(data, "raw_content") or canonical_text(blocks)
    return {
        "feed_title": _text(data, "feed_title") or "",
        "feed_url": feed_url,
        "key": key,
        "title": clean_line(title),
        "author": _text(data, "author"),
        "link": _text(data, "url"),
        "published": published,
        "sort_time": published or fetched,
        "fetched_at": fetched,
        "raw_content": raw,
        "content_type": "text" if data.get("content_type") == "text" else "html",
        "content_hash": hashlib.sha256(f"{title}\x00{raw}".encode()).hexdigest(),
        "cleaned_text": canonical_text(blocks),
        "cleaned_blocks": json.dumps([b.to_dict() for b in blocks], ensure_ascii=False),
        "removed": json.dumps([r.to_dict() for r in removed], ensure_ascii=False),
        "cleaner_version": CLEANER_VERSION,
        "enclosures": json.dumps([e.to_dict() for e in enclosures]),
    }


def enable_auto_export(library: Library) -> Library:
    """Keep the auto-export folder (``[export] auto_dir``) in step with saved articles:
    registered on the library's change hooks where a library is opened for use (the
    command line and the terminal UI); the library itself never imports this module."""
    if library.config.auto_export_dir is not None:
        library.change_hooks.append(lambda article_id: auto_export(library, article_id))
    return library
