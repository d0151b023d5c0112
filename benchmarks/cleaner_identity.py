"""Does a change to the cleaner keep its output? Save every output once, compare after.

Usage::

    python benchmarks/cleaner_identity.py save before.json.gz [--sets feeds,appeals,pages]
    python benchmarks/cleaner_identity.py compare before.json.gz [--sets ...] [-v]

``clean()``'s whole output (``CleanedArticle.to_dict()``: blocks, links,
removals with positions, metadata) on:

* ``feeds``: the feed HTML items ``cleaner_report.py`` times (every AEB dev
  split body, not only the 24 it times), every entry of every file in
  ``../shared/corpora/feedparser-tests`` and ``sample_feeds/`` (parsed with the
  product's ``parse_feed``, cleaned with the entry's link and content type);
* ``appeals``: every appeal and keep passage of ``appeals_eval.py``'s sets,
  embedded at every position, as HTML and as text;
* ``pages``: the 656 trafilatura-eval-dev pages and the AEB dev pages (ids 5-f;
  the test split 0-4 is never read), ``clean(decode_page(raw), url, extract=True)``.

``compare`` prints how many items differ per set (and with ``-v`` the first
difference of each); its exit status is 1 when any differs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpora"
sys.path.insert(0, str(ROOT / "benchmarks"))

Case = tuple[str, Callable[[], Any]]  # (id, run the cleaner)
SETS = ("feeds", "appeals", "pages")


def _feed_cases() -> Iterator[Case]:
    from cleaner_report import feed_items

    from reader.core._parse import parse_feed
    from reader.core.cleaner import clean
    from reader.core.errors import FeedParseError

    for number, item in enumerate(feed_items(limit=10**6)):
        yield (
            f"bench/{number}",
            lambda item=item: clean(item, "https://example.org/a", content_type="html"),
        )
    files = [(SHARED, path) for path in sorted((SHARED / "feedparser-tests").rglob("*"))]
    files += [(ROOT, path) for path in sorted((ROOT / "sample_feeds").glob("*"))]
    for base, path in files:
        if not path.is_file() or path.name == "LICENSE":
            continue
        try:
            parsed = parse_feed(path.read_bytes(), "http://example.org/feed.xml", None)
        except FeedParseError:
            continue
        for number, entry in enumerate(parsed.entries):
            name = f"{path.relative_to(base)}#{number}"
            yield (
                name,
                lambda entry=entry: clean(
                    entry.content, entry.link, content_type=entry.content_type
                ),
            )


def _appeal_cases() -> Iterator[Case]:
    from appeals_eval import KEEP_POSITIONS, POSITIONS, embed, load_items

    from reader.core.cleaner import clean

    for number, item in enumerate(load_items()):
        for position in sorted(set(POSITIONS) | set(KEEP_POSITIONS)):
            for variant in (number, number + 1):  # odd variants are HTML, even ones text
                content, kind, _ = embed(item.passage, position, variant)
                yield (
                    f"{item.set_name}/{number}/{position}/{variant % 2}",
                    (lambda content=content, kind=kind: clean(content, content_type=kind)),
                )


def _page_cases() -> Iterator[Case]:
    from extraction_eval import load_corpus

    from reader.core.cleaner import clean
    from reader.core.cleaner.extract import decode_page

    tev = SHARED / "trafilatura-eval-dev"
    data = json.loads((tev / "evaldata-dev.json").read_text())
    for url in sorted(data):
        path = tev / data[url]["file"]
        yield (
            f"tev/{url}",
            lambda path=path, url=url: clean(
                decode_page(gzip.decompress(path.read_bytes())), url, extract=True
            ),
        )
    for page in load_corpus(SHARED / "article-extraction-benchmark", "dev", None):
        yield (
            f"aeb/{page.id}",
            lambda page=page: clean(decode_page(page.html.encode("utf-8")), page.url, extract=True),
        )


_CASES = {"feeds": _feed_cases, "appeals": _appeal_cases, "pages": _page_cases}


def outputs(sets: list[str], limit: int | None = None) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in sets:
        for number, (case, run) in enumerate(_CASES[name]()):
            if limit is not None and number >= limit:
                break
            try:
                result = json.dumps(run().to_dict(), ensure_ascii=False, sort_keys=True)
            except Exception as error:  # a crash is an output too
                result = f"raised {error!r}"
            found[f"{name}:{case}"] = result
    return found


def _first_difference(before: str, after: str) -> str:
    at = next((i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b), 0)
    return f"before …{before[max(0, at - 60) : at + 80]}…\n    after  …{after[max(0, at - 60) : at + 80]}…"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("save", "compare"))
    parser.add_argument("file", type=Path)
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--limit", type=int, default=None, help="items per set (a quick look)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    sets = [name for name in args.sets.split(",") if name]
    found = outputs(sets, args.limit)
    if args.action == "save":
        args.file.write_bytes(gzip.compress(json.dumps(found).encode()))
        print(f"saved {len(found)} outputs to {args.file}")
        return 0
    saved: dict[str, str] = json.loads(gzip.decompress(args.file.read_bytes()))
    differing = 0
    for name in sets:
        keys = [key for key in found if key.startswith(name + ":")]
        missing = [key for key in keys if key not in saved]
        if missing:
            print(f"{name}: {len(missing)} items were not saved (a different --limit?)")
        changed = [key for key in keys if key in saved and saved[key] != found[key]]
        differing += len(changed)
        print(f"{name}: {len(keys)} items, {len(changed)} differ")
        for key in changed if args.verbose else ():
            print(f"  {key}\n    {_first_difference(saved.get(key, ''), found[key])}")
    return 1 if differing else 0


if __name__ == "__main__":
    raise SystemExit(main())
