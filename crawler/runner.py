"""Run one crawl in this process: sources in, items handed over, a RunStats out."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy import Spider, signals
from scrapy.crawler import AsyncCrawlerProcess
from scrapy.utils.defer import deferred_from_coro

from crawler import allocator
from crawler.context import CrawlContext, ItemHandler, UrlKey
from crawler.progress import Progress
from crawler.runstats import RunStats
from crawler.settings import scrapy_settings
from crawler.spiders.news import NewsSpider
from crawler.workers import ExtractionPool
from veille.model import CrawlOptions, Source

if TYPE_CHECKING:
    import sqlite_utils

logger = logging.getLogger(__name__)


@dataclass
class CrawlResult:
    stats: RunStats
    close_reason: str | None
    storage_error: str | None = None  # the crawl stopped because the database failed

    @property
    def interrupted(self) -> bool:
        return self.close_reason not in (None, "finished")


def _show_progress(crawler: Any, stats: RunStats) -> Progress | None:
    """A progress line on the terminal, every second while the engine runs (the caller
    keeps the returned object: signals hold their receivers weakly)."""
    if not Progress.wanted():
        return None
    progress = Progress(stats)
    crawler.signals.connect(progress.start, signal=signals.engine_started)
    crawler.signals.connect(progress.clear, signal=signals.engine_stopped)
    return progress


def run_crawl(db: sqlite_utils.Database, sources: list[Source], pool: ExtractionPool, *,
              handle: ItemHandler, url_key: UrlKey, options: CrawlOptions,
              settings: dict[str, Any] | None = None) -> CrawlResult:
    """Crawl `sources` once, handing each downloaded article to `handle`; returns when the
    crawl has finished or was stopped.

    The pool is the caller's to create (its workers start with the first page to
    extract) and is closed here.
    """
    allocator.tune()
    stats = RunStats([s.name for s in sources])
    context = CrawlContext(db=db, sources=sources, stats=stats, pool=pool, handle=handle,
                           url_key=url_key)
    merged = scrapy_settings(DOWNLOAD_TIMEOUT=options.download_timeout_s, **(settings or {}))
    process = AsyncCrawlerProcess(merged)
    # Scrapy's logging setup turns its loggers up to DEBUG; the CLI owns the handlers.
    logging.getLogger("scrapy").setLevel(merged["LOG_LEVEL"])
    crawler = process.create_crawler(NewsSpider)

    def closed(spider: Spider, reason: str) -> None:
        context.close_reason = reason

    crawler.signals.connect(closed, signal=signals.spider_closed)

    def stop(reason: str) -> None:
        if crawler.engine is not None and crawler.engine.spider is not None:
            deferred_from_coro(crawler.engine.close_spider_async(reason=reason))

    context.stop = stop
    ticking = _show_progress(crawler, stats) if options.progress else None
    try:
        process.crawl(crawler, context=context)
        process.start()
    finally:
        if ticking is not None:
            ticking.clear()
        pool.close()
    if context.close_reason == "finished":
        stats.settle()
    return CrawlResult(stats=stats, close_reason=context.close_reason,
                       storage_error=context.storage_error)
