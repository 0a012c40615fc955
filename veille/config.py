"""Reading configuration files: TOML with checked keys, durations, and the sources file.

Every error names the file, the entry and the key, so that a mistake stops veille at
startup with what to fix.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from veille.model import (
    DEFAULT_BUDGET,
    DEFAULT_EVERY_S,
    DEFAULT_LANGUAGES,
    DEFAULT_MAX_AGE_S,
    DETECTABLE_LANGUAGES,
    Source,
    SourceKind,
)

DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
MIN_EVERY_S = 1.0
MAX_DURATION_S = 3660 * 86400  # ten years: longer is a mistake, and overflows the scheduler
MAX_CONFIG_BYTES = 10_000_000
KINDS = tuple(SourceKind)


class ConfigError(Exception):
    """A configuration file is invalid; the message says where and how to fix it."""

    def __init__(self, path: str | Path, message: str, entry: str | None = None,
                 key: str | None = None) -> None:
        where = str(path)
        if entry:
            where += f": {entry}"
        if key:
            where += f", key '{key}'"
        super().__init__(f"{where}: {message}")
        self.path = str(path)
        self.entry = entry
        self.key = key


@dataclass(frozen=True)
class SourcesConfig:
    path: str
    sources: tuple[Source, ...] = field(default_factory=tuple)
    every_s: float = DEFAULT_EVERY_S

    def enabled(self) -> list[Source]:
        return [s for s in self.sources if s.enabled]

    def get(self, name: str) -> Source | None:
        return next((s for s in self.sources if s.name == name), None)


_SOURCE_KEYS: dict[str, type] = {
    "name": str,
    "url": str,
    "kind": str,
    "enabled": bool,
    "allow_private": bool,
    "follow_offsite": bool,
    "languages": list,
    "every": str,
    "max_age": str,
    "include": list,
    "exclude": list,
    "budget": int,
    "recheck": str,
}
_DEFAULT_KEYS: dict[str, type] = {"languages": list, "every": str}


def default_sources_path() -> Path:
    return Path(str(resources.files("veille") / "data" / "sources.toml"))


def default_rules_path() -> Path:
    """The shipped tagging rules (scheduler/tagging/rules.py reads them)."""
    return Path(str(resources.files("veille") / "data" / "topics.toml"))


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a TOML file, turning I/O and syntax errors into ConfigError.

    At most MAX_CONFIG_BYTES are read (`--sources /dev/zero` must not hang), the text
    must be UTF-8, and a document nested past what the parser can follow is refused.
    """
    try:
        if Path(path).is_dir():
            raise ConfigError(path, "is a directory, not a TOML file")
        with Path(path).open("rb") as fh:
            data = fh.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(path, "file not found") from None
    except OSError as exc:
        raise ConfigError(path, f"cannot read file: {exc.strerror}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(path, f"larger than {MAX_CONFIG_BYTES // 1_000_000} MB: not a "
                          "configuration file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ConfigError(path, f"not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}): "
                          "save the file as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(path, "invalid TOML: tables or arrays nested too deeply") from None


def check_keys(path: str | Path, entry: str, table: dict[str, Any],
               allowed: dict[str, type]) -> None:
    """Reject unknown keys and values of the wrong type."""
    for key, value in table.items():
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise ConfigError(path, f"unknown key (known keys: {known})", entry, key)
        expected = allowed[key]
        if not _type_ok(value, expected):
            raise ConfigError(path, f"expected {_TYPE_NAMES[expected]}, got {value!r}", entry, key)


_TYPE_NAMES = {str: "a string", bool: "true or false", list: "a list", int: "an integer",
               float: "a number", dict: "a table"}


def _type_ok(value: Any, expected: type) -> bool:
    if expected is bool:
        return isinstance(value, bool)
    if isinstance(value, bool):  # TOML true is a Python int: never accept it as a number
        return False
    if expected is float:
        return isinstance(value, int | float)
    return isinstance(value, expected)


def parse_duration(value: str) -> float:
    """'30s', '15m', '2h', '3d' (or '1.5h') in seconds, at most MAX_DURATION_S; ValueError
    otherwise."""
    match = DURATION.match(value)
    if not match:
        raise ValueError(f"cannot read duration {value!r}: use a number and a unit s, m, h "
                         "or d, such as \"30s\", \"15m\", \"2h\" or \"3d\"")
    seconds = float(match.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]
    if seconds > MAX_DURATION_S:
        raise ValueError(f"duration {value!r} is longer than ten years")
    return seconds


def check_duration(path: str | Path, entry: str, key: str, value: str,
                   minimum: float) -> float:
    """A duration read from a config file, at least `minimum` seconds."""
    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        raise ConfigError(path, str(exc), entry, key) from None
    if seconds < minimum:
        raise ConfigError(path, f"must be at least {minimum:g}s", entry, key)
    return seconds




def _every(path: str | Path, entry: str, value: str) -> float:
    return check_duration(path, entry, "every", value, MIN_EVERY_S)


def _regexes(path: str | Path, entry: str, key: str, values: list[Any]) -> tuple[str, ...]:
    for value in values:
        if not isinstance(value, str) or not value:
            raise ConfigError(path, f"every item must be a regular expression, got {value!r}",
                              entry, key)
        try:
            re.compile(value)
        except re.error as exc:
            raise ConfigError(path, f"regular expression {value!r} does not compile: {exc}",
                              entry, key) from None
    return tuple(values)


def check_http_url(path: str | Path, entry: str, key: str, url: str) -> str:
    url = url.strip()
    try:
        parts = urlsplit(url)
        hostname, port = parts.hostname, parts.port  # .port raises on a port out of range
    except ValueError as exc:
        reason = str(exc)[:1].lower() + str(exc)[1:]
        raise ConfigError(path, f"not a usable URL ({reason}): {url!r}", entry, key) from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise ConfigError(path, f"must be an http:// or https:// URL, got {url!r}", entry, key)
    if port == 0:
        raise ConfigError(path, f"port 0 is not a port: {url!r}", entry, key)
    return url


def _languages(path: str | Path, entry: str, value: list[Any]) -> tuple[str, ...]:
    if not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(path, "must be a non-empty list of language codes such as [\"fr\"]",
                          entry, "languages")
    codes = tuple(v.strip().lower() for v in value)
    for code in codes:
        if code not in DETECTABLE_LANGUAGES:
            raise ConfigError(path, f"unknown language code {code!r}: use the two-letter ISO "
                              "639-1 codes the language detector gives, such as \"fr\" "
                              f"(known: {', '.join(DETECTABLE_LANGUAGES)})", entry, "languages")
    return codes


def parse_source(path: str | Path, index: int, table: Any,
                 default_languages: tuple[str, ...], default_every: float) -> Source:
    entry = f"source #{index}"
    if not isinstance(table, dict):
        raise ConfigError(path, "each source must be a table ([[source]])", entry)
    if isinstance(table.get("name"), str) and table["name"].strip():
        entry = f"source #{index} '{table['name'].strip()}'"
    check_keys(path, entry, table, _SOURCE_KEYS)
    for required in ("name", "url"):
        if required not in table:
            raise ConfigError(path, "missing required key", entry, required)
    name = table["name"].strip()
    if not name:
        raise ConfigError(path, "must not be empty", entry, "name")
    kind = table.get("kind", "feed")
    if kind not in KINDS:
        raise ConfigError(path, f"must be one of {', '.join(KINDS)}, got {kind!r}", entry, "kind")
    languages = default_languages
    if "languages" in table:
        languages = _languages(path, entry, table["languages"])
    return Source(
        name=name,
        url=check_http_url(path, entry, "url", table["url"]),
        kind=SourceKind(kind),
        enabled=table.get("enabled", True),
        allow_private=table.get("allow_private", False),
        follow_offsite=table.get("follow_offsite", False),
        languages=languages,
        every_s=_every(path, entry, table["every"]) if "every" in table else default_every,
        max_age_s=(check_duration(path, entry, "max_age", table["max_age"], 60)
                   if "max_age" in table else DEFAULT_MAX_AGE_S),
        include=_regexes(path, entry, "include", table.get("include", [])),
        exclude=_regexes(path, entry, "exclude", table.get("exclude", [])),
        budget=_budget(path, entry, table.get("budget", DEFAULT_BUDGET)),
        recheck_s=(check_duration(path, entry, "recheck", table["recheck"], 0)
                   if "recheck" in table else 0.0),
    )


def _budget(path: str | Path, entry: str, value: int) -> int:
    if not 1 <= value <= 100_000:
        raise ConfigError(path, f"must be between 1 and 100000, got {value}", entry, "budget")
    return value


def load_sources(path: str | Path) -> SourcesConfig:
    """Read a sources file; raise ConfigError naming file, entry and key on any problem."""
    data = read_toml(path)
    unknown = set(data) - {"source", "sources", "defaults"}
    if unknown:
        key = sorted(unknown)[0]
        raise ConfigError(path, "unknown top-level key (expected [defaults] and [[source]] "
                          "tables)", key=key)
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise ConfigError(path, "must be a table", key="defaults")
    check_keys(path, "[defaults]", defaults, _DEFAULT_KEYS)
    default_languages = DEFAULT_LANGUAGES
    if "languages" in defaults:
        default_languages = _languages(path, "[defaults]", defaults["languages"])
    default_every = (_every(path, "[defaults]", defaults["every"]) if "every" in defaults
                     else DEFAULT_EVERY_S)
    tables = list(data.get("source", [])) + list(data.get("sources", []))
    if not tables:
        raise ConfigError(path, "no sources defined: add at least one [[source]] table")
    sources: list[Source] = []
    seen: set[str] = set()
    for index, table in enumerate(tables, start=1):
        source = parse_source(path, index, table, default_languages, default_every)
        if source.name in seen:
            raise ConfigError(path, f"duplicate source name {source.name!r}",
                              f"source #{index}", "name")
        seen.add(source.name)
        sources.append(source)
    return SourcesConfig(path=str(path), sources=tuple(sources), every_s=default_every)
