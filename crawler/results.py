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
    topic: str
    score: float
    evidence: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class PageResult:
    """What a worker learnt from one page."""

    extracted: Extracted | None
    language: str = "und"
    language_score: float = 0.0
    topics: list[TopicMatch] = field(default_factory=list)
