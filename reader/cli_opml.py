"""OPML commands: ``import`` (subscribe to a file's feeds) and ``export-opml``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reader.cli_common import Command, open_library, out
from reader.core.errors import BroadsheetError, InputFileError
from reader.core.sanitize import clean_line
from reader.core.wording import plural


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
    with open_library(args) as library:
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
            out(f"refused {clean_line(url, limit=200)}: {clean_line(reason)}", sys.stderr)
    extra = f"{already} already subscribed, " if already else ""
    out(f"imported {plural(added, 'feed')} ({extra}{len(refused)} refused)")
    return 0


def cmd_export_opml(args: argparse.Namespace) -> int:
    from reader.core.opml import export_opml

    with open_library(args) as library:
        data = export_opml((feed.url, feed.title, feed.tags) for feed in library.feeds())
    if args.out:
        from reader.core.files import write_atomic

        write_atomic(Path(args.out), data)
    else:
        sys.stdout.buffer.write(data)
    return 0


def register(command: Command) -> None:
    """Add this group's commands to the parser (see ``reader.cli.COMMAND_GROUPS``)."""
    opml_in = command("import", cmd_import, "subscribe to the feeds in an OPML file")
    opml_in.add_argument("file", metavar="FILE.opml")
    opml_out = command("export-opml", cmd_export_opml, "write subscriptions as OPML")
    opml_out.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
