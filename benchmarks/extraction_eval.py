"""Story-extraction benchmark: Broadsheet against trafilatura and readability-lxml.

Usage::

    /tmp/venv/bin/python benchmarks/extraction_eval.py [--split dev|test|all] [--corpus PATH]

The corpus is the article-extraction-benchmark (``html/<id>.html.gz`` plus
``ground-truth.json``). Splits are by the first hex digit of the page id:
``test`` is 0-4 (held out, only ever reported in aggregate), ``dev`` is 5-9 and a-f.

Metric (the benchmark's published one): tokens are ``\\w+`` matches; per page the
4-token shingles of truth and prediction are compared as multisets, giving tp, fp
and fn. Precision is the mean over pages of tp/(tp+fp), recall the mean of
tp/(tp+fn), F1 = 2PR/(P+R). A page with fp = fn = 0 scores 1 for both (this
includes an empty prediction for an empty truth). An empty prediction for a
non-empty truth scores 0 for both: extracting nothing is a failure, not a
"perfectly precise" answer. Texts shorter than 4 tokens form a single shingle.

All systems run in one process, one after another, on the same decoded pages, so
pages/s figures are comparable. Broadsheet is scored on what the product shows:
the canonical text of ``reader.core.cleaner.clean(html, url, extract=True)`` when
that path exists, else the text of ``extract_story``'s fragment; when both exist
both are reported.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpora" / "article-extraction-benchmark"

TEST_PREFIXES = frozenset("01234")
DEV_PREFIXES = frozenset("56789abcdef")

_TOKEN = re.compile(r"\w+")

Extractor = Callable[[str, str | None], str]


# --- metric -----------------------------------------------------------------


def shingles(text: str, n: int = 4) -> Counter[str]:
    tokens = _TOKEN.findall(text or "")
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([" ".join(tokens)])
    return Counter(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def page_counts(truth: str, prediction: str) -> tuple[int, int, int]:
    """(tp, fp, fn) over 4-token shingle multisets."""
    true_sh, pred_sh = shingles(truth), shingles(prediction)
    tp = sum((true_sh & pred_sh).values())
    fp = sum((pred_sh - true_sh).values())
    fn = sum((true_sh - pred_sh).values())
    return tp, fp, fn


def page_scores(truth: str, prediction: str) -> tuple[float, float]:
    """(precision, recall) for one page; see the module docstring for edge cases."""
    tp, fp, fn = page_counts(truth, prediction)
    if fp == 0 and fn == 0:
        return 1.0, 1.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall


def aggregate(scores: Iterable[tuple[float, float]]) -> tuple[float, float, float]:
    """Mean precision, mean recall, and F1 of those means."""
    items = list(scores)
    if not items:
        return 0.0, 0.0, 0.0
    precision = sum(p for p, _ in items) / len(items)
    recall = sum(r for _, r in items) / len(items)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


# --- corpus -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    id: str
    url: str | None
    html: str
    truth: str


def split_of(page_id: str) -> str:
    return "test" if page_id[:1].lower() in TEST_PREFIXES else "dev"


def load_corpus(corpus: Path, split: str = "dev", limit: int | None = None) -> list[Page]:
    """Pages of one split ("dev", "test" or "all"), sorted by id."""
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    pages: list[Page] = []
    for page_id in sorted(truth):
        if split != "all" and split_of(page_id) != split:
            continue
        raw = gzip.decompress((corpus / "html" / f"{page_id}.html.gz").read_bytes())
        entry = truth[page_id]
        pages.append(
            Page(page_id, entry.get("url"), raw.decode("utf-8", "replace"), entry["articleBody"])
        )
        if limit is not None and len(pages) >= limit:
            break
    return pages


# --- systems ----------------------------------------------------------------


def _trafilatura(favor_precision: bool) -> Extractor:
    import trafilatura

    def run(html: str, url: str | None) -> str:
        return trafilatura.extract(html, url=url, favor_precision=favor_precision) or ""

    return run


def _readability() -> Extractor:
    import lxml.html
    from readability import Document

    def run(html: str, url: str | None) -> str:
        try:
            summary = Document(html, url=url).summary(html_partial=True)
        except Exception:  # readability raises on empty/odd documents
            return ""
        if not summary.strip():
            return ""
        return str(lxml.html.fromstring(summary).text_content())

    return run


def _broadsheet_fragment() -> Extractor:
    from reader.core.cleaner.extract import extract_story, fragment_text

    def run(html: str, url: str | None) -> str:
        return fragment_text(extract_story(html, url).html)

    return run


def _broadsheet_product() -> Extractor | None:
    """The product path, or None while ``clean(..., extract=True)`` is not available."""
    try:
        from reader.core.cleaner import clean  # type: ignore[attr-defined]
    except ImportError:
        return None

    def run(html: str, url: str | None) -> str:
        return str(clean(html, url, extract=True).text)

    probe = (
        "<html><body><article><p>"
        + "Probe sentence for the path. " * 20
        + "</p></article></body></html>"
    )
    try:
        run(probe, None)
    except (NotImplementedError, TypeError, AttributeError):
        return None
    return run


def _warm_shared_state() -> None:
    """Build trafilatura's lazily-initialised justext stoplist (~0.2 s, once per process)
    before any timing, so whichever system first needs it is not charged for it."""
    try:
        from trafilatura import external
    except ImportError:
        return
    if not getattr(external, "JT_STOPLIST", None) and hasattr(external, "jt_stoplist_init"):
        external.jt_stoplist_init()


def systems() -> list[tuple[str, Extractor]]:
    _warm_shared_state()
    found: list[tuple[str, Extractor]] = []
    product = _broadsheet_product()
    if product is not None:
        found.append(("broadsheet (clean)", product))
    found.append(("broadsheet (extract)", _broadsheet_fragment()))
    found.append(("trafilatura default", _trafilatura(False)))
    found.append(("trafilatura precision", _trafilatura(True)))
    found.append(("readability-lxml", _readability()))
    return found


@dataclass(slots=True)
class Result:
    system: str
    split: str
    precision: float
    recall: float
    f1: float
    pages_per_second: float
    per_page: dict[str, tuple[float, float]]
    errors: int = 0


def run_systems(chosen: list[tuple[str, Extractor]], pages: list[Page], split: str) -> list[Result]:
    """Run every system on every page, interleaved page by page.

    Interleaving spreads any background load on the machine evenly over the
    systems, so their pages/s stay comparable within one run.
    """
    elapsed = dict.fromkeys((name for name, _ in chosen), 0.0)
    errors = dict.fromkeys((name for name, _ in chosen), 0)
    per_page: dict[str, dict[str, tuple[float, float]]] = {name: {} for name, _ in chosen}
    for page in pages:
        for name, extractor in chosen:
            start = time.perf_counter()
            try:
                prediction = extractor(page.html, page.url)
            except Exception as error:  # a crash scores as an empty prediction, and is shown
                prediction = ""
                errors[name] += 1
                print(f"{name}: {page.id[:12]}: {error!r}", file=sys.stderr)
            elapsed[name] += time.perf_counter() - start
            per_page[name][page.id] = page_scores(page.truth, prediction)
    results = []
    for name, _ in chosen:
        precision, recall, f1 = aggregate(per_page[name].values())
        rate = len(pages) / elapsed[name] if elapsed[name] else float("inf")
        results.append(
            Result(name, split, precision, recall, f1, rate, per_page[name], errors[name])
        )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args(argv)
    if not (args.corpus / "ground-truth.json").exists():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    pages = load_corpus(args.corpus, args.split)
    # Imports happen inside systems(), and each system gets one untimed warm-up call,
    # so that import and first-call costs are never counted as extraction time.
    chosen = systems()
    for name, extractor in chosen:
        if pages:
            try:
                extractor(pages[0].html, pages[0].url)
            except Exception as error:
                print(f"{name}: warm-up failed: {error!r}", file=sys.stderr)
    results = run_systems(chosen, pages, args.split)
    print(f"{'system':<24}{'split':<7}{'P':>8}{'R':>8}{'F1':>8}{'pages/s':>10}{'errors':>8}")
    splits = ("all", "dev", "test") if args.split == "all" else (args.split,)
    for split in splits:
        for result in results:
            scores = [
                s for pid, s in result.per_page.items() if split == "all" or split_of(pid) == split
            ]
            precision, recall, f1 = aggregate(scores)
            print(
                f"{result.system:<24}{split:<7}{precision:>8.3f}{recall:>8.3f}{f1:>8.3f}"
                f"{result.pages_per_second:>10.1f}{result.errors:>8}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
