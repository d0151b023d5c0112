"""Tiny Tiny RSS's JSON API as a :class:`~reader.core.sync.backend.SyncBackend`.

Every call is one JSON POST to ``<base>/api/`` carrying the session id from
``login``; a session TT-RSS dropped (``NOT_LOGGED_IN``) is renewed once and the call
retried. Article and feed ids are TT-RSS's integers, as strings.

What the API cannot do, and what this backend does instead:

* **Rename**: the API has no call to set a feed's title, so a rename stays local:
  :meth:`TtrssBackend.rename` succeeds without contacting the server
  (``renames_on_server`` is False), so a queued rename never blocks the queue.
* **Create a category**: ``subscribeToFeed`` takes a category *id*, so a folder that
  already exists on the server is used and any other subscribes uncategorised.
* **Changed since a time**: TT-RSS selects new articles by id (``since_id``), not by
  date. The backend's ``token`` (which the account file keeps) carries the highest
  article id of the last complete pull beside the session id, so the next sync asks
  only for newer ones. Without it ``items(since=...)`` reads every article the
  server keeps: slower, never wrong. The next pull asks again for the last
  ``CURSOR_OVERLAP`` ids below the cursor (see ``items``), so after a first sync cut
  to its newest articles (``[sync] initial_items``), the second may bring up to that
  many older ones.
* **Refused subscriptions** (a URL TT-RSS cannot fetch or finds no feed at) raise
  ``SyncError("rejected", ...)``: the engine drops that one queued change and says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from reader import __version__
from reader.core.sync.backend import RemoteFeed, RemoteItem, SyncError
from reader.core.sync.http import Client, HttpError, Response

PAGE_SIZE = 200  # TT-RSS's getHeadlines caps a page at 200 articles
CURSOR_OVERLAP = 50  # article ids below the cursor asked for again (see items)
IDS_PER_UPDATE = 200  # article ids per updateArticle call (one SQL IN list each)

# getHeadlines' virtual feeds and updateArticle's fields (TT-RSS API reference).
ALL_ARTICLES = -4
STARRED = -1
FIELD_STARRED = 0
FIELD_UNREAD = 2
ALL_REAL_FEEDS = -3  # getFeeds: every real feed, no virtual ones

_SUBSCRIBE_FAILURES = {
    2: "is not a valid URL",
    3: "has no feed TT-RSS can find",
    4: "offers several feeds: give one of them",
    5: "could not be downloaded by the server",
}


def connect(url: str, user: str, password: str, token: str | None = None) -> TtrssBackend:
    """The backend for an account (what ``reader.core.sync.accounts`` calls)."""
    return TtrssBackend(url, user, password, token=token)


def api_url(url: str) -> str:
    """The API endpoint for what a user gives: TT-RSS's own URL, or its ``/api/``."""
    base = url.strip().rstrip("/")
    if not base.startswith(("http://", "https://")):
        base = "https://" + base
    return base + "/" if base.endswith("/api") else base + "/api/"


class TtrssBackend:
    """One TT-RSS account. Methods raise :class:`SyncError` only."""

    renames_on_server = False

    def __init__(
        self,
        url: str,
        user: str,
        password: str,
        *,
        token: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.url = api_url(url)
        self._user = user
        self._password = password
        self._sid, self._cursor = _parse_token(token)
        self._listed: set[str] | None = None  # feed ids the last subscriptions() gave
        self._http = Client(
            timeout=timeout,
            follow_redirects=False,  # a moved API is said, with the URL to give instead
            headers={"User-Agent": f"Broadsheet/{__version__}"},
        )

    @property
    def token(self) -> str | None:
        """What the account file keeps between syncs: the session id (no login next
        time while TT-RSS keeps it) and the cursor."""
        if self._sid is None and self._cursor is None:
            return None
        return f"{self._sid or ''} {'' if self._cursor is None else self._cursor}".strip()

    @property
    def cursor(self) -> int | None:
        """The highest article id of the last complete ``items`` pull."""
        return self._cursor

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> TtrssBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the protocol -----------------------------------------------------------------

    def login(self) -> None:
        content = self._post({"op": "login", "user": self._user, "password": self._password})
        sid = content.get("session_id") if isinstance(content, dict) else None
        if not isinstance(sid, str) or not sid:
            raise SyncError("protocol", f"TT-RSS at {self.url} answered login without a session id")
        self._sid = sid

    def subscriptions(self) -> list[RemoteFeed]:
        categories = self._category_titles()
        feeds = [
            _remote_feed(raw, categories)
            for raw in self._call_list("getFeeds", cat_id=ALL_REAL_FEEDS)
        ]
        self._listed = {feed.id for feed in feeds}
        return feeds

    def items(self, *, since: float | None, limit: int | None = None) -> Iterator[list[RemoteItem]]:
        """Newest first. With ``since`` and a cursor, only articles above the cursor
        (less an overlap: ids are handed out before their transactions commit, so a
        lower id can appear after a higher one); otherwise every article. The cursor
        moves only once the caller has taken every page, so a pull that dies half way
        is done again in full next time; and never past an article of a feed that
        ``subscriptions`` did not list (subscribed on the server meanwhile: the caller
        could not place it, so the next pull brings it again)."""
        since_id = 0
        if since is not None and self._cursor is not None:
            since_id = max(0, self._cursor - CURSOR_OVERLAP)
        highest, unplaced = self._cursor or 0, None
        remaining = limit
        for page in self._headline_pages(
            ALL_ARTICLES, "all_articles", content=True, since_id=since_id
        ):
            highest = max([highest, *(_int(raw.get("id"), "article id") for raw in page)])
            items = [_remote_item(raw) for raw in page if _subscribed(raw)]
            for item in items:
                if self._listed is not None and item.feed_id not in self._listed:
                    unplaced = min(int(item.id), unplaced or int(item.id))
            if remaining is not None:
                items = items[:remaining]
                remaining -= len(items)
            if items:
                yield items
            if remaining is not None and remaining <= 0:
                break  # the older ones are skipped on purpose: the cursor moves past them
        self._cursor = highest if unplaced is None else min(highest, unplaced - 1)

    def items_by_id(self, ids: Sequence[str]) -> Iterator[list[RemoteItem]]:
        """Articles by id, with their content (starred ones the library lacks)."""
        numbers = [str(_int(item_id, "article id")) for item_id in ids]
        for start in range(0, len(numbers), IDS_PER_UPDATE):
            chunk = ",".join(numbers[start : start + IDS_PER_UPDATE])
            articles = self._call_list("getArticle", article_id=chunk)
            items = [
                _remote_item(raw) for raw in articles if isinstance(raw, dict) and _subscribed(raw)
            ]
            if items:
                yield items

    def unread_ids(self) -> set[str]:
        return self._headline_ids(ALL_ARTICLES, "unread")

    def starred_ids(self) -> set[str]:
        return self._headline_ids(STARRED, "all_articles")

    def mark_read(self, item_ids: Sequence[str], read: bool) -> None:
        self._update_articles(item_ids, FIELD_UNREAD, not read)

    def mark_starred(self, item_ids: Sequence[str], starred: bool) -> None:
        self._update_articles(item_ids, FIELD_STARRED, starred)

    def subscribe(
        self, url: str, *, title: str | None = None, folder: str | None = None
    ) -> RemoteFeed:
        """Subscribe (TT-RSS fetches the feed now). ``title`` stays local: the API
        cannot set one; TT-RSS takes the feed's own."""
        category = self._category_id(folder) if folder else 0
        content = self.call("subscribeToFeed", feed_url=url, category_id=category)
        status = content.get("status") if isinstance(content, dict) else None
        if not isinstance(status, dict):
            raise SyncError(
                "protocol", f"TT-RSS answered subscribeToFeed without a status for {url}"
            )
        code = status.get("code")
        if code not in (0, 1):  # 0: already subscribed, 1: subscribed
            reason = _SUBSCRIBE_FAILURES.get(
                code if isinstance(code, int) else -1, f"was refused (code {code})"
            )
            detail = f" ({status['message']})" if status.get("message") else ""
            raise SyncError("rejected", f"TT-RSS: {url} {reason}{detail}")
        feed_id = str(status.get("feed_id", ""))
        for feed in self.subscriptions():
            if feed.id == feed_id or (not feed_id and feed.url == url):
                return feed
        raise SyncError("protocol", f"TT-RSS subscribed to {url} but does not list it")

    def unsubscribe(self, feed_id: str) -> None:
        """Idempotent: a feed the server no longer has counts as unsubscribed."""
        try:
            self.call("unsubscribeFeed", feed_id=_int(feed_id, "feed id"))
        except SyncError as error:
            if error.kind != "server" or "FEED_NOT_FOUND" not in str(error):
                raise

    def rename(self, feed_id: str, title: str) -> None:
        """Kept local: TT-RSS's API has no call that sets a feed's title."""

    # --- helpers over the API ----------------------------------------------------------

    def call(self, op: str, **params: Any) -> Any:
        """One API call with the session; renews a session TT-RSS dropped, once."""
        if self._sid is None:
            self.login()
        for attempt in (1, 2):
            try:
                return self._post({"op": op, "sid": self._sid, **params})
            except _NotLoggedIn:
                if attempt == 2:
                    break
                self.login()
        raise SyncError("auth", f"TT-RSS at {self.url} keeps dropping the session")

    def _call_list(self, op: str, **params: Any) -> list[Any]:
        content = self.call(op, **params)
        if not isinstance(content, list):
            raise SyncError(
                "protocol", f"TT-RSS at {self.url} answered {op} with something that is not a list"
            )
        return content

    def _post(self, body: Mapping[str, Any]) -> Any:
        op = body.get("op")
        try:
            response = self._http.request(
                "POST",
                self.url,
                content=json.dumps(body).encode(),
                headers={"Content-Type": "application/json"},
            )
        except HttpError as error:  # no answer, or one cut short: the server is not there
            raise SyncError("unreachable", f"cannot reach TT-RSS at {self.url}: {error}") from error
        _check_status(response, self.url)
        try:
            reply = json.loads(response.text)
        except ValueError as error:
            raise SyncError(
                "protocol", f"TT-RSS at {self.url} answered {op} with something that is not JSON"
            ) from error
        if not isinstance(reply, dict) or "status" not in reply:
            raise SyncError("protocol", f"TT-RSS at {self.url} answered {op} without a status")
        content = reply.get("content")
        if reply["status"] != 0:
            raise _api_error(content, op, self.url)
        return content

    def _headline_pages(
        self, feed_id: int, view_mode: str, *, content: bool, since_id: int = 0
    ) -> Iterator[list[dict[str, Any]]]:
        skip = 0
        while True:
            page = self._call_list(
                "getHeadlines",
                feed_id=feed_id,
                view_mode=view_mode,
                show_content=content,
                limit=PAGE_SIZE,
                skip=skip,
                since_id=since_id,
            )
            if not all(isinstance(raw, dict) for raw in page):
                raise SyncError(
                    "protocol", f"TT-RSS at {self.url} sent an article that is not an object"
                )
            if page:
                yield page
            if len(page) < PAGE_SIZE:
                return
            skip += len(page)

    def _headline_ids(self, feed_id: int, view_mode: str) -> set[str]:
        return {
            str(_int(raw.get("id"), "article id"))
            for page in self._headline_pages(feed_id, view_mode, content=False)
            for raw in page
        }

    def _update_articles(self, item_ids: Sequence[str], field: int, value: bool) -> None:
        ids = [str(_int(item_id, "article id")) for item_id in item_ids]
        for start in range(0, len(ids), IDS_PER_UPDATE):
            chunk = ids[start : start + IDS_PER_UPDATE]
            self.call("updateArticle", article_ids=",".join(chunk), mode=int(value), field=field)

    def _category_titles(self) -> dict[int, str]:
        categories = self._call_list("getCategories", include_empty=True)
        return {
            _int(cat.get("id"), "category id"): str(cat.get("title") or "")
            for cat in categories
            if isinstance(cat, dict)
        }

    def _category_id(self, folder: str) -> int:
        wanted = folder.strip().casefold()
        for cat_id, title in self._category_titles().items():
            if cat_id > 0 and title.strip().casefold() == wanted:
                return cat_id
        return 0


class _NotLoggedIn(SyncError):
    def __init__(self) -> None:
        super().__init__("auth", "TT-RSS session expired")


def _api_error(content: Any, op: object, url: str) -> SyncError:
    code = content.get("error") if isinstance(content, dict) else None
    if code == "NOT_LOGGED_IN":
        return _NotLoggedIn()
    if code == "LOGIN_ERROR":
        return SyncError("auth", f"TT-RSS at {url} refused the user name or password")
    if code == "API_DISABLED":
        return SyncError(
            "auth",
            f"API access is off for this user on {url}: turn on 'Enable API' in TT-RSS's preferences",
        )
    if code in ("INCORRECT_USAGE", "UNKNOWN_METHOD"):
        return SyncError("protocol", f"TT-RSS at {url} rejected {op}: {code}")
    return SyncError("server", f"TT-RSS at {url} failed {op}: {code or 'unknown error'}")


def _check_status(response: Response, url: str) -> None:
    status = response.status
    if status == 200:
        return
    if status in (401, 403):
        raise SyncError("auth", f"TT-RSS at {url} refused access (HTTP {status})")
    if status >= 500:
        raise SyncError("server", f"TT-RSS at {url} failed (HTTP {status})")
    if 300 <= status < 400:
        where = response.headers.get("location", "elsewhere")
        raise SyncError("protocol", f"{url} redirects to {where}: give that URL instead")
    raise SyncError("protocol", f"no TT-RSS API at {url} (HTTP {status})")


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise SyncError("protocol", f"TT-RSS sent a {what} that is not a number: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise SyncError("protocol", f"not a TT-RSS {what}: {value!r}")


def _remote_feed(raw: Any, categories: Mapping[int, str]) -> RemoteFeed:
    if not isinstance(raw, dict):
        raise SyncError("protocol", "TT-RSS sent a feed that is not an object")
    cat_id = _int(raw.get("cat_id") or 0, "category id")
    folder = categories.get(cat_id) if cat_id > 0 else None
    return RemoteFeed(
        id=str(_int(raw.get("id"), "feed id")),
        url=str(raw.get("feed_url") or ""),
        title=str(raw.get("title") or ""),
        folders=(folder,) if folder else (),
    )


def _remote_item(raw: dict[str, Any]) -> RemoteItem:
    updated = raw.get("updated")
    stamp = (
        float(updated)
        if isinstance(updated, int | float) and not isinstance(updated, bool) and updated > 0
        else None
    )
    tags = raw.get("tags")
    return RemoteItem(
        id=str(_int(raw.get("id"), "article id")),
        feed_id=str(_int(raw.get("feed_id"), "feed id")),
        title=str(raw.get("title") or ""),
        link=_text(raw.get("link")),
        author=_text(raw.get("author")),
        published=stamp,
        content_html=str(raw.get("content") or ""),
        read=not bool(raw.get("unread")),
        starred=bool(raw.get("marked")),
        updated=stamp,
        categories=tuple(str(tag) for tag in tags if tag) if isinstance(tags, list) else (),
    )


def _parse_token(token: str | None) -> tuple[str | None, int | None]:
    sid, _, cursor = (token or "").strip().partition(" ")
    return sid or None, int(cursor) if cursor.isdigit() else None


def _subscribed(raw: dict[str, Any]) -> bool:
    """Not an archived article (feed id 0 or none: starred in a feed since unsubscribed)."""
    return _int(raw.get("feed_id") or 0, "feed id") > 0


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
