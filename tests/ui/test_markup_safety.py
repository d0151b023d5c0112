"""Feed text is text: markup and escape sequences in it never act.

A title of ``[/]`` raises MarkupError in a markup-parsing widget and closes the
app; ``[@click=app.quit]`` would make text a button; ``[link=file://…]`` a
hyperlink; ESC sequences could drive the terminal. Every widget that shows feed
text is driven here with all of them.
"""

from __future__ import annotations

from textual.app import App

from reader.core.models import Block, Enclosure, LinkSpan
from reader.ui.screens.dialogs import ConfirmScreen
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.sidebar import Sidebar

from .conftest import SIZE, make_app, screen_text, settle
from .fakes import FakeLibrary, make_article, make_feed

MARKUP = "[/] [@click=app.quit]q[/] [link=file:///etc/passwd]x[/link] [b]"
ESCAPES = "\x1b]52;c;ZXZpbA==\x07\x1b[31m\x9b2J\x07"
HOSTILE = f"{MARKUP} {ESCAPES}end"
LITERALS = ("[/]", "[@click=app.quit]q[/]", "[link=file:///etc/passwd]x[/link]")


def hostile_library() -> FakeLibrary:
    feed = make_feed(1, f"Feed {HOSTILE}")
    article = make_article(
        1,
        feed,
        f"Title {HOSTILE}",
        author=f"Author {HOSTILE}",
        blocks=[
            Block("heading", f"Heading {HOSTILE}", level=2),
            Block("paragraph", f"Body {HOSTILE}", links=(LinkSpan(0, 4, "javascript:[/]"),)),
            Block("quote", f"Quote {HOSTILE}"),
        ],
        link="https://evil.example/[/]",
        enclosures=[Enclosure("https://evil.example/[@click=app.quit]", "audio/[/]", 10)],
    )
    library = FakeLibrary([feed], [article])
    library.subscribable["https://evil.example"] = make_feed(2, f"Second {HOSTILE}")
    return library


def assert_inert(app: App[None]) -> str:
    """The screen shows the literals, holds no escape bytes and no live links or actions."""
    assert app.is_running
    strips = app.screen._compositor.render_strips()
    for strip in strips:
        for segment in strip:
            style = segment.style
            if style is None:
                continue
            assert not style.link, segment
            assert "@click" not in (style.meta or {}), segment
    text = screen_text(app)  # type: ignore[arg-type]
    assert not any(character in text for character in "\x1b\x9b\x07")
    return text


async def test_hostile_text_in_every_widget() -> None:
    library = hostile_library()
    app = make_app(library)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await settle(pilot)
        text = assert_inert(app)  # sidebar, list, header
        for literal in LITERALS:
            assert literal in text

        app.query_one(Sidebar).select_id("feed:1")
        await settle(pilot)
        app.query_one(ArticleList).focus()
        await pilot.press("enter")  # reading view: title, author, feed, blocks, links
        await settle(pilot)
        text = assert_inert(app)
        assert "Heading [/]" in text and "Quote [/]" in text and "Author [/]" in text
        assert "https://evil.example/[@click=app.quit]" in text

        await pilot.press("y")  # notification quoting a URL
        await settle(pilot)
        assert "Copied https://evil.example/[/]" in assert_inert(app)

        await pilot.press("q", "shift+tab", "shift+tab")
        app.query_one(Sidebar).select_id("feed:1")
        await settle(pilot)
        await pilot.press("d")  # confirm dialog quoting the feed title
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Unsubscribe from “Feed [/]" in assert_inert(app)
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("plus")  # notification quoting a subscribed feed's title
        await pilot.press(*"https://evil.example", "enter")
        await settle(pilot)
        assert "Subscribed to Second [/]" in assert_inert(app)

        await pilot.press("ctrl+p")  # command palette listing feeds
        await pilot.press(*"go to feed")
        await settle(pilot)
        await pilot.pause(0.3)
        text = assert_inert(app)
        assert "Go to feed: Feed [/]" in text
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running
    app.gateway.shutdown()


async def test_hostile_text_in_an_error_message() -> None:
    library = hostile_library()
    library.failing[1] = f"HTTP 500 {HOSTILE}"
    app = make_app(library)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.query_one(Sidebar).select_id("feed:1")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert "Refresh failed: HTTP 500 [/]" in assert_inert(app)
    app.gateway.shutdown()
