"""The core is a UI-free library: importing it must not import Textual."""

import subprocess
import sys


def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return set(output.split())


def test_core_does_not_import_textual() -> None:
    modules = _modules_after(
        "import reader.core, reader.core.library, reader.core.cleaner, reader.core._fetch,"
        " reader.core._parse, reader.core.opml, reader.core.samples"
    )
    assert "reader.core.library" in modules
    assert not any(name == "textual" or name.startswith("textual.") for name in modules)


def test_cli_imports_neither_textual_nor_trafilatura_for_headless_commands() -> None:
    modules = _modules_after("import reader.cli; reader.cli.build_parser()")
    assert "reader.cli" in modules
    assert "textual" not in modules
    assert "trafilatura" not in modules
