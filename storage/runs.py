"""The crawl_runs table: one row per run, whatever started it, with its counters."""

from __future__ import annotations

import json
import os
import socket
from typing import Any

import sqlite_utils

from storage.db import transaction, utcnow


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
    if stale:
        with transaction(db):
            for run_id in stale:
                db.execute(
                    "UPDATE crawl_runs SET status = 'interrupted', ended_at = ?, "
                    "error = COALESCE(error, 'process ended without finishing the run') "
                    "WHERE id = ?", [utcnow(), run_id])
    return len(stale)


def start_run(db: sqlite_utils.Database, trigger: str, sources: list[str]) -> int:
    close_stale_runs(db)
    with transaction(db):
        cursor = db.execute(
            "INSERT INTO crawl_runs (trigger, sources, started_at, status, pid, host) "
            "VALUES (?, ?, ?, 'running', ?, ?)",
            [trigger, json.dumps(sources), utcnow(), os.getpid(), socket.gethostname()],
        )
    return int(cursor.lastrowid)


def finish_run(db: sqlite_utils.Database, run_id: int, status: str,
               counters: dict[str, Any], error: str | None = None) -> None:
    with transaction(db):
        db.execute(
            "UPDATE crawl_runs SET ended_at = ?, status = ?, counters = ?, error = ? WHERE id = ?",
            [utcnow(), status, json.dumps(counters, ensure_ascii=False), error, run_id],
        )
