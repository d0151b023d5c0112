"""The Google Reader API (FreshRSS, Miniflux, Inoreader, The Old Reader, BazQux...).

Give the API root: FreshRSS ``https://host/api/greader.php``, Miniflux
``https://host/``. What this client relies on, as real servers behave:

- ``accounts/ClientLogin`` answers ``Auth=<token>`` (text); every call sends
  ``Authorization: GoogleLogin auth=<token>``; a 401 means log in again (once).
- Writes (POST) carry the T token from ``reader/api/0/token`` (trimmed: FreshRSS pads
  it and ends it with a newline); a 401 on a write fetches a new T once, then logs in.
- Item ids come in two forms of one 64-bit number: decimal (``itemRefs``) and
  ``tag:google.com,2005:reader/item/<16 hex>`` (items); both are normalised to the
  long form.
- Times: ``published`` and ``updated`` are seconds, ``crawlTimeMsec`` milliseconds,
  ``timestampUsec`` microseconds; ``ot=`` (since) is seconds of crawl time.
- Lists page with ``continuation`` / ``c=`` until a response has none.
- Miniflux has no ``stream/contents`` (it answers ``[]``): new items are found by
  listing the reading list's ids and fetched by id (see ``_items_by_ids``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlencode

from reader.core.sync.backend import RemoteFeed, RemoteItem, SyncError
from reader.core.sync.http import Client, HttpError, Response

API = "/reader/api/0"
READING_LIST = "user/-/state/com.google/reading-list"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
LABEL = "user/-/label/"
LONG_ID = "tag:google.com,2005:reader/item/"
IDS_PER_WRITE = 250  # ids per edit-tag / items/contents call
IDS_PAGE = 10_000  # one page of stream/items/ids covers most libraries
# FreshRSS writes &, < and > in titles as their full-width forms.
_FULL_WIDTH = str.maketrans({"\uff06": "&", "\uff1c": "<", "\uff1e": ">"})


def long_item_id(raw: object) -> str:
    """Either id form (decimal, long, or bare 16 hex digits) as the long form."""
    text = str(raw).strip()
    if text.startswith(LONG_ID):
        text = text[len(LONG_ID) :]
        base = 16
    elif text.isdigit():  # the usual case (itemRefs): decimal
        return f"{LONG_ID}{int(text) & 0xFFFF_FFFF_FFFF_FFFF:016x}"
    elif text.lstrip("-").isdigit():
        base = 10
    else:
        base = 16
    try:
        number = int(text, base) & 0xFFFF_FFFF_FFFF_FFFF  # negative decimals wrap (64-bit)
    except ValueError:
        raise SyncError(
            "protocol", f"the server sent an item id that is not one: {text[:40]!r}"
        ) from None
    return f"{LONG_ID}{number:016x}"


def seconds(value: object) -> float | None:
    """A timestamp in seconds, milliseconds or microseconds, as seconds."""
    try:
        number = float(str(value))
    except ValueError:
        return None
    if number > 1e14:
        return number / 1e6
    if number > 1e11:
        return number / 1e3
    return number if number > 0 else None


class GReaderBackend:
    def __init__(
        self,
        url: str,
        user: str,
        password: str,
        *,
        token: str | None = None,
        timeout: float = 30.0,
        page_size: int = 1000,
    ) -> None:
        self.base = url.rstrip("/")
        self.user = user
        self.password = password
        # The account file keeps "<auth token> <id cursor>" (the cursor: see _items_by_ids).
        auth, _, cursor = (token or "").rpartition(" ")
        self.auth_token = (auth if cursor.isdigit() else token) or None
        self.id_cursor = int(cursor) if auth and cursor.isdigit() else None
        self.page_size = page_size
        self.server_time: float | None = None
        self._write_token: str | None = None
        self._client = Client(timeout=timeout)

    @property
    def token(self) -> str | None:
        if self.auth_token is None or self.id_cursor is None:
            return self.auth_token
        return f"{self.auth_token} {self.id_cursor}"

    def close(self) -> None:
        self._client.close()

    # -- transport ------------------------------------------------------------------

    def _send(self, method: str, path: str, **kwargs: Any) -> Response:
        try:
            response = self._client.request(method, self.base + path, **kwargs)
        except HttpError as error:
            if error.kind == "cut_short":
                raise SyncError(
                    "protocol", f"the server's answer was cut short ({error})"
                ) from error
            raise SyncError("unreachable", f"cannot reach {self.base}: {error}") from error
        if response.status >= 500:
            raise SyncError("server", f"the server failed (HTTP {response.status})")
        return response

    def login(self) -> None:
        response = self._send(
            "POST",
            "/accounts/ClientLogin",
            content=urlencode({"Email": self.user, "Passwd": self.password}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        if response.status in (401, 403):
            raise SyncError("auth", "the server refused the user name or API password")
        if response.status not in (400, 404, 405):  # those: no ClientLogin at this URL
            _refuse_status(response, "login")
            for line in response.text.splitlines():
                if line.startswith("Auth=") and line[len("Auth=") :].strip():
                    self.auth_token = line[len("Auth=") :].strip()
                    self._write_token = None
                    return
        raise SyncError(
            "protocol",
            f"no Google Reader API answers at {self.base} (login: HTTP {response.status}); "
            "give the API's root: FreshRSS https://host/api/greader.php, Miniflux https://host/",
        )

    def _call(self, method: str, path: str, *, params: Any = None, data: Any = None) -> Response:
        """An API call, logging in first if needed and once more after a 401; writes
        carry the T token, fetched again once when the server says it expired."""
        if self.auth_token is None:
            self.login()
        write = method == "POST"
        retries = ["new T", "login"] if write else ["login"]
        while True:
            headers = self._auth()
            body = None
            if write:  # encoded here: repeated names (i=...&i=...) in their order
                body = urlencode([*(data or []), ("T", self._t_token())]).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            response = self._send(method, API + path, params=params, content=body, headers=headers)
            if response.status != 401:
                return response
            if not retries:
                raise SyncError("auth", "the server no longer accepts this account's login")
            step = retries.pop(0)
            self._write_token = None
            if step == "login":
                self.login()

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"GoogleLogin auth={self.auth_token}"}

    def _t_token(self) -> str:
        if self._write_token is None:
            response = self._send("GET", API + "/token", headers=self._auth())
            if response.status == 401:
                self.login()
                response = self._send("GET", API + "/token", headers=self._auth())
                if response.status == 401:
                    raise SyncError("auth", "the server refused a write token")
            _refuse_status(response, "token")
            self._write_token = response.text.strip()
        return self._write_token

    def _json(self, response: Response, what: str) -> dict[str, Any]:
        _refuse_status(response, what)
        try:
            data = json.loads(response.text)
        except ValueError:
            raise SyncError(
                "protocol", f"the server's answer to {what} is not valid JSON"
            ) from None
        if not isinstance(data, dict):
            raise SyncError("protocol", f"the server's answer to {what} is not a JSON object")
        return data

    def _get_json(self, path: str, params: Any, what: str) -> dict[str, Any]:
        return self._json(self._call("GET", path, params=params), what)

    def _post_ok(self, path: str, data: list[tuple[str, str]], what: str) -> None:
        response = self._call("POST", path, data=data)
        _refuse_status(response, what)

    # -- subscriptions ------------------------------------------------------------------

    def subscriptions(self) -> list[RemoteFeed]:
        data = self._get_json("/subscription/list", {"output": "json"}, "subscription/list")
        feeds = []
        for entry in _list(data, "subscriptions"):
            try:
                feeds.append(
                    RemoteFeed(
                        id=str(entry["id"]),
                        url=str(entry["url"]),
                        title=_title(entry.get("title")) or str(entry["url"]),
                        site_url=entry.get("htmlUrl") or None,
                        folders=tuple(
                            str(category.get("label") or category["id"].removeprefix(LABEL))
                            for category in entry.get("categories") or []
                        ),
                    )
                )
            except (KeyError, TypeError, AttributeError):
                raise SyncError(
                    "protocol", "the server listed a subscription without id or URL"
                ) from None
        return feeds

    def subscribe(
        self, url: str, *, title: str | None = None, folder: str | None = None
    ) -> RemoteFeed:
        response = self._call("POST", "/subscription/quickadd", data=[("quickadd", url)])
        data = self._json(response, "quickadd")
        if not data.get("numResults"):
            error = str(data.get("error") or "no reason given")
            existing = next((feed for feed in self.subscriptions() if feed.url == url), None)
            if existing is None:
                raise SyncError("rejected", f"{url}: {error}")
            feed_id, name = existing.id, existing.title
        else:
            feed_id, name = str(data.get("streamId")), _title(data.get("streamName")) or url
        edits = [("t", title)] if title else []
        if folder:
            edits.append(("a", LABEL + folder))
        if edits:
            self._post_ok(
                "/subscription/edit", [("ac", "edit"), ("s", feed_id), *edits], "subscription/edit"
            )
        return RemoteFeed(
            id=feed_id, url=url, title=title or name, folders=(folder,) if folder else ()
        )

    def unsubscribe(self, feed_id: str) -> None:
        response = self._call(
            "POST", "/subscription/edit", data=[("ac", "unsubscribe"), ("s", feed_id)]
        )
        if response.status == 400 and all(f.id != feed_id for f in self.subscriptions()):
            return  # gone already: unsubscribing twice is done
        _refuse_status(response, "unsubscribe")

    def rename(self, feed_id: str, title: str) -> None:
        self._post_ok(
            "/subscription/edit", [("ac", "edit"), ("s", feed_id), ("t", title)], "rename"
        )

    # -- items ----------------------------------------------------------------------

    def items(self, *, since: float | None, limit: int | None = None) -> Iterator[list[RemoteItem]]:
        """The reading list, newest crawl first, page by page. No read-state filter: a
        filtered listing can skip an item whose state changes between pages."""
        params: dict[str, Any] = {"n": self.page_size, "r": "n"}
        if since is not None:
            params["ot"] = int(since)
        taken, first = 0, True
        while True:
            if limit is not None:
                params["n"] = min(self.page_size, limit - taken)
            response = self._call("GET", f"/stream/contents/{READING_LIST}", params=params)
            if first and _lacks_endpoint(response):
                yield from self._items_by_ids(since, limit)
                return
            data = self._json(response, "stream/contents")
            if first:
                self.server_time = seconds(data.get("updated")) or self.server_time
                first = False
            page = [_item(raw) for raw in _list(data, "items")][: params["n"]]
            if page:
                yield page
            taken += len(page)
            continuation = data.get("continuation")
            if not continuation or (limit is not None and taken >= limit):
                return
            params["c"] = _next_page(params.get("c"), continuation)

    def _items_by_ids(self, since: float | None, limit: int | None) -> Iterator[list[RemoteItem]]:
        """New items without stream/contents (Miniflux). Its ``ot=`` compares published
        dates, which would miss an item stored after the last sync with an older date;
        so every id is listed (as reconcile lists the unread ones) and those above the
        highest id of the last sync are new: servers number items as they store them."""
        listed = self._ids({"s": READING_LIST})
        numbers = [int(item_id[len(LONG_ID) :], 16) for item_id in listed]
        cursor = self.id_cursor if since is not None else None
        new = [i for i, n in zip(listed, numbers, strict=True) if cursor is None or n > cursor]
        yield from self.items_by_id(new[:limit] if limit is not None else new)
        # Only once every page is stored: a sync cut short lists the same ids again.
        self.id_cursor = max([*numbers, cursor or 0])

    def items_by_id(self, item_ids: Sequence[str]) -> Iterator[list[RemoteItem]]:
        for start in range(0, len(item_ids), IDS_PER_WRITE):
            chunk = item_ids[start : start + IDS_PER_WRITE]
            response = self._call(
                "POST", "/stream/items/contents", data=[("i", item_id) for item_id in chunk]
            )
            yield [_item(raw) for raw in _list(self._json(response, "items/contents"), "items")]

    def _ids(self, params: dict[str, Any]) -> list[str]:
        """The stream's ids in the server's order, each once."""
        params = {**params, "n": IDS_PAGE}
        found: dict[str, None] = {}
        while True:
            data = self._get_json("/stream/items/ids", params, "stream/items/ids")
            references = _list(data, "itemRefs")
            raws = [ref.get("id") if isinstance(ref, dict) else None for ref in references]
            if None in raws:
                raise SyncError("protocol", "the server listed an item reference without id")
            found.update(dict.fromkeys(_long_ids(raws)))
            continuation = data.get("continuation")
            if not continuation:
                return list(found)
            params["c"] = _next_page(params.get("c"), continuation)

    def unread_ids(self) -> set[str]:
        return set(self._ids({"s": READING_LIST, "xt": READ}))

    def starred_ids(self) -> set[str]:
        return set(self._ids({"s": STARRED}))

    def mark_read(self, item_ids: Sequence[str], read: bool) -> None:
        self._edit_tag(item_ids, READ, read)

    def mark_starred(self, item_ids: Sequence[str], starred: bool) -> None:
        self._edit_tag(item_ids, STARRED, starred)

    def _edit_tag(self, item_ids: Sequence[str], tag: str, add: bool) -> None:
        for start in range(0, len(item_ids), IDS_PER_WRITE):
            chunk = item_ids[start : start + IDS_PER_WRITE]
            form = [("i", item_id) for item_id in chunk] + [("a" if add else "r", tag)]
            self._post_ok("/edit-tag", form, "edit-tag")


def connect(url: str, user: str, password: str, *, token: str | None = None) -> GReaderBackend:
    return GReaderBackend(url, user, password, token=token)


def _long_ids(raws: list[Any]) -> list[str]:
    """Item ids as the long form, 10,000 at a time: decimal strings (the usual form, at
    most 19 digits, below 2**63) are converted in one formatting pass, five times
    faster than one at a time; anything else goes through :func:`long_item_id`."""
    if all(type(raw) is str and raw.isdigit() and len(raw) <= 19 for raw in raws):
        numbers = tuple(map(int, raws))
        return [LONG_ID + digits for digits in ("%016x " * len(numbers) % numbers).split()]
    return [long_item_id(raw) for raw in raws]


def _next_page(current: object, continuation: object) -> str:
    """The next page's ``c=``; the same one again would page forever."""
    if str(continuation) == current:
        raise SyncError(
            "protocol", f"the server's continuation does not move ({str(continuation)[:40]!r})"
        )
    return str(continuation)


def _lacks_endpoint(response: Response) -> bool:
    """Miniflux answers an endpoint it does not have with 200 and ``[]``."""
    return response.status == 200 and response.text.strip() == "[]"


def _refuse_status(response: Response, what: str) -> None:
    if response.status == 401:
        raise SyncError("auth", "the server refused this account's login")
    if response.status >= 400:
        raise SyncError("server", f"the server refused {what} (HTTP {response.status})")


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise SyncError("protocol", f"the server's {key} is not a list")
    return value


def _title(value: object) -> str:
    return str(value or "").translate(_FULL_WIDTH)


def _href(raw: dict[str, Any]) -> str | None:
    for key in ("canonical", "alternate"):
        links = raw.get(key)
        if isinstance(links, list) and links and isinstance(links[0], dict):
            href = links[0].get("href")
            if href:
                return str(href)
    return None


def _item(raw: Any) -> RemoteItem:
    if not isinstance(raw, dict) or "id" not in raw:
        raise SyncError("protocol", "the server sent an item without an id")
    categories = [str(category) for category in raw.get("categories") or []]
    origin: dict[str, Any] = raw["origin"] if isinstance(raw.get("origin"), dict) else {}
    body = raw.get("content") or raw.get("summary") or {}
    content = body.get("content", "") if isinstance(body, dict) else ""
    return RemoteItem(
        id=long_item_id(raw["id"]),
        feed_id=str(origin.get("streamId") or ""),
        title=_title(raw.get("title")),
        link=_href(raw),
        author=str(raw["author"]) if raw.get("author") else None,
        published=seconds(raw.get("published")),
        content_html=str(content or ""),
        read=READ in categories,
        starred=STARRED in categories,
        updated=seconds(raw.get("updated")) if raw.get("updated") else None,
        categories=tuple(c for c in categories if not c.startswith(("user/", "feed/"))),
    )
