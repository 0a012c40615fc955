"""What a report reads: volume per topic per day, top stories, tags that rose, quiet
outlets, and the reports written before."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from storage.db import transaction, utcnow
from storage.stories import StoryLine, list_stories

AT = "COALESCE(a.published_at, a.fetched_at)"


@dataclass(frozen=True)
class Rise:
    kind: str  # subtopic or entity
    tag: str
    now: int  # articles in the period
    before: int  # articles in the period of the same length before it


@dataclass(frozen=True)
class QuietOutlet:
    outlet: str
    last_article: str | None
    in_period: int
    before: int


@dataclass(frozen=True)
class StoryInReport:
    story: StoryLine
    url: str | None  # the first article's


def daily_volume(db: sqlite_utils.Database, since: str, until: str,
                 topic: str | None) -> list[tuple[str, str, int]]:
    """(day, topic, articles) of the main topics in [since, until)."""
    extra, params = ("AND t.topic = ?", [topic]) if topic else ("", [])
    return [(r[0], r[1], r[2]) for r in db.execute(
        f"SELECT substr({AT}, 1, 10) AS day, t.topic, count(*) FROM articles a "  # noqa: S608
        f"JOIN article_topics t ON t.article_id = a.id AND t.kind = 'topic' "
        f"WHERE {AT} >= ? AND {AT} < ? {extra} GROUP BY day, t.topic ORDER BY day, t.topic",
        [since, until, *params])]


def top_stories(db: sqlite_utils.Database, since: str, until: str, topic: str | None,
                limit: int) -> list[StoryInReport]:
    lines = [s for s in list_stories(db, since=since, topic=topic, limit=limit * 3)
             if s.first_seen_at < until][:limit]
    urls = dict(db.execute(
        "SELECT s.id, a.url FROM stories s JOIN articles a ON a.id = s.first_article_id "  # noqa: S608
        f"WHERE s.id IN ({','.join('?' * len(lines))})", [s.id for s in lines]).fetchall()) \
        if lines else {}
    return [StoryInReport(s, urls.get(s.id)) for s in lines]


def rising_tags(db: sqlite_utils.Database, since: str, until: str, before: str,
                topic: str | None, limit: int = 8) -> list[Rise]:
    """Sub-topics and entities tagged on more articles in [since, until) than in
    [before, since), the largest rises first."""
    extra, params = ("AND a.id IN (SELECT article_id FROM article_topics WHERE kind = "
                     "'topic' AND topic = ?)", [topic]) if topic else ("", [])
    rows = db.execute(
        f"SELECT t.kind, t.topic, sum({AT} >= ?), sum({AT} < ?) FROM articles a "  # noqa: S608
        f"JOIN article_topics t ON t.article_id = a.id AND t.kind IN ('subtopic', 'entity') "
        f"WHERE {AT} >= ? AND {AT} < ? {extra} GROUP BY t.kind, t.topic",
        [since, since, before, until, *params]).fetchall()
    rises = [Rise(r[0], r[1], r[2], r[3]) for r in rows if r[2] > r[3]]
    return sorted(rises, key=lambda r: (-(r.now - r.before), -r.now, r.tag))[:limit]


def quiet_outlets(db: sqlite_utils.Database, since: str, until: str,
                  before: str) -> list[QuietOutlet]:
    """Outlets that published before the period and less than half as much in it."""
    rows = db.execute(
        f"SELECT a.source, max(a.fetched_at), sum({AT} >= ? AND {AT} < ?), "  # noqa: S608
        f"sum({AT} >= ? AND {AT} < ?) FROM articles a GROUP BY a.source",
        [since, until, before, since]).fetchall()
    return [QuietOutlet(r[0], r[1], r[2], r[3]) for r in rows if r[3] and r[2] * 2 < r[3]]


def previous_report(db: sqlite_utils.Database, topic: str | None) -> str | None:
    """When the last report (on this topic, or on all) was written."""
    row = db.execute("SELECT max(generated_at) FROM reports WHERE COALESCE(topic, '') = ?",
                     [topic or ""]).fetchone()
    return row[0] if row else None


def record_report(db: sqlite_utils.Database, since: str, until: str, topic: str | None,
                  fmt: str, path: str | None) -> str:
    now = utcnow()
    with transaction(db):
        db.execute("INSERT INTO reports (generated_at, since, until, topic, format, path) "
                   "VALUES (?, ?, ?, ?, ?, ?)", [now, since, until, topic, fmt, path])
    return now
