"""Which sentences of a block form an appeal, and what to cut.

The sentences that are appeals by themselves (``Scored.strong``) are marked
first; a neighbour joins the run only for a signal of its own (a story sentence
stays whatever stands next to it), more readily inside a promo box. Runs that
touch the block's start or end go; a run in the middle of a paragraph must be
pure chrome or a multi-sentence pitch. Story glued to an appeal without a stop
is cut back out of the span (:func:`glued.glued_story_start`).
"""

from __future__ import annotations

from reader.core.cleaner import lexicon as lx
from reader.core.cleaner.glued import glued_story_end, glued_story_start
from reader.core.cleaner.scoring import (
    P_ABSORB,
    P_HINTED,
    P_LEAN,
    P_SHORT,
    P_STRONG,
    P_TAIL,
    P_WEAK,
    Scored,
    Span,
)

_SHORT_TAIL = 8
P_SURE = 0.95


def _absorbs(sentence: Scored, left: bool, right: bool, edge: bool, hinted: bool) -> bool:
    """Whether a sentence next to an appeal is part of it. ``left``: the
    sentence before it is marked (it would be the pitch's tail); ``right``: the
    sentence after it is (it would be the pitch's lead-in)."""
    if sentence.protected or not (left or right):
        return False
    if lx.REPORT in sentence.categories and sentence.score < lx.WEAK:
        return False
    if hinted:
        return _absorbs_in_promo(sentence, left, right, edge)
    if sentence.formal and sentence.p >= P_WEAK and not sentence.question:
        return True  # "Mit Ihrem Beitrag sorgen Sie dafür, dass ..." next to the pitch
    if _shouted(sentence):
        return False  # an all-capitals line is a headline, not part of a pitch
    # A sentence goes with its neighbour only for a signal of its own: a story
    # sentence stays whatever stands next to it. After a pitch (its tail) the
    # signal must be clear: story glued after an appeal is the common case.
    if _plain_voice(sentence):
        return True  # "You've reached the end of the free preview.", "Schon ein Betrag hilft uns."
    if right and sentence.signalled and _leads_in(sentence):
        return True  # a lead-in: "Love podcasts?", "Independent journalism costs money."
    if left and not right:
        if sentence.question and sentence.words <= _SHORT_TAIL and sentence.p >= P_ABSORB:
            # "Could you be one of them?": the reader asked to join the pitch.
            return (sentence.voiced or sentence.sells) and not sentence.narrated
        if sentence.question or not sentence.evidence:
            return False  # a question after a pitch opens the story's next turn
        if sentence.words <= _SHORT_TAIL and sentence.p >= P_SHORT and _asks_for_more(sentence):
            return True  # "It's free.", "Join us."
        if sentence.words <= _BARE_QUESTION and (
            (sentence.p >= P_WEAK and (sentence.sells or lx.PRICE in sentence.categories))
            or (sentence.p >= P_ABSORB and sentence.voiced)
        ):
            # A fragment naming the offer or its price, or turning to the
            # reader: "Jederzeit kündbar.", "Just $5/month.", "Add yours."
            return True
        if (
            sentence.words <= _PRICE_TAIL
            and sentence.priced
            and (sentence.p >= P_WEAK or sentence.voiced)
            and not sentence.narrated
        ):
            return True  # the offer's price after the pitch: "Plans start at $2 a week."
        return (
            sentence.chrome or sentence.p >= P_TAIL or (sentence.paired and sentence.p >= P_ABSORB)
        )
    # Between two appeal sentences of one block: a lead-in or an aside of the
    # same pitch (a story never sits inside an appeal's run of sentences).
    if left and right and (sentence.score > 0 or sentence.p >= P_WEAK or sentence.words <= 15):
        return True
    # A short question just before the pitch ("Prefer to listen?") opens it.
    if sentence.words > 6:
        return False
    if sentence.question:
        return sentence.p >= P_WEAK and _question_leads_in(sentence)
    return edge and sentence.score > 0 and sentence.p >= P_SHORT


def _absorbs_in_promo(sentence: Scored, left: bool, right: bool, edge: bool) -> bool:
    """Inside a promo box (its class or id says so) a weak signal is enough."""
    if sentence.signalled or sentence.p >= P_WEAK:
        return True
    if left and right and (sentence.score > 0 or sentence.words <= 15):
        return True
    if sentence.words > 6:
        return False
    if sentence.question:
        return False
    return edge and sentence.score > 0 and sentence.p >= P_SHORT


def _leads_in(sentence: Scored) -> bool:
    """Whether a signalled sentence before a pitch can open it: a question, a
    sentence that asks for something, or one with evidence the model is sure of."""
    if sentence.question:
        return sentence.p >= P_ABSORB and _question_leads_in(sentence)
    # A statement before a pitch is the story's last word as often as the
    # pitch's first: the model must lean towards the pitch, not just see a
    # word of its vocabulary ("... makes for a great gift.").
    if sentence.p >= P_ABSORB:
        if sentence.words <= _SHORT_TAIL and _asks_for_more(sentence):
            return True  # "Free journalism isn't free to make.", "It only takes a minute."
        if (sentence.voiced or sentence.categories & _VOICED) and (
            _asks(sentence) or sentence.sells
        ):
            return True  # the outlet or the reader, and its work: "We need reporters there."
    return sentence.evidence and sentence.p >= P_TAIL


def _plain_voice(sentence: Scored) -> bool:
    """The outlet speaking, the reader addressed or called to act (any language) about
    something of the appeal vocabulary, the model leaning towards a pitch, and
    no mark of narration (nobody reported, no third-person subject, no
    quotation, no figure but a price): a statement next to a pitch that
    carries on its voice. A voice alone is not enough ("Hey, at least we're
    getting there." ends many a story)."""
    return (
        _voices_the_offer(sentence)
        and sentence.p >= P_LEAN
        and not sentence.narrated
        and not sentence.question
        and sentence.words <= _PLAIN_WORDS
    )


def _voices_the_offer(sentence: Scored) -> bool:
    """The reader addressed or the outlet speaking about something of the
    appeal vocabulary, or a call to action that names what an outlet sells
    ("Download it free ...", "Faites un don ...")."""
    return (
        sentence.paired
        or (sentence.voiced and sentence.conceptual)
        or (sentence.calls and sentence.sells)
    )


_PLAIN_WORDS = 20
_PRICE_TAIL = 10


def _question_leads_in(sentence: Scored) -> bool:
    """Short, or pointing at the reader, the outlet or its products ("Love
    podcasts?", "Enjoyed this article?", "Don't have an account?"). A longer
    question without that is the story's own ("Don't tariffs produce revenue?",
    "Looking for more gift ideas?")."""
    return (
        (sentence.words <= _BARE_QUESTION and not sentence.inquiry)
        or sentence.anchored
        or sentence.sells
        or bool(sentence.categories - _PERSONAL - _GIVING)
    )


def _asks(sentence: Scored) -> bool:
    """The lexicon finds more in it than "we" or "you": a phrase, something
    given, signed up for, free or priced."""
    return sentence.strong_hits > 0 or bool(sentence.categories - _PERSONAL)


def _asks_for_more(sentence: Scored) -> bool:
    """A short tail must name what the pitch sells (free, signed up for,
    priced, the outlet itself): "Tell me a story." only names a story, "But
    here we are." only speaks as "we"."""
    return (
        sentence.strong_hits > 0
        or sentence.sells
        or bool(sentence.categories - _PERSONAL - _GIVING - _READING)
    )


_PERSONAL = frozenset({lx.ADDRESS, lx.VOICE, lx.REPORT})
_READING = frozenset({lx.JOURNALISM})
_GIVING = frozenset({lx.GIVE})
_VOICED = frozenset({lx.ADDRESS, lx.VOICE})
_BARE_QUESTION = 3


def _shouted(sentence: Scored) -> bool:
    return sentence.words >= 3 and sentence.upper


def mark(scored: list[Scored], hinted: bool) -> list[bool]:
    """Which sentences belong to appeals (before deciding what may be cut)."""
    if hinted:
        marked = [
            not s.protected
            and (s.strong or (s.signalled and s.score >= lx.WEAK) or s.p >= P_HINTED)
            for s in scored
        ]
    else:
        marked = [not s.protected and s.strong for s in scored]
        _mark_joint_pitches(scored, marked)
    last = len(scored) - 1
    changed = True
    while changed:
        changed = False
        for index, sentence in enumerate(scored):
            if marked[index]:
                continue
            # A marked sentence whose end (start) is story glued on without a
            # stop has story, not pitch, next to the following (previous) one.
            left = index > 0 and marked[index - 1] and not scored[index - 1].story_after
            # Bare chrome after a sentence draws it in only when a pitch stands
            # before it too: "... chipping in today. Every amount counts. Read more".
            right = (
                index < last
                and marked[index + 1]
                and not scored[index + 1].story_before
                and (left or not _bare_chrome(scored[index + 1]))
            )
            edge = index in (0, last)
            if _absorbs(sentence, left, right, edge, hinted):
                marked[index] = True
                sentence.rule = _neighbour_rule(scored, marked, index)
                changed = True
            elif left and scored[index - 1].question and _answers(sentence):
                # The reply to a pitch's question: "Already have an account? Log in here."
                marked[index] = True
                sentence.rule = _neighbour_rule(scored, marked, index)
                changed = True
            elif left and index < last and _asks_and_answers(sentence, scored[index + 1]):
                # "Already a member? Thank you. Not yet? It takes two minutes
                # to sign on.": a bare question after a pitch, answered by a
                # pitch of its own, turns to the readers it has not won yet.
                for other in (index, index + 1):
                    marked[other] = True
                    scored[other].rule = _neighbour_rule(scored, marked, other)
                changed = True
    return marked


def _mark_joint_pitches(scored: list[Scored], marked: list[bool]) -> None:
    """Two plain sentences that make an appeal together though neither does
    alone: one names what an outlet sells and the model is sure of it, the
    other turns to the reader ("Free journalism isn't free to make. Pay what
    you can."). Neither may carry a mark of narration."""
    for index in range(len(scored) - 1):
        first, second = scored[index], scored[index + 1]
        if marked[index] or marked[index + 1] or not (_plain(first) and _plain(second)):
            continue
        if max(first.p, second.p) < P_STRONG or min(first.p, second.p) < P_WEAK:
            continue
        if (first.sells and second.voiced) or (first.voiced and second.sells):
            marked[index] = marked[index + 1] = True


def _plain(sentence: Scored) -> bool:
    """Appeal evidence of its own and no mark of narration: nobody reported,
    no third-person subject, no quotation, no figure but a price."""
    return (
        sentence.evidence
        and not sentence.narrated
        and not sentence.protected
        and not sentence.question
        and sentence.words <= _PLAIN_WORDS
    )


def _answers(sentence: Scored) -> bool:
    """A short reply that asks for something (a call to action, the reader
    addressed, the offer named), without narration."""
    return (
        _plain(sentence)
        and sentence.words <= _SHORT_TAIL
        and sentence.p >= P_WEAK
        and (sentence.score >= lx.WEAK or sentence.voiced or sentence.sells)
    )


def _asks_and_answers(question: Scored, answer: Scored) -> bool:
    """A bare question ("Not yet?", "New here?") and, after it, a statement
    with appeal evidence the model is sure of and no mark of narration."""
    return (
        question.question
        and question.words <= _BARE_QUESTION + 1
        and not question.protected
        and not answer.protected
        and not answer.question
        and answer.evidence
        and answer.p >= P_TAIL
        and not answer.narrated
        and answer.words <= _PLAIN_WORDS
    )


def _bare_chrome(sentence: Scored) -> bool:
    """Page chrome that asks for nothing ("Advertisement", "Our Standards: ...",
    "Continue reading"): it stands alone and has no lead-in, so the sentence
    before it is never drawn into it."""
    return sentence.chrome and sentence.rule != _CTA_CHROME


_CTA_CHROME = "chrome.cta"


def _neighbour_rule(scored: list[Scored], marked: list[bool], index: int) -> str:
    if scored[index].rule != lx.PROMO:
        return scored[index].rule
    for other in (index - 1, index + 1):
        if 0 <= other < len(scored) and marked[other]:
            return scored[other].rule
    return lx.PROMO


def _runs(marked: list[bool]) -> list[tuple[int, int]]:
    runs, start = [], None
    for index, flag in enumerate([*marked, False]):
        if flag and start is None:
            start = index
        elif not flag and start is not None:
            runs.append((start, index - 1))
            start = None
    return runs


def block_spans(text: str, scored: list[Scored], hinted: bool) -> list[Span]:
    """The spans of one block to remove, one per sentence."""
    marked = mark(scored, hinted)
    spans: list[Span] = []
    last = len(scored) - 1
    for first, final in _runs(marked):
        members = scored[first : final + 1]
        at_edge = first == 0 or final == last
        if not (at_edge or hinted or _removable_inside(members)):
            continue
        for sentence in members:
            # A story sentence glued onto an appeal without a stop ("...to
            # your inboxSign Up Now The council voted ...") is not the appeal's.
            cut = None if hinted else glued_story_start(text, sentence)
            head = None if hinted else glued_story_end(text, sentence, lenient=True)
            start = sentence.start if head is None else head
            spans.append((start, sentence.end if cut is None else cut, sentence.rule))
    return spans


def _removable_inside(members: list[Scored]) -> bool:
    """A run inside a paragraph: pure chrome, or a multi-sentence pitch."""
    if all(s.chrome for s in members):
        return True
    if all(_sure_pitch(s) for s in members):
        return True
    return len(members) >= 2 and sum(s.score >= lx.STRONG for s in members) >= 2


def _sure_pitch(sentence: Scored) -> bool:
    """The reader addressed (or the outlet speaking) about what it sells, and
    the model sure of it: an appeal wherever it stands."""
    return (
        sentence.strong
        # An English imperative ("Subscribe now for ...") is the lexicon's call
        # to action: the model's features see imperatives only in other languages.
        and (sentence.paired or ((sentence.voiced or sentence.calls) and sentence.sells))
        and sentence.p >= P_SURE
        and not sentence.advice
    )
