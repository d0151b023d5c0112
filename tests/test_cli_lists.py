"""Issue 12.12 and 12.13 at the command line: global options after the command,
the rest of the line as the search query, lists that say when they are cut and
``--limit 0`` meaning no limit."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from reader.cli import build_parser, main


@pytest.fixture(scope="module")
def dirs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """A library holding the bundled samples (30 articles, one a duplicate)."""
    root = tmp_path_factory.mktemp("cli")
    options = ["--data-dir", str(root / "data"), "--config-dir", str(root / "config")]
    assert main([*options, "refresh", "--quiet", "--no-clean"]) == 0
    return options


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def ids(out: str) -> list[str]:
    return [line.split("\t")[0] for line in out.splitlines() if line and line[0].isdigit()]


def test_every_command_accepts_global_options_after_it() -> None:
    parser = build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    parsers = list(commands.choices.items())
    while parsers:  # commands, and the actions under them ("account show")
        name, sub = parsers.pop()
        flags = {flag for action in sub._actions for flag in action.option_strings}
        assert {"--data-dir", "--config-dir", "--no-samples"} <= flags, name
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                parsers += [(f"{name} {verb}", p) for verb, p in action.choices.items()]


def test_feeds_with_data_dir_after_the_command(
    dirs: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "feeds", *dirs)
    assert code == 0 and len(out.splitlines()) == 3
    # Before and after the command give the same result.
    assert run(capsys, *dirs, "feeds")[1] == out
    code, out, _ = run(capsys, "list", "--limit", "2", *dirs)
    assert code == 0 and len(ids(out)) == 2


def test_search_takes_the_rest_of_the_line(
    dirs: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, two_words, err = run(capsys, *dirs, "search", "velsk", "mayor")
    assert code == 0, err
    assert "Velsk mayor unveils" in two_words and len(ids(two_words)) == 1
    assert run(capsys, *dirs, "search", "velsk mayor")[1] == two_words
    # Options anywhere, an excluded word that starts with "-", global options after.
    code, out, err = run(capsys, "search", "velsk", "--limit", "5", "-mayor", *dirs)
    assert code == 0, err
    assert ids(out) and not set(ids(two_words)) & set(ids(out))
    code, out, err = run(capsys, *dirs, "search")
    assert code == 1 and "give a search query" in err


def test_list_says_when_it_is_cut_and_limit_0_is_everything(
    dirs: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *dirs, "list", "--limit", "0")
    assert code == 0 and "no articles" not in err
    everything = ids(out)
    assert len(everything) > 20 and "more" not in err
    code, out, err = run(capsys, *dirs, "list")  # default 50: nothing cut
    assert ids(out) == everything and "more" not in err
    code, out, err = run(capsys, *dirs, "list", "--limit", "10")
    assert ids(out) == everything[:10]
    more = len(everything) - 10
    assert f"… {more} more (showing 10; --limit N for more, --limit 0 for all)" in err
    code, out, err = run(capsys, *dirs, "list", "--limit", "-1")
    assert code == 1 and "--limit" in err


def test_search_says_when_it_is_cut(dirs: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *dirs, "search", "the", "--limit", "0")
    every = ids(out)
    assert code == 0 and len(every) > 3 and "more" not in err
    code, out, err = run(capsys, *dirs, "search", "the", "--limit", "3")
    assert ids(out) == every[:3]
    assert "… more matches (showing 3; --limit N for more, --limit 0 for all)" in err
    code, out, err = run(capsys, *dirs, "search", "the", "--limit", str(len(every)))
    assert ids(out) == every and "more" not in err


def test_search_of_an_emoji_finds_nothing(
    dirs: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *dirs, "search", "🚀")
    assert code == 0 and ids(out) == []
    assert "no letter or digit" in err and "no matches" in err


def test_data_dir_after_command_is_used(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(
        capsys, "feeds", "--data-dir", str(tmp_path / "d"), "--config-dir", str(tmp_path / "c"),
        "--no-samples",
    )  # fmt: skip
    assert code == 0 and (tmp_path / "d").is_dir()
