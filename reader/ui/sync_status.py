"""The feed server account in one line, for the list header."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from reader.core.sanitize import clean_line
from reader.core.sync.accounts import AccountStatus


def sync_host(status: AccountStatus | None) -> str:
    """The feed server's host name, as the reader names it; "" without an account."""
    if status is None:
        return ""
    return clean_line(urlsplit(status.url).hostname or status.url, limit=40)


def sync_line(status: AccountStatus | None) -> str:
    """ "synced with rss.example.org 14:05 · 2 pending", or "" without an account.
    A failed sync is told by a notification when it happens; this line keeps saying so."""
    if status is None:
        return ""
    when = "never"
    if status.last_sync:
        when = time.strftime("%H:%M", time.localtime(status.last_sync))
    line = f"synced with {sync_host(status)} {when}"
    if status.pending:
        line += f" · {status.pending} pending"
    if status.last_error:
        line += " · last sync failed"
    return line
