"""Story glued to an appeal without a stop ("Become a member The city council
voted ..."): where the story starts (:func:`glued_story_start`) or ends
(:func:`glued_story_end`) inside one sentence, so only the appeal is cut."""

from __future__ import annotations

import re

from reader.core.cleaner import lexicon as lx
from reader.core.cleaner import model as appeal_model
from reader.core.cleaner.lexicon import words
from reader.core.cleaner.scoring import (
    _CAPITAL,
    _FUNCTION_WORDS,
    _HEAD_CAPITAL,
    _PITCH_CATEGORIES,
    P_TAIL,
    P_WEAK,
    Scored,
    _signal_end,
    mask_quotes,
    opens_with_call,
    rule_features,
    score_sentence,
)
from reader.core.cleaner.sentences import _CALL_AFTER, _is_abbreviation

Span = tuple[int, int, str]  # start, end, rule


def glued_story_start(text: str, sentence: Scored) -> int | None:
    """Where the story starts inside an appeal sentence it was glued to without
    punctuation ("...Sign Up Now Pakistan announced Friday ..."), if anywhere.

    The story must follow the appeal's last feature, begin with a capital after
    a content word, outside quotes, end like a sentence and carry no appeal
    signal of its own.
    """
    tail_end = sentence.end
    if text[tail_end - 1 : tail_end] not in {".", "!", "?", "…", '"', "”", "’", "»"}:
        return None
    masked = mask_quotes(text)
    signal_end = _signal_end(masked, sentence)
    fallback = None
    for cut, after_stop in _candidate_cuts(text, sentence.start, tail_end):
        if masked[cut] != text[cut] or _inside_brackets(text, sentence.start, cut):
            continue  # inside a quotation or brackets: "(D-N.Y.)", "[Name=Title]"
        previous = text[max(sentence.start, cut - 40) : cut].split()
        if not previous:
            continue
        word = previous[-1]
        if not after_stop and (not word[-1].isalnum() or _ends_no_sentence(word)):
            continue
        speech_end = _speech_end(text, cut, tail_end)
        runs_on = speech_end is not None
        length = len(text[cut : speech_end or tail_end].split())
        if length < 3:
            break  # too short to be a story's opening sentence
        suffix = score_sentence(masked, cut, tail_end)
        # A pitch's phrase in reported speech ("..., the company said") is news.
        pitch_phrase = suffix.strong_hits and lx.REPORT not in suffix.categories
        if pitch_phrase or suffix.chrome or not (runs_on or _opens_sentence(text, cut, tail_end)):
            continue
        model = appeal_model.current()
        found = appeal_model.features(text[cut:tail_end]) | rule_features(suffix)
        # The reader addressed or the outlet speaking, in any language ("...
        # Helfen Sie mit, dass wir ..."): the pitch goes on, unless the piece
        # before it stands as an appeal on its own (below).
        speaks = not found.isdisjoint(appeal_model.PERSONS) or appeal_model.formal_address(
            text, cut, tail_end
        )
        tail_p = model.probability_of(found)
        if tail_p >= P_TAIL and (
            length >= _SURE_LENGTH or not found.isdisjoint(appeal_model.ANCHORS)
        ):
            # The model reads it as part of the pitch (in any language); a short
            # piece must also point at the reader, the outlet or what it sells.
            continue
        if (
            cut >= signal_end
            and length >= 8
            and suffix.score < 1.5
            and not suffix.categories & {lx.ADDRESS, lx.VOICE, lx.TEASER}
            and not speaks
        ):
            if not suffix.categories & _PITCH_CATEGORIES:
                return _later_cut(text, fallback, cut)
            fallback = cut if fallback is None else fallback
            continue
        # A story sentence may address the reader ("You control where ..."):
        # the model decides whether it reads like the pitch or like the story,
        # and the appeal before it must stand as one on its own.
        if length < 4 or (word.isalpha() and word[0].isupper()):
            continue  # after a capitalised word it may be a name: "Alex Heath"
        head = score_sentence(masked, sentence.start, cut)
        head.p = model.probability_of(
            appeal_model.features(text[sentence.start : cut]) | rule_features(head)
        )
        if (
            _button(text[sentence.start : cut], head.p)
            and tail_p < P_WEAK
            and not (suffix.strong_hits or suffix.question or speaks)
        ):
            return _later_cut(text, fallback, cut)
        if head.strong:
            if not (suffix.categories & _PITCH_CATEGORIES or speaks):
                return _later_cut(text, fallback, cut)
            fallback = cut if fallback is None else fallback
    # A later cut whose story has no word of the pitch's vocabulary beats an
    # earlier one ("Get our daily Entertainment newsletter The council ...").
    return fallback


def _button(head: str, p: float) -> bool:
    """A button's words before the story, in any language ("Hier anmelden",
    "Jetzt abonnieren", "Je m'abonne"): a call of a few words the model is sure of."""
    return len(head.split()) <= _BUTTON_WORDS and p >= P_BUTTON


_BUTTON_WORDS = 3
P_BUTTON = 0.95


def _later_cut(text: str, fallback: int | None, cut: int) -> int:
    """A later cut beats an earlier one only across the pitch's last few words
    ("Get our daily Entertainment newsletter The council ..."): further on, the
    pitch's vocabulary belongs to the story ("... his own account ...")."""
    if fallback is None:
        return cut
    between = text[fallback:cut]
    if len(between.split()) > _PITCH_TAIL_WORDS:
        return fallback
    # The words skipped must name what the pitch sells ("newsletter"), not
    # just speak as "we" or "you" ("Yet our shocked experts ...").
    found = score_sentence(mask_quotes(between), 0, len(between))
    return cut if found.strong_hits or found.categories - _PERSONAL_CATEGORIES else fallback


_PERSONAL_CATEGORIES = frozenset({lx.ADDRESS, lx.VOICE, lx.REPORT})
# Articles, prepositions, conjunctions and possessives of German, French,
# Spanish and Italian (English: scoring._FUNCTION_WORDS): no sentence ends with
# one. Not verbs or pronouns, which end German clauses ("..., was wir können").
_OPEN_WORDS = words(
    "der die das den dem des ein eine einer einen einem eines und oder aber zu mit von auf im"
    " bei aus nach für um über unter durch gegen ohne bis seit während am zum zur vom ins"
    " unser unsere unseren unserem unserer dein deine deinen deinem deiner euer eure ihre ihrem"
    " ihren ihrer"
    " le la les de des du et un une en à au aux dans par sur pour avec sans sous ou mais"
    " notre nos votre vos mon ma mes son sa ses leur leurs"
    " el los las del y una al por para con sin sobre hasta desde entre pero"
    " nuestro nuestra nuestros nuestras tus mis sus"
    " il gli della delle dei degli nel nella per che di e nostro nostra nostri nostre tuo"
    " tua tuoi vostro vostra"
)


def _ends_no_sentence(word: str) -> bool:
    """An article, preposition, conjunction or possessive, in any of the
    cleaner's languages ("... Folgen Sie uns auf", "Mit unserer"): no sentence
    ends with it, so no story starts after it. (German capitalises nouns, so a
    capital after such a word opens no sentence.)"""
    lowered = word.lower()
    return lowered in _FUNCTION_WORDS or lowered in _OPEN_WORDS


_PITCH_TAIL_WORDS = 3
_SURE_LENGTH = 8  # words: a piece this long is judged by the model alone


def glued_story_end(text: str, sentence: Scored, lenient: bool = False) -> int | None:
    """Where an appeal starts inside a sentence whose opening is story text
    without a final stop ("... Change % Your support helps us ..."), if anywhere:
    a capital after a content word, with no appeal signal before it and an
    appeal after it."""
    masked = mask_quotes(text)
    model = appeal_model.current()
    best = None
    for match in _HEAD_CAPITAL.finditer(text, sentence.start, sentence.end):
        cut = match.start(1)
        if masked[cut] != text[cut]:
            continue  # inside a quotation
        previous = text[sentence.start : cut].split()
        if len(previous) < 3:
            continue
        word = previous[-1]
        if word in _FUNCTION_WORDS or word[-1] in ",;:-–—(":
            continue
        if word.isalpha() and word[0].isupper() and not _title_case(text[sentence.start : cut]):
            # Inside a name ("a Pulitzer Prize-winning newsroom"), unless all
            # before it is a title or a product's name ("Wireless Earphones -
            # Black Please disable ...").
            continue
        head = score_sentence(masked, sentence.start, cut)
        if head.score >= lx.STRONG or head.chrome or head.strong_hits:
            break  # the appeal's signal has started
        if head.score > 0:
            # A word of the appeal vocabulary ("your training plan", "how we
            # counted") before a call to action ("Sign up ...", "Please
            # disable ..."): a heading or list item of the story, when the
            # removal is cut (``lenient``) and the model does not read it as
            # a pitch. Elsewhere the appeal's signal has started.
            if not lenient:
                break
            if not (opens_with_call(text[cut : sentence.end]) or _CALL_AFTER.match(text, cut)):
                continue
        head.p = model.probability_of(
            appeal_model.features(text[sentence.start : cut]) | rule_features(head)
        )
        if head.p >= (P_HEAD if head.score > 0 else P_WEAK):
            break
        tail = score_sentence(masked, cut, sentence.end)
        tail.p = model.probability_of(
            appeal_model.features(text[cut : sentence.end]) | rule_features(tail)
        )
        if tail.strong:
            best = cut  # the latest such cut keeps the most story
    return best


P_HEAD = 0.1  # the story before an appeal, with a word of its vocabulary

_MARKERS = "*†‡•"
# A figure that opens a sentence: a numbered item ("3. ..."), a time or a
# decimal ("9.30 A.M."), a compound ("12-megapixel camera ..."), a tally ("1
# sack, 2 tackles"), a share ("8 of those hits"); not an object after a verb
# ("... can share 10 stories a month").
_FIGURE = re.compile(
    r"\d+\.\s|\d+[.:]\d+\s|\d+-[^\W\d_]+\s|\d[\d,.]*\s+\w+[,;]"
    r"|\d[\d,.]*\s+(?:of|out of|per|percent)\b|\d[\d,.]*\s?%"
)
_QUOTE_PAIRS = {'"': '"', "“": "”", "‘": "’", "(": ")", "[": "]", "«": "»", "<": ">"}


def _inside_brackets(text: str, start: int, cut: int) -> bool:
    head = text[start:cut]
    return head.count("(") > head.count(")") or head.count("[") > head.count("]")


def _opens_sentence(text: str, cut: int, end: int) -> bool:
    """Whether ``text[cut:]`` can open a sentence: a capital letter, or a
    quotation long enough to be speech (a quoted title is a few words)."""
    first = text[cut]
    if first in _MARKERS and text[cut + 1 : cut + 2].isalnum():
        return True  # a footnote mark or bullet: "*A draw will decide ..."
    if first.isalpha():
        return True
    if first.isdigit():
        # A figure that opens a sentence, not a price or a unit ("99p for ...").
        return _FIGURE.match(text, cut) is not None
    closing = _QUOTE_PAIRS.get(first)
    # The quotation may itself open with an editor's bracket: "[We] have ...".
    if closing is None or not text[cut + 1 : cut + 3].lstrip("[(‘'@#")[:1].isalnum():
        return False
    close = text.find(closing, cut + 1, end)
    quoted = text[cut + 1 : close if close >= 0 else end]
    # Speech with its attribution after it ("“Oh my,” she said") opens a
    # sentence however short, and so does a tag in brackets before the words
    # ("[Agency=Name] The ..."); a quoted title without a comma does not.
    spoken = close > 0 and text[close - 1] in ",!?" and close + 1 < end
    tagged = first in "[(<" and close > 0 and text[close + 1 : close + 3].strip()[:1].isalnum()
    return spoken or tagged or (len(quoted.split()) >= 4 and not _title_case(quoted))


def _candidate_cuts(text: str, start: int, end: int) -> list[tuple[int, bool]]:
    """Where a story may start inside ``text[start:end]``, in order: a capital
    (or an opening mark) run on without a stop, and a lowercase word after a
    stop that closes no abbreviation ("... please give today. iPhone sales
    rose ...", "... heute. über 300 ..."): the splitter opens no sentence there, since
    prose goes on in lowercase after "etc." or "z.B." too. Flagged True."""
    cuts = [(match.start(1), False) for match in _CAPITAL.finditer(text, start, end)]
    for match in _LOWER_AFTER_STOP.finditer(text, start, end):
        if text[match.start(1)].islower() and not _is_abbreviation(text, match.start() + 1):
            cuts.append((match.start(1), True))
    return sorted(cuts)


# A stop (not an ellipsis), then a word in lowercase.
_LOWER_AFTER_STOP = re.compile(r"(?<![.…])[.!?][\"”’»)]*\s+([^\W\d_])")


def _speech_end(text: str, cut: int, end: int) -> int | None:
    """Where the quotation opening at ``cut`` closes, if it runs on past the
    sentence ending at ``end`` ('... access "No. We asked twice and heard
    nothing," she said'): speech of several sentences, so the story's own words
    however short its first sentence. A quoted title closes inside its
    sentence; a button never opens speech."""
    closing = _SPEECH_MARKS.get(text[cut])
    if closing is None or not text[cut + 1 : cut + 2].isalpha():
        return None
    if text.find(closing, cut + 1, end) >= 0:
        return None
    close = text.find(closing, end)
    return close if close >= 0 else None


_SPEECH_MARKS = {'"': '"', "“": "”", "«": "»", "„": "“"}


def _title_case(quoted: str) -> bool:
    """Whether a quotation is a title ("10 Things in Tech You Need to Know"):
    most of its words capitalised."""
    words = [word for word in quoted.split() if word[:1].isalpha()]
    return bool(words) and sum(word[0].isupper() for word in words) >= 0.6 * len(words)
