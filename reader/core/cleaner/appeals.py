"""Score the sentences of a block: is each one an appeal by itself?

Each sentence gets a lexicon score (:mod:`lexicon`) and, when it could be an
appeal at all (a signal word, or appeal vocabulary in German, French or
Spanish: :func:`model.has_concept`), the appeal model's probability. Which
sentences then go together as an appeal, and what is cut, is :mod:`runs`.
Story glued to an appeal without a stop is found here too
(:func:`glued_story_start`, :func:`glued_story_end`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from reader.core.cleaner import lexicon as lx
from reader.core.cleaner import model as appeal_model
from reader.core.cleaner.lexicon import words
from reader.core.cleaner.sentences import split_sentences

Span = tuple[int, int, str]  # start, end, rule

_WORD = re.compile(r"\w+(?:['’]\w+)*")
# Quoted speech is someone else talking: its "we" and "you" are not the outlet's.
_QUOTED = re.compile(r'“[^”]*(?:”|$)|"[^"]*(?:"|$)|«[^»]*(?:»|$)')
_CURRENCY = re.compile(r"[$£€]|\b(?:days|weeks|months)\b")
_LABEL_SEPARATORS = re.compile(r"\s[-–—|•·]\s|\s*[|•·]\s*")
# A word that may open a sentence: a capital, or a letter of a script without case.
_HEAD_CAPITAL = re.compile(r"\s([^\W\d_a-zß-öø-ÿа-яё][\w'’.-]*)")
_CAPITAL = re.compile(r"\s([\"“‘(\[«<*†‡•@#]{0,2}[^\W_a-zß-öø-ÿа-яё][\w'’.-]*)")
_FUNCTION_WORDS = words(
    "a an the of to for from with by in on at and or but as into about than that this "
    "these those its their his her our your my is are was were be"
)
_ANCHOR_CATEGORIES = frozenset({lx.VOICE, lx.IDENTITY, lx.SELF})
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


def mask_quotes(text: str) -> str:
    """``text`` with the inside of quotations blanked (same length, same offsets)."""
    if '"' not in text and "“" not in text and "«" not in text:
        return text
    return _QUOTED.sub(lambda m: m.group()[0] + " " * (len(m.group()) - 1), text)


def _chrome_rule(segment: str, words: int) -> str | None:
    if lx.CHROME_PREFIX.match(segment):
        return "chrome.readmore"
    if words > lx.CHROME_MAX_WORDS:
        return None
    # "Advertisement - scroll to continue": every label in the line must be chrome.
    rule = None
    for part in _LABEL_SEPARATORS.split(segment):
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
    segment = masked[start:end]
    tokens = _WORD.findall(segment)
    lowered = [token.lower() for token in tokens]
    if "’" in segment:
        lowered = [word.replace("’", "'") for word in lowered]
    categories: set[str] = set()
    families: list[str] = []
    for token, word in zip(tokens, lowered, strict=True):
        entry = lx.WORD_TABLE.get(word)
        if entry is None and token == "us":  # "US" is a country
            entry = (lx.VOICE, None)
        if entry is not None:
            categories.add(entry[0])
            if entry[1]:
                families.append(entry[1])
    strong_rule, hits = None, 0
    for phrase in _candidate_phrases(lowered):
        if phrase.pattern.search(segment):
            if phrase.rule:
                hits += 1
                strong_rule = strong_rule or phrase.rule
            elif phrase.category:
                categories.add(phrase.category)
    if _CURRENCY.search(segment) and lx.PRICE_PATTERN.search(segment):
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
        advice=unanchored and lx.ADDRESS in categories,
    )  # fmt: skip


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


def _family_rule(families: list[str]) -> str:
    for family in lx.FAMILY_ORDER:
        if family in families:
            return family
    return lx.PROMO


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
    for start, end in split_sentences(text, offset):
        segment = masked[start:end]
        tokens = segment.lower().replace("’", "'").split()
        if _quiet(segment, tokens):
            sentence = Scored(start, end, 0.0, lx.PROMO, len(tokens), False, False, 0, frozenset())
        else:
            sentence = score_sentence(masked, start, end)
        sentence.protected = is_kept(text[start:end])
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
            or appeal_model.has_concept(text[sentence.start : sentence.end])
        ):
            _weigh(text, masked, sentence, model)
        else:
            pending.append(sentence)
    if pending and any(sentence.strong for sentence in scored):
        for sentence in pending:
            _weigh(text, masked, sentence, model)
    return scored


def _weigh(text: str, masked: str, sentence: Scored, model: appeal_model.Model) -> None:
    """Set the model's probability and the anchor flag of one sentence."""
    found = appeal_model.features(text[sentence.start : sentence.end])
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


def gated_out(text: str) -> bool:
    """Whether ``text`` has no word that could make an appeal sentence."""
    lowered = text.lower()
    tokens = lowered.split()
    if not (lx.GATE.isdisjoint(tokens) and lx.CAPITALIZED_GATE.isdisjoint(text.split())):
        return False
    if appeal_model.has_concept(text, tokens):
        return False
    gate = appeal_model.gate_words()
    return not gate or gate.isdisjoint(tokens)


def inert(scored: list[Scored]) -> bool:
    """No sentence with any appeal signal: nothing here can be cut or absorbed."""
    return all(s.score <= 0 and not s.chrome and not s.question and s.p < P_WEAK for s in scored)


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
    for match in _CAPITAL.finditer(text, sentence.start, tail_end):
        cut = match.start(1)
        if masked[cut] != text[cut] or _inside_brackets(text, sentence.start, cut):
            continue  # inside a quotation or brackets: "(D-N.Y.)", "[Name=Title]"
        previous = text[max(sentence.start, cut - 40) : cut].split()
        if not previous:
            continue
        word = previous[-1]
        if not word[-1].isalnum() or word.lower() in _FUNCTION_WORDS:
            continue
        length = len(text[cut:tail_end].split())
        if length < 3:
            break  # too short to be a story's opening sentence
        suffix = score_sentence(masked, cut, tail_end)
        # A pitch's phrase in reported speech ("..., the company said") is news.
        pitch_phrase = suffix.strong_hits and lx.REPORT not in suffix.categories
        if pitch_phrase or suffix.chrome or not _opens_sentence(text, cut, tail_end):
            continue
        model = appeal_model.current()
        found = appeal_model.features(text[cut:tail_end]) | rule_features(suffix)
        if model.probability_of(found) >= P_TAIL and (
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
        if head.strong:
            if not suffix.categories & _PITCH_CATEGORIES:
                return _later_cut(text, fallback, cut)
            fallback = cut if fallback is None else fallback
    # A later cut whose story has no word of the pitch's vocabulary beats an
    # earlier one ("Get our daily Entertainment newsletter The council ...").
    return fallback


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


_PITCH_TAIL_WORDS = 3
_SURE_LENGTH = 8  # words: a piece this long is judged by the model alone


def glued_story_end(text: str, sentence: Scored) -> int | None:
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
        if word.isalpha() and word[0].isupper():
            continue  # inside a name: "a Pulitzer Prize-winning newsroom"
        head = score_sentence(masked, sentence.start, cut)
        if head.score > 0 or head.chrome or head.strong_hits:
            break  # the appeal's signal has started
        head.p = model.probability_of(
            appeal_model.features(text[sentence.start : cut]) | rule_features(head)
        )
        if head.p >= P_WEAK:
            break
        tail = score_sentence(masked, cut, sentence.end)
        tail.p = model.probability_of(
            appeal_model.features(text[cut : sentence.end]) | rule_features(tail)
        )
        if tail.strong:
            best = cut  # the latest such cut keeps the most story
    return best


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


def _title_case(quoted: str) -> bool:
    """Whether a quotation is a title ("10 Things in Tech You Need to Know"):
    most of its words capitalised."""
    words = [word for word in quoted.split() if word[:1].isalpha()]
    return bool(words) and sum(word[0].isupper() for word in words) >= 0.6 * len(words)
