"""Where Broadsheet keeps things, and the user's hand-edited configuration.

Data (the SQLite library) lives under the data dir; ``config.toml`` and
``rules.toml`` under the config dir. Both come from platformdirs unless
overridden by a flag or ``BROADSHEET_DATA_DIR`` / ``BROADSHEET_CONFIG_DIR``.
State the app writes itself (theme choice, reading positions) is in the database.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from reader.core.errors import InputFileError

APP_NAME = "broadsheet"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    chosen = override or os.environ.get("BROADSHEET_DATA_DIR")
    if chosen:
        return Path(chosen).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir(override: str | os.PathLike[str] | None = None) -> Path:
    chosen = override or os.environ.get("BROADSHEET_CONFIG_DIR")
    if chosen:
        return Path(chosen).expanduser()
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
    keys: dict[str, str] = field(default_factory=dict)  # binding id -> comma-separated keys
    path: Path | None = None  # where it was read from
    rules_path: Path | None = None


def _int(section: dict[str, Any], key: str, default: int, path: Path) -> int:
    value = section.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InputFileError(f"{path}: '{key}' must be a non-negative integer")
    return value


def load_config(directory: Path) -> Config:
    """Read ``config.toml`` from ``directory``; a missing file means defaults."""
    path = directory / "config.toml"
    config = Config(path=path, rules_path=directory / "rules.toml")
    if not path.exists():
        return config
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputFileError(f"cannot read config {path}: {error}") from error
    reading = data.get("reading", {})
    refresh = data.get("refresh", {})
    ui = data.get("ui", {})
    export = data.get("export", {})
    config.measure = max(20, _int(reading, "measure", config.measure, path))
    config.refresh_interval = _int(refresh, "interval_minutes", config.refresh_interval, path)
    config.max_connections = max(1, _int(refresh, "max_connections", config.max_connections, path))
    config.per_host = max(1, _int(refresh, "per_host", config.per_host, path))
    config.retention_days = _int(refresh, "retention_days", config.retention_days, path)
    config.fulltext_concurrency = max(
        1, _int(refresh, "fulltext_concurrency", config.fulltext_concurrency, path)
    )
    if isinstance(ui.get("theme"), str):
        config.theme = ui["theme"]
    if isinstance(export.get("auto_dir"), str) and export["auto_dir"]:
        config.auto_export_dir = Path(export["auto_dir"]).expanduser()
    keys = data.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise InputFileError(f"{path}: [keys] maps binding ids to key strings")
    config.keys = dict(keys)
    return config
