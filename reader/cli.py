"""The ``broadsheet`` command: a thin layer over :mod:`reader.core`.

The Textual UI is imported only when it is needed, so headless commands such
as ``refresh`` and ``clean`` start fast.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from reader import __version__
from reader.cli_account import register as register_account_commands
from reader.core.errors import BroadsheetError, InputFileError
from reader.core.sanitize import clean_line, strip_controls, visible_url
from reader.core.wording import plural

if TYPE_CHECKING:
    from reader.core.library import Library
    from reader.core.models import Article, CleanedArticle, Feed, FeedRefreshResult

Handler = Callable[[argparse.Namespace], int]


def _out(text: str = "", stream: TextIO | None = None) -> None:
    """Print text that may come from a feed: never a control character."""
    print(strip_controls(text), file=stream or sys.stdout)


def _err(text: str) -> None:
    _out(f"broadsheet: {text}", sys.stderr)


def _date(stamp: float | None) -> str:
    if stamp is None:
        return "----------"
    return time.strftime("%Y-%m-%d", time.localtime(stamp))


def _open(args: argparse.Namespace) -> Library:
    from reader.core.export import enable_auto_export
    from reader.core.library import Library

    library = enable_auto_export(
        Library.open(args.data_dir, config_dir_path=args.config_dir, samples=not args.no_samples)
    )
    for problem in library.config.problems:  # ignored settings: said once, never silently
        _err(problem)
    return library


# -- feed commands ----------------------------------------------------------------


def cmd_add(args: argparse.Namespace) -> int:
    import asyncio

    from reader.core.errors import AlreadySubscribedError
    from reader.core.models import Feed

    with _open(args) as library:
        try:
            existing = library.feed_by_url(args.url)
            if existing is not None:
                _out(f"already subscribed: {_feed_line(existing)}")
                return 0
            if args.no_fetch:
                feed = library.add_feed(args.url, title=args.title, tags=args.tag)
            else:
                feed = asyncio.run(library.subscribe(args.url, title=args.title, tags=args.tag))
        except AlreadySubscribedError as already:  # a home page whose feed we have
            assert isinstance(already.feed, Feed)
            _out(f"already subscribed: {_feed_line(already.feed)}")
            return 0
        _out(_feed_line(feed))
    return 0


def _feed_line(feed: Feed) -> str:
    return f"{feed.id}\t{clean_line(feed.title)}\t{visible_url(feed.url)} ({feed.total} articles)"


def cmd_remove(args: argparse.Namespace) -> int:
    with _open(args) as library:
        feed = library.resolve_feed(args.feed)
        library.remove_feed(feed.id)
        _out(f"unsubscribed from {clean_line(feed.title)}")
    return 0


def cmd_rename(args: argparse.Namespace) -> int:
    with _open(args) as library:
        feed = library.resolve_feed(args.feed)
        library.rename_feed(feed.id, args.title)
        _out(f"{feed.id}\t{clean_line(library.feed(feed.id).title)}")
    return 0


FEED_SETTINGS = {"fulltext": ("auto", "always", "never")}


def cmd_feed_set(args: argparse.Namespace) -> int:
    """``feed-set FEED fulltext=never``: check every setting first, then apply them all."""
    changes: list[tuple[str, str]] = []
    for item in args.settings:
        name, _, value = item.partition("=")
        name, value = name.strip().lower(), value.strip().lower()
        if name not in FEED_SETTINGS:
            raise BroadsheetError(
                f"unknown feed setting {clean_line(name)!r} (known: {', '.join(FEED_SETTINGS)})"
            )
        if value not in FEED_SETTINGS[name]:
            accepted = ", ".join(FEED_SETTINGS[name])
            raise BroadsheetError(f"{name} must be one of {accepted}, not {clean_line(value)!r}")
        changes.append((name, value))
    with _open(args) as library:
        feed = library.resolve_feed(args.feed)
        for _name, value in changes:
            library.set_feed_fulltext(feed.id, value)
        feed = library.feed(feed.id)
        _out(f"{feed.id}\t{clean_line(feed.title)}\tfulltext={feed.fulltext}")
    return 0


def cmd_feeds(args: argparse.Namespace) -> int:
    with _open(args) as library:
        feeds = library.feeds()
        if not feeds:
            _out("no feeds yet: add one with 'broadsheet add URL'", sys.stderr)
        for feed in feeds:
            status = f"  error: {clean_line(feed.last_error)}" if feed.last_error else ""
            tags = f"  [{', '.join(feed.tags)}]" if feed.tags else ""
            tags += f"  fulltext={feed.fulltext}" if feed.fulltext != "auto" else ""
            _out(
                f"{feed.id}\t{feed.unread}/{feed.total}\t{clean_line(feed.title)}"
                f"\t{visible_url(feed.url)}{tags}{status}"
            )
    return 0


def _progress_printer(interactive: bool) -> tuple[Callable[..., None], Callable[[], None]]:
    """Report each finished feed: a progress bar on a terminal, plain lines otherwise."""
    if interactive:
        from rich.progress import Progress

        progress = Progress(transient=True)
        task = progress.add_task("refreshing", total=None)
        progress.start()

        def on_bar(result: FeedRefreshResult, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return on_bar, progress.stop

    def on_line(result: FeedRefreshResult, done: int, total: int) -> None:
        state = result.error or ("not modified" if result.not_modified else f"{result.new} new")
        _out(f"[{done}/{total}] {visible_url(result.url)}: {clean_line(state)}")

    return on_line, lambda: None


def cmd_refresh(args: argparse.Namespace) -> int:
    import asyncio

    from reader.core.library import refresh_and_settle
    from reader.core.models import RefreshSummary

    with _open(args) as library:
        ids = [library.resolve_feed(ref).id for ref in args.feeds] if args.feeds else None
        if args.quiet:
            on_result, stop = None, lambda: None
        else:
            on_result, stop = _progress_printer(sys.stderr.isatty())

        def stored(summary: RefreshSummary) -> None:
            stop()
            for result in summary.results:
                if result.error:
                    _out(
                        f"error: {visible_url(result.url)}: {clean_line(result.error)}", sys.stderr
                    )
            _out(summary.line())
            sys.stdout.flush()  # articles are stored and searchable already

        try:
            summary, after = asyncio.run(
                refresh_and_settle(
                    library,
                    ids,
                    on_result=on_result,
                    wait=args.wait,
                    automatic=args.auto,
                    on_stored=stored,
                    settle=not args.no_clean,
                )
            )
        finally:
            stop()
        if after.full_texts:
            _out(f"{plural(after.full_texts, 'summary-only article')} completed from web pages")
        if after.queued:
            _out(f"{plural(after.queued, 'more story page')} queued for later refreshes")
        return 1 if summary.feeds and summary.errors == summary.feeds else 0


# -- article commands ---------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    from reader.core.library import ArticleQuery

    with _open(args) as library:
        feed_id = library.resolve_feed(args.feed).id if args.feed else None
        query = ArticleQuery(feed_id=feed_id, unread_only=args.unread, saved_only=args.saved)
        limit = _limit(args.limit)
        articles = library.article_page(query, 0, -1 if limit is None else limit)
        if not articles:
            _out("no articles (try 'broadsheet refresh')", sys.stderr)
        for article in articles:
            flags = ("N" if not article.read else " ") + ("S" if article.saved else " ")
            _out(
                f"{article.id}\t{flags}\t{_date(article.published)}"
                f"\t{clean_line(article.feed_title, limit=30)}\t{clean_line(article.title)}"
            )
        if limit is not None and len(articles) == limit:
            more = library.count_articles(query) - len(articles)
            if more > 0:
                _cut_note(f"{more:,} more", limit)
    return 0


def _limit(value: int) -> int | None:
    """``--limit N``: at most N rows; 0 means no limit (None)."""
    if value < 0:
        raise BroadsheetError("--limit must be 0 (no limit) or more")
    return value or None


def _cut_note(more: str, limit: int) -> None:
    """Say that a listing was cut, on stderr (stdout stays one row per line)."""
    _out(f"… {more} (showing {limit:,}; --limit N for more, --limit 0 for all)", sys.stderr)


def _article_id(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise BroadsheetError(f"not an article id: {text!r} (see 'broadsheet list')") from None


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
    with _open(args) as library:
        article = library.article(_article_id(args.id))
        title = clean_line(article.title) or "Untitled"
        header = article_header(article)
        if args.format == "markdown":
            from reader.core.render import blocks_to_markdown

            meta = "  \n".join(header)
            _out(f"# {title}\n\n{meta}\n\n{blocks_to_markdown(article.blocks)}")
        else:
            _out("\n".join([title, *header, "─" * min(40, max(len(title), 10)), ""]))
            _out(article.text)
        for enclosure in article.enclosures:
            _out(f"\nenclosure: {visible_url(enclosure.url)}")
    return 0


def cmd_mark_read(args: argparse.Namespace) -> int:
    from reader.core.library import ArticleQuery

    with _open(args) as library:
        if args.all or args.feed:
            feed_id = library.resolve_feed(args.feed).id if args.feed else None
            count = len(library.mark_query_read(ArticleQuery(feed_id=feed_id)))
        elif args.ids:
            ids = [_article_id(text) for text in args.ids]
            library.mark_read(ids, read=not args.unread)
            count = len(ids)
        else:
            raise BroadsheetError("give article ids, --feed FEED or --all")
        _out(f"marked {plural(count, 'article')} {'unread' if args.unread else 'read'}")
    return 0


def cmd_reclean(args: argparse.Namespace) -> int:
    from reader.core.library import ArticleQuery

    with _open(args) as library:
        if args.feed:
            ids = library.article_ids(ArticleQuery(feed_id=library.resolve_feed(args.feed).id))
            count = library.reclean(ids)
        else:
            count = library.reclean(None)
        if count:
            library.tidy_search_index()
        _out(f"re-cleaned {plural(count, 'article')}")
    return 0


# -- library: tags, saved, search, export ------------------------------------------


def cmd_tag(args: argparse.Namespace) -> int:
    with _open(args) as library:
        article_id = _article_id(args.id)
        if args.remove:
            library.untag_article(article_id, args.tags)
        else:
            library.tag_article(article_id, args.tags)
        tags = library.article(article_id).tags
        _out(f"{article_id}\t{', '.join(tags) or '(no tags)'}")
    return 0


def cmd_tags(args: argparse.Namespace) -> int:
    with _open(args) as library:
        tags = library.tags()
        if not tags:
            _out("no tags yet: tag an article with 'broadsheet tag ID TAG'", sys.stderr)
        for tag, count in tags:
            _out(f"{count}\t{tag}")
    return 0


def cmd_save(args: argparse.Namespace) -> int:
    with _open(args) as library:
        library.save_articles([_article_id(text) for text in args.ids], not args.unsave)
        _out(f"{'unsaved' if args.unsave else 'saved'} {plural(len(args.ids), 'article')}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from reader.core.library import ArticleQuery
    from reader.core.search import parse_query

    with _open(args) as library:
        args.query = " ".join(args.query)  # the rest of the line: search velsk mayor
        if not args.query.strip():
            raise BroadsheetError("give a search query (see 'broadsheet search --help')")
        for problem in parse_query(args.query).problems:
            _out(f"note: {problem}", sys.stderr)
        limit = _limit(args.limit)
        # One more than asked: to know (cheaply) whether the list was cut.
        wanted = library.count_articles(ArticleQuery()) if limit is None else limit + 1
        hits = library.search(args.query, limit=max(wanted, 1), order=args.order)
        cut = limit is not None and len(hits) > limit
        hits = hits[:limit] if limit is not None else hits
        if not hits:
            _out("no matches", sys.stderr)
        for hit in hits:
            article = hit.article
            _out(
                f"{article.id}\t{_date(article.published)}\t{clean_line(article.feed_title, limit=30)}"
                f"\t{clean_line(article.title)}\n\t{_marked(hit.snippet, hit.marks)}"
            )
        if cut:
            assert limit is not None
            _cut_note("more matches", limit)
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

    with _open(args) as library:
        if args.ids:
            ids = [_article_id(text) for text in args.ids]
        elif args.saved or args.tag or args.all:
            ids = library.article_ids(ArticleQuery(saved_only=args.saved, tag=args.tag))
        else:
            raise BroadsheetError("give article ids, --saved, --tag TAG or --all")
        formats = ("markdown", "json") if args.format == "both" else (args.format,)
        written = export_articles(library, ids, Path(args.out).expanduser(), formats)
    _out(f"wrote {plural(len(written), 'file')} to {args.out}")
    return 0


def cmd_import_library(args: argparse.Namespace) -> int:
    from reader.core.export import import_library

    with _open(args) as library:
        report = import_library(library, Path(args.source).expanduser())
    for problem in report.skipped or []:
        _out(f"skipped {problem}", sys.stderr)
    _out(
        f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
        f"{plural(report.annotations, 'annotation')}"
    )
    return 1 if report.skipped and not (report.added or report.updated or report.unchanged) else 0


# -- clean ----------------------------------------------------------------------------


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
        return _decode(result.body), url or result.url, True
    path = Path(source).expanduser()
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputFileError(f"cannot read {source}: {error.strerror or error}") from error
    _refuse_non_article(data, source)
    text = _decode(data)
    head = text[:4096].lower()
    return text, url, "<html" in head or "<body" in head or "<!doctype" in head


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
        _out("removed: nothing", sys.stderr)
    for removal in cleaned.removed:
        snippet = clean_line(removal.text, limit=100)
        where = "extraction" if removal.block < 0 else f"block {removal.block}"
        _out(f"removed [{removal.rule}] {where}: {snippet}", sys.stderr)
        why = evidence(removal)
        if why:
            _out(f"    why: {why}", sys.stderr)


def cmd_clean(args: argparse.Namespace) -> int:
    from reader.core.cleaner import clean

    text, url, whole_page = _read_source(args.source, args.url)
    extract = whole_page if args.extract is None else args.extract
    rules = _user_rules(args)
    cleaned = clean(text, url, extract=extract, rules=rules)
    if args.format == "json":
        _out(json.dumps(cleaned.to_dict(), ensure_ascii=False, indent=2))
    elif args.format == "markdown":
        from reader.core.render import blocks_to_markdown

        title = f"# {clean_line(cleaned.title)}\n\n" if cleaned.title else ""
        _out(title + blocks_to_markdown(cleaned.blocks))
    else:
        _out(cleaned.text)
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


# -- OPML -----------------------------------------------------------------------------


def cmd_import(args: argparse.Namespace) -> int:
    import asyncio

    from reader.core.opml import parse_opml
    from reader.core.sanitize import is_http_url

    try:
        data = Path(args.file).expanduser().read_bytes()
    except OSError as error:
        raise InputFileError(f"cannot read {args.file}: {error.strerror or error}") from error
    result = parse_opml(data)
    refused = list(result.refused)
    with _open(args) as library:
        added = already = 0
        for item in result.feeds:
            try:
                if library.feed_by_url(item.url) is not None:
                    already += 1  # its folders still become tags
                    library.add_feed(item.url, title=None, tags=item.tags)
                elif is_http_url(item.url):  # fetched at the next refresh
                    library.add_feed(item.url, title=item.title, tags=item.tags)
                    added += 1
                else:  # a local feed: read it now, by the same rule as 'add'
                    asyncio.run(library.subscribe(item.url, title=item.title, tags=item.tags))
                    added += 1
            except BroadsheetError as error:
                refused.append((item.url, str(error)))
        for url, reason in refused:
            _out(f"refused {clean_line(url, limit=200)}: {clean_line(reason)}", sys.stderr)
    extra = f"{already} already subscribed, " if already else ""
    _out(f"imported {plural(added, 'feed')} ({extra}{len(refused)} refused)")
    return 0


def cmd_export_opml(args: argparse.Namespace) -> int:
    from reader.core.opml import export_opml

    with _open(args) as library:
        data = export_opml((feed.url, feed.title, feed.tags) for feed in library.feeds())
    if args.out:
        from reader.core.files import write_atomic

        write_atomic(Path(args.out), data)
    else:
        sys.stdout.buffer.write(data)
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    library = _open(args)
    try:
        from reader.ui.app import run_app

        run_app(library)
    finally:
        library.close()
    return 0


# -- parser ---------------------------------------------------------------------------


def _global_options(parser: argparse.ArgumentParser, default: Any = None) -> None:
    group = parser.add_argument_group("options every command accepts")
    group.add_argument(
        "--data-dir", metavar="DIR", default=default,
        help="library location (or BROADSHEET_DATA_DIR)",
    )  # fmt: skip
    group.add_argument(
        "--config-dir", metavar="DIR", default=default,
        help="config location (or BROADSHEET_CONFIG_DIR)",
    )  # fmt: skip
    group.add_argument(
        "--no-samples", action="store_true",
        default=False if default is None else default,
        help="do not subscribe the sample feeds on first run",
    )  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="broadsheet",
        description="A terminal news reader that reads clean. With no command, opens the reader.",
    )
    parser.add_argument("--version", action="version", version=f"broadsheet {__version__}")
    _global_options(parser)
    parser.set_defaults(handler=cmd_ui)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    # The same options after the command ("feeds --data-dir X"); SUPPRESS keeps a
    # value given before the command when none is given after it.
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, default=argparse.SUPPRESS)

    def command(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text, parents=[common])
        sub.set_defaults(handler=handler)
        return sub

    add = command("add", cmd_add, "subscribe to a feed, or a site's home page (autodiscovery)")
    add.add_argument("url")
    add.add_argument("--tag", action="append", default=[], help="tag the feed (repeatable)")
    add.add_argument("--title", help="your own title for the feed")
    add.add_argument("--no-fetch", action="store_true", help="subscribe without fetching now")

    remove = command(
        "remove", cmd_remove, "unsubscribe from a feed (saved, tagged and annotated articles stay)"
    )
    remove.add_argument("feed", help="feed id, URL or title")

    rename = command("rename", cmd_rename, "give a feed your own title")
    rename.add_argument("feed", help="feed id, URL or title")
    rename.add_argument("title")

    command("feeds", cmd_feeds, "list subscribed feeds: id, unread/total, title, URL")

    feed_set = command(
        "feed-set", cmd_feed_set,
        "change a feed's settings: fulltext=auto|always|never (fetch each story's web page: "
        "when the feed gives only a summary, always, or never)",
    )  # fmt: skip
    feed_set.add_argument("feed", help="feed id, URL or title")
    feed_set.add_argument("settings", nargs="+", metavar="SETTING=VALUE")

    refresh = command("refresh", cmd_refresh, "fetch new articles")
    refresh.add_argument("feeds", nargs="*", metavar="FEED", help="feed ids, URLs or titles")
    refresh.add_argument(
        "--wait", type=float, default=0.0, metavar="SECONDS",
        help="wait this long for another running refresh to finish (default: do not wait)",
    )  # fmt: skip
    refresh.add_argument("--quiet", action="store_true", help="no progress output")
    refresh.add_argument(
        "--auto", action="store_true",
        help="for timers and cron: skip feeds waiting after errors (back-off, Retry-After), "
        "as the reader's own timed refresh does",
    )  # fmt: skip
    refresh.add_argument(
        "--no-clean", action="store_true",
        help="stop once new articles are stored and searchable: leave full-text completion "
        "and cleaning for later (articles are cleaned when opened)",
    )  # fmt: skip

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

    opml_in = command("import", cmd_import, "subscribe to the feeds in an OPML file")
    opml_in.add_argument("file", metavar="FILE.opml")
    opml_out = command("export-opml", cmd_export_opml, "write subscriptions as OPML")
    opml_out.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    register_account_commands(command)
    return parser


def _query_after_separator(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """``search velsk -mayor --limit 5``: the command's own options stay options and
    every other word is the query, even one starting with "-" (an excluded word),
    so the words go after a "--" for argparse."""
    position = _command_position(parser, argv)
    if position is None or argv[position] != "search":
        return argv
    search = _subparser(parser, "search")
    takes_value = {
        flag: action.nargs != 0 for action in search._actions for flag in action.option_strings
    }
    options: list[str] = []
    words: list[str] = []
    rest = argv[position + 1 :]
    index = 0
    while index < len(rest):
        word = rest[index]
        name = word.split("=", 1)[0]
        if word == "--":
            words += rest[index + 1 :]
            break
        if name in takes_value:
            options.append(word)
            if takes_value[name] and "=" not in word and index + 1 < len(rest):
                options.append(rest[index + 1])
                index += 1
        else:
            words.append(word)
        index += 1
    return [*argv[: position + 1], *options, "--", *words]


def _command_position(parser: argparse.ArgumentParser, argv: list[str]) -> int | None:
    """Where the command name stands, after any options given before it."""
    takes_value = {
        flag: action.nargs != 0 for action in parser._actions for flag in action.option_strings
    }
    index = 0
    while index < len(argv):
        word = argv[index]
        if word == "--" or not word.startswith("-"):
            return index if word != "--" else None
        index += 2 if takes_value.get(word) else 1
    return None


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[name]  # type: ignore[no-any-return]
    raise KeyError(name)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(_query_after_separator(parser, argv))
    handler: Handler = args.handler
    try:
        return handler(args)
    except BroadsheetError as error:
        _err(str(error))
        return 1
    except sqlite3.Error as error:
        _err(f"library error: {error}")
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
