"""One crawl run from start to finish: source locks, the run record, the crawl, the outcome.

`veille crawl` (from a shell, cron or a systemd timer) and each crawl started by
the daemon go through here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crawler.runstats import RunStats
from scheduler import locks
from scheduler.alert_rules import AlertConfig
from scheduler.rules import Rules
from storage.db import open_db
from storage.runs import (
    FAILED,
    INTERRUPTED,
    OK,
    PARTIAL,
    SKIPPED,
    finish_run,
    record_unstarted_run,
    start_run,
)
from storage.sources import sync_sources

if TYPE_CHECKING:
    from scheduler.sender import SendReport
from veille.config import Source, SourcesConfig

logger = logging.getLogger(__name__)


@dataclass
class RunOutcome:
    status: str
    run_id: int
    stats: RunStats | None = None
    busy: dict[str, str] = field(default_factory=dict)  # skipped sources and who holds them
    alerts: SendReport | None = None


def crawl_once(db_path: str, config: SourcesConfig, selected: list[Source], rules: Rules, *,
               trigger: str = "manual", keep_offtopic: bool = False, workers: int | None = None,
               download_timeout: float = 20.0, wait_s: float = 0.0,
               alerts: AlertConfig | None = None) -> RunOutcome:
    """Crawl `selected` once. Sources another process is crawling are skipped (after
    waiting up to `wait_s`); when all are, nothing runs and the status is 'skipped'."""
    from crawler.workers import ExtractionPool

    held = locks.acquire(db_path, [s.name for s in selected], f"veille crawl, {trigger}", wait_s)
    try:
        db = open_db(db_path)
        sync_sources(db, list(config.sources))
        runnable = [s for s in selected if s.name in held.handles]
        for name, holder in held.busy.items():
            logger.warning("%s: skipped, another process is crawling it (%s)", name, holder,
                           extra={"source": name, "status": SKIPPED})
        if not runnable:
            reason = "; ".join(f"{n}: busy, {h}" for n, h in held.busy.items())
            run_id = record_unstarted_run(db, trigger, list(held.busy), SKIPPED, reason)
            return RunOutcome(SKIPPED, run_id, busy=held.busy)
        run_id = start_run(db, trigger, [s.name for s in runnable])
        logger.info("run %d: crawling %d source(s) into %s", run_id, len(runnable), db_path,
                    extra={"run_id": run_id, "trigger": trigger})
        try:
            # Workers start loading trafilatura while this process loads Scrapy.
            pool = ExtractionPool(rules, workers)
            from crawler.runner import run_crawl

            result = run_crawl(db, runnable, rules, run_id, pool, keep_offtopic=keep_offtopic,
                               settings={"DOWNLOAD_TIMEOUT": download_timeout}, alerts=alerts)
        except KeyboardInterrupt:  # SIGINT/SIGTERM before Scrapy took over the signals
            finish_run(db, run_id, INTERRUPTED, {}, "stopped by a signal while starting")
            raise
        except BaseException as exc:
            finish_run(db, run_id, "error", {}, f"{type(exc).__name__}: {exc}")
            raise
        stats = result.stats
        status = (INTERRUPTED if result.interrupted else FAILED if stats.all_failed()
                  else PARTIAL if stats.any_failed() else OK)
        failures = "; ".join(f"{n}: {s.feed}" for n, s in stats.sources.items() if s.failed())
        finish_run(db, run_id, status, stats.as_dict(), failures or None, skipped={
            name: f"busy, {holder}" for name, holder in held.busy.items()})
        report = None
        if alerts is not None:
            from scheduler.sender import Sender  # Apprise loads only when alerts are on

            report = Sender(db, alerts, rules).deliver()
        db.close()
        totals = stats.totals()
        logger.info("run %d %s: %d new, %d duplicates, %d errors", run_id, status,
                    totals.get("new", 0), totals.get("duplicate", 0), totals.get("errors", 0),
                    extra={"run_id": run_id, "status": status, "counts": dict(totals),
                           "trigger": trigger, "event": "run"})
        return RunOutcome(status, run_id, stats, held.busy, report)
    finally:
        held.release()
