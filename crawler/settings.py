"""Scrapy settings for veille: polite by default, with remote-code endpoints switched off."""

from __future__ import annotations

from typing import Any

from veille import __version__

CONTACT_URL = "https://github.com/veille-news/veille"
USER_AGENT = f"veille/{__version__} (+{CONTACT_URL}; news monitoring)"


def scrapy_settings(**overrides: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "BOT_NAME": "veille",
        "USER_AGENT": USER_AGENT,
        "ROBOTSTXT_OBEY": True,
        "ROBOTSTXT_USER_AGENT": "veille",
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": 0.5,
        "AUTOTHROTTLE_MAX_DELAY": 30.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 2.0,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
        "DOWNLOAD_TIMEOUT": 20,
        "DOWNLOAD_MAXSIZE": 10 * 1024 * 1024,
        "DOWNLOAD_WARNSIZE": 5 * 1024 * 1024,
        "RETRY_TIMES": 2,
        "REDIRECT_MAX_TIMES": 5,
        "COOKIES_ENABLED": False,
        "DNS_TIMEOUT": 15,
        # IPv6 as well as IPv4 (the default resolver only asks for A records)
        "DNS_RESOLVER": "scrapy.resolver.CachingHostnameResolver",
        # Off: an interactive console and an endpoint that executes Python code
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        # Only the extensions a crawl uses: Scrapy imports every class its lists name,
        # even one set to None (RemoteControl alone loads aiohttp: 0.2 s of each start).
        "EXTENSIONS_BASE": {
            "scrapy.extensions.corestats.CoreStats": 0,
            "scrapy.extensions.logcount.LogCount": 0,
            "scrapy.extensions.closespider.CloseSpider": 0,
            "scrapy.extensions.throttle.AutoThrottle": 0,
        },
        # Sources are http(s) only: no local files, FTP or S3 reachable from a feed
        "DOWNLOAD_HANDLERS": {"file": None, "ftp": None, "s3": None},
        "ITEM_PIPELINES": {"crawler.handoff.HandoffPipeline": 300},
        # Scrapy's own downloader middlewares, less those a crawl never uses (cookies are
        # off, and their middleware loads tldextract; no HTTP auth, no HTTP cache), and
        # robots.txt and meta refresh, which veille's own replace.
        "DOWNLOADER_MIDDLEWARES_BASE": {
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": 50,
            "scrapy.downloadermiddlewares.downloadtimeout.DownloadTimeoutMiddleware": 350,
            "scrapy.downloadermiddlewares.defaultheaders.DefaultHeadersMiddleware": 400,
            "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": 500,
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": 550,
            "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": 590,
            "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": 600,
            "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": 750,
            "scrapy.downloadermiddlewares.stats.DownloaderStats": 850,
        },
        # Scrapy's spider middlewares, less those a crawl does not use, each of which wraps
        # every callback's output in one more asynchronous generator: Referer headers
        # (none is needed to fetch an article), request depth (veille bounds sitemap
        # nesting itself) and the detection of copied request meta (a check for spider
        # authors).
        "SPIDER_MIDDLEWARES_BASE": {
            "scrapy.spidermiddlewares.start.StartSpiderMiddleware": 25,
            "scrapy.spidermiddlewares.httperror.HttpErrorMiddleware": 50,
            "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": 800,
        },
        "DOWNLOADER_MIDDLEWARES": {
            "crawler.middlewares.PrivateAddressGuard": 60,
            # Scrapy's meta refresh (580), without decoding a page that declares none
            "crawler.middlewares.HeadMetaRefreshMiddleware": 580,
            "crawler.middlewares.RobotsPolicyMiddleware": 100,
            # after RetryMiddleware (550) on the way back, so it sees 429/503 first
            "crawler.middlewares.RetryAfterMiddleware": 560,
        },
        "DEFAULT_DROPITEM_LOG_LEVEL": "DEBUG",
        # Responses waiting for the extraction workers; beyond this Scrapy pauses
        # downloads instead of piling pages up in memory.
        "SCRAPER_SLOT_MAX_ACTIVE_SIZE": 2_000_000,
        "CONCURRENT_ITEMS": 4,
        "LOG_LEVEL": "WARNING",
        "LOG_INSTALL_ROOT_HANDLER": False,
        "LOG_ENABLED": True,
        "MEMUSAGE_ENABLED": False,
        # A check for spider authors (a generator that returns a value) that reads and
        # parses the source of each callback at its first call: veille's spider is tested,
        # not written at the crawl's start.
        "WARN_ON_GENERATOR_RETURN_VALUE": False,
    }
    settings.update(overrides)
    return settings
