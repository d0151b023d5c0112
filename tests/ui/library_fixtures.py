"""A real (SQLite) library for the UI tests of tags, saving, search and export.

Search, tag counts and export need the real storage (FTS5, feed tags, files),
so these tests build a small library from a local RSS file with fixed dates.
Nothing here touches the network: the feed's full-text mode is "never".
"""

from __future__ import annotations

from pathlib import Path

from reader.core import Library
from reader.ui.app import BroadsheetApp

from .conftest import RecordingOpener

# (guid, title, body, RFC 822 date): fixed dates, so lists and snapshots are stable.
STORIES = [
    (
        "glacier",
        "Glacier retreat speeds up",
        "Survey teams measured the glacier retreat in the Alps this summer. "
        "The ice lost more than a metre of thickness in a single season.",
        "Tue, 03 Jun 2025 08:00:00 GMT",
    ),
    (
        "compiler",
        "Compiler release adds C++ modules",
        "The new C++ compiler supports modules and faster builds.",
        "Mon, 02 Jun 2025 15:30:00 GMT",
    ),
    (
        "budget",
        "Budget vote delayed [/] again",
        "Council members delayed the budget vote until spring; the glacier fund waits.",
        "Sun, 01 Jun 2025 09:15:00 GMT",
    ),
]


def rss(stories: list[tuple[str, str, str, str]], title: str) -> bytes:
    items = "".join(
        f"<item><guid>{guid}</guid><title>{item_title}</title>"
        f"<link>https://news.example/{guid}</link><pubDate>{date}</pubDate>"
        f"<description><![CDATA[<p>{body}</p>]]></description></item>"
        for guid, item_title, body, date in stories
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://news.example/</link>{items}</channel></rss>"
    ).encode()


def real_library(tmp_path: Path) -> Library:
    """One feed ("The Desk") with the three stories above, refreshed from a local file."""
    library = Library.open(tmp_path / "data", config_dir_path=tmp_path / "config", samples=False)
    path = tmp_path / "desk.xml"
    path.write_bytes(rss(STORIES, "The Desk"))
    feed = library.add_feed(str(path))
    library.set_feed_fulltext(feed.id, "never")
    library.refresh_sync()
    return library


def article_id(library: Library, title_word: str) -> int:
    from reader.core import ArticleQuery

    found = [a.id for a in library.article_page(ArticleQuery(), 0, 50) if title_word in a.title]
    assert len(found) == 1, found
    return found[0]


def make_real_app(library: Library) -> BroadsheetApp:
    return BroadsheetApp(
        library, opener=RecordingOpener(), watch_interval=0, refresh_on_start=False
    )
