"""Library commands: tags, saving, search, and export/import of articles as files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reader.cli_common import (
    Command,
    cut_note,
    open_library,
    out,
    parse_article_id,
    row_limit,
    short_date,
)
from reader.core.errors import BroadsheetError
from reader.core.sanitize import clean_line
from reader.core.wording import plural


def cmd_tag(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        article_id = parse_article_id(args.id)
        if args.remove:
            library.untag_article(article_id, args.tags)
        else:
            library.tag_article(article_id, args.tags)
        tags = library.article(article_id).tags
        out(f"{article_id}\t{', '.join(tags) or '(no tags)'}")
    return 0


def cmd_tags(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        tags = library.tags()
        if not tags:
            out("no tags yet: tag an article with 'broadsheet tag ID TAG'", sys.stderr)
        for tag, count in tags:
            out(f"{count}\t{tag}")
    return 0


def cmd_save(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        library.save_articles([parse_article_id(text) for text in args.ids], not args.unsave)
        out(f"{'unsaved' if args.unsave else 'saved'} {plural(len(args.ids), 'article')}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from reader.core.library import ArticleQuery
    from reader.core.search import parse_query

    with open_library(args) as library:
        args.query = " ".join(args.query)  # the rest of the line: search velsk mayor
        if not args.query.strip():
            raise BroadsheetError("give a search query (see 'broadsheet search --help')")
        for problem in parse_query(args.query).problems:
            out(f"note: {problem}", sys.stderr)
        limit = row_limit(args.limit)
        # One more than asked: to know (cheaply) whether the list was cut.
        wanted = library.count_articles(ArticleQuery()) if limit is None else limit + 1
        hits = library.search(args.query, limit=max(wanted, 1), order=args.order)
        cut = limit is not None and len(hits) > limit
        hits = hits[:limit] if limit is not None else hits
        if not hits:
            out("no matches", sys.stderr)
        for hit in hits:
            article = hit.article
            out(
                f"{article.id}\t{short_date(article.published)}\t{clean_line(article.feed_title, limit=30)}"
                f"\t{clean_line(article.title)}\n\t{_marked(hit.snippet, hit.marks)}"
            )
        if cut:
            assert limit is not None
            cut_note("more matches", limit)
    return 0


def _marked(snippet: str, marks: list[tuple[int, int]]) -> str:
    """Matched terms in *asterisks* for plain output."""
    pieces, last = [], 0
    for start, end in marks:
        pieces += [snippet[last:start], "*", snippet[start:end], "*"]
        last = end
    pieces.append(snippet[last:])
    return clean_line("".join(pieces), limit=400)


def cmd_export(args: argparse.Namespace) -> int:
    from reader.core.export import export_articles
    from reader.core.library import ArticleQuery

    with open_library(args) as library:
        if args.ids:
            ids = [parse_article_id(text) for text in args.ids]
        elif args.saved or args.tag or args.all:
            ids = library.article_ids(ArticleQuery(saved_only=args.saved, tag=args.tag))
        else:
            raise BroadsheetError("give article ids, --saved, --tag TAG or --all")
        formats = ("markdown", "json") if args.format == "both" else (args.format,)
        written = export_articles(library, ids, Path(args.out).expanduser(), formats)
    out(f"wrote {plural(len(written), 'file')} to {args.out}")
    return 0


def cmd_import_library(args: argparse.Namespace) -> int:
    from reader.core.export import import_library

    with open_library(args) as library:
        report = import_library(library, Path(args.source).expanduser())
    for problem in report.skipped or []:
        out(f"skipped {problem}", sys.stderr)
    out(
        f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
        f"{plural(report.annotations, 'annotation')}"
    )
    return 1 if report.skipped and not (report.added or report.updated or report.unchanged) else 0


def register(command: Command) -> None:
    """Add this group's commands to the parser (see ``reader.cli.COMMAND_GROUPS``)."""
    tag = command("tag", cmd_tag, "add tags to an article")
    tag.add_argument("id")
    tag.add_argument("tags", nargs="+", metavar="TAG")
    tag.set_defaults(remove=False)
    untag = command("untag", cmd_tag, "remove tags from an article")
    untag.add_argument("id")
    untag.add_argument("tags", nargs="+", metavar="TAG")
    untag.set_defaults(remove=True)
    command("tags", cmd_tags, "list tags with article counts")

    save = command("save", cmd_save, "save articles so they are kept for good")
    save.add_argument("ids", nargs="+", metavar="ID")
    save.add_argument("--unsave", action="store_true", help="unsave instead")

    search = command(
        "search", cmd_search,
        'full-text search: words, "phrases", -excluded, tag:T, feed:F, is:saved, is:unread, '
        "has:notes, before:/after:YYYY-MM-DD",
    )  # fmt: skip
    search.add_argument(
        "query", nargs="*", metavar="QUERY", help="the rest of the line: words need no quotes"
    )
    search.add_argument(
        "--limit", type=int, default=20, metavar="N", help="at most N matches (0: all; default 20)"
    )
    search.add_argument("--order", choices=("best", "newest"), default="best")

    export = command("export", cmd_export, "export articles as Markdown and/or JSON files")
    export.add_argument("ids", nargs="*", metavar="ID")
    export.add_argument("--saved", action="store_true")
    export.add_argument("--tag", metavar="TAG")
    export.add_argument("--all", action="store_true")
    export.add_argument("--format", choices=("markdown", "json", "both"), default="both")
    export.add_argument("--out", required=True, metavar="DIR")

    restore = command(
        "import-library", cmd_import_library, "restore articles from JSON exports (offline)"
    )
    restore.add_argument("source", metavar="DIR_OR_FILE")
