"""Downloader middlewares: robots.txt read as RFC 9309 says, Retry-After honoured, and
meta refresh looked for without decoding the page.

Scrapy allows everything when robots.txt answers 5xx or never answers, fetches it
again at every run, and retries 429 and 503 at once, ignoring Retry-After. A
monitor that comes back every 15 minutes must do better on all three.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from protego import Protego
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.extensions.httpcache import parse_cachecontrol
from scrapy.http import HtmlResponse, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.context import CrawlContext
from crawler.failures import describe_exception
from storage.robots import cached_robots, origin, save_robots
from veille.net import is_public_address, parse_retry_after

logger = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309: parse at least 500 KiB; we parse no more
ROBOTS_DOWNLOAD_MAX = 32 * 1024 * 1024  # larger is refused (disallow until next run)
ROBOTS_TIMEOUT_S = 10.0
DENY_ALL = b"User-agent: *\nDisallow: /\n"
# RFC 9309, 2.4: a robots.txt may be kept, not for more than 24 hours. A shorter
# Cache-Control max-age is honoured, and no-store keeps nothing.
ROBOTS_CACHE_S = 24 * 3600


def robots_lifetime(cache_control: str | bytes | None, limit: float = ROBOTS_CACHE_S) -> float:
    """How many seconds a robots.txt answer may be kept, from its Cache-Control."""
    header = cache_control.encode("latin-1") if isinstance(cache_control, str) else cache_control
    directives = parse_cachecontrol(header or b"")
    if b"no-store" in directives:
        return 0.0
    max_age = directives.get(b"max-age")
    try:
        return limit if max_age is None else max(0.0, min(limit, float(max_age.strip(b' "'))))
    except ValueError:  # unreadable: the limit
        return limit


class _Rules(RobotParser):
    """A parsed robots.txt, with why it allows or forbids everything when it does."""

    def __init__(self, body: bytes, note: str | None = None) -> None:
        text = body[:ROBOTS_MAX_BYTES].decode("utf-8-sig", errors="ignore")
        self._parser = Protego.parse(text)
        self.note = note

    @classmethod
    def from_crawler(cls, crawler: Crawler, robotstxt_body: bytes) -> _Rules:
        return cls(robotstxt_body)

    def allowed(self, url: str | bytes, user_agent: str | bytes) -> bool:
        as_text = [v.decode("utf-8", "ignore") if isinstance(v, bytes) else v
                   for v in (url, user_agent)]
        return bool(self._parser.can_fetch(as_text[0], as_text[1]))


class RobotsPolicyMiddleware(RobotsTxtMiddleware):
    """robots.txt per host: 4xx allows all, 5xx and timeouts disallow all until the next
    run (RFC 9309), and only the first 512 KiB are read. A 2xx or 4xx answer is kept in
    the database for up to 24 hours (VEILLE_ROBOTS_CACHE_S; 0 fetches it at every run)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._user_agent = crawler.settings.get("ROBOTSTXT_USER_AGENT") or "*"
        self._keep_s = crawler.settings.getfloat("VEILLE_ROBOTS_CACHE_S", ROBOTS_CACHE_S)

    async def robot_parser(self, request: Request) -> Any:
        netloc = urlparse_cached(request).netloc
        current = self._parsers.get(netloc)
        if isinstance(current, Deferred):  # another request is fetching it
            return await maybe_deferred_to_future(current)
        if current is not None:
            return current
        waiting: Deferred[Any] = Deferred()
        self._parsers[netloc] = waiting
        rules = self._kept_rules(request) or await self._fetch_rules(request)
        self._parsers[netloc] = rules
        waiting.callback(rules)
        return rules

    def _context(self) -> CrawlContext | None:
        context = getattr(self.crawler.spider, "context", None)
        if not isinstance(context, CrawlContext) or context.storage_error is not None:
            return None
        return context

    def _kept_rules(self, request: Request) -> _Rules | None:
        context = self._context()
        if context is None or self._keep_s <= 0:
            return None
        url = urlparse_cached(request)
        kept = cached_robots(context.db, origin(request.url))
        if kept is None:
            return None
        self._stats.inc_value("veille/robots_kept")
        logger.debug("%s: robots.txt as fetched at %s (HTTP %d)", url.netloc, kept.fetched_at,
                     kept.status)
        return _Rules(kept.body if kept.status < 400 else b"")

    def _keep(self, request: Request, response: Response) -> None:
        context = self._context()
        if context is None or self._keep_s <= 0:
            return
        url = urlparse_cached(request)
        lifetime = robots_lifetime(response.headers.get("Cache-Control"), self._keep_s)
        body = response.body[:ROBOTS_MAX_BYTES] if response.status < 400 else b""
        try:
            save_robots(context.db, origin(request.url), response.status, body, lifetime)
        except Exception as exc:  # the rules hold for this run; the next one fetches again
            if not context.storage_failed(exc):
                logger.warning("%s: robots.txt not kept: %s", url.netloc, exc)

    async def _fetch_rules(self, request: Request) -> _Rules:
        url = urlparse_cached(request)
        robots = Request(
            f"{url.scheme}://{url.netloc}/robots.txt", priority=self.DOWNLOAD_PRIORITY,
            callback=NO_CALLBACK,
            meta={"dont_obey_robotstxt": True, "download_timeout": ROBOTS_TIMEOUT_S,
                  "max_retry_times": 1, "download_maxsize": ROBOTS_DOWNLOAD_MAX,
                  "handle_httpstatus_all": True, "veille_robots": True,
                  "veille_source": request.meta.get("veille_source")},
        )
        try:
            response = await self.crawler.engine.download_async(robots)
        except Exception as exc:  # timeout, refused, too large: nothing fetched
            why = describe_exception(exc)
            logger.warning("%s: robots.txt could not be fetched (%s): disallowing the host "
                           "until the next run", url.netloc, why)
            return _Rules(DENY_ALL, f"robots.txt unreachable: {why}")
        self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        if response.status >= 500:
            logger.warning("%s: robots.txt answered %d: disallowing the host until the next "
                           "run", url.netloc, response.status)
            return _Rules(DENY_ALL, f"robots.txt answered HTTP {response.status}")
        self._keep(request, response)
        if response.status >= 400:
            return _Rules(b"")
        if len(response.body) > ROBOTS_MAX_BYTES:
            logger.info("%s: robots.txt is %d bytes, reading the first %d", url.netloc,
                        len(response.body), ROBOTS_MAX_BYTES)
        return _Rules(response.body)

    def process_request_2(self, rp: Any, request: Request) -> None:
        if rp is None:
            return
        if not rp.allowed(request.url, self._user_agent):
            self._stats.inc_value("robotstxt/forbidden")
            reason = (rp.note if isinstance(rp, _Rules) else None) or "forbidden by robots.txt"
            raise IgnoreRequest(f"Forbidden by robots.txt: {reason}")


class PrivateAddressGuard:
    """Refuse requests to private, loopback and link-local addresses, at every redirect hop,
    unless the source says `allow_private = true`.

    The host is resolved here (decimal, hex and IPv6 forms of 127.0.0.1 included) and every
    address it resolves to must be public. A feed or a sitemap cannot send veille into the
    operator's network or to a cloud metadata endpoint.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._private: dict[tuple[str, int], list[str]] = {}  # per run: (host, port) -> addresses

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressGuard:
        return cls(crawler)

    def _allowed_private(self, request: Request) -> bool:
        name = request.meta.get("veille_source")
        context = getattr(self.crawler.spider, "context", None)
        if not isinstance(context, CrawlContext) or not name:
            return False
        source = context.by_name.get(name)
        return bool(source and source.allow_private)

    async def process_request(self, request: Request) -> None:
        if self._allowed_private(request):
            return
        parts = urlparse_cached(request)
        host = parts.hostname or ""
        key = (host, parts.port or (443 if parts.scheme == "https" else 80))
        if key not in self._private:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(*key)
            except (OSError, UnicodeError):
                # Not waved through: a proxy could resolve it into the operator's network.
                self.crawler.stats.inc_value("veille/unresolvable_refused")
                raise IgnoreRequest(f"refused: DNS lookup failed for {host}") from None
            addresses = {str(info[4][0]) for info in infos}
            self._private[key] = sorted(a for a in addresses if not is_public_address(a))
        private = self._private[key]
        if private:
            self.crawler.stats.inc_value("veille/private_address_refused")
            raise IgnoreRequest(f"refused: {host} resolves to a private address "
                                f"({', '.join(private)}); set allow_private = true for this "
                                "source if that is intended")


class RetryAfterMiddleware:
    """429 or 503 with Retry-After: no request to that host before the date given, then
    one more try; waits longer than VEILLE_RETRY_AFTER_MAX give up until the next run."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("VEILLE_RETRY_AFTER_MAX", 120.0)
        self.max_times = crawler.settings.getint("VEILLE_RETRY_AFTER_TIMES", 3)
        self.not_before: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).netloc
        wait = self.not_before.get(host, 0.0) - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status not in (429, 503):
            return response
        delay = parse_retry_after(response.headers.get("Retry-After"))
        if delay is None:
            return response
        host = urlparse_cached(request).netloc
        tries = request.meta.get("veille_retry_after", 0)
        if delay > self.max_wait or tries >= self.max_times:
            logger.warning("%s: asked to come back in %.0fs (try %d): giving up until the next "
                           "run", host, delay, tries + 1)
            return response
        self.not_before[host] = max(self.not_before.get(host, 0.0), time.monotonic() + delay)
        logger.info("%s answered %d, Retry-After %.0fs: waiting before %s", host,
                    response.status, delay, request.url)
        self.crawler.stats.inc_value("veille/retry_after")
        retry = request.replace(dont_filter=True)
        retry.meta["veille_retry_after"] = tries + 1
        return retry


# Scrapy reads a meta refresh in the first 4,096 characters of the page's text: 16 KB of
# bytes at most (4 bytes a character) hold them in any charset.
REFRESH_SCAN_BYTES = 4 * 4096


def may_refresh(body: bytes) -> bool:
    """Whether the head of `body` can declare a meta refresh. No when the word is not in
    its bytes, in every charset that writes ASCII letters as themselves (UTF-8, Latin-1,
    Windows-1252...); a head with NUL bytes (UTF-16 or UTF-32) may."""
    head = body[:REFRESH_SCAN_BYTES]
    return b"\0" in head or b"refresh" in head.lower()  # 11 µs; a case-blind regex 59


class HeadMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's meta refresh, asked only of a page whose head may declare one.

    Scrapy's reads `response.text`: the whole page decoded (2 to 4 times its size),
    which stays with the response until the page is analysed; the 34 pages waiting for
    the extraction workers held 11 MB so in the storing process (tracemalloc, 1,000
    articles on 10 outlets), and decoding was 2 % of its CPU. A page that cannot declare
    a refresh is passed on undecoded; any other goes through Scrapy's, unchanged.
    """

    def process_response(self, request: Request, response: Response,
                         spider: Any = None) -> Request | Response:
        if isinstance(response, HtmlResponse) and not may_refresh(response.body):
            return response
        return super().process_response(request, response)
