"""A child process for the kill -9 tests: ``crash_child.py MODE ROOT SEED``.

MODE ``refresh``: rewrite the library's local feed files with new and changed
entries and refresh, forever. MODE ``annotate``: save highlights with notes on
random articles forever, printing ``id uuid`` after each one is committed
(flushed, so the parent knows exactly what was committed before the kill).
Both print ``ready`` when they start working (annotate: after loading the
article texts), so the parent's random kill delay falls inside the work.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

from reader.core import Library
from reader.core.errors import BroadsheetError
from reader.core.library import ArticleQuery


def _feed_xml(round_number: int, feed_number: int, rnd: random.Random) -> bytes:
    items = []
    for index in range(rnd.randrange(20, 60)):
        # Stable keys with changing bodies (updates) plus fresh keys (inserts).
        key = f"f{feed_number}-{index}" if index < 15 else f"f{feed_number}-r{round_number}-{index}"
        words = " ".join(rnd.choice(WORDS) for _ in range(rnd.randrange(40, 400)))
        items.append(
            f"<item><guid>{key}</guid><title>Story {key} {rnd.choice(WORDS)}</title>"
            f"<link>https://news.example/{key}</link>"
            f"<description>&lt;p&gt;{words}.&lt;/p&gt;&lt;p&gt;{words[::-1]}.&lt;/p&gt;"
            "</description></item>"
        )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Crash feed {feed_number}'
        f"</title>{''.join(items)}</channel></rss>"
    ).encode()


WORDS = [
    "council",
    "bridge",
    "valley",
    "rain",
    "winter",
    "library",
    "harbour",
    "market",
    "school",
    "river",
]


def refresh_forever(library: Library, root: Path, rnd: random.Random) -> None:
    round_number = rnd.randrange(1_000_000)
    while True:
        round_number += 1
        for number in range(3):
            path = root / f"feed{number}.xml"
            temporary = path.with_suffix(".tmp")
            temporary.write_bytes(_feed_xml(round_number, number, rnd))
            os.replace(temporary, path)
        library.refresh_sync(wait=30.0)
        print("refreshed", flush=True)


def annotate_forever(library: Library, rnd: random.Random) -> None:
    from reader.core.annotations import Annotations

    notes = Annotations(library)
    ids = library.article_ids(ArticleQuery())
    lengths = {article_id: len(library.article(article_id).text) for article_id in ids}
    print("ready", flush=True)  # the kill delay starts now: every save from here on counts
    while True:
        article_id = rnd.choice(ids)
        length = lengths[article_id]
        start = rnd.randrange(0, max(1, length - 10))
        end = min(length, start + rnd.randrange(1, 40))
        try:
            saved = notes.highlight(article_id, start, end, f"note {rnd.random()} " * 20)
        except BroadsheetError:
            continue  # e.g. only whitespace selected
        # One write per line: with PYTHONUNBUFFERED=1 print() writes each part
        # separately, and a kill between them would leave half a line.
        sys.stdout.write(f"{saved.id} {saved.uuid}\n")
        sys.stdout.flush()
        # A pause between saves (a person's are far slower): back-to-back write
        # transactions would starve the refreshing process of the write lock.
        time.sleep(rnd.uniform(0, 0.02))


def main() -> None:
    mode, root, seed = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    rnd = random.Random(seed)
    library = Library.open(root / "data", config_dir_path=root / "config", samples=False)
    if mode == "refresh":
        print("ready", flush=True)
        refresh_forever(library, root, rnd)
    else:
        annotate_forever(library, rnd)


if __name__ == "__main__":
    main()
