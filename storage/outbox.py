"""The alert outbox: one row per (rule, story, target), written with the article it is about.

Statuses: pending (to send, or to retry at next_attempt_at), sending (a send
began and its outcome is not recorded yet: a crash there is an unanswered
send), sent, failed (given up after max attempts).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import sqlite_utils

from storage.db import transaction, utcnow
from veille.model import AlertKind, AlertMode, AlertStatus, MessageKind


@dataclass(frozen=True)
class OutboxRow:
    """An alert to queue with the article it is about."""

    rule: str
    target_id: str  # a hash of the target URL: the URL itself may hold a secret
    target: str  # the URL with its secrets masked, for people
    mode: AlertMode
    story: str  # "story:ID": the articles of one story alert once
    story_id: int | None = None
    kind: AlertKind = AlertKind.FIRST


@dataclass(frozen=True)
class DueAlert:
    """A pending alert whose next attempt is due, with the article it is about."""

    id: int
    rule: str
    target_id: str
    mode: AlertMode
    folded: int  # held (quiet hours, hourly cap): goes out in the next digest
    attempts: int
    created_at: str
    article_id: int
    title: str | None
    text: str
    url: str
    source: str
    sitename: str | None
    published_at: str | None
    fetched_at: str
    story_id: int | None = None
    kind: AlertKind = AlertKind.FIRST
    outlets: int = 1  # how many outlets published the story so far
    story_title: str | None = None


_DUE_NAMES = tuple(f.name for f in fields(DueAlert))
_OUTBOX_FIELDS = ("id", "rule", "target_id", "mode", "folded", "attempts", "created_at",
                  "article_id", "story_id", "kind")
_DUE_COLUMNS = ", ".join(
    f"o.{name}" if name in _OUTBOX_FIELDS else "COALESCE(s.outlets, 1)" if name == "outlets"
    else "s.title" if name == "story_title" else f"a.{name}" for name in _DUE_NAMES)


def _key(row: OutboxRow) -> str:
    suffix = "" if row.kind == AlertKind.FIRST else f"|{row.kind}"
    return f"{row.rule}|{row.story}|{row.target_id}{suffix}"


def enqueue(db: sqlite_utils.Database, article_id: int, rows: list[OutboxRow]) -> int:
    """Add alerts for an article (inside the caller's transaction); returns how many are new.
    One alert per rule, story and target: a later article of the story adds nothing; a
    follow-up is added once, and only after the story's first alert."""
    added = 0
    now = utcnow()
    for row in rows:
        if row.kind == AlertKind.FOLLOW_UP and not db.execute(
                "SELECT 1 FROM alert_outbox WHERE key = ?",
                [_key(OutboxRow(row.rule, row.target_id, row.target, row.mode, row.story))]
        ).fetchone():
            continue
        cursor = db.execute(
            "INSERT OR IGNORE INTO alert_outbox (key, rule, target_id, target, article_id, story,"
            " mode, status, folded, attempts, no_answer, next_attempt_at, created_at, story_id, "
            "kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?, ?, ?)",
            [_key(row), row.rule, row.target_id, row.target, article_id, row.story, row.mode,
             AlertStatus.PENDING, now, now, row.story_id, row.kind])
        added += cursor.rowcount
    return added


def due(db: sqlite_utils.Database, now: str) -> list[DueAlert]:
    """Pending alerts whose next attempt is due, oldest first, with their article."""
    rows = db.execute(
        f"SELECT {_DUE_COLUMNS} FROM alert_outbox o JOIN articles a "  # noqa: S608 - our columns
        "ON a.id = o.article_id LEFT JOIN stories s ON s.id = o.story_id "
        "WHERE o.status = ? AND o.next_attempt_at <= ? ORDER BY o.id",
        [AlertStatus.PENDING, now]).fetchall()
    due_rows = []
    for row in rows:
        values = dict(zip(_DUE_NAMES, row, strict=True))
        values.update(mode=AlertMode(values["mode"]), kind=AlertKind(values["kind"] or "first"))
        due_rows.append(DueAlert(**values))
    return due_rows


def claim(db: sqlite_utils.Database, ids: list[int]) -> list[int]:
    """Take pending alerts for sending; another process sending at the same time gets none
    of the same. Returns the ids claimed."""
    claimed = []
    now = utcnow()
    with transaction(db):
        for alert_id in ids:
            cursor = db.execute("UPDATE alert_outbox SET status = ?, claimed_at = ? "
                                "WHERE id = ? AND status = ?",
                                [AlertStatus.SENDING, now, alert_id, AlertStatus.PENDING])
            if cursor.rowcount:
                claimed.append(alert_id)
    return claimed


def abandoned(db: sqlite_utils.Database, before: str) -> list[int]:
    """Alerts left 'sending' since before `before` by a process that died mid-send:
    the endpoint may or may not have received them."""
    return [r[0] for r in db.execute("SELECT id FROM alert_outbox WHERE status = ? AND "
                                     "claimed_at < ?", [AlertStatus.SENDING, before]).fetchall()]


def mark(db: sqlite_utils.Database, ids: list[int], status: AlertStatus,
         **columns: Any) -> None:
    """Set the status (and other columns) of alerts, committed at once."""
    if not ids:
        return
    assignments = ", ".join(["status = ?", *(f"{k} = ?" for k in columns)])
    marks = ",".join("?" * len(ids))
    with transaction(db):
        db.execute(f"UPDATE alert_outbox SET {assignments} WHERE id IN ({marks})",  # noqa: S608
                   [status, *columns.values(), *ids])


def most_attempts(db: sqlite_utils.Database, ids: list[int]) -> int:
    """The largest attempt count among these alerts."""
    marks = ",".join("?" * len(ids))
    return int(db.execute(f"SELECT max(attempts) FROM alert_outbox WHERE id IN ({marks})",  # noqa: S608
                          ids).fetchone()[0] or 0)


def count_attempt(db: sqlite_utils.Database, ids: list[int], *, no_answer: bool) -> None:
    marks = ",".join("?" * len(ids))
    with transaction(db):
        db.execute(f"UPDATE alert_outbox SET attempts = attempts + 1, "  # noqa: S608
                   f"no_answer = no_answer + ? WHERE id IN ({marks})", [int(no_answer), *ids])


def log_message(db: sqlite_utils.Database, rule: str, target_id: str, target: str,
                kind: MessageKind, items: int, delivered: bool, detail: str | None = None,
                at: str | None = None) -> None:
    """One line of alert_messages: a message sent (status 'sent') or tried ('error')."""
    status = "sent" if delivered else "error"
    with transaction(db):
        db.execute("INSERT INTO alert_messages (rule, target_id, target, kind, items, status, "
                   "detail, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   [rule, target_id, target, kind, items, status, detail, at or utcnow()])


def sent_since(db: sqlite_utils.Database, target_id: str, since: str) -> int:
    """Messages delivered to a target since `since` (for the per-hour cap)."""
    return db.execute("SELECT count(*) FROM alert_messages WHERE target_id = ? AND "
                      "status = 'sent' AND sent_at >= ? AND kind != ?",
                      [target_id, since, MessageKind.TEST]).fetchone()[0]


def last_digest(db: sqlite_utils.Database, rule: str, target_id: str) -> str | None:
    return db.execute("SELECT max(sent_at) FROM alert_messages WHERE rule = ? AND "
                      "target_id = ? AND kind = ? AND status = 'sent'",
                      [rule, target_id, MessageKind.DIGEST]).fetchone()[0]


def status_counts(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Per target: pending, sent, failed, unanswered sends, last error, last success."""
    return list(db.query("""
        SELECT rule, target, target_id,
               sum(status IN ('pending', 'sending')) AS pending,
               sum(status = 'sent') AS sent,
               sum(status = 'failed') AS failed,
               sum(status = 'unconfirmed') AS unconfirmed,
               sum(no_answer) AS no_answer,
               max(sent_at) AS last_sent,
               (SELECT last_error FROM alert_outbox e WHERE e.target_id = o.target_id
                 AND last_error IS NOT NULL ORDER BY e.id DESC LIMIT 1) AS last_error
        FROM alert_outbox o GROUP BY rule, target_id ORDER BY rule, target"""))
