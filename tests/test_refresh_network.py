"""Refresh against a real HTTP server on 127.0.0.1: conditional requests, errors,
redirects, full-text completion of summary-only feeds, and autodiscovery."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from loopback import LoopbackServer

from reader.core import ArticleQuery, Library
from reader.core._fetch import Fetcher, FetchLimits
from reader.core.errors import BroadsheetError


def feed_xml(name: str, items: int, link_base: str = "http://127.0.0.1:9") -> bytes:
    body = "".join(
        f"<item><guid>{name}-{n}</guid><title>{name} story {n}</title>"
        f"<link>{link_base}/{name}/{n}</link>"
        f"<description><![CDATA[<p>{'A full paragraph of reporting. ' * 30}</p>]]></description>"
        "</item>"
        for n in range(items)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>'
        f"<link>https://example.org/{name}</link>{body}</channel></rss>"
    ).encode()


def test_fifty_feeds_then_all_not_modified_via_cli(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    for n in range(50):
        url = loopback.conditional(f"/f{n}.xml", feed_xml(f"f{n}", 3), etag=f'"v{n}"')
        Library.open(tmp_path, config_dir_path=tmp_path, samples=False).add_feed(url)
    command = [sys.executable, "-m", "reader", "--data-dir", str(tmp_path),
               "--config-dir", str(tmp_path), "refresh"]  # fmt: skip
    first = subprocess.run(command, capture_output=True, text=True, check=True)
    assert first.stdout.strip().splitlines()[-1] == (
        "50 feeds: 150 new articles, 0 not modified, 0 errors"
    )
    second = subprocess.run(command, capture_output=True, text=True, check=True)
    assert second.stdout.strip().splitlines()[-1] == (
        "50 feeds: 0 new articles, 50 not modified, 0 errors"
    )
    conditional = [r for r in loopback.requests if r.header("If-None-Match")]
    assert len(conditional) == 50


def test_failing_feed_records_error_and_others_continue(
    loopback: LoopbackServer, library: Library
) -> None:
    good = library.add_feed(loopback.static("/good.xml", feed_xml("good", 2)))
    bad = library.add_feed(loopback.static("/bad.xml", b"nope", status=500))
    summary = library.refresh_sync()
    assert (summary.new, summary.errors) == (2, 1)
    assert library.feed(bad.id).last_error and "500" in library.feed(bad.id).last_error
    assert library.feed(good.id).last_error is None


def test_every_feed_failing_exits_non_zero(loopback: LoopbackServer, tmp_path: Path) -> None:
    with Library.open(tmp_path, config_dir_path=tmp_path, samples=False) as lib:
        lib.add_feed(loopback.static("/gone.xml", b"", status=404))
    result = subprocess.run(
        [sys.executable, "-m", "reader", "--data-dir", str(tmp_path), "--config-dir",
         str(tmp_path), "refresh"], capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 1
    assert "1 feed: 0 new articles, 0 not modified, 1 error" in result.stdout
    assert "Traceback" not in result.stderr


def test_gone_feed_stops_polling_and_keeps_articles(
    loopback: LoopbackServer, library: Library
) -> None:
    url = loopback.static("/f.xml", feed_xml("f", 2))
    feed = library.add_feed(url)
    library.refresh_sync()
    loopback.static("/f.xml", b"", status=410)
    library.refresh_sync()
    assert library.feed(feed.id).status == "gone"
    assert library.count_articles(ArticleQuery(feed_id=feed.id)) == 2
    assert library.refresh_sync().feeds == 0  # no longer polled


def test_permanent_redirect_adopts_new_url_after_it_parses(
    loopback: LoopbackServer, library: Library
) -> None:
    new = loopback.static("/new.xml", feed_xml("moved", 1))
    old = loopback.redirect("/old.xml", new, status=301)
    feed = library.add_feed(old)
    library.refresh_sync()
    assert library.feed(feed.id).url == new


def test_permanent_redirect_to_non_feed_keeps_old_url(
    loopback: LoopbackServer, library: Library
) -> None:
    target = loopback.static("/page.html", b"<html><body>login</body></html>")
    old = loopback.redirect("/old.xml", target, status=301)
    feed = library.add_feed(old)
    library.refresh_sync()
    assert library.feed(feed.id).url == old
    assert library.feed(feed.id).last_error


def test_summary_only_items_are_completed_from_their_page(
    loopback: LoopbackServer, library: Library
) -> None:
    paragraphs = "".join(
        f"<p>Paragraph {n} of the full story, with enough words to count as reporting "
        f"from the scene of the harbour reopening.</p>"
        for n in range(12)
    )
    page = (
        "<html><head><title>Harbour reopens</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>Harbour reopens</h1>{paragraphs}</article>"
        "<footer>Copyright</footer></body></html>"
    ).encode()
    story = loopback.static("/story.html", page, headers={"Content-Type": "text/html"})
    feed_body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Short</title>'
        f"<item><guid>s1</guid><title>Harbour reopens</title><link>{story}</link>"
        "<description>The harbour reopened on Monday… Read more</description></item>"
        "</channel></rss>"
    ).encode()
    library.add_feed(loopback.static("/short.xml", feed_body))
    summary = library.refresh_sync()
    assert summary.full_texts == 1
    (item,) = library.article_page(ArticleQuery(), 0, 5)
    text = library.article(item.id).text
    assert "Paragraph 0 of the full story" in text and "Paragraph 11" in text
    assert "Copyright" not in text
    # Offline afterwards: re-cleaning uses the stored page, never the network.
    loopback.stop()
    library.reclean([item.id])
    assert "Paragraph 11" in library.article(item.id).text


async def test_subscribe_discovers_the_feed_of_a_home_page(
    loopback: LoopbackServer, library: Library
) -> None:
    feed_url = loopback.static("/feed.xml", feed_xml("site", 2))
    home = loopback.static(
        "/",
        b'<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml">'
        b"</head><body>Hello</body></html>",
        headers={"Content-Type": "text/html"},
    )
    feed = await library.subscribe(home)
    assert feed.url == feed_url and feed.total == 2


async def test_subscribe_to_a_page_without_feeds_says_so(
    loopback: LoopbackServer, library: Library
) -> None:
    home = loopback.static("/", b"<html><body>No feeds</body></html>")
    with pytest.raises(BroadsheetError, match="no feed found"):
        await library.subscribe(home)
    assert library.feeds() == []


async def test_slow_feed_ends_with_an_error_in_bounded_time(
    loopback: LoopbackServer, library: Library
) -> None:
    feed = library.add_feed(loopback.silent("/silent.xml"))
    async with Fetcher(FetchLimits(deadline=1.0, read_timeout=0.5)) as fetcher:
        summary = await library.refresh(fetcher=fetcher)
    assert summary.errors == 1
    assert library.feed(feed.id).last_error
