"""What every ``broadsheet`` command shares: output that never carries a control
character, opening the library, and the small parsers of ids and limits.

A group of commands is a module ``reader/cli_*.py`` with a ``register(command)``
function, listed in ``reader.cli.COMMAND_GROUPS``; its handlers import what they
use inside the function, so ``broadsheet --help`` and headless commands stay fast.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from reader.core.errors import BroadsheetError
from reader.core.sanitize import strip_controls

if TYPE_CHECKING:
    from reader.core.library import Library

Handler = Callable[[argparse.Namespace], int]
# ``command(name, handler, help)``: adds a subcommand and returns its parser.
Command = Callable[[str, Handler, str], argparse.ArgumentParser]


def out(text: str = "", stream: TextIO | None = None) -> None:
    """Print text that may come from a feed: never a control character."""
    print(strip_controls(text), file=stream or sys.stdout)


def err(text: str) -> None:
    out(f"broadsheet: {text}", sys.stderr)


def short_date(stamp: float | None) -> str:
    if stamp is None:
        return "----------"
    return time.strftime("%Y-%m-%d", time.localtime(stamp))


def open_library(args: argparse.Namespace) -> Library:
    from reader.core.library import Library

    library = Library.open(
        args.data_dir, config_dir_path=args.config_dir, samples=not args.no_samples
    )
    if library.config.auto_export_dir is not None:  # its module only when it is set
        from reader.core.export import enable_auto_export

        enable_auto_export(library)
    for problem in library.config.problems:  # ignored settings: said once, never silently
        err(problem)
    library.on_cleaning_problem(err)  # a broken rules.toml, when cleaning meets it
    return library


def row_limit(value: int) -> int | None:
    """``--limit N``: at most N rows; 0 means no limit (None)."""
    if value < 0:
        raise BroadsheetError("--limit must be 0 (no limit) or more")
    return value or None


def cut_note(more: str, limit: int) -> None:
    """Say that a listing was cut, on stderr (stdout stays one row per line)."""
    out(f"… {more} (showing {limit:,}; --limit N for more, --limit 0 for all)", sys.stderr)


def parse_article_id(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise BroadsheetError(f"not an article id: {text!r} (see 'broadsheet list')") from None


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, finding the terminal's width as ``shutil`` does but
    without importing it (and the compression modules it loads): argparse makes a
    formatter for every argument it adds, so every start paid for that import."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:  # fmt: skip
        if width is None:
            width = _terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _terminal_columns() -> int:
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    stdout = sys.__stdout__
    if stdout is None:
        return 80
    try:
        return os.get_terminal_size(stdout.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):  # closed, or not a terminal
        return 80


class Parser(argparse.ArgumentParser):
    """The parser of the command line and of each command (their subcommands' too:
    argparse makes them of the parent's class), with the formatter above."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)


def global_options(parser: argparse.ArgumentParser, default: Any = None) -> None:
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


def options_after_command() -> Parser:
    """The global options again, for a command's parser ("feeds --data-dir X") or an
    action's ("account show --data-dir X"); SUPPRESS keeps a value given earlier on
    the line when none is given there."""
    common = Parser(add_help=False)
    global_options(common, default=argparse.SUPPRESS)
    return common
