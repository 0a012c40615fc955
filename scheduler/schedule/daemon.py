"""`veille run`: crawl each source on its own interval, each crawl in its own subprocess.

APScheduler (3.x) decides when; a subprocess per crawl does the work, because
Scrapy's reactor cannot restart in one process and because a crawl that hangs
must be killable without taking the daemon with it. Runs that could not start
(missed, or the previous one still running) are recorded in crawl_runs like
the others.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from scheduler.alerts.rules import AlertConfig
from scheduler.alerts.sender import Sender
from scheduler.tagging.rules import Rules
from storage.db import open_db
from storage.runs import (
    close_stale_runs,
    end_run,
    last_run_of,
    record_unstarted_run,
    relabel_run,
)
from veille.model import RunStatus, Source

logger = logging.getLogger(__name__)

STAGGER_WINDOW_S = 60.0  # first runs are spread over this window (or the interval if shorter)
INTERRUPTED, MISSED, RUNNING, SKIPPED, TIMEOUT = (
    RunStatus.INTERRUPTED, RunStatus.MISSED, RunStatus.RUNNING, RunStatus.SKIPPED,
    RunStatus.TIMEOUT)


@dataclass(frozen=True)
class DaemonOptions:
    db: str
    sources_path: str
    topics_path: str | None
    max_runtime_s: float = 600.0
    parallel: int = 2
    workers_per_crawl: int = 1
    stop_grace_s: float = 20.0
    download_timeout_s: float = 20.0
    log_format: str = "human"
    alerts_path: str | None = None
    alerts_every_s: float = 60.0  # retries and digests are checked this often


def misfire_grace(every_s: float) -> int:
    """How late a run may start and still run: half its interval.

    APScheduler's default is one second, which silently drops runs whenever the
    process is busy; a 15-minute feed is still worth crawling 5 minutes late.
    """
    return max(1, int(every_s / 2))


def stagger_offsets(sources: list[Source]) -> dict[str, float]:
    """Seconds after start for each source's first run, evenly spread."""
    count = max(1, len(sources))
    return {s.name: i * min(STAGGER_WINDOW_S, s.every_s) / count for i, s in enumerate(sources)}


class Daemon:
    def __init__(self, options: DaemonOptions, sources: list[Source],
                 alerts: AlertConfig | None = None, rules: Rules | None = None) -> None:
        self.options = options
        self.alerts = alerts
        self.rules = rules
        self.sources = {s.name: s for s in sources}
        self.stopping = threading.Event()
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.lock = threading.Lock()
        self.idle = threading.Condition(self.lock)
        self.active_jobs = 0
        self.scheduler = BlockingScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=options.parallel)},
            job_defaults={"coalesce": True, "max_instances": 1},
            timezone=UTC,
        )
        self.scheduler.add_listener(self._on_not_run, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)

    # -- scheduling --------------------------------------------------------------

    def schedule(self) -> None:
        now = datetime.now(UTC)
        for name, offset in stagger_offsets(list(self.sources.values())).items():
            source = self.sources[name]
            self.scheduler.add_job(
                self.crawl_source, IntervalTrigger(seconds=source.every_s,
                                                   start_date=now + timedelta(seconds=offset)),
                args=[name], id=name, name=f"crawl {name}",
                misfire_grace_time=misfire_grace(source.every_s),
                next_run_time=now + timedelta(seconds=offset),
            )
            logger.info("%s: every %gs, first run in %.1fs", name, source.every_s, offset,
                        extra={"source": name, "event": "scheduled"})
        if self.alerts is not None:
            self.scheduler.add_job(self.deliver_alerts,
                                   IntervalTrigger(seconds=self.options.alerts_every_s),
                                   id="_alerts", name="deliver alerts",
                                   misfire_grace_time=int(self.options.alerts_every_s))

    def deliver_alerts(self) -> None:
        """Retries and digests that fell due between crawls."""
        if self.stopping.is_set() or self.alerts is None:
            return
        with open_db(self.options.db) as db:
            report = Sender(db, self.alerts, self.rules).deliver()
        if report.sent_messages or report.failed or report.retrying:
            logger.info("alerts: %d delivered in %d message(s), %d to retry, %d failed",
                        report.delivered, report.sent_messages, report.retrying, report.failed,
                        extra={"event": "alerts"})

    def _on_not_run(self, event: JobExecutionEvent) -> None:
        if event.job_id == "_alerts":
            return
        status = MISSED if event.code == EVENT_JOB_MISSED else SKIPPED
        reason = ("missed: the daemon was too busy to start it in time"
                  if status == MISSED else "skipped: the previous run is still running")
        logger.warning("%s: run %s", event.job_id, reason,
                       extra={"source": event.job_id, "status": status, "event": "run"})
        with open_db(self.options.db) as db:
            record_unstarted_run(db, "scheduled", [event.job_id], status, reason)

    # -- one crawl ---------------------------------------------------------------

    def command(self, name: str) -> list[str]:
        opts = self.options
        # -P: the working directory is not put on sys.path, so a folder named like one of
        # veille's packages where the daemon was started cannot replace its code.
        command = [sys.executable, "-P", "-m", "veille", "-q", "--log-format", opts.log_format,
                   "--db", opts.db, "--sources", opts.sources_path]
        if opts.topics_path:
            command += ["--topics", opts.topics_path]
        if opts.alerts_path:
            command += ["--alerts", opts.alerts_path]
        return [*command, "crawl", "--source", name, "--trigger", "scheduled",
                "--workers", str(opts.workers_per_crawl),
                "--download-timeout", str(opts.download_timeout_s)]

    def crawl_source(self, name: str) -> None:
        """Run one crawl of `name` in a subprocess, killed at the deadline."""
        with self.lock:
            self.active_jobs += 1
        try:
            if not self.stopping.is_set():
                self._crawl(name)
        finally:
            with self.lock:
                self.active_jobs -= 1
                self.idle.notify_all()

    def _crawl(self, name: str) -> None:
        started = time.monotonic()
        # Own session: signals to the daemon's terminal do not reach the crawl
        # directly; the daemon decides how it stops.
        child = subprocess.Popen(self.command(name), stdout=subprocess.DEVNULL,
                                 start_new_session=True)
        with self.lock:
            self.children[name] = child
        if self.stopping.is_set():  # a stop arrived while the crawl was starting
            self._stop_child(child, name, INTERRUPTED, "the daemon was stopped")
        try:
            code = child.wait(timeout=self.options.max_runtime_s)
        except subprocess.TimeoutExpired:
            logger.error("%s: crawl exceeded %gs, stopping it", name, self.options.max_runtime_s,
                         extra={"source": name, "status": TIMEOUT, "event": "run"})
            self._stop_child(child, name, TIMEOUT,
                             f"exceeded the deadline of {self.options.max_runtime_s:g}s")
            code = child.returncode
        finally:
            with self.lock:
                self.children.pop(name, None)
        self._log_result(name, child.pid, code, time.monotonic() - started)

    def _stop_child(self, child: subprocess.Popen[bytes], name: str, status: RunStatus,
                    reason: str) -> None:
        """SIGTERM to the crawl (it stops gracefully, keeps its work and closes its worker
        processes), then SIGKILL to its whole process group if it does not stop in time."""
        with contextlib.suppress(ProcessLookupError):
            child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=self.options.stop_grace_s)
        except subprocess.TimeoutExpired:
            logger.warning("%s: crawl did not stop within %gs, killing it", name,
                           self.options.stop_grace_s, extra={"source": name})
            _signal_group(child, signal.SIGKILL)
            child.wait()
        with open_db(self.options.db) as db:
            last = last_run_of(db, child.pid)
            if last is None:  # stopped before it could record its run
                record_unstarted_run(db, "scheduled", [name], status, reason, pid=child.pid)
            elif last.status == RUNNING:  # killed: the crawl could not close its run
                end_run(db, last.id, status, reason)
            elif status == TIMEOUT and last.status == INTERRUPTED:
                relabel_run(db, last.id, TIMEOUT, reason)

    def _log_result(self, name: str, pid: int, code: int | None, duration: float) -> None:
        with open_db(self.options.db) as db:
            run = last_run_of(db, pid)
        if run is None:
            logger.error("%s: crawl exited with code %s without recording a run", name, code,
                         extra={"source": name, "event": "run"})
            return
        totals = run.totals
        ok = run.status in (RunStatus.OK, RunStatus.PARTIAL, RunStatus.SKIPPED)
        logger.log(logging.INFO if ok else logging.WARNING,
                   "%s: run %d %s in %.1fs: %d new, %d duplicates, %d errors%s", name,
                   run.id, run.status, duration, totals.get("new", 0), totals.get("duplicate", 0),
                   totals.get("errors", 0), f" ({run.error})" if run.error else "",
                   extra={"source": name, "run_id": run.id, "status": run.status,
                          "counts": totals, "duration_s": round(duration, 1), "event": "run"})

    # -- lifecycle ---------------------------------------------------------------

    def request_stop(self, signum: int, _frame: object) -> None:
        if self.stopping.is_set():
            return
        logger.info("received %s, stopping", signal.Signals(signum).name)
        self.stopping.set()
        self.scheduler.shutdown(wait=False)

    def run(self) -> None:
        with open_db(self.options.db) as db:
            close_stale_runs(db)
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        self.schedule()
        logger.info("daemon started: %d source(s), pid %d", len(self.sources), os.getpid())
        self.scheduler.start()  # returns once request_stop() shut the scheduler down
        self._stop_children()
        with self.lock:
            self.idle.wait_for(lambda: self.active_jobs == 0, timeout=self.options.stop_grace_s)
        logger.info("daemon stopped")

    def _stop_children(self) -> None:
        with self.lock:
            running = dict(self.children)
        threads = [threading.Thread(target=self._stop_child,
                                    args=(child, name, INTERRUPTED, "the daemon was stopped"))
                   for name, child in running.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def _signal_group(child: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)
