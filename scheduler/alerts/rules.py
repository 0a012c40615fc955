"""Alert rules from TOML: what to match, where to send it (Apprise URLs), and when.

Checked at startup, before anything is sent: an unknown topic, a target URL
Apprise cannot read, a time that does not exist or a missing environment
variable stops the program with the rule and the key named.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scheduler.tagging.rules import Rules
from storage.outbox import OutboxRow
from veille.config import ConfigError, check_duration, check_keys, read_toml
from veille.model import (
    AlertKind,
    AlertMode,
    ArticleRecord,
    NoAnswerPolicy,
    StoryFacts,
    TagKind,
    TagResult,
)
from veille.redact import register_secret
from veille.text import folded_words
from veille.times import moment

ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
MIN_DIGEST_EVERY_S = 60.0
DEFAULT_MAX_AGE_S = 24 * 3600.0  # adding a source must not send its backlog


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
    mode: AlertMode = AlertMode.IMMEDIATE
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
    max_age_s: float = DEFAULT_MAX_AGE_S  # no alert for a story that began longer ago
    follow_up: int | None = None  # one more message when the story reaches this many outlets


@dataclass(frozen=True)
class AlertConfig:
    path: str
    timezone: ZoneInfo
    rules: tuple[AlertRule, ...] = field(default_factory=tuple)
    max_attempts: int = 8
    on_no_answer: NoAnswerPolicy = NoAnswerPolicy.RETRY

    def rule(self, name: str) -> AlertRule | None:
        return next((r for r in self.rules if r.name == name), None)


@dataclass(frozen=True)
class ArticleFacts:
    """What a rule can look at in an article."""

    source: str
    title: str
    text: str
    tags: dict[str, tuple[TagKind, float]]  # name -> (kind, score)

    def names(self, kind: TagKind) -> set[str]:
        return {name for name, (k, _) in self.tags.items() if k == kind}


_TOP_KEYS: dict[str, type] = {"timezone": str, "max_attempts": int, "on_no_answer": str,
                              "rule": list}
_RULE_KEYS: dict[str, type] = {
    "name": str, "targets": list, "mode": str, "topics": list, "all_topics": list,
    "subtopics": list, "entities": list, "query": str, "sources": list, "min_score": float,
    "every": str, "at": str, "quiet_hours": str, "max_per_hour": int, "max_age": str,
    "follow_up": int,
}


# -- reading one rule ----------------------------------------------------------------


def resolve_env(value: str, path: str, entry: str, key: str) -> str:
    """Replace ${NAME} with the environment variable NAME; missing is an error."""
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise ConfigError(path, f"environment variable {name} is not set", entry, key)
        return os.environ[name]

    return ENV_REFERENCE.sub(replace, value)


def mask(private_url: str) -> str:
    """What people see of a target: its scheme and host, nothing of its path, query or
    credentials (a webhook's path or a `+Header=` often is the secret). `private_url`
    is Apprise's privacy form, whose host part is itself masked for services whose
    "host" is a token (Telegram, Discord, Slack)."""
    scheme, _, rest = private_url.split("?", 1)[0].partition("://")
    netloc, _, tail = rest.partition("/")
    host = netloc.rsplit("@", 1)[-1]
    return f"{scheme}://{host}/…" if tail.strip("/") else f"{scheme}://{host}"


def make_target(url: str, path: str, entry: str, *, public: bool = False) -> Target:
    """A target from its Apprise URL; `public`: the operator says nothing in it is secret,
    so its whole (Apprise-masked) URL may be shown."""
    import apprise

    # Apprise logs the URLs it loads at DEBUG: its secrets are registered before it sees it.
    if not public:
        register_secret(url, url.split("://", 1)[0] + "://…")
    plugin = apprise.Apprise.instantiate(url)
    if plugin is None:
        shown = ENV_REFERENCE.sub("${…}", url.split("://", 1)[0] + "://…") if "://" in url \
            else "(not a URL)"
        raise ConfigError(path, f"Apprise cannot use this target URL ({shown}); see "
                          "https://github.com/caronc/apprise/wiki for the URL of each service",
                          entry, "targets")
    private = plugin.url(privacy=True)
    masked = private.split("?", 1)[0] if public else mask(private)
    register_secret(url, masked)
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


@dataclass(frozen=True)
class _RuleReader:
    """Reads the keys of one [[rule]] table, each with its own small parser."""

    path: str
    entry: str
    table: dict[str, Any]

    def error(self, message: str, key: str | None = None) -> ConfigError:
        return ConfigError(self.path, message, self.entry, key)

    def mode(self) -> AlertMode:
        mode = self.table.get("mode", AlertMode.IMMEDIATE)
        if mode not in tuple(AlertMode):
            raise self.error(f"must be immediate or digest, got {mode!r}", "mode")
        return AlertMode(mode)

    def targets(self) -> tuple[Target, ...]:
        targets = []
        for raw in self.table["targets"]:
            public = False
            if isinstance(raw, dict):  # { url = "...", public = true }
                check_keys(self.path, self.entry, raw, {"url": str, "public": bool})
                public, raw = bool(raw.get("public", False)), raw.get("url")
            if not isinstance(raw, str) or not raw.strip():
                raise self.error("each target is an Apprise URL string, or a table "
                                 "{ url = \"...\", public = true }", "targets")
            url = resolve_env(raw.strip(), self.path, self.entry, "targets")
            targets.append(make_target(url, self.path, self.entry, public=public))
        if not targets:
            raise self.error("needs at least one target", "targets")
        return tuple(targets)

    def every(self) -> float | None:
        if "every" not in self.table:
            return None
        # The daemon checks digests every minute: a shorter period would mean nothing.
        return check_duration(self.path, self.entry, "every", self.table["every"],
                              MIN_DIGEST_EVERY_S)

    def at(self) -> time | None:
        return _clock(self.table["at"], self.path, self.entry, "at") if "at" in self.table \
            else None

    def quiet_hours(self) -> tuple[time, time] | None:
        if "quiet_hours" not in self.table:
            return None
        start, _, end = str(self.table["quiet_hours"]).partition("-")
        return (_clock(start, self.path, self.entry, "quiet_hours"),
                _clock(end, self.path, self.entry, "quiet_hours"))

    def max_per_hour(self) -> int | None:
        value = self.table.get("max_per_hour")
        if value is not None and value < 1:
            raise self.error("must be at least 1", "max_per_hour")
        return value

    def max_age(self) -> float:
        if "max_age" not in self.table:
            return DEFAULT_MAX_AGE_S
        return check_duration(self.path, self.entry, "max_age", self.table["max_age"], 60)

    def follow_up(self) -> int | None:
        value = self.table.get("follow_up")
        if value is not None and not 2 <= value <= 1000:
            raise self.error("the number of outlets that triggers the follow-up message must "
                             "be between 2 and 1000", "follow_up")
        return value

    def names(self, key: str, known: set[str], what: str) -> tuple[str, ...]:
        return _names(self.path, self.entry, key, self.table.get(key, []), known, what)

    def query_words(self) -> tuple[str, ...]:
        return tuple(folded_words(self.table.get("query", "")))


def _rule_entry(index: int, table: Any) -> str:
    if isinstance(table, dict) and isinstance(table.get("name"), str):
        return f"rule '{table['name']}'"
    return f"rule #{index}"


def _rule(path: str, index: int, table: Any, tags: Rules, sources: set[str] | None) -> AlertRule:
    entry = _rule_entry(index, table)
    if not isinstance(table, dict):
        raise ConfigError(path, "each rule is a [[rule]] table", entry)
    check_keys(path, entry, table, _RULE_KEYS)
    for required in ("name", "targets"):
        if required not in table:
            raise ConfigError(path, "missing required key", entry, required)
    read = _RuleReader(path, entry, table)
    mode, targets, every_s, at = read.mode(), read.targets(), read.every(), read.at()
    if mode == AlertMode.DIGEST and every_s is None and at is None:
        raise read.error('a digest needs `every` ("30m") or `at` ("08:00")', "mode")
    topics = set(tags.topic_names)
    return AlertRule(
        name=table["name"], targets=targets, mode=mode,
        topics=read.names("topics", topics, "topic"),
        all_topics=read.names("all_topics", topics, "topic"),
        subtopics=read.names("subtopics", {t.name for t in tags.subtopics}, "sub-topic"),
        entities=read.names("entities", {t.name for t in tags.entities}, "entity"),
        query=read.query_words(),
        sources=read.names("sources", sources if sources is not None
                           else set(table.get("sources", [])), "source"),
        min_score=float(table.get("min_score", 0.0)), every_s=every_s, at=at,
        quiet=read.quiet_hours(), max_per_hour=read.max_per_hour(), max_age_s=read.max_age(),
        follow_up=read.follow_up(),
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
    policy = data.get("on_no_answer", NoAnswerPolicy.RETRY)
    if policy not in tuple(NoAnswerPolicy):
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
                       on_no_answer=NoAnswerPolicy(policy))


# -- matching ------------------------------------------------------------------------


def _any_of(wanted: tuple[str, ...], kind: TagKind) -> Callable[[ArticleFacts], bool]:
    return lambda article: not wanted or bool(article.names(kind) & set(wanted))


def _all_topics(rule: AlertRule, article: ArticleFacts) -> bool:
    return set(rule.all_topics) <= article.names(TagKind.TOPIC)


def _source(rule: AlertRule, article: ArticleFacts) -> bool:
    return not rule.sources or article.source in rule.sources


def _query(rule: AlertRule, article: ArticleFacts) -> bool:
    return not rule.query or set(rule.query) <= set(
        folded_words(f"{article.title} {article.text}"))


def _min_score(rule: AlertRule, article: ArticleFacts) -> bool:
    """The best score among the rule's topics (or all main topics) reaches min_score."""
    if not rule.min_score:
        return True
    considered = [*rule.topics, *rule.all_topics] or sorted(article.names(TagKind.TOPIC))
    best = max((article.tags[n][1] for n in considered if n in article.tags), default=0.0)
    return best >= rule.min_score


def matches(rule: AlertRule, article: ArticleFacts) -> bool:
    """Every criterion the rule sets holds for the article."""
    predicates = (
        _any_of(rule.topics, TagKind.TOPIC),
        lambda a: _all_topics(rule, a),
        _any_of(rule.subtopics, TagKind.SUBTOPIC),
        _any_of(rule.entities, TagKind.ENTITY),
        lambda a: _source(rule, a),
        lambda a: _query(rule, a),
        lambda a: _min_score(rule, a),
    )
    return all(predicate(article) for predicate in predicates)


def alerts_for(config: AlertConfig, article: ArticleRecord, tags: TagResult,
               story: StoryFacts | None = None, now: datetime | None = None) -> list[OutboxRow]:
    """The alerts an article sends, one per matching rule and target, keyed by its story:
    the first matching article of a story alerts, later ones do not; a rule with
    `follow_up = N` sends one more message when the story reaches N outlets. No alert for
    a story that began longer ago than the rule's `max_age` (a new source's backlog)."""
    facts = ArticleFacts(source=article.source, title=article.title or "", text=article.text,
                         tags={m.topic: (m.kind, m.score) for m in tags.tags})
    now = now or datetime.now(UTC)
    key = f"story:{story.id}" if story else article.content_hash
    rows = []
    for rule in config.rules:
        if not matches(rule, facts):
            continue
        began = moment(story.first_seen_at if story else
                       (article.published_at or article.fetched_at))
        if (now - began).total_seconds() > rule.max_age_s:
            continue
        kinds = [AlertKind.FIRST]
        if story and rule.follow_up and story.outlets >= rule.follow_up:
            kinds.append(AlertKind.FOLLOW_UP)
        rows += [OutboxRow(rule.name, target.id, target.masked, rule.mode, key,
                           story.id if story else None, kind)
                 for target in rule.targets for kind in kinds]
    return rows


def in_quiet_hours(rule: AlertRule, now: datetime, zone: ZoneInfo) -> bool:
    if rule.quiet is None:
        return False
    local = now.astimezone(zone).time()
    start, end = rule.quiet
    return start <= local < end if start <= end else (local >= start or local < end)
