"""``broadsheet account add|show|remove``: the library's account on a feed server.

The password comes from a prompt without echo, ``--password-file`` or
``--password-command`` (as newsboat does): never from the command line, where other
users and the shell history would see it, and it is never printed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.cli_common import options_after_command
from reader.core.errors import BroadsheetError

if TYPE_CHECKING:
    from reader.core.library import Library

Command = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]

SERVER_URLS = (
    "FreshRSS: https://host/api/greader.php; Miniflux: https://host/ (Google Reader API "
    "enabled in its settings); Tiny Tiny RSS: https://host/tt-rss/"
)


def register(command: Command) -> None:
    account = command("account", _missing_action, "sync with a feed server: add, show, remove")
    actions = account.add_subparsers(title="actions", metavar="ACTION")
    common = [options_after_command()]
    add = actions.add_parser(
        "add", help="sync this library with an account on a feed server", parents=common
    )
    add.set_defaults(handler=cmd_account_add)
    add.add_argument("kind", choices=("greader", "ttrss"), help="the server's API")
    add.add_argument("url", help=SERVER_URLS)
    add.add_argument("--user", required=True, metavar="NAME")
    source = add.add_mutually_exclusive_group()
    source.add_argument("--password-file", metavar="FILE", help="read the password from FILE")
    source.add_argument(
        "--password-command", metavar="CMD", help="run CMD and use its first line of output"
    )
    add.add_argument(
        "--push-local", action="store_true",
        help="subscribe this library's own feeds on the server at the next sync",
    )  # fmt: skip
    show = actions.add_parser(
        "show", help="the account, its last sync and pending changes", parents=common
    )
    show.set_defaults(handler=cmd_account_show)
    remove = actions.add_parser(
        "remove",
        help="stop syncing: every article stays, the feeds become local again",
        parents=common,
    )
    remove.set_defaults(handler=cmd_account_remove)


def _missing_action(args: argparse.Namespace) -> int:
    raise BroadsheetError("say what to do: account add, account show or account remove")


def _open(args: argparse.Namespace) -> Library:
    from reader.core.library import Library

    return Library.open(args.data_dir, config_dir_path=args.config_dir, samples=False)


def read_password(args: argparse.Namespace) -> str:
    if args.password_file:
        try:
            text = Path(args.password_file).expanduser().read_text(encoding="utf-8")
        except OSError as error:
            raise BroadsheetError(f"cannot read {args.password_file}: {error.strerror}") from error
    elif args.password_command:
        import shlex
        import subprocess

        # Split like a shell would, but run without one: nothing in the line is expanded.
        try:
            argv = shlex.split(args.password_command)
            done = subprocess.run(argv, capture_output=True, text=True, check=False)
        except (ValueError, OSError) as error:
            raise BroadsheetError(f"cannot run the password command: {error}") from error
        if done.returncode != 0:
            raise BroadsheetError(f"the password command failed (exit status {done.returncode})")
        text = done.stdout
    else:
        import getpass
        import warnings

        try:
            with warnings.catch_warnings():  # no terminal: the password comes from a pipe
                warnings.simplefilter("ignore", getpass.GetPassWarning)
                text = getpass.getpass(f"password for {args.user} at {args.url}: ")
        except EOFError:  # no terminal and nothing on stdin (a script, cron)
            raise BroadsheetError(
                "no password given: type it at the prompt, or give --password-file FILE "
                "or --password-command CMD"
            ) from None
    password = text.splitlines()[0] if text.strip() else ""
    if not password:
        raise BroadsheetError("the password is empty")
    return password


def cmd_account_add(args: argparse.Namespace) -> int:
    from reader.core.sync import accounts
    from reader.core.sync.backend import SyncError
    from reader.core.sync.service import explained

    account = accounts.Account(args.kind, args.url.strip(), args.user, read_password(args))
    backend: Any = accounts.connect(account)
    try:
        backend.login()  # a wrong URL or password is said now, not at the first sync
    except SyncError as error:
        raise explained(error, "cannot add the account") from error
    finally:
        getattr(backend, "close", lambda: None)()
    account.token = getattr(backend, "token", None)
    with _open(args) as library:
        db = library.db.connection()
        accounts.add(db, library.data_dir, account)
        pushed = accounts.push_local(db) if args.push_local else 0
    print(f"account added: {args.kind} {args.url} as {args.user}")
    if pushed:
        print(f"{pushed} local feed(s) will be subscribed on the server at the next sync")
    print("run 'broadsheet refresh' to sync")
    return 0


def cmd_account_show(args: argparse.Namespace) -> int:
    from reader.core.sync import accounts

    with _open(args) as library:
        status = accounts.status(library.db.connection())
    if status is None:
        print("no account: this library fetches its feeds itself")
        return 0
    print(f"type:     {status.kind}")
    print(f"url:      {status.url}")
    print(f"user:     {status.user}")
    print(f"last sync: {describe_time(status.last_sync)}")
    print(f"pending:  {status.pending} change(s) not sent yet")
    if status.last_error:
        print(f"last error: {status.last_error}")
    return 0


def describe_time(stamp: float | None) -> str:
    if stamp is None:
        return "never"
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(stamp))


def cmd_account_remove(args: argparse.Namespace) -> int:
    from reader.core.sync import accounts

    with _open(args) as library:
        if accounts.status(library.db.connection()) is None:
            raise BroadsheetError("this library has no account")
        # Not under a running sync: it would write its links and marks back afterwards.
        with library.refresh_lock():
            unsent = accounts.remove(library.db.connection(), library.data_dir)
    print("account removed: every article stays; the feeds are fetched here again")
    if unsent:
        print(f"{unsent} change(s) made here were never sent to the server", file=sys.stderr)
    return 0
