"""Run history: crawl_runs (one row per run, whatever started it) and source_runs."""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from storage.db import transaction, utcnow
from veille.model import RunStatus

RUNNING, OK, PARTIAL, FAILED = (RunStatus.RUNNING, RunStatus.OK, RunStatus.PARTIAL,
                                RunStatus.FAILED)
INTERRUPTED, TIMEOUT, SKIPPED, MISSED = (RunStatus.INTERRUPTED, RunStatus.TIMEOUT,
                                         RunStatus.SKIPPED, RunStatus.MISSED)


@dataclass(frozen=True)
class RunSummary:
    """What the daemon logs about a crawl it started."""

    id: int
    status: RunStatus
    totals: dict[str, int]
    error: str | None


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
        "SELECT id, pid FROM crawl_runs WHERE status = ? AND host = ?", [RUNNING, host]
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
            "VALUES (?, ?, ?, ?, ?, ?)",
            [trigger, json.dumps(sources), utcnow(), RUNNING, pid or os.getpid(),
             socket.gethostname()],
        )
    return int(cursor.lastrowid or 0)


def _source_status(run_status: RunStatus, source: dict[str, Any]) -> RunStatus:
    if source.get("feed") == "pending":  # never fetched: the run stopped first
        return run_status if run_status in (INTERRUPTED, TIMEOUT) else FAILED
    if source.get("feed") not in (None, "ok"):
        return FAILED
    return OK if run_status in (OK, PARTIAL) else run_status


def finish_run(db: sqlite_utils.Database, run_id: int, status: RunStatus,
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


def _insert_source_run(db: sqlite_utils.Database, run_id: int, source: str,
                       status: RunStatus,
                       detail: str | None, counts: dict[str, Any], started: str,
                       ended: str) -> None:
    db.execute(
        "INSERT INTO source_runs (run_id, source, status, detail, links, fetched, new, errors, "
        "started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [run_id, source, status, detail, counts.get("links", 0), counts.get("fetched", 0),
         counts.get("new", 0), counts.get("errors", 0), started, ended],
    )


def end_run(db: sqlite_utils.Database, run_id: int, status: RunStatus,
            error: str | None = None) -> None:
    """Close a run that did not finish by itself (killed, timed out): keep what it counted."""
    with transaction(db):
        row = db.execute("SELECT sources, started_at FROM crawl_runs WHERE id = ?",
                         [run_id]).fetchone()
        db.execute("UPDATE crawl_runs SET status = ?, ended_at = ?, "
                   "error = COALESCE(?, error) WHERE id = ?", [status, utcnow(), error, run_id])
        for name in json.loads(row[0] or "[]"):
            _insert_source_run(db, run_id, name, status, error, {}, row[1], utcnow())


def record_unstarted_run(db: sqlite_utils.Database, trigger: str, sources: list[str],
                         status: RunStatus, reason: str, pid: int | None = None) -> int:
    """A run that was skipped, missed or stopped before it began: history too, not a log line."""
    now = utcnow()
    with transaction(db):
        cursor = db.execute(
            "INSERT INTO crawl_runs (trigger, sources, started_at, ended_at, status, error, "
            "pid, host) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [trigger, json.dumps(sources), now, now, status, reason, pid or os.getpid(),
             socket.gethostname()])
        run_id = int(cursor.lastrowid or 0)
        for name in sources:
            _insert_source_run(db, run_id, name, status, reason, {}, now, now)
    return run_id


def last_run_of(db: sqlite_utils.Database, pid: int) -> RunSummary | None:
    """The latest run recorded by process `pid`."""
    row = db.execute("SELECT id, status, counters, error FROM crawl_runs WHERE pid = ? "
                     "ORDER BY id DESC LIMIT 1", [pid]).fetchone()
    if row is None:
        return None
    totals = json.loads(row[2] or "{}").get("totals", {})
    return RunSummary(row[0], RunStatus(row[1]), totals, row[3])


def relabel_run(db: sqlite_utils.Database, run_id: int, status: RunStatus, reason: str) -> None:
    """Give a finished run another status (an interrupted crawl that had timed out)."""
    with transaction(db):
        db.execute("UPDATE crawl_runs SET status = ?, error = ? WHERE id = ?",
                   [status, reason, run_id])
        db.execute("UPDATE source_runs SET status = ?, detail = ? WHERE run_id = ? AND status = ?",
                   [status, reason, run_id, INTERRUPTED])


def source_run_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """How many per-source runs ended in each status (bench/daemon_bench.py)."""
    return dict(db.execute("SELECT status, count(*) FROM source_runs GROUP BY status").fetchall())


def never_crawled(db: sqlite_utils.Database, sources: list[str]) -> list[str]:
    """The sources that no finished run has crawled yet (a first crawl: every link new)."""
    if not sources:
        return []
    marks = ",".join("?" * len(sources))
    crawled = {r[0] for r in db.execute(
        f"SELECT DISTINCT source FROM source_runs WHERE source IN ({marks})",  # noqa: S608
        sources)}
    return [s for s in sources if s not in crawled]
