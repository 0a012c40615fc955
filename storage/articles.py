"""Reads and writes of articles, their revisions and their tags."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, fields
from typing import Any

import sqlite_utils

from storage.db import transaction, utcnow
from storage.outbox import OutboxRow, enqueue
from storage.search import index_article, unindex_article
from storage.seen import upsert_seen
from veille.model import ArticleRecord, SeenStatus, TagKind, TopicMatch

# every field is a column but the search words, which go to the search index
ARTICLE_COLUMNS = tuple(f.name for f in fields(ArticleRecord) if f.name != "search")


def insert_article(db: sqlite_utils.Database, article: ArticleRecord, tags: list[TopicMatch],
                   rules_version: str, aliases: Iterable[str]) -> int:
    """Insert an article, its tags and its URL decisions, inside the caller's transaction."""
    values = asdict(article)
    cursor = db.execute(
        f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)}) "  # noqa: S608 - our columns
        f"VALUES ({', '.join('?' * len(ARTICLE_COLUMNS))})",
        [values[c] for c in ARTICLE_COLUMNS],
    )
    article_id = int(cursor.lastrowid or 0)
    index_article(db, article_id, article.title, article.text, article.search)
    insert_tags(db, article_id, tags, rules_version)
    upsert_seen(db, [article.canonical_url, *aliases], article.source, SeenStatus.STORED,
                article_id, None)
    return article_id


def store_article(db: sqlite_utils.Database, article: ArticleRecord, tags: list[TopicMatch],
                  rules_version: str, aliases: Iterable[str],
                  alerts: list[OutboxRow] | None = None) -> int:
    """Insert an article, its tags, its URL decisions and its alerts in one transaction:
    an alert is never lost between storing an article and queueing its message."""
    with transaction(db):
        article_id = insert_article(db, article, tags, rules_version, aliases)
        if alerts:
            enqueue(db, article_id, alerts)
    return article_id


def store_revision(db: sqlite_utils.Database, article_id: int, changes: dict[str, Any],
                   tags: list[TopicMatch], rules_version: str) -> None:
    """Keep the previous text as a revision and update the article in place (inside the
    caller's transaction, with what follows from the new text)."""
    unknown = set(changes) - set(ARTICLE_COLUMNS)
    if unknown:
        raise ValueError(f"not article columns: {sorted(unknown)}")
    now = utcnow()
    before = db.execute("SELECT title, text FROM articles WHERE id = ?",
                        [article_id]).fetchone()
    db.execute(
        "INSERT INTO article_revisions (article_id, title, text, content_hash, fetched_at, "
        "replaced_at) SELECT id, title, text, content_hash, COALESCE(updated_at, "
        "fetched_at), ? FROM articles WHERE id = ?", [now, article_id])
    assignments = ", ".join(f"{column} = ?" for column in changes)
    db.execute(f"UPDATE articles SET {assignments}, updated_at = ? WHERE id = ?",  # noqa: S608
               [*changes.values(), now, article_id])
    if before is not None and ({"title", "text"} & set(changes)):
        unindex_article(db, article_id, before[0], before[1])
        index_article(db, article_id, changes.get("title", before[0]),
                      changes.get("text", before[1]))
    replace_tags(db, article_id, tags, rules_version)


def insert_tags(db: sqlite_utils.Database, article_id: int, tags: list[TopicMatch],
                rules_version: str) -> None:
    for tag in tags:
        db.execute(
            "INSERT INTO article_topics (article_id, topic, score, evidence, rules_version, "
            "kind, parents) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [article_id, tag.topic, tag.score, json.dumps(tag.evidence, ensure_ascii=False),
             rules_version, tag.kind, json.dumps(list(tag.parents)) if tag.parents else None],
        )


def replace_tags(db: sqlite_utils.Database, article_id: int, tags: list[TopicMatch],
                 rules_version: str) -> None:
    """Re-tagging: the article's tags become `tags` (inside the caller's transaction)."""
    db.execute("DELETE FROM article_topics WHERE article_id = ?", [article_id])
    insert_tags(db, article_id, tags, rules_version)


def article_batches(db: sqlite_utils.Database, since: str | None,
                    size: int) -> Iterator[list[tuple[int, str, str]]]:
    """(id, title, text) of stored articles published since `since`, in batches by id."""
    where = "AND COALESCE(published_at, fetched_at) >= ?" if since else ""
    last_id = 0
    while True:
        rows = db.execute(
            f"SELECT id, COALESCE(title, ''), text FROM articles WHERE id > ? {where} "  # noqa: S608
            "ORDER BY id LIMIT ?", [last_id, *([since] if since else []), size]).fetchall()
        if not rows:
            return
        last_id = rows[-1][0]
        yield [(r[0], r[1], r[2]) for r in rows]


def tag_names(db: sqlite_utils.Database, article_id: int) -> set[str]:
    return {r[0] for r in db.execute("SELECT topic FROM article_topics WHERE article_id = ?",
                                     [article_id])}


def tags_by_kind(db: sqlite_utils.Database,
                 article_ids: list[int]) -> dict[int, dict[TagKind, list[str]]]:
    """Each article's tag names by kind, strongest first."""
    tags: dict[int, dict[TagKind, list[str]]] = defaultdict(lambda: defaultdict(list))
    if not article_ids:
        return tags
    marks = ",".join("?" * len(article_ids))
    for article_id, topic, kind in db.execute(
            f"SELECT article_id, topic, kind FROM article_topics WHERE article_id IN "  # noqa: S608
            f"({marks}) ORDER BY score DESC", article_ids):
        tags[article_id][TagKind(kind)].append(topic)
    return tags
