"""Train the cleaner's appeal model (reader/core/cleaner/appeal_model.json).

Usage::

    python benchmarks/train_appeal_model.py            # writes the shipped model
    python benchmarks/train_appeal_model.py --check    # retrains, fails if the file differs

Pure Python, no numpy, deterministic (fixed order, fixed shuffle seed): the
same data gives byte-identical weights.

Appeal sentences (label 1) come from every appeal passage of
``../shared/corpora/appeals-dev.json`` and the project's own sets
``tests/data/appeals_own.json``, ``appeals_heldout.json`` and
``appeals_multilingual.json``, ``appeals_more.json``, ``appeals_third.json`` and
``appeals_fourth.json`` (split on " / " and " ... " like the benchmark,
then into sentences with the cleaner's own splitter). ``appeals_final.json`` is
never trained on.

Story sentences (label 0): the article bodies of the Article Extraction
Benchmark's dev pages (ids starting 5-9 or a-f; the test pages 0-4 are never
read), trafilatura-eval-dev's ``with`` strings (story text that a good
extraction keeps, multilingual), and every keep sentence of the sets above
(weighted up: news about donations and paywalls is what the model must not
confuse with an appeal).

``train(samples)`` is also what ``benchmarks/appeals_eval.py`` calls to retrain
without the outlet it scores (grouped leave-one-outlet-out).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from reader.core.cleaner.model import MODEL_PATH, Model  # noqa: E402
from reader.core.cleaner.scoring import sentence_features as features  # noqa: E402
from reader.core.cleaner.sentences import split_sentences  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpora"
DEV_CORPUS = SHARED / "appeals-dev.json"
AEB_TRUTH = SHARED / "article-extraction-benchmark" / "ground-truth.json"
TRAFILATURA_DEV = SHARED / "trafilatura-eval-dev" / "evaldata-dev.json"
DATA = ROOT / "tests" / "data"
# (name, path): sets whose appeals and keeps are trained on.
TRAINING_SETS = (
    ("dev", DEV_CORPUS),
    ("own", DATA / "appeals_own.json"),
    ("heldout", DATA / "appeals_heldout.json"),
    ("ml", DATA / "appeals_multilingual.json"),
    ("more", DATA / "appeals_more.json"),
    ("third", DATA / "appeals_third.json"),
    ("fourth", DATA / "appeals_fourth.json"),
)
AEB_TEST_PREFIXES = tuple("01234")
KEEP_WEIGHT = 5.0
MIN_COUNT = 2
EPOCHS = 8
RATE = 0.1
SEED = 13
L2 = 1e-3
PRUNE = 0.02
NEUTRAL = ("k:", "s:")
NEUTRAL_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class Sample:
    found: frozenset[str]
    label: int
    weight: float
    group: str  # the outlet (or own set and kind) an appeal or keep comes from; "" for story
    text: str = ""


def group_of(set_name: str, entry: dict[str, Any]) -> str:
    """The group a held-out evaluation leaves out together: the outlet when
    known, else the set, language and kind of text (our own sets have no outlet)."""
    if entry.get("outlet"):
        return f"outlet:{entry['outlet']}"
    return f"{set_name}:{entry.get('lang', 'en')}:{entry.get('kind', '?')}"


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def appeal_samples(set_name: str, data: dict[str, Any]) -> list[Sample]:
    from appeals_eval import appeal_passages

    samples = []
    for entry in data.get("appeals", []):
        group = group_of(set_name, entry)
        for passage in appeal_passages([entry]):
            for sentence in sentences(passage.text):
                samples.append(Sample(frozenset(features(sentence)), 1, 1.0, group, sentence))
    return samples


def keep_samples(set_name: str, data: dict[str, Any]) -> list[Sample]:
    """Keep sentences, grouped like the benchmark groups them (an outlet's keep
    sentences are left out with its appeals)."""
    samples = []
    for entry in data.get("keep", []):
        if entry.get("ambiguous"):
            continue
        group = group_of(set_name, {**entry, "kind": "keep"})
        text = str(entry["text"]).strip().removeprefix("...").removeprefix("…").strip()
        for sentence in sentences(text):
            samples.append(Sample(frozenset(features(sentence)), 0, KEEP_WEIGHT, group, sentence))
    return samples


def story_texts() -> Iterable[str]:
    """Story paragraphs: AEB dev article bodies and trafilatura-eval-dev ``with`` strings."""
    if AEB_TRUTH.exists():
        truth = json.loads(AEB_TRUTH.read_text(encoding="utf-8"))
        for page_id in sorted(truth):
            if page_id[:1].lower() in AEB_TEST_PREFIXES:
                continue
            for paragraph in str(truth[page_id].get("articleBody") or "").split("\n"):
                if paragraph.strip():
                    yield paragraph
    if TRAFILATURA_DEV.exists():
        pages = json.loads(TRAFILATURA_DEV.read_text(encoding="utf-8"))
        for url in sorted(pages):
            for text in pages[url].get("with", []):
                if text.strip():
                    yield text


def all_samples() -> list[Sample]:
    samples: list[Sample] = []
    for name, path in TRAINING_SETS:
        if not path.exists():
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        samples.extend(appeal_samples(name, data))
        samples.extend(keep_samples(name, data))
    for text in story_texts():
        for sentence in sentences(text):
            samples.append(Sample(frozenset(features(sentence)), 0, 1.0, "", sentence))
    return samples


def train(samples: list[Sample], about: str = "") -> Model:
    """Logistic regression by SGD with class-balanced weights and L2, pruned."""
    counts: Counter[str] = Counter()
    for sample in samples:
        counts.update(sample.found)
    names = sorted(feature for feature, count in counts.items() if count >= MIN_COUNT)
    index_of = {name: number for number, name in enumerate(names)}
    positives = sum(s.weight for s in samples if s.label)
    negatives = sum(s.weight for s in samples if not s.label)
    total = positives + negatives
    scale = {1: 0.5 * total / max(positives, 1e-9), 0: 0.5 * total / max(negatives, 1e-9)}
    rows = [
        (
            sorted(index_of[f] for f in s.found if f in index_of),
            s.label,
            s.weight * scale[s.label],
        )
        for s in samples
    ]
    # Feature dropout for transfer across languages: every sentence once more
    # with only its language-neutral features (concepts, structure), so that
    # those carry weight of their own instead of leaving it all to English
    # words and the English lexicon.
    rows += [
        (
            sorted(index_of[f] for f in s.found if f[:2] in NEUTRAL and f in index_of),
            s.label,
            s.weight * scale[s.label] * NEUTRAL_WEIGHT,
        )
        for s in samples
    ]
    weights = [0.0] * len(names)
    bias = 0.0
    order = list(range(len(rows)))
    rng = random.Random(SEED)
    exp = math.exp
    for epoch in range(EPOCHS):
        rng.shuffle(order)
        rate = RATE / (1 + epoch)
        shrink = 1.0 - rate * L2
        for row in order:
            found, label, weight = rows[row]
            margin = bias
            for i in found:
                margin += weights[i]
            p = 1.0 / (1.0 + exp(-margin)) if margin >= 0 else 1.0 - 1.0 / (1.0 + exp(margin))
            gradient = (p - label) * weight * rate
            bias -= gradient
            for i in found:
                weights[i] = weights[i] * shrink - gradient
    kept = {names[i]: w for i, w in enumerate(weights) if abs(w) >= PRUNE}
    return Model(bias, kept, about)


ABOUT = (
    "Appeal-vs-story sentence model for Broadsheet's cleaner, trained by"
    " benchmarks/train_appeal_model.py (logistic regression, pure Python)."
)


def build() -> Model:
    return train(all_samples(), ABOUT)


def serialise(model: Model) -> str:
    return json.dumps(model.to_dict(), ensure_ascii=False, sort_keys=True, indent=0) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the shipped model differs")
    parser.add_argument("--output", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    samples = all_samples()
    model = train(samples, ABOUT)
    text = serialise(model)
    positives = sum(s.label for s in samples)
    print(
        f"{len(samples)} sentences ({positives} appeal, {len(samples) - positives} story);"
        f" {len(model.weights)} features kept"
    )
    if args.check:
        same = args.output.exists() and args.output.read_text(encoding="utf-8") == text
        print("shipped model is up to date" if same else "shipped model DIFFERS: retrain")
        return 0 if same else 1
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(text.encode()) // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
