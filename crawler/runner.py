"""Run one crawl in this process: sources in, articles in the database, a RunStats out."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils
from scrapy import signals
from scrapy.crawler import AsyncCrawlerProcess

from crawler.runstats import RunStats
from crawler.settings import scrapy_settings
from crawler.spiders.news import NewsSpider
from crawler.workers import ExtractionPool
from scheduler.alert_rules import AlertConfig
from scheduler.process import ItemProcessor
from scheduler.rules import Rules
from storage.articles import record_seen
from veille.config import Source

logger = logging.getLogger(__name__)


@dataclass
class CrawlContext:
    """Everything the spider and the pipeline share during one run."""

    db: sqlite_utils.Database
    sources: list[Source]
    stats: RunStats
    processor: ItemProcessor
    pool: ExtractionPool
    close_reason: str | None = None
    by_name: dict[str, Source] = field(default_factory=dict)

    def source(self, name: str) -> Source:
        return self.by_name[name]

    def record_failure(self, key: str, source: str, status: str, message: str) -> None:
        record_seen(self.db, [key], source, status, detail=message)


@dataclass
class CrawlResult:
    stats: RunStats
    close_reason: str | None

    @property
    def interrupted(self) -> bool:
        return self.close_reason not in (None, "finished")


def run_crawl(db: sqlite_utils.Database, sources: list[Source], rules: Rules, run_id: int | None,
              pool: ExtractionPool, *, keep_offtopic: bool = False,
              settings: dict[str, Any] | None = None,
              alerts: AlertConfig | None = None) -> CrawlResult:
    """Crawl `sources` once; returns when the crawl has finished or was stopped.

    The pool is the caller's to create (early: its workers start while Scrapy
    loads) and is closed here.
    """
    stats = RunStats([s.name for s in sources])
    by_name = {s.name: s for s in sources}
    processor = ItemProcessor(db, rules, by_name, stats, run_id, keep_offtopic=keep_offtopic,
                              alerts=alerts)
    context = CrawlContext(db=db, sources=sources, stats=stats, processor=processor, pool=pool,
                           by_name=by_name)
    merged = scrapy_settings(**(settings or {}))
    process = AsyncCrawlerProcess(merged)
    # Scrapy's logging setup turns its loggers up to DEBUG; the CLI owns the handlers.
    logging.getLogger("scrapy").setLevel(merged["LOG_LEVEL"])
    crawler = process.create_crawler(NewsSpider)

    def closed(spider: Any, reason: str) -> None:
        context.close_reason = reason

    crawler.signals.connect(closed, signal=signals.spider_closed)
    try:
        process.crawl(crawler, context=context)
        process.start()
    finally:
        pool.close()
    return CrawlResult(stats=stats, close_reason=context.close_reason)
