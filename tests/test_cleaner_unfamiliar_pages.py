"""Issue 13, part 3: the story on pages of a kind never seen.

Rules about kinds of text and markup, each with an example written for this
test: a UTF-8 page with a stray legacy byte, letters written as a base plus a
combining mark, an empty formatting element inside a sentence, speech reported
without quotation marks, and a text whose story is itself the offer.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from test_extract import _sectioned_page

from reader.core.cleaner import clean, pipeline
from reader.core.cleaner.extract import decode_page, extract_story, fragment_text

# --- decoding ---------------------------------------------------------------------


def _page(body: str, charset: str = "utf-8") -> str:
    return (
        f'<html><head><meta charset="{charset}"><title>T</title></head><body>{body}</body></html>'
    )


def test_utf8_page_with_a_stray_legacy_byte_stays_utf8() -> None:
    story = "<p>Die Brücke über die Förde wird im März für Radfahrer geöffnet, heißt es.</p>" * 4
    # A Windows-1252 "Grüße" pasted into a comment of an otherwise UTF-8 page.
    raw = _page(story).encode("utf-8").replace(b"<title>", b"<!-- Gr\xfc\xdfe --><title>")
    text = decode_page(raw)
    assert "Brücke über die Förde" in text and "heißt" in text
    assert "Ã" not in text  # not read as Windows-1252 (mojibake)


def test_a_page_in_a_single_byte_codec_is_not_read_as_utf8() -> None:
    raw = _page("<p>Die Brücke über die Förde wird geöffnet.</p>", "utf-8").encode("cp1252")
    text = decode_page(raw)
    assert "Brücke über die Förde" in text
    assert "\ufffd" not in text


# --- one spelling per letter -----------------------------------------------------------


def test_letters_with_combining_marks_come_out_precomposed() -> None:
    decomposed = unicodedata.normalize(
        "NFD", "Die Gemeinde prüft, ob die Straße für Lkw geöffnet wird."
    )
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    for content, kind in ((f"<p><a href='/x'>{decomposed}</a></p>", "html"), (decomposed, "text")):
        cleaned = clean(content, content_type=kind)  # type: ignore[arg-type]
        assert cleaned.text == unicodedata.normalize("NFC", decomposed)
        assert "prüft" in cleaned.text
    links = clean(f"<p>Vorher <a href='https://x.example/a'>{decomposed}</a></p>").blocks[0].links
    text = clean(f"<p>Vorher <a href='https://x.example/a'>{decomposed}</a></p>").text
    assert text[links[0].start : links[0].end] == unicodedata.normalize("NFC", decomposed)


# --- empty formatting inside a sentence -------------------------------------------------


def test_text_after_an_empty_formatting_element_is_kept() -> None:
    """trafilatura's precision mode deletes an empty element with the text after it."""
    page = _sectioned_page(
        '<p>The service was <strong>announced</strong> on Monday. <strong>Called </strong><em>"overdue"'
        "</em><strong></strong> by the mayor in a radio interview, it starts in May.<i></i></p>"
    )
    text = fragment_text(extract_story(page).html)
    assert 'Called "overdue" by the mayor in a radio interview, it starts in May.' in text
    assert "Paragraph 6" in text


# --- speech reported without quotation marks ---------------------------------------------


@pytest.mark.parametrize(
    "speech",
    [
        "Would you like to support our local team?, the cashier asked me.",
        "Benötigen Sie juristische Unterstützung nach dem Unfall?, wollte man noch am Schalter wissen.",
        "Voulez-vous soutenir notre association ?, m'a demandé la bénévole.",
    ],
)
def test_speech_reported_without_quotation_marks_is_story(speech: str) -> None:
    text = f"We waited two hours at the counter.\n\n{speech} Nobody answered.\n\nThe queue moved slowly."
    assert speech in clean(text, content_type="text").text


def test_an_appeal_that_only_looks_like_speech_still_goes() -> None:
    """The comma after the question is the mark: a pitch's question has none."""
    text = (
        "The ferry timetable changes on Monday, the operator said.\n\n"
        "Enjoyed this article? Support our journalism. Donate now to keep it free for everyone.\n\n"
        "Two new boats join the fleet in June."
    )
    assert "Donate" not in clean(text, content_type="text").text


# --- a text whose story is the offer -----------------------------------------------------------

_SERVICE = (
    "Kletterkurse am Fels\n\n"
    "Sie planen Ihren ersten Kurs draußen? Fragen Sie bei uns nach… Wir gehen gern mit Ihnen"
    " den Ablauf durch.\n\n"
    "Wir kennen alle Trainer persönlich. Melden Sie sich bei uns und wir vermitteln Ihnen einen"
    " Platz.\n\n"
    "Kosten: Unsere Vermittlung ist für Sie kostenlos."
)


def test_a_text_that_is_mostly_its_own_offer_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """When appeal removal would take most of a text, only what the lexicon is
    sure of goes: here nothing (the model alone read the offer as a pitch)."""
    assert clean(_SERVICE, content_type="text").text == _SERVICE
    monkeypatch.setattr(pipeline, "_STORY_SHARE", 2.0)  # the rule off: the model's reading
    assert len(clean(_SERVICE, content_type="text").text) < len(_SERVICE) / 2


def test_a_sure_appeal_still_goes_however_much_of_the_text_it_is() -> None:
    text = (
        "The ferry timetable changes on Monday.\n\n"
        "Support our journalism. Donate now to keep independent reporting free for everyone."
        " Become a member today."
    )
    assert clean(text, content_type="text").text == "The ferry timetable changes on Monday."


def test_a_small_appeal_in_a_long_story_is_unaffected() -> None:
    story = " ".join(f"Sentence {n} of the council report was read aloud." for n in range(12))
    text = f"{story}\n\nFragen Sie bei uns nach… Wir gehen gern mit Ihnen den Ablauf durch."
    out = clean(text, content_type="text").text
    assert out.startswith(story) and "Fragen Sie bei uns nach" not in out
    assert re.search(r"\bSentence 11\b", out)


_PANEL = (
    "Das Verkostungspanel der Rösterei\n\n"
    "Werden Sie Teil unseres Verkostungspanels! Registrieren Sie sich jetzt und bewerten Sie"
    " neue Sorten.\n\n"
    "Nach der Registrierung erhalten Sie eine E-Mail mit einem Bestätigungslink.\n\n"
    "Wer registriert ist, wird zu jeder neuen Verkostung eingeladen.\n\n"
    "Die Registrierung kann jederzeit im Profil gelöscht werden.\n\n"
    "Die Rösterei liegt seit 1952 am Hafen und beliefert heute Cafés in der ganzen Region."
    " Jede Woche kommen zwei neue Sorten hinzu, die zuerst im Panel getestet werden."
)


def test_an_offer_the_text_keeps_naming_is_its_subject(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page about registering for a panel: the call to register is its story."""
    assert clean(_PANEL, content_type="text").text == _PANEL
    monkeypatch.setattr(pipeline, "_NAMED_AGAIN", 99)  # the rule off: the model's reading
    assert "Registrieren Sie sich jetzt" not in clean(_PANEL, content_type="text").text


def test_an_appeal_whose_offer_the_story_does_not_name_still_goes() -> None:
    text = _PANEL.replace("Registrierung", "Anreise").replace("registriert", "angereist")
    assert "Registrieren Sie sich jetzt" not in clean(text, content_type="text").text


def test_concepts_named_are_the_appeal_concepts_of_the_words() -> None:
    from reader.core.cleaner import model as appeal_model

    assert "k:register" in appeal_model.concepts_named("Wer registriert ist, wird eingeladen.")
    assert appeal_model.concepts_named("Die Fähre fährt zweimal am Tag.") == set()


def test_a_description_matching_a_teaser_elsewhere_leaves_the_marked_lede() -> None:
    """The page's description matches a teaser in a list (rejected as a lede):
    the element the page marks as its lede is the next witness."""
    from test_extract import _lede_page

    teaser = "Ferry news in brief: the regional ferry will cross twice a day from spring"
    page = _lede_page().replace(
        '<meta name="description" content="', f'<meta name="description" content="{teaser}. '
    )
    page = page.replace(
        "<main>", f'<main><ul class="teasers"><li><p>{teaser}, the council says.</p></li></ul>'
    )
    text = fragment_text(extract_story(page, "https://gazette.example.org/f").html)
    assert text.startswith("The regional ferry will cross twice a day from spring")
    assert "Ferry news in brief" not in text
