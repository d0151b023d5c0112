"""The main screen's links: open the article in a browser (``o``), copy its
address (``y``), or open/copy one of its numbered links (from the reading pane)."""

from __future__ import annotations

from textual import work

from reader.core.sanitize import visible_url
from reader.ui.screens.main_part import MainScreenPart


class LinkActions(MainScreenPart):
    """Opening and copying links, for the main screen."""

    def ask_link_number(self, mode: str) -> None:
        """Ask which numbered link of the open article to open or copy (``mode``)."""
        main = self._main
        links = main.reader.links
        if not links:
            main.app.notify("This article has no links.", markup=False)
            return
        verb = "Open" if mode == "open" else "Copy"
        from reader.ui.screens.dialogs import PromptScreen

        prompt = PromptScreen(
            f"{verb} link number (1–{len(links)})", placeholder="1", restrict=r"[0-9]*"
        )
        main.app.push_screen(prompt, lambda answer: main.use_link(answer, mode))

    def _article_url(self) -> str | None:
        main = self._main
        article = main.focused_article()
        if article is None or not article.link:
            main.app.notify("This article has no link.", markup=False)
            return None
        return article.link

    def action_open_in_browser(self) -> None:
        main = self._main
        url = main._article_url()
        if url:
            main.open_url(url)

    def action_copy_url(self) -> None:
        main = self._main
        url = main._article_url()
        if url:
            main.copy_url(url)

    def copy_url(self, url: str) -> None:
        main = self._main
        main.app.copy_to_clipboard(url)
        main.app.notify(f"Copied {visible_url(url)}", markup=False)

    @work(thread=True, group="browser", exit_on_error=False)
    def open_url(self, url: str) -> None:
        main = self._main
        result = main.context.opener.open(url)
        main.app.call_from_thread(
            main._opened, result.url, result.launched, result.allowed, result.reason
        )

    def _opened(self, url: str, launched: bool, allowed: bool, reason: str) -> None:
        main = self._main
        shown = visible_url(url)
        if launched:
            main.app.notify(f"Opened {shown}", markup=False)
        elif not allowed:
            main.app.notify(f"{reason}: {shown}", severity="warning", markup=False)
        else:
            main.app.copy_to_clipboard(url)
            main.app.notify(f"{reason}; copied the link:\n{shown}", markup=False, timeout=10)

    def use_link(self, answer: str | None, mode: str) -> None:
        main = self._main
        links = main.reader.links
        if not answer:
            return
        number = int(answer)
        if not 1 <= number <= len(links):
            main.app.notify(f"There is no link {number}.", markup=False)
            return
        if mode == "open":
            main.open_url(links[number - 1])
        else:
            main.copy_url(links[number - 1])
