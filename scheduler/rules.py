"""Topic rules from TOML: terms, weights, exclusions and thresholds, validated at load."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from veille.config import ConfigError, check_keys, read_toml

MAX_THRESHOLD = 1000.0


@dataclass(frozen=True)
class Term:
    text: str
    weight: float = 1.0


@dataclass(frozen=True)
class Topic:
    name: str
    label: str
    threshold: float
    terms: tuple[Term, ...]
    exclude: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scoring:
    title_weight: float = 3.0
    lead_weight: float = 2.0
    body_weight: float = 1.0
    lead_chars: int = 500


@dataclass(frozen=True)
class Rules:
    path: str
    version: str
    scoring: Scoring
    topics: tuple[Topic, ...] = field(default_factory=tuple)

    def topic(self, name: str) -> Topic | None:
        return next((t for t in self.topics if t.name == name), None)

    @property
    def topic_names(self) -> list[str]:
        return [t.name for t in self.topics]


_TOP_KEYS: dict[str, type] = {"version": int, "scoring": dict, "topics": dict}
_SCORING_KEYS: dict[str, type] = {"title_weight": float, "lead_weight": float,
                                  "body_weight": float, "lead_chars": int}
_TOPIC_KEYS: dict[str, type] = {"label": str, "threshold": float, "terms": list,
                                "exclude": list, "patterns": list}
_TERM_KEYS: dict[str, type] = {"term": str, "weight": float}


def default_rules_path() -> Path:
    return Path(str(resources.files("veille") / "data" / "topics.toml"))


def _term(path: str, entry: str, value: Any) -> Term:
    if isinstance(value, dict):
        check_keys(path, entry, value, _TERM_KEYS)
        if "term" not in value:
            raise ConfigError(path, "missing required key", entry, "term")
        text, weight = value["term"], float(value.get("weight", 1.0))
    elif isinstance(value, str):
        text, weight = value, 1.0
    else:
        raise ConfigError(path, "a term is a string or {term = ..., weight = ...}, "
                          f"got {value!r}", entry, "terms")
    if not text.strip():
        raise ConfigError(path, "empty term", entry, "terms")
    if not 0 < weight <= 100:
        raise ConfigError(path, f"weight must be in (0, 100], got {weight}", entry, "weight")
    return Term(text.strip(), weight)


def _strings(path: str, entry: str, key: str, values: list[Any]) -> tuple[str, ...]:
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(path, f"every item must be a non-empty string, got {value!r}",
                              entry, key)
    return tuple(v.strip() for v in values)


def _topic(path: str, name: str, table: Any) -> Topic:
    entry = f"topic '{name}'"
    if not isinstance(table, dict):
        raise ConfigError(path, "must be a table", entry)
    check_keys(path, entry, table, _TOPIC_KEYS)
    for required in ("threshold", "terms"):
        if required not in table:
            raise ConfigError(path, "missing required key", entry, required)
    threshold = float(table["threshold"])
    if not 0 < threshold <= MAX_THRESHOLD:
        raise ConfigError(path, f"must be in (0, {MAX_THRESHOLD:g}], got {threshold:g}",
                          entry, "threshold")
    terms = tuple(_term(path, entry, v) for v in table["terms"])
    if not terms:
        raise ConfigError(path, "needs at least one term", entry, "terms")
    patterns = _strings(path, entry, "patterns", table.get("patterns", []))
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(path, f"regular expression {pattern!r} does not compile: {exc}",
                              entry, "patterns") from None
    return Topic(
        name=name,
        label=table.get("label", name),
        threshold=threshold,
        terms=terms,
        exclude=_strings(path, entry, "exclude", table.get("exclude", [])),
        patterns=patterns,
    )


def _scoring(path: str, table: Any) -> Scoring:
    if not isinstance(table, dict):
        raise ConfigError(path, "must be a table", key="scoring")
    check_keys(path, "[scoring]", table, _SCORING_KEYS)
    scoring = Scoring(**{k: type(getattr(Scoring, k))(v) for k, v in table.items()})
    for key in ("title_weight", "lead_weight", "body_weight"):
        if not 0 <= getattr(scoring, key) <= 100:
            raise ConfigError(path, "must be between 0 and 100", "[scoring]", key)
    if scoring.lead_chars < 0:
        raise ConfigError(path, "must not be negative", "[scoring]", "lead_chars")
    return scoring


def parse_rules(path: str, data: dict[str, Any]) -> Rules:
    check_keys(path, "top level", data, _TOP_KEYS)
    topics_table = data.get("topics")
    if not topics_table:
        raise ConfigError(path, "no topics defined: add a [topics.NAME] table", key="topics")
    topics = []
    for name, table in topics_table.items():
        if not re.fullmatch(r"[a-z][a-z0-9_-]*", name):
            raise ConfigError(path, "topic names are lower-case letters, digits, '-' and '_'",
                              f"topic '{name}'")
        topics.append(_topic(path, name, table))
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    version = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]
    return Rules(path=path, version=version, scoring=_scoring(path, data.get("scoring", {})),
                 topics=tuple(topics))


def load_rules(path: str | Path | None = None) -> Rules:
    """Load topic rules from `path` (the shipped default when None)."""
    path = str(path or default_rules_path())
    return parse_rules(path, read_toml(path))
