"""Page furniture: what trafilatura lets through (headline, bylines, pointers,
calls to act, credits, tag lists) is dropped, and what extraction left out of
the page is listed with its reason, so nothing disappears unexplained."""

from __future__ import annotations

import re
from functools import lru_cache

import lxml.html
from lxml import etree

from reader.core.cleaner.sentences import split_sentences
from reader.core.cleaner.story_blocks import WORD, Block, collapse, link_share, word_count
from reader.core.sanitize import clean_line

# --- boilerplate trafilatura lets through ---------------------------------------

# Pointers to other stories: "Related: ...", "READ MORE: ...", "Don't miss".
_POINTER = re.compile(
    r"^(?:related(?: (?:articles?|stories|content|coverage|reading))?|read (?:more|also|next)|"
    r"see (?:more|also)|more|also(?: read| see)?|watch(?: more)?|don[’']t miss|"
    r"recommended(?: for you)?|most (?:read|popular|viewed)(?:\b.*)?|trending(?: now)?|"
    r"top stories|more from [^:]{1,40}|you (?:may|might) also like|leggi anche|"
    r"lesen sie auch|lire aussi|leia também|lea también|ver también|"
    # the same in other languages the reader meets: German, French, Spanish, Italian, Portuguese
    r"mehr zum thema|mehr (?:von|zu|aus)(?: [^:]{1,40})?|zum weiterlesen|auch interessant|"
    r"weiterführende (?:informationen|links|artikel)|"
    r"weitere (?:informationen|infos|artikel|beiträge|nachrichten|themen)(?: [^:]{1,40})?|"
    r"(?:das thema |das |dies )?könnte (?:dich|sie|euch) (?:auch )?interessieren|"
    r"meist(?:-| )?(?:gelesen|diskutiert|kommentiert)|"
    r"à lire aussi|a lire aussi|à lire également|sur le même sujet|voir aussi|"
    r"articles? (?:liés|similaires|associés)|"
    r"(?:le|te|les|os) (?:puede|pueden) interesar|(?:vea|lee|mira|veja) (?:también|também)|"
    r"(?:notas|noticias|artículos|notícias) relacionad[ao]s|"
    r"potrebbe interessarti|ti potrebbe interessare|articoli correlati|vedi anche)"
    r"\s*(?::|$|\||»|›)",
    re.I,
)
# All-caps section tags after a promo headline: "... [VIDEO]", "... [INSIGHT]|".
_PROMO_TAG = re.compile(r"\w.{15,}\[[A-Z][A-Z ]{2,}\]\s*\|?\s*$")
# Calls to act on the page rather than the story: sign up, follow, share, listen.
_CALL = re.compile(
    r"^(?:sign up|subscribe|like us on|join us|click here|tap here|share (?:this|on)|"
    r"follow (?:us|me|@|[\w.@ ]{1,40} on (?:twitter|x|facebook|instagram|youtube|tiktok|"
    r"linkedin|threads|bluesky|mastodon|social media))|"
    r"email (?:us|the writer|the author|\w+ at)|"
    r"reach (?:the )?(?:reporters?|writers?|authors?)|contact (?:the )?(?:reporters?|writers?)|"
    r"listen (?:to|on)\b.{0,60}\b(?:podcast|episode|live|spotify|apple|itunes|radio)|"
    r"download (?:the|our)\b.{0,40}\bapp|get (?:our|the)\b.{0,80}\b(?:newsletter|delivered|"
    r"inbox|app)|to order presentation-ready copies)\b",
    re.I,
)
# A newsletter pitch, as opposed to news about subscriptions: it addresses the reader.
_NEWSLETTER = re.compile(
    r"\bsign up\b.{0,80}\bnewsletters?\b|(?:^|[.!?:]\s+)subscribe\b.{0,80}\bnewsletters?\b|"
    r"\bsubscribe to (?:our|this|my)\b.{0,40}\bnewsletters?\b|"
    r"\bnewsletters?\b.{0,80}\b(?:sign up|subscribe (?:here|now|today|for free))\b|"
    r"\bdelivered (?:straight |directly |right )?to your (?:inbox|letterbox|door)",
    re.I,
)
# Credits for the reporting, usually the last line of a wire story.
_CREDIT = re.compile(
    r"^(?:\(?(?:additional )?reporting by\b|editing by\b|contributing:|"
    r"(?:[\w.’'-]+ ){1,30}contributed (?:to )?(?:this )?(?:report|reporting|story)\b)",
    re.I,
)
# Picture credits: "Titelbild: ...", "Crédits photos : ...", "Photo credit: ...".
_PICTURE_CREDIT = re.compile(
    r"^(?:titelbild|bildquelle|bildnachweis|fotos?|photos?|cr[ée]dits? photos?|"
    r"(?:photo|image|picture) credits?|foto(?:grafía)?s?|beitragsbild|header ?image)\s*:",
    re.I,
)
_COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright\b)|\ball rights reserved\b", re.I)
_BARE_LABEL = re.compile(
    r"^(?:advertisement|advertising|ad|comments?|\d+ comments?|share|share this(?: article| story)?|"
    r"tweet|print|email|tags?|topics?|filed under|related|continue reading|story continues below|"
    r"more|top)\W*$",
    re.I,
)
_LABEL_PREFIX = re.compile(r"^(?:tags?|topics?|filed under|categories|category|source)\s*:", re.I)
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE = re.compile(
    rf"\b(?:(?:{_MONTHS})\.? \d{{1,2}}\b|\d{{1,2}} (?:{_MONTHS})\b|\d{{1,4}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}\b|"
    rf"\d{{1,2}}:\d{{2}}\b|\d{{1,2}} de \w+ de \d{{4}})",
    re.I,
)
_DATE_WORDS = re.compile(
    r"^(?:updated|published|posted|last updated|first published|modified)\b|\bby [A-Z]", re.I
)
_BYLINE = re.compile(r"^by\s+[A-Z][\w.’'-]+(?:\s+[A-Z][\w.’'-]+){0,3}\s*(?:[,|].{0,60})?$")


def is_boilerplate(block: Block, index: int, count: int) -> bool:
    """True for a block that is page furniture, not story.

    Rules are deliberately narrow: each needs a short block and a telltale shape,
    and the position-dependent ones (dates, bylines, credits) only fire near the
    story's edges, where that furniture lives.
    """
    text = block.text
    words = word_count(text)
    if words == 0:
        return True  # punctuation or invisible characters only
    # "___" dividers stay: wire stories use them between sections.
    if block.kind in ("pre", "quote"):
        return False
    near_start = index < 3
    near_end = index >= count - 3
    if words <= 6 and _BARE_LABEL.match(text):
        return True
    if words <= 40 and _LABEL_PREFIX.match(text):
        return True
    if near_end and _is_tag_list(text):
        return True
    if words <= 25 and (_POINTER.match(text) or _PROMO_TAG.search(text)):
        return True
    # A call or pitch that shares its block with other sentences is left to
    # the cleaner, which removes it sentence by sentence (the story glued to
    # it stays).
    if words <= 45 and (_CALL.match(text) or _NEWSLETTER.search(text)):
        return len(split_sentences(text)) <= 1
    if near_end and words <= 40 and _CREDIT.match(text):
        return True
    if (near_start or near_end) and words <= 15 and _PICTURE_CREDIT.match(text):
        return True
    if (near_start or near_end) and words <= 15 and _COPYRIGHT.search(text):
        return True
    if (near_start or near_end) and words <= 10 and _BYLINE.match(text):
        return True
    # A short date/time line at the top or bottom: "Updated 5:45 AM", "05/10/2018 - ...".
    return bool(
        (near_start or near_end)
        and words <= 14
        and _DATE.search(text)
        and (_DATE_WORDS.search(text) or words <= 8 or not text.rstrip().endswith((".", "!", "?")))
        and _date_share(text) >= 0.3
    )


def _is_tag_list(text: str) -> bool:
    """A trailing keyword list: many short comma-separated items and no sentence."""
    items = [item.strip() for item in re.split(r"[,;|]", text)]
    return (
        len(items) >= 5
        and all(0 < word_count(item) <= 5 for item in items)
        and not re.search(r"[.!?]\s", text)
    )


def _date_share(text: str) -> float:
    """Share of the block's words that sit inside date/time/byline matter."""
    covered = sum(word_count(m.group(0)) for m in _DATE.finditer(text))
    covered += 1 if _DATE_WORDS.search(text) else 0
    return covered / max(word_count(text), 1)


def _same_words(a: str, b: str) -> bool:
    return [w.lower() for w in WORD.findall(a)] == [w.lower() for w in WORD.findall(b)]


def tidy(
    blocks: list[Block], titles: list[str], dropped: list[tuple[int, str, str]] | None = None
) -> list[Block]:
    """Drop the repeated headline and the furniture around the story; what
    goes is listed in ``dropped`` as (index of the next kept block, text, rule)."""
    dropped = [] if dropped is None else dropped
    # The headline is shown separately; trafilatura often repeats it as the first block.
    while blocks and any(_same_words(blocks[0].text, title) for title in titles if title):
        dropped.append((0, blocks[0].text, "extract.headline"))
        blocks = blocks[1:]
    count = len(blocks)
    kept: list[Block] = []
    for i, block in enumerate(blocks):
        if is_boilerplate(block, i, count):
            dropped.append((len(kept), block.text, "extract.boilerplate"))
        else:
            kept.append(block)
    return kept


# --- what extraction left out ---------------------------------------------------

_PAGE_BLOCKS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "dd", "dt", "blockquote", "pre",
     "figcaption", "caption", "address"}
)  # fmt: skip
# The kind of furniture a container is, from its tag or its class/id.
_KIND_OF_TAG = {
    "nav": "navigation", "header": "header", "footer": "footer", "aside": "aside",
    "form": "form", "button": "form", "select": "form",
}  # fmt: skip
_KIND_MARKS = re.compile(
    r"(?P<navigation>\bnav|menu|breadcrumb)|"
    r"(?P<comments>comment|repl(?:y|ies)|discuss|respon|disqus)|"
    r"(?P<header>masthead|\bheader|top-?bar)|"
    r"(?P<footer>footer|copyright|legal)|"
    r"(?P<aside>sidebar|related|teaser|widget|aside)|"
    r"(?P<form>newsletter|cookie|consent)",
    re.I,
)
_CLIP = 160


_HIDDEN_TAGS = ("noscript", "template", "svg")


def _page_leaves(tree: lxml.html.HtmlElement) -> list[etree._Element]:
    """The innermost text blocks of the page (block elements, and divs holding
    loose text), in page order, leaving out what is never shown."""
    body = tree.find(".//body")
    if body is None:
        return []
    hidden = {node for root in body.iter(*_HIDDEN_TAGS) for node in root.iter()}
    found = [
        element
        for element in body.iter(*_PAGE_BLOCKS, "div")
        if element not in hidden
        and (element.tag != "div" or (element.text is not None and element.text.strip()))
    ]
    outer: set[etree._Element] = set()
    for element in found:
        parent = element.getparent()
        while parent is not None and parent not in outer:
            outer.add(parent)
            parent = parent.getparent()
    return [element for element in found if element not in outer]


def left_out(
    tree: lxml.html.HtmlElement, story: str, titles: list[str], count: int
) -> list[tuple[int, str, str]]:
    """Every text block of the page that is not in the story, with why it was
    left out (the kind of page furniture it sits in, a link list, or simply
    outside the story), clipped to a preview, as (where, text, rule): 0 before
    the story, ``count`` after it. The headline, shown as the title, is not
    counted as dropped."""
    story_lines = set(story.split("\n"))
    story_words = " " + " ".join(WORD.findall(story)).lower() + " "
    vocabulary = set(story_words.split())  # a block with a word outside it is not in the story
    title_words = {tuple(WORD.findall(title.lower())) for title in titles}
    reasons: dict[etree._Element, str] = {}
    found: list[tuple[int, str, str]] = []
    seen_story = False
    for element in _page_leaves(tree):
        text = collapse(element.text_content())
        if text in story_lines:  # the common case, without tokenising
            seen_story = True
            continue
        words = WORD.findall(text.lower())
        if not words:
            continue
        if vocabulary.issuperset(words) and " " + " ".join(words) + " " in story_words:
            seen_story = True
            continue
        if tuple(words) in title_words:
            continue
        reason = _left_out_reason(element, text, reasons)
        # Before the story it stands before its first block, else after the last.
        preview = clean_line(text[: _CLIP + 20], limit=_CLIP)
        found.append((count if seen_story else 0, preview, reason))
    return found


def _left_out_reason(element: etree._Element, text: str, cache: dict[etree._Element, str]) -> str:
    kind = _furniture_kind(element, cache)
    if kind:
        return kind
    if link_share(element, text) > 0.5:
        return "extract.links"
    return "extract.outside-story"


@lru_cache(maxsize=4096)
def _kind_of_marks(marks: str) -> str:
    """The furniture kind a class/id string names ("" for none); pages repeat them."""
    found = _KIND_MARKS.search(marks)
    return (found.lastgroup or "") if found else ""


def _furniture_kind(element: etree._Element, cache: dict[etree._Element, str]) -> str:
    """The kind of page furniture an element sits in ("" for none), memoised per node."""
    path: list[etree._Element] = []
    node: etree._Element | None = element
    kind = ""
    while node is not None:
        if node in cache:
            kind = cache[node]
            break
        path.append(node)
        own = _KIND_OF_TAG.get(node.tag, "")  # a comment's tag (a function) is not a key
        if not own:
            cls, ident = node.get("class"), node.get("id")
            own = _kind_of_marks(f"{cls or ''} {ident or ''}") if cls or ident else ""
        if own:
            kind = f"extract.{own}"
            break
        node = node.getparent()
    # The innermost kind wins; nodes between share what was found above them.
    for visited in path:
        cache[visited] = kind
    return kind
