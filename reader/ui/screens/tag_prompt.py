"""The tag prompt (``t``): add and remove an article's or a feed's tags, completing known ones.

The user types tags separated by commas; ``tag`` adds it and ``-tag`` removes
it. The last item completes from the library's tags (accept with →),
and the tags that match it are listed below with their counts. Tag names are
user and feed text, so everything is shown as :class:`Content`, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Label, Static

from reader.core.sanitize import clean_line
from reader.ui.screens.dialogs import DIALOG_CSS

MAX_MATCHES = 8


@dataclass(frozen=True, slots=True)
class TagChange:
    """What the prompt asks for: tags to add and tags to remove."""

    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.add or self.remove)


def parse_tag_input(value: str) -> TagChange:
    """``"climate, -draft, long read"`` adds climate and long read, removes draft."""
    add: list[str] = []
    remove: list[str] = []
    for item in value.split(","):
        name = item.strip()
        target = add
        if name.startswith("-"):
            name, target = name[1:].strip(), remove
        name = clean_line(name, limit=100)
        if name and name not in target:
            target.append(name)
    return TagChange(tuple(add), tuple(remove))


def last_item(value: str) -> str:
    """The tag being typed: after the last comma, without a leading ``-``."""
    return value.rpartition(",")[2].lstrip().lstrip("-").lstrip()


def matching_tags(known: Sequence[str], prefix: str) -> list[str]:
    """Known tags starting with ``prefix`` (case-insensitive), then those containing it."""
    needle = prefix.casefold()
    starts = [tag for tag in known if tag.casefold().startswith(needle)]
    contains = [tag for tag in known if needle in tag.casefold() and tag not in starts]
    return starts + contains


class TagSuggester(Suggester):
    """Completes the last comma-separated item from the known tags."""

    def __init__(self, known: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.known = list(known)

    async def get_suggestion(self, value: str) -> str | None:
        prefix = last_item(value)
        if not prefix:
            return None
        for tag in self.known:
            if tag.casefold().startswith(prefix.casefold()) and len(tag) > len(prefix):
                return value + tag[len(prefix) :]
        return None


class TagPrompt(ModalScreen[TagChange | None]):
    """Shows the article's tags; dismisses with a :class:`TagChange`, or None."""

    DEFAULT_CSS = (
        "TagPrompt { align: center middle; }\n"
        + DIALOG_CSS
        + """
    TagPrompt #tag-current { margin-bottom: 1; }
    TagPrompt #tag-matches { color: $text-muted; margin-top: 1; height: auto; }
    """
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="tag-cancel"),
    ]

    def __init__(
        self,
        title: str,
        current: Sequence[str],
        known: Sequence[tuple[str, int]],
        *,
        noun: str | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.noun = noun  # "feed": the title names a feed, whose articles inherit its tags
        self.current = tuple(current)
        self.known = list(known)
        self.counts = dict(known)

    def compose(self) -> ComposeResult:
        names = [tag for tag, _ in self.known]
        with Vertical(classes="dialog"):
            lead = Content(f"Tags for {self.noun} ") if self.noun else Content("Tags for ")
            yield Label(lead + Content(clean_line(self.title_text)), classes="dialog--title")
            if self.noun == "feed":
                yield Label(
                    Content("Every article of the feed is filtered by these tags too."),
                    classes="dialog--hint",
                )
            yield Static(self._current_content(), id="tag-current")
            yield Input(
                placeholder="tag to add, -tag to remove (commas between)",
                suggester=TagSuggester(names),
                select_on_focus=False,
                id="tag-input",
            )
            yield Static(self._matches_content(""), id="tag-matches")
            yield Label(
                Content("→ completes · Enter applies · Esc cancels"), classes="dialog--hint"
            )

    def _current_content(self) -> Content:
        if not self.current:
            return Content.styled("No tags yet.", "$text-muted")
        return Content("Current: ") + Content(", ").join(
            Content.styled(tag, "bold") for tag in self.current
        )

    def _matches_content(self, value: str) -> Content:
        prefix = last_item(value)
        names = matching_tags([tag for tag, _ in self.known], prefix)[:MAX_MATCHES]
        if not self.known:
            return Content("No tags in the library yet: type one to create it.")
        if not names:
            return Content("New tag.") if prefix else Content("")
        label = "Matching: " if prefix else "Known: "
        return Content(label) + Content(", ").join(
            Content(f"{tag} ({self.counts.get(tag, 0)})") for tag in names
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#tag-matches", Static).update(self._matches_content(event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        change = parse_tag_input(event.value)
        self.dismiss(change if change else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
