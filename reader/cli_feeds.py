"""Feed commands: ``add``, ``remove``, ``rename``, ``feeds``, ``feed-set``, ``refresh``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from reader.cli_common import Command, open_library, out
from reader.core.errors import BroadsheetError
from reader.core.sanitize import clean_line, visible_url
from reader.core.wording import plural

if TYPE_CHECKING:
    from reader.core.models import Feed, FeedRefreshResult


def cmd_add(args: argparse.Namespace) -> int:
    import asyncio

    from reader.core.errors import AlreadySubscribedError
    from reader.core.models import Feed

    with open_library(args) as library:
        try:
            existing = library.feed_by_url(args.url)
            if existing is not None:
                out(f"already subscribed: {_feed_line(existing)}")
                return 0
            if args.no_fetch:
                feed = library.add_feed(args.url, title=args.title, tags=args.tag)
            else:
                feed = asyncio.run(library.subscribe(args.url, title=args.title, tags=args.tag))
        except AlreadySubscribedError as already:  # a home page whose feed we have
            assert isinstance(already.feed, Feed)
            out(f"already subscribed: {_feed_line(already.feed)}")
            return 0
        out(_feed_line(feed))
    return 0


def _feed_line(feed: Feed) -> str:
    count = plural(feed.total, "article")
    return f"{feed.id}\t{clean_line(feed.title)}\t{visible_url(feed.url)} ({count})"


def cmd_remove(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        feed = library.resolve_feed(args.feed)
        library.remove_feed(feed.id)
        out(f"unsubscribed from {clean_line(feed.title)}")
    return 0


def cmd_rename(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        feed = library.resolve_feed(args.feed)
        library.rename_feed(feed.id, args.title)
        out(f"{feed.id}\t{clean_line(library.feed(feed.id).title)}")
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
    with open_library(args) as library:
        feed = library.resolve_feed(args.feed)
        for _name, value in changes:
            library.set_feed_fulltext(feed.id, value)
        feed = library.feed(feed.id)
        out(f"{feed.id}\t{clean_line(feed.title)}\tfulltext={feed.fulltext}")
    return 0


def cmd_feeds(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        feeds = library.feeds()
        if not feeds:
            out("no feeds yet: add one with 'broadsheet add URL'", sys.stderr)
        for feed in feeds:
            status = f"  error: {clean_line(feed.last_error)}" if feed.last_error else ""
            tags = f"  [{', '.join(feed.tags)}]" if feed.tags else ""
            tags += f"  fulltext={feed.fulltext}" if feed.fulltext != "auto" else ""
            out(
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
        out(f"[{done}/{total}] {visible_url(result.url)}: {clean_line(state)}")

    return on_line, lambda: None


def cmd_refresh(args: argparse.Namespace) -> int:
    from reader.core.library import refresh_and_settle, sync_and_settle
    from reader.core.models import RefreshSummary

    with open_library(args) as library:
        ids = [library.resolve_feed(ref).id for ref in args.feeds] if args.feeds else None
        if args.quiet:
            on_result, stop = None, lambda: None
        else:
            on_result, stop = _progress_printer(sys.stderr.isatty())

        def stored(summary: RefreshSummary) -> None:
            stop()
            for result in summary.results:
                if result.error:
                    out(f"error: {visible_url(result.url)}: {clean_line(result.error)}", sys.stderr)
            out(summary.line())
            sys.stdout.flush()  # articles are stored and searchable already

        try:
            if library.sync_status() is not None:  # the server fetches: sync, no event loop
                summary, after = sync_and_settle(
                    library, on_result=on_result, wait=args.wait,
                    on_stored=stored, settle=not args.no_clean,
                )  # fmt: skip
            else:
                import asyncio

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
            out(f"{plural(after.full_texts, 'summary-only article')} completed from web pages")
        if after.queued:
            out(f"{plural(after.queued, 'more story page')} queued for later refreshes")
        return 1 if summary.feeds and summary.errors == summary.feeds else 0


def register(command: Command) -> None:
    """Add this group's commands to the parser (see ``reader.cli.COMMAND_GROUPS``)."""
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
