"""Story safety on paragraphs the property test leaves out.

Usage::

    python benchmarks/story_safety.py [--seed 1] [--paragraphs 800] [--appeals 8] [-v]

``tests/test_cleaner_story_safety.py`` (Hypothesis) glues appeals onto AEB dev
paragraphs that end like sentences, whose sentences all have four words or more.
This measures every AEB dev paragraph of three words or more that the cleaner
keeps whole on its own (headings, list items, table rows and fragments
included), with appeal passages of ``appeals_eval.py``'s sets (every language)
glued before it, after it or between two of its sentences (a space between,
one more story paragraph after). A case is a loss when a word of the story is
missing from the output. Figures are split by whether the paragraph ends with
a stop: a heading or a list item glued without one to an appeal without one is
ambiguous even to a reader.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from appeals_eval import load_items, words  # noqa: E402

from reader.core.cleaner import clean  # noqa: E402
from reader.core.cleaner.sentences import split_sentences  # noqa: E402

AEB_TRUTH = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "corpora"
    / "article-extraction-benchmark"
    / "ground-truth.json"
)
STOP_END = re.compile(r"[.!?…][\"”’»)]*$")
NEXT = "The second paragraph of the story."


def survives(story: str, output: str) -> bool:
    """Every word of the story is still in the output (as often)."""
    return not words(story) - words(output)


def paragraphs() -> list[str]:
    """AEB dev paragraphs (ids 5-f; the test split 0-4 is never read) of three
    words or more that the cleaner keeps whole on their own."""
    truth = json.loads(AEB_TRUTH.read_text(encoding="utf-8"))
    found = []
    for page_id in sorted(truth):
        if page_id[:1] in "01234":
            continue
        for paragraph in str(truth[page_id].get("articleBody") or "").split("\n"):
            paragraph = " ".join(paragraph.split())
            if len(paragraph.split()) >= 3 and survives(
                paragraph, clean(paragraph, content_type="text").text
            ):
                found.append(paragraph)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--paragraphs", type=int, default=800)
    parser.add_argument("--appeals", type=int, default=8, help="appeals per paragraph")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the losses")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    stories = paragraphs()
    rng.shuffle(stories)
    stories = stories[: args.paragraphs]
    appeals = [item.passage.text for item in load_items() if item.appeal]
    cases: Counter[str] = Counter()
    losses: Counter[str] = Counter()
    for story in stories:
        ending = "stop" if STOP_END.search(story) else "no stop"
        spans = split_sentences(story)
        for appeal in rng.sample(appeals, args.appeals):
            glued = {"before": f"{appeal} {story}", "after": f"{story} {appeal}"}
            if len(spans) >= 2:
                cut = spans[rng.randrange(len(spans) - 1)][1]
                glued["between"] = f"{story[:cut]} {appeal} {story[cut:].lstrip()}"
            for where, text in glued.items():
                key = f"{where} / {ending}"
                cases[key] += 1
                output = clean(f"{text}\n\n{NEXT}", content_type="text").text
                if not survives(story, output):
                    losses[key] += 1
                    if args.verbose:
                        print(f"LOSS {key}: {story[:90]!r} + {appeal[:60]!r}")
    print(f"{len(stories)} AEB dev paragraphs x {args.appeals} appeals, seed {args.seed}")
    print(f"{'appeal glued':<24}{'story lost':>12}{'cases':>8}{'share':>9}")
    for ending in ("stop", "no stop"):
        for where in ("before", "after", "between"):
            key = f"{where} / {ending}"
            if cases[key]:
                share = losses[key] / cases[key]
                print(f"{key:<24}{losses[key]:>12}{cases[key]:>8}{share:>9.2%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
