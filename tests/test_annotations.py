"""Highlights and notes: storage, durability, re-anchoring, W3C JSON and Markdown."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core import Library
from reader.core._storage import index_articles, transaction
from reader.core.annotations import Annotation, Annotations, markdown_with_annotations
from reader.core.cleaning import CLEANER_VERSION
from reader.core.errors import BroadsheetError, NotFoundError
from reader.core.models import Block, canonical_text

STORY = [
    "Lead paragraph about the council.",
    "The council delayed the budget vote until spring, citing rising costs.",
    "Members said the delay would give residents time to respond.",
    "A final paragraph closes the story.",
]


def open_library(path: Path) -> Library:
    return Library.open(path / "data", config_dir_path=path / "config", samples=False)


def add_article(
    library: Library,
    paragraphs: list[str],
    *,
    key: str = "story",
    feed_id: int | None = None,
    link: str = "https://news.example/story",
) -> int:
    """Insert a cleaned article directly, with exactly these paragraphs."""
    blocks = [Block("paragraph", text) for text in paragraphs]
    text = canonical_text(blocks)
    db = library.db.connection()
    with transaction(db):
        cursor = db.execute(
            """INSERT INTO articles (feed_id, feed_title, feed_url, key, title, link, sort_time,
            fetched_at, raw_content, content_type, content_hash, cleaned_text, cleaned_blocks,
            removed, cleaner_version) VALUES (?, 'Desk', 'https://news.example/feed', ?,
            'Budget vote delayed', ?, 1.0, 1.0, ?, 'text', ?, ?, ?, '[]', ?)""",
            (
                feed_id, key, link, text, key, text,
                json.dumps([block.to_dict() for block in blocks]), CLEANER_VERSION,
            ),
        )  # fmt: skip
        assert cursor.lastrowid is not None
        index_articles(db, [cursor.lastrowid])
    return cursor.lastrowid


def replace_text(library: Library, article_id: int, paragraphs: list[str]) -> tuple[str, str]:
    """Change an article's canonical text as a re-clean would; returns (old, new)."""
    old = library.article(article_id).text
    blocks = [Block("paragraph", text) for text in paragraphs]
    db = library.db.connection()
    with transaction(db):
        db.execute(
            "UPDATE articles SET cleaned_text = ?, cleaned_blocks = ? WHERE id = ?",
            (canonical_text(blocks), json.dumps([b.to_dict() for b in blocks]), article_id),
        )
    return old, canonical_text(blocks)


def span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def words_of(library: Library, item: Annotation) -> str:
    assert item.start is not None and item.end is not None
    return library.article(item.article_id).text[item.start : item.end]


# -- basic storage ---------------------------------------------------------------


def test_highlight_note_delete_and_restore(library: Library) -> None:
    notes = Annotations(library)
    article = add_article(library, STORY)
    text = library.article(article).text
    start, end = span(text, "delayed the budget vote")
    made = notes.highlight(article, start, end, note="  Why spring?  ")
    assert (made.kind, made.exact, made.note, made.orphaned) == (
        "highlight", "delayed the budget vote", "Why spring?", False
    )  # fmt: skip
    assert made.prefix == text[start - 32 : start] and made.suffix == text[end : end + 32]
    assert notes.get(made.id) == made

    edited = notes.set_note(made.id, "Two\nlines")
    assert edited.note == "Two\nlines" and edited.modified >= made.modified
    assert notes.set_note(made.id, "   ").note is None

    deleted = notes.delete(made.id)
    assert notes.for_article(article) == []
    with pytest.raises(NotFoundError):
        notes.get(made.id)
    restored = notes.restore(deleted)
    assert restored == deleted  # same id, uuid and times
    assert notes.for_article(article) == [deleted]
    assert notes.restore(deleted) == deleted  # idempotent


def test_highlight_trims_whitespace_and_rejects_bad_ranges(library: Library) -> None:
    notes = Annotations(library)
    article = add_article(library, STORY)
    text = library.article(article).text
    start, end = span(text, "council.")
    made = notes.highlight(article, start, end + 2)  # selection ran into the blank line
    assert (made.start, made.end, made.exact) == (start, end, "council.")
    for bad in [(-1, 4), (5, 5), (9, 3), (0, len(text) + 1)]:
        with pytest.raises(BroadsheetError):
            notes.highlight(article, *bad)
    with pytest.raises(BroadsheetError):
        notes.highlight(article, end, end + 2)  # only the paragraph break
    with pytest.raises(NotFoundError):
        notes.highlight(article + 99, 0, 4)


def test_article_note_is_one_per_article(library: Library) -> None:
    notes = Annotations(library)
    article = add_article(library, STORY)
    assert notes.article_note(article) is None
    first = notes.set_article_note(article, "Follow up with the treasurer.")
    assert first is not None and first.kind == "note" and first.exact is None
    second = notes.set_article_note(article, "Follow up on Monday.")
    assert second is not None and second.id == first.id and second.uuid == first.uuid
    assert notes.article_note(article) == second
    with pytest.raises(BroadsheetError):
        notes.set_note(first.id, "")
    assert notes.set_article_note(article, "") is None
    assert notes.article_note(article) is None
    with pytest.raises(NotFoundError):
        notes.set_article_note(article + 99, "x")


def test_for_article_lists_note_then_highlights_by_position_then_orphans(
    library: Library,
) -> None:
    notes = Annotations(library)
    article = add_article(library, STORY)
    text = library.article(article).text
    late = notes.highlight(article, *span(text, "final paragraph"))
    early = notes.highlight(article, *span(text, "Lead paragraph"), note="n")
    middle = notes.highlight(article, *span(text, "residents time"))
    note = notes.set_article_note(article, "about it")
    old, new = replace_text(library, article, [p.replace("residents time", "") for p in STORY])
    assert notes.reanchor(article, old, new).orphaned == 1
    assert [item.id for item in notes.for_article(article)] == [
        note.id if note else 0, early.id, late.id, middle.id
    ]  # fmt: skip
    assert notes.for_article(article)[-1].orphaned


def test_annotations_are_durable_across_library_instances(tmp_path: Path) -> None:
    first = open_library(tmp_path)
    article = add_article(first, STORY)
    made = Annotations(first).highlight(article, 0, 4, note="kept")
    note = Annotations(first).set_article_note(article, "article note")
    Annotations(first).save_draft("annotation:new", "half-typed\nnote")
    second = open_library(tmp_path)  # another connection, while the first is still open
    try:
        assert Annotations(second).for_article(article) == [note, made]
        assert Annotations(second).draft("annotation:new") == "half-typed\nnote"
    finally:
        second.close()
        first.close()


def test_drafts_save_replace_and_discard(library: Library) -> None:
    notes = Annotations(library)
    assert notes.draft("k") is None
    notes.save_draft("k", "one")
    notes.save_draft("k", "one two")
    assert notes.draft("k") == "one two"
    notes.discard_draft("k")
    assert notes.draft("k") is None
    notes.discard_draft("k")  # discarding twice is harmless


def test_restore_follows_a_text_change_and_needs_the_article(library: Library) -> None:
    notes = Annotations(library)
    article = add_article(library, STORY)
    text = library.article(article).text
    deleted = notes.delete(notes.highlight(article, *span(text, "budget vote")).id)
    replace_text(library, article, ["New lead.", *STORY])
    restored = notes.restore(deleted)
    assert (restored.uuid, restored.created, restored.exact) == (
        deleted.uuid,
        deleted.created,
        "budget vote",
    )
    assert words_of(library, restored) == "budget vote" and restored.start != deleted.start
    db = library.db.connection()
    with transaction(db):
        db.execute("DELETE FROM articles WHERE id = ?", (article,))
    with pytest.raises(NotFoundError):
        notes.restore(deleted)


# -- re-anchoring ------------------------------------------------------------------


def test_reanchor_a_paragraph_removed_before_keeps_the_same_words(library: Library) -> None:
    notes = Annotations(library)
    article = add_article(library, STORY)
    text = library.article(article).text
    made = notes.highlight(article, *span(text, "The council delayed the budget vote"), note="n")
    old, new = replace_text(library, article, STORY[1:])
    report = notes.reanchor(article, old, new)
    assert (report.moved, report.kept, report.orphaned) == (1, 0, 0)
    moved = notes.get(made.id)
    assert moved.start == made.start - len(STORY[0]) - 2  # type: ignore[operator]
    assert words_of(library, moved) == "The council delayed the budget vote"
    assert (moved.note, moved.uuid, moved.modified) == ("n", made.uuid, made.modified)


def test_reanchor_deleted_words_orphan_the_highlight_and_keep_its_note(library: Library) -> None:
    notes = Annotations(library)
    article = add_article(library, STORY)
    text = library.article(article).text
    made = notes.highlight(article, *span(text, "citing rising costs"), note="Which costs?")
    edited = [p.replace(", citing rising costs", "") for p in STORY]
    old, new = replace_text(library, article, edited)
    report = notes.reanchor(article, old, new)
    assert (report.moved, report.kept, report.orphaned) == (0, 0, 1)
    orphan = notes.get(made.id)
    assert orphan.orphaned
    assert (orphan.exact, orphan.note) == ("citing rising costs", "Which costs?")
    # Putting the words back recovers it.
    old, new = replace_text(library, article, STORY)
    assert notes.reanchor(article, old, new).recovered == 1
    assert notes.get(made.id) == made


def test_reanchor_a_change_elsewhere_in_the_paragraph_keeps_it(library: Library) -> None:
    notes = Annotations(library)
    article = add_article(library, STORY)
    text = library.article(article).text
    made = notes.highlight(article, *span(text, "residents time to respond"))
    untouched = notes.highlight(article, *span(text, "Lead paragraph"))
    edited = list(STORY)
    edited[2] = edited[2].replace("Members said", "Several council members said")
    old, new = replace_text(library, article, edited)
    report = notes.reanchor(article, old, new)
    assert (report.moved, report.kept, report.orphaned) == (1, 1, 0)
    assert words_of(library, notes.get(made.id)) == "residents time to respond"
    assert notes.get(untouched.id) == untouched


def test_reanchor_a_reworded_highlight_moves_with_a_fuzzy_match(library: Library) -> None:
    notes = Annotations(library)
    article = add_article(library, STORY)
    text = library.article(article).text
    made = notes.highlight(article, *span(text, "the delay would give residents time"))
    edited = list(STORY)
    edited[2] = edited[2].replace("would give", "will give")
    old, new = replace_text(library, article, ["New lead.", *edited])
    assert notes.reanchor(article, old, new).moved == 1
    moved = notes.get(made.id)
    assert words_of(library, moved) == "the delay will give residents time" == moved.exact


def test_reclean_reanchors_through_the_library(library: Library) -> None:
    """Library.reclean re-derives the text from raw content and re-anchors."""
    notes = Annotations(library)
    article = add_article(library, ["An extra lead the cleaner will not produce.", *STORY])
    db = library.db.connection()
    with transaction(db):
        db.execute(
            "UPDATE articles SET raw_content = ?, content_type = 'html' WHERE id = ?",
            ("".join(f"<p>{p}</p>" for p in STORY), article),
        )
    text = library.article(article).text
    made = notes.highlight(article, *span(text, "The council delayed the budget vote"))
    library.reclean([article])
    assert "An extra lead" not in library.article(article).text
    after = notes.get(made.id)
    assert not after.orphaned and after.start != made.start
    assert words_of(library, after) == "The council delayed the budget vote"


# -- W3C Web Annotation JSON --------------------------------------------------------


def annotate(library: Library, article: int) -> list[Annotation]:
    notes = Annotations(library)
    text = library.article(article).text
    for words, note_text in [
        ("delayed the budget vote", None),
        ("rising costs.\n\nMembers said", "Line one\nline two"),
        ("give residents time", "orphan-to-be"),
    ]:
        notes.highlight(article, *span(text, words), note=note_text)
    note = notes.set_article_note(article, "Article-level note")
    assert note is not None
    old, new = replace_text(library, article, [p.replace("give residents time", "") for p in STORY])
    notes.reanchor(article, old, new)
    return notes.for_article(article)


def test_web_annotations_have_the_w3c_shape(library: Library) -> None:
    article = add_article(library, STORY)
    annotate(library, article)
    items = Annotations(library).to_web_annotations(article, "https://news.example/story")
    json.dumps(items)  # plain JSON
    note, plain, commented, orphan = items
    for item in items:
        assert item["@context"] == "http://www.w3.org/ns/anno.jsonld"
        assert item["type"] == "Annotation" and item["id"].startswith("urn:uuid:")
        assert item["created"].endswith("Z") and item["modified"].endswith("Z")
        assert item["target"]["source"] == "https://news.example/story"
    assert note["motivation"] == "commenting" and "selector" not in note["target"]
    assert note["body"] == {
        "type": "TextualBody",
        "value": "Article-level note",
        "format": "text/plain",
    }
    assert plain["motivation"] == "highlighting" and "body" not in plain
    quote, position = plain["target"]["selector"]
    assert quote["type"] == "TextQuoteSelector" and quote["exact"] == "delayed the budget vote"
    assert position["type"] == "TextPositionSelector"
    text = library.article(article).text
    assert text[position["start"] : position["end"]] == quote["exact"]
    assert commented["body"]["value"] == "Line one\nline two"
    assert orphan["broadsheet:orphaned"] is True and "broadsheet:orphaned" not in plain


def test_json_round_trip_into_a_fresh_library_is_identical(tmp_path: Path) -> None:
    source = open_library(tmp_path / "one")
    target = open_library(tmp_path / "two")
    try:
        article = add_article(source, STORY)
        before = annotate(source, article)
        items = json.loads(json.dumps(Annotations(source).to_web_annotations(article, None)))
        copy = add_article(target, source.article(article).text.split("\n\n"))
        assert Annotations(target).import_web_annotations(copy, items) == 4
        after = Annotations(target).for_article(copy)
        fields = ["uuid", "kind", "exact", "prefix", "suffix", "start", "end", "note",
                  "orphaned", "created", "modified"]  # fmt: skip
        assert [[getattr(a, f) for f in fields] for a in after] == [
            [getattr(b, f) for f in fields] for b in before
        ]
        assert Annotations(target).import_web_annotations(copy, items) == 0
        assert len(Annotations(target).for_article(copy)) == 4
        assert Annotations(target).to_web_annotations(copy, None) == items
    finally:
        source.close()
        target.close()


def test_export_and_import_library_carry_annotations(tmp_path: Path) -> None:
    from reader.core.export import export_articles, import_library

    source = open_library(tmp_path / "one")
    target = open_library(tmp_path / "two")
    try:
        article = add_article(source, STORY)
        before = Annotations(source).to_web_annotations(article, "https://news.example/story")
        assert before == []
        annotate(source, article)
        before = Annotations(source).to_web_annotations(article, "https://news.example/story")
        export_articles(source, [article], tmp_path / "out", ["json"])
        assert import_library(target, tmp_path / "out").annotations == 4
        assert import_library(target, tmp_path / "out").annotations == 0
        (copy,) = [row[0] for row in target.db.connection().execute("SELECT id FROM articles")]
        assert Annotations(target).to_web_annotations(copy, "https://news.example/story") == before
    finally:
        source.close()
        target.close()


def test_import_reanchors_against_a_different_text_and_skips_junk(library: Library) -> None:
    article = add_article(library, ["A new first paragraph.", *STORY])
    text = canonical_text([Block("paragraph", p) for p in STORY])
    start, end = span(text, "delayed the budget vote")
    good = {
        "id": "urn:uuid:0b1d8f0e-7d7e-4c57-9a43-1e0b7e4d8a10",
        "type": "Annotation",
        "created": "2026-06-01T10:00:00Z",
        "target": {
            "source": "https://elsewhere.example/",
            "selector": [
                {"type": "TextQuoteSelector", "exact": text[start:end],
                 "prefix": text[start - 20 : start], "suffix": text[end : end + 20]},
                {"type": "TextPositionSelector", "start": start, "end": end},
            ],
        },
    }  # fmt: skip
    gone = json.loads(json.dumps(good))
    gone["id"] = "https://hypothes.is/a/abc"
    gone["target"]["selector"][0]["exact"] = "words this article never had"
    junk: list = [
        {"type": "Annotation"},  # nothing to anchor, no note
        {"target": {"selector": {"type": "TextQuoteSelector", "exact": 5}}},
        {"target": {"selector": [{"type": "TextPositionSelector", "start": 3, "end": 10**9}]}},
        {"body": [{"purpose": "tagging", "value": "tag"}]},
    ]
    notes = Annotations(library)
    assert notes.import_web_annotations(article, [good, gone, *junk]) == 2
    placed, orphan = notes.for_article(article)
    assert words_of(library, placed) == "delayed the budget vote" and not placed.orphaned
    assert placed.created == placed.modified == 1780308000.0
    assert orphan.orphaned and orphan.exact == "words this article never had"
    assert notes.import_web_annotations(article, [good, gone]) == 0


# -- the annotations list -------------------------------------------------------------


def test_all_is_newest_first_and_filters_by_tag_feed_and_text(library: Library) -> None:
    notes = Annotations(library)
    feed = library.add_feed("https://news.example/feed.xml")
    first = add_article(library, STORY, key="one", feed_id=feed.id)
    second = add_article(library, ["C++ modules ship in the new compiler release."], key="two")
    library.tag_article(second, ["tech"])
    a = notes.highlight(first, *span(library.article(first).text, "budget vote"), note="money")
    b = notes.highlight(second, 0, 11, note="finally")
    assert [(item.id, summary.id) for item, summary in notes.all()] == [
        (b.id, second),
        (a.id, first),
    ]
    assert notes.all()[1][1].feed_id == feed.id and notes.all()[1][1].title == "Budget vote delayed"
    assert [item.id for item, _ in notes.all(tag="tech")] == [b.id]
    assert [item.id for item, _ in notes.all(feed_id=feed.id)] == [a.id]
    assert [item.id for item, _ in notes.all(text="money")] == [a.id]
    assert [item.id for item, _ in notes.all(text="C++")] == [b.id]
    assert [item.id for item, _ in notes.all(text="budg*")] == [a.id]
    assert [item.id for item, _ in notes.all(limit=1, offset=1)] == [a.id]
    assert notes.all(text="nothing-like-this") == []


@pytest.mark.parametrize(
    "query",
    ["C++", '"', "*", '"unbalanced', "a" * 10_000, "x " * 5_000, "NEAR(a b)", "AND OR NOT",
     "-", "^col", "tag:", "notes:money", "\x00", "(", "'; DROP TABLE annotations; --"],
)  # fmt: skip
def test_hostile_text_filters_never_raise(library: Library, query: str) -> None:
    notes = Annotations(library)
    article = add_article(library, STORY)
    notes.highlight(article, 0, 4, note="money")
    assert isinstance(notes.all(text=query), list)
    assert len(notes.all()) == 1


@pytest.fixture(scope="module")
def shared_library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """One library for all Hypothesis examples (opening one per example is slow)."""
    lib = open_library(tmp_path_factory.mktemp("fuzz"))
    article = add_article(lib, STORY)
    Annotations(lib).highlight(article, 0, 4, note="money")
    yield lib
    lib.close()


@settings(max_examples=60, deadline=None)
@given(query=st.text(max_size=300))
def test_any_text_filter_is_safe(shared_library: Library, query: str) -> None:
    assert isinstance(Annotations(shared_library).all(text=query), list)


# -- Markdown ---------------------------------------------------------------------------


def test_markdown_marks_highlights_notes_and_orphans(library: Library) -> None:
    article_id = add_article(library, STORY)
    annotate(library, article_id)
    article = library.article(article_id)
    markdown = markdown_with_annotations(article, Annotations(library).for_article(article_id))
    blocks = markdown.split("\n\n")
    assert blocks[0] == "> **Note:** Article-level note"
    assert blocks[1] == "Lead paragraph about the council."
    # The highlight spanning two paragraphs is marked in each; its note follows the second.
    assert blocks[2] == (
        "The council ==delayed the budget vote== until spring, citing ==rising costs.=="
    )
    assert blocks[3] == "==Members said== the delay would  to respond."
    assert blocks[4] == "> **Note:** Line one\n> line two"
    assert blocks[5] == "A final paragraph closes the story."
    assert blocks[6] == "## Orphaned highlights"
    assert blocks[7] == "- ==give residents time=="
    assert blocks[8] == "  > **Note:** orphan-to-be"
    assert len(blocks) == 9


def test_markdown_escapes_story_text_and_places_stale_offsets_safely(library: Library) -> None:
    article_id = add_article(library, ["Use a == b and *stars* here.", "Second [link] block."])
    notes = Annotations(library)
    text = library.article(article_id).text
    notes.highlight(article_id, *span(text, "*stars*"))
    notes.highlight(article_id, *span(text, "[link] block"), note="a *bold* claim")
    # The text changed but nobody re-anchored: Markdown must not mark other words.
    replace_text(library, article_id, ["New lead.", "Use a == b and *stars* here.", "Second."])
    article = library.article(article_id)
    markdown = markdown_with_annotations(article, notes.for_article(article_id))
    assert r"Use a \=\= b and ==\*stars\*== here." in markdown
    assert markdown.endswith(
        "## Orphaned highlights\n\n- ==\\[link\\] block==\n\n  > **Note:** a \\*bold\\* claim"
    )


def test_highlights_in_code_are_kept_and_code_cannot_close_its_fence(
    library: Library,
) -> None:
    """Markdown cannot mark words inside a code block: the highlighted words follow the
    block, quoted, so no highlight is lost; a fence longer than any backtick run in the
    code keeps the code whole."""
    article_id = add_article(library, ["Before the code.", "x"])
    code = "run ```` this\nthen | that"
    blocks = [Block("paragraph", "Before the code."), Block("preformatted", code)]
    db = library.db.connection()
    with transaction(db):
        db.execute(
            "UPDATE articles SET cleaned_text = ?, cleaned_blocks = ? WHERE id = ?",
            (canonical_text(blocks), json.dumps([b.to_dict() for b in blocks]), article_id),
        )
    notes = Annotations(library)
    text = library.article(article_id).text
    notes.highlight(article_id, *span(text, "then | that"))
    article = library.article(article_id)
    markdown = markdown_with_annotations(article, notes.for_article(article_id))
    assert "`````\nrun ```` this\nthen | that\n`````" in markdown
    assert markdown.endswith("> ==then \\| that==")


def test_a_note_cannot_open_a_highlight_in_markdown(library: Library) -> None:
    """Notes are escaped as the story is: '==' in a note is text, not a highlight."""
    article_id = add_article(library, ["Use a test here.", "Second block."])
    notes = Annotations(library)
    text = library.article(article_id).text
    notes.highlight(article_id, *span(text, "test"), note="if a ==b== holds")
    notes.set_article_note(article_id, "x == y")
    article = library.article(article_id)
    markdown = markdown_with_annotations(article, notes.for_article(article_id))
    assert "> **Note:** x \\=\\= y" in markdown
    assert "> **Note:** if a \\=\\=b\\=\\= holds" in markdown
