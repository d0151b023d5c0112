"""The library's account on a feed server: one per library.

What identifies it (type, URL, user) is kept in the library (``sync_state``), so the
queue knows whether to record changes in the same transaction as the change. The
secrets (password, the server's token) are kept in ``account.json`` in the data
directory, created readable by its owner only and replaced atomically.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from reader.core import _storage
from reader.core._storage import sync as _sync
from reader.core.errors import BroadsheetError
from reader.core.sync.backend import SyncBackend

if TYPE_CHECKING:
    import sqlite3

KINDS = ("greader", "ttrss")
SECRETS_FILE = "account.json"


@dataclass
class Account:
    kind: str
    url: str
    user: str
    password: str
    token: str | None = None


# A NamedTuple, not a dataclass: made ~10 times faster when the module is imported,
# which every sync's start-up pays (see benchmarks/README.md, sync).
class AccountStatus(NamedTuple):
    kind: str
    url: str
    user: str
    last_sync: float | None
    pending: int
    last_error: str | None


def status(db: sqlite3.Connection) -> AccountStatus | None:
    raw = _sync.get_state(db, "account")
    if raw is None:
        return None
    info = json.loads(raw)
    last_sync = _sync.get_state(db, "last_sync")
    return AccountStatus(
        info["kind"],
        info["url"],
        info["user"],
        float(last_sync) if last_sync else None,
        _sync.pending_count(db),
        _sync.get_state(db, "last_error") or None,
    )


def load(data_dir: Path) -> Account:
    path = data_dir / SECRETS_FILE
    try:
        return Account(**json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise BroadsheetError(
            f"the account's credentials are missing ({path}): run 'broadsheet account add' again"
        ) from None
    except (OSError, ValueError, TypeError) as error:
        raise BroadsheetError(f"cannot read {path}: {error}") from error


def save_secrets(data_dir: Path, account: Account) -> None:
    """Write the credentials file: mode 0600 from its creation, then renamed over the
    old one, so no moment exists where others could read it or it is half written."""
    path = data_dir / SECRETS_FILE
    temporary = path.with_name(f".{SECRETS_FILE}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(asdict(account), handle)
    os.replace(temporary, path)


def add(db: sqlite3.Connection, data_dir: Path, account: Account) -> None:
    if account.kind not in KINDS:
        raise BroadsheetError(f"unknown account type {account.kind!r} (greader or ttrss)")
    if status(db) is not None:
        raise BroadsheetError("this library has an account already: 'account remove' it first")
    # What an earlier account left (a sync that outlived its removal) is not this one's:
    # its high-water mark would skip the first sync's items, its ids match other feeds.
    _sync.forget_account(db)
    save_secrets(data_dir, account)
    info = {"kind": account.kind, "url": account.url, "user": account.user}
    _sync.set_state(db, {"account": json.dumps(info)})


def push_local(db: sqlite3.Connection) -> int:
    """Subscribe the library's own web feeds on the server at the next sync."""
    return _sync.queue_local_feeds(db, _storage.now())


def remove(db: sqlite3.Connection, data_dir: Path) -> int:
    """Forget the account; every feed and article stays (the feeds are local again).
    Returns the number of changes that were never sent."""
    unsent = _sync.forget_account(db)
    with contextlib.suppress(FileNotFoundError):
        (data_dir / SECRETS_FILE).unlink()
    return unsent


def connect(account: Account) -> SyncBackend:
    """The backend for an account's protocol."""
    module: Any
    if account.kind == "greader":
        from reader.core.sync import greader as module
    elif account.kind == "ttrss":
        try:
            from reader.core.sync import ttrss as module  # type: ignore[attr-defined,no-redef,unused-ignore]
        except ImportError:  # built without it
            raise BroadsheetError("this Broadsheet cannot sync with Tiny Tiny RSS") from None
    else:
        raise BroadsheetError(f"unknown account type {account.kind!r}")
    backend: SyncBackend = module.connect(
        account.url, account.user, account.password, token=account.token
    )
    return backend
