"""config.toml and [keys] are never silently ignored (issue 12, items 14 and 15)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reader.cli import main
from reader.core.config import Config, load_config

README = Path(__file__).resolve().parents[1] / "README.md"


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_unknown_wrong_and_impossible_settings_are_reported_and_defaults_kept(
    tmp_path: Path,
) -> None:
    config = load_config(
        write(
            tmp_path,
            "mesure = 70\n[bogus]\nx = 1\n[reading]\nmeasure = 0\n"
            '[refresh]\nper_host = "4"\nretention_days = 30\n'
            '[export]\nauto_dir = 5\n[ui]\ntheme = "newsprint"\n',
        )
    )
    defaults = Config()
    assert config.measure == defaults.measure and config.per_host == defaults.per_host
    assert config.auto_export_dir is None
    assert config.retention_days == 30 and config.theme == "newsprint"  # good ones still apply
    path = str(tmp_path / "config.toml")
    assert len(config.problems) == 5
    assert all(line.startswith(path + ": ") and "\n" not in line for line in config.problems)
    text = "\n".join(config.problems)
    assert "mesure = 70" in text and "did you mean measure" in text
    assert "[bogus]: unknown section" in text
    assert "[reading] measure = 0: expected a whole number of columns, at least 20" in text
    assert '[refresh] per_host = "4": expected a whole number' in text
    assert "[export] auto_dir = 5: expected a folder" in text


def test_unreadable_toml_starts_with_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[reading\nmeasure = 70\n"))
    assert config.measure == Config().measure
    assert len(config.problems) == 1 and "not valid TOML" in config.problems[0]


def test_cli_reports_config_problems_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "config").mkdir()
    write(tmp_path / "config", "[reading]\nmeasure = 0\n[export]\nauto_dir = 5\n")
    code = main(
        ["--data-dir", str(tmp_path / "data"), "--config-dir", str(tmp_path / "config"), "feeds"]
    )
    err = capsys.readouterr().err
    assert code == 0
    assert "[reading] measure = 0" in err and "[export] auto_dir = 5" in err


def test_keymap_problems_unknown_ids_bad_keys_and_conflicts() -> None:
    from reader.ui.app import main_chains
    from reader.ui.keymap import check_keymap

    keymap = {
        "cursor_down": "j,down",
        "down": "notakey!!",
        "toggle-read": "q",
        "next-unread": "n,ctrl+n",
    }
    accepted, problems = check_keymap(keymap, main_chains(), "config.toml")
    assert accepted == {"next-unread": "n,ctrl+n"}
    assert len(problems) == 3
    assert '"cursor_down": no binding has this id' in problems[0]
    assert "'notakey!!' is not a key name" in problems[1]
    assert '"toggle-read" = "q": q already is "Back/Quit" (id back)' in problems[2]


def test_the_readme_config_example_parses_cleanly(tmp_path: Path) -> None:
    from reader.ui.app import main_chains
    from reader.ui.keymap import check_keymap

    block = re.search(r"```toml\n(# config.toml\n.*?)```", README.read_text(), re.S)
    assert block is not None
    config = load_config(write(tmp_path, block.group(1)))
    assert config.problems == []
    assert config.keys
    accepted, problems = check_keymap(config.keys, main_chains(), config.path)
    assert problems == [] and accepted == config.keys


async def test_the_reader_shows_config_and_key_problems(tmp_path: Path) -> None:
    from reader.core import Library
    from reader.ui.app import BroadsheetApp

    config_dir = tmp_path / "config"
    config_dir.mkdir()
    write(
        config_dir,
        '[reading]\nmeasure = 0\n[ui]\ntheme = "no-such-[/]theme"\n[keys]\n"toggle-read" = "q"\n',
    )
    library = Library.open(tmp_path / "data", config_dir_path=config_dir, samples=False)
    app = BroadsheetApp(library, watch_interval=0, refresh_on_start=False)
    try:
        async with app.run_test(size=(120, 36), notifications=True) as pilot:
            await pilot.pause()
            messages = [n.message for n in app._notifications]
            assert any("[reading] measure = 0" in m for m in messages)
            assert any("no-such-[/]theme" in m and "unknown theme" in m for m in messages)
            assert any('"toggle-read" = "q"' in m for m in messages)
            await pilot.press("q")  # quit still works: the conflicting remap was left out
            await pilot.pause()
        assert app.return_code is not None or not app.is_running
    finally:
        app.gateway.shutdown()
        library.close()
