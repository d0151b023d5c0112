"""Score one sentence: is it an appeal by itself?

Each sentence gets a lexicon score (:mod:`lexicon`) and the features the appeal
model reads (:mod:`model`). :mod:`appeals` runs this over a block and asks the
model; :mod:`glued` finds story glued to an appeal without a stop.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from reader.core.cleaner import lexicon as lx
from reader.core.cleaner import model as appeal_model
from reader.core.cleaner.lexicon import words

Span = tuple[int, int, str]  # start, end, rule

_WORD = re.compile(r"\w+(?:['’]\w+)*")
# Quoted speech is someone else talking: its "we" and "you" are not the outlet's.
_QUOTED = re.compile(r'“[^”]*(?:”|$)|"[^"]*(?:"|$)|«[^»]*(?:»|$)')
_CURRENCY = re.compile(r"[$£€]|\b(?:days|weeks|months)\b")
_LABEL_SEPARATORS = re.compile(r"\s[-–—|•·]\s|\s*[|•·]\s*")
_SEPARATOR_CHARS = re.compile(r"[-–—|•·]")  # every _LABEL_SEPARATORS match holds one
# A word that may open a sentence: a capital, or a letter of a script without case.
_HEAD_CAPITAL = re.compile(r"\s([^\W\d_a-zß-öø-ÿа-яё][\w'’.-]*)")
_CAPITAL = re.compile(r"\s([\"“‘(\[«<*†‡•@#]{0,2}[^\W_a-zß-öø-ÿа-яё][\w'’.-]*)")
_FUNCTION_WORDS = words(
    "a an the of to for from with by in on at and or but as into about than that this "
    "these those its their his her our your my is are was were be"
)
_ANCHOR_CATEGORIES = frozenset({lx.VOICE, lx.IDENTITY, lx.SELF})
_TABLE_WORDS = frozenset(lx.WORD_TABLE)  # without "us": checked case-sensitively
# A sentence opening with one of these may put its imperative after a comma.
_CLAUSE_LEADS = words("if to when before while once whether otherwise so for after since")
# An imperative whose object is a clause is rhetoric, not a call to action
# ("Now consider what we know about ...").
_DILUTED_WORDS = 30
_CLAUSE_OBJECTS = words("what how why whether where who which that")
# Thresholds on the appeal model's probability (see model.py). A sentence the
# model finds this likely alone is an appeal; below P_VETO even the lexicon's
# strong phrases do not make it one ("when unsure, keep"); P_ABSORB and P_WEAK
# are what a neighbour of an appeal needs to be part of it.
P_STRONG = 0.9
P_VETO = 0.05
P_ABSORB = 0.5
P_WEAK = 0.2
P_SHORT = 0.7
P_LEAN = 0.35
P_PAIRED = 0.6
P_TAIL = 0.75  # what a longer sentence after a pitch needs to be its tail
_CONCEPT_ANCHOR_WORDS = 12
_OFFER_TERMS = 2
P_HINTED = 0.75  # alone, inside a promo box (class or id says so)
_PITCH_CATEGORIES = frozenset({lx.SIGN, lx.GIVE, lx.VOICE, lx.SELF, lx.IDENTITY, lx.TEASER})
_PHRASE_ORDER = {id(phrase): index for index, phrase in enumerate(lx.PHRASES)}
_SIGNALS = frozenset(
    {lx.ADDRESS, lx.VOICE, lx.GIVE, lx.SIGN, lx.JOURNALISM, lx.FREE, lx.PRICE, lx.IDENTITY,
     lx.SELF}
)  # fmt: skip


@dataclass(slots=True)
class Scored:
    start: int
    end: int
    score: float
    rule: str
    words: int
    question: bool
    chrome: bool
    strong_hits: int
    categories: frozenset[str]
    protected: bool = False
    p: float = 0.0  # the appeal model's probability for this sentence
    # Whether the sentence points at the reader, the outlet or what it sells
    # (you/we/us in any language, an imperative, a pitch concept): the model
    # alone never makes an appeal of a sentence without such an anchor.
    anchored: bool = False
    # Names what an outlet sells (subscription, newsletter, account, app, a
    # free offer ...) or speaks as the outlet or to the reader, in any language.
    sells: bool = False
    voiced: bool = False
    # English addressed to the reader that never points at the outlet or its
    # products ("Sign up for the flu jab at your surgery"): advice, which the
    # model alone does not make an appeal (the lexicon's anchoring rule).
    advice: bool = False
    # German formal address ("Sie", "Ihr" with a capital inside a sentence):
    # news seldom speaks to the reader so, pitches and service notes do.
    formal: bool = False
    upper: bool = False  # written in capitals only (a headline)
    # Addresses the reader (or speaks as the outlet, or commands) and names
    # what an appeal asks for, in any language: a lower probability suffices.
    paired: bool = False
    # Some appeal signal of its own (a lexicon score, a voice, an appeal
    # concept): without one a sentence is never a pitch's tail, and a lead-in
    # only as a question.
    evidence: bool = False
    # Marks of narration: a reporting verb, a third-person opener, quotation
    # marks, a figure that is not a price. An outlet's pitch has none of them.
    narrated: bool = False
    # Names something of the appeal vocabulary (a concept stem, any language).
    conceptual: bool = False
    # Opens with a call to action the lexicon knows (English imperatives).
    calls: bool = False
    # Names a price by the month or year (any language): "$5 a month", "ab 5 Euro im Monat".
    priced: bool = False
    # A question with a question word ("Wait, what?", "Who knew?"): it asks
    # something, as a story does; a pitch's bare question does not ("Like this?").
    inquiry: bool = False
    story_after: bool = False  # story glued to its end without a stop
    story_before: bool = False  # story glued to its start without a stop

    @property
    def strong(self) -> bool:
        return (
            self.chrome
            or (self.score >= lx.STRONG and self.p >= P_VETO)
            or (self.p >= P_STRONG and self.anchored and not self.advice)
            or (self.p >= P_PAIRED and self.paired and not self.advice)
        )

    @property
    def signalled(self) -> bool:
        """Whether the sentence carries an appeal signal of its own: only such a
        sentence may go with an appeal next to it."""
        return self.chrome or self.p >= P_ABSORB or (self.score >= lx.WEAK and self.p >= P_LEAN)


# Question words of the cleaner's languages (German "was" is also English "was":
# "Was it worth it?" asks something too).
QUESTION_WORD = re.compile(
    r"\b(?:what|who|whom|whose|why|how|when|where|which|was|wer|wen|wem|warum|wieso|weshalb"
    r"|wie|wann|wo|welche[rsnm]?|quoi|qui|pourquoi|comment|quand|où|quel(?:le)?s?|qué|quién"
    r"|quiénes|por qué|cómo|cuándo|dónde|cuál|cuáles|cosa|chi|perché|come|quando|dove)\b",
    re.I,
)


def mask_quotes(text: str) -> str:
    """``text`` with the inside of quotations blanked (same length, same offsets)."""
    if '"' not in text and "“" not in text and "«" not in text:
        return text
    return _QUOTED.sub(lambda m: m.group()[0] + " " * (len(m.group()) - 1), text)


def _may_price(segment: str) -> bool:
    """Whether _CURRENCY can match: every match holds one of these (substring
    tests are far cheaper than its word branch, tried at every position)."""
    return (
        "$" in segment or "£" in segment or "€" in segment
        or "days" in segment or "weeks" in segment or "months" in segment
    )  # fmt: skip


def _chrome_rule(segment: str, words: int) -> str | None:
    if lx.CHROME_PREFIX.match(segment):
        return "chrome.readmore"
    if words > lx.CHROME_MAX_WORDS:
        return None
    # "Advertisement - scroll to continue": every label in the line must be chrome.
    rule = None
    # Without a separator character the split is the segment itself; the regex
    # would take quadratic time on a quotation blanked to spaces.
    parts = _LABEL_SEPARATORS.split(segment) if _SEPARATOR_CHARS.search(segment) else [segment]
    for part in parts:
        label = part.strip(" .!?:;,…→›»>\"'“”‘’()[]")
        if label:
            rule = _chrome_label(label)
            if rule is None:
                return None
    return rule


def _chrome_label(label: str) -> str | None:
    for rule, pattern in lx.CHROME:
        if pattern.fullmatch(label):
            return rule
    return None


def score_sentence(masked: str, start: int, end: int) -> Scored:
    """Score ``masked[start:end]`` (quotes already blanked)."""
    return score_with_words(masked, start, end)[0]


def score_with_words(masked: str, start: int, end: int) -> tuple[Scored, list[str]]:
    """:func:`score_sentence`, and the lowercased words it found (``model.tokens``
    of the segment when the segment is ASCII but for ’: lowercasing then keeps
    every word whole)."""
    segment = masked[start:end]
    tokens = _WORD.findall(segment)
    lowered = [token.lower() for token in tokens]
    if "’" in segment:
        lowered = [word.replace("’", "'") for word in lowered]
    categories, families = _word_categories(tokens, lowered)
    strong_rule, hits = None, 0
    for phrase in _candidate_phrases(lowered):
        if phrase.pattern.search(segment):
            if phrase.rule:
                hits += 1
                strong_rule = strong_rule or phrase.rule
            elif phrase.category:
                categories.add(phrase.category)
    if _may_price(segment) and _CURRENCY.search(segment) and lx.PRICE_PATTERN.search(segment):
        categories.add(lx.PRICE)
    score = sum(lx.WEIGHTS[category] for category in categories) + lx.STRONG * min(hits, 2)
    bonus = _cta_bonus(tokens, lowered)
    if bonus < 2.0:
        bonus = max(bonus, _clause_cta_bonus(segment, lowered))
    score += bonus
    if not hits and not bonus and len(tokens) > _DILUTED_WORDS:
        # Word features scattered over a long sentence: narrative, unless a
        # neighbouring appeal claims it.
        score = min(score, lx.UNANCHORED_CAP)
    chrome = _chrome_rule(segment, len(tokens))
    unanchored = not (hits or chrome or categories & _ANCHOR_CATEGORIES or "us" in tokens) and (
        lx.ANCHOR_WORDS.isdisjoint(lowered)
    )
    if unanchored:
        score = min(score, lx.UNANCHORED_CAP)
    rule = chrome or strong_rule or _family_rule(families)
    return Scored(
        start, end, score, rule, len(tokens), segment.rstrip().endswith("?"),
        chrome is not None, hits, frozenset(categories), upper=segment.isupper(),
        advice=unanchored and lx.ADDRESS in categories, calls=bonus >= 1.0,
    ), lowered  # fmt: skip


def _word_categories(tokens: list[str], lowered: list[str]) -> tuple[set[str], set[str]]:
    """The lexicon's categories and rule families of a sentence's words: each
    distinct word once (a C-level set intersection, not a loop per token)."""
    categories: set[str] = set()
    families: set[str] = set()
    for word in _TABLE_WORDS.intersection(lowered):
        category, family = lx.WORD_TABLE[word]
        categories.add(category)
        if family:
            families.add(family)
    if "us" in tokens:  # "US" is a country ("us" itself is not in the table)
        categories.add(lx.VOICE)
    return categories, families


def rule_features(sentence: Scored) -> set[str]:
    """The lexicon's findings about a sentence, as features for the appeal model."""
    found = {"r:cat:" + category for category in sentence.categories}
    if sentence.strong_hits:
        found.add("r:phrase")
        found.add("r:phrase:" + sentence.rule)
    if sentence.chrome:
        found.add("r:chrome")
    return found


def sentence_features(text: str, start: int = 0, end: int | None = None) -> set[str]:
    """Every appeal-model feature of ``text[start:end]``: words, characters,
    structure and what the lexicon finds in it."""
    end = len(text) if end is None else end
    sentence = score_sentence(mask_quotes(text), start, end)
    return appeal_model.features(text[start:end]) | rule_features(sentence)


def _clause_cta_bonus(segment: str, lowered: list[str]) -> float:
    """The best call-to-action bonus of a clause that is not the sentence's
    first: after a colon ("Cheaper than a coffee: get a year of ..."), after a
    leading subordinate clause ("If this helped you, consider ...") or after
    "or" ("Sign in or register ...")."""
    clauses = []
    if ": " in segment:
        clauses.append(segment.split(": ", 1)[1])
    if lowered and lowered[0] in _CLAUSE_LEADS and ", " in segment:
        clauses.append(segment.split(", ", 1)[1])
    if " or " in segment:
        clauses.append(segment.split(" or ", 1)[1])
    best = 0.0
    for clause in clauses:
        clause_tokens = _WORD.findall(clause)
        if clause_tokens:
            clause_tokens[0] = clause_tokens[0].capitalize()
            lowered_clause = [t.lower() for t in clause_tokens]
            bonus = _cta_bonus(clause_tokens, lowered_clause)
            if bonus and not _asks_for_something(lowered_clause[1:]):
                # "..., contact your bank": an instruction, not a pitch.
                bonus = min(bonus, 0.5)
            best = max(best, bonus)
    return best


def _asks_for_something(window: list[str]) -> bool:
    """Whether the object of an imperative names something an appeal asks
    for: the outlet, its products, money, a sign-up (not just "your ...")."""
    for word in window:
        entry = lx.WORD_TABLE.get(word)
        if (entry and entry[0] in _SIGNALS and entry[0] != lx.ADDRESS) or word == "us":
            return True
    return not lx.ANCHOR_WORDS.isdisjoint(window)


def _candidate_phrases(lowered: list[str]) -> list[lx.Phrase]:
    triggered = lx.TRIGGERS.intersection(lowered)
    if not triggered:
        return []
    if len(triggered) == 1:
        return list(lx.PHRASES_BY_TRIGGER[next(iter(triggered))])
    seen: dict[int, lx.Phrase] = {}
    for word in triggered:
        for phrase in lx.PHRASES_BY_TRIGGER[word]:
            seen[id(phrase)] = phrase
    # In the lexicon's order, not the set's (string hashes vary between runs):
    # the first strong phrase names the rule.
    return sorted(seen.values(), key=lambda phrase: _PHRASE_ORDER[id(phrase)])


def _signal_end(masked: str, sentence: Scored) -> int:
    """Where the sentence's last appeal feature ends."""
    end = sentence.start
    segment = masked[sentence.start : sentence.end]
    for token in _WORD.finditer(segment):
        word = token.group().lower().replace("’", "'")
        entry = lx.WORD_TABLE.get(word)
        if (entry and entry[0] != lx.REPORT) or token.group() == "us":
            end = sentence.start + token.end()
    for phrase in _candidate_phrases(_WORD.findall(segment.lower())):
        for match in phrase.pattern.finditer(segment):
            end = max(end, sentence.start + match.end())
    return end


def opens_with_call(segment: str) -> bool:
    """Whether ``segment`` opens with an imperative call to action ("Sign up
    for ...", "Please disable ...")."""
    tokens = _WORD.findall(segment)
    lowered = [token.lower().replace("’", "'") for token in tokens]
    return _cta_bonus(tokens, lowered) > 0


def _cta_bonus(tokens: list[str], lowered: list[str]) -> float:
    """An imperative call to action with an object worth asking for."""
    index = 0
    while index < len(lowered) and lowered[index] in lx.CTA_LEADS:
        index += 1
    if index >= len(lowered) or lowered[index] not in lx.CTA_VERBS:
        return 0.0
    if index == 0 and tokens[0][:1].islower():
        return 0.0  # a lowercase start is a fragment, not an imperative
    following = lowered[index + 1 :]
    if following and following[0] in _CLAUSE_OBJECTS:
        return 0.0
    if following and following[0] in lx.CTA_NOT_BEFORE and lowered[index] in lx.CTA_NOUNISH:
        return 0.0
    found: set[str] = set()
    for word in following:
        entry = lx.WORD_TABLE.get(word)
        if entry and entry[0] in _SIGNALS:
            found.add(entry[0])
        elif word == "us":
            found.add(lx.VOICE)
    if not found:
        return 1.0  # an imperative addressed to the reader, object unknown
    if found == {lx.VOICE} and not lx.EDITORIAL.isdisjoint(following):
        return 1.0  # "see our review": a cross-reference inside the story
    return 2.0


def _family_rule(families: set[str]) -> str:
    for family in lx.FAMILY_ORDER:
        if family in families:
            return family
    return lx.PROMO


def _quiet(segment: str, tokens: list[str]) -> bool:
    """Whether the lexicon would find nothing in this sentence: none of its
    signal words, no call to action in front or after a colon or "or", no
    price, no question, no chrome label (set lookups per word, in C, instead
    of the full scoring)."""
    if not tokens:
        return True
    if not lx.SIGNAL_TOKENS.isdisjoint(tokens) or "?" in segment or _MONEY.search(segment):
        return False
    first = tokens[0].strip(_PUNCTUATION)
    if first in lx.CTA_VERBS or first in lx.CTA_LEADS or first in _CLAUSE_LEADS:
        return False
    if (": " in segment or " or " in segment) and not lx.CTA_TOKENS.isdisjoint(tokens):
        return False
    if len(tokens) <= lx.CHROME_MAX_WORDS and not lx.SHORT_TOKENS.isdisjoint(tokens):
        return False
    return lx.CHROME_PREFIX.match(segment) is None


_PUNCTUATION = "\"“‘(['’”).,;:!?…"
_MONEY = re.compile(r"[$£€]")


def story(text: str, offset: int, is_kept: Callable[[str], bool]) -> list[Scored]:
    """A block that cannot hold an appeal, as one zero-score "sentence"."""
    return [Scored(offset, len(text), 0.0, lx.PROMO, len(text.split()), False, False, 0,
                   frozenset(), is_kept(text))]  # fmt: skip
