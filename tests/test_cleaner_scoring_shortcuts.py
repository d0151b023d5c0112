"""The appeal scorer's shortcuts give what the long way gives.

Each shortcut (a substring test before a regex, a cached lookup per token, a
set intersection in place of a loop per word) must change no result: these
tests run the long way, as it was written before the shortcut, on the same input.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reader.core.cleaner import appeals, concepts, scoring
from reader.core.cleaner import lexicon as lx
from reader.core.cleaner import model as appeal_model

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_PIECES = st.sampled_from(
    [
        " ", "  ", "\n", ". ", ", ", ": ", "? ", "!", "’", "'", '"', "“", "”", "«", "(", " - ",
        " | ", "•", "·", "—", "$", "£", "€", "5", "Euro", "euros", "DOLLAR", "pounds", "days",
        "weeks", "months", "we", "We", "our", "us", "US", "you", "your", "Sie", " Ihr ",
        "Lesen Sie", "abonnieren", "Abonnez-vous", "(abonnez", "Suscríbete", "unsere", "vous",
        "support", "donate", "newsletter", "Subscribe", "Read more", "Sign up", "said",
        "Spende", "Jahresabo", "compartir", "part", "company", "report", "İstanbul", "ſ",
        "The", "council", "voted", "free", "inbox", "Advertisement", "Share", "member",
    ]
)  # fmt: skip
_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=5)), max_size=14).map("".join)


def _features_the_long_way(text: str) -> set[str]:
    """``model.features`` as written with a loop per word (its word part)."""
    words = [token.replace("’", "'") for token in appeal_model._TOKEN.findall(text.lower())]
    found: set[str] = set()
    formal = (" Sie" in text or " Ihr" in text) and appeal_model._SIE.search(text) is not None
    previous = "^"
    for word in words:
        name, own = appeal_model._word_features(word)
        if formal and name == "<pronoun>":
            name, own = "you", appeal_model._FORMAL_YOU
        found.update(own)
        found.add("b:" + previous + " " + name)
        previous = name
    if words:
        found.add("b:" + previous + " $")
    return found


@SETTINGS
@given(text=_TEXT)
def test_features_are_the_long_ways(text: str) -> None:
    found = appeal_model.features(text)
    words = {f for f in found if f[:2] in ("w:", "c:", "k:", "b:")}
    assert words == _features_the_long_way(text)
    assert appeal_model.tokens(text) == [
        token.replace("’", "'") for token in appeal_model._TOKEN.findall(text.lower())
    ]
    assert ("s:currency" in found) is (appeal_model._CURRENCY.search(text) is not None)


@SETTINGS
@given(text=_TEXT)
def test_currency_prefilters_are_necessary(text: str) -> None:
    if scoring._CURRENCY.search(text):
        assert scoring._may_price(text)
    if appeal_model._CURRENCY.search(text):
        assert appeal_model._may_name_currency(text)


@SETTINGS
@given(text=_TEXT)
def test_label_split_prefilter_is_necessary(text: str) -> None:
    if not scoring._SEPARATOR_CHARS.search(text):
        assert scoring._LABEL_SEPARATORS.split(text) == [text]


def _has_concept_the_long_way(text: str) -> bool:
    tokens = text.lower().split()
    if not concepts.CONCEPT_TOKENS.isdisjoint(tokens):
        return True
    if not concepts._CANDIDATE_HEADS.isdisjoint(map(concepts._HEAD, tokens)):
        for word in re.findall(r"\w+", text.lower()):
            if word[:4] in concepts._CANDIDATE_HEADS:
                for length in concepts._PREFIX_LENGTHS:
                    if word[:length] in concepts._CANDIDATE_PREFIXES:
                        return True
    if (" Sie" in text or " Ihr" in text or " Ihn" in text) and appeal_model._SIE.search(text):
        return True
    # An imperative opening the block or any later sentence in it.
    inside = re.compile(r"[.!?…]\s+" + appeal_model.IMPERATIVE.pattern.removeprefix("^"))
    return appeal_model.IMPERATIVE.match(text) is not None or inside.search(text) is not None


def _gated_out_the_long_way(text: str) -> bool:
    tokens = text.lower().split()
    if not (lx.GATE.isdisjoint(tokens) and lx.CAPITALIZED_GATE.isdisjoint(text.split())):
        return False
    if _has_concept_the_long_way(text):
        return False
    gate = appeal_model.gate_words()
    return not gate or gate.isdisjoint(tokens)


@SETTINGS
@given(text=_TEXT)
@example(text="5. !Spende")  # an imperative after a sentence's stop
def test_gate_and_concepts_are_the_long_ways(text: str) -> None:
    assert concepts.has_concept(text) is _has_concept_the_long_way(text)
    assert appeals.gated_out(text) is _gated_out_the_long_way(text)


def test_gate_follows_a_swapped_model() -> None:
    text = "The zebra crossing was repainted on Tuesday."
    assert appeals.gated_out(text)
    try:
        appeal_model.use(appeal_model.Model(0.0, {"w:zebra": 5.0}))
        assert not appeals.gated_out(text)
    finally:
        appeal_model.use(None)
    assert appeals.gated_out(text)


def _word_categories_the_long_way(
    tokens: list[str], lowered: list[str]
) -> tuple[set[str], set[str]]:
    categories, families = set(), set()
    for token, word in zip(tokens, lowered, strict=True):
        entry = lx.WORD_TABLE.get(word)
        if entry is None and token == "us":
            entry = (lx.VOICE, None)
        if entry is not None:
            categories.add(entry[0])
            if entry[1]:
                families.add(entry[1])
    return categories, families


@SETTINGS
@given(text=_TEXT)
def test_word_categories_are_the_long_ways(text: str) -> None:
    tokens = scoring._WORD.findall(text)
    lowered = [token.lower().replace("’", "'") for token in tokens]
    expected = _word_categories_the_long_way(tokens, lowered)
    assert scoring._word_categories(tokens, lowered) == expected
    assert "us" not in lx.WORD_TABLE  # "us" is looked at as written, not in the table


@SETTINGS
@given(text=_TEXT)
def test_scored_words_are_the_models_tokens_in_ascii(text: str) -> None:
    _, lowered = scoring.score_with_words(text, 0, len(text))
    if text.replace("’", "'").isascii():
        assert lowered == appeal_model.tokens(text)
    assert appeal_model.features(text, appeal_model.tokens(text)) == appeal_model.features(text)
