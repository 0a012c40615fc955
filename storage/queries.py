"""Read-only queries for operators: full-text search and database statistics."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from storage.errors import QueryError

RELATIVE = re.compile(r"^(\d+)\s*([hdw])$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The query the demo suggests trying with sqlite3.
TOPIC_COUNTS_SQL = ("SELECT topic, count(*) FROM article_topics WHERE kind = 'topic' "
                    "GROUP BY topic")


def parse_until(value: str, now: datetime | None = None) -> str:
    """The end of a period, exclusive: a day given alone ('2026-11-03') is included whole."""
    start = parse_since(value, now)
    if DAY.match(value.strip()):
        return (datetime.fromisoformat(start) + timedelta(days=1)).isoformat()
    return start


def parse_since(value: str, now: datetime | None = None) -> str:
    """'2024-03-01', '2024-03-01T12:00', '24h', '7d' or '2w' as an ISO 8601 UTC string."""
    now = now or datetime.now(UTC)
    value = value.strip()
    match = RELATIVE.match(value)
    try:
        if match:
            amount, unit = int(match.group(1)), match.group(2)
            delta = {"h": timedelta(hours=amount), "d": timedelta(days=amount),
                     "w": timedelta(weeks=amount)}[unit]
            return (now - delta).replace(microsecond=0).isoformat()
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC).isoformat()
    except (OverflowError, ValueError) as exc:
        if match or isinstance(exc, OverflowError):
            raise QueryError(f"date {value!r} is out of range: use a date between the years "
                             "1 and 9999, or a shorter duration") from None
        raise QueryError(f"cannot read date {value!r}: use YYYY-MM-DD, an ISO 8601 time, "
                         "or a duration such as 24h, 7d, 2w") from None


def stats(db: sqlite_utils.Database) -> dict[str, Any]:
    """Counts an operator wants at a glance."""
    def one(sql: str) -> Any:
        return db.execute(sql).fetchone()[0]

    return {
        "articles": one("SELECT count(*) FROM articles"),
        "urls_decided": one("SELECT count(*) FROM seen_urls"),
        "runs": one("SELECT count(*) FROM crawl_runs"),
        "last_article": one("SELECT max(fetched_at) FROM articles"),
        "by_topic": dict(db.execute(
            "SELECT topic, count(*) FROM article_topics WHERE kind = 'topic' GROUP BY topic "
            "ORDER BY 2 DESC").fetchall()),
        "by_subtopic": dict(db.execute(
            "SELECT topic, count(*) FROM article_topics WHERE kind = 'subtopic' GROUP BY topic "
            "ORDER BY 2 DESC").fetchall()),
        "by_entity": dict(db.execute(
            "SELECT topic, count(*) FROM article_topics WHERE kind = 'entity' GROUP BY topic "
            "ORDER BY 2 DESC LIMIT 20").fetchall()),
        "by_source": dict(db.execute(
            "SELECT source, count(*) FROM articles GROUP BY source ORDER BY 2 DESC").fetchall()),
        "url_decisions": dict(db.execute(
            "SELECT status, count(*) FROM seen_urls GROUP BY status ORDER BY 2 DESC").fetchall()),
        "last_runs": list(db.query(
            "SELECT id, trigger, started_at, ended_at, status FROM crawl_runs "
            "ORDER BY id DESC LIMIT 5")),
    }


@dataclass(frozen=True)
class ArticleOverview:
    """One stored article with its tags, as the demo shows it."""

    id: int
    source: str
    title: str | None
    published_at: str | None
    language: str
    language_score: float
    topics: dict[str, float]
    subtopics: list[str]
    entities: list[str]


def article_overview(db: sqlite_utils.Database) -> list[ArticleOverview]:
    """Every stored article with its topic scores, sub-topics and entities, newest first."""
    rows = db.execute("""
        SELECT a.id, a.source, a.title, a.published_at, a.language, a.language_score,
               (SELECT json_group_object(topic, score) FROM article_topics t
                 WHERE t.article_id = a.id AND t.kind = 'topic'),
               (SELECT json_group_array(topic) FROM article_topics t
                 WHERE t.article_id = a.id AND t.kind = 'subtopic'),
               (SELECT json_group_array(topic) FROM article_topics t
                 WHERE t.article_id = a.id AND t.kind = 'entity')
        FROM articles a ORDER BY a.published_at DESC""").fetchall()
    return [ArticleOverview(id=row[0], source=row[1], title=row[2], published_at=row[3],
                            language=row[4], language_score=row[5],
                            topics=json.loads(row[6] or "{}"),
                            subtopics=json.loads(row[7] or "[]"),
                            entities=json.loads(row[8] or "[]")) for row in rows]


def strongest_evidence(db: sqlite_utils.Database) -> tuple[str, str, list[dict[str, Any]]] | None:
    """(title, topic, evidence) of the highest-scored main topic tag in the database."""
    row = db.execute(
        "SELECT a.title, t.topic, t.evidence FROM article_topics t JOIN articles a "
        "ON a.id = t.article_id WHERE t.kind = 'topic' ORDER BY t.score DESC LIMIT 1").fetchone()
    return (row[0], row[1], json.loads(row[2])) if row else None
