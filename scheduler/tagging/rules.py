"""Tagging rules from TOML: topics, sub-topics, entities and contexts, validated at load.

Every error names the file, the table (topic, sub-topic, entity, context) and
the key, so that a rule change fails before it is deployed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scheduler.tagging.places import place_lists
from veille.config import ConfigError, check_keys, default_rules_path, read_toml
from veille.model import TagKind
from veille.text import fold

MAX_THRESHOLD = 1000.0
ENTITY_TYPES = ("person", "place", "organisation")
NAME = re.compile(r"[a-z][a-z0-9_-]*")


@dataclass(frozen=True)
class Term:
    text: str
    weight: float = 1.0
    proper: bool = False  # only a capitalised occurrence counts ("Poutine", not "une poutine")
    not_after: tuple[str, ...] = ()  # not counted right after one of these words
    not_before: tuple[str, ...] = ()  # nor right before ("l'Alliance des démocrates")


@dataclass(frozen=True)
class Topic:
    """A tag: a main topic, a sub-topic of some topics, or an entity."""

    name: str
    label: str
    threshold: float
    terms: tuple[Term, ...]
    exclude: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    support: tuple[Term, ...] = ()  # count only when a term of the topic matched too
    kind: TagKind = TagKind.TOPIC
    parents: tuple[str, ...] = ()  # sub-topics: tagged only under one of these topics
    entity_type: str | None = None
    # a capital or seat of power that acts for its country ("Moscou dément"): weighs
    # Reading.actor_weight times more unless named as a place ("à Moscou")
    actors: tuple[Term, ...] = ()
    # words that say this topic only in a text tagged with one of `implied_by` ("une
    # frappe de drones" in a text about Ukraine says who struck)
    implied: tuple[Term, ...] = ()
    implied_by: tuple[str, ...] = ()
    # support terms also count without a term of the topic when this many different
    # ones are found ("les Alliés" and "l'article 5"); 0: never
    support_quorum: int = 0


@dataclass(frozen=True)
class Homonym:
    """A name that means something else when a word next to it places it elsewhere:
    "Odessa, au Texas". Once placed elsewhere, every mention of it in the text is."""

    name: str
    label: str
    terms: tuple[str, ...]
    near: tuple[str, ...]
    window: int = 5


@dataclass(frozen=True)
class Reading:
    """How names are read before any term counts."""

    # A capitalised hyphenated compound is one name, not its parts ("Le Kremlin-Bicêtre"),
    # unless each other part is a place of `joinable` or a term ("Moscou-Pékin").
    hyphenated_names: bool = True
    joinable: tuple[str, ...] = ()
    # Words that start the name of a street, station or venue: "rue de Moscou".
    name_starts: tuple[str, ...] = ()
    # A capital acts for its country at the start of a sentence or clause, or right
    # after one of these words ("Kiev et Moscou", "par Moscou"); elsewhere it is a place
    # or an object ("à Moscou", "dissuader Moscou") and weighs as a term.
    actor_after: tuple[str, ...] = ()
    actor_weight: float = 1.5
    actor_text_words: int = 150


@dataclass(frozen=True)
class Context:
    """A kind of article in which some topics' words are not evidence (sport results)."""

    name: str
    label: str
    threshold: float
    terms: tuple[Term, ...]
    suppresses: tuple[str, ...]
    unless: tuple[Term, ...] = ()


@dataclass(frozen=True)
class Scoring:
    title_weight: float = 3.0
    lead_weight: float = 2.0
    body_weight: float = 1.0
    lead_chars: int = 500
    # Beyond this many words, body matches count less (by the square root of the
    # ratio): three passing mentions in a long article are still passing mentions.
    long_text_words: int = 600
    # A sub-topic is an aspect the item is about: kept when its score reaches this share
    # of the best sub-topic's (a long article on a nuclear plant is not also "combats"
    # for two lines on shelling).
    subtopic_share: float = 0.0


@dataclass(frozen=True)
class Rules:
    path: str
    version: str
    scoring: Scoring
    topics: tuple[Topic, ...] = field(default_factory=tuple)
    subtopics: tuple[Topic, ...] = field(default_factory=tuple)
    entities: tuple[Topic, ...] = field(default_factory=tuple)
    contexts: tuple[Context, ...] = field(default_factory=tuple)
    reading: Reading = field(default_factory=Reading)
    homonyms: tuple[Homonym, ...] = field(default_factory=tuple)

    def topic(self, name: str) -> Topic | None:
        return next((t for t in self.all_tags if t.name == name), None)

    @property
    def topic_names(self) -> list[str]:
        return [t.name for t in self.topics]

    @property
    def all_tags(self) -> tuple[Topic, ...]:
        return self.topics + self.subtopics + self.entities


_TOP_KEYS: dict[str, type] = {"version": int, "scoring": dict, "topics": dict,
                              "subtopics": dict, "entities": dict, "contexts": dict,
                              "reading": dict, "homonyms": dict}
_READING_KEYS: dict[str, type] = {"hyphenated_names": bool, "joinable": list,
                                  "name_starts": list, "actor_after": list,
                                  "actor_weight": float, "actor_text_words": int}
_HOMONYM_KEYS: dict[str, type] = {"label": str, "terms": list, "near": list, "window": int}
_SCORING_KEYS: dict[str, type] = {"title_weight": float, "lead_weight": float,
                                  "body_weight": float, "lead_chars": int,
                                  "long_text_words": int, "subtopic_share": float}
_COMMON_KEYS: dict[str, type] = {"label": str, "threshold": float, "terms": list,
                                 "exclude": list, "patterns": list}
_TOPIC_KEYS = {**_COMMON_KEYS, "support": list, "actors": list, "implied": list,
               "implied_by": list, "support_quorum": int}
_SUBTOPIC_KEYS = {**_COMMON_KEYS, "parents": list}
_ENTITY_KEYS = {**_COMMON_KEYS, "type": str}
_CONTEXT_KEYS: dict[str, type] = {"label": str, "threshold": float, "terms": list,
                                  "suppresses": list, "unless": list}
_TERM_KEYS: dict[str, type] = {"term": str, "weight": float, "proper": bool,
                               "not_after": list, "not_before": list}
ENTITY_THRESHOLD = 2.0  # one mention in the title or the lead, or two in the body


def _term(path: str, entry: str, key: str, value: Any) -> Term:
    if isinstance(value, dict):
        check_keys(path, entry, value, _TERM_KEYS)
        if "term" not in value:
            raise ConfigError(path, "missing required key", entry, "term")
        term = Term(value["term"].strip(), float(value.get("weight", 1.0)),
                    bool(value.get("proper", False)),
                    _strings(path, entry, f"{key}.not_after", value.get("not_after", [])),
                    _strings(path, entry, f"{key}.not_before", value.get("not_before", [])))
    elif isinstance(value, str):
        term = Term(value.strip())
    else:
        raise ConfigError(path, "a term is a string or {term = ..., weight = ...}, "
                          f"got {value!r}", entry, key)
    if not term.text:
        raise ConfigError(path, "empty term", entry, key)
    first = term.text.split()[0]
    if first.endswith("*") and len(first.rstrip("*")) < 2:
        raise ConfigError(path, f"a prefix needs two letters at least before '*', got "
                          f"{term.text!r}", entry, key)
    if not 0 < term.weight <= 100:
        raise ConfigError(path, f"weight must be in (0, 100], got {term.weight:g}", entry, key)
    return term


def _terms(path: str, entry: str, table: dict[str, Any], key: str) -> tuple[Term, ...]:
    return tuple(_term(path, entry, key, v) for v in table.get(key, []))


def _strings(path: str, entry: str, key: str, values: list[Any]) -> tuple[str, ...]:
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(path, f"every item must be a non-empty string, got {value!r}",
                              entry, key)
    return tuple(v.strip() for v in values)


def _names(path: str, entry: str, key: str, values: list[Any]) -> tuple[str, ...]:
    """Strings where "@list" stands for a list of the places file (`@us_states`...)."""
    names: list[str] = []
    for value in _strings(path, entry, key, values):
        if not value.startswith("@"):
            names.append(value)
            continue
        lists = place_lists()
        if value[1:] not in lists:
            raise ConfigError(path, f"unknown list {value!r}: the lists are "
                              f"{', '.join('@' + n for n in sorted(lists))}", entry, key)
        names += lists[value[1:]]
    return tuple(names)


def _threshold(path: str, entry: str, table: dict[str, Any], default: float | None) -> float:
    if "threshold" not in table:
        if default is None:
            raise ConfigError(path, "missing required key", entry, "threshold")
        return default
    threshold = float(table["threshold"])
    if not 0 < threshold <= MAX_THRESHOLD:
        raise ConfigError(path, f"must be in (0, {MAX_THRESHOLD:g}], got {threshold:g}",
                          entry, "threshold")
    return threshold


def _patterns(path: str, entry: str, table: dict[str, Any]) -> tuple[str, ...]:
    patterns = _strings(path, entry, "patterns", table.get("patterns", []))
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(path, f"regular expression {pattern!r} does not compile: {exc}",
                              entry, "patterns") from None
    return patterns


def _tag(path: str, kind: TagKind, name: str, table: Any) -> Topic:
    entry = f"{kind.replace('subtopic', 'sub-topic')} '{name}'"
    if not isinstance(table, dict):
        raise ConfigError(path, "must be a table", entry)
    check_keys(path, entry, table, {TagKind.TOPIC: _TOPIC_KEYS, TagKind.SUBTOPIC: _SUBTOPIC_KEYS,
                                    TagKind.ENTITY: _ENTITY_KEYS}[kind])
    if "terms" not in table:
        raise ConfigError(path, "missing required key", entry, "terms")
    terms = _terms(path, entry, table, "terms")
    if not terms:
        raise ConfigError(path, "needs at least one term", entry, "terms")
    entity_type = table.get("type")
    if kind == TagKind.ENTITY and entity_type not in ENTITY_TYPES:
        raise ConfigError(path, f"must be one of {', '.join(ENTITY_TYPES)}, got "
                          f"{entity_type!r}", entry, "type")
    return Topic(
        name=name,
        label=table.get("label", name),
        threshold=_threshold(path, entry, table,
                             ENTITY_THRESHOLD if kind == TagKind.ENTITY else None),
        terms=terms,
        exclude=_strings(path, entry, "exclude", table.get("exclude", [])),
        patterns=_patterns(path, entry, table),
        support=_terms(path, entry, table, "support"),
        kind=kind,
        parents=_strings(path, entry, "parents", table.get("parents", [])),
        entity_type=entity_type,
        actors=_terms(path, entry, table, "actors"),
        implied=_terms(path, entry, table, "implied"),
        implied_by=_strings(path, entry, "implied_by", table.get("implied_by", [])),
        support_quorum=_count(path, entry, table, "support_quorum", 0, 20),
    )


def _count(path: str, entry: str, table: dict[str, Any], key: str, low: int,
           high: int) -> int:
    value = int(table.get(key, low))
    if not low <= value <= high:
        raise ConfigError(path, f"must be between {low} and {high}, got {value}", entry, key)
    return value


def _reading(path: str, table: Any) -> Reading:
    entry = "[reading]"
    if not isinstance(table, dict):
        raise ConfigError(path, "must be a table", key="reading")
    check_keys(path, entry, table, _READING_KEYS)
    weight = float(table.get("actor_weight", 1.5))
    if not 0 < weight <= 10:
        raise ConfigError(path, f"must be in (0, 10], got {weight:g}", entry, "actor_weight")
    return Reading(
        hyphenated_names=bool(table.get("hyphenated_names", True)),
        joinable=_names(path, entry, "joinable", table.get("joinable", [])),
        name_starts=_strings(path, entry, "name_starts", table.get("name_starts", [])),
        actor_after=_strings(path, entry, "actor_after", table.get("actor_after", [])),
        actor_weight=weight,
        actor_text_words=_count(path, entry, table, "actor_text_words", 0, 100_000)
        if "actor_text_words" in table else 150)


def _homonym(path: str, name: str, table: Any) -> Homonym:
    entry = f"homonym '{name}'"
    if not isinstance(table, dict):
        raise ConfigError(path, "must be a table", entry)
    check_keys(path, entry, table, _HOMONYM_KEYS)
    for required in ("terms", "near"):
        if not table.get(required):
            raise ConfigError(path, "missing required key", entry, required)
    return Homonym(name=name, label=table.get("label", name),
                   terms=_strings(path, entry, "terms", table["terms"]),
                   near=_names(path, entry, "near", table["near"]),
                   window=_count(path, entry, table, "window", 1, 50) if "window" in table
                   else 5)


def _check_variants(path: str, tag: Topic) -> None:
    """Spellings of one term ("Kyiv", "Kyïv") are matched once: listed with different
    options, all but the first would be silently ignored."""
    for role, terms in (("terms", tag.terms + tag.actors), ("support", tag.support)):
        seen: dict[str, Term] = {}
        for term in terms:
            key = fold(term.text)
            first = seen.setdefault(key, term)
            if (first.weight, first.proper, first.not_after, first.not_before) != (
                    term.weight, term.proper, term.not_after, term.not_before):
                raise ConfigError(path, f"{term.text!r} and {first.text!r} are one term once "
                                  "case and accents are ignored: give them the same options "
                                  "or list one", f"{tag.kind} '{tag.name}'", role)


def _check_links(path: str, topics: tuple[Topic, ...], homonyms: tuple[Homonym, ...],
                 all_tags: tuple[Topic, ...]) -> None:
    """Names that rules give to each other exist: implied_by topics, homonym terms."""
    names = {t.name for t in topics}
    for topic in topics:
        unknown = [n for n in topic.implied_by if n not in names or n == topic.name]
        if unknown or (topic.implied and not topic.implied_by):
            raise ConfigError(path, f"implied terms need other main topics in implied_by, "
                              f"got {list(topic.implied_by)}", f"topic '{topic.name}'",
                              "implied_by")
    for tag in all_tags:
        _check_variants(path, tag)
        terms = {fold(t.text) for t in tag.terms}
        twice = next((a.text for a in tag.actors if fold(a.text) in terms), None)
        if twice:
            raise ConfigError(path, f"{twice!r} is also in terms: list it once, under actors",
                              f"topic '{tag.name}'", "actors")
    known = {fold(t.text) for tag in all_tags for t in tag.terms + tag.support + tag.actors}
    for homonym in homonyms:
        unknown = [t for t in homonym.terms if fold(t) not in known]
        if unknown:
            raise ConfigError(path, f"{unknown[0]!r} is not a term of any topic or entity",
                              f"homonym '{homonym.name}'", "terms")


def _context(path: str, name: str, table: Any, topics: set[str]) -> Context:
    entry = f"context '{name}'"
    if not isinstance(table, dict):
        raise ConfigError(path, "must be a table", entry)
    check_keys(path, entry, table, _CONTEXT_KEYS)
    for required in ("terms", "suppresses"):
        if required not in table:
            raise ConfigError(path, "missing required key", entry, required)
    suppresses = _strings(path, entry, "suppresses", table["suppresses"])
    for topic in suppresses:
        if topic not in topics:
            raise ConfigError(path, f"unknown topic {topic!r}", entry, "suppresses")
    return Context(name=name, label=table.get("label", name),
                   threshold=_threshold(path, entry, table, None),
                   terms=_terms(path, entry, table, "terms"), suppresses=suppresses,
                   unless=_terms(path, entry, table, "unless"))


def _scoring(path: str, table: Any) -> Scoring:
    if not isinstance(table, dict):
        raise ConfigError(path, "must be a table", key="scoring")
    check_keys(path, "[scoring]", table, _SCORING_KEYS)
    scoring = Scoring(**{k: type(getattr(Scoring, k))(v) for k, v in table.items()})
    for key in ("title_weight", "lead_weight", "body_weight"):
        if not 0 <= getattr(scoring, key) <= 100:
            raise ConfigError(path, "must be between 0 and 100", "[scoring]", key)
    for key in ("lead_chars", "long_text_words"):
        if getattr(scoring, key) < 0:
            raise ConfigError(path, "must not be negative", "[scoring]", key)
    if not 0 <= scoring.subtopic_share <= 1:
        raise ConfigError(path, "must be between 0 and 1", "[scoring]", "subtopic_share")
    return scoring


def _tags(path: str, data: dict[str, Any], section: str, kind: TagKind) -> tuple[Topic, ...]:
    table = data.get(section, {})
    if not isinstance(table, dict):
        raise ConfigError(path, "must be a table", key=section)
    tags = []
    for name, body in table.items():
        if not NAME.fullmatch(name):
            raise ConfigError(path, "names are lower-case letters, digits, '-' and '_'",
                              f"{kind} '{name}'")
        tags.append(_tag(path, kind, name, body))
    return tuple(tags)


def parse_rules(path: str, data: dict[str, Any]) -> Rules:
    check_keys(path, "top level", data, _TOP_KEYS)
    if not data.get("topics"):
        raise ConfigError(path, "no topics defined: add a [topics.NAME] table", key="topics")
    topics = _tags(path, data, "topics", TagKind.TOPIC)
    subtopics = _tags(path, data, "subtopics", TagKind.SUBTOPIC)
    entities = _tags(path, data, "entities", TagKind.ENTITY)
    names = [t.name for t in topics + subtopics + entities]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise ConfigError(path, "a name is used twice (topics, sub-topics and entities share "
                          "one namespace)", f"'{duplicate}'")
    topic_names = {t.name for t in topics}
    for sub in subtopics:
        unknown = [p for p in sub.parents if p not in topic_names]
        if unknown or not sub.parents:
            raise ConfigError(path, f"must list main topics, got {list(sub.parents)}",
                              f"sub-topic '{sub.name}'", "parents")
    contexts_table = data.get("contexts", {})
    if not isinstance(contexts_table, dict):
        raise ConfigError(path, "must be a table", key="contexts")
    contexts = tuple(_context(path, name, body, topic_names)
                     for name, body in contexts_table.items())
    homonyms_table = data.get("homonyms", {})
    if not isinstance(homonyms_table, dict):
        raise ConfigError(path, "must be a table", key="homonyms")
    homonyms = tuple(_homonym(path, name, body) for name, body in homonyms_table.items())
    _check_links(path, topics, homonyms, topics + subtopics + entities)
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    version = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]
    return Rules(path=path, version=version, scoring=_scoring(path, data.get("scoring", {})),
                 topics=topics, subtopics=subtopics, entities=entities, contexts=contexts,
                 reading=_reading(path, data.get("reading", {})), homonyms=homonyms)


def load_rules(path: str | Path | None = None) -> Rules:
    """Load tagging rules from `path` (the shipped default when None)."""
    path = str(path or default_rules_path())
    return parse_rules(path, read_toml(path))
