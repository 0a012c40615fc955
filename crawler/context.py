"""What one crawl shares between the spider, its middlewares and its item pipeline.

The crawl is built from above: the scheduler passes in how to key a URL and what
to do with each downloaded article, so the crawler collects without knowing what
is decided about what it collects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlite_utils

from crawler.runstats import RunStats
from crawler.workers import ExtractionPool
from storage.seen import record_seen
from veille.model import ArticleItem, Outcome, SeenStatus, Source

ItemHandler = Callable[[ArticleItem], Outcome]  # decides about one article and stores it
UrlKey = Callable[[str], str]  # the dedup key of an article URL


@dataclass
class CrawlContext:
    """Everything the spider and the pipeline share during one run."""

    db: sqlite_utils.Database
    sources: list[Source]
    stats: RunStats
    pool: ExtractionPool
    handle: ItemHandler
    url_key: UrlKey
    close_reason: str | None = None
    by_name: dict[str, Source] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_name = self.by_name or {s.name: s for s in self.sources}

    def source(self, name: str) -> Source:
        return self.by_name[name]

    def record_failure(self, key: str, source: str, status: SeenStatus, message: str) -> None:
        record_seen(self.db, [key], source, status, detail=message)
