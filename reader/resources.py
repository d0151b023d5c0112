"""Bundled data: sample feeds and themes.

In a wheel, ``sample_feeds/`` and ``themes/`` from the repository root are
mapped into the package (see ``pyproject.toml``). In a source checkout they sit
beside the package, so fall back to that location.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path


def bundled_dir(name: str) -> Traversable:
    packaged = resources.files("reader") / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / name


def sample_feeds_dir() -> Traversable:
    return bundled_dir("sample_feeds")


def themes_dir() -> Traversable:
    return bundled_dir("themes")
