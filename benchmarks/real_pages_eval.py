"""Generalisation check: the cleaner on real pages from outlets that are not in ../shared.

Usage::

    /tmp/venv/bin/python benchmarks/real_pages_eval.py [--cache DIR] [--pages a,b,c] [--verbose]

Pages come from Mozilla Readability's test suite (``test/test-pages/<name>/``,
Apache-2.0). They are reference data only and are never committed: they live in a
git-ignored local cache, ``benchmarks/.cache/real-pages/<name>/{source.html,
expected.html}`` (optionally ``url.txt``, one line, the page's canonical URL).
When the cache is absent the script says so and exits 0, so CI and anyone
without the cache can run it. How the cached copies were made (and any way they
differ from the originals) belongs in the cache's own ``README.txt``.

Scoring is the article-extraction benchmark's metric, imported from
``benchmarks/extraction_eval.py`` (``\\w+`` tokens, 4-token shingle multisets,
per-page precision and recall averaged over pages, F1 of the means). The truth is
the text of ``expected.html``: the texts of its blocks (p, h1-h6, li, pre,
blockquote, figcaption, td/th, dt/dd, ...) joined by blank lines.

Caveat on that truth: ``expected.html`` is readability.js's own output, not a
hand-labelled article body. It usually includes some non-story bits (a dek or
kicker, image captions and credits, an author bio, "Advertisement" or share
labels inside the story container) and occasionally misses a story paragraph.
So a system is rewarded for agreeing with readability.js, which biases the
comparison in favour of readability-lxml (a port of an older readability.js);
read small precision differences with that in mind.

Systems, run interleaved page by page in one process, each with one untimed
warm-up call: Broadsheet (``clean(html, url, extract=True).text``, the product
path), trafilatura default and ``favor_precision``, readability-lxml.

Besides the scores, for each page the script lists

* every passage Broadsheet removed with an ``appeal.*``, ``chrome.*`` or
  ``boilerplate.*`` rule, and whether that passage's words occur in expected.html
  (``IN-TRUTH``: at least 80% of its distinct words, for passages of 4+ words, and
  its 4-token shingles all present; a candidate story-sentence loss to inspect),
* a story-only pass: ``clean(expected.html, url)`` without extraction, listing every
  removal (on story text, each one is a candidate false positive of the appeal rules),
* calls to action visible in source.html and how many reached Broadsheet's text,
* calls to action that survived in Broadsheet's text (sentences matching
  subscribe / newsletter / sign up / donate / support us / ad blocker /
  read more / ...), each marked ``IN-TRUTH`` when the sentence is also in
  expected.html (then it may be story text that only mentions the word).
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = ROOT / "benchmarks" / ".cache" / "real-pages"
APPEAL_RULE_PREFIXES = ("appeal.", "chrome.", "boilerplate.")

_WORD = re.compile(r"\w+")
_CTA = re.compile(
    r"\b(subscri\w*|newsletters?|sign[ -]?up|signup|donat\w*|support us|support our"
    r"|become a (?:member|supporter|subscriber)|ad[ -]?blocker|disable your ad"
    r"|read more|continue reading|keep reading|register (?:now|for free|here)"
    r"|log ?in to|join (?:us|now|our)|follow us|sign in|inbox|abonn\w*|s'inscrire"
    r"|newsletter)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)")

Extractor = Callable[[str, "str | None"], str]


def _load_metric():
    """``page_scores`` and ``aggregate`` from extraction_eval.py (one definition of the metric)."""
    path = ROOT / "benchmarks" / "extraction_eval.py"
    spec = importlib.util.spec_from_file_location("extraction_eval", path)
    if spec is None or spec.loader is None:  # pragma: no cover - file is in the repo
        raise ImportError(path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("extraction_eval", module)
    spec.loader.exec_module(module)
    return module


# --- pages ------------------------------------------------------------------


@dataclass(slots=True)
class RealPage:
    name: str
    url: str | None
    html: str
    truth: str
    truth_html: str


_BLOCK_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "blockquote",
    "figcaption", "td", "th", "dt", "dd", "caption", "address",
}  # fmt: skip


def truth_text(expected_html: str) -> str:
    """Block texts of readability's expected output, joined by blank lines.

    Innermost blocks win: a <blockquote> holding <p>s contributes its paragraphs,
    not itself; text that sits directly in a container (a <div> with bare text)
    becomes a block of its own so nothing is lost.
    """
    import lxml.html

    if not expected_html.strip():
        return ""
    root = lxml.html.fromstring(expected_html)
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    blocks: list[str] = []

    def norm(text: str) -> str:
        return " ".join(text.split())

    def walk(element) -> None:  # type: ignore[no-untyped-def]
        tag = element.tag if isinstance(element.tag, str) else ""
        has_block_child = any(
            isinstance(child.tag, str)
            and (child.tag in _BLOCK_TAGS or child.xpath(".//" + "|.//".join(_BLOCK_TAGS)))
            for child in element
        )
        if tag in _BLOCK_TAGS and not has_block_child:
            text = norm(element.text_content())
            if text:
                blocks.append(text)
            return
        # A container: its own loose text, then its children in order.
        loose = norm(element.text or "")
        if loose:
            blocks.append(loose)
        for child in element:
            if isinstance(child.tag, str):
                if child.tag in _BLOCK_TAGS or child.xpath(".//" + "|.//".join(_BLOCK_TAGS)):
                    walk(child)
                else:
                    text = norm(child.text_content())
                    if text:
                        blocks.append(text)
            tail = norm(child.tail or "")
            if tail:
                blocks.append(tail)

    walk(root)
    # Consecutive inline fragments of the same container were split apart above;
    # for the shingle metric that only matters at the seams, which blank lines mark.
    return "\n\n".join(blocks)


def _url_of(source: str) -> str | None:
    for pattern in (
        r'<link[^>]+rel=["\']canonical["\'][^>]+href=["\']([^"\']+)',
        r'<link[^>]+href=["\']([^"\']+)["\'][^>]+rel=["\']canonical',
        r'<meta[^>]+property=["\']og:url["\'][^>]+content=["\']([^"\']+)',
    ):
        found = re.search(pattern, source, re.IGNORECASE)
        if found and found.group(1).startswith("http"):
            return found.group(1)
    return None


def load_pages(cache: Path, names: list[str] | None = None) -> list[RealPage]:
    pages: list[RealPage] = []
    for folder in sorted(p for p in cache.iterdir() if p.is_dir()):
        if names and folder.name not in names:
            continue
        source, expected = folder / "source.html", folder / "expected.html"
        if not (source.is_file() and expected.is_file()):
            continue
        html = source.read_text(encoding="utf-8", errors="replace")
        truth_html = expected.read_text(encoding="utf-8", errors="replace")
        url_file = folder / "url.txt"
        url = url_file.read_text().strip() if url_file.is_file() else _url_of(html)
        pages.append(RealPage(folder.name, url, html, truth_text(truth_html), truth_html))
    return pages


# --- systems ----------------------------------------------------------------


@dataclass(slots=True)
class BroadsheetRun:
    """What the product path returned for one page (kept for the appeal report)."""

    text: str = ""
    removed: list[tuple[str, str]] = field(default_factory=list)  # (rule, passage)


def _broadsheet(store: dict[str, BroadsheetRun], current: list[str]) -> Extractor:
    from reader.core.cleaner import clean

    def run(html: str, url: str | None) -> str:
        article = clean(html, url, extract=True)
        text = str(article.text)
        if current:
            store[current[0]] = BroadsheetRun(
                text, [(removal.rule, removal.text) for removal in article.removed]
            )
        return text

    return run


def systems(metric, store: dict[str, BroadsheetRun], current: list[str]):  # type: ignore[no-untyped-def]
    metric._warm_shared_state()
    return [
        ("broadsheet (clean)", _broadsheet(store, current)),
        ("trafilatura default", metric._trafilatura(False)),
        ("trafilatura precision", metric._trafilatura(True)),
        ("readability-lxml", metric._readability()),
    ]


# --- appeal report ------------------------------------------------------------


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def occurs_in(passage: str, truth: str, truth_words: set[str], truth_shingles) -> bool:  # type: ignore[no-untyped-def]
    """Whether a passage's words occur in the truth (a possible story-text loss)."""
    words = _words(passage)
    if not words:
        return False
    distinct = set(words)
    share = len(distinct & truth_words) / len(distinct)
    if len(words) < 4:
        # Too short for shingles: require the whole phrase in the truth text.
        return " ".join(words) in " ".join(_words(truth))
    shingles = {" ".join(words[i : i + 4]) for i in range(len(words) - 3)}
    return share >= 0.8 and shingles <= truth_shingles


def cta_sentences(text: str) -> list[str]:
    found = []
    for block in text.split("\n"):
        for sentence in _SENTENCE.findall(block):
            sentence = sentence.strip()
            if sentence and _CTA.search(sentence):
                found.append(sentence)
    return found


def appeal_report(pages: list[RealPage], store: dict[str, BroadsheetRun], verbose: bool) -> None:
    print("\nRemoved by Broadsheet with appeal./chrome./boilerplate. rules")
    print("(IN-TRUTH = the passage's words are in readability's expected text: inspect)")
    losses = 0
    for page in pages:
        run = store.get(page.name)
        if run is None:
            continue
        truth_words = set(_words(page.truth))
        tw = _words(page.truth)
        truth_shingles = {" ".join(tw[i : i + 4]) for i in range(len(tw) - 3)}
        rows = [(rule, text) for rule, text in run.removed if rule.startswith(APPEAL_RULE_PREFIXES)]
        others = [
            (rule, text) for rule, text in run.removed if not rule.startswith(APPEAL_RULE_PREFIXES)
        ]
        print(f"  {page.name}: {len(rows)} appeal/chrome removals, {len(others)} other removals")
        for rule, text in rows:
            hit = occurs_in(text, page.truth, truth_words, truth_shingles)
            losses += hit
            flag = "IN-TRUTH" if hit else "        "
            print(f"    {flag} {rule:<26} {_short(text)}")
        if verbose:
            for rule, text in others:
                print(f"    (other)  {rule:<26} {_short(text)}")
    print(f"  passages whose words are in the truth: {losses}")

    print("\nStory-only pass: clean(expected.html, url) without extraction; every removal here")
    print("cuts text that readability kept as the story (a false positive unless it is debris)")
    from reader.core.cleaner import clean

    cut_total = 0
    for page in pages:
        article = clean(page.truth_html, page.url)
        lost = len(_words(page.truth)) - len(_words(str(article.text)))
        print(
            f"  {page.name}: {len(article.removed)} removals, {max(lost, 0)} of {len(_words(page.truth))} words gone"
        )
        for removal in article.removed:
            cut_total += 1
            print(f"    {removal.rule:<26} {_short(removal.text)}")
    print(f"  removals on story-only input: {cut_total}")

    print(
        "\nCalls to action visible in source.html (text outside script/style), and how many survived"
    )
    for page in pages:
        run = store.get(page.name)
        if run is None:
            continue
        visible = source_ctas(page.html)
        kept_words = " ".join(_words(run.text))
        survived = [c for c in visible if " ".join(_words(c)) and " ".join(_words(c)) in kept_words]
        shown = "; ".join(_short(c, 60) for c in visible[:8]) + (" ..." if len(visible) > 8 else "")
        print(
            f"  {page.name}: {len(visible)} in source, {len(survived)} in Broadsheet's text: {shown}"
        )

    print("\nCalls to action kept in Broadsheet's text")
    print("(IN-TRUTH = the sentence is also in readability's expected text)")
    kept_total = 0
    for page in pages:
        run = store.get(page.name)
        if run is None:
            continue
        truth_norm = " ".join(_words(page.truth))
        sentences = cta_sentences(run.text)
        if not sentences:
            continue
        print(f"  {page.name}:")
        for sentence in sentences:
            kept_total += 1
            words = " ".join(_words(sentence))
            flag = "IN-TRUTH" if words and words in truth_norm else "        "
            print(f"    {flag} {_short(sentence)}")
    print(f"  CTA-looking sentences kept: {kept_total}")


def source_ctas(html: str) -> list[str]:
    """Distinct short visible text passages of the page that look like calls to action."""
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except Exception:  # odd documents: nothing to report
        return []
    for bad in root.xpath("//script|//style|//noscript|//head"):
        bad.drop_tree()
    found: list[str] = []
    for text in root.itertext():
        line = " ".join(text.split())
        if line and len(line) <= 200 and _CTA.search(line) and line not in found:
            found.append(line)
    return found


def _short(text: str, limit: int = 150) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- main -------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--pages", help="comma-separated page names (default: all cached)")
    parser.add_argument("--verbose", action="store_true", help="per-page scores, all removals")
    args = parser.parse_args(argv)

    if not args.cache.is_dir() or not any(
        (p / "source.html").is_file() for p in args.cache.iterdir() if p.is_dir()
    ):
        print(
            f"real-pages cache not found at {args.cache}: skipping.\n"
            "It holds Mozilla Readability test pages (<name>/source.html, expected.html),\n"
            "reference data kept out of git; see this script's docstring."
        )
        return 0

    metric = _load_metric()
    pages = load_pages(args.cache, args.pages.split(",") if args.pages else None)
    if not pages:
        print("no complete pages (source.html + expected.html) in the cache: skipping.")
        return 0

    store: dict[str, BroadsheetRun] = {}
    current: list[str] = []
    chosen = systems(metric, store, current)
    for name, extractor in chosen:  # untimed warm-up
        try:
            extractor(pages[0].html, pages[0].url)
        except Exception as error:
            print(f"{name}: warm-up failed: {error!r}", file=sys.stderr)

    elapsed = dict.fromkeys((name for name, _ in chosen), 0.0)
    errors = dict.fromkeys((name for name, _ in chosen), 0)
    per_page: dict[str, dict[str, tuple[float, float]]] = {name: {} for name, _ in chosen}
    for page in pages:
        current[:] = [page.name]
        for name, extractor in chosen:
            start = time.perf_counter()
            try:
                prediction = extractor(page.html, page.url)
            except Exception as error:
                prediction = ""
                errors[name] += 1
                print(f"{name}: {page.name}: {error!r}", file=sys.stderr)
            elapsed[name] += time.perf_counter() - start
            per_page[name][page.name] = metric.page_scores(page.truth, prediction)

    print(f"{len(pages)} real pages (truth = readability.js expected output; see docstring)")
    print(f"{'system':<24}{'P':>8}{'R':>8}{'F1':>8}{'pages/s':>10}{'errors':>8}")
    for name, _ in chosen:
        precision, recall, f1 = metric.aggregate(per_page[name].values())
        rate = len(pages) / elapsed[name] if elapsed[name] else float("inf")
        print(f"{name:<24}{precision:>8.3f}{recall:>8.3f}{f1:>8.3f}{rate:>10.1f}{errors[name]:>8}")

    print("\nPer page (P R for each system, in the order above)")
    short = {"broadsheet (clean)": "broadsheet", "trafilatura default": "traf-def",
             "trafilatura precision": "traf-prec", "readability-lxml": "readab"}  # fmt: skip
    header = "".join(f"{short.get(name, name[:10]):>16}" for name, _ in chosen)
    print(f"  {'page':<22}{header}")
    for page in pages:
        cells = "".join(
            f"{per_page[name][page.name][0]:>8.2f}{per_page[name][page.name][1]:>8.2f}"
            for name, _ in chosen
        )
        print(f"  {page.name:<22}{cells}")

    appeal_report(pages, store, args.verbose)
    print("\npages: " + ", ".join(f"{p.name} ({p.url or 'no url'})" for p in pages))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
