"""User rules + `reclean` against stored highlights, and the auto-export folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_library import local_feed

from reader.cli import main
from reader.core import ArticleQuery, Library
from reader.core.annotations import Annotations
from reader.core.errors import InputFileError
from reader.core.export import enable_auto_export

PARAGRAPHS = [
    ("p1", "Editor's aside: this paragraph is a house promotion for our podcast season."),
    ("p2", "The council delayed the budget vote until spring, citing rising costs."),
    ("p3", "Members said the delay would give residents time to comment on the plan."),
]


def story_feed(tmp_path: Path) -> Path:
    body = "".join(f"<p>{text}</p>" for _, text in PARAGRAPHS)
    path = tmp_path / "story.xml"
    path.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>'
        "<item><guid>s1</guid><title>Budget vote delayed</title>"
        f"<link>http://127.0.0.1:9/s1</link><description><![CDATA[{body}]]></description>"
        "</item></channel></rss>"
    )
    return path


def open_with_rules(tmp_path: Path, rules: str | None) -> Library:
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    if rules is not None:
        (config / "rules.toml").write_text(rules)
    return Library.open(tmp_path / "data", config_dir_path=config, samples=False)


def highlight(library: Library, words: str) -> tuple[int, int]:
    (item,) = library.article_page(ArticleQuery(), 0, 5)
    text = library.article(item.id).text
    start = text.index(words)
    made = Annotations(library).highlight(item.id, start, start + len(words), "why now?")
    return item.id, made.id


def highlighted_story(tmp_path: Path) -> tuple[int, int]:
    """A stored story with a noted highlight on "delayed the budget vote"."""
    with open_with_rules(tmp_path, None) as library:
        library.add_feed(str(story_feed(tmp_path)))
        library.refresh_sync()
        return highlight(library, "delayed the budget vote")


def reclean_with(tmp_path: Path, rules: str) -> Library:
    library = open_with_rules(tmp_path, rules)
    library.reclean(None)
    return library


def test_rule_removing_an_earlier_paragraph_keeps_the_highlight_on_its_words(
    tmp_path: Path,
) -> None:
    article_id, note_id = highlighted_story(tmp_path)
    with reclean_with(tmp_path, '[remove]\nphrases = ["house promotion"]\n') as library:
        text = library.article(article_id).text
        assert "house promotion" not in text
        after = Annotations(library).get(note_id)
        assert not after.orphaned
        assert after.start is not None and after.end is not None
        assert text[after.start : after.end] == "delayed the budget vote"


def test_rule_deleting_the_highlighted_words_makes_an_orphan(tmp_path: Path) -> None:
    article_id, note_id = highlighted_story(tmp_path)
    with reclean_with(tmp_path, '[remove]\nphrases = ["council delayed"]\n') as library:
        assert "budget vote" not in library.article(article_id).text
        orphan = Annotations(library).get(note_id)
        assert orphan.orphaned and orphan.exact == "delayed the budget vote"
        assert orphan.note == "why now?"


def test_change_elsewhere_in_the_paragraph_keeps_the_highlight(tmp_path: Path) -> None:
    article_id, note_id = highlighted_story(tmp_path)
    with reclean_with(tmp_path, "[remove]\nregex = [', citing rising costs']\n") as library:
        text = library.article(article_id).text
        assert "citing" not in text
        after = Annotations(library).get(note_id)
        assert not after.orphaned
        assert after.start is not None and after.end is not None
        assert text[after.start : after.end] == "delayed the budget vote"


def test_auto_export_folder_follows_a_saved_article(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    folder = tmp_path / "notes"
    (config / "config.toml").write_text(f'[export]\nauto_dir = "{folder}"\n')
    opened = Library.open(tmp_path / "data", config_dir_path=config, samples=False)
    with enable_auto_export(opened) as library:  # as the CLI and the UI open it
        library.add_feed(str(local_feed(tmp_path, "f.xml", [("a", "Glacier", "Ice.")])))
        library.refresh_sync()
        (item,) = library.article_page(ArticleQuery(), 0, 5)
        library.tag_article(item.id, ["ignored-until-saved"])
        assert not folder.exists()  # only saved articles are kept in sync
        library.set_saved(item.id, True)
        (markdown,) = folder.glob("*.md")
        library.tag_article(item.id, ["climate"])
        assert '"climate"' in markdown.read_text()
        text = library.article(item.id).text
        Annotations(library).highlight(item.id, 0, len(text), "a note")
        (exported,) = folder.glob("*.json")
        assert json.loads(exported.read_text())["annotations"][0]["body"]["value"] == "a note"
        # Unsaved: its files stay (they are the reader's), and no longer say saved: true.
        library.set_saved(item.id, False)
        assert "saved: false" in markdown.read_text()
        assert json.loads(exported.read_text())["article"]["saved"] is False


BROKEN_RULES = "[remove]\nregex = ['(unclosed']\n"


def test_a_broken_rules_file_never_makes_an_article_unreadable(tmp_path: Path) -> None:
    # A bad regex in rules.toml: new articles are still cleaned (without the
    # rules) and read; the problem is said once; an asked-for reclean refuses.
    told: list[str] = []
    with open_with_rules(tmp_path, BROKEN_RULES) as library:
        library.on_cleaning_problem(told.append)
        library.add_feed(str(story_feed(tmp_path)))
        library.refresh_sync()
        library.clean_pending()
        (item,) = library.article_page(ArticleQuery(), 0, 5)
        text = library.article(item.id).text
        assert all(paragraph in text for _, paragraph in PARAGRAPHS[1:])
        assert len(told) == 1
        assert "rules.toml" in told[0] and "without these rules" in told[0]
        with pytest.raises(InputFileError, match="rules.toml"):
            library.reclean(None)
        assert library.article(item.id).text == text  # the refused reclean changed nothing


def test_cli_show_with_a_broken_rules_file_shows_the_article_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    open_with_rules(tmp_path, BROKEN_RULES).close()
    dirs = ["--data-dir", str(tmp_path / "data"), "--config-dir", str(tmp_path / "config")]
    assert main([*dirs, "add", str(story_feed(tmp_path))]) == 0
    capsys.readouterr()
    (article_id,) = [int(line.split()[0]) for line in _listed(dirs, capsys)]
    assert main([*dirs, "show", str(article_id)]) == 0
    shown = capsys.readouterr()
    assert PARAGRAPHS[1][1] in shown.out
    assert shown.err.count("rules.toml") == 1 and "without these rules" in shown.err


def _listed(dirs: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main([*dirs, "list"]) == 0
    return [line for line in capsys.readouterr().out.splitlines() if line.strip()]
