"""Source health from the run history: failing sources and sources gone silent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from veille.model import HealthState, RunStatus

FAILED, MISSED, OK, SKIPPED, TIMEOUT = (RunStatus.FAILED, RunStatus.MISSED, RunStatus.OK,
                                        RunStatus.SKIPPED, RunStatus.TIMEOUT)

FAILURES = (FAILED, TIMEOUT)
NOT_ATTEMPTS = (SKIPPED, MISSED)


@dataclass(frozen=True)
class SourceHealth:
    source: str
    runs: int
    last_success: str | None
    last_error: str | None
    last_error_at: str | None
    consecutive_failures: int
    runs_without_new: int  # completed runs since the last one that stored something
    ever_new: bool
    new_24h: int
    new_7d: int
    state: HealthState

    @property
    def unhealthy(self) -> bool:
        return self.state in (HealthState.FAILING, HealthState.SILENT)


def _recent_runs(db: sqlite_utils.Database, source: str, limit: int) -> list[dict[str, Any]]:
    return list(db.query(
        "SELECT status, detail, new, ended_at FROM source_runs WHERE source = ? "
        "AND status NOT IN (?, ?) ORDER BY id DESC LIMIT ?",
        [source, *NOT_ATTEMPTS, limit]))


def source_health(db: sqlite_utils.Database, source: str, *, failing_after: int = 3,
                  silent_after: int = 24, now: datetime | None = None) -> SourceHealth:
    """Health of one source: failing after `failing_after` failed runs in a row, silent when
    it used to store articles and its last `silent_after` completed runs stored none."""
    now = now or datetime.now(UTC)
    runs = _recent_runs(db, source, max(failing_after, silent_after, 200))
    failures = next((i for i, r in enumerate(runs) if r["status"] not in FAILURES), len(runs))
    completed = [r for r in runs if r["status"] == OK]
    without_new = next((i for i, r in enumerate(completed) if r["new"]), len(completed))
    ever_new = bool(db.execute("SELECT 1 FROM source_runs WHERE source = ? AND new > 0 LIMIT 1",
                               [source]).fetchone()) or bool(db.execute(
        "SELECT 1 FROM articles WHERE source = ? LIMIT 1", [source]).fetchone())
    last_error = next((r for r in runs if r["status"] in FAILURES), None)
    last_success = db.execute("SELECT max(ended_at) FROM source_runs WHERE source = ? AND "
                              "status = ?", [source, OK]).fetchone()[0]

    def new_since(delta: timedelta) -> int:
        since = (now - delta).replace(microsecond=0).isoformat()
        return db.execute("SELECT count(*) FROM articles WHERE source = ? AND fetched_at >= ?",
                          [source, since]).fetchone()[0]

    if not runs:
        state = HealthState.NEVER_RUN
    elif failures >= failing_after or (not completed and failures):
        state = HealthState.FAILING
    elif ever_new and without_new >= silent_after:
        state = HealthState.SILENT
    else:
        state = HealthState.OK
    return SourceHealth(
        source=source, runs=len(runs), last_success=last_success,
        last_error=last_error["detail"] if last_error else None,
        last_error_at=last_error["ended_at"] if last_error else None,
        consecutive_failures=failures, runs_without_new=without_new, ever_new=ever_new,
        new_24h=new_since(timedelta(hours=24)), new_7d=new_since(timedelta(days=7)),
        state=state)
