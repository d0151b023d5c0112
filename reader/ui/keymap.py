"""Checks the user's ``[keys]`` remapping before it is applied.

Unknown binding ids, key names no terminal key produces, and remaps that take a
key another binding of the same view already answers to (``"toggle-read" = "q"``
would take quit away) are reported, one line each, and left out: those
bindings keep their default keys.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import KEY_ALIASES, KEY_TO_UNICODE_NAME, Keys, _character_to_key

MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")
_NAMED = (
    {key.value.rpartition("+")[2] for key in Keys}
    | set(KEY_TO_UNICODE_NAME)
    | {
        "space",
        "slash",
        "backslash",
        "at",
        "minus",
        "plus",
        "underscore",
        "enter",
        "tab",
    }
)
_ALIAS = {alias: key for key, aliases in KEY_ALIASES.items() for alias in aliases}


def normal_key(key: str) -> str | None:
    """The key as Textual names it, or None when no key press produces it."""
    key = key.strip()
    if len(key) == 1:
        return _character_to_key(key) if key.isprintable() else None
    *mods, base = key.split("+")
    if not base or any(mod not in MODIFIERS for mod in mods):
        return None
    if len(base) == 1:
        base = _character_to_key(base)
    elif base not in _NAMED:
        try:
            unicodedata.lookup(base.replace("_", " ").upper())
        except KeyError:
            return None
    name = "+".join([*mods, base])
    return _ALIAS.get(name, name)


def _bindings(cls: type[DOMNode]) -> list[Binding]:
    return [
        binding for group in cls._merge_bindings().key_to_bindings.values() for binding in group
    ]


def check_keymap(
    keymap: Mapping[str, str],
    chains: Iterable[tuple[type[DOMNode], ...]],
    path: Path | str | None,
) -> tuple[dict[str, str], list[str]]:
    """The entries of ``keymap`` that can be applied, and a line for each that cannot.

    ``chains`` lists the classes whose bindings are active together (app, screen,
    focused widget): a remapped key may not be one that another binding of the
    same chain answers to.
    """
    chains = [tuple(chain) for chain in chains]
    known: dict[str, Binding] = {}
    for chain in chains:
        for cls in chain:
            for binding in _bindings(cls):
                if binding.id:
                    known.setdefault(binding.id, binding)
    where = f"{path}: [keys]"
    accepted: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, keys in keymap.items():
        if binding_id not in known:
            problems.append(
                f'{where} "{binding_id}": no binding has this id (the help screen, ?, '
                "lists every id); ignored"
            )
            continue
        names = [normal_key(key) for key in keys.split(",")]
        bad = [key.strip() for key, name in zip(keys.split(","), names, strict=True) if not name]
        if bad:
            problems.append(
                f'{where} "{binding_id}" = "{keys}": {", ".join(map(repr, bad))} is not a key '
                'name (a character, or names like "ctrl+x", "down", "f5"); keeping its default keys'
            )
            continue
        accepted[binding_id] = ",".join(name for name in names if name)
    reported: set[tuple[str, str, str]] = set()
    while True:  # drop remaps that take a key away; dropping restores defaults: check again
        dropped = False
        for binding_id, key, other, same_view in _clashes(accepted, chains):
            line = f'{where} "{binding_id}" = "{keymap[binding_id]}": {key} already {other}'
            if same_view:  # Textual would unbind the other one: keep the defaults instead
                problems.append(f"{line}; keeping its default keys")
                del accepted[binding_id]
                dropped = True
                break
            if (binding_id, key, other) not in reported:  # shadowed in one pane only
                reported.add((binding_id, key, other))
                problems.append(f"{line} where both apply; the nearer one wins there")
        if not dropped:
            return accepted, problems


def _clashes(
    keymap: Mapping[str, str], chains: list[tuple[type[DOMNode], ...]]
) -> list[tuple[str, str, str, bool]]:
    """(remapped id, key, the other binding, whether both are of the same view)."""
    found: list[tuple[str, str, str, bool]] = []
    for chain in chains:
        owner: dict[str, tuple[str, Binding, type[DOMNode]]] = {}
        for cls in chain:
            for binding in _bindings(cls):
                name = binding.id or binding.action
                if binding.id is not None and binding.id in keymap:
                    keys = keymap[binding.id].split(",")
                else:
                    keys = [normal_key(binding.key) or binding.key]
                for key in keys:
                    if key in owner and owner[key][0] != name:
                        first_name, first, first_cls = owner[key]
                        if name in keymap:
                            mine, theirs, their_name = name, first, first_name
                        elif first_name in keymap:
                            mine, theirs, their_name = first_name, binding, name
                        else:
                            continue
                        label = theirs.description or theirs.action
                        found.append(
                            (mine, key, f'is "{label}" (id {their_name})', first_cls is cls)
                        )
                    owner.setdefault(key, (name, binding, cls))
    return found
