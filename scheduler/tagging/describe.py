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
            ["majuscule"] if term.proper else [])
        return term.text + (f" ({', '.join(extras)})" if extras else "")

    return ", ".join(one(t) for t in terms)


def _tag(tag: Topic) -> list[str]:
    head = f"  {tag.name} — {tag.label} (seuil {tag.threshold:g}"
    if tag.parents:
        head += f", sous {', '.join(tag.parents)}"
    if tag.entity_type:
        head += f", {tag.entity_type}"
    lines = [head + ")", f"      termes : {_terms(tag.terms)}"]
    if tag.support:
        lines.append(f"      en appui : {_terms(tag.support)}")
    if tag.exclude:
        lines.append(f"      exclus : {', '.join(tag.exclude)}")
    if tag.patterns:
        lines.append(f"      motifs : {', '.join(tag.patterns)}")
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
        },
    )
