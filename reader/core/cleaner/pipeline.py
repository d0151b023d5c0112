"""From raw blocks to kept blocks: metadata lines, user rules, appeals, then
splicing the removed spans out while keeping link offsets right."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from reader.core.cleaner import appeals, runs
from reader.core.cleaner import lexicon as lx
from reader.core.cleaner import model as appeal_model
from reader.core.cleaner.blocks import RawBlock
from reader.core.cleaner.rules import SiteRules
from reader.core.cleaner.scoring import P_ABSORB, P_LEAN, Scored, Span
from reader.core.cleaner.sentences import split_sentences
from reader.core.models import BLOCK_SEPARATOR, Block, LinkSpan, Removal

_DATE_LINE = re.compile(
    r"\s*(?:date|published|posted)\s*:?\s*(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?\b\s*",
    re.I,
)
_HAS_WORD = re.compile(r"\w")
# Hints that mark link lists rather than pitches.
_LINK_HINTS = re.compile(r"related|recirc|more-?stories|read-?more|share|social")
_SMALL_HINTED = (6, 250)  # blocks, words: larger "hinted" containers are page wrappers
_SMALL_PLAIN = (4, 150)
_UNGATED_CHARS = 100


@dataclass(slots=True)
class Plan:
    """What to cut: spans per raw block, plus metadata found on the way."""

    spans: dict[int, list[Span]] = field(default_factory=lambda: defaultdict(list))
    published: float | None = None


def plan(raw: list[RawBlock], rules: SiteRules) -> Plan:
    result = Plan()
    offsets = [0] * len(raw)
    if raw and raw[0].kind == "paragraph":
        offsets[0] = _date_line(raw[0], result)
    for index, block in enumerate(raw):
        _user_spans(index, block, offsets[index], rules, result.spans)
    _appeal_spans(raw, offsets, rules, result.spans)
    return result


def _date_line(block: RawBlock, result: Plan) -> int:
    """A leading "date YYYY-MM-DD" line: becomes ``published``; returns where text resumes."""
    match = _DATE_LINE.match(block.text)
    if not match:
        return 0
    try:
        year, month, day_of_month = (int(part) for part in match.groups())
        day = datetime(year, month, day_of_month, tzinfo=UTC)
    except ValueError:
        return 0
    result.published = day.timestamp()
    end = match.end()
    result.spans[0].append((0, len(block.text[:end].rstrip()), "metadata.date"))
    return end


def _user_spans(
    index: int, block: RawBlock, offset: int, rules: SiteRules, spans: dict[int, list[Span]]
) -> None:
    if block.user == "remove":
        spans[index].append((0, len(block.text), "user.selector"))
        return
    remove = rules.remove
    for pattern in remove.regex:
        for match in pattern.finditer(block.text, offset):
            if match.end() > match.start():
                spans[index].append((match.start(), match.end(), "user.regex"))
    if remove.phrases:
        for start, end in split_sentences(block.text, offset):
            if remove.matches_text_phrases(block.text[start:end]):
                spans[index].append((start, end, "user.phrase"))


def _appeal_spans(
    raw: list[RawBlock], offsets: list[int], rules: SiteRules, spans: dict[int, list[Span]]
) -> None:
    hinted = _hinted_blocks(raw)
    keep = rules.keep
    is_kept = keep.matches_text if keep else _never

    scored: dict[int, list[Scored]] = {}
    gated: list[int] = []
    for index, block in enumerate(raw):
        if block.user in ("keep", "remove") or block.kind == "preformatted":
            continue
        if block.kind == "quote" and not hinted[index]:
            continue  # a quotation reports someone else's words
        if not hinted[index] and appeals.gated_out(block.text):
            if keep:  # without keep rules an unscored block is simply story
                scored[index] = appeals.story(block.text, offsets[index], is_kept)
            if len(block.text) <= _UNGATED_CHARS:
                gated.append(index)
            continue
        scored[index] = appeals.analyse(
            block.text, offsets[index], is_kept, gate=False, weigh=hinted[index]
        )
    # A short block without an appeal word of its own ("It only takes a
    # minute.") is scored after all when a block next to it or in its
    # container carries a signal: it may be the pitch's lead-in or tail.
    strong = {i for i, found in scored.items() if any(s.strong for s in found)}
    live = {raw[i].container for i in strong if raw[i].container}
    if live:
        sizes: dict[int, int] = defaultdict(int)
        for block in raw:
            sizes[block.container] += 1
        live = {c for c in live if sizes[c] <= _SMALL_PLAIN[0]}
    for index in gated:
        if raw[index].container in live or index - 1 in strong or index + 1 in strong:
            text = raw[index].text
            scored[index] = appeals.analyse(text, offsets[index], is_kept, gate=False)
    for index, found in scored.items():
        if hinted[index] or not appeals.inert(found):
            spans[index].extend(runs.block_spans(raw[index].text, found, hinted[index]))
    _container_spans(raw, hinted, scored, spans)
    _neighbour_blocks(raw, scored, spans)
    _keep_the_story(raw, hinted, scored, spans)


def _keep_the_story(
    raw: list[RawBlock],
    hinted: list[bool],
    scored: dict[int, list[Scored]],
    spans: dict[int, list[Span]],
) -> None:
    """When unsure, keep: a text whose story is itself the offer (a sign-up
    page, a service's offer, a guide to membership, a fundraiser post) keeps
    what only the appeal model read as a pitch. Two marks of such a text: the
    appeals would take most of it, or what they ask for (registering,
    subscribing, donating ...) is named again and again in the text that stays.
    Only the appeal spans the lexicon is sure of (a sentence at its strong
    score) or that a promo box's class marks then go; page chrome, boilerplate
    and the user's own rules are not touched."""
    removed = {
        index: [span for span in block_spans if span[2].startswith(_APPEAL)]
        for index, block_spans in spans.items()
        if block_spans and not hinted[index]
    }
    sure = {
        index: [(s.start, s.end) for s in scored.get(index, ()) if s.score >= lx.STRONG]
        for index in removed
    }
    unsure = {
        index: [span for span in found if not _overlaps(span, sure[index])]
        for index, found in removed.items()
    }
    if not any(unsure.values()):
        return
    covered = sum(_covered(raw[index], found) for index, found in removed.items())
    most = covered > _STORY_SHARE * sum(len(block.text) for block in raw)
    if not most and not _named_again(raw, spans, unsure):
        return
    for index, found in unsure.items():
        if found:
            spans[index] = [span for span in spans[index] if span not in found]


def _overlaps(span: Span, ranges: list[tuple[int, int]]) -> bool:
    return any(start < span[1] and span[0] < end for start, end in ranges)


def _named_again(
    raw: list[RawBlock], spans: dict[int, list[Span]], unsure: dict[int, list[Span]]
) -> bool:
    """Whether the text that stays names what the unsure appeals ask for (an
    appeal concept of theirs, any language) in a few of its paragraphs."""
    asked: set[str] = set()
    for index, found in unsure.items():
        for start, end, _ in found:
            asked |= appeal_model.concepts_named(raw[index].text[start:end])
    asked &= _ASKED
    if not asked:
        return False
    naming = 0
    for index, block in enumerate(raw):
        cursor, kept = 0, []
        for start, end, _ in sorted(spans.get(index, ())):
            kept.append(block.text[cursor:start])
            cursor = max(cursor, end)
        kept.append(block.text[cursor:])
        if not asked.isdisjoint(appeal_model.concepts_named(" ".join(kept))):
            naming += 1
            if naming >= _NAMED_AGAIN:
                return True
    return False


_APPEAL = "appeal."
_STORY_SHARE = 0.5  # of the text's characters
_NAMED_AGAIN = 3  # paragraphs of the text that stays
# What an appeal asks for (not "now", "free" or "journalism", which any text names).
_ASKED = appeal_model.ASKS


def _never(_: str) -> bool:
    return False


def _hinted_blocks(raw: list[RawBlock]) -> list[bool]:
    """Blocks inside a *small* container whose class/id looks promotional."""
    sizes: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for block in raw:
        if block.hint_owner:
            sizes[block.hint_owner][0] += 1
            sizes[block.hint_owner][1] += len(block.text.split())
    max_blocks, max_words = _SMALL_HINTED
    return [
        bool(block.hint_owner)
        and sizes[block.hint_owner][0] <= max_blocks
        and sizes[block.hint_owner][1] <= max_words
        for block in raw
    ]


def _covered(block: RawBlock, block_spans: list[Span]) -> int:
    """How many characters of the block the spans cover (spans may overlap)."""
    covered = 0
    cursor = 0
    for start, end, _ in sorted(block_spans):
        start = max(start, cursor)
        if end > start:
            covered += end - start
            cursor = end
    return covered


def _whole(block: RawBlock, block_spans: list[Span]) -> bool:
    return _covered(block, block_spans) >= len(block.text.strip()) * 0.9


def _container_spans(
    raw: list[RawBlock],
    hinted: list[bool],
    scored: dict[int, list[Scored]],
    spans: dict[int, list[Span]],
) -> None:
    """Promo boxes go as a whole: a small hinted container with any appeal
    signal, a hinted link list, or a small plain container that is mostly appeal."""
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    for index, block in enumerate(raw):
        if hinted[index]:
            groups[("hint", block.hint_owner)].append(index)
        elif block.container:
            groups[("plain", block.container)].append(index)
    for (kind, _), members in groups.items():
        if kind == "plain" and len(members) > _SMALL_PLAIN[0]:
            continue
        if kind == "plain" and all(appeals.inert(scored.get(i, [])) for i in members):
            continue
        if any(raw[i].user == "keep" for i in members):
            continue
        rule = _group_rule(raw, members, scored, hinted=kind == "hint")
        if rule:
            for i in members:
                protected = any(s.protected for s in scored.get(i, ()))
                if not protected and not _whole(raw[i], spans[i]):
                    spans[i] = [(0, len(raw[i].text), rule)]


def _group_rule(
    raw: list[RawBlock], members: list[int], scored: dict[int, list[Scored]], hinted: bool
) -> str | None:
    sentences = [s for i in members for s in scored.get(i, ())]
    # The lexicon's signal (English), or an appeal by the model (any language).
    signalled = [s for s in sentences if s.chrome or s.score >= lx.WEAK or s.strong]
    if hinted:
        if signalled:
            return _strongest(signalled).rule
        text_chars = sum(len(raw[i].text) for i in members)
        link_chars = sum(raw[i].link_chars for i in members)
        hint = raw[members[0]].hint or ""
        if text_chars and link_chars >= 0.7 * text_chars and _LINK_HINTS.search(hint):
            return "chrome.links"
        return None
    words = sum(len(raw[i].text.split()) for i in members)
    max_blocks, max_words = _SMALL_PLAIN
    if len(members) > max_blocks or words > max_words or len(members) == len(raw):
        return None
    appeal_words = sum(s.words for s in sentences if s.strong)
    if appeal_words >= 0.5 * words and all(_with_the_pitch(s) for s in sentences):
        return _strongest(signalled).rule if signalled else None
    return None


def _with_the_pitch(sentence: Scored) -> bool:
    """Whether a sentence of a small box that is mostly appeal goes with it:
    short, a signal of the lexicon's, or appeal evidence of its own (a voice
    or concept, any language) the model leans on, without narration."""
    if sentence.score > 0 or sentence.words <= 8:
        return True
    return sentence.evidence and sentence.p >= P_LEAN and not sentence.narrated


def _strongest(sentences: list[Scored]) -> Scored:
    return max(sentences, key=lambda s: (s.strong, s.score))


def _neighbour_blocks(
    raw: list[RawBlock], scored: dict[int, list[Scored]], spans: dict[int, list[Span]]
) -> None:
    """A short block of weak appeal sentences next to a removed appeal block
    belongs to it (a heading over a pitch, a price line under it)."""
    candidates = [
        index
        for index, sentences in scored.items()
        if not appeals.inert(sentences)
        and _pitch_like(raw[index], sentences)
        and not _whole(raw[index], spans[index])
    ]
    changed = bool(candidates)
    while changed:
        changed = False
        for index in candidates:
            block = raw[index]
            if _whole(block, spans[index]):
                continue
            for other in (index - 1, index + 1):
                if 0 <= other < len(raw) and _appeal_block(raw[other], spans[other]):
                    rule = spans[other][0][2]
                    spans[index] = [(0, len(block.text), rule)]
                    changed = True
                    break


def _pitch_like(block: RawBlock, sentences: list[Scored]) -> bool:
    """Short and made of weak appeal sentences, or carrying two signals each."""
    size = len(block.text.split())
    if size <= 15:
        return all(_weakly_appealing(s) for s in sentences)
    return size <= 40 and all(s.score >= 2 * lx.WEAK and _weakly_appealing(s) for s in sentences)


def _weakly_appealing(sentence: Scored) -> bool:
    if sentence.protected or (lx.REPORT in sentence.categories and sentence.score < lx.WEAK):
        return False
    return (
        sentence.chrome
        or sentence.score >= lx.WEAK
        or (sentence.question and sentence.words <= 8)
        # Appeal evidence of its own the model leans on, in any language
        # ("Die ersten vier Wochen sind kostenlos." under the pitch).
        or (sentence.evidence and sentence.p >= P_ABSORB and not sentence.narrated)
    )


def _appeal_block(block: RawBlock, block_spans: list[Span]) -> bool:
    return (
        bool(block_spans)
        and _whole(block, block_spans)
        and not any(rule.startswith(("user.", "metadata.")) for _, _, rule in block_spans)
    )


# --- splicing ---------------------------------------------------------------


def compose(raw: list[RawBlock], spans: dict[int, list[Span]]) -> tuple[list[Block], list[Removal]]:
    blocks: list[Block] = []
    removals: list[Removal] = []
    length = 0  # of the canonical text so far
    for index, block in enumerate(raw):
        merged = _merge(block.text, spans.get(index, []))
        if not merged:
            if block.text:
                length += len(BLOCK_SEPARATOR) * bool(blocks) + len(block.text)
                blocks.append(Block(block.kind, block.text, block.level, tuple(block.links)))
            continue
        text, links, mapping = _splice(block, merged)
        if not _HAS_WORD.search(text):
            text, links, mapping = "", [], []  # only punctuation left between the removals
        # Where this block's text starts (or would start) in the canonical text.
        here = length + len(BLOCK_SEPARATOR) * bool(blocks)
        for start, end, rule in merged:
            after = next((new for raw_start, _, new in mapping if raw_start >= end), len(text))
            position = here + after if text else here
            removals.append(Removal(index, start, end, block.text[start:end], rule, position))
        if text:
            length = here + len(text)
            blocks.append(Block(block.kind, text, block.level, tuple(links)))
    # A passage removed after the last kept block stands at the very end.
    return blocks, [
        replace(removal, position=length) if removal.position > length else removal
        for removal in removals
    ]


def _merge(text: str, block_spans: list[Span]) -> list[Span]:
    """Sorted, non-overlapping spans trimmed of surrounding whitespace."""
    merged: list[Span] = []
    for start, end, rule in sorted(block_spans):
        start, end = max(0, start), min(len(text), end)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end <= start:
            continue
        if merged and start < merged[-1][1]:
            last = merged[-1]
            # Overlaps keep one record; the user's own rule names it when it fired.
            rule = last[2] if last[2].startswith("user.") or not rule.startswith("user.") else rule
            merged[-1] = (last[0], max(last[1], end), rule)
        else:
            merged.append((start, end, rule))
    return merged


def _splice(
    block: RawBlock, merged: list[Span]
) -> tuple[str, list[LinkSpan], list[tuple[int, int, int]]]:
    """The block text without the spans, its links moved to match, and the
    kept pieces as (raw start, raw end, new start)."""
    if not merged:
        return block.text, list(block.links), [(0, len(block.text), 0)]
    pre = block.kind == "preformatted"
    pieces: list[tuple[int, int]] = []  # kept (start, end) in the raw text
    cursor = 0
    for start, end, _ in merged:
        pieces.append((cursor, start))
        cursor = end
    pieces.append((cursor, len(block.text)))
    out: list[str] = []
    mapping: list[tuple[int, int, int]] = []  # raw start, raw end, new start
    length = 0
    for start, end in pieces:
        if not pre:
            while start < end and block.text[start].isspace():
                start += 1
            while end > start and block.text[end - 1].isspace():
                end -= 1
        elif not out:  # preformatted text keeps its indentation, not leading blank lines
            while start < end and block.text[start] == "\n":
                start += 1
        if end <= start:
            continue
        if out and not pre:
            out.append(" ")
            length += 1
        mapping.append((start, end, length))
        out.append(block.text[start:end])
        length += end - start
    if pre and out:
        trimmed = out[-1].rstrip()
        if len(trimmed) < len(out[-1]):
            raw_start, raw_end, new_start = mapping[-1]
            mapping[-1] = (raw_start, raw_start + len(trimmed), new_start)
            out[-1] = trimmed
            if not trimmed:
                out.pop()
                mapping.pop()
    return "".join(out), _remap_links(block.links, mapping), mapping


def _remap_links(links: list[LinkSpan], mapping: list[tuple[int, int, int]]) -> list[LinkSpan]:
    moved = []
    for link in links:
        for raw_start, raw_end, new_start in mapping:
            start, end = max(link.start, raw_start), min(link.end, raw_end)
            if end > start:
                shift = new_start - raw_start
                moved.append(LinkSpan(start + shift, end + shift, link.href))
                break
    return moved
