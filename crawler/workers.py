"""CPU-heavy steps (extraction, language, and the analysis passed in) in worker processes.

The Scrapy process downloads; the workers extract. Each page is one task with a
deadline: a pathological page (tens of thousands of nested elements make
trafilatura quadratic) costs its worker, which the pool replaces, not the run.
trafilatura and the language profiles are loaded in the workers only, so the
downloading process stays small.

What else the workers compute about a text (the scheduler's tagging) is passed
in as a picklable factory, so that CPU work stays off the reactor without the
crawler knowing what it is.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from veille.model import Extracted, PageResult, TextAnalysis

if TYPE_CHECKING:
    from pebble import ProcessPool

logger = logging.getLogger(__name__)

EXTRACTION_TIMEOUT_S = 20.0
# Workers are recycled to bound memory: every 50 pages cost 90 ms of CPU a page instead of
# 73 (each new worker starts with cold caches), every 100 saved no memory
# (bench/peers_bench.py, 1,000 articles: 393 against 401 MB PSS).
TASKS_PER_WORKER = 500
PRELOAD = ("crawler.preload",)
# How often the pool's health is looked at: pebble stops answering the pages still queued
# when its pool breaks (the forkserver killed, say), so veille fails them itself.
WATCH_EVERY_S = 0.5


class WorkersLost(BrokenProcessPool):
    """The extraction workers stopped while a page waited for them: not the page's fault.
    New workers take the pages submitted after (pebble's own BrokenProcessPool, given to
    the pages it was running, means the same)."""

TextAnalyser = Callable[[Extracted], TextAnalysis]  # tags and story features of a page
AnalyserFactory = Callable[[], TextAnalyser]  # picklable: called once in each worker

_analyser: TextAnalyser | None = None


def _init_worker(factory: AnalyserFactory | None) -> None:
    """Runs once in each worker: load the heavy parts before the first page arrives."""
    global _analyser
    # Ctrl-C and SIGTERM are for the parent, which stops the crawl gracefully.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from crawler.language import detect_language

    detect_language("Le Kremlin a annoncé des pourparlers avec l'Ukraine.")
    _analyser = factory() if factory is not None else None
    if _analyser is not None:
        _analyser(Extracted("Les Russes", "Les Ukrainiennes à Kyiv. " * 10, None, None, None,
                            None, None, "utf-8"))


def analyse_page(body: bytes, url: str, content_type: str | None,
                 analyser: TextAnalyser | None = None, dated: bool = False) -> PageResult:
    """Extract, detect the language and analyse one page (runs in a worker); `dated`:
    its listing gave its date (crawler.extract.extract)."""
    from crawler.extract import extract
    from crawler.language import detect_language

    analyser = analyser or _analyser
    extracted = extract(body, url, content_type, dated=dated)
    if extracted is None:
        return PageResult(None)
    language = detect_language(extracted.text)
    analysis = analyser(extracted) if analyser else TextAnalysis()
    return PageResult(extracted, language.code, language.probability, analysis.tags,
                      analysis.story, analysis.search, analysis.content_hash)


def _fail(broken: ProcessPool, waiting: list[Future[PageResult]]) -> None:
    """Give a broken pool's waiting pages WorkersLost, then stop it in a thread of its own
    (outside the lock: a future's callbacks run here; and stopping joins pebble's task
    thread, which can be blocked for good writing a page to workers that are gone)."""
    logger.warning("the extraction workers stopped with %d page(s) waiting: new workers "
                   "take them", len(waiting))
    for future in waiting:
        with contextlib.suppress(InvalidStateError):  # answered meanwhile
            future.set_exception(WorkersLost("the extraction workers stopped"))
    threading.Thread(target=broken.stop, daemon=True, name="veille-workers-stop").start()


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)))


class ExtractionPool:
    """A pool of extraction workers, started once per crawl, when the first page comes."""

    def __init__(self, analyser_factory: AnalyserFactory | None = None,
                 workers: int | None = None, timeout: float = EXTRACTION_TIMEOUT_S,
                 preload: tuple[str, ...] = PRELOAD) -> None:
        self.workers = workers or default_workers()
        self.timeout = timeout
        # forkserver: workers are forked from a clean server process that has
        # preloaded the extraction stack, never from this process, which runs a
        # reactor and DNS threads.
        self._factory = analyser_factory
        self._preload = preload
        self._pool: ProcessPool | None = None
        self._lock = threading.Lock()
        self._starting: threading.Thread | None = None
        self._pending: set[Future[PageResult]] = set()  # submitted, not answered yet
        self._closed = threading.Event()
        self._watch: threading.Thread | None = None

    @property
    def started(self) -> bool:
        return self._pool is not None

    def start_soon(self) -> None:
        """Start the workers in a thread of this process's own, when the crawl knows it has
        pages to analyse before the first one arrives. Starting them is about a second of
        waiting (the forkserver imports the extraction stack, then forks): the first page
        finds them ready, and the reactor goes on downloading meanwhile instead of
        waiting in `start`."""
        # Called from the crawl's main thread alone (before Scrapy starts, then by the
        # reactor), and never under the lock: the start it began holds the lock while the
        # forkserver imports, and the reactor must not wait for that.
        if self._pool is not None or self._starting is not None:
            return
        self._starting = threading.Thread(target=self._start_quietly, daemon=True,
                                          name="veille-workers-start")
        self._starting.start()

    def _start_quietly(self) -> None:
        try:
            self.start()
        except Exception:  # the first page's own start() tries again and reports it
            logger.warning("the extraction workers could not start early", exc_info=True)

    def start(self) -> ProcessPool:
        """Start the forkserver and the workers (done by the first page to extract, unless
        `start_soon` did: a crawl that finds nothing new, every feed answering 304, never
        pays for them)."""
        starting = self._starting
        if starting is not None and starting is not threading.current_thread():
            starting.join()
        with self._lock:
            broken = self._take_broken()
            if self._pool is None:
                self._pool = self._new_pool()
            if self._watch is None:
                self._watch = threading.Thread(target=self._watch_health, daemon=True,
                                               name="veille-workers-watch")
                self._watch.start()
            pool = self._pool
        if broken is not None:
            _fail(*broken)
        return pool

    def _watch_health(self) -> None:
        """Fail the waiting pages of a pool that broke, so that none waits forever: pebble
        answers the pages its workers were running, not those still in its queue."""
        while not self._closed.wait(WATCH_EVERY_S):
            with self._lock:
                broken = self._take_broken()
            if broken is not None:
                _fail(*broken)

    def _take_broken(self) -> tuple[ProcessPool, list[Future[PageResult]]] | None:
        """(Under the lock.) A pool that broke, taken out with the pages waiting for it;
        the next page starts new workers (and multiprocessing a new forkserver if it
        died)."""
        if self._closed.is_set() or self._pool is None or self._pool.active:
            return None
        broken, self._pool = self._pool, None
        waiting = list(self._pending)
        self._pending.clear()
        return broken, waiting

    def _new_pool(self) -> ProcessPool:
        logger.info("starting %d extraction worker(s)", self.workers)
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(self._preload))
        from pebble import ProcessPool  # 40 ms to import: not for a crawl with nothing new

        pool = ProcessPool(max_workers=self.workers, max_tasks=TASKS_PER_WORKER,
                           initializer=_init_worker, initargs=(self._factory,),
                           context=context)
        # pebble starts its workers on the first task: start them now.
        pool.schedule(os.getpid)
        return pool

    def submit(self, body: bytes, url: str, content_type: str | None,
               dated: bool = False) -> Future[PageResult]:
        """Analyse a page in a worker; `dated`: its listing gave its date."""
        future: Future[PageResult] = self.start().schedule(
            analyse_page, args=(body, url, content_type, None, dated), timeout=self.timeout)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._answered)
        return future

    def _answered(self, future: Future[PageResult]) -> None:
        with self._lock:
            self._pending.discard(future)

    def close(self) -> None:
        self._closed.set()  # before the pool stops: the watch must not take it for broken
        if self._starting is not None:
            self._starting.join()
        with self._lock:
            pool = self._pool
        if pool is not None:
            pool.stop()
            pool.join(timeout=10)
