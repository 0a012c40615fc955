"""CPU-heavy steps (extraction, language, tagging) in a pool of worker processes.

The Scrapy process downloads; the workers extract. Each page is one task with a
deadline: a pathological page (tens of thousands of nested elements makes
trafilatura quadratic) costs its worker, which the pool replaces, not the run.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from pebble import ProcessPool

from crawler.extract import Extracted, extract
from crawler.language import detect_language
from scheduler.rules import Rules
from scheduler.tagging import Tagger, TopicMatch

EXTRACTION_TIMEOUT_S = 20.0
TASKS_PER_WORKER = 500  # recycle workers to bound lxml's memory growth


@dataclass
class PageResult:
    """What a worker learnt from one page."""

    extracted: Extracted | None
    language: str = "und"
    language_score: float = 0.0
    topics: list[TopicMatch] = field(default_factory=list)


_tagger: Tagger | None = None


def _init_worker(rules: Rules) -> None:
    global _tagger
    # Ctrl-C and SIGTERM are for the parent, which stops the crawl gracefully.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _tagger = Tagger(rules)


def analyse_page(body: bytes, url: str, content_type: str | None,
                 tagger: Tagger | None = None) -> PageResult:
    """Extract, detect the language and tag one page (runs in a worker)."""
    tagger = tagger or _tagger
    extracted = extract(body, url, content_type)
    if extracted is None:
        return PageResult(None)
    language = detect_language(extracted.text)
    topics = tagger.score_topics(extracted.title or "", extracted.text) if tagger else []
    return PageResult(extracted, language.code, language.probability, topics)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)))


class ExtractionPool:
    """A pool of extraction workers, started once per crawl."""

    def __init__(self, rules: Rules, workers: int | None = None) -> None:
        self.workers = workers or default_workers()
        # forkserver: never fork a process that runs a reactor and DNS threads.
        self._pool = ProcessPool(max_workers=self.workers, max_tasks=TASKS_PER_WORKER,
                                 initializer=_init_worker, initargs=(rules,),
                                 context=multiprocessing.get_context("forkserver"))

    def submit(self, body: bytes, url: str, content_type: str | None) -> Future[Any]:
        return self._pool.schedule(analyse_page, args=(body, url, content_type),
                                   timeout=EXTRACTION_TIMEOUT_S)

    def close(self) -> None:
        self._pool.stop()
        self._pool.join(timeout=10)
