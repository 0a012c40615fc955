"""Run history: crawl_runs (one row per run, whatever started it) and source_runs."""

from __future__ import annotations

import json
import os
import socket
from typing import Any

import sqlite_utils

from storage.db import transaction, utcnow

# Run statuses
RUNNING, OK, PARTIAL, FAILED = "running", "ok", "partial", "failed"
INTERRUPTED, TIMEOUT, SKIPPED, MISSED, ERROR = (
    "interrupted", "timeout", "skipped", "missed", "error")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def close_stale_runs(db: sqlite_utils.Database) -> int:
    """Mark as interrupted the runs still 'running' whose process is gone (killed)."""
    host = socket.gethostname()
    stale = [row[0] for row in db.execute(
        "SELECT id, pid FROM crawl_runs WHERE status = 'running' AND host = ?", [host]
    ).fetchall() if not _pid_alive(row[1] or 0)]
    for run_id in stale:
        end_run(db, run_id, INTERRUPTED, error="process ended without finishing the run")
    return len(stale)


def start_run(db: sqlite_utils.Database, trigger: str, sources: list[str],
              pid: int | None = None) -> int:
    close_stale_runs(db)
    with transaction(db):
        cursor = db.execute(
            "INSERT INTO crawl_runs (trigger, sources, started_at, status, pid, host) "
            "VALUES (?, ?, ?, 'running', ?, ?)",
            [trigger, json.dumps(sources), utcnow(), pid or os.getpid(), socket.gethostname()],
        )
    return int(cursor.lastrowid)


def _source_status(run_status: str, source: dict[str, Any]) -> str:
    if source.get("feed") == "pending":  # never fetched: the run stopped first
        return run_status if run_status in (INTERRUPTED, TIMEOUT) else FAILED
    if source.get("feed") not in (None, "ok"):
        return FAILED
    return OK if run_status in (OK, PARTIAL) else run_status


def finish_run(db: sqlite_utils.Database, run_id: int, status: str,
               counters: dict[str, Any], error: str | None = None,
               skipped: dict[str, str] | None = None) -> None:
    """Close a run with its counters; one source_runs row per source crawled or skipped."""
    now = utcnow()
    with transaction(db):
        started = db.execute("SELECT started_at FROM crawl_runs WHERE id = ?",
                             [run_id]).fetchone()[0]
        db.execute(
            "UPDATE crawl_runs SET ended_at = ?, status = ?, counters = ?, error = ? WHERE id = ?",
            [now, status, json.dumps(counters, ensure_ascii=False), error, run_id],
        )
        for name, source in counters.get("sources", {}).items():
            _insert_source_run(db, run_id, name, _source_status(status, source),
                               None if source.get("feed") == "ok" else source.get("feed"),
                               source, started, now)
        for name, why in (skipped or {}).items():
            _insert_source_run(db, run_id, name, SKIPPED, why, {}, started, now)


def _insert_source_run(db: sqlite_utils.Database, run_id: int, source: str, status: str,
                       detail: str | None, counts: dict[str, Any], started: str,
                       ended: str) -> None:
    db.execute(
        "INSERT INTO source_runs (run_id, source, status, detail, links, fetched, new, errors, "
        "started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [run_id, source, status, detail, counts.get("links", 0), counts.get("fetched", 0),
         counts.get("new", 0), counts.get("errors", 0), started, ended],
    )


def end_run(db: sqlite_utils.Database, run_id: int, status: str, error: str | None = None) -> None:
    """Close a run that did not finish by itself (killed, timed out): keep what it counted."""
    with transaction(db):
        row = db.execute("SELECT sources, started_at FROM crawl_runs WHERE id = ?",
                         [run_id]).fetchone()
        db.execute("UPDATE crawl_runs SET status = ?, ended_at = ?, "
                   "error = COALESCE(?, error) WHERE id = ?", [status, utcnow(), error, run_id])
        for name in json.loads(row[0] or "[]"):
            _insert_source_run(db, run_id, name, status, error, {}, row[1], utcnow())


def record_unstarted_run(db: sqlite_utils.Database, trigger: str, sources: list[str],
                         status: str, reason: str, pid: int | None = None) -> int:
    """A run that was skipped, missed or stopped before it began: history too, not a log line."""
    now = utcnow()
    with transaction(db):
        cursor = db.execute(
            "INSERT INTO crawl_runs (trigger, sources, started_at, ended_at, status, error, "
            "pid, host) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [trigger, json.dumps(sources), now, now, status, reason, pid or os.getpid(),
             socket.gethostname()])
        run_id = int(cursor.lastrowid)
        for name in sources:
            _insert_source_run(db, run_id, name, status, reason, {}, now, now)
    return run_id


def last_run_of(db: sqlite_utils.Database, pid: int) -> tuple[int, str] | None:
    """(id, status) of the latest run recorded by process `pid`."""
    row = db.execute("SELECT id, status FROM crawl_runs WHERE pid = ? ORDER BY id DESC LIMIT 1",
                     [pid]).fetchone()
    return (row[0], row[1]) if row else None


def relabel_run(db: sqlite_utils.Database, run_id: int, status: str, reason: str) -> None:
    """Give a finished run another status (an interrupted crawl that had timed out)."""
    with transaction(db):
        db.execute("UPDATE crawl_runs SET status = ?, error = ? WHERE id = ?",
                   [status, reason, run_id])
        db.execute("UPDATE source_runs SET status = ?, detail = ? WHERE run_id = ? AND status = ?",
                   [status, reason, run_id, INTERRUPTED])
