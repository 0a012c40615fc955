"""The news spider: read each source (feed, sitemap or section page) and download the
articles it lists, once.

Listings are fetched with the validators of the last run (If-None-Match,
If-Modified-Since): a listing that did not change costs one request and
nothing else. Article URLs already decided in an earlier run are not requested
again, whichever listing names them.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import Counter, defaultdict, deque
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import CancelledError
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.context import CrawlContext
from crawler.failures import describe_exception
from crawler.feeds import FeedError, parse_feed
from crawler.pages import article_links
from crawler.sitemaps import SitemapEntry, SitemapError, children_to_read, parse_sitemap
from crawler.urls import same_site
from storage.db import utcnow
from storage.seen import is_known, recheck_candidate
from storage.validators import conditional_headers
from veille.model import (
    ArticleItem,
    FeedEntry,
    PageResult,
    Recheck,
    SeenStatus,
    Source,
    SourceKind,
)

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 25
MAX_SITEMAP_DEPTH = 3
MAX_CHILD_SITEMAPS = 50  # per source and run: an index that keeps minting children ends
# Article requests of one source handed to Scrapy and not yet answered; the source's other
# new links wait in the spider, each as its link (about 0.4 KB) rather than as a Scrapy
# request (about 2.4 KB with its headers, callbacks and parsed URL): a first crawl of
# large sitemaps, or a thousand sources, does not hold every request at once. Four times
# the per-host concurrency (2): the downloads never wait for the spider.
ARTICLES_AHEAD = 8
# Tries of a page whose workers stopped under it (the forkserver killed, the pool broken):
# new workers take it once more; after that it waits for the next run, undecided.
WORKER_ATTEMPTS = 2


ListingCallback = Callable[..., Iterator[scrapy.Request]]


@dataclass(frozen=True)
class NewArticle:
    """An article link decided new (or due for a recheck), waiting to be requested."""

    source: str
    entry: FeedEntry
    key: str
    recheck: Recheck | None


def _listing(callback: ListingCallback) -> ListingCallback:
    """A listing that breaks the parser fails with a reason, not silently: the other
    sources go on, and the run summary says what happened instead of 'pending'."""
    @functools.wraps(callback)
    def guarded(spider: NewsSpider, response: Response, source: str, root: bool,
                depth: int) -> Iterator[scrapy.Request]:
        try:
            yield from callback(spider, response, source, root, depth)
        except Exception as exc:  # a parser bug must cost one listing, not the run
            logger.exception("%s: could not read %s", source, response.url)
            spider._listing_failed(source, root, f"could not read the listing "
                                   f"({type(exc).__name__}: {str(exc)[:200]})", response.url)

    return guarded


class NewsSpider(scrapy.Spider):
    name = "veille"

    def __init__(self, context: CrawlContext, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.context = context
        self.scheduled: set[str] = set()
        self.sitemaps_seen: set[str] = set()
        self.child_sitemaps: Counter[str] = Counter()
        self.requests_made: Counter[str] = Counter()
        self.backlog: defaultdict[str, deque[NewArticle]] = defaultdict(deque)
        self.ahead: Counter[str] = Counter()  # see ARTICLES_AHEAD
        self.done = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._idle, signal=signals.spider_idle)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        callbacks = {SourceKind.FEED: self.parse_feed, SourceKind.SITEMAP: self.parse_sitemap,
                     SourceKind.PAGE: self.parse_page}
        for source in self.context.sources:
            logger.info("%s: fetching %s %s", source.name, source.kind, source.url)
            self.sitemaps_seen.add(self.context.url_key(source.url))
            yield self._listing_request(source.name, source.url, callbacks[source.kind],
                                        root=True)

    # -- listings (feeds, sitemaps, pages) ---------------------------------------

    def _listing_request(self, source: str, url: str, callback: Any, *, root: bool,
                         depth: int = 0) -> scrapy.Request:
        self.requests_made[source] += 1
        return scrapy.Request(
            url, callback=callback, errback=self.listing_failed,
            cb_kwargs={"source": source, "root": root, "depth": depth},
            headers=conditional_headers(self.context.db, url), dont_filter=True, priority=100,
            meta={"veille_source": source, "veille_listing": url,
                  "handle_httpstatus_list": [304]},
        )

    def listing_failed(self, failure: Failure) -> None:
        kwargs = _request(failure).cb_kwargs
        message = describe_exception(failure.value)
        logger.warning("%s: %s failed: %s (%s)", kwargs["source"],
                       "listing" if kwargs["root"] else "child sitemap", message,
                       _request(failure).url)
        if kwargs["root"]:
            self.context.stats.feed_failed(kwargs["source"], message)
        else:
            self.context.stats.error(kwargs["source"], f"{message}: {_request(failure).url}")

    def _unchanged(self, response: Response, source: str, root: bool) -> bool:
        """304: the listing is as it was; otherwise its new validators wait until every
        link it gives is decided (crawler.listings)."""
        if response.status == 304:
            self.context.stats.count(source, "not_modified")
            if root:
                self.context.stats.feed_ok(source)
            logger.info("%s: %s not modified", source, response.url)
            self.context.listings.unchanged(_listing_of(response))
            return True
        headers = response.headers
        self.context.listings.answered(
            _listing_of(response), source,
            (headers.get("ETag") or b"").decode("latin-1") or None,
            (headers.get("Last-Modified") or b"").decode("latin-1") or None)
        return False

    def _listing_failed(self, source: str, root: bool, message: str, url: str) -> None:
        logger.warning("%s: %s (%s)", source, message, url)
        if root:
            self.context.stats.feed_failed(source, message)
        else:
            self.context.stats.error(source, f"{message}: {url}")

    @_listing
    def parse_feed(self, response: Response, source: str, root: bool,
                   depth: int) -> Iterator[scrapy.Request]:
        if self._unchanged(response, source, root):
            return
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        try:
            feed = parse_feed(response.body, response.url, content_type)
        except FeedError as exc:
            self._listing_failed(source, root, str(exc), response.url)
            return
        if feed.warning:
            logger.info("%s: feed parsed with a warning: %s", source, feed.warning)
        if feed.bad_items:
            self.context.stats.skip(source, "bad_items", feed.bad_items,
                                    f"{feed.bad_items} unreadable item(s) skipped in "
                                    f"{response.url}")
        if not feed.entries:
            # A feed without items is how a moved or broken feed usually looks.
            message = "the feed lists no article links"
            if feed.warning:
                message += f" ({feed.warning})"
            self._listing_failed(source, root, message, response.url)
            return
        self.context.stats.feed_ok(source)
        yield from self._articles(source, feed.entries, response, feed.link)

    @_listing
    def parse_sitemap(self, response: Response, source: str, root: bool,
                      depth: int) -> Iterator[scrapy.Request]:
        if self._unchanged(response, source, root):
            return
        try:
            sitemap = parse_sitemap(response.body, response.url)
        except SitemapError as exc:
            self._listing_failed(source, root, str(exc), response.url)
            return
        stats = self.context.stats
        if root:
            stats.feed_ok(source)
        if sitemap.skipped:
            stats.count(source, "bad_links", sitemap.skipped)
        if sitemap.bad_dates:
            logger.info("%s: %d unreadable date(s) in %s", source, sitemap.bad_dates,
                        response.url)
        if sitemap.is_index:
            yield from self._child_sitemaps(source, sitemap.children, depth,
                                            _listing_of(response))
            return
        oldest = self._oldest(source)
        entries = []
        for entry in sitemap.entries:
            if entry.date and entry.date < oldest:
                stats.count(source, "too_old")
                continue
            entries.append(FeedEntry(url=entry.url, title=entry.title,
                                     published_at=entry.published_at, keywords=entry.keywords))
        yield from self._articles(source, entries, response, "")

    def _oldest(self, source: str) -> str:
        """The oldest date of an entry worth reading for `source` (its max_age)."""
        max_age = timedelta(seconds=self.context.source(source).max_age_s)
        return (datetime.now(UTC) - max_age).isoformat()

    def _child_sitemaps(self, source: str, children: list[SitemapEntry], depth: int,
                        listing: str) -> Iterator[scrapy.Request]:
        stats, ledger = self.context.stats, self.context.listings
        if depth + 1 > MAX_SITEMAP_DEPTH:
            stats.error(source, f"sitemap index nested deeper than {MAX_SITEMAP_DEPTH}: ignored")
            ledger.read(listing)
            return
        # the newest first; those last modified before the source's max_age are not read
        ordered, too_old = children_to_read(children, self._oldest(source))
        if too_old:
            stats.count(source, "too_old", too_old)
            logger.info("%s: %d child sitemap(s) of %s last modified before max_age: not read",
                        source, too_old, listing)
        for entry in ordered:
            child = entry.url
            key = self.context.url_key(child)
            if key in self.sitemaps_seen:  # an index that points to itself or loops
                stats.count(source, "sitemap_loops")
                continue
            if self.child_sitemaps[source] >= MAX_CHILD_SITEMAPS:
                stats.error(source, f"more than {MAX_CHILD_SITEMAPS} child sitemaps: the "
                                    "most recently modified were read, not the others")
                ledger.leave(listing)
                break
            if not self._within_budget(source):
                ledger.leave(listing)
                break
            self.sitemaps_seen.add(key)
            self.child_sitemaps[source] += 1
            ledger.expect_child(listing, child)
            yield self._listing_request(source, child, self.parse_sitemap, root=False,
                                        depth=depth + 1)
        ledger.read(listing)

    @_listing
    def parse_page(self, response: Response, source: str, root: bool,
                   depth: int) -> Iterator[scrapy.Request]:
        if self._unchanged(response, source, root):
            return
        config = self.context.source(source)
        links = article_links(response.body, response.url, include=config.include,
                              exclude=config.exclude, follow_offsite=config.follow_offsite,
                              key=self.context.url_key)
        if not links:
            self._listing_failed(source, root, "no article links on the page", response.url)
            return
        self.context.stats.feed_ok(source)
        yield from self._articles(source, [FeedEntry(url=link) for link in links], response,
                                  "", offsite_checked=True)

    # -- articles ----------------------------------------------------------------

    def _within_budget(self, source: str) -> bool:
        if self.requests_made[source] < self.context.source(source).budget:
            return True
        self.context.stats.count(source, "over_budget")
        return False

    def _articles(self, source: str, entries: list[FeedEntry], response: Response,
                  site_link: str, offsite_checked: bool = False) -> Iterator[scrapy.Request]:
        stats, ledger = self.context.stats, self.context.listings
        stats.count(source, "links", len(entries))
        config = self.context.source(source)
        listing_url, listing = response.url, _listing_of(response)
        new = 0
        for entry in entries:
            if not (offsite_checked or config.follow_offsite or same_site(entry.url, listing_url)
                    or (site_link and same_site(entry.url, site_link))):
                stats.count(source, "offsite")
                continue
            try:
                article = self._new_article(config, entry, listing)
            except Exception as exc:  # one bad link must not hide the others
                self._skip_link(source, entry, exc)
                continue
            if article is not None:
                new += 1
                ledger.expect_link(listing, article.key)
                self.backlog[source].append(article)
        ledger.read(listing)
        logger.info("%s: %d links in %s, %d to download", source, len(entries), listing_url, new)
        if new:  # the workers start while the first articles download
            self.context.pool.start_soon()
        yield from self._release(source)

    def _new_article(self, source: Source, entry: FeedEntry, listing: str) -> NewArticle | None:
        stats = self.context.stats
        key = self.context.url_key(entry.url)
        if key in self.scheduled:
            stats.count(source.name, "duplicate")
            return None
        recheck = None
        if is_known(self.context.db, key):
            recheck = self._recheck(source, key)
            if recheck is None:
                stats.count(source.name, "known")
                return None
        if not self._within_budget(source.name):
            self.context.listings.leave(listing)  # the link waits for the next run
            return None
        self.scheduled.add(key)
        self.requests_made[source.name] += 1
        return NewArticle(source.name, entry, key, recheck)

    def _release(self, source: str) -> Iterator[scrapy.Request]:
        """Requests for the source's waiting articles, up to ARTICLES_AHEAD unanswered."""
        waiting = self.backlog[source]
        while waiting and self.ahead[source] < ARTICLES_AHEAD:
            article = waiting.popleft()
            try:
                request = self._article_request(article)
            except Exception as exc:  # a URL Scrapy refuses: that link only
                self._skip_link(source, article.entry, exc)
                self.context.listings.decided(article.key, final=True)  # refused again
                continue
            self.ahead[source] += 1
            yield request

    def _skip_link(self, source: str, entry: FeedEntry, exc: Exception) -> None:
        self.context.stats.skip(source, "bad_items", 1, f"link skipped ({type(exc).__name__}: "
                                                        f"{str(exc)[:100]}): {entry.url[:200]}")

    def _answered(self, source: str) -> Iterator[scrapy.Request]:
        """One of the source's requests came back (a response or a failure): the next."""
        self.ahead[source] = max(0, self.ahead[source] - 1)
        if self.crawler.crawling:
            yield from self._release(source)

    def _idle(self) -> None:
        """Scrapy found nothing left to do: nothing is unanswered, whatever was counted
        (a request dropped on the way without a callback), so release what waits."""
        if not any(self.backlog.values()) or not self.crawler.crawling:
            return
        self.ahead.clear()
        assert self.crawler.engine is not None
        for source in list(self.backlog):
            for request in self._release(source):
                self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def _article_request(self, article: NewArticle) -> scrapy.Request:
        entry = article.entry
        return scrapy.Request(
            entry.url, callback=self.parse_article, errback=self.article_failed,
            cb_kwargs={"source": article.source, "entry": entry, "key": article.key,
                       "recheck": article.recheck},
            # dont_filter: the spider already requests each article once; Scrapy's filter
            # would drop a redirect loop silently instead of reporting it.
            meta={"veille_source": article.source}, dont_filter=True,
        )

    def _recheck(self, source: Source, key: str) -> Recheck | None:
        """A stored article young enough to be fetched again for updates, if it is one."""
        if not source.recheck_s:
            return None
        since = (datetime.now(UTC) - timedelta(seconds=source.recheck_s)).isoformat()
        return recheck_candidate(self.context.db, key, since)

    def article_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        kwargs = _request(failure).cb_kwargs
        yield from self._answered(kwargs["source"])
        message = describe_exception(failure.value)
        logger.warning("%s: article failed: %s (%s)", kwargs["source"], message,
                       _request(failure).url)
        self.context.stats.error(kwargs["source"], f"{message}: {_request(failure).url}")
        if kwargs["recheck"] is None:
            gone = message in ("HTTP 404", "HTTP 410")
            self.context.record_failure(kwargs["key"], kwargs["source"],
                                        SeenStatus.GONE if gone else SeenStatus.ERROR, message)

    async def parse_article(self, response: Response, source: str, entry: FeedEntry,
                            key: str, recheck: Recheck | None
                            ) -> AsyncIterator[ArticleItem | scrapy.Request]:
        stats = self.context.stats
        stats.count(source, "fetched")
        for request in self._answered(source):
            yield request
        result = await self._analysed(response, source, key, entry.published_at is not None)
        if result is None:
            return
        self.done += 1
        if self.done % PROGRESS_EVERY == 0:
            logger.info("progress: %d articles processed", self.done)
        yield ArticleItem(source=source, url=response.url, requested_key=key, entry=entry,
                          result=result, fetched_at=utcnow(), recheck=recheck)

    async def _analysed(self, response: Response, source: str, key: str,
                        dated: bool) -> PageResult | None:
        """The page as the workers analysed it; None when they could not (recorded as a
        failure, or left undecided for the next run). `dated`: its listing gave its date,
        which is stored, so the page is not searched for one."""
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1") or None
        for attempt in range(1, WORKER_ATTEMPTS + 1):
            try:
                future = self.context.pool.submit(response.body, response.url, content_type,
                                                  dated)
                return await asyncio.wrap_future(future)
            except BrokenProcessPool:  # the workers stopped under the page, not for it
                if attempt == WORKER_ATTEMPTS or not self.crawler.crawling:
                    logger.warning("%s: not analysed, the extraction workers stopped: %s "
                                   "(fetched again next run)", source, response.url)
                    self.context.stats.error(source, f"extraction workers stopped: "
                                                     f"{response.url}")
                    return None  # undecided: the next run fetches it again
                logger.info("%s: the extraction workers stopped; new ones take %s", source,
                            response.url)
            except (FutureTimeout, TimeoutError):
                self.context.stats.error(source, f"extraction timed out: {response.url}")
                self.context.record_failure(key, source, SeenStatus.ERROR,
                                            "extraction timed out")
                return None
            except asyncio.CancelledError:  # the run is stopping: undecided, fetched next run
                logger.info("%s: not analysed, the run is stopping: %s", source, response.url)
                return None
            except Exception as exc:
                self._analysis_failed(exc, response.url, source, key)
                return None
        return None

    def _analysis_failed(self, exc: Exception, url: str, source: str, key: str) -> None:
        stats = self.context.stats
        if not self.crawler.crawling:  # stopping: the workers went with the run
            logger.info("%s: not analysed, the run is stopping (%s): %s", source,
                        type(exc).__name__, url)
            return  # undecided: the next run fetches it again
        from pebble import ProcessExpired  # loaded with the pool that raised

        if not isinstance(exc, ProcessExpired | CancelledError):
            logger.exception("%s: extraction failed for %s", source, url)
            stats.error(source, f"extraction failed ({type(exc).__name__}): {url}")
            self.context.record_failure(key, source, SeenStatus.ERROR, f"extraction failed: {exc}")
            return
        # A worker that dies (out of memory, killed) costs this page, with a retry in a
        # later run, and no traceback: the page is the likely cause.
        logger.warning("%s: the extraction worker died on %s (%s)", source, url, exc)
        stats.error(source, f"extraction worker died: {url}")
        self.context.record_failure(key, source, SeenStatus.ERROR, "extraction worker died")


def _listing_of(response: Response) -> str:
    """The URL a listing was requested at (its response's may be a redirect's), which its
    validators are kept for."""
    return str(response.meta.get("veille_listing", response.url))


def _request(failure: Failure) -> scrapy.Request:
    """The request a download failure is about (Scrapy attaches it to the failure)."""
    request = getattr(failure, "request", None)
    if not isinstance(request, scrapy.Request):
        raise TypeError(f"a download failure without its request: {failure!r}")
    return request
