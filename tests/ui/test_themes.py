"""Theme files load into Textual themes; our variables always have values."""

from __future__ import annotations

from pathlib import Path

import pytest
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
