"""Issue 13, part 2: structural signs of a pitch that hold across outlets.

A pitch's weak lead-in or tail goes with it when it speaks as the outlet or to
the reader and carries no mark of narration; a bare question after a pitch
goes with the pitch that answers it; a price after a pitch is its tail. German
capitalises nouns, so a capital after a preposition or inside a pitch that
still addresses the reader is no glued story. Every sentence here is written
for this test.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from reader.core.cleaner import clean
from reader.core.cleaner import model as appeal_model
from reader.core.cleaner.appeals import analyse
from reader.core.cleaner.glued import glued_story_start
from reader.core.cleaner.runs import mark
from reader.core.cleaner.scoring import Scored

WORD = re.compile(r"\w+")


def _counts(text: str) -> Counter[str]:
    return Counter(word.lower() for word in WORD.findall(text))


STORY = "The county library reopened its reading room on Monday, the head librarian said."
AFTER = "Opening hours stay as they were before the closure."


def _cleaned(pitch: str, where: str) -> str:
    if where == "start":
        text = f"{pitch} {STORY}\n\n{AFTER}"
    elif where == "end":
        text = f"{STORY} {pitch}\n\n{AFTER}"
    else:
        text = f"{STORY}\n\n{pitch}\n\n{AFTER}"
    return clean(text, content_type="text").text


def _assert_pitch_gone(pitch: str, where: str) -> None:
    output = _cleaned(pitch, where)
    have, story = _counts(output), _counts(STORY) + _counts(AFTER)
    assert all(have[word] >= count for word, count in story.items()), output
    left = sum(((have - story) & _counts(pitch)).values())
    assert left == 0, output


@pytest.mark.parametrize("where", ["start", "paragraph", "end"])
@pytest.mark.parametrize(
    "pitch",
    [
        # A plain statement in the outlet's voice before the pitch.
        "We have no owner and we run no ads. Become a member today.",
        # A bare question after the pitch, answered by a pitch of its own.
        "Already a subscriber? Log in. New here? It only takes a minute to sign up.",
        # The price after the pitch.
        "Subscribe now for full access to every story. Plans start at $3 a month.",
    ],
)
def test_weak_lead_ins_and_tails_go_with_the_pitch(pitch: str, where: str) -> None:
    _assert_pitch_gone(pitch, where)


@pytest.mark.parametrize(
    "sentence",
    [
        "Schenken Sie uns fünf Minuten, damit wir Ihnen unsere Recherche zeigen können.",
        "Folgen Sie unserer Redaktion auf Instagram und Facebook, damit Ihnen nichts entgeht.",
    ],
)
def test_a_german_pitch_is_not_cut_at_a_capitalised_noun(sentence: str) -> None:
    scored = analyse(sentence, 0, lambda _: False, gate=False)
    assert len(scored) == 1
    assert glued_story_start(sentence, scored[0]) is None


def test_story_glued_after_an_english_pitch_is_still_cut_out() -> None:
    text = f"Get our free weekly newsletter {STORY}"
    scored = analyse(text, 0, lambda _: False, gate=False)
    cut = glued_story_start(text, scored[0])
    assert cut is not None and text[cut:] == STORY


def test_french_imperatives_and_surnames() -> None:
    assert "s:imperative" in appeal_model.features("Devenez membre du club des lecteurs.")
    assert "s:imperative" in appeal_model.features("Participez à la vie du journal.")
    assert "s:imperative" not in appeal_model.features("Martinez a gagné la course.")
    assert "s:imperative" not in appeal_model.features("Rodriguez said the vote was close.")
    assert "s:imperative" not in appeal_model.features("Chez nous, tout va bien.")


def test_formal_address_and_reporting() -> None:
    assert "s:formal" in appeal_model.features("Hat Ihnen das Interview gefallen?")
    assert "s:you" in appeal_model.features("Il tuo contributo conta.")
    assert "s:we" in appeal_model.features("Il nostro lavoro costa.")
    # "a" alone is no reporting verb (French "a déclaré" is caught by "déclaré").
    assert "s:report" not in appeal_model.features("We are not owned by a bank.")
    assert "s:report" in appeal_model.features("Le ministre a déclaré la fin du projet.")


def test_a_story_sentence_in_the_outlets_voice_with_a_figure_stays() -> None:
    """Narration (a figure, someone reported) keeps a "we" sentence out of the pitch."""
    pitch = "We counted 41 stalled projects in the county last year. Become a member today."
    output = _cleaned(pitch, "start")
    assert "We counted 41 stalled projects in the county last year." in output


def _pitch() -> Scored:
    return Scored(0, 20, 6.0, "appeal.membership", 4, False, False, 2, frozenset(), p=1.0)


def _statement(**flags: object) -> Scored:
    sentence = Scored(21, 80, 0.0, "appeal.promo", 9, False, False, 0, frozenset(), p=0.4)
    sentence.evidence = sentence.voiced = sentence.conceptual = True
    for name, value in flags.items():
        setattr(sentence, name, value)
    return sentence


@pytest.mark.parametrize(
    ("flags", "joins"),
    [
        ({}, True),  # the outlet's voice about its offer, the model leaning to a pitch
        ({"conceptual": False}, False),  # a voice alone: "Hey, at least we're getting there."
        ({"narrated": True}, False),  # a figure, a quotation, someone reported
        ({"p": 0.2}, False),  # the model does not lean towards a pitch
        ({"protected": True}, False),  # a keep rule
    ],
)
def test_a_plain_statement_in_the_outlets_voice_joins_the_pitch(
    flags: dict[str, object], joins: bool
) -> None:
    assert mark([_statement(**flags), _pitch()], hinted=False) == [joins, True]
    assert mark([_pitch(), _statement(**flags)], hinted=False) == [True, joins]


def test_an_english_call_to_subscribe_inside_a_paragraph_goes_and_the_story_stays() -> None:
    # The model's features see imperatives only in other languages; the
    # lexicon's call to action ("Subscribe now for ...") counts as the voice.
    before = "The ferry to Holm island resumed service on Monday after a week of storms."
    after = "Passengers said they were relieved to be moving again."
    pitch = "Subscribe now for unlimited access to the full archive."
    cleaned = clean(f"{before} {pitch} {after}\n\n{AFTER}", content_type="text")
    assert cleaned.text == f"{before} {after}\n\n{AFTER}"
    assert [removal.text for removal in cleaned.removed] == [pitch]
    # News about a subscription offer, in the same place, stays.
    news = "The paper told readers to subscribe now for unlimited access, its editor said."
    kept = clean(f"{before} {news} {after}", content_type="text")
    assert kept.text == f"{before} {news} {after}"


@pytest.mark.parametrize("question", ["Wait, what?", "Who knew?", "Und warum?", "¿Por qué?"])
def test_a_storys_own_short_question_before_a_pitch_stays(question: str) -> None:
    # A question word asks something, as a story does; the pitch's own bare
    # question ("Enjoying this?") still goes with it.
    story = f"The ferry to Holm island was cancelled for the third time this week. {question}"
    pitch = "Enjoying this? Our weekly letter brings you the best reads. Sign up free."
    cleaned = clean(f"{story} {pitch}\n\n{AFTER}", content_type="text")
    assert cleaned.blocks[0].text == story
    assert _counts(pitch) == _counts(" ".join(r.text for r in cleaned.removed))


@pytest.mark.parametrize(
    ("sentence", "goes"),
    [
        # Who may read the text, or where it first ran: the text speaks of itself.
        ("This story is for subscribers only.", True),
        ("Dieser Beitrag ist nur mit einem Abo lesbar.", True),
        ("Ce contenu est réservé aux abonnés.", True),
        ("Dieser Text erschien zuerst bei einem unserer Partner.", True),
        ("Este texto se publicó originalmente en otro medio y se reproduce con permiso.", True),
        # Corrections, updates and reports about a text stay.
        ("Correction: This article originally misidentified the library's architect.", False),
        ("The librarian said this article was only available to subscribers until May.", False),
        ("Update: This story now gives the reading room's new opening hours.", False),
    ],
)
def test_a_notice_about_the_text_itself_goes_in_any_language(sentence: str, goes: bool) -> None:
    cleaned = clean(f"{STORY} {sentence}\n\n{AFTER}", content_type="text")
    kept = f"{STORY}\n\n{AFTER}" if goes else f"{STORY} {sentence}\n\n{AFTER}"
    assert cleaned.text == kept
