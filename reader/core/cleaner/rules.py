"""User cleaning rules: phrases, regexes and CSS selectors to remove or keep,
globally or per site, loaded from TOML.

Semantics:

* ``remove.phrases`` — every sentence containing the phrase (case-insensitive) goes.
* ``remove.regex`` — exactly the matched text goes (write ``.*`` to take more).
* ``remove.selectors`` — every block inside a matching element goes (HTML only).
* ``keep.*`` — the same matches are protected from the *built-in* appeal and
  chrome rules; user removal rules still apply.

``[site."example.com"]`` sections apply to that host and its subdomains.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from reader.core.errors import InputFileError


@dataclass(frozen=True, slots=True)
class RuleSet:
    phrases: tuple[str, ...] = ()
    regex: tuple[re.Pattern[str], ...] = ()
    selectors: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.phrases or self.regex or self.selectors)

    def merged(self, other: RuleSet) -> RuleSet:
        return RuleSet(
            self.phrases + other.phrases,
            self.regex + other.regex,
            self.selectors + other.selectors,
        )

    def matches_text(self, text: str) -> bool:
        return self.matches_text_phrases(text) or any(
            pattern.search(text) for pattern in self.regex
        )

    def matches_text_phrases(self, text: str) -> bool:
        lowered = text.lower()
        return any(phrase.lower() in lowered for phrase in self.phrases)


@dataclass(frozen=True, slots=True)
class SiteRules:
    remove: RuleSet = field(default_factory=RuleSet)
    keep: RuleSet = field(default_factory=RuleSet)


@dataclass(frozen=True, slots=True)
class CleanerRules:
    remove: RuleSet = field(default_factory=RuleSet)
    keep: RuleSet = field(default_factory=RuleSet)
    sites: Mapping[str, SiteRules] = field(default_factory=dict)

    def for_url(self, url: str | None) -> SiteRules:
        """The global rules plus those of every site entry matching ``url``'s host."""
        remove, keep = self.remove, self.keep
        host = _host(url)
        if host:
            for site, rules in self.sites.items():
                if host == site or host.endswith("." + site):
                    remove, keep = remove.merged(rules.remove), keep.merged(rules.keep)
        return SiteRules(remove, keep)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "rules") -> CleanerRules:
        """Build rules from parsed TOML; raises InputFileError on malformed input."""
        _check_keys(data, {"remove", "keep", "site"}, source)
        sites = {}
        site_table = _table(data.get("site", {}), f"{source} [site]")
        for host, entry in site_table.items():
            where = f'{source} [site."{host}"]'
            entry = _table(entry, where)
            _check_keys(entry, {"remove", "keep"}, where)
            sites[host.lower().removeprefix("www.")] = SiteRules(
                _ruleset(entry.get("remove", {}), f"{where}.remove"),
                _ruleset(entry.get("keep", {}), f"{where}.keep"),
            )
        return cls(
            _ruleset(data.get("remove", {}), f"{source} [remove]"),
            _ruleset(data.get("keep", {}), f"{source} [keep]"),
            sites,
        )


def load_rules(path: Path) -> CleanerRules:
    """Read cleaning rules from a TOML file."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise InputFileError(f"cannot read rules file {path}: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise InputFileError(f"rules file {path} is not UTF-8 text") from error
    except tomllib.TOMLDecodeError as error:
        raise InputFileError(f"rules file {path} is not valid TOML: {error}") from error
    return CleanerRules.from_dict(data, str(path))


def _host(url: str | None) -> str:
    if not url:
        return ""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")


def _table(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InputFileError(f"{where} must be a table")
    return value


def _check_keys(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise InputFileError(f"{where}: unknown key(s) {', '.join(unknown)}")


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InputFileError(f"{where} must be a list of strings")
    return tuple(item for item in value if item.strip())


def _ruleset(value: Any, where: str) -> RuleSet:
    table = _table(value, where)
    _check_keys(table, {"phrases", "regex", "selectors"}, where)
    patterns = []
    for pattern in _strings(table.get("regex", []), f"{where}.regex"):
        try:
            patterns.append(re.compile(pattern))
        except re.error as error:
            raise InputFileError(
                f"{where}.regex: bad regular expression {pattern!r}: {error}"
            ) from error
    selectors = _strings(table.get("selectors", []), f"{where}.selectors")
    for selector in selectors:
        compile_selector(selector, where)
    return RuleSet(
        _strings(table.get("phrases", []), f"{where}.phrases"), tuple(patterns), selectors
    )


_SELECTORS: dict[str, Any] = {}


def compile_selector(selector: str, where: str = "rules") -> Any:
    """A compiled lxml CSS selector (cached)."""
    if selector in _SELECTORS:
        return _SELECTORS[selector]
    try:
        from lxml.cssselect import CSSSelector
    except ImportError as error:  # cssselect is an optional extra of lxml
        raise InputFileError(f"{where}: CSS selectors need the 'cssselect' package") from error
    try:
        compiled = CSSSelector(selector)
    except Exception as error:  # cssselect raises several unrelated types
        raise InputFileError(
            f"{where}.selectors: bad CSS selector {selector!r}: {error}"
        ) from error
    _SELECTORS[selector] = compiled
    return compiled
