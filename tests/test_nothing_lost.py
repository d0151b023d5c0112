"""Issue 12: nothing a person reads is lost — retention, undoable mark-all-read,
refresh after errors, duplicate counts, tag case and all-or-nothing commands.

Time is simulated by patching ``reader.core._storage.now`` (every stamp the library
writes — fetched, read, pruned — comes from it). Feeds carry old, future and missing
publication dates on purpose: retention must not care about them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from loopback import LoopbackServer

from reader.cli import main
from reader.core import ArticleQuery, Library, _storage
from reader.core.annotations import Annotations
from reader.core.errors import NotFoundError

DAY = 86400.0
START = 1_790_000_000.0  # 2026-09-21: "now" at the start of each simulation

OLD = "Mon, 06 Apr 2026 10:00:00 GMT"  # months before START, like the bundled samples
FUTURE = "Sat, 01 Jan 2033 10:00:00 GMT"  # a feed with a wrong clock


def feed_xml(items: list[tuple[str, str | None, str | None]], title: str = "Desk") -> bytes:
    """RSS from (guid, pubDate or None, link or None)."""
    entries = "".join(
        f"<item><guid>{guid}</guid><title>Story {guid}</title>"
        + (f"<link>{link}</link>" if link else "")
        + (f"<pubDate>{date}</pubDate>" if date else "")
        + f"<description>Text of story {guid}, long enough to read.</description></item>"
        for guid, date, link in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://desk.example/</link>{entries}</channel></rss>"
    ).encode()


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.time = START
        monkeypatch.setattr(_storage, "now", lambda: self.time)

    def advance(self, days: float) -> None:
        self.time += days * DAY


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library.open(tmp_path / "data", config_dir_path=tmp_path / "config", samples=False)
    lib.config.retention_days = 30
    try:
        yield lib
    finally:
        lib.close()


def subscribe(
    library: Library, tmp_path: Path, name: str, items: list[tuple[str, str | None, str | None]]
) -> int:  # noqa: E501
    path = tmp_path / name
    path.write_bytes(feed_xml(items, title=name))
    return library.add_feed(str(path)).id


def ids_by_key(library: Library) -> dict[str, int]:
    rows = library.db.connection().execute("SELECT key, id FROM articles")
    return {row[0]: row[1] for row in rows}


MIXED_DATES = [("old", OLD, None), ("future", FUTURE, None), ("undated", None, None)]


# -- 1. reading an article never deletes it -----------------------------------------


def test_reading_an_old_article_does_not_prune_it(
    library: Library, tmp_path: Path, clock: Clock
) -> None:  # noqa: E501
    subscribe(library, tmp_path, "desk.xml", MIXED_DATES)
    library.refresh_sync(fulltext=False)
    ids = ids_by_key(library)
    library.mark_read(list(ids.values()))
    clock.advance(1)
    library.refresh_sync(fulltext=False)  # prunes at the end, as the CLI's refresh does
    assert set(ids_by_key(library)) == {"old", "future", "undated"}
    for article_id in ids.values():
        assert library.article(article_id).read


def test_pruned_only_after_retention_since_fetched_or_read(
    library: Library, tmp_path: Path, clock: Clock
) -> None:  # noqa: E501
    subscribe(library, tmp_path, "desk.xml", MIXED_DATES)
    library.refresh_sync(fulltext=False)
    ids = ids_by_key(library)
    clock.advance(20)
    library.mark_read([ids["old"]])  # read on day 20: kept until day 50
    clock.advance(15)  # day 35: fetched 35 days ago, but read 15 days ago
    library.mark_read([ids["future"], ids["undated"]])  # read today
    assert library.prune() == 0
    clock.advance(16)  # day 51: "old" was read 31 days ago
    assert library.prune() == 1
    assert set(ids_by_key(library)) == {"future", "undated"}
    clock.advance(30)
    assert library.prune() == 2
    assert ids_by_key(library) == {}


def test_kept_articles_are_never_pruned(library: Library, tmp_path: Path, clock: Clock) -> None:
    items = [
        (key, OLD, None) for key in ("saved", "tagged", "highlighted", "noted", "open", "plain")
    ]
    subscribe(library, tmp_path, "desk.xml", items)
    library.refresh_sync(fulltext=False)
    ids = ids_by_key(library)
    library.mark_read(list(ids.values()))
    library.set_saved(ids["saved"], True)
    library.tag_article(ids["tagged"], ["Keep"])
    notes = Annotations(library)
    text = library.article(ids["highlighted"]).text
    notes.highlight(ids["highlighted"], 0, min(len(text), 10))
    notes.set_article_note(ids["noted"], "why this matters")
    library.set_state("last_article", str(ids["open"]))  # what the reader has open
    clock.advance(3650)
    assert library.prune() == 1
    assert set(ids_by_key(library)) == {"saved", "tagged", "highlighted", "noted", "open"}


def test_pruned_article_never_returns_as_new(
    library: Library, tmp_path: Path, clock: Clock
) -> None:  # noqa: E501
    feed_path = tmp_path / "desk.xml"
    subscribe(library, tmp_path, "desk.xml", MIXED_DATES)
    library.refresh_sync(fulltext=False)
    library.mark_read(list(ids_by_key(library).values()))
    clock.advance(31)
    assert library.prune() == 3
    # The feed still lists them, in a changed body (so it is parsed again).
    feed_path.write_bytes(feed_xml([*MIXED_DATES, ("fresh", OLD, None)]))
    summary = library.refresh_sync(fulltext=False)
    assert summary.new == 1
    assert set(ids_by_key(library)) == {"fresh"}


def test_a_story_and_its_copies_are_pruned_together(
    library: Library, tmp_path: Path, clock: Clock
) -> None:  # noqa: E501
    link = "https://desk.example/shared-story"
    subscribe(library, tmp_path, "a.xml", [("a1", OLD, link)])
    library.refresh_sync(fulltext=False)
    library.mark_read(list(ids_by_key(library).values()))
    clock.advance(25)
    subscribe(library, tmp_path, "b.xml", [("b1", OLD, link)])  # the copy comes later
    library.refresh_sync(fulltext=False)
    copy = ids_by_key(library)["b1"]
    assert library.article(copy).read  # read once, read everywhere
    clock.advance(10)  # the original is past retention, the copy is not
    assert library.prune() == 0
    assert library.count_articles(ArticleQuery(unread_only=True)) == 0
    clock.advance(30)
    assert library.prune() == 2
    (tmp_path / "a.xml").write_bytes(feed_xml([("a1", OLD, link)]) + b" ")
    (tmp_path / "b.xml").write_bytes(feed_xml([("b1", OLD, link)]) + b" ")
    assert library.refresh_sync(fulltext=False).new == 0
    assert library.count_articles(ArticleQuery()) == 0


def test_months_of_reading_and_refreshing(library: Library, tmp_path: Path, clock: Clock) -> None:
    """End to end: a feed publishes daily for four months (with old, future and missing
    dates); each day the reader refreshes, reads some, marks all read now and then,
    keeps some. Nothing read within retention is pruned; kept ones never; nothing
    pruned comes back."""
    feed_path = tmp_path / "daily.xml"
    items: list[tuple[str, str | None, str | None]] = []
    dates = [OLD, FUTURE, None]
    library.add_feed(feed_path.as_uri())
    kept: set[str] = set()
    read_on: dict[str, float] = {}
    fetched_on: dict[str, float] = {}
    ever_pruned: set[str] = set()
    for day in range(120):
        items = [*items[-40:], (f"d{day}", dates[day % 3], None)]  # the feed lists 41 items
        feed_path.write_bytes(feed_xml(items, title="Daily"))
        library.refresh_sync(fulltext=False)
        present = ids_by_key(library)
        assert not (ever_pruned & set(present)), "a pruned article came back"
        for key in present:
            fetched_on.setdefault(key, clock.time)
        if day % 2 == 0:
            library.mark_read([present[f"d{day}"]])
            read_on[f"d{day}"] = clock.time
        if day % 10 == 5:
            changed = library.mark_query_read(ArticleQuery())
            for key, article_id in present.items():
                if article_id in changed:
                    read_on[key] = clock.time
        if day % 17 == 0:
            library.set_saved(present[f"d{day}"], True)
            kept.add(f"d{day}")
        if day % 23 == 0:
            library.tag_article(present[f"d{day}"], ["Later"])
            kept.add(f"d{day}")
        clock.advance(1)
        before = set(ids_by_key(library))
        library.prune()
        after = set(ids_by_key(library))
        for key in before - after:
            last = max(fetched_on[key], read_on.get(key, 0.0))
            assert key not in kept
            assert key in read_on, f"{key} was pruned unread"
            assert clock.time - last >= 30 * DAY, f"{key} pruned within retention"
        ever_pruned |= before - after
    assert kept <= set(ids_by_key(library))
    assert len(ever_pruned) > 10  # retention did run


# -- 2. mark all read is undoable and harmless ----------------------------------------


def test_mark_all_read_then_refresh_keeps_the_library(
    library: Library, tmp_path: Path, clock: Clock
) -> None:  # noqa: E501
    subscribe(library, tmp_path, "desk.xml", [(f"k{i}", OLD, None) for i in range(27)])
    library.refresh_sync(fulltext=False)
    changed = library.mark_query_read(ArticleQuery())
    assert len(changed) == 27
    clock.advance(1)
    library.refresh_sync(fulltext=False)
    assert library.count_articles(ArticleQuery()) == 27
    library.mark_read(changed, read=False)  # what U in the reader does
    assert library.count_articles(ArticleQuery(unread_only=True)) == 27


# -- 5. a feed that failed is fetched again when asked --------------------------------


def test_explicit_refresh_ignores_backoff_automatic_waits(
    library: Library, tmp_path: Path, clock: Clock
) -> None:  # noqa: E501
    good = subscribe(library, tmp_path, "good.xml", [("g", OLD, None)])
    broken_path = tmp_path / "broken.xml"
    broken_path.write_bytes(b"<html>not a feed today</html>")
    broken = library.add_feed(str(broken_path)).id
    first = library.refresh_sync(fulltext=False)
    assert first.feeds == 2 and first.errors == 1
    broken_path.write_bytes(feed_xml([("r", OLD, None)]))  # the feed recovers
    waiting = library.refresh_sync(fulltext=False, automatic=True)
    assert waiting.feeds == 1 and waiting.waiting == 1
    assert "1 feed waiting after errors, next try in" in waiting.line(now=clock.time)
    asked = library.refresh_sync(fulltext=False)
    assert asked.feeds == 2 and asked.errors == 0 and asked.waiting == 0
    assert library.feed(broken).last_error is None
    assert library.feed(good).last_error is None


def test_cli_refresh_of_only_a_failing_feed_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # noqa: E501
    data = ["--data-dir", str(tmp_path / "d"), "--config-dir", str(tmp_path / "c"), "--no-samples"]
    assert main([*data, "add", "--no-fetch", str(tmp_path / "x.xml")]) == 1  # no such file
    (tmp_path / "x.xml").write_bytes(b"not a feed at all")
    main([*data, "add", "--no-fetch", str(tmp_path / "x.xml")])
    capsys.readouterr()
    for _ in range(2):  # the second time it is in back-off, and is fetched anyway
        assert main([*data, "refresh", "--quiet", "--no-clean"]) == 1
        out = capsys.readouterr().out
        assert out.startswith("1 feeds:") or out.startswith("1 feed:")
    assert main([*data, "refresh", "--quiet", "--no-clean", "--auto"]) == 0
    assert "waiting after errors" in capsys.readouterr().out


# -- 6. duplicates: shown once, in every feed they belong to ------------------------


def test_copies_show_in_each_feed_and_once_in_all(library: Library, tmp_path: Path) -> None:
    links = [f"https://desk.example/s{i}" for i in range(3)]
    a = subscribe(
        library, tmp_path, "a.xml", [(f"a{i}", OLD, link) for i, link in enumerate(links)]
    )
    b = subscribe(
        library, tmp_path, "b.xml", [(f"b{i}", OLD, link) for i, link in enumerate(links)]
    )
    summary = library.refresh_sync(fulltext=False)
    assert summary.new == 3  # as many as All lists
    assert library.count_articles(ArticleQuery()) == 3
    for feed_id in (a, b):
        assert library.count_articles(ArticleQuery(feed_id=feed_id)) == 3
        assert library.count_articles(ArticleQuery(feed_id=feed_id, unread_only=True)) == 3
        assert len(library.article_page(ArticleQuery(feed_id=feed_id), 0, 10)) == 3
        assert library.feed(feed_id).unread == 3 and library.feed(feed_id).total == 3
    # Reading a copy in one feed reads the story everywhere.
    copy = library.article_page(ArticleQuery(feed_id=b), 0, 1)[0]
    library.mark_read([copy.id])
    assert library.feed(a).unread == 2 and library.feed(b).unread == 2
    assert library.count_articles(ArticleQuery(unread_only=True)) == 2


def test_saved_or_tagged_copy_shows_in_saved_and_tag_views(
    library: Library, tmp_path: Path
) -> None:  # noqa: E501
    link = "https://desk.example/shared"
    subscribe(library, tmp_path, "a.xml", [("a", OLD, link)])
    b = subscribe(library, tmp_path, "b.xml", [("b", OLD, link)])
    library.refresh_sync(fulltext=False)
    copy = library.article_page(ArticleQuery(feed_id=b), 0, 1)[0].id
    library.set_saved(copy, True)
    library.tag_article(copy, ["Later"])
    assert [s.id for s in library.article_page(ArticleQuery(saved_only=True), 0, 5)] == [copy]
    assert [s.id for s in library.article_page(ArticleQuery(tag="later"), 0, 5)] == [copy]


# -- 7. one rule for tag case -----------------------------------------------------------


def test_tags_are_case_insensitive_everywhere_first_spelling_shown(
    library: Library, tmp_path: Path
) -> None:  # noqa: E501
    subscribe(library, tmp_path, "desk.xml", [("x", OLD, None), ("y", OLD, None)])
    library.refresh_sync(fulltext=False)
    x, y = ids_by_key(library)["x"], ids_by_key(library)["y"]
    library.tag_article(x, ["News", "Multi Word"])
    library.tag_article(y, ["NEWS"])  # the same tag: shown as first spelled
    assert library.article(y).tags == ("News",)
    assert library.tags() == [("Multi Word", 1), ("News", 2)]
    for spelling in ("news", "NEWS", "News"):
        assert library.count_articles(ArticleQuery(tag=spelling)) == 2
        assert len(library.search(f"tag:{spelling}")) == 2
    assert len(library.search('tag:"multi word"')) == 1
    notes = Annotations(library)
    notes.set_article_note(x, "a note")
    assert len(notes.all(tag="nEwS")) == 1
    library.untag_article(x, ["news"])
    library.untag_article(y, ["news"])
    assert library.article(x).tags == ("Multi Word",) and library.article(y).tags == ()
    feed = library.feeds()[0].id
    library.tag_feed(feed, ["Ünïcode"])
    assert library.count_articles(ArticleQuery(tag="üNÏCODE")) == 2


def test_old_libraries_merge_tags_that_differ_in_case(tmp_path: Path) -> None:
    with Library.open(tmp_path / "d", config_dir_path=tmp_path / "c", samples=False) as lib:
        path = tmp_path / "f.xml"
        path.write_bytes(feed_xml([("x", OLD, None)]))
        lib.add_feed(str(path))
        lib.refresh_sync(fulltext=False)
        db = lib.db.connection()
        article = db.execute("SELECT id FROM articles").fetchone()[0]
        # As an older Broadsheet stored them: two spellings side by side, schema 2.
        db.execute("INSERT INTO article_tags VALUES (?, 'news'), (?, 'News')", (article, article))
        db.execute("PRAGMA user_version = 2")
    with Library.open(tmp_path / "d", config_dir_path=tmp_path / "c", samples=False) as lib:
        assert lib.article(article).tags == ("News",)
        assert lib.tags() == [("News", 1)]


# -- 8. several ids: all or nothing ---------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["save"], ["save", "--unsave"], ["mark-read"], ["mark-read", "--unread"]],
)
def test_commands_with_several_ids_change_all_or_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    data = ["--data-dir", str(tmp_path / "d"), "--config-dir", str(tmp_path / "c"), "--no-samples"]
    (tmp_path / "f.xml").write_bytes(feed_xml([("x", OLD, None), ("y", OLD, None)]))
    assert main([*data, "add", str(tmp_path / "f.xml")]) == 0
    with Library.open(tmp_path / "d", config_dir_path=tmp_path / "c") as lib:
        ids = sorted(ids_by_key(lib).values())
        if "--unsave" in command:
            lib.save_articles(ids)
        if "--unread" in command:
            lib.mark_read(ids)
        before = [(a.read, a.saved) for a in map(lib.article, ids)]
    capsys.readouterr()
    assert main([*data, *command, str(ids[0]), "99999", str(ids[1])]) == 1
    error = capsys.readouterr().err
    assert "99999" in error and "nothing was changed" in error
    with Library.open(tmp_path / "d", config_dir_path=tmp_path / "c") as lib:
        assert [(a.read, a.saved) for a in map(lib.article, ids)] == before
        with pytest.raises(NotFoundError):
            lib.mark_read([ids[0], 99999])
        assert [(a.read, a.saved) for a in map(lib.article, ids)] == before


def test_undo_ids_round_trip_through_json(library: Library, tmp_path: Path) -> None:
    """mark_query_read returns plain ids (the reader keeps them for U)."""
    subscribe(library, tmp_path, "desk.xml", [("x", OLD, None)])
    library.refresh_sync(fulltext=False)
    assert json.loads(json.dumps(library.mark_query_read(ArticleQuery()))) == list(
        ids_by_key(library).values()
    )


# -- 10. per-feed full text, and polite page fetching -----------------------------------


def test_feed_set_fulltext_from_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = ["--data-dir", str(tmp_path / "d"), "--config-dir", str(tmp_path / "c"), "--no-samples"]
    (tmp_path / "f.xml").write_bytes(feed_xml([("x", OLD, None)], title="Night Desk"))
    assert main([*data, "add", str(tmp_path / "f.xml")]) == 0
    assert main([*data, "feed-set", "Night Desk", "fulltext=never"]) == 0
    assert "fulltext=never" in capsys.readouterr().out
    assert main([*data, "feeds"]) == 0
    assert "fulltext=never" in capsys.readouterr().out
    assert main([*data, "feed-set", "Night Desk", "fulltext=sometimes"]) == 1
    assert "fulltext must be one of auto, always, never" in capsys.readouterr().err
    assert main([*data, "feed-set", "Night Desk", "colour=red"]) == 1
    assert "unknown feed setting 'colour'" in capsys.readouterr().err
    with Library.open(tmp_path / "d", config_dir_path=tmp_path / "c") as lib:
        assert lib.feeds()[0].fulltext == "never"


def test_story_pages_are_capped_per_site_and_queued(
    library: Library, loopback: LoopbackServer
) -> None:  # noqa: E501
    from reader.core._refresh import fulltext as library_module

    page = b"<html><body><article>" + b"<p>A full story paragraph, long enough.</p>" * 30
    for i in range(60):
        loopback.static(f"/story/{i}", page + b"</article></body></html>")
    items = [(f"s{i}", OLD, loopback.url(f"/story/{i}")) for i in range(60)]
    feed_url = loopback.static("/feed.xml", feed_xml(items))
    library.add_feed(feed_url)
    per_host = library_module.FULLTEXT_PAGES_PER_HOST
    library.refresh_sync()
    fetched = sum(len(loopback.requests_to(f"/story/{i}")) for i in range(60))
    assert fetched == per_host
    assert library.pending_full_texts() == 60 - per_host
    library.refresh_sync()
    fetched = sum(len(loopback.requests_to(f"/story/{i}")) for i in range(60))
    assert fetched == 2 * per_host
    # "never" stops what is queued
    library.set_feed_fulltext(library.feeds()[0].id, "never")
    assert library.pending_full_texts() == 0


def test_unsubscribing_keeps_saved_tagged_and_annotated(library: Library, tmp_path: Path) -> None:
    feed = subscribe(library, tmp_path, "desk.xml", [(k, OLD, None) for k in "stnp"])
    library.refresh_sync(fulltext=False)
    ids = ids_by_key(library)
    library.set_saved(ids["s"], True)
    library.tag_article(ids["t"], ["Keep"])
    Annotations(library).set_article_note(ids["n"], "mine")
    library.remove_feed(feed)
    assert set(ids_by_key(library)) == {"s", "t", "n"}
