"""The news spider: read each source's feed, download the articles it announces once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

import scrapy
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.feeds import FeedEntry, FeedError, parse_feed
from crawler.urls import canonical_url, same_site
from scheduler.process import ArticleItem
from storage.articles import is_known
from storage.db import utcnow

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 25


def describe_failure(failure: Failure) -> str:
    """A short, human message for a download failure."""
    exc = failure.value
    if isinstance(exc, HttpError):
        return f"HTTP {exc.response.status}"
    name = type(exc).__name__
    text = str(exc).strip()
    if "robots.txt" in text:
        return "forbidden by robots.txt"
    if "TimeoutError" in name or "timed out" in text.lower() or "Timeout" in name:
        return "timed out"
    if "ConnectionRefused" in name:
        return "connection refused"
    if "DNSLookup" in name:
        return "DNS lookup failed"
    if "ResponseNeverReceived" in name or "ConnectionLost" in name or "DataLoss" in name:
        return "connection lost before the response was complete"
    if "max size" in text or "maxsize" in text.lower():
        return "response larger than the size cap"
    return f"{name}: {text[:200]}" if text else name


class NewsSpider(scrapy.Spider):
    name = "veille"

    def __init__(self, context: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.context = context
        self.scheduled: set[str] = set()
        self.done = 0

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for source in self.context.sources:
            logger.info("%s: fetching feed %s", source.name, source.url)
            yield scrapy.Request(
                source.url, callback=self.parse_feed, errback=self.feed_failed,
                cb_kwargs={"source": source.name}, dont_filter=True,
                meta={"veille_source": source.name, "veille_kind": "feed"},
                priority=100,
            )

    # -- feeds -------------------------------------------------------------------

    def feed_failed(self, failure: Failure) -> None:
        source = failure.request.cb_kwargs["source"]
        message = describe_failure(failure)
        logger.warning("%s: feed failed: %s (%s)", source, message, failure.request.url)
        self.context.stats.feed_failed(source, message)

    def parse_feed(self, response: Response, source: str) -> Any:
        stats = self.context.stats
        try:
            feed = parse_feed(response.body, response.url,
                              response.headers.get("Content-Type", b"").decode("latin-1"))
        except FeedError as exc:
            logger.warning("%s: %s (%s)", source, exc, response.url)
            stats.feed_failed(source, str(exc))
            return
        if feed.warning:
            logger.info("%s: feed parsed with a warning: %s", source, feed.warning)
        if not feed.entries:
            # A feed without items is how a moved or broken feed usually looks.
            message = "the feed lists no article links"
            if feed.warning:
                message += f" ({feed.warning})"
            logger.warning("%s: %s (%s)", source, message, response.url)
            stats.feed_failed(source, message)
            return
        stats.feed_ok(source)
        stats.count(source, "links", len(feed.entries))
        config = self.context.source(source)
        new = 0
        for entry in feed.entries:
            request = self._article_request(source, entry, response.url, feed.link,
                                            config.follow_offsite)
            if request is not None:
                new += 1
                yield request
        logger.info("%s: %d links in the feed, %d to download", source, len(feed.entries), new)

    def _article_request(self, source: str, entry: FeedEntry, feed_url: str, site_link: str,
                         follow_offsite: bool) -> scrapy.Request | None:
        stats = self.context.stats
        if not (follow_offsite or same_site(entry.url, feed_url)
                or (site_link and same_site(entry.url, site_link))):
            stats.count(source, "offsite")
            return None
        key = canonical_url(entry.url)
        if key in self.scheduled:
            stats.count(source, "duplicate")
            return None
        if is_known(self.context.db, key):
            stats.count(source, "known")
            return None
        self.scheduled.add(key)
        return scrapy.Request(
            entry.url, callback=self.parse_article, errback=self.article_failed,
            cb_kwargs={"source": source, "entry": entry, "key": key},
            meta={"veille_source": source, "veille_kind": "article"},
        )

    # -- articles ----------------------------------------------------------------

    def article_failed(self, failure: Failure) -> None:
        kwargs = failure.request.cb_kwargs
        message = describe_failure(failure)
        logger.warning("%s: article failed: %s (%s)", kwargs["source"], message,
                       failure.request.url)
        self.context.stats.error(kwargs["source"], f"{message}: {failure.request.url}")
        status = "gone" if message in ("HTTP 404", "HTTP 410") else "error"
        self.context.record_failure(kwargs["key"], kwargs["source"], status, message)

    async def parse_article(self, response: Response, source: str, entry: FeedEntry,
                            key: str) -> AsyncIterator[ArticleItem]:
        stats = self.context.stats
        stats.count(source, "fetched")
        content_type = response.headers.get("Content-Type", b"").decode("latin-1") or None
        future = self.context.pool.submit(response.body, response.url, content_type)
        try:
            result = await asyncio.wrap_future(future)
        except (FutureTimeout, TimeoutError):
            stats.error(source, f"extraction timed out: {response.url}")
            self.context.record_failure(key, source, "error", "extraction timed out")
            return
        except Exception as exc:  # a worker crash must not stop the run
            logger.exception("%s: extraction failed for %s", source, response.url)
            stats.error(source, f"extraction failed ({type(exc).__name__}): {response.url}")
            self.context.record_failure(key, source, "error", f"extraction failed: {exc}")
            return
        self.done += 1
        if self.done % PROGRESS_EVERY == 0:
            logger.info("progress: %d articles processed", self.done)
        yield ArticleItem(source=source, url=response.url, requested_canonical=key, entry=entry,
                          result=result, fetched_at=utcnow())
