"""Article commands: ``list``, ``show``, ``mark-read``."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

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
from reader.core.sanitize import clean_line, visible_url
from reader.core.wording import plural

if TYPE_CHECKING:
    from reader.core.models import Article


def cmd_list(args: argparse.Namespace) -> int:
    from reader.core.library import ArticleQuery

    with open_library(args) as library:
        feed_id = library.resolve_feed(args.feed).id if args.feed else None
        query = ArticleQuery(feed_id=feed_id, unread_only=args.unread, saved_only=args.saved)
        limit = row_limit(args.limit)
        articles = library.article_page(query, 0, -1 if limit is None else limit)
        if not articles:
            out("no articles (try 'broadsheet refresh')", sys.stderr)
        for article in articles:
            flags = ("N" if not article.read else " ") + ("S" if article.saved else " ")
            out(
                f"{article.id}\t{flags}\t{short_date(article.published)}"
                f"\t{clean_line(article.feed_title, limit=30)}\t{clean_line(article.title)}"
            )
        if limit is not None and len(articles) == limit:
            more = library.count_articles(query) - len(articles)
            if more > 0:
                cut_note(f"{more:,} more", limit)
    return 0


def _long_date(timestamp: float) -> str:
    moment = time.localtime(timestamp)
    return time.strftime(f"%a {moment.tm_mday} %b %Y, %H:%M", moment)


def article_header(article: Article) -> list[str]:
    """What ``show`` prints above the text: feed, author, date; link; saved and tags."""
    when = (
        _long_date(article.published)
        if article.published is not None
        else f"undated (fetched {_long_date(article.fetched_at)})"
    )
    byline = [clean_line(article.feed_title), clean_line(article.author), when]
    lines = [" · ".join(part for part in byline if part)]
    if article.link:
        lines.append(visible_url(article.link))
    marks = (["saved"] if article.saved else []) + [f"#{clean_line(tag)}" for tag in article.tags]
    if marks:
        lines.append(" ".join(marks))
    return lines


def cmd_show(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        article = library.article(parse_article_id(args.id))
        title = clean_line(article.title) or "Untitled"
        header = article_header(article)
        if args.format == "markdown":
            from reader.core.render import blocks_to_markdown, escape_markdown

            meta = "  \n".join(header)
            body = blocks_to_markdown(article.blocks)
            out(f"# {escape_markdown(title)}\n\n{meta}\n\n{body}")
        else:
            out("\n".join([title, *header, "─" * min(40, max(len(title), 10)), ""]))
            out(article.text)
        for enclosure in article.enclosures:
            out(f"\nenclosure: {visible_url(enclosure.url)}")
    return 0


def cmd_mark_read(args: argparse.Namespace) -> int:
    from reader.core.library import ArticleQuery

    with open_library(args) as library:
        if args.all or args.feed:
            feed_id = library.resolve_feed(args.feed).id if args.feed else None
            count = len(library.mark_query_read(ArticleQuery(feed_id=feed_id)))
        elif args.ids:
            ids = [parse_article_id(text) for text in args.ids]
            library.mark_read(ids, read=not args.unread)
            count = len(ids)
        else:
            raise BroadsheetError("give article ids, --feed FEED or --all")
        out(f"marked {plural(count, 'article')} {'unread' if args.unread else 'read'}")
    return 0


def register(command: Command) -> None:
    """Add this group's commands to the parser (see ``reader.cli.COMMAND_GROUPS``)."""
    listing = command("list", cmd_list, "list articles, newest first: id, flags, date, feed, title")
    listing.add_argument("--unread", action="store_true")
    listing.add_argument("--saved", action="store_true")
    listing.add_argument("--feed", metavar="FEED")
    listing.add_argument(
        "--limit", type=int, default=50, metavar="N", help="at most N articles (0: all; default 50)"
    )

    show = command("show", cmd_show, "print an article's clean text")
    show.add_argument("id")
    show.add_argument("--format", choices=("text", "markdown"), default="text")

    mark = command("mark-read", cmd_mark_read, "mark articles read")
    mark.add_argument("ids", nargs="*", metavar="ID")
    mark.add_argument("--feed", metavar="FEED")
    mark.add_argument("--all", action="store_true")
    mark.add_argument("--unread", action="store_true", help="mark the given ids unread instead")
