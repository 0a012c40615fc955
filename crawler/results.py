"""What the extraction workers send back: plain data, importable without the heavy libraries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Extracted:
    title: str | None
    text: str
    author: str | None
    published_at: str | None
    sitename: str | None
    description: str | None
    canonical_link: str | None
    encoding: str


@dataclass
class TopicMatch:
    """One tag of an article: a topic, sub-topic or entity, its score and evidence."""

    topic: str
    score: float
    evidence: list[dict[str, Any]] = field(default_factory=list)
    kind: str = "topic"
    parents: list[str] = field(default_factory=list)  # sub-topics: the topics they sit under


@dataclass
class TagResult:
    tags: list[TopicMatch] = field(default_factory=list)  # every tag that passed
    scores: dict[str, float] = field(default_factory=dict)  # main topics, passed or not
    contexts: list[str] = field(default_factory=list)
    suppressed: dict[str, str] = field(default_factory=dict)  # topic -> context

    @property
    def topics(self) -> list[TopicMatch]:
        return [t for t in self.tags if t.kind == "topic"]


@dataclass
class PageResult:
    """What a worker learnt from one page."""

    extracted: Extracted | None
    language: str = "und"
    language_score: float = 0.0
    tags: TagResult = field(default_factory=TagResult)
