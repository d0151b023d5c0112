"""A small blocking HTTP client for the sync protocols, on the standard library.

A sync that finds nothing new is a handful of requests; importing httpx and its
transport costs about 0.1 s, a fifth of the whole command. This client does what the
sync needs and no more: one kept-alive connection per origin, redirects (at most
``MAX_REDIRECTS``; the Authorization header is not sent to another origin), a timeout
on every socket operation, gzip bodies, TLS verified against the system's certificates
(and certifi's, when installed), and the ``http_proxy`` / ``https_proxy`` /
``no_proxy`` variables httpx honoured.

Errors are :class:`HttpError` with a ``kind``: ``unreachable`` (no connection, a
timeout) or ``cut_short`` (the answer ended early or was not HTTP).
"""

from __future__ import annotations

import base64
import http.client
import os
import zlib
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote, unquote, urlencode, urljoin, urlsplit

if TYPE_CHECKING:
    import ssl

MAX_REDIRECTS = 5
USER_AGENT = "Broadsheet (feed sync)"
# A request a kept-alive connection failed before any answer is sent again once, on a
# new connection: the server may have closed it while idle (every sync call is
# idempotent, so sending one twice is harmless).
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class HttpError(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind  # "unreachable" or "cut_short"


# A NamedTuple, not a dataclass: made ~10 times faster when the module is imported,
# which every sync's start-up pays (see benchmarks/README.md, sync).
class Response(NamedTuple):
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    url: str

    @property
    def text(self) -> str:
        kind = self.headers.get("content-type", "")
        charset = next(
            (part.split("=", 1)[1].strip(" \"'") for part in kind.split(";") if "charset=" in part),
            "utf-8",
        )
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


# Kept as they are in a request line (with letters, digits and "-._"); "%" too, so an
# escape already made is not made twice. The rest (letters outside ASCII) is escaped.
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~"


class Client:
    def __init__(
        self,
        *,
        timeout: float = 30.0,
        follow_redirects: bool = True,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.timeout = timeout
        self.follow_redirects = follow_redirects
        self.headers = headers or {}  # sent with every request
        self._connections: dict[tuple[str, str, int], http.client.HTTPConnection] = {}
        self._tls: ssl.SSLContext | None = None

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params, doseq=True)
        sent = {**self.headers, **(headers or {})}
        for _ in range(MAX_REDIRECTS + 1):
            response = self._once(method, url, content, sent)
            location = response.headers.get("location")
            redirect = response.status in (301, 302, 303, 307, 308) and location
            if not redirect or not self.follow_redirects:
                return response
            target = urljoin(url, location)
            if _origin(target) != _origin(url):
                sent.pop("Authorization", None)
            if response.status in (301, 302, 303) and method != "GET":
                method, content = "GET", None
                sent.pop("Content-Type", None)
            url = target
        raise HttpError("unreachable", f"more than {MAX_REDIRECTS} redirects from {url}")

    def _once(
        self, method: str, url: str, content: bytes | None, headers: dict[str, str]
    ) -> Response:
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:  # "host:80x"
            port = -1
        if parts.scheme not in ("http", "https") or not parts.hostname or port == -1:
            raise HttpError("unreachable", f"not an http(s) URL: {url}")
        if any(char.isspace() or not char.isprintable() for char in url):
            raise HttpError(
                "unreachable", f"not a valid URL (a space or control character in it): {url!r}"
            )
        key = (parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80))
        proxy = _proxy_for(parts.scheme, parts.hostname)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if proxy is not None and parts.scheme == "http":
            path = url.split("#", 1)[0]  # a plain http proxy takes the whole URL
        path = quote(path, safe=_URL_SAFE)  # letters outside ASCII, as UTF-8 escapes
        sent = {
            "Host": parts.netloc.rsplit("@", 1)[-1],
            "User-Agent": USER_AGENT,
            "Accept-Encoding": "gzip",
            **headers,
        }
        if proxy is not None and proxy.username is not None and parts.scheme == "http":
            sent["Proxy-Authorization"] = _basic(proxy.username, proxy.password)
        for attempt in (1, 2):
            reused = key in self._connections
            connection = self._connection(key, proxy)
            try:
                connection.request(method, path, body=content, headers=sent)
                answer = connection.getresponse()
                body = answer.read()
            except _STALE as error:
                self._drop(key)
                if reused and attempt == 1:
                    continue
                raise HttpError(
                    "cut_short", f"the server closed the connection ({error})"
                ) from None
            except TimeoutError:
                self._drop(key)
                raise HttpError("unreachable", f"no answer within {self.timeout:g} s") from None
            except http.client.HTTPException as error:
                self._drop(key)
                raise HttpError("cut_short", _describe(error)) from None
            except OSError as error:
                self._drop(key)
                raise HttpError("unreachable", error.strerror or str(error)) from None
            if answer.will_close:
                self._drop(key)
            names = {name.lower(): value for name, value in answer.getheaders()}
            return Response(answer.status, names, _decoded(body, names), url)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _connection(self, key: tuple[str, str, int], proxy: Any) -> http.client.HTTPConnection:
        connection = self._connections.get(key)
        if connection is not None:
            return connection
        scheme, host, port = key
        target_host, target_port = host, port
        if proxy is not None:
            target_host = proxy.hostname or host
            target_port = proxy.port or (443 if proxy.scheme == "https" else 80)
        if scheme == "https":
            connection = http.client.HTTPSConnection(
                target_host, target_port, timeout=self.timeout, context=self._tls_context()
            )
            if proxy is not None:
                tunnel = {}
                if proxy.username is not None:
                    tunnel["Proxy-Authorization"] = _basic(proxy.username, proxy.password)
                connection.set_tunnel(host, port, headers=tunnel)
        else:
            connection = http.client.HTTPConnection(target_host, target_port, timeout=self.timeout)
        self._connections[key] = connection
        return connection

    def _drop(self, key: tuple[str, str, int]) -> None:
        connection = self._connections.pop(key, None)
        if connection is not None:
            connection.close()

    def _tls_context(self) -> ssl.SSLContext:
        """Made on the first https request: loading certificates takes ~0.1 s, which a
        server on plain http (a home server, the tests) never pays."""
        if self._tls is None:
            import ssl

            context = ssl.create_default_context()  # the system's store, SSL_CERT_FILE
            try:
                import certifi
            except ImportError:
                pass
            else:
                context.load_verify_locations(certifi.where())
            self._tls = context
        return self._tls


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


def _proxy_for(scheme: str, host: str) -> Any:
    """The proxy the environment names for this scheme and host, or None."""
    names = (f"{scheme}_proxy", f"{scheme.upper()}_PROXY", "all_proxy", "ALL_PROXY")
    address = next((os.environ[name] for name in names if os.environ.get(name)), None)
    if not address or _bypassed(host):
        return None
    parts = urlsplit(address if "://" in address else f"http://{address}")
    return parts if parts.hostname else None


def _bypassed(host: str) -> bool:
    """``no_proxy`` names the host (or a domain of it), or the host is this machine's
    own: no proxy can reach a server on loopback."""
    host = host.lower()
    if host in ("localhost", "::1") or host.startswith("127."):
        return True
    listed = os.environ.get("no_proxy") or os.environ.get("NO_PROXY") or ""
    for entry in (item.strip().lower().lstrip(".") for item in listed.split(",")):
        if entry == "*" or (entry and (host == entry or host.endswith("." + entry))):
            return True
    return False


def _basic(user: str, password: str | None) -> str:
    pair = f"{unquote(user)}:{unquote(password or '')}".encode()
    return "Basic " + base64.b64encode(pair).decode()


def _decoded(body: bytes, headers: dict[str, str]) -> bytes:
    if headers.get("content-encoding", "").lower() not in ("gzip", "x-gzip"):
        return body
    try:
        return zlib.decompress(body, 16 + zlib.MAX_WBITS)
    except zlib.error:
        raise HttpError("cut_short", "the server's compressed answer is damaged") from None


def _describe(error: http.client.HTTPException) -> str:
    if isinstance(error, http.client.IncompleteRead):
        return f"the answer ended after {len(error.partial)} bytes"
    return f"{type(error).__name__}: {error}"


__all__ = ["Client", "HttpError", "Response"]
