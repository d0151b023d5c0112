"""Where Broadsheet keeps things, and the user's hand-edited configuration.

Data (the SQLite library) lives under the data dir; ``config.toml`` and
``rules.toml`` under the config dir. Both come from platformdirs unless
overridden by a flag or ``BROADSHEET_DATA_DIR`` / ``BROADSHEET_CONFIG_DIR``.
State the app writes itself (theme choice, reading positions) is in the database.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

# platformdirs, tomllib and difflib are imported when needed: a command given its
# directories (flags, BROADSHEET_*_DIR) and no config.toml starts without them.

APP_NAME = "broadsheet"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    chosen = override or os.environ.get("BROADSHEET_DATA_DIR")
    if chosen:
        return Path(chosen).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir(override: str | os.PathLike[str] | None = None) -> Path:
    chosen = override or os.environ.get("BROADSHEET_CONFIG_DIR")
    if chosen:
        return Path(chosen).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


@dataclass(slots=True)
class Config:
    measure: int = 80  # reading width in columns
    refresh_interval: int = 0  # minutes between automatic refreshes in the TUI; 0 = off
    max_connections: int = 128
    per_host: int = 4
    retention_days: int = 90
    fulltext_concurrency: int = 4
    theme: str = "broadsheet-dark"
    auto_export_dir: Path | None = None
    # The first sync with a feed server takes the newest this many items (0: all it
    # keeps); starred items always come. Later syncs take everything new.
    sync_initial_items: int = 1000
    keys: dict[str, str] = field(default_factory=dict)  # binding id -> comma-separated keys
    path: Path | None = None  # where it was read from
    rules_path: Path | None = None
    # One line per setting that was ignored (unknown, wrong type, impossible value),
    # naming the file, the key and what is accepted; the default is used instead.
    problems: list[str] = field(default_factory=list)


# A NamedTuple, not a dataclass: made ~10 times faster when the module is imported,
# which every command's start-up pays (see benchmarks/README.md, sync).
class _Number(NamedTuple):
    """A whole-number setting: ``attr`` of :class:`Config`, at least ``minimum``."""

    attr: str
    minimum: int
    accepted: str


class _Text(NamedTuple):
    """A non-empty string setting (a path when ``path``)."""

    attr: str
    accepted: str
    path: bool = False


_Rule = _Number | _Text

# Every setting config.toml accepts: section -> key -> rule. ``[keys]`` is checked
# apart (binding ids and key names are the interface's to judge).
SETTINGS: dict[str, dict[str, _Rule]] = {
    "reading": {
        "measure": _Number("measure", 20, "a whole number of columns, at least 20"),
    },
    "refresh": {
        "interval_minutes": _Number(
            "refresh_interval", 0, "a whole number of minutes, 0 (off) or more"
        ),
        "max_connections": _Number("max_connections", 1, "a whole number, at least 1"),
        "per_host": _Number("per_host", 1, "a whole number, at least 1"),
        "retention_days": _Number("retention_days", 0, "a whole number of days, 0 or more"),
        "fulltext_concurrency": _Number("fulltext_concurrency", 1, "a whole number, at least 1"),
    },
    "ui": {
        "theme": _Text("theme", 'a theme name in quotes, e.g. "broadsheet-dark"'),
    },
    "sync": {
        "initial_items": _Number(
            "sync_initial_items", 0, "a whole number of items, 0 (all the server keeps) or more"
        ),
    },
    "export": {
        "auto_dir": _Text("auto_export_dir", 'a folder in quotes, e.g. "~/Notes"', path=True),
    },
}
KEYS_SECTION = "keys"


def _shown(value: Any) -> str:
    """A TOML value as the user wrote it, near enough, on one short line."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    elif isinstance(value, dict):
        text = "a table"
    elif isinstance(value, list):
        text = "a list"
    else:
        text = str(value)
    text = " ".join(text.split())  # no newline or control can split the line
    return text if len(text) <= 60 else text[:59] + "…"


def _suggestion(name: str, choices: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f"did you mean {close[0]}? " if close else ""


def _accepted_keys(section: str) -> str:
    return ", ".join(SETTINGS[section])


def _sections() -> str:
    return ", ".join(f"[{name}]" for name in [*SETTINGS, KEYS_SECTION])


def _apply(config: Config, section: str, key: str, value: Any, path: Path) -> None:
    rule = SETTINGS[section][key]
    where = f"{path}: [{section}] {key} = {_shown(value)}"
    default = getattr(config, rule.attr)
    if isinstance(rule, _Number):
        if isinstance(value, int) and not isinstance(value, bool) and value >= rule.minimum:
            setattr(config, rule.attr, value)
            return
        config.problems.append(f"{where}: expected {rule.accepted}; using {default}")
        return
    if isinstance(value, str) and value.strip():
        setattr(config, rule.attr, Path(value).expanduser() if rule.path else value)
        return
    shown_default = "none" if default is None else _shown(str(default))
    config.problems.append(f"{where}: expected {rule.accepted}; using {shown_default}")


def _read_keys(config: Config, value: Any, path: Path) -> None:
    if not isinstance(value, dict):
        config.problems.append(
            f"{path}: keys = {_shown(value)}: expected a [keys] table of "
            '"binding-id" = "key,key" lines; no keys remapped'
        )
        return
    for binding_id, keys in value.items():
        if isinstance(keys, str) and keys.strip():
            config.keys[binding_id] = keys
        else:
            config.problems.append(
                f'{path}: [keys] "{binding_id}" = {_shown(keys)}: expected keys in quotes, '
                'comma-separated, e.g. "j,down"; keeping its default keys'
            )


def load_config(directory: Path) -> Config:
    """Read ``config.toml`` from ``directory``; a missing file means defaults.

    Nothing in it is silently ignored, and nothing in it stops the reader from
    starting: an unknown section or key, a value of the wrong type or out of
    range is listed in ``Config.problems`` (one line each) and its default kept.
    """
    path = directory / "config.toml"
    config = Config(path=path, rules_path=directory / "rules.toml")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return config
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        config.problems.append(f"{path}: cannot read it ({reason}); using the defaults")
        return config
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        config.problems.append(f"{path}: not valid TOML ({error}); using the defaults")
        return config
    for name, value in data.items():
        if name == KEYS_SECTION:
            _read_keys(config, value, path)
        elif name in SETTINGS and isinstance(value, dict):
            for key, item in value.items():
                if key in SETTINGS[name]:
                    _apply(config, name, key, item, path)
                else:
                    hint = _suggestion(key, list(SETTINGS[name]))
                    config.problems.append(
                        f"{path}: [{name}] {key}: unknown setting, ignored; "
                        f"{hint}[{name}] accepts {_accepted_keys(name)}"
                    )
        elif name in SETTINGS:
            config.problems.append(
                f"{path}: {name} = {_shown(value)}: expected a [{name}] section "
                f"({_accepted_keys(name)}); ignored"
            )
        elif isinstance(value, dict):
            hint = _suggestion(name, [*SETTINGS, KEYS_SECTION])
            config.problems.append(
                f"{path}: [{name}]: unknown section, ignored; {hint}sections are {_sections()}"
            )
        else:
            owner = next((section for section in SETTINGS if name in SETTINGS[section]), None)
            everything = [key for section in SETTINGS.values() for key in section]
            hint = (
                f"it belongs under [{owner}]"
                if owner
                else (_suggestion(name, everything) or "") + f"settings go in {_sections()}"
            )
            config.problems.append(
                f"{path}: {name} = {_shown(value)}: unknown setting outside a section, "
                f"ignored; {hint}"
            )
    return config
