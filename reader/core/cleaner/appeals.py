"""Score the sentences of a block: is each one an appeal by itself?

Each sentence gets a lexicon score (:mod:`scoring`) and, when it could be an
appeal at all (a signal word, or appeal vocabulary in German, French or
Spanish: :func:`concepts.has_concept`), the appeal model's probability. Which
sentences then go together as an appeal, and what is cut, is :mod:`runs`.
Story glued to an appeal without a stop is found by :mod:`glued`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from reader.core.cleaner import concepts, notices
from reader.core.cleaner import lexicon as lx
from reader.core.cleaner import model as appeal_model
from reader.core.cleaner.glued import glued_story_end, glued_story_start
from reader.core.cleaner.scoring import (
    _ANCHOR_CATEGORIES,
    _CONCEPT_ANCHOR_WORDS,
    _OFFER_TERMS,
    P_VETO,
    P_WEAK,
    QUESTION_WORD,
    Scored,
    _quiet,
    mask_quotes,
    rule_features,
    score_sentence,
    score_with_words,
    story,
)
from reader.core.cleaner.sentences import split_sentences

Span = tuple[int, int, str]  # start, end, rule

# Speech set off by a comma and followed by who said it, without quotation
# marks ("Need a lift?, he asked.", "Brauchen Sie Hilfe?, fragte man mich."):
# someone's words reported in the story, never the outlet's own appeal.
# (Quoted speech is narration already: the model's "s:quote".)
_REPORTED_SPEECH = re.compile(r"[?!],\s*[^\W\d_]")


def analyse(
    text: str,
    offset: int,
    is_kept: Callable[[str], bool],
    gate: bool = True,
    weigh: bool = False,
) -> list[Scored]:
    """Scored sentences of ``text[offset:]``. With ``gate``, a block without a
    single appeal word comes back as one zero-score "sentence" (it is story).
    ``weigh`` asks the model about every sentence (a promo box), not only
    in blocks where the lexicon sees something."""
    if gate and gated_out(text):
        return story(text, offset, is_kept)
    masked = mask_quotes(text)
    scored = []
    words: dict[int, list[str]] = {}  # model.tokens of a sentence, where scoring found them
    plain: dict[int, list[str]] = {}  # its whitespace tokens, lowercased, where unmasked
    for start, end in split_sentences(text, offset):
        segment = masked[start:end]
        low = segment.lower()
        tokens = low.replace("’", "'").split() if "’" in low else low.split()
        if masked is text and "’" not in low:
            plain[start] = tokens  # also has_concept's tokens (text.lower().split())
        if _quiet(segment, tokens):
            sentence = Scored(start, end, 0.0, lx.PROMO, len(tokens), False, False, 0, frozenset())
        else:
            sentence, found = score_with_words(masked, start, end)
            if (masked is text or segment == text[start:end]) and (
                segment.isascii() or segment.replace("’", "'").isascii()
            ):
                words[start] = found
        sentence.protected = (
            is_kept(text[start:end])
            or _REPORTED_SPEECH.search(segment) is not None
            or notices.correction_of_itself(segment, tokens)
        )
        if sentence.question:
            sentence.inquiry = QUESTION_WORD.search(text, start, end) is not None
        scored.append(sentence)
    # The model weighs the sentences that could be appeals by themselves: the
    # lexicon sees something, or they speak like an appeal in another language.
    # The others matter only as neighbours of an appeal, so they are weighed
    # only when the block holds one (most story blocks stop here cheaply).
    model = appeal_model.current()
    pending = []
    for sentence in scored:
        if (
            weigh
            or sentence.score > 0
            or sentence.chrome
            or sentence.question
            or concepts.has_concept(text[sentence.start : sentence.end], plain.get(sentence.start))
            or notices.speaks_of_itself(
                text[sentence.start : sentence.end], plain.get(sentence.start)
            )
        ):
            _weigh(text, masked, sentence, model, words.get(sentence.start))
        else:
            pending.append(sentence)
    if pending and any(sentence.strong for sentence in scored):
        for sentence in pending:
            _weigh(text, masked, sentence, model, words.get(sentence.start))
    return scored


def _weigh(
    text: str,
    masked: str,
    sentence: Scored,
    model: appeal_model.Model,
    words: list[str] | None = None,
) -> None:
    """Set the model's probability and the anchor flag of one sentence
    (``words``: its ``model.tokens``, when known)."""
    found = appeal_model.features(text[sentence.start : sentence.end], words)
    sentence.p = model.probability_of(found | rule_features(sentence))
    sentence.evidence = (
        sentence.score > 0 or sentence.chrome or not found.isdisjoint(appeal_model.EVIDENCE)
    )
    sentence.paired = not (
        found.isdisjoint(appeal_model.VOICES) or found.isdisjoint(appeal_model.ASKS)
    )
    # A concept alone (no voice) anchors only a short line ("Subscribers
    # only."): a longer third-person sentence naming subscriptions is news.
    sentence.sells = not found.isdisjoint(appeal_model.SELLS)
    sentence.voiced = not found.isdisjoint(appeal_model.PERSONS)
    sentence.formal = "s:formal" in found
    sentence.narrated = not found.isdisjoint(appeal_model.NARRATION) or (
        "s:digit" in found and "s:currency" not in found
    )
    sentence.conceptual = not found.isdisjoint(appeal_model.CONCEPTS)
    sentence.priced = lx.PRICE in sentence.categories or (
        "s:currency" in found and "k:month" in found
    )
    # A sentence about someone ("She left the newsroom to start a reader-funded
    # site") is anchored only by a voice of its own.
    about_someone = "s:third" in found
    sentence.anchored = not found.isdisjoint(appeal_model.VOICES) or (
        not about_someone
        and (
            (sentence.words <= _CONCEPT_ANCHOR_WORDS and not found.isdisjoint(appeal_model.ANCHORS))
            or bool(sentence.categories & _ANCHOR_CATEGORIES)
            or sentence.strong_hits > 0
            # An offer spelled out: "Full access, the first month free, cancel any time."
            or (len(found & appeal_model.SELLS) >= _OFFER_TERMS and "s:report" not in found)
        )
    )
    if sentence.words <= _NOTICE_WORDS and notices.notice_about_itself(
        text[sentence.start : sentence.end], found
    ):
        # A notice about the text itself, in any language: "Dieser Inhalt ist
        # exklusiv für Abonnenten.", "Este artículo se publicó originalmente en ...".
        sentence.p = max(sentence.p, P_NOTICE)
        sentence.anchored = True
    if sentence.strong and not sentence.chrome:
        sentence.story_after = glued_story_start(text, sentence) is not None
        sentence.story_before = glued_story_end(text, sentence) is not None
    if sentence.score >= lx.STRONG and sentence.p < P_VETO:
        # A pitch with the story glued on ("Become a member The city
        # council voted ..."): the model judges the pitch alone.
        cut = glued_story_start(text, sentence)
        if cut is not None:
            head = score_sentence(masked, sentence.start, cut)
            found = appeal_model.features(text[sentence.start : cut])
            sentence.p = model.probability_of(found | rule_features(head))


_NOTICE_WORDS = 20
P_NOTICE = 0.95


def gated_out(text: str) -> bool:
    """Whether ``text`` has no word that could make an appeal sentence: none of
    the lexicon's gate words, of the model's (:func:`model.gate_words`) or of
    its concept words (:func:`concepts.has_concept`), looked up in one set."""
    tokens = text.lower().split()
    return (
        _openers().isdisjoint(tokens)
        # A capitalised gate word is, lowercased, one of the lowercased tokens:
        # most text has none, and is spared a second split.
        and (_CAPITALIZED_LOWER.isdisjoint(tokens) or lx.CAPITALIZED_GATE.isdisjoint(text.split()))
        and not concepts.concept_beyond_tokens(text, tokens)
        # A notice about the text itself: "Este artículo se publicó originalmente ..."
        and not notices.speaks_of_itself(text, tokens)
    )


_CAPITALIZED_LOWER = frozenset(word.lower() for word in lx.CAPITALIZED_GATE)


_OPENERS: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())


def _openers() -> frozenset[str]:
    """The union of the gate's lowercase word sets (rebuilt when the model changes)."""
    global _OPENERS
    gate = appeal_model.gate_words()
    if _OPENERS[0] is not gate or not _OPENERS[1]:
        _OPENERS = (gate, lx.GATE | concepts.CONCEPT_TOKENS | gate)
    return _OPENERS[1]


def inert(scored: list[Scored]) -> bool:
    """No sentence with any appeal signal: nothing here can be cut or absorbed."""
    return all(s.score <= 0 and not s.chrome and not s.question and s.p < P_WEAK for s in scored)
