"""Themes from files: each ``themes/*.toml`` describes one ``textual.theme.Theme``.

Broadsheet's own CSS variables get defaults derived from whatever theme is
active (see :func:`variable_defaults`), so built-in Textual themes that have
never heard of them still render.
"""

from __future__ import annotations

import tomllib
from dataclasses import fields
from importlib.resources.abc import Traversable
from typing import Any

from textual.color import Color
from textual.theme import Theme

from reader.resources import themes_dir

DEFAULT_THEME = "broadsheet-dark"
_COLOUR_FIELDS = {f.name for f in fields(Theme)} - {"name", "primary", "dark", "variables", "ansi"}
_FLOAT_FIELDS = {"luminosity_spread", "text_alpha"}


class ThemeFileError(ValueError):
    """A theme file that cannot be used; the message names the file."""


def theme_from_mapping(data: dict[str, Any], origin: str) -> Theme:
    name = data.get("name")
    primary = data.get("primary")
    if not isinstance(name, str) or not name or not isinstance(primary, str):
        raise ThemeFileError(f"{origin}: a theme needs a 'name' and a 'primary' colour")
    options: dict[str, Any] = {"dark": bool(data.get("dark", True))}
    for key, value in data.items():
        if key in _FLOAT_FIELDS and isinstance(value, int | float):
            options[key] = float(value)
        elif key in _COLOUR_FIELDS - _FLOAT_FIELDS and isinstance(value, str):
            options[key] = value
    variables = data.get("variables", {})
    if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
        raise ThemeFileError(f"{origin}: [variables] must map names to strings")
    return Theme(name=name, primary=primary, variables=dict(variables), **options)


def load_theme_file(path: Traversable) -> Theme:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ThemeFileError(f"{path.name}: {error}") from error
    return theme_from_mapping(data, path.name)


def bundled_themes(directory: Traversable | None = None) -> tuple[list[Theme], list[str]]:
    """Themes shipped in ``themes/``, and a message for each file that failed."""
    directory = directory or themes_dir()
    themes: list[Theme] = []
    problems: list[str] = []
    if not directory.is_dir():
        return themes, problems
    for entry in sorted(directory.iterdir(), key=lambda item: item.name):
        if entry.name.endswith(".toml"):
            try:
                themes.append(load_theme_file(entry))
            except ThemeFileError as error:
                problems.append(str(error))
    return themes, problems


# WCAG contrast our text keeps against the backgrounds it sits on; struck-through
# removed passages, meant to recede, keep the lower one.
TEXT_CONTRAST = 4.5
RECEDING_CONTRAST = 3.0


def luminance(colour: Color) -> float:
    """WCAG relative luminance."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = colour.rgb
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(one: Color, other: Color) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _worst(colour: Color, backgrounds: list[Color]) -> float:
    return min(contrast(colour, background) for background in backgrounds)


def readable(colour: Color, backgrounds: list[Color], minimum: float, ink: Color) -> Color:
    """``colour``, moved toward ``ink`` (then black or white) only as far as needed
    to reach ``minimum`` contrast against every one of ``backgrounds``."""
    darkest = min(backgrounds, key=luminance)
    extreme = Color(0, 0, 0) if luminance(darkest) > 0.18 else Color(255, 255, 255)
    for target in (ink, extreme):
        for step in range(11):
            candidate = colour.blend(target, step / 10, alpha=1)
            if _worst(candidate, backgrounds) >= minimum:
                return candidate
        colour = target
    return extreme


def muted(ink: Color, backgrounds: list[Color], minimum: float) -> Color:
    """``ink`` faded toward the first background as far as ``minimum`` contrast allows."""
    for step in range(5, -1, -1):  # at most half way
        candidate = ink.blend(backgrounds[0], step / 10, alpha=1)
        if _worst(candidate, backgrounds) >= minimum:
            return candidate
    return readable(ink, backgrounds, minimum, ink)


def behind_text(colour: Color, ink: Color, page: Color, minimum: float) -> Color:
    """A background ``colour`` faded toward ``page`` until ``ink`` reads on it."""
    for step in range(11):
        candidate = colour.blend(page, step / 10, alpha=1)
        if contrast(ink, candidate) >= minimum:
            return candidate
    return page


def variable_defaults(theme: Theme) -> dict[str, str]:
    """Our CSS variables, derived from the active theme's colour system.

    Textual's ``$text`` colours are "auto" (computed against the background
    where the widget is painted); inside a line's :class:`Content` they are
    computed against nothing and come out near white. Text styled by our
    component classes uses these instead: plain colours, checked for contrast
    against the page ($surface), the panel and the app background.
    """
    colours = theme.to_color_system().generate()

    def parse(name: str, fallback: Color) -> Color:
        try:
            colour = Color.parse(colours[name])
        except Exception:  # noqa: BLE001 - "ansi_default", "auto 87%", …
            return fallback
        return fallback if colour.a < 1 or colour.ansi is not None else colour

    page = parse("surface", Color(30, 30, 30))
    backgrounds = [page, parse("panel", page), parse("background", page)]
    dark = luminance(page) < 0.18
    ink = parse("foreground", Color(224, 224, 224) if dark else Color(31, 31, 31))
    ink = readable(ink, backgrounds, TEXT_CONTRAST + 0.5, ink)  # a margin for tints
    backgrounds.append(page.blend(ink, 0.05, alpha=1))  # a focused list: tinted 5% with ink

    # An unfocused cursor row: a tint of the primary colour that text still reads on.
    cursor = behind_text(
        parse("primary", page).blend(page, 0.7, alpha=1), ink, page, TEXT_CONTRAST + 1.5
    )
    backgrounds.append(cursor)
    # The focused cursor row: the theme's block cursor, with text that reads on it.
    focus = parse("block-cursor-background", parse("primary", ink))
    cursor_ink = max((ink, page), key=lambda colour: contrast(colour, focus))

    def text(name: str, minimum: float = TEXT_CONTRAST) -> str:
        return readable(parse(name, ink), backgrounds, minimum, ink).hex

    return {
        "broadsheet-text": ink.hex,
        "broadsheet-text-muted": muted(ink, backgrounds, TEXT_CONTRAST + 0.3).hex,
        "broadsheet-cursor": cursor.hex,
        "broadsheet-cursor-text": readable(cursor_ink, [focus], TEXT_CONTRAST, cursor_ink).hex,
        "broadsheet-error": text("error"),
        "broadsheet-heading": text("accent"),
        "broadsheet-marker": muted(ink, backgrounds, TEXT_CONTRAST + 0.3).hex,
        "broadsheet-unread": text("primary"),
        "broadsheet-removed": readable(
            parse("error", ink).blend(page, 0.3, alpha=1), backgrounds, RECEDING_CONTRAST, ink
        ).hex,
        "broadsheet-rule": colours["primary-muted"],
        "broadsheet-match": behind_text(parse("warning-muted", page), ink, page, 6.0).hex,
        "broadsheet-highlight": behind_text(parse("accent-muted", page), ink, page, 6.0).hex,
        "broadsheet-selection": behind_text(parse("primary-muted", page), ink, page, 6.0).hex,
        "broadsheet-note": text("accent"),
        "broadsheet-key": text(
            "footer-key-foreground" if "footer-key-foreground" in colours else "accent"
        ),
    }
