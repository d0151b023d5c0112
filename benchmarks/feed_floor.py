"""How far below trafilatura.extract can cleaning feed HTML go in Python?

Usage::

    python benchmarks/feed_floor.py [--rounds 5]

Times, in CPU per item over ``cleaner_report.py``'s feed items (AEB dev bodies
as feed HTML, 7.5 KB each), the least work any cleaner must do before it
judges a word: parse the HTML with lxml, then read its text out with lxml's
own C iterators (no blocks, no links, no analysis); and, below any parser,
tags cut out by one regex. Beside it: Broadsheet's
``clean()`` and ``trafilatura.extract``. The issue's bar is 10x
``trafilatura.extract``; this shows how much of that budget the floor
already takes.
"""

from __future__ import annotations

import argparse
import html
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cleaner_report import feed_items  # noqa: E402
from lxml import html as lxml_html  # noqa: E402

from reader.core.cleaner import CleanerRules, clean  # noqa: E402
from reader.core.cleaner.blocks import html_blocks, parse_html  # noqa: E402
from reader.core.cleaner.pipeline import plan  # noqa: E402

_BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "td", "dd")


_TAG = re.compile(r"<[^>]*>")


def strip_tags(item: str) -> list[str]:
    """No parser at all: tags cut out by a regex, entities decoded (wrong on
    comments, scripts and broken markup, which a parser must get right)."""
    return html.unescape(_TAG.sub(" ", item)).split()


def parse_only(item: str) -> Any:
    return lxml_html.fromstring(item)


def text_dump(item: str) -> list[str]:
    """The text of the item, whitespace-split: parse plus lxml's itertext."""
    return " ".join(lxml_html.fromstring(item).itertext()).split()


def block_texts(item: str) -> list[str]:
    """The text of each block element, one string each (no inline structure)."""
    root = lxml_html.fromstring(item)
    return [" ".join("".join(element.itertext()).split()) for element in root.iter(*_BLOCKS)]


def appeal_analysis(items: list[str]) -> Callable[[str], Any]:
    """Broadsheet's appeal analysis alone, on blocks walked beforehand: what
    ``clean()`` costs past parsing and walking, whatever parser fed it."""
    rules = CleanerRules().for_url(None)
    walked = {}
    for item in items:
        root = parse_html(item)
        assert root is not None
        walked[item] = html_blocks(root, None)
    return lambda item: plan(walked[item], rules)


def ms_per_item(function: Callable[[str], Any], items: list[str]) -> float:
    """CPU milliseconds per item, over passes of at least 0.3 s."""
    done, start = 0, time.process_time()
    while (elapsed := time.process_time() - start) < 0.3:
        for item in items:
            function(item)
        done += len(items)
    return elapsed / done * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    import trafilatura

    items = feed_items()
    systems: dict[str, Callable[[str], Any]] = {
        "trafilatura.extract": trafilatura.extract,
        "Broadsheet clean()": lambda item: clean(
            item, "https://example.org/a", content_type="html"
        ),
        "lxml parse": parse_only,
        "lxml parse + text of each block": block_texts,
        "lxml parse + whole text, split": text_dump,
        "no parser: regex strips tags, split": strip_tags,
        "Broadsheet appeal analysis alone": appeal_analysis(items),
    }
    for function in systems.values():
        function(items[0])
    rounds: dict[str, list[float]] = {name: [] for name in systems}
    for _ in range(args.rounds):  # interleaved: a load spike hits every system
        for name, function in systems.items():
            rounds[name].append(ms_per_item(function, items))
    medians = {name: statistics.median(values) for name, values in rounds.items()}
    budget = medians["trafilatura.extract"] / 10
    size = statistics.fmean(len(item.encode()) for item in items) / 1024
    print(
        f"{len(items)} feed HTML items, {size:.1f} KB each; CPU ms per item, median of {args.rounds}"
    )
    print(f"{'':34}{'ms/item':>9}{'x trafilatura':>15}{'share of 10x budget':>21}")
    for name, value in medians.items():
        speed = medians["trafilatura.extract"] / value
        print(f"{name:<34}{value:>9.3f}{speed:>14.1f}x{value / budget:>20.0%}")
    print(f"10x budget: {budget:.3f} ms per item")
    return 0


if __name__ == "__main__":
    sys.exit(main())
