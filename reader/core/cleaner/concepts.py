"""Does a text speak like an appeal in a language other than English?

A cheap prefilter before the appeal model (:mod:`model`): an appeal concept
("abonn", "suscri", "spende", "newsletter"), the reader addressed ("Sie" inside
a sentence, "vous", "tu"), the outlet's "we" ("unsere", "notre", "nuestro"),
or an imperative with "Sie"/"-vous"/"-te". English goes through the lexicon's
own gate (:mod:`lexicon`). Only such text is worth the model's time.
"""

from __future__ import annotations

import re
from operator import itemgetter

from reader.core.cleaner.model import (
    _LEADS,
    _SIE,
    _STEM_CONCEPT,
    _TAILS,
    _WORD_CONCEPT,
    IMPERATIVE,
    IMPERATIVE_INSIDE,
    _set,
    may_be_formal,
)

# Concepts specific enough that a sentence naming one is worth the model's time.
_GATE_CONCEPTS = _set(
    "subscribe newsletter donate member register adblock follow download support app inbox"
    " exclusive cancel free reader"
)
# English words already open a block through the lexicon's own gate.
_ENGLISH_STEMS = _set(
    "subscri newslet donat contribu support member regist login follow downlo adbloc app apps"
    " inbox e-mail email exclus cancel free reader"
)
# The outlet's voice and the reader addressed, in German, French and Spanish
# (English goes through the lexicon): appeals speak this way, stories seldom.
_PERSON_WORDS = _set(
    "dich dir dein deine deinen deinem deiner euch euer eure wir uns unser unsere unseren"
    " unserem unserer vous votre vos nous notre nos tu toi tes tú usted ustedes tus"
    " nosotros nuestro nuestra nuestros nuestras noi nostro nostra nostri nostre voi vostro"
    " vostra tuo tua"
)


_CANDIDATE_STEMS = frozenset(
    s for s, c in _STEM_CONCEPT.items() if c in _GATE_CONCEPTS and s not in _ENGLISH_STEMS
)
# Stems under four letters count only as whole words ("abo", "don", "app").
_CANDIDATE_WORDS = (
    frozenset(s for s in _CANDIDATE_STEMS if len(s) < 4)
    | frozenset(w for w, c in _WORD_CONCEPT.items() if c in _GATE_CONCEPTS)
    | _PERSON_WORDS
)
_CANDIDATE_PREFIXES = frozenset(s for s in _CANDIDATE_STEMS if len(s) >= 4)
_CANDIDATE_HEADS = frozenset(s[:4] for s in _CANDIDATE_PREFIXES)
_PREFIX_LENGTHS = sorted({len(s) for s in _CANDIDATE_PREFIXES})
_WORDS = re.compile(r"\w+")
_HEAD = itemgetter(slice(None, 4))
CONCEPT_TOKENS = frozenset(
    lead + word + tail for word in _CANDIDATE_WORDS for lead in _LEADS for tail in _TAILS
)


def has_concept(text: str, tokens: list[str] | None = None) -> bool:
    """Whether ``text`` speaks like an appeal in a language other than English:
    an appeal concept ("abonn", "suscri", "spende", "newsletter"), the reader
    addressed ("Sie" inside a sentence, "vous", "tu") or the outlet's "we"
    ("unsere", "notre", "nuestro"), or an imperative with "Sie"/"-vous"/"-te".
    A cheap prefilter: only such text is worth the model's time. ``tokens``:
    ``text.lower().split()`` when the caller has it already."""
    if tokens is None:
        tokens = text.lower().split()
    return not CONCEPT_TOKENS.isdisjoint(tokens) or concept_beyond_tokens(text, tokens)


def concept_beyond_tokens(text: str, tokens: list[str]) -> bool:
    """:func:`has_concept` for ``text`` without a word of CONCEPT_TOKENS."""
    if may_have_stem(tokens):
        return True
    if may_be_formal(text) and _SIE.search(text) is not None:
        return True
    # An imperative opening the block or any later sentence in it.
    return IMPERATIVE.match(text) is not None or IMPERATIVE_INSIDE.search(text) is not None


def may_have_stem(tokens: list[str]) -> bool:
    """Whether a word of these lowercased whitespace tokens opens with a
    candidate concept stem (of a language other than English)."""
    # A set lookup per token in C (map with itemgetter): most text stops here.
    if _CANDIDATE_HEADS.isdisjoint(map(_HEAD, tokens)):
        return False
    # The words (\w runs) of a text are those of its whitespace tokens.
    for word in _WORDS.findall(" ".join(tokens)):
        if word[:4] in _CANDIDATE_HEADS:
            for length in _PREFIX_LENGTHS:
                if word[:length] in _CANDIDATE_PREFIXES:
                    return True
    return False
