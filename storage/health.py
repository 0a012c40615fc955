"""Source health from the run history: failing sources and sources gone silent."""

from __future__ import annotations

import json
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
    last_run: str | None = None  # when it was last tried, whatever came of it

    @property
    def unhealthy(self) -> bool:
        return self.state in (HealthState.FAILING, HealthState.SILENT, HealthState.STALE)


@dataclass(frozen=True)
class KnownSource:
    """A source the database knows: from the sources file its crawls were given (the
    sources table), or only from its run history."""

    name: str
    enabled: bool
    every_s: float | None  # how often it should run; None when the database does not say
    added_at: str | None


def known_sources(db: sqlite_utils.Database) -> list[KnownSource]:
    """The sources crawled into this database (or listed by a crawl of it), by name."""
    found: dict[str, KnownSource] = {}
    for name, enabled, config, added_at in db.execute(
            "SELECT name, enabled, config, added_at FROM sources ORDER BY name"):
        try:
            every = float(json.loads(config or "{}").get("every_s") or 0) or None
        except (ValueError, TypeError, AttributeError):
            every = None
        found[name] = KnownSource(name, bool(enabled), every, added_at)
    for (name,) in db.execute("SELECT DISTINCT source FROM source_runs ORDER BY source"):
        found.setdefault(name, KnownSource(name, True, None, None))
    return sorted(found.values(), key=lambda s: s.name)


def _recent_runs(db: sqlite_utils.Database, source: str, limit: int) -> list[dict[str, Any]]:
    return list(db.query(
        "SELECT status, detail, new, ended_at FROM source_runs WHERE source = ? "
        "AND status NOT IN (?, ?) ORDER BY id DESC LIMIT ?",
        [source, *NOT_ATTEMPTS, limit]))


def _older_than(moment: str | None, seconds: float, now: datetime) -> bool:
    if not moment:
        return False
    try:
        then = datetime.fromisoformat(moment)
    except ValueError:
        return False
    return (now - (then if then.tzinfo else then.replace(tzinfo=UTC))).total_seconds() > seconds


def source_health(db: sqlite_utils.Database, source: str, *, failing_after: int = 3,
                  silent_after: int = 24, stale_after: float | None = None,
                  every_s: float | None = None, added_at: str | None = None,
                  now: datetime | None = None) -> SourceHealth:
    """Health of one source: failing after `failing_after` failed runs in a row, silent when
    it used to store articles and its last `silent_after` completed runs stored none, stale
    when it was last tried (or, never tried, listed) more than `stale_after` of its
    intervals (`every_s`) ago."""
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

    last_run = db.execute("SELECT max(COALESCE(ended_at, started_at)) FROM source_runs "
                          "WHERE source = ?", [source]).fetchone()[0]
    overdue = stale_after is not None and every_s is not None and \
        _older_than(last_run or added_at, stale_after * every_s, now)
    if not runs and not overdue:
        state = HealthState.NEVER_RUN
    elif overdue:
        state = HealthState.STALE
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
        state=state, last_run=last_run)
