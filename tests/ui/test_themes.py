"""Theme files load into Textual themes; our variables always have values."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.color import Color
from textual.theme import BUILTIN_THEMES

from reader.ui.themes import ThemeFileError, bundled_themes, load_theme_file, variable_defaults


def test_bundled_themes_include_dark_and_newsprint() -> None:
    themes, problems = bundled_themes()
    names = {theme.name: theme for theme in themes}
    assert problems == []
    assert names["broadsheet-dark"].dark
    assert not names["newsprint"].dark


def test_bad_theme_files_are_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text("name = [", encoding="utf-8")
    (tmp_path / "nameless.toml").write_text('primary = "#fff"', encoding="utf-8")
    (tmp_path / "ok.toml").write_text('name = "ok"\nprimary = "#123456"', encoding="utf-8")
    themes, problems = bundled_themes(tmp_path)
    assert [theme.name for theme in themes] == ["ok"]
    assert len(problems) == 2 and all(".toml" in problem for problem in problems)
    with pytest.raises(ThemeFileError):
        load_theme_file(tmp_path / "nameless.toml")


@pytest.mark.parametrize("name", sorted(BUILTIN_THEMES))
def test_variable_defaults_exist_for_builtin_themes(name: str) -> None:
    defaults = variable_defaults(BUILTIN_THEMES[name])
    assert all(value for value in defaults.values())


def luminance(colour: str) -> float:
    """WCAG relative luminance."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = Color.parse(colour).rgb
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(one: str, other: str) -> float:
    """The WCAG contrast ratio of two colours."""
    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("name", ["broadsheet-dark", "newsprint"])
def test_our_themes_set_every_variable_and_readable_annotation_colours(name: str) -> None:
    themes, _ = bundled_themes()
    theme = next(theme for theme in themes if theme.name == name)
    # Each of our themes chooses its own colours rather than the derived defaults.
    assert set(variable_defaults(theme)) <= set(theme.variables)
    colours = theme.variables
    text, surface = theme.foreground, theme.surface
    assert text is not None and surface is not None
    for background in ("broadsheet-highlight", "broadsheet-selection", "broadsheet-match"):
        assert contrast(text, colours[background]) >= 4.5, background  # text stays readable
    assert contrast(colours["broadsheet-note"], surface) >= 4.5
    marks = {colours[key] for key in ("broadsheet-highlight", "broadsheet-selection")}
    assert len(marks | {colours["broadsheet-match"], surface}) == 4  # all told apart
