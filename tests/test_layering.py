"""The core is a UI-free library (importing it must not import Textual), and the
layers of reader/ hold: no import against the layer order, no import cycle, SQL only
under reader/core/_storage/."""

import ast
import re
import subprocess
import sys
from pathlib import Path


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


# -- the layer contract --------------------------------------------------------------
#
# Read from the source (AST), so a function-level import counts like a module-level one;
# only imports under ``if TYPE_CHECKING:`` are left out (they never run).

READER = Path(__file__).resolve().parent.parent / "reader"

# Top to bottom. A module may import modules of its own layer or of lower layers, never
# of a higher one. Every module in reader/ must be listed (by name or package prefix).
LAYERS: list[tuple[str, list[str]]] = [
    # reader.cli_*: the command groups (reader/cli_feeds.py, ...) under reader/cli.py.
    ("entry points", ["reader.__main__", "reader.cli", "reader.cli_*"]),
    # The terminal UI, like harlequin: the app is the composition root and nothing
    # below it imports it; screens and widgets get what they need from
    # reader.ui.context (Protocols) and talk through reader.ui.messages.
    ("ui: composition root", ["reader.ui.app"]),
    ("ui: screens", ["reader.ui.screens", "reader.ui.commands", "reader.ui.first_view"]),
    ("ui: widgets", ["reader.ui.widgets"]),
    (
        "ui: dialogs (modal screens any screen or widget may open)",
        [
            "reader.ui.screens.dialogs",
            "reader.ui.screens.note_editor",
            "reader.ui.screens.tag_prompt",
            "reader.ui.screens.export_prompt",
        ],
    ),
    (
        "ui: shared",
        [
            "reader.ui",
            "reader.ui.context",
            "reader.ui.messages",
            "reader.ui.gateway",
            "reader.ui.keymap",
            "reader.ui.themes",
            "reader.ui.typeset",
            "reader.ui.motions",
            "reader.ui.sync_status",
            "reader.ui.key_hold",
        ],
    ),
    ("above the facade", ["reader.core", "reader.core.export", "reader.core.background"]),
    ("facade", ["reader.core.library"]),
    (
        "services",
        [
            "reader.core.cleaning",
            "reader.core._refresh",
            "reader.core.annotations",
            "reader.core.sync",
        ],
    ),
    (
        "storage, cleaner, query language and helpers",
        [
            "reader.core._storage",
            "reader.core.cleaner",
            "reader.core.search",
            "reader.core._fetch",
            "reader.core._parse",
            "reader.core._parse_fast",
            "reader.core._parse_fast_values",
            "reader.core._discover",
            "reader.core._lock",
            "reader.core._process",
            "reader.core.anchoring",
            "reader.core.annotation_markdown",
            "reader.core.render",
            "reader.core.files",
            "reader.core.opml",
            "reader.core.opener",
            "reader.core.samples",
        ],
    ),
    (
        "plain data",
        [
            "reader",
            "reader.resources",
            "reader.core.models",
            "reader.core.wording",
            "reader.core.errors",
            "reader.core.sanitize",
            "reader.core.config",
        ],
    ),
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(READER.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(READER.rglob("*.py"))}


def _names(module: str, name: str) -> bool:
    """Whether a LAYERS entry names ``module``: itself, its package, or a prefix ending in *."""
    if name.endswith("*"):
        return module.startswith(name[:-1])
    return module == name or module.startswith(name + ".")


def _layer(module: str) -> int:
    """The index of the layer that names ``module`` or its closest package."""
    best: tuple[int, int] | None = None  # (length of the matching name, layer)
    for index, (_, names) in enumerate(LAYERS):
        for name in names:
            if _names(module, name) and (best is None or len(name) > best[0]):
                best = (len(name), index)
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best[1]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node that can run: all of them but the bodies of ``if TYPE_CHECKING:``."""
    found: list[ast.AST] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        found.append(node)
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))
    return found


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".")
    if MODULES[module].name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str) -> set[str]:
    """The reader modules ``module`` imports when it runs."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                imported.add(submodule if submodule in MODULES else target)
    return {name for name in imported if name in MODULES and name != module}


GRAPH = {module: _imports(module) for module in MODULES}


def test_every_module_has_a_layer() -> None:
    assert len(MODULES) > 40
    for module in MODULES:
        _layer(module)


def test_no_import_goes_up_a_layer() -> None:
    upward = [
        f"{module} ({LAYERS[_layer(module)][0]}) imports {target} ({LAYERS[_layer(target)][0]})"
        for module, targets in GRAPH.items()
        for target in sorted(targets)
        if _layer(target) < _layer(module)
    ]
    assert upward == []


def test_no_import_cycle_anywhere() -> None:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(GRAPH[module]):
            if state.get(target) == 1:
                cycles.append(path[path.index(target) :] + [target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)
    assert cycles == []


def _all_imports(module: str) -> set[str]:
    """Every reader module ``module`` names in an import, type-only ones included."""
    imported: set[str] = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            imported |= {target} | {f"{target}.{alias.name}" for alias in node.names}
    return {name for name in imported if name in MODULES}


def test_nothing_imports_the_app_but_the_command_line() -> None:
    # Not even under TYPE_CHECKING: a component that needs something of the app
    # names a Protocol of reader.ui.context.
    importers = [
        module
        for module in MODULES
        if module not in ("reader.ui.app", "reader.cli") and "reader.ui.app" in _all_imports(module)
    ]
    assert importers == []


def test_the_ui_layers_are_enforced() -> None:
    order = [name for name, _ in LAYERS]
    assert order.index("ui: composition root") < order.index("ui: screens")
    assert order.index("ui: screens") < order.index("ui: widgets") < order.index("ui: shared")
    assert _layer("reader.ui.widgets.annotated_view") == order.index("ui: widgets")
    assert _layer("reader.ui.screens.main") == order.index("ui: screens")
    assert _layer("reader.ui.context") == order.index("ui: shared")


def test_the_cycle_check_sees_function_level_imports() -> None:
    # library imports _refresh.fulltext inside a method: the graph must hold it.
    assert "reader.core._refresh.fulltext" in GRAPH["reader.core.library"]
    # ... and leaves type-only imports out.
    assert "reader.core.library" not in GRAPH["reader.core.annotations"]


_SQL = re.compile(
    r"\b(SELECT\b.+\bFROM|INSERT (OR \w+ )?INTO|UPDATE \w+ SET|DELETE FROM|CREATE (TABLE|"
    r"INDEX|TRIGGER|VIRTUAL)|DROP (TABLE|INDEX|TRIGGER)|PRAGMA \w+)",
    re.S,
)


def test_sql_only_under_storage() -> None:
    offenders: list[str] = []
    for module, path in MODULES.items():
        if module.startswith("reader.core._storage"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("execute", "executemany", "executescript")
            ):
                offenders.append(f"{module}:{node.lineno} calls {node.func.attr}()")
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and _SQL.search(node.value)
            ):
                offenders.append(f"{module}:{node.lineno} holds SQL")
    assert offenders == []


def test_the_library_facade_stays_small() -> None:
    lines = (READER / "core" / "library.py").read_text(encoding="utf-8").count("\n")
    assert lines < 400, f"library.py has {lines} lines: move the work into a service"


def test_no_module_grows_past_six_hundred_lines() -> None:
    sizes = {
        str(path.relative_to(READER)): path.read_text(encoding="utf-8").count("\n")
        for path in READER.rglob("*.py")
    }
    assert {name: lines for name, lines in sizes.items() if lines > 600} == {}
