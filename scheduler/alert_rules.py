"""Alert rules from TOML: what to match, where to send it (Apprise URLs), and when.

Checked at startup, before anything is sent: an unknown topic, a target URL
Apprise cannot read, a time that does not exist or a missing environment
variable stops the program with the rule and the key named.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scheduler.rules import Rules
from scheduler.text import TOKEN, fold
from veille.config import ConfigError, check_keys, parse_duration, read_toml

MODES = ("immediate", "digest")
NO_ANSWER_POLICIES = ("retry", "give_up")
ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Target:
    url: str  # with secrets: never logged, never stored
    masked: str  # Apprise's privacy form, for logs and output
    id: str  # hash of the URL, the key stored in the outbox
    body_max: int
    title_max: int


@dataclass(frozen=True)
class AlertRule:
    name: str
    targets: tuple[Target, ...]
    mode: str = "immediate"
    topics: tuple[str, ...] = ()  # any of
    all_topics: tuple[str, ...] = ()  # all of
    subtopics: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    query: tuple[str, ...] = ()  # folded words that must all appear
    sources: tuple[str, ...] = ()
    min_score: float = 0.0
    every_s: float | None = None  # digest every N seconds...
    at: time | None = None  # ...or daily at HH:MM (local)
    quiet: tuple[time, time] | None = None
    max_per_hour: int | None = None


@dataclass(frozen=True)
class AlertConfig:
    path: str
    timezone: ZoneInfo
    rules: tuple[AlertRule, ...] = field(default_factory=tuple)
    max_attempts: int = 8
    on_no_answer: str = "retry"

    def rule(self, name: str) -> AlertRule | None:
        return next((r for r in self.rules if r.name == name), None)


@dataclass(frozen=True)
class ArticleFacts:
    """What a rule can look at in an article."""

    source: str
    title: str
    text: str
    tags: dict[str, tuple[str, float]]  # name -> (kind, score)


_TOP_KEYS: dict[str, type] = {"timezone": str, "max_attempts": int, "on_no_answer": str,
                              "rule": list}
_RULE_KEYS: dict[str, type] = {
    "name": str, "targets": list, "mode": str, "topics": list, "all_topics": list,
    "subtopics": list, "entities": list, "query": str, "sources": list, "min_score": float,
    "every": str, "at": str, "quiet_hours": str, "max_per_hour": int,
}


def resolve_env(value: str, path: str, entry: str, key: str) -> str:
    """Replace ${NAME} with the environment variable NAME; missing is an error."""
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise ConfigError(path, f"environment variable {name} is not set", entry, key)
        return os.environ[name]

    return ENV_REFERENCE.sub(replace, value)


def make_target(url: str, path: str, entry: str) -> Target:
    import apprise

    plugin = apprise.Apprise.instantiate(url)
    if plugin is None:
        shown = ENV_REFERENCE.sub("${…}", url.split("://", 1)[0] + "://…") if "://" in url \
            else "(not a URL)"
        raise ConfigError(path, f"Apprise cannot use this target URL ({shown}); see "
                          "https://github.com/caronc/apprise/wiki for the URL of each service",
                          entry, "targets")
    masked = plugin.url(privacy=True).split("?", 1)[0]
    return Target(url=url, masked=masked, id=hashlib.sha256(url.encode()).hexdigest()[:16],
                  body_max=int(plugin.body_maxlen or 32768),
                  title_max=int(plugin.title_maxlen or 0))


def _clock(value: str, path: str, entry: str, key: str) -> time:
    match = CLOCK.match(value.strip())
    if not match:
        raise ConfigError(path, f"not a time of day: {value!r} (use HH:MM, 00:00 to 23:59)",
                          entry, key)
    return time(int(match.group(1)), int(match.group(2)))


def _names(path: str, entry: str, key: str, values: list[Any], known: set[str],
           what: str) -> tuple[str, ...]:
    for value in values:
        if not isinstance(value, str) or value not in known:
            listed = ", ".join(sorted(known)) or "none"
            raise ConfigError(path, f"unknown {what} {value!r} (known: {listed})", entry, key)
    return tuple(values)


def _rule(path: str, index: int, table: Any, tags: Rules, sources: set[str] | None) -> AlertRule:
    entry = f"rule #{index}"
    if not isinstance(table, dict):
        raise ConfigError(path, "each rule is a [[rule]] table", entry)
    if isinstance(table.get("name"), str):
        entry = f"rule '{table['name']}'"
    check_keys(path, entry, table, _RULE_KEYS)
    for required in ("name", "targets"):
        if required not in table:
            raise ConfigError(path, "missing required key", entry, required)
    mode = table.get("mode", "immediate")
    if mode not in MODES:
        raise ConfigError(path, f"must be immediate or digest, got {mode!r}", entry, "mode")
    targets = []
    for raw in table["targets"]:
        if not isinstance(raw, str) or not raw.strip():
            raise ConfigError(path, "each target is an Apprise URL string", entry, "targets")
        targets.append(make_target(resolve_env(raw.strip(), path, entry, "targets"), path, entry))
    if not targets:
        raise ConfigError(path, "needs at least one target", entry, "targets")
    every_s = at = quiet = None
    try:
        if "every" in table:
            every_s = parse_duration(table["every"])
    except ValueError as exc:
        raise ConfigError(path, str(exc), entry, "every") from None
    if "at" in table:
        at = _clock(table["at"], path, entry, "at")
    if mode == "digest" and every_s is None and at is None:
        raise ConfigError(path, 'a digest needs `every` ("30m") or `at` ("08:00")', entry,
                          "mode")
    if "quiet_hours" in table:
        start, _, end = str(table["quiet_hours"]).partition("-")
        quiet = (_clock(start, path, entry, "quiet_hours"),
                 _clock(end, path, entry, "quiet_hours"))
    topics = {t.name for t in tags.topics}
    known_sources = sources if sources is not None else set(table.get("sources", []))
    max_per_hour = table.get("max_per_hour")
    if max_per_hour is not None and max_per_hour < 1:
        raise ConfigError(path, "must be at least 1", entry, "max_per_hour")
    return AlertRule(
        name=table["name"], targets=tuple(targets), mode=mode,
        topics=_names(path, entry, "topics", table.get("topics", []), topics, "topic"),
        all_topics=_names(path, entry, "all_topics", table.get("all_topics", []), topics,
                          "topic"),
        subtopics=_names(path, entry, "subtopics", table.get("subtopics", []),
                         {t.name for t in tags.subtopics}, "sub-topic"),
        entities=_names(path, entry, "entities", table.get("entities", []),
                        {t.name for t in tags.entities}, "entity"),
        query=tuple(fold(w) for w in TOKEN.findall(table.get("query", ""))),
        sources=_names(path, entry, "sources", table.get("sources", []), known_sources,
                       "source"),
        min_score=float(table.get("min_score", 0.0)), every_s=every_s, at=at, quiet=quiet,
        max_per_hour=max_per_hour,
    )


def load_alerts(path: str | Path, tags: Rules, sources: set[str] | None = None) -> AlertConfig:
    """Read and check an alerts file against the tagging rules (and source names)."""
    path = str(path)
    data = read_toml(path)
    check_keys(path, "top level", data, _TOP_KEYS)
    try:
        zone = ZoneInfo(data.get("timezone", "Europe/Paris"))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(path, f"unknown time zone {data.get('timezone')!r}",
                          key="timezone") from None
    policy = data.get("on_no_answer", "retry")
    if policy not in NO_ANSWER_POLICIES:
        raise ConfigError(path, "must be retry or give_up", key="on_no_answer")
    rules = [_rule(path, i, t, tags, sources) for i, t in enumerate(data.get("rule", []), 1)]
    if not rules:
        raise ConfigError(path, "no alert rule: add a [[rule]] table", key="rule")
    names = [r.name for r in rules]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise ConfigError(path, "two rules have this name", f"rule '{duplicate}'", "name")
    attempts = data.get("max_attempts", 8)
    if not 1 <= attempts <= 100:
        raise ConfigError(path, "must be between 1 and 100", key="max_attempts")
    return AlertConfig(path=path, timezone=zone, rules=tuple(rules), max_attempts=attempts,
                       on_no_answer=policy)


def matches(rule: AlertRule, article: ArticleFacts) -> bool:
    """Every criterion the rule sets holds for the article."""
    kinds: dict[str, set[str]] = {"topic": set(), "subtopic": set(), "entity": set()}
    for name, (kind, _) in article.tags.items():
        kinds[kind].add(name)
    if rule.topics and not kinds["topic"] & set(rule.topics):
        return False
    if rule.all_topics and not set(rule.all_topics) <= kinds["topic"]:
        return False
    if rule.subtopics and not kinds["subtopic"] & set(rule.subtopics):
        return False
    if rule.entities and not kinds["entity"] & set(rule.entities):
        return False
    if rule.sources and article.source not in rule.sources:
        return False
    if rule.query:
        words = set(TOKEN.findall(fold(f"{article.title} {article.text}")))
        if not set(rule.query) <= words:
            return False
    if rule.min_score:
        considered = [*rule.topics, *rule.all_topics] or [
            n for n, (kind, _) in article.tags.items() if kind == "topic"]
        best = max((article.tags[n][1] for n in considered if n in article.tags), default=0.0)
        if best < rule.min_score:
            return False
    return True


def in_quiet_hours(rule: AlertRule, now: datetime, zone: ZoneInfo) -> bool:
    if rule.quiet is None:
        return False
    local = now.astimezone(zone).time()
    start, end = rule.quiet
    return start <= local < end if start <= end else (local >= start or local < end)
