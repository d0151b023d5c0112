"""A small, fast sentence splitter tuned for scraped news text.

Besides ordinary sentence ends it splits where page chrome was glued to text
without punctuation: "...your inbox.The story", "...to your inboxSign Up Now",
"...tell the story Read more Support Now From ...". Those joins are exactly
where appeals meet the story, so finding them matters more than elegance.
"""

from __future__ import annotations

import re

from reader.core.cleaner.lexicon import words

# A sentence end: terminal punctuation (plus closing quotes/brackets), then either
# whitespace and a capital/digit/opening quote, or a capital glued straight on.
_PUNCTUATED_END = r"[.!?…]+[\"”’)\]]*(?:\s+(?=[\"“‘'(\[<¿¡«„*†‡•@#]{0,2}[^\W_a-zß-öø-ÿа-яё]|[a-z]{2})|(?<=[a-zß-öø-ÿ0-9]{2}[.!?])(?=[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]))"
_END = re.compile(
    _PUNCTUATED_END
    # A closing quotation mark ends a sentence when a capitalised word follows
    # ("... saying “Hey Siri” Get unlimited access ...").
    + r"|(?<=\w”)\s+(?=[A-Z][a-z])"
)
# The same without the closing-quotation branch, for text without a ”: its
# matches are the same, found several times faster (the branch that starts
# with whitespace defeats the regex engine's scan for the punctuation).
_PUNCTUATED_END_ONLY = re.compile(_PUNCTUATED_END)
# Chrome labels with a capital letter, which often sit in running text unpunctuated.
_CHROME_LABELS = (
    r"Read [Mm]ore", r"READ MORE", r"Support [Nn]ow", r"Sign [Uu]p [Nn]ow", r"Subscribe [Nn]ow",
    r"Donate [Nn]ow", r"Advertisement", r"ADVERTISEMENT", r"Continue reading the main story",
    r"Skip [Aa]dvertisement", r"Learn [Mm]ore", r"Story continues below(?: [Aa]dvertisement)?",
    r"Continue reading below", r"[Ss]croll (?:down )?to continue(?: with content)?",
)  # fmt: skip
_CHROME = re.compile("(?:" + "|".join(_CHROME_LABELS) + r")\b")
# Every label begins with one of these (a test checks): text holding none of
# them skips _CHROME, which has no literal prefix for the regex engine to scan for.
_CHROME_STARTS = (
    "Read", "READ", "Support", "Sign", "Subscribe", "Donate", "Advertisement", "ADVERTISEMENT",
    "Continue", "Skip", "Learn", "Story", "croll",
)  # fmt: skip
# Calls to action glued onto a lowercase letter ("inboxSign Up Now"). Every
# match sits between a lowercase letter and a capital (_CASE_CHANGE): _GLUED is
# tried only there, not at every position of the text.
_CASE_CHANGE = re.compile(r"[a-z][A-Z]")
_GLUED = re.compile(
    r"(?<=[a-z])(?=(?P<call>Sign [Uu]p|Subscribe|Read [Mm]ore|Continue reading|Advertisement"
    r"|Support [Nn]ow|Donate|Learn [Mm]ore|Register|Log [Ii]n)\b)"
    # Two words run together where a page joined a button or a prompt to the
    # story ("...newsletterPassenger trains"): a long lowercase run, then a
    # capitalised word (brand names like "YouTube" or "JavaScript" are shorter).
    r"|(?<=[a-z]{5})(?=[A-Z][a-z]{2})"
)
# Not "Inc.", "Ltd.", "Corp.", "etc.": they usually end a name or a list, and
# a capital after them opens a new sentence.
_ABBREVIATIONS = words(
    "mr mrs ms dr prof sen rep gov gen col lt sgt capt st jr sr vs no "
    "nos jan feb mar apr jun jul aug sep sept oct nov dec fig approx est dept univ ave rd "
    "mt a.m p.m e.g i.e"
)
_FUNCTION_WORDS = words(
    "a an the of to for from with by in on at and or but as into about than that this "
    "these those its their his her our your my"
)
_LAST_WORD = re.compile(r"(\S+)$")
# Initials and short abbreviations joined by periods or hyphens: "u.s", "d-n.y".
_INITIALS = re.compile(r"[a-z]{1,2}(?:[.-][a-z]{1,2})*\.[a-z]{1,2}")
# After an abbreviation ("... at Tempus Inc."), a capitalised call to action
# or the reader or outlet addressed opens a new sentence: no title or name goes
# on with "Subscribe", "Sign up", "You" or "Our".
_CALL_AFTER = re.compile(
    r"(?:Subscribe|Sign (?:up|in)|Register|Donate|Join|Log in|Become|Support|Get|Download"
    r"|Follow|Click|Tap|Read more|Continue reading|Advertisement|You|Your|We|Our"
    r"|(?:Will|Would|Can|Could|Do|Did|Are|Have) you|Thanks?|This|The|It|They|He|She|But)\b"
)


def _lowercase_word_before(text: str, pos: int) -> bool:
    """Whether the word run into a capital at ``pos`` is lowercase from its
    start ("newsletterPassenger"), not a name in camel case ("MinnesotaCare")."""
    start = pos
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    return text[start].islower()


def _is_abbreviation(text: str, end: int) -> bool:
    """Whether the period ending at ``end`` closes an abbreviation or an initial."""
    match = _LAST_WORD.search(text, max(0, end - 20), end)
    if not match:
        return False
    word = match.group(1).rstrip(".").lstrip('"“‘(').lower()
    return word in _ABBREVIATIONS or len(word) == 1 or _INITIALS.fullmatch(word) is not None


def _previous_word(text: str, pos: int) -> str:
    match = _LAST_WORD.search(text, max(0, pos - 30), pos)
    return match.group(1) if match else ""


def _chrome_cuts(text: str) -> list[int]:
    cuts: list[int] = []
    for label_start in _CHROME_STARTS:
        if label_start in text:
            break
    else:
        return cuts  # no label can match
    for match in _CHROME.finditer(text):
        start, end = match.span()
        before = text[:start].rstrip()
        prev = _previous_word(text, len(before))
        # A label run into the previous word ("Supported byContinue reading")
        # was a separate element on the page: it stands alone.
        glued = start > 0 and text[start - 1].islower()
        standalone = not before or glued or before[-1] in '.!?…:"”’)-–—|•·'
        if not standalone and prev[-1:].isalnum() and prev.lower() not in _FUNCTION_WORDS:
            cuts.append(start)
            standalone = True
        # Only a label that stands alone may end a sentence ("the Advertisement
        # Standards Authority" is a name, not chrome).
        following = text[end:].lstrip().lstrip('"“‘([')[:1]
        if standalone and (following.isupper() or following.isdigit()):
            cuts.append(end)
    return cuts


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of ``text[start:end]``, trimmed of whitespace."""
    end = len(text) if end is None else end
    cuts = {start, end}
    segment = text[start:end]
    ends = _END if "”" in segment else _PUNCTUATED_END_ONLY
    for match in ends.finditer(segment):
        dot = match.start() + len(match.group().rstrip().rstrip('"”’)]'))
        if (
            segment[dot - 1 : dot] == "."
            and _is_abbreviation(segment, dot - 1)
            and not _CALL_AFTER.match(segment, match.end())
        ):
            continue
        cuts.add(start + match.end())
    cuts.update(start + cut for cut in _chrome_cuts(segment))
    for pair in _CASE_CHANGE.finditer(segment):  # only where _GLUED can match
        glued = _GLUED.match(segment, pair.start() + 1)
        if glued and (glued.group("call") or _lowercase_word_before(segment, glued.start())):
            cuts.add(start + glued.start())
    spans = []
    ordered = sorted(cuts)
    for left, right in zip(ordered, ordered[1:], strict=False):
        while left < right and text[left].isspace():
            left += 1
        while right > left and text[right - 1].isspace():
            right -= 1
        if right > left:
            spans.append((left, right))
    return spans
