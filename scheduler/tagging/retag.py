"""Applying tagging rules to JSON records (`veille tag`) and to stored articles (`retag`)."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from scheduler.tagging.describe import describe
from scheduler.tagging.rules import Rules
from scheduler.tagging.tagger import Tagger
from storage.articles import article_batches, replace_tags, tag_names
from storage.db import transaction

if TYPE_CHECKING:
    import sqlite_utils

logger = logging.getLogger(__name__)
BATCH = 200


def tag_record(tagger: Tagger, record: Any) -> dict[str, Any]:
    """{"id", "title", "text"} -> {"id", "topics", "details"}; ValueError when unusable."""
    if not isinstance(record, dict):
        raise ValueError("each line must be a JSON object with id, title and text")
    missing = [key for key in ("id", "title", "text") if key not in record]
    if missing:
        raise ValueError(f"missing field(s): {', '.join(missing)}")
    for key in ("title", "text"):
        if not isinstance(record[key], str):
            raise ValueError(f"field {key!r} must be a string")
    result = describe(tagger.tag(record["title"], record["text"]))
    return {"id": record["id"], "topics": result.topics, "details": result.details}


def tag_lines(tagger: Tagger, lines: Iterable[str]) -> Iterator[tuple[bool, str]]:
    """One output line per non-empty input line: (ok, JSON text)."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record_id = None
        try:
            record = json.loads(line)
            record_id = record.get("id") if isinstance(record, dict) else None
            yield True, json.dumps(tag_record(tagger, record), ensure_ascii=False)
        except json.JSONDecodeError as exc:
            yield False, json.dumps({"id": None, "line": number,
                                     "error": f"not JSON: {exc.msg} at column {exc.colno}"})
        except ValueError as exc:
            yield False, json.dumps({"id": record_id, "line": number, "error": str(exc)},
                                    ensure_ascii=False)


@dataclass
class RetagReport:
    articles: int = 0
    changed: int = 0
    now_untagged: int = 0
    added: Counter[str] = field(default_factory=Counter)
    removed: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "added": dict(self.added), "removed": dict(self.removed)}


def retag(db: sqlite_utils.Database, rules: Rules, since: str | None = None,
          dry_run: bool = False) -> RetagReport:
    """Tag stored articles again with `rules`, in place, one transaction per batch."""
    tagger = Tagger(rules)
    report = RetagReport()
    for batch in article_batches(db, since, BATCH):
        with transaction(db):
            for article_id, title, text in batch:
                _retag_one(db, tagger, rules, report, article_id, title, text, dry_run)
        logger.info("retagged %d articles so far", report.articles)
    return report


def _retag_one(db: sqlite_utils.Database, tagger: Tagger, rules: Rules, report: RetagReport,
               article_id: int, title: str, text: str, dry_run: bool) -> None:
    result = tagger.tag(title, text)
    old = tag_names(db, article_id)
    new = {m.topic for m in result.tags}
    report.articles += 1
    if old != new:
        report.changed += 1
        report.added.update(new - old)
        report.removed.update(old - new)
    if not result.topics:
        report.now_untagged += 1
    if not dry_run:
        replace_tags(db, article_id, result.tags, rules.version)
