"""`veille run`: crawl each source on its own interval, in crawl subprocesses.

APScheduler (3.x) decides when; a subprocess per crawl does the work, because
Scrapy's reactor cannot restart in one process and because a crawl that hangs
must be killable without taking the daemon with it. Runs that could not start
(missed, or the previous one still running) are recorded in crawl_runs like
the others.

Sources due together share one crawl process (`batch_window_s`): their first runs
are aligned on a grid of that window, so sources with the same interval stay due
at the same instants; the first one due waits GATHER_S for the others, then one
`veille crawl --source A --source B ...` serves them all, with per-source locks,
run records and health as before. A process start (Python, Scrapy, the workers) is
then paid once per batch, not once per source.
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
from collections.abc import Callable
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
GATHER_S = 0.5  # the first source due in a batch slot waits this long for the others
BATCH_MAX = 50  # sources in one crawl process at most
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
    batch_window_s: float = 10.0  # sources due within this window share a process; 0: never


def misfire_grace(every_s: float) -> int:
    """How late a run may start and still run: half its interval.

    APScheduler's default is one second, which silently drops runs whenever the
    process is busy; a 15-minute feed is still worth crawling 5 minutes late.
    """
    return max(1, int(every_s / 2))


def stagger_offsets(sources: list[Source], grid_s: float = 0.0) -> dict[str, float]:
    """Seconds after start for each source's first run, evenly spread; on multiples of
    `grid_s` when batching, so that sources due together are crawled together."""
    count = max(1, len(sources))
    offsets = {s.name: i * min(STAGGER_WINDOW_S, s.every_s) / count
               for i, s in enumerate(sources)}
    if grid_s > 0:
        offsets = {name: grid_s * int(offset // grid_s) for name, offset in offsets.items()}
    return offsets


@dataclass
class _Batch:
    names: list[str]
    done: threading.Event


class Batcher:
    """Gathers the sources due at one moment into one crawl: `crawl(name)` blocks until
    the crawl that served `name` has ended (so a source never overlaps itself)."""

    def __init__(self, run: Callable[[list[str]], None], stopping: threading.Event,
                 gather_s: float = GATHER_S, most: int = BATCH_MAX) -> None:
        self.run = run
        self.stopping = stopping
        self.gather_s = gather_s
        self.most = most
        self.lock = threading.Lock()
        self.open: _Batch | None = None

    def crawl(self, name: str) -> None:
        with self.lock:
            batch = self.open
            if batch is not None and len(batch.names) < self.most:
                batch.names.append(name)
                leader = False
            else:
                batch = self.open = _Batch([name], threading.Event())
                leader = True
        if not leader:
            batch.done.wait()
            return
        try:
            self.stopping.wait(self.gather_s)
            with self.lock:
                if self.open is batch:
                    self.open = None
            if not self.stopping.is_set():
                self.run(batch.names)
        finally:
            batch.done.set()


class Daemon:
    def __init__(self, options: DaemonOptions, sources: list[Source],
                 alerts: AlertConfig | None = None, rules: Rules | None = None) -> None:
        self.options = options
        self.alerts = alerts
        self.rules = rules
        self.sources = {s.name: s for s in sources}
        self.stopping = threading.Event()
        self.children: dict[int, tuple[subprocess.Popen[bytes], list[str]]] = {}  # by pid
        self.lock = threading.Lock()
        self.idle = threading.Condition(self.lock)
        self.active_jobs = 0
        # One slot per crawl process at a time; with batching, a source's job waits in
        # its thread for the crawl that serves it, so every source has a thread.
        self.slots = threading.Semaphore(options.parallel)
        self.batcher = Batcher(self._crawl_batch, self.stopping) \
            if options.batch_window_s > 0 else None
        threads = len(sources) + 1 if self.batcher else options.parallel
        self.scheduler = BlockingScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=threads)},
            job_defaults={"coalesce": True, "max_instances": 1},
            timezone=UTC,
        )
        self.scheduler.add_listener(self._on_not_run, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)

    # -- scheduling --------------------------------------------------------------

    def schedule(self) -> None:
        now = datetime.now(UTC)
        for name, offset in stagger_offsets(list(self.sources.values()),
                                            self.options.batch_window_s).items():
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

    def command(self, names: list[str]) -> list[str]:
        opts = self.options
        # -P: the working directory is not put on sys.path, so a folder named like one of
        # veille's packages where the daemon was started cannot replace its code.
        command = [sys.executable, "-P", "-m", "veille", "-q", "--log-format", opts.log_format,
                   "--db", opts.db, "--sources", opts.sources_path]
        if opts.topics_path:
            command += ["--topics", opts.topics_path]
        if opts.alerts_path:
            command += ["--alerts", opts.alerts_path]
        selected = [arg for name in names for arg in ("--source", name)]
        return [*command, "crawl", *selected, "--trigger", "scheduled",
                "--workers", str(opts.workers_per_crawl),
                "--download-timeout", str(opts.download_timeout_s)]

    def crawl_source(self, name: str) -> None:
        """Run one crawl of `name` in a subprocess, killed at the deadline."""
        with self.lock:
            self.active_jobs += 1
        try:
            if self.stopping.is_set():
                pass
            elif self.batcher is not None:
                self.batcher.crawl(name)
            else:
                self._crawl_batch([name])
        finally:
            with self.lock:
                self.active_jobs -= 1
                self.idle.notify_all()

    def _crawl_batch(self, names: list[str]) -> None:
        with self.slots:
            if not self.stopping.is_set():
                self._crawl(names)

    def _crawl(self, names: list[str]) -> None:
        started = time.monotonic()
        name = _label(names)
        # Own session: signals to the daemon's terminal do not reach the crawl
        # directly; the daemon decides how it stops.
        child = subprocess.Popen(self.command(names), stdout=subprocess.DEVNULL,
                                 start_new_session=True)
        with self.lock:
            self.children[child.pid] = (child, names)
        if self.stopping.is_set():  # a stop arrived while the crawl was starting
            self._stop_child(child, names, INTERRUPTED, "the daemon was stopped")
        try:
            code = child.wait(timeout=self.options.max_runtime_s)
        except subprocess.TimeoutExpired:
            logger.error("%s: crawl exceeded %gs, stopping it", name, self.options.max_runtime_s,
                         extra={"source": name, "status": TIMEOUT, "event": "run"})
            self._stop_child(child, names, TIMEOUT,
                             f"exceeded the deadline of {self.options.max_runtime_s:g}s")
            code = child.returncode
        finally:
            with self.lock:
                self.children.pop(child.pid, None)
        self._log_result(name, child.pid, code, time.monotonic() - started)

    def _stop_child(self, child: subprocess.Popen[bytes], names: list[str], status: RunStatus,
                    reason: str) -> None:
        """SIGTERM to the crawl (it stops gracefully, keeps its work and closes its worker
        processes), then SIGKILL to its whole process group if it does not stop in time."""
        name = _label(names)
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
                record_unstarted_run(db, "scheduled", names, status, reason, pid=child.pid)
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
                                    args=(child, names, INTERRUPTED, "the daemon was stopped"))
                   for child, names in running.values()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def _label(names: list[str]) -> str:
    """How logs name a crawl: its source, or its sources when it serves several."""
    if len(names) == 1:
        return names[0]
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"{len(names)} sources ({shown})"


def _signal_group(child: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)
