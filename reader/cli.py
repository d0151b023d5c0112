"""The ``broadsheet`` command: a thin layer over :mod:`reader.core`.

This module parses the command line and runs a handler. The commands live in
groups, one module each (``reader/cli_*.py``), each with a ``register(command)``
function listed in :data:`COMMAND_GROUPS`: a new group is a new module and one
line here. Handlers import what they need when they run, and the Textual UI only
when it opens, so headless commands such as ``refresh`` and ``clean`` start fast.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Callable, Sequence
from typing import cast

from reader import (
    __version__,
    cli_account,
    cli_articles,
    cli_clean,
    cli_feeds,
    cli_library,
    cli_opml,
)
from reader.cli_common import (
    Command,
    Handler,
    Parser,
    err,
    global_options,
    open_library,
    options_after_command,
)
from reader.core.errors import BroadsheetError

# In the order ``broadsheet --help`` lists them.
COMMAND_GROUPS: tuple[Callable[[Command], None], ...] = (
    cli_feeds.register,
    cli_articles.register,
    cli_clean.register,
    cli_library.register,
    cli_opml.register,
    cli_account.register,
)


def cmd_ui(args: argparse.Namespace) -> int:
    library = open_library(args)
    try:
        from reader.ui.app import run_app

        run_app(library)
    finally:
        library.close()
    return 0


# -- parser ---------------------------------------------------------------------------


class _NotBuilt:
    """What a group gets for a command the line does not name: every call on it is
    accepted and does nothing, so that command's parser is never built."""

    def __getattr__(self, name: str) -> Callable[..., _NotBuilt]:
        return lambda *args, **kwargs: self


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every command; given the command line, of the command it names
    only (building all of them costs ~10 ms at every start). A line that names none
    (``--help``, a typo) gets them all, so help and errors list every command."""
    parser = Parser(
        prog="broadsheet",
        description="A terminal news reader that reads clean. With no command, opens the reader.",
    )
    parser.add_argument("--version", action="version", version=f"broadsheet {__version__}")
    global_options(parser)
    parser.set_defaults(handler=cmd_ui)
    position = None if argv is None else _command_position(parser, list(argv))
    wanted = None if argv is None or position is None else argv[position]
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    common = options_after_command()
    built: list[str] = []

    def command(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        if wanted is not None and name != wanted:
            return cast(argparse.ArgumentParser, _NotBuilt())
        sub = commands.add_parser(name, help=help_text, description=help_text, parents=[common])
        sub.set_defaults(handler=handler)
        built.append(name)
        return sub

    for register in COMMAND_GROUPS:
        register(command)
    if wanted is not None and not built:
        return build_parser()
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
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    args = parser.parse_args(_query_after_separator(parser, argv))
    handler: Handler = args.handler
    try:
        return handler(args)
    except BroadsheetError as error:
        err(str(error))
        return 1
    except sqlite3.Error as error:
        err(f"library error: {error}")
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
