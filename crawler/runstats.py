"""Counters of one crawl run, per source and per reason, for the summary and crawl_runs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from veille.model import Outcome

# Order and wording of the run summary: listing counters, then outcomes of articles.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("links", "links"),
    ("known", "known"),
    ("fetched", "fetched"),
    (Outcome.NEW, "new"),
    (Outcome.UPDATED, "upd"),
    (Outcome.DUPLICATE, "dup"),
    (Outcome.NOT_FRENCH, "not fr"),
    (Outcome.OFFTOPIC, "off-topic"),
    (Outcome.NO_TEXT, "no text"),
    ("errors", "errors"),
)


PENDING = "pending"


@dataclass
class SourceStats:
    feed: str = PENDING  # "ok", or what went wrong with the feed itself
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def failed(self) -> bool:
        return self.feed != "ok"

    def as_dict(self) -> dict[str, Any]:
        return {"feed": self.feed, **dict(self.counts), "error_samples": self.errors[:5]}


class RunStats:
    """Per-source counters, filled by the spider and the item pipeline."""

    def __init__(self, sources: list[str]) -> None:
        self.sources = {name: SourceStats() for name in sources}

    def count(self, source: str, reason: str, n: int = 1) -> None:
        self.sources[source].counts[reason] += n

    def skip(self, source: str, reason: str, n: int, message: str) -> None:
        """Count `n` things skipped for `reason` (bad items of a listing), with a note."""
        stats = self.sources[source]
        stats.counts[reason] += n
        if len(stats.errors) < 20:
            stats.errors.append(message)

    def error(self, source: str, message: str) -> None:
        stats = self.sources[source]
        stats.counts["errors"] += 1
        if len(stats.errors) < 20:
            stats.errors.append(message)

    def feed_ok(self, source: str) -> None:
        self.sources[source].feed = "ok"

    def feed_failed(self, source: str, message: str) -> None:
        self.sources[source].feed = message

    def settle(self) -> None:
        """After a crawl that finished: a listing neither fetched nor failed says so."""
        for stats in self.sources.values():
            if stats.feed == PENDING:
                stats.feed = "the listing was never fetched (no answer, no error reported)"

    def totals(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for stats in self.sources.values():
            total.update(stats.counts)
        return total

    def all_failed(self) -> bool:
        return bool(self.sources) and all(s.failed() for s in self.sources.values())

    def any_failed(self) -> bool:
        return any(s.failed() for s in self.sources.values())

    def as_dict(self) -> dict[str, Any]:
        return {"sources": {name: s.as_dict() for name, s in self.sources.items()},
                "totals": dict(self.totals())}
