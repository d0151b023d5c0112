"""Appeal removal held to the product bars, on the shared corpus and on our own set.

The embedding harness lives in ``benchmarks/appeals_eval.py`` so that the
benchmark and these tests measure exactly the same thing.
"""

from __future__ import annotations

import html
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "corpora" / "appeals-dev.json"
OWN = Path(__file__).resolve().parent / "data" / "appeals_own.json"
HELDOUT = Path(__file__).resolve().parent / "data" / "appeals_heldout.json"
FINAL = Path(__file__).resolve().parent / "data" / "appeals_final.json"
_SETS = {"dev": DEV, "own": OWN, "heldout": HELDOUT}


def _load_harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "appeals_eval", ROOT / "benchmarks" / "appeals_eval.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("appeals_eval", module)
    spec.loader.exec_module(module)
    return module


harness = _load_harness()


def _corpus(path: Path) -> dict[str, Any]:
    if not path.exists():
        pytest.skip(f"{path} not available")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module", params=sorted(_SETS))
def corpus(request: pytest.FixtureRequest) -> dict[str, Any]:
    return _corpus(_SETS[request.param])


@pytest.fixture(scope="module")
def appeal_outcomes(corpus: dict[str, Any]) -> list[Any]:
    outcomes: list[Any] = harness.run_appeals(harness.appeal_passages(corpus["appeals"]))
    return outcomes


@pytest.mark.parametrize("position", harness.REQUIRED_POSITIONS)
def test_appeals_removed_in_every_position(appeal_outcomes: list[Any], position: str) -> None:
    chosen = [o for o in appeal_outcomes if o.position == position]
    assert chosen
    failures = [o.passage.text[:80] for o in chosen if not o.ok]
    assert len(chosen) - len(failures) >= 0.95 * len(chosen), failures


def test_story_words_are_never_lost(appeal_outcomes: list[Any]) -> None:
    lost = [(o.position, o.passage.text[:60]) for o in appeal_outcomes if not o.story_kept]
    assert lost == []


def test_every_keep_sentence_is_kept(corpus: dict[str, Any]) -> None:
    required, _ = harness.keep_passages(corpus["keep"])
    assert required
    outcomes = harness.run_keeps(required)
    failures = [(o.position, o.passage.text[:80]) for o in outcomes if not o.ok]
    assert failures == []
    assert len(outcomes) == len(required) * len(harness.KEEP_POSITIONS)


# --- the harness itself ---------------------------------------------------------


def test_passages_split_prompts_and_cuts() -> None:
    entries = [
        {"outlet": "X", "kind": "appeal", "text": "First ask. ... Second ask. / Other prompt"}
    ]
    texts = [p.text for p in harness.appeal_passages(entries)]
    assert texts == ["First ask.", "Second ask.", "Other prompt"]


def test_score_counts_leftover_appeal_words_beyond_the_story() -> None:
    story = "The council met on Monday."
    removed, kept = harness.score("The council met on Monday.", story, "Subscribe to the council")
    assert kept and removed == 1.0
    removed, kept = harness.score("Subscribe The council met.", story, "Subscribe now")
    assert not kept and removed == 0.5


def test_a_cleaner_that_removes_nothing_fails_the_harness() -> None:
    passages = harness.appeal_passages([{"text": "Sign up for our newsletter today."}])
    outcomes = harness.run_appeals(passages, cleaner=lambda content, **_: _Unchanged(content))
    assert not any(o.ok for o in outcomes)
    assert all(o.story_kept for o in outcomes)


class _Unchanged:
    """A stand-in cleaner result that keeps every word (markup stripped)."""

    def __init__(self, content: str) -> None:
        self.text = html.unescape(re.sub(r"<[^>]+>", " ", content))


# --- the final held-out set ----------------------------------------------------
# Written with the held-out set before any rule change and never tuned on. The
# assertions hold only what the rules honestly achieve on it (first run before
# the changes: 13/15 in start/paragraph/end, 15/15 promo; after: 14/15, 15/15).


def test_final_held_out_set_figures() -> None:
    data = _corpus(FINAL)
    assert len(data["appeals"]) >= 15 and len(data["keep"]) >= 15
    outcomes = harness.run_appeals(harness.appeal_passages(data["appeals"]))
    table = harness.rates(outcomes, harness.POSITIONS)
    print({position: f"{done}/{total}" for position, (done, total) in table.items()})
    for position in harness.REQUIRED_POSITIONS:
        done, total = table[position]
        assert done >= 14, (position, done, total)
    assert all(o.story_kept for o in outcomes)
    required, _ = harness.keep_passages(data["keep"])
    keeps = harness.run_keeps(required)
    assert [o.passage.text for o in keeps if not o.ok] == []


def test_held_out_sets_are_disjoint_from_the_tuning_sets() -> None:
    texts = {
        entry["text"]
        for path in (OWN, HELDOUT)
        for part in ("appeals", "keep")
        for entry in _corpus(path)[part]
    }
    final = _corpus(FINAL)
    assert not texts & {entry["text"] for part in ("appeals", "keep") for entry in final[part]}
    assert _corpus(HELDOUT)["first_run"]["appeals_removed"]  # the unseen figures are recorded
