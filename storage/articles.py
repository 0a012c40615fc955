"""Reads and writes of articles, their topics, and the URLs veille has already decided on."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from storage.db import transaction, utcnow
from storage.outbox import OutboxRow, enqueue

# A URL with one of these statuses is never downloaded again.
FINAL_STATUSES = ("stored", "duplicate", "not_french", "offtopic", "no_text", "gone")
MAX_ERROR_ATTEMPTS = 3


@dataclass(frozen=True)
class TopicRow:
    topic: str
    score: float
    evidence: list[dict[str, Any]]
    kind: str = "topic"
    parents: tuple[str, ...] = ()


def is_known(db: sqlite_utils.Database, canonical_url: str) -> bool:
    """True when this URL needs no new download: decided, or failed too often."""
    row = db.execute(
        "SELECT status, attempts FROM seen_urls WHERE canonical_url = ?", [canonical_url]
    ).fetchone()
    if row is None:
        return False
    status, attempts = row
    return status in FINAL_STATUSES or (attempts or 0) >= MAX_ERROR_ATTEMPTS


def recheck_candidate(db: sqlite_utils.Database, canonical_url: str,
                      since: str) -> tuple[int, str] | None:
    """(article id, content hash) of a stored article first fetched after `since`."""
    row = db.execute(
        "SELECT a.id, a.content_hash FROM seen_urls s JOIN articles a ON a.id = s.article_id "
        "WHERE s.canonical_url = ? AND s.status = 'stored' AND a.fetched_at >= ?",
        [canonical_url, since]).fetchone()
    return (row[0], row[1]) if row else None


def store_revision(db: sqlite_utils.Database, article_id: int, changes: dict[str, Any],
                   tags: list[TopicRow], rules_version: str) -> None:
    """Keep the previous text as a revision and update the article in place."""
    now = utcnow()
    with transaction(db):
        db.execute(
            "INSERT INTO article_revisions (article_id, title, text, content_hash, fetched_at, "
            "replaced_at) SELECT id, title, text, content_hash, COALESCE(updated_at, "
            "fetched_at), ? FROM articles WHERE id = ?", [now, article_id])
        assignments = ", ".join(f"{column} = ?" for column in changes)
        db.execute(f"UPDATE articles SET {assignments}, updated_at = ? WHERE id = ?",  # noqa: S608
                   [*changes.values(), now, article_id])
        replace_tags(db, article_id, tags, rules_version)


def article_id_for(db: sqlite_utils.Database, canonical_urls: Iterable[str],
                   content_hash: str | None = None) -> int | None:
    """The stored article this URL or text already is, if any."""
    keys = list(dict.fromkeys(canonical_urls))
    if keys:
        marks = ",".join("?" * len(keys))
        row = db.execute(f"SELECT id FROM articles WHERE canonical_url IN ({marks}) LIMIT 1",  # noqa: S608
                         keys).fetchone()
        if row:
            return row[0]
        row = db.execute(
            f"SELECT article_id FROM seen_urls WHERE canonical_url IN ({marks}) "  # noqa: S608
            "AND article_id IS NOT NULL LIMIT 1", keys).fetchone()
        if row:
            return row[0]
    if content_hash:
        row = db.execute("SELECT id FROM articles WHERE content_hash = ? LIMIT 1",
                         [content_hash]).fetchone()
        if row:
            return row[0]
    return None


def _upsert_seen(db: sqlite_utils.Database, canonical_urls: Iterable[str], source: str,
                 status: str, article_id: int | None, detail: str | None) -> None:
    now = utcnow()
    for url in dict.fromkeys(canonical_urls):
        db.execute(
            """INSERT INTO seen_urls (canonical_url, source, status, article_id, attempts,
                                      detail, first_seen, last_seen)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(canonical_url) DO UPDATE SET
                 status = excluded.status,
                 article_id = COALESCE(excluded.article_id, seen_urls.article_id),
                 attempts = seen_urls.attempts + excluded.attempts,
                 detail = excluded.detail,
                 last_seen = excluded.last_seen""",
            [url, source, status, article_id, 1 if status == "error" else 0, detail, now, now],
        )


def record_seen(db: sqlite_utils.Database, canonical_urls: Iterable[str], source: str,
                status: str, article_id: int | None = None, detail: str | None = None) -> None:
    """Remember the decision about these URLs (one transaction)."""
    with transaction(db):
        _upsert_seen(db, canonical_urls, source, status, article_id, detail)


def insert_tags(db: sqlite_utils.Database, article_id: int, tags: list[TopicRow],
                rules_version: str) -> None:
    for tag in tags:
        db.execute(
            "INSERT INTO article_topics (article_id, topic, score, evidence, rules_version, "
            "kind, parents) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [article_id, tag.topic, tag.score, json.dumps(tag.evidence, ensure_ascii=False),
             rules_version, tag.kind, json.dumps(list(tag.parents)) if tag.parents else None],
        )


def replace_tags(db: sqlite_utils.Database, article_id: int, tags: list[TopicRow],
                 rules_version: str) -> None:
    """Re-tagging: the article's tags become `tags` (inside the caller's transaction)."""
    db.execute("DELETE FROM article_topics WHERE article_id = ?", [article_id])
    insert_tags(db, article_id, tags, rules_version)


def store_article(db: sqlite_utils.Database, article: dict[str, Any], topics: list[TopicRow],
                  rules_version: str, aliases: Iterable[str],
                  alerts: list[OutboxRow] | None = None) -> int:
    """Insert an article, its topics, its URL decisions and its alerts in one transaction:
    an alert is never lost between storing an article and queueing its message."""
    with transaction(db):
        cursor = db.execute(
            f"INSERT INTO articles ({', '.join(article)}) "  # noqa: S608 - column names are ours
            f"VALUES ({', '.join('?' * len(article))})",
            list(article.values()),
        )
        article_id = int(cursor.lastrowid)
        insert_tags(db, article_id, topics, rules_version)
        _upsert_seen(db, [article["canonical_url"], *aliases], article["source"], "stored",
                     article_id, None)
        if alerts:
            enqueue(db, article_id, alerts)
    return article_id
