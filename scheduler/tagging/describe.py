"""Tagging as people read it: the rules in force (`veille topics`, in French) and the
JSON view of one result (`veille tag`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from scheduler.tagging.rules import Rules, Term, Topic
from veille.model import TagKind, TagResult, TopicMatch


def _terms(terms: tuple[Term, ...]) -> str:
    def one(term: Term) -> str:
        extras = ([f"×{term.weight:g}"] if term.weight != 1 else []) + (
            ["majuscule"] if term.proper else []) + (
            [f"pas après {'/'.join(term.not_after)}"] if term.not_after else []) + (
            [f"pas avant {'/'.join(term.not_before)}"] if term.not_before else [])
        return term.text + (f" ({', '.join(extras)})" if extras else "")

    return ", ".join(one(t) for t in terms)


def _tag(tag: Topic) -> list[str]:
    head = f"  {tag.name} — {tag.label} (seuil {tag.threshold:g}"
    if tag.parents:
        head += f", sous {', '.join(tag.parents)}"
    if tag.entity_type:
        head += f", {tag.entity_type}"
    lines = [head + ")", f"      termes : {_terms(tag.terms)}"]
    if tag.actors:
        lines.append(f"      acteurs (valent le pays) : {_terms(tag.actors)}")
    if tag.implied:
        lines.append(f"      impliqués, à côté de {', '.join(tag.implied_by)} : "
                     f"{_terms(tag.implied)}")
    if tag.support:
        quorum = (f", ou seuls à {tag.support_quorum} termes différents"
                  if tag.support_quorum else "")
        lines.append(f"      en appui (à côté d'un terme{quorum}) : {_terms(tag.support)}")
    if tag.exclude:
        lines.append(f"      exclus : {', '.join(tag.exclude)}")
    if tag.patterns:
        lines.append(f"      motifs : {', '.join(tag.patterns)}")
    return lines


def _short(values: tuple[str, ...], limit: int = 12) -> str:
    more = f" … (+{len(values) - limit})" if len(values) > limit else ""
    return ", ".join(values[:limit]) + more


def _reading(rules: Rules) -> list[str]:
    reading = rules.reading
    lines = ["", "Lecture des noms :",
             "  noms composés à trait d'union : "
             + ("un seul nom, sauf s'ils joignent des lieux" if reading.hyphenated_names
                else "lus mot à mot")]
    if reading.name_starts:
        lines.append(f"  débuts de noms (rue de …) : {_short(reading.name_starts, 30)}")
    lines.append(f"  acteurs : ×{reading.actor_weight:g} en début de phrase ou après "
                 f"{_short(reading.actor_after, 30)} (titre, ou texte de moins de "
                 f"{reading.actor_text_words} mots)")
    for homonym in rules.homonyms:
        lines.append(f"  homonymes « {homonym.label} » : {', '.join(homonym.terms)} — "
                     f"ailleurs si à {homonym.window} mots de : {_short(homonym.near)}")
    return lines


def render_rules(rules: Rules) -> str:
    s = rules.scoring
    lines = [
        f"Règles : {rules.path}",
        f"Version : {rules.version}",
        f"Pondération : titre ×{s.title_weight:g}, chapô ×{s.lead_weight:g} "
        f"({s.lead_chars} premiers caractères), corps ×{s.body_weight:g} "
        f"(atténué au-delà de {s.long_text_words} mots)",
        "",
        "Thèmes :",
    ]
    for topic in rules.topics:
        lines += _tag(topic)
    if rules.contexts:
        lines += ["", "Contextes :"]
        for context in rules.contexts:
            lines += [f"  {context.name} — {context.label} (seuil {context.threshold:g}) : "
                      f"neutralise {', '.join(context.suppresses)}",
                      f"      termes : {_terms(context.terms)}",
                      f"      sauf si : {_terms(context.unless)}"]
    lines += _reading(rules)
    for title, tags in (("Sous-thèmes :", rules.subtopics), ("Entités :", rules.entities)):
        if tags:
            lines += ["", title]
            for tag in tags:
                lines += _tag(tag)
    return "\n".join(lines)


@dataclass
class TagDetails:
    """What `veille tag` prints for one input."""

    topics: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


def describe(result: TagResult) -> TagDetails:
    """The JSON-ready view of a tagging result: main topics, then everything else."""
    by_kind: dict[TagKind, list[TopicMatch]] = defaultdict(list)
    for match in result.tags:
        by_kind[match.kind].append(match)
    return TagDetails(
        topics=[m.topic for m in by_kind[TagKind.TOPIC]],
        details={
            "scores": result.scores,
            "subtopics": [m.topic for m in by_kind[TagKind.SUBTOPIC]],
            "entities": [m.topic for m in by_kind[TagKind.ENTITY]],
            "contexts": result.contexts,
            "suppressed": result.suppressed,
            "evidence": {m.topic: m.evidence for m in result.tags},
            # topics and entities found but not tagged: the terms, and those set aside
            "not_tagged": {m.topic: m.evidence for m in result.not_tagged},
        },
    )
