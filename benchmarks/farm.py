"""A synthetic feed farm: deterministic RSS feeds over many loopback addresses.

    python benchmarks/farm.py --feeds 200 --items 30 --latency 0.2

serves feed ``i`` at ``http://127.0.0.{2 + i % hosts}:PORT/feed/NNNN.xml`` from
one asyncio HTTP/1.1 server (keep-alive) listening on each of the ``hosts``
loopback addresses (Linux routes all of 127.0.0.0/8 to loopback), so clients'
per-host connection limits act as they would across real sites.

- Content is generated from ``--seed`` before the server starts (nothing is
  generated while a client is being measured): ~84 KB per feed at 30 items,
  each item a unique title, a short description and several paragraphs of
  HTML in ``content:encoded``. The same arguments give the same bytes, so the
  ETag and Last-Modified of a feed survive a restart of the farm.
- Every response (200, 304 or 404) waits ``--latency`` seconds before it is
  written; ``If-None-Match`` / ``If-Modified-Since`` give 304 Not Modified.
- ``/item/F/I`` serves a story page for each item (in case a client fetches
  full text); ``/_stats`` returns request counters as JSON (no latency) and
  ``/_reset`` zeroes them.

When listening it prints one JSON line (``{"ready": true, ...}``) on stdout.
It runs until terminated; run it in its own process, away from the client
being measured. ``feed_url``, ``feed_title``, ``item_title`` and
``item_token`` let a harness know what the farm serves without generating it.
"""

from __future__ import annotations

import argparse
import asyncio
import email.utils
import hashlib
import json
import random
import signal
import sys
import time
from dataclasses import dataclass, field
from html import escape

BASE_TIME = 1_793_491_200  # 2026-11-01 00:00:00 UTC: items are dated before it
ITEM_SPACING = 37  # seconds between consecutive items across the farm
DEFAULT_PORT = 8765
DEFAULT_HOSTS = 50


def _words(text: str) -> list[str]:
    return text.split()


WORDS = _words(
    """
the of and to in a is that for it as was with be by on not he this are or his from at which
but have an they you were her she there been one all we their has would when if so no will
more can out up other about what some them into only time new could its than first two may
then do any like my now over such our man me even most made after also did many before must
through back years where much your way well down should because each just those people how too
little state good very make world still own see men work long get here between both life being
under never day same another know while last might us great old year off come since against go
came right used take three council harbour river valley bridge market station railway ferry
school library museum hospital clinic farm orchard vineyard quarry mill factory workshop
archive theatre festival election budget tariff levy grant survey census report inquiry
committee minister mayor engineer surveyor teacher nurse baker fisher farmer miner weaver
printer editor reporter carpenter mason architect chemist botanist geologist astronomer
climate flood drought storm tide glacier forest meadow marsh coast island peninsula harbourside
lighthouse canal reservoir aqueduct turbine battery grid solar wind hydro tunnel viaduct
tramway bus cycle lane pavement square plaza boulevard avenue district borough parish county
province region border treaty accord summit delegation embassy charter statute ordinance
referendum ballot turnout coalition opposition majority minority amendment clause schedule
rebate subsidy dividend pension mortgage rent wage salary pricing inflation deficit surplus
export import cargo freight container warehouse depot dock pier wharf quay jetty slipway
regatta marathon derby tournament league fixture stadium pitch court track pool gymnasium
recipe kitchen harvest bakery brewery creamery cheese bread apple pear plum cherry barley wheat
oats rye hops grape olive saffron pepper ginger cinnamon vanilla cocoa coffee tea honey
telescope microscope satellite rocket probe orbit comet meteor eclipse nebula galaxy planet
algorithm database network server protocol compiler terminal keyboard screen printer scanner
sensor antenna receiver transmitter signal frequency bandwidth latency throughput cache
painting sculpture mural gallery exhibition concert symphony choir opera ballet poetry novel
quietly sharply slowly briskly openly narrowly widely firmly gently boldly plainly
approves rejects delays debates funds repairs restores expands closes opens reviews revises
northern southern eastern western coastal upland lowland rural urban civic municipal regional
ancient modern temporary permanent seasonal annual weekly nightly public private local national
amber cobalt crimson emerald ivory jade onyx scarlet silver umber violet
"""
)

PLACES = _words(
    """Ashford Brackenridge Caldermoor Dunmere Eskdale Fallowmere Glenhaven Harrowgate
Ivybridge Juniper Kestrel Larkspur Marrowby Netherfield Oakhollow Pennycross Quarrydale
Ravensworth Saltmarsh Thornbury Underwood Valemont Westerby Yarrowfield Zennor"""
)

PAPERS = _words("Ledger Gazette Courier Chronicle Herald Bulletin Dispatch Observer Record Post")

# Zipf-ish weights: a few very common words, a long tail of rare ones.
_WEIGHTS = [1.0 / (rank + 8) for rank in range(len(WORDS))]
_CUMULATIVE: list[float] = []
_total = 0.0
for _weight in _WEIGHTS:
    _total += _weight
    _CUMULATIVE.append(_total)


def host_of(feed: int, hosts: int = DEFAULT_HOSTS) -> str:
    return f"127.0.0.{2 + feed % hosts}"


def feed_url(feed: int, port: int = DEFAULT_PORT, hosts: int = DEFAULT_HOSTS) -> str:
    return f"http://{host_of(feed, hosts)}:{port}/feed/{feed:04d}.xml"


def item_url(feed: int, item: int, port: int = DEFAULT_PORT, hosts: int = DEFAULT_HOSTS) -> str:
    return f"http://{host_of(feed, hosts)}:{port}/item/{feed}/{item}"


def feed_title(feed: int) -> str:
    place = PLACES[feed % len(PLACES)]
    paper = PAPERS[(feed // len(PLACES)) % len(PAPERS)]
    return f"The {place} {paper} {feed:03d}"


def item_token(feed: int, item: int) -> str:
    """A word found only in this item's text (for "findable by search" checks)."""
    return f"zqf{feed}i{item}"


def item_title(feed: int, item: int, seed: int = 1) -> str:
    rng = random.Random(f"title:{seed}:{feed}:{item}")
    words = rng.choices(WORDS[160:], k=rng.randint(4, 7))
    headline = " ".join(words).capitalize()
    return f"{headline} [{feed:03d}-{item:03d}]"


def item_time(feed: int, item: int, feeds: int) -> int:
    """Item 0 of feed 0 is the newest item of the farm; then item 0 of feed 1, ..."""
    return BASE_TIME - (item * feeds + feed + 1) * ITEM_SPACING


_POOL_SIZE = 1 << 20
_pools: dict[int, list[str]] = {}


def _pool(seed: int) -> list[str]:
    """A long Zipf-distributed word stream; sentences are slices of it (fast to make)."""
    if seed not in _pools:
        rng = random.Random(f"pool:{seed}")
        _pools[seed] = rng.choices(WORDS, cum_weights=_CUMULATIVE, k=_POOL_SIZE)
    return _pools[seed]


def _sentences(rng: random.Random, count: int, seed: int = 1) -> list[str]:
    pool = _pool(seed)
    out = []
    for _ in range(count):
        length = rng.randint(8, 21)
        start = rng.randrange(_POOL_SIZE - length)
        sentence = " ".join(pool[start : start + length])
        out.append(sentence[0].upper() + sentence[1:] + ".")
    return out


def _sentence(rng: random.Random, seed: int = 1) -> str:
    return _sentences(rng, 1, seed)[0]


def _paragraph(rng: random.Random, seed: int = 1) -> str:
    text = " ".join(_sentences(rng, rng.randint(4, 6), seed))
    roll = rng.random()
    if roll < 0.3:
        word = rng.choice(WORDS[160:])
        text = text.replace(f" {word} ", f" <em>{word}</em> ", 1)
    elif roll < 0.5:
        word = rng.choice(WORDS[160:])
        text = text.replace(f" {word} ", f' <a href="https://example.org/{word}">{word}</a> ', 1)
    return f"<p>{text}</p>"


def item_xml(feed: int, item: int, feeds: int, seed: int, port: int, hosts: int) -> str:
    rng = random.Random(f"item:{seed}:{feed}:{item}")
    paragraphs = [_paragraph(rng, seed) for _ in range(rng.randint(5, 7))]
    paragraphs.insert(1, f"<p>Reference {item_token(feed, item)} for the archive.</p>")
    if rng.random() < 0.3:
        paragraphs.insert(3, f"<h2>{escape(_sentence(rng, seed)[:-1])}</h2>")
    body = "\n".join(paragraphs)
    summary = _sentence(rng, seed)
    link = item_url(feed, item, port, hosts)
    date = email.utils.formatdate(item_time(feed, item, feeds), usegmt=True)
    category = rng.choice(WORDS[160:260])
    return (
        "<item>\n"
        f"<title>{escape(item_title(feed, item, seed))}</title>\n"
        f"<link>{link}</link>\n"
        f'<guid isPermaLink="false">farm-{seed}-{feed}-{item}</guid>\n'
        f"<pubDate>{date}</pubDate>\n"
        f"<dc:creator>{escape(PLACES[(feed + item) % len(PLACES)])} Desk</dc:creator>\n"
        f"<category>{category}</category>\n"
        f"<description>{escape(summary)}</description>\n"
        f"<content:encoded><![CDATA[{body}]]></content:encoded>\n"
        "</item>\n"
    )


def feed_xml(feed: int, items: int, feeds: int, seed: int, port: int, hosts: int) -> bytes:
    host = host_of(feed, hosts)
    built = email.utils.formatdate(item_time(feed, 0, feeds), usegmt=True)
    head = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
        f"<title>{escape(feed_title(feed))}</title>\n"
        f"<link>http://{host}:{port}/</link>\n"
        f"<description>Synthetic feed {feed} of the Broadsheet benchmark farm</description>\n"
        f"<lastBuildDate>{built}</lastBuildDate>\n"
        "<language>en</language>\n"
    )
    parts = [head]
    parts.extend(item_xml(feed, item, feeds, seed, port, hosts) for item in range(items))
    parts.append("</channel>\n</rss>\n")
    return "".join(parts).encode("utf-8")


def page_html(feed: int, item: int, seed: int) -> bytes:
    rng = random.Random(f"page:{seed}:{feed}:{item}")
    paragraphs = "\n".join(_paragraph(rng, seed) for _ in range(8))
    title = escape(item_title(feed, item, seed))
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body>"
        f"<article><h1>{title}</h1>{paragraphs}</article></body></html>"
    ).encode()


@dataclass
class Document:
    body: bytes
    etag: str
    last_modified: str
    modified_at: int


@dataclass
class Stats:
    requests: int = 0
    feeds_200: int = 0
    feeds_304: int = 0
    pages: int = 0
    not_found: int = 0
    bytes_sent: int = 0
    connections: int = 0
    by_host: dict[str, int] = field(default_factory=dict)
    max_in_flight: int = 0
    in_flight: int = 0

    def as_dict(self) -> dict[str, object]:
        out = dict(self.__dict__)
        out.pop("in_flight")
        out["hosts_seen"] = len(self.by_host)
        out.pop("by_host")
        return out


class Farm:
    def __init__(
        self,
        feeds: int,
        items: int,
        *,
        latency: float,
        seed: int,
        port: int,
        hosts: int,
    ) -> None:
        self.feeds = feeds
        self.items = items
        self.latency = latency
        self.seed = seed
        self.port = port
        self.hosts = hosts
        self.stats = Stats()
        self.verbose = False
        self.documents: dict[str, Document] = {}

    def generate(self) -> None:
        for feed in range(self.feeds):
            body = feed_xml(feed, self.items, self.feeds, self.seed, self.port, self.hosts)
            modified = item_time(feed, 0, self.feeds)
            self.documents[f"/feed/{feed:04d}.xml"] = Document(
                body,
                '"' + hashlib.sha1(body).hexdigest()[:20] + '"',
                email.utils.formatdate(modified, usegmt=True),
                modified,
            )

    def total_bytes(self) -> int:
        return sum(len(document.body) for document in self.documents.values())

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.stats.connections += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                    return
                keep = await self.respond(head, writer)
                await writer.drain()
                if not keep:
                    return
        except (ConnectionError, OSError):
            return
        finally:
            writer.close()

    async def respond(self, head: bytes, writer: asyncio.StreamWriter) -> bool:
        lines = head.decode("latin-1").split("\r\n")
        try:
            method, target, version = lines[0].split(" ", 2)
        except ValueError:
            return False
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name:
                headers[name.strip().lower()] = value.strip()
        if self.verbose:
            print(
                lines[0], {k: v for k, v in headers.items() if k.startswith("if-")}, file=sys.stderr
            )
        connection = headers.get("connection", "").lower()
        keep = connection != "close" and (version == "HTTP/1.1" or connection == "keep-alive")
        path = target.split("?", 1)[0]
        if path == "/_stats":
            self.send(writer, method, 200, json.dumps(self.stats.as_dict()).encode(), keep, {})
            return keep
        if path == "/_reset":
            self.stats = Stats()
            self.send(writer, method, 200, b"{}", keep, {})
            return keep
        stats = self.stats
        stats.requests += 1
        host = headers.get("host", "?")
        stats.by_host[host] = stats.by_host.get(host, 0) + 1
        stats.in_flight += 1
        stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        try:
            if self.latency > 0:
                await asyncio.sleep(self.latency)
            document = self.documents.get(path)
            if document is not None:
                extra = {
                    "ETag": document.etag,
                    "Last-Modified": document.last_modified,
                    "Content-Type": "application/rss+xml; charset=utf-8",
                }
                if self.not_modified(document, headers):
                    stats.feeds_304 += 1
                    self.send(writer, method, 304, b"", keep, extra)
                else:
                    stats.feeds_200 += 1
                    self.send(writer, method, 200, document.body, keep, extra)
            elif path.startswith("/item/"):
                try:
                    _, _, feed, item = path.split("/")
                    body = page_html(int(feed), int(item), self.seed)
                except ValueError:
                    body = b""
                stats.pages += 1
                self.send(writer, method, 200, body, keep, {"Content-Type": "text/html"})
            else:
                stats.not_found += 1
                self.send(writer, method, 404, b"not found\n", keep, {})
        finally:
            stats.in_flight -= 1
        return keep

    @staticmethod
    def not_modified(document: Document, headers: dict[str, str]) -> bool:
        if "if-none-match" in headers:
            tags = [tag.strip().removeprefix("W/") for tag in headers["if-none-match"].split(",")]
            return document.etag in tags or "*" in tags
        since = headers.get("if-modified-since")
        if since:
            try:
                stamp = email.utils.parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
            return document.modified_at <= stamp
        return False

    def send(
        self,
        writer: asyncio.StreamWriter,
        method: str,
        status: int,
        body: bytes,
        keep: bool,
        extra: dict[str, str],
    ) -> None:
        reason = {200: "OK", 304: "Not Modified", 404: "Not Found"}[status]
        head = [f"HTTP/1.1 {status} {reason}", "Server: broadsheet-farm"]
        head.extend(f"{name}: {value}" for name, value in extra.items())
        if status != 304:
            head.append(f"Content-Length: {len(body)}")
        head.append("Connection: keep-alive" if keep else "Connection: close")
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        if method != "HEAD" and status != 304:
            data += body
        self.stats.bytes_sent += len(data)
        writer.write(data)


async def serve(farm: Farm, announce: bool = True) -> None:
    addresses = sorted({host_of(feed, farm.hosts) for feed in range(max(farm.feeds, farm.hosts))})
    server = await asyncio.start_server(
        farm.handle, host=addresses, port=farm.port, backlog=1024, reuse_address=True
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    if announce:
        print(
            json.dumps(
                {
                    "ready": True,
                    "port": farm.port,
                    "feeds": farm.feeds,
                    "items": farm.items,
                    "latency": farm.latency,
                    "hosts": len(addresses),
                    "bytes": farm.total_bytes(),
                }
            ),
            flush=True,
        )
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=30, help="items per feed")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per response")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--hosts", type=int, default=DEFAULT_HOSTS, help="loopback addresses")
    parser.add_argument("--verbose", action="store_true", help="log requests on stderr")
    args = parser.parse_args(argv)
    if not 1 <= args.hosts <= 250:
        parser.error("--hosts must be 1..250")
    farm = Farm(
        args.feeds,
        args.items,
        latency=args.latency,
        seed=args.seed,
        port=args.port,
        hosts=args.hosts,
    )
    farm.verbose = args.verbose
    started = time.perf_counter()
    farm.generate()
    print(
        f"farm: generated {args.feeds} feeds x {args.items} items "
        f"({farm.total_bytes() / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
        flush=True,
    )
    asyncio.run(serve(farm))
    return 0


if __name__ == "__main__":
    sys.exit(main())
