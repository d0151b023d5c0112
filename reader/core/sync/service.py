"""A sync as the library runs it: the account's backend, the engine, and what is
remembered afterwards (the server's token, the last error)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reader.core._storage import sync as _sync
from reader.core.errors import BroadsheetError
from reader.core.models import RefreshSummary
from reader.core.sync import accounts
from reader.core.sync.backend import SyncError
from reader.core.sync.engine import OnResult, SyncEngine

if TYPE_CHECKING:
    import sqlite3

    from reader.core._refresh.host import RefreshHost


# The cause of a failed sync, in the words the CLI and the reader show.
CAUSES = {
    "auth": "login refused",
    "unreachable": "server unreachable",
    "server": "server error",
    "protocol": "unexpected answer from the server",
}


def explained(error: SyncError, what: str) -> SyncError:
    """The error as one line naming its cause: "sync failed (login refused): ..."."""
    return SyncError(error.kind, f"{what} ({CAUSES.get(error.kind, error.kind)}): {error}")


def has_account(db: sqlite3.Connection) -> bool:
    return _sync.get_state(db, "account") is not None


def refuse_unfetchable(url: str, normalized: str) -> None:
    """With a sync account the server fetches every feed: it cannot fetch a
    local file or a sample, which would stay empty for good."""
    if not normalized.startswith(("http://", "https://")):
        raise BroadsheetError(
            f"{url}: with a sync account the server fetches the feeds, and it can "
            "only fetch web addresses (http or https)"
        )


def sync_library(
    host: RefreshHost, on_result: OnResult | None = None, wait: float = 0.0
) -> RefreshSummary:
    """One sync of the library's account, under its refresh lock (waiting up to
    ``wait`` seconds for a refresh or sync already running)."""
    lock = host.refresh_lock(wait)
    lock.acquire()
    try:
        return _sync_locked(host, on_result)
    finally:
        lock.release()


def _sync_locked(host: RefreshHost, on_result: OnResult | None) -> RefreshSummary:
    db = host.db.connection()
    account = accounts.load(host.data_dir)
    backend = accounts.connect(account)
    try:
        summary = SyncEngine(host, backend).run(on_result)
    except SyncError as error:
        said = explained(error, "sync failed")
        _sync.set_state(db, {"last_error": str(said)})
        raise said from error
    finally:
        token = getattr(backend, "token", None)
        if token and token != account.token:
            account.token = token
            accounts.save_secrets(host.data_dir, account)
        close = getattr(backend, "close", None)
        if close is not None:
            close()
    _sync.set_state(db, {"last_error": ""})
    return summary
