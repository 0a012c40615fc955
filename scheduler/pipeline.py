"""Scrapy item pipeline: hands each downloaded article to the ItemProcessor."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from scheduler.process import ArticleItem

logger = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        context = self.crawler.spider.context  # type: ignore[union-attr]
        try:
            outcome = context.processor.process(item)
        except Exception as exc:  # one bad article must not stop the run
            logger.exception("%s: could not store %s", item.source, item.url)
            context.stats.error(item.source, f"storage failed ({type(exc).__name__}): {item.url}")
            raise DropItem(f"storage failed: {exc}") from exc
        if outcome not in ("new", "updated"):
            raise DropItem(outcome)
        return item
