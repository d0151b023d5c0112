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


def variable_defaults(theme: Theme) -> dict[str, str]:
    """Our CSS variables, derived from the active theme's colour system."""
    colours = theme.to_color_system().generate()
    return {
        "broadsheet-heading": colours["accent"],
        "broadsheet-marker": colours["foreground-muted"],
        "broadsheet-unread": colours["primary"],
        "broadsheet-removed": colours["error-muted"],
        "broadsheet-rule": colours["primary-muted"],
        "broadsheet-match": colours["warning-muted"],
        "broadsheet-highlight": colours["accent-muted"],
        "broadsheet-selection": colours["primary-muted"],
        "broadsheet-note": colours["accent"],
    }
