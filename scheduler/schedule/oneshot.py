"""One crawl run from start to finish: source locks, the run record, the crawl, the outcome.

`veille crawl` (from a shell, cron or a systemd timer) and each crawl started by
the daemon go through here. This is where the crawl is built: the scheduler
passes the crawler its item handler (the pipeline), its URL key (dedup) and the
tagger its workers run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crawler.runstats import RunStats
from scheduler.alerts.rules import AlertConfig
from scheduler.analysis import PageAnalysisFactory
from scheduler.dedup.urls import canonical_url
from scheduler.pipeline import ItemProcessor
from scheduler.schedule import locks
from scheduler.tagging.rules import Rules
from storage.db import check_usable, is_lasting_write_error, open_db, writes_to
from storage.runs import finish_run, never_crawled, record_unstarted_run, start_run
from storage.sources import sync_sources
from veille.config import SourcesConfig
from veille.model import CrawlOptions, RunStatus, Source

if TYPE_CHECKING:
    import sqlite_utils

    from crawler.runner import CrawlResult
    from scheduler.alerts.sender import SendReport

logger = logging.getLogger(__name__)
# The forkserver preloads extraction, then what the analysis loads (simplemma's French
# lemmas, the shipped rules' tagger, datasketch): its workers inherit them.
WORKER_PRELOAD = ("crawler.preload", "scheduler.preload")


@dataclass
class RunOutcome:
    status: RunStatus
    run_id: int
    stats: RunStats | None = None
    busy: dict[str, str] = field(default_factory=dict)  # skipped sources and who holds them
    alerts: SendReport | None = None
    storage_error: str | None = None  # the run stopped: the database cannot be written


def crawl_once(db_path: str, config: SourcesConfig, selected: list[Source], rules: Rules,
               options: CrawlOptions, alerts: AlertConfig | None = None) -> RunOutcome:
    """Crawl `selected` once. Sources another process is crawling are skipped (after
    waiting up to `options.wait_s`); when all are, nothing runs and the status is
    'skipped'."""
    # A database that cannot be used (damaged, another application's) is refused before a
    # lock folder is made beside it; it is opened for writing (and migrated) under the lock.
    check_usable(db_path)
    held = locks.acquire(db_path, [s.name for s in selected], f"veille crawl, {options.trigger}",
                         options.wait_s)
    try:
        with writes_to(db_path):
            db = open_db(db_path)
            sync_sources(db, list(config.sources))
            runnable = [s for s in selected if s.name in held.handles]
            for name, holder in held.busy.items():
                logger.warning("%s: skipped, another process is crawling it (%s)", name, holder,
                               extra={"source": name, "status": RunStatus.SKIPPED})
            if not runnable:
                reason = "; ".join(f"{n}: busy, {h}" for n, h in held.busy.items())
                run_id = record_unstarted_run(db, options.trigger, list(held.busy),
                                              RunStatus.SKIPPED, reason)
                return RunOutcome(RunStatus.SKIPPED, run_id, busy=held.busy)
            run_id = start_run(db, options.trigger, [s.name for s in runnable])
        logger.info("run %d: crawling %d source(s) into %s", run_id, len(runnable), db_path,
                    extra={"run_id": run_id, "trigger": options.trigger})
        result = _crawl(db, runnable, rules, run_id, options, alerts)
        stats, status = result.stats, _status(result)
        failures = "; ".join(f"{n}: {s.feed}" for n, s in stats.sources.items() if s.failed())
        error = result.storage_error or failures or None
        report = None
        try:
            finish_run(db, run_id, status, stats.as_dict(), error, skipped={
                name: f"busy, {holder}" for name, holder in held.busy.items()})
            if result.storage_error is None:
                report = _deliver(db, alerts, rules)
        except Exception as exc:
            if not is_lasting_write_error(exc):
                raise
            # Not even the run record could be written: the next run marks it interrupted.
            logger.error("run %d could not be recorded: %s", run_id, exc)
        db.close()
        _log_end(run_id, status, stats, options.trigger)
        return RunOutcome(status, run_id, stats, held.busy, report, result.storage_error)
    finally:
        held.release()


def _crawl(db: sqlite_utils.Database, sources: list[Source], rules: Rules, run_id: int,
           options: CrawlOptions, alerts: AlertConfig | None) -> CrawlResult:
    """Build the crawl (workers, pipeline, URL key) and run it; the run is closed as
    interrupted or errored when the crawl cannot start or raises."""
    from crawler.workers import ExtractionPool

    try:
        # The workers start with the first page to extract (none when nothing is new), or
        # at once for a source never crawled (every link of a first crawl is new): their
        # forkserver then imports the extraction stack while this process imports Scrapy,
        # instead of after (about a second of one idle core).
        pool = ExtractionPool(PageAnalysisFactory(rules), options.workers,
                              preload=WORKER_PRELOAD)
        if never_crawled(db, [s.name for s in sources]):
            pool.start_soon()
        from crawler.runner import run_crawl

        processor = ItemProcessor(db, rules, {s.name: s for s in sources}, run_id, options,
                                  alerts)
        return run_crawl(db, sources, pool, handle=processor.process, url_key=canonical_url,
                         options=options)
    except KeyboardInterrupt:  # SIGINT/SIGTERM before Scrapy took over the signals
        finish_run(db, run_id, RunStatus.INTERRUPTED, {}, "stopped by a signal while starting")
        raise
    except BaseException as exc:
        finish_run(db, run_id, RunStatus.ERROR, {}, f"{type(exc).__name__}: {exc}")
        raise


def _status(result: CrawlResult) -> RunStatus:
    stats = result.stats
    if result.storage_error is not None:
        return RunStatus.FAILED
    if result.interrupted:
        return RunStatus.INTERRUPTED
    if stats.all_failed():
        return RunStatus.FAILED
    return RunStatus.PARTIAL if stats.any_failed() else RunStatus.OK


def _deliver(db: sqlite_utils.Database, alerts: AlertConfig | None,
             rules: Rules) -> SendReport | None:
    if alerts is None:
        return None
    from scheduler.alerts.sender import Sender  # Apprise loads only when alerts are on

    return Sender(db, alerts, rules).deliver()


def _log_end(run_id: int, status: RunStatus, stats: RunStats, trigger: str) -> None:
    totals = stats.totals()
    failed = sum(1 for s in stats.sources.values() if s.failed())
    logger.info("run %d %s: %d new, %d duplicates, %d errors, %d of %d sources failed",
                run_id, status, totals.get("new", 0), totals.get("duplicate", 0),
                totals.get("errors", 0), failed, len(stats.sources),
                extra={"run_id": run_id, "status": status, "counts": dict(totals),
                       "failed_sources": failed, "trigger": trigger, "event": "run"})
