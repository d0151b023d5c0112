"""Cleaning commands: ``clean`` (one page or file, printed) and ``reclean`` (stored articles)."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.cli_common import Command, open_library, out
from reader.core.errors import BroadsheetError, InputFileError
from reader.core.sanitize import clean_line
from reader.core.wording import plural

if TYPE_CHECKING:
    from reader.core.models import CleanedArticle


def cmd_reclean(args: argparse.Namespace) -> int:
    from reader.core.library import ArticleQuery

    with open_library(args) as library:
        if args.feed:
            ids = library.article_ids(ArticleQuery(feed_id=library.resolve_feed(args.feed).id))
            count = library.reclean(ids)
        else:
            count = library.reclean(None)
        if count:
            library.tidy_search_index()
        out(f"re-cleaned {plural(count, 'article')}")
    return 0


def _read_source(source: str, url: str | None) -> tuple[str, str | None, bool]:
    """Text of a file or URL, the URL it came from, and whether it is a whole page."""
    if source.lower().startswith(("http://", "https://")):
        import asyncio

        from reader.core._fetch import Fetcher

        async def fetch() -> Any:
            async with Fetcher() as fetcher:
                return await fetcher.fetch(source, accept="text/html,*/*;q=0.8")

        result = asyncio.run(fetch())
        if result.error or result.body is None:
            raise BroadsheetError(f"cannot fetch {source}: {result.error or 'empty response'}")
        _refuse_non_article(result.body, source)
        text = _decode(result.body)
        # Whatever the address, only a whole page has a story to extract: a plain
        # text or an article fragment is cleaned as it is (as the same file would be).
        return text, url or result.url, _is_whole_page(text)
    path = Path(source).expanduser()
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputFileError(f"cannot read {source}: {error.strerror or error}") from error
    _refuse_non_article(data, source)
    text = _decode(data)
    return text, url, _is_whole_page(text)


def _is_whole_page(text: str) -> bool:
    head = text[:65536].lower()  # past leading comments and scripts, never the whole file
    return "<html" in head or "<body" in head or "<!doctype" in head


# Signatures of files that are not text at all.
_BINARY_MAGIC = {
    b"%PDF": "a PDF", b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image", b"PK\x03\x04": "a ZIP archive", b"\x1f\x8b": "gzip data",
    b"\x7fELF": "a program",
}  # fmt: skip
_FEED_ROOT = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*|<\?[^>]*\?>\s*)*"
    rb"<(rss|feed|rdf:RDF)\b",
    re.DOTALL,
)
_JSON_FEED = re.compile(rb'^\s*\{[^{]{0,400}"version"\s*:\s*"https?://jsonfeed\.org/', re.DOTALL)


def _refuse_non_article(data: bytes, source: str) -> None:
    """``clean`` reads one web page or article: say so, in one line, for anything else."""
    head = data[:8192]
    kind = next((name for magic, name in _BINARY_MAGIC.items() if head.startswith(magic)), None)
    if kind is None and head:
        controls = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r\f")
        if b"\x00" in head or controls > len(head) // 10:
            kind = "binary data"
    if kind is not None:
        raise InputFileError(
            f"{source} is {kind}, not a web page or article: clean reads HTML or text"
        )
    if _FEED_ROOT.match(head) or _JSON_FEED.match(head):
        raise InputFileError(
            f"{source} is a feed, not an article: subscribe with 'broadsheet add {source}', "
            "or clean one of its articles' pages"
        )


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _explain(cleaned: CleanedArticle) -> None:
    from reader.core.cleaner import evidence

    if not cleaned.removed:
        out("removed: nothing", sys.stderr)
    for removal in cleaned.removed:
        snippet = clean_line(removal.text, limit=100)
        where = "extraction" if removal.block < 0 else f"block {removal.block}"
        out(f"removed [{removal.rule}] {where}: {snippet}", sys.stderr)
        why = evidence(removal)
        if why:
            out(f"    why: {why}", sys.stderr)


def cmd_clean(args: argparse.Namespace) -> int:
    from reader.core.cleaner import clean

    text, url, whole_page = _read_source(args.source, args.url)
    extract = whole_page if args.extract is None else args.extract
    rules = _user_rules(args)
    cleaned = clean(text, url, extract=extract, rules=rules)
    if args.format == "json":
        out(json.dumps(cleaned.to_dict(), ensure_ascii=False, indent=2))
    elif args.format == "markdown":
        from reader.core.render import blocks_to_markdown, escape_markdown

        title = f"# {escape_markdown(clean_line(cleaned.title))}\n\n" if cleaned.title else ""
        out(title + blocks_to_markdown(cleaned.blocks))
    else:
        out(cleaned.text)
    if args.explain:
        _explain(cleaned)
    return 0


def _user_rules(args: argparse.Namespace) -> Any:
    from reader.core.cleaner import load_rules
    from reader.core.config import config_dir

    path = Path(args.rules) if args.rules else config_dir(args.config_dir) / "rules.toml"
    if args.rules or path.exists():
        return load_rules(path)
    return None


def register(command: Command) -> None:
    """Add this group's commands to the parser (see ``reader.cli.COMMAND_GROUPS``)."""
    clean = command("clean", cmd_clean, "clean one page or article file (or URL) and print it")
    clean.add_argument("source", metavar="FILE_OR_URL")
    clean.add_argument("--url", help="the page's address, for links and site rules")
    clean.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    clean.add_argument("--explain", action="store_true", help="list removed passages and rules")
    clean.add_argument("--rules", metavar="FILE", help="a rules TOML file (default: rules.toml)")
    extract = clean.add_mutually_exclusive_group()
    extract.add_argument("--extract", dest="extract", action="store_true", default=None)
    extract.add_argument("--no-extract", dest="extract", action="store_false")

    reclean = command("reclean", cmd_reclean, "re-run the cleaner over stored articles")
    scope = reclean.add_mutually_exclusive_group()
    scope.add_argument("--feed", metavar="FEED")
    scope.add_argument("--all", action="store_true", default=True)
