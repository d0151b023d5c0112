"""CPU time of ``parse_feed`` on farm feeds: lxml fast path vs feedparser.

    python benchmarks/parse_speed.py [--feeds 200] [--items 30] [--big 20] [--big-items 200]

Generates the feeds first (not timed), then parses every feed once with each
path in this one process and prints CPU seconds (``time.process_time``), the
ratio, and whether the outputs were identical.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import farm  # noqa: E402

from reader.core._parse import parse_feed  # noqa: E402
from reader.core.models import ParsedFeed  # noqa: E402


def _time(bodies: list[tuple[str, bytes]], fast: bool) -> tuple[float, list[ParsedFeed]]:
    started = time.process_time()
    results = [parse_feed(body, url, now=2e9, fast=fast) for url, body in bodies]
    return time.process_time() - started, results


def run(label: str, feeds: int, items: int) -> None:
    bodies = [
        (farm.feed_url(i), farm.feed_xml(i, items, feeds, 1, farm.DEFAULT_PORT, farm.DEFAULT_HOSTS))
        for i in range(feeds)
    ]
    size = sum(len(body) for _, body in bodies) / len(bodies) / 1000
    _time(bodies[:2], True)  # warm imports and caches
    _time(bodies[:2], False)
    slow, slow_out = _time(bodies, False)
    fast, fast_out = _time(bodies, True)
    print(
        f"{label}: {feeds} feeds x {items} items (~{size:.0f} KB each): "
        f"feedparser {slow:.2f} s CPU, fast path {fast:.3f} s CPU, "
        f"{slow / fast:.1f}x faster, identical output: {slow_out == fast_out}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--big", type=int, default=20)
    parser.add_argument("--big-items", type=int, default=200)
    args = parser.parse_args(argv)
    run("farm", args.feeds, args.items)
    run("large", args.big, args.big_items)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
