"""Scrapy item pipeline: hands each downloaded article to the handler the crawl was built
with, and counts what became of it."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.spiders.news import NewsSpider
from veille.model import ArticleItem

logger = logging.getLogger(__name__)


class HandoffPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HandoffPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        spider = self.crawler.spider
        if not isinstance(spider, NewsSpider):
            return item
        context = spider.context
        if context.storage_error is not None:  # the database cannot be written any more
            raise DropItem("not stored: the database cannot be written")
        try:
            outcome = context.handle(item)
        except Exception as exc:  # one bad article must not stop the run
            if context.storage_failed(exc):
                raise DropItem(f"not stored: {context.storage_error}") from None
            logger.exception("%s: could not store %s", item.source, item.url)
            context.stats.error(item.source, f"storage failed ({type(exc).__name__}): {item.url}")
            context.listings.decided(item.requested_key, final=False)  # tried again next run
            raise DropItem(f"storage failed: {exc}") from exc
        context.listings.decided(item.requested_key, final=True)
        context.stats.count(item.source, outcome)
        logger.debug("%s: %s", outcome, item.url)
        if not outcome.stored:
            raise DropItem(outcome)
        return item
