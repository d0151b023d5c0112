"""The cleaner's figures in one run and one table (issue 13).

Usage::

    /tmp/venv/bin/python benchmarks/cleaner_report.py [--no-appeals] [--limit N]

One process, one run, every system on the same pages:

* **AEB**: the article-extraction-benchmark, dev split only (ids 5-9, a-f; the
  test split 0-4 is never looked at), its published metric (``\\w+`` tokens,
  4-token shingle multisets, per-page P and R averaged, F1 of the means), from
  ``benchmarks/extraction_eval.py``.
* **trafilatura-eval-dev** (656 pages): with-kept = share of the ``with`` strings
  found in the extracted text, without-dropped = share of the ``without`` strings
  absent, F = their harmonic mean; whitespace and case normalised. Overall, per
  language group (German, English, other: from the page's ``<html lang>``, else a
  stopword count), and on a hash split of the URLs (``dev`` 70% the rules were
  developed on, ``held`` 30% kept out of development; sha1 of the URL).
* Systems: Broadsheet's product path (``clean(decode_page(bytes), url,
  extract=True).text``), trafilatura 2.x default and ``favor_precision``
  (``trafilatura.extract(bytes, url=...)``, its own decoding).
* **Speed**: CPU time (``time.process_time``, so other work on the machine
  does not count) per page, interleaved page by page on the eval pages
  (Broadsheet vs trafilatura default; the acceptance is >= 0.8x; wall time is
  shown too); and CPU time of ``clean()`` on feed HTML items vs
  ``trafilatura.extract`` on the same items (acceptance >= 10x; median of five
  interleaved rounds, with the range of the rounds' ratios). The feed items are
  built from the AEB dev split's ground-truth bodies (paragraphs with links,
  emphasis, a list and a promo box).
* **Appeals**: ``evaluate()`` from ``benchmarks/appeals_eval.py`` when it exists
  (in-sample and grouped by outlet, story intact, keep kept, per embedding).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import importlib.util
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpora"
TEV = SHARED / "trafilatura-eval-dev"
AEB = SHARED / "article-extraction-benchmark"
sys.path.insert(0, str(ROOT / "benchmarks"))

SYSTEMS = ("broadsheet", "trafilatura default", "trafilatura precision")


def _load(name: str) -> Any:
    path = ROOT / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:  # pragma: no cover - files are in the repo
        raise ImportError(path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


def _extractors() -> dict[str, Callable[[bytes, str | None], str]]:
    import trafilatura

    from reader.core.cleaner import clean
    from reader.core.cleaner.extract import decode_page

    def broadsheet(raw: bytes, url: str | None) -> str:
        return str(clean(decode_page(raw), url, extract=True).text)

    def default(raw: bytes, url: str | None) -> str:
        return trafilatura.extract(raw, url=url) or ""

    def precision(raw: bytes, url: str | None) -> str:
        return trafilatura.extract(raw, url=url, favor_precision=True) or ""

    return dict(zip(SYSTEMS, (broadsheet, default, precision), strict=True))


# --- language groups ------------------------------------------------------------

_LANG = re.compile(rb"<html[^>]*?\slang\s*=\s*[\"']?([A-Za-z]{2,3})", re.I)
_STOP = {
    "de": {"der", "die", "und", "das", "nicht", "mit", "ist", "für", "auf", "sich", "ein", "dem"},
    "en": {"the", "and", "of", "to", "is", "that", "with", "for", "on", "was", "are", "this"},
}


def language_group(raw: bytes, text: str) -> str:
    """ "German", "English" or "other": the page's <html lang>, else stopwords."""
    found = _LANG.search(raw[:20000])
    lang = found.group(1).decode().lower()[:2] if found else ""
    if not lang:
        words = re.findall(r"\w+", text.lower())[:3000]
        counts = {code: sum(word in stops for word in words) for code, stops in _STOP.items()}
        best = max(counts, key=lambda code: counts[code])
        lang = best if counts[best] >= 0.05 * max(len(words), 1) else ""
    return {"de": "German", "en": "English"}.get(lang, "other")


def hash_split(url: str) -> str:
    """70% "dev" (what the rules were developed on), 30% "held" (kept out)."""
    return "dev" if int(hashlib.sha1(url.encode()).hexdigest()[:8], 16) % 10 < 7 else "held"


# --- trafilatura-eval-dev ---------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


@dataclass(slots=True)
class Tally:
    kept: int = 0
    wanted: int = 0
    dropped: int = 0
    unwanted: int = 0

    def add(self, text: str, with_: list[str], without: list[str]) -> None:
        body = _norm(text)
        self.kept += sum(_norm(s) in body for s in with_)
        self.wanted += len(with_)
        self.dropped += sum(_norm(s) not in body for s in without)
        self.unwanted += len(without)

    def scores(self) -> tuple[float, float, float]:
        w = self.kept / self.wanted if self.wanted else 0.0
        wo = self.dropped / self.unwanted if self.unwanted else 0.0
        return w, wo, (2 * w * wo / (w + wo) if w + wo else 0.0)


@dataclass(slots=True)
class TevResult:
    tallies: dict[tuple[str, str], Tally] = field(default_factory=dict)  # (system, group)
    pages: dict[str, int] = field(default_factory=dict)  # group -> pages
    seconds: dict[str, float] = field(default_factory=dict)  # system -> wall time
    cpu: dict[str, float] = field(default_factory=dict)  # system -> CPU time (process_time)

    def tally(self, system: str, group: str) -> Tally:
        return self.tallies.setdefault((system, group), Tally())


def run_tev(limit: int | None) -> TevResult:
    data: dict[str, dict[str, Any]] = json.loads((TEV / "evaldata-dev.json").read_text())
    extractors = _extractors()
    result = TevResult(seconds=dict.fromkeys(SYSTEMS, 0.0), cpu=dict.fromkeys(SYSTEMS, 0.0))
    urls = sorted(data)[:limit] if limit else sorted(data)
    first = gzip.decompress((TEV / data[urls[0]]["file"]).read_bytes())
    _load("extraction_eval")._warm_shared_state()  # justext's stoplist, built once
    for extractor in extractors.values():
        extractor(first, urls[0])  # warm-up: imports and lazy state are not timed
    for url in urls:
        entry = data[url]
        raw = gzip.decompress((TEV / entry["file"]).read_bytes())
        texts = {}
        for name, extractor in extractors.items():  # interleaved: same load for all
            start, cpu = time.perf_counter(), time.process_time()
            try:
                texts[name] = extractor(raw, url)
            except Exception as error:  # a crash scores as an empty extraction, and is shown
                print(f"{name}: {url}: {error!r}", file=sys.stderr)
                texts[name] = ""
            result.cpu[name] += time.process_time() - cpu
            result.seconds[name] += time.perf_counter() - start
        group = language_group(raw, texts["trafilatura default"])
        groups = ("all", group, hash_split(url))
        for key in groups:
            result.pages[key] = result.pages.get(key, 0) + 1
        for name, text in texts.items():
            for key in groups:
                result.tally(name, key).add(text, entry["with"], entry["without"])
    return result


# --- AEB ------------------------------------------------------------------------------


def run_aeb(limit: int | None) -> dict[str, tuple[float, float, float]]:
    metric = _load("extraction_eval")
    pages = metric.load_corpus(AEB, "dev", limit)  # never the test split
    extractors = _extractors()
    scores: dict[str, list[tuple[float, float]]] = {name: [] for name in SYSTEMS}
    for page in pages:
        raw = page.html.encode("utf-8")
        for name, extractor in extractors.items():
            scores[name].append(metric.page_scores(page.truth, extractor(raw, page.url)))
    return {name: metric.aggregate(values) for name, values in scores.items()}


# --- speed on feed HTML ---------------------------------------------------------------


def feed_items(limit: int = 24) -> list[str]:
    """Feed-style HTML items from the AEB dev split's ground-truth bodies."""
    metric = _load("extraction_eval")
    truth = json.loads((AEB / "ground-truth.json").read_text(encoding="utf-8"))
    items = []
    for page_id in sorted(truth):
        if metric.split_of(page_id) != "dev":
            continue
        paragraphs = [p for p in truth[page_id]["articleBody"].split("\n") if p.strip()]
        if len(paragraphs) < 4:
            continue
        parts = []
        for number, paragraph in enumerate(paragraphs):
            tokens = html.escape(paragraph, quote=False).split(" ")
            if len(tokens) > 6:
                tokens[2] = f'<a href="/story/{page_id}/{number}">{tokens[2]}</a>'
                tokens[5] = f"<em>{tokens[5]}</em>"
            parts.append(f"<p>{' '.join(tokens)}</p>")
            if number == 2:
                parts.append(
                    "<ul><li>First point of note</li><li>Second point of note</li></ul>"
                    '<aside class="newsletter"><p>Get the morning briefing by email.</p>'
                    '<p><a href="/signup">Sign up</a></p></aside>'
                )
        items.append('<div class="entry-content">' + "\n".join(parts) + "</div>")
        if len(items) >= limit:
            break
    return items


@dataclass(slots=True)
class FeedSpeed:
    ours: float  # clean() items/s, median of the rounds
    theirs: float  # trafilatura.extract items/s, median of the rounds
    size: float  # mean item size, KB
    ratios: list[float]  # ours / theirs, per round


def feed_speed() -> FeedSpeed:
    """CPU time of clean() and trafilatura.extract on the same feed items: five
    interleaved rounds of at least 0.3 s each per system."""
    import trafilatura

    from reader.core.cleaner import clean

    items = feed_items()

    def ours(item: str) -> Any:
        return clean(item, "https://example.org/a", content_type="html")

    def rate(function: Callable[[str], Any]) -> float:
        done, start = 0, time.process_time()
        while True:
            for item in items:
                function(item)
            done += len(items)
            if (elapsed := time.process_time() - start) >= 0.3:
                return done / elapsed

    for item in items[:2]:
        ours(item)
        trafilatura.extract(item)
    our_rates, their_rates = [], []
    for _ in range(5):
        our_rates.append(rate(ours))
        their_rates.append(rate(trafilatura.extract))
    size = statistics.fmean(len(item.encode()) for item in items) / 1024
    ratios = [ours / theirs for ours, theirs in zip(our_rates, their_rates, strict=True)]
    return FeedSpeed(statistics.median(our_rates), statistics.median(their_rates), size, ratios)


# --- appeals ----------------------------------------------------------------------------


def appeals() -> Any:
    try:
        from appeals_eval import evaluate  # type: ignore[attr-defined]
    except (ImportError, AttributeError) as error:
        return f"unavailable ({error})"
    return evaluate()


def _appeal_table(found: dict[str, Any]) -> list[str]:
    """Appeals as table rows: one per embedding, then all embeddings; removed
    in-sample and grouped by outlet, story intact and keep kept (grouped)."""
    inside, grouped = found["in_sample"], found["grouped"]
    head = f"{'appeals (embedding)':<44}{'removed in-sample':>18}{'removed grouped':>18}"
    rows = [head + f"{'story intact':>18}{'keep kept':>18}"]
    for position, figures in grouped["positions"].items():
        removed = inside["positions"][position]["removed"]
        rows.append(
            f"  {position:<42}{removed:>18.3f}{figures['removed']:>18.3f}"
            f"{figures['story_intact']:>18.3f}{'':>18}"
        )
    rows.append(
        f"  {'all (' + str(grouped.get('appeal_cases', '?')) + ' cases)':<42}"
        f"{inside['removed']:>18.3f}{grouped['removed']:>18.3f}"
        f"{grouped['story_intact']:>18.3f}{grouped['keep_kept']:>18.3f}"
    )
    return rows


def _appeal_checks(found: Any) -> list[tuple[str, bool, str]]:
    try:
        grouped = found["grouped"]
        intact = min(
            [grouped["story_intact"], found["in_sample"]["story_intact"]]
            + [figures["story_intact"] for figures in grouped["positions"].values()]
        )
        keep = min(grouped["keep_kept"], found["in_sample"]["keep_kept"])
        removed = grouped["removed"]
    except (KeyError, TypeError):
        return []
    return [
        ("appeals: story intact 100% (every embedding)", intact >= 1.0, f"{intact:.3f}"),
        ("appeals: keep kept 100%", keep >= 1.0, f"{keep:.3f}"),
        ("appeals: removed grouped by outlet >= 95%", removed >= 0.95, f"{removed:.3f}"),
    ]


def _appeal_rows(found: Any) -> list[str]:
    """Lines for the appeal figures, whatever shape ``evaluate()`` returns."""
    if not isinstance(found, dict):
        return [f"  appeals: {found}"]
    try:
        return _appeal_table(found)
    except (KeyError, TypeError, ValueError):
        pass  # another shape: every figure, one line each
    rows = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key != "failures":
                    walk(f"{prefix}.{key}" if prefix else str(key), item)
        elif isinstance(value, (int, float, str, bool)) or value is None:
            shown = f"{value:.3f}" if isinstance(value, float) else str(value)
            rows.append(f"  {prefix:<58}{shown:>10}")
        elif isinstance(value, (list, tuple)) and len(value) <= 4:
            rows.append(f"  {prefix:<58}{str(tuple(value)):>10}")

    walk("", found)
    return rows


# --- the table ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-appeals", action="store_true", help="skip the appeal figures")
    parser.add_argument("--limit", type=int, default=None, help="pages per corpus (quick look)")
    args = parser.parse_args(argv)
    if not (TEV / "evaldata-dev.json").is_file() or not (AEB / "ground-truth.json").is_file():
        print("corpora not found under ../shared/corpora", file=sys.stderr)
        return 2
    started = time.perf_counter()
    aeb = run_aeb(args.limit)
    tev = run_tev(args.limit)
    feed = feed_speed()
    found = None if args.no_appeals else appeals()

    line = "-" * 116
    print(line)
    print(f"{'measure':<44}{'broadsheet':>24}{'traf. default':>24}{'traf. precision':>24}")
    print(line)

    def row(label: str, values: list[str]) -> None:
        print(f"{label:<44}{values[0]:>24}{values[1]:>24}{values[2]:>24}")

    row("AEB dev P / R / F1", [" / ".join(f"{v:.3f}" for v in aeb[name]) for name in SYSTEMS])
    for group in ("all", "German", "English", "other", "dev", "held"):
        label = {
            "all": "tev with-kept / without-dropped / F",
            "dev": "  hash split: dev (70%, developed on)",
            "held": "  hash split: held (30%, kept out)",
        }.get(group, f"  {group}")
        label = f"{label} [{tev.pages.get(group, 0)}]"
        row(label, [" / ".join(f"{v:.3f}" for v in tev.tally(n, group).scores()) for n in SYSTEMS])
    pages = tev.pages.get("all", 0)
    row(
        "tev pages/s (CPU, interleaved)",
        [f"{pages / tev.cpu[n]:.1f}" if tev.cpu[n] else "-" for n in SYSTEMS],
    )
    row(
        "tev pages/s (wall, interleaved)",
        [f"{pages / tev.seconds[n]:.1f}" if tev.seconds[n] else "-" for n in SYSTEMS],
    )
    ratio = tev.cpu["trafilatura default"] / max(tev.cpu["broadsheet"], 1e-9)
    wall_ratio = tev.seconds["trafilatura default"] / max(tev.seconds["broadsheet"], 1e-9)
    ours, theirs = feed.ours, feed.theirs
    row(f"feed HTML items/s (CPU, {feed.size:.1f} KB items)", [f"{ours:.0f}", f"{theirs:.0f}", ""])
    spread = f"{min(feed.ratios):.1f}-{max(feed.ratios):.1f}x"
    print(line)
    w, wo, _ = tev.tally("broadsheet", "all").scores()
    held = tev.tally("broadsheet", "held").scores()[0]
    f1 = aeb["broadsheet"][2]
    checks = [
        ("tev with-kept >= 0.955", w >= 0.955, f"{w:.3f}"),
        ("tev without-dropped >= 0.92", wo >= 0.92, f"{wo:.3f}"),
        ("tev held split with-kept >= 0.95", held >= 0.95, f"{held:.3f}"),
        ("AEB F1 >= 0.97", f1 >= 0.97, f"{f1:.3f}"),
        (
            "pages: >= 0.8x trafilatura default (CPU)",
            ratio >= 0.8,
            f"{ratio:.2f}x (wall {wall_ratio:.2f}x)",
        ),
        (
            "feed HTML: >= 10x trafilatura.extract",
            ours >= 10 * theirs,
            f"{ours / theirs:.1f}x ({spread})",
        ),
    ]
    if found is not None:
        checks += _appeal_checks(found)
    for label, ok, value in checks:
        print(f"{label:<44}{'PASS' if ok else 'FAIL':>24}{value:>24}")
    if found is not None:
        print(line)
        for text in _appeal_rows(found):
            print(text)
    print(line)
    print(f"one run, {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
