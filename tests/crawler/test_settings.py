from crawler.settings import scrapy_settings


def test_scrapy_settings_are_polite():
    settings = scrapy_settings()
    assert settings["ROBOTSTXT_OBEY"] is True
    assert "veille" in settings["USER_AGENT"] and "+http" in settings["USER_AGENT"]
    assert settings["AUTOTHROTTLE_ENABLED"] is True
    assert settings["CONCURRENT_REQUESTS_PER_DOMAIN"] <= 2
    assert settings["DOWNLOAD_TIMEOUT"] <= 30
    assert settings["DOWNLOAD_MAXSIZE"] <= 10 * 1024 * 1024


def test_scrapy_settings_switch_off_remote_code_and_local_handlers():
    settings = scrapy_settings()
    assert settings["TELNETCONSOLE_ENABLED"] is False
    assert settings["REMOTE_CONTROL_ENABLED"] is False
    # not even named: Scrapy imports every extension its lists name, even one set to None
    named = {**settings["EXTENSIONS_BASE"], **settings.get("EXTENSIONS", {})}
    assert "scrapy.extensions.remote_control.RemoteControl" not in named
    assert "scrapy.extensions.telnet.TelnetConsole" not in named
    assert "scrapy.extensions.throttle.AutoThrottle" in named  # politeness stays
    for scheme in ("file", "ftp", "s3"):
        assert settings["DOWNLOAD_HANDLERS"][scheme] is None


def test_scrapy_settings_overrides():
    assert scrapy_settings(DOWNLOAD_TIMEOUT=3)["DOWNLOAD_TIMEOUT"] == 3


def test_scrapy_settings_keep_the_downloader_middlewares_a_crawl_needs():
    settings = scrapy_settings()
    named = {**settings["DOWNLOADER_MIDDLEWARES_BASE"], **settings["DOWNLOADER_MIDDLEWARES"]}
    for needed in ("retry.RetryMiddleware", "redirect.RedirectMiddleware",
                   "httpcompression.HttpCompressionMiddleware",
                   "httpproxy.HttpProxyMiddleware", "downloadtimeout.DownloadTimeoutMiddleware",
                   "useragent.UserAgentMiddleware", "defaultheaders.DefaultHeadersMiddleware"):
        assert f"scrapy.downloadermiddlewares.{needed}" in named
    assert "crawler.middlewares.RobotsPolicyMiddleware" in named
    # Scrapy's meta refresh, which decodes every page, replaced by one that asks it only
    # of a page that may declare one (tests/crawler/test_meta_refresh.py)
    assert named["crawler.middlewares.HeadMetaRefreshMiddleware"] == 580
    assert "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware" not in named
    assert "crawler.middlewares.PrivateAddressGuard" in named
    # cookies are off, and their middleware alone loads tldextract at each start
    assert "scrapy.downloadermiddlewares.cookies.CookiesMiddleware" not in named
    assert "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware" not in named


def test_scrapy_settings_keep_the_spider_middlewares_a_crawl_needs():
    named = scrapy_settings()["SPIDER_MIDDLEWARES_BASE"]
    # non-2xx answers go to the errbacks, which count them; over-long links are dropped
    for needed in ("httperror.HttpErrorMiddleware", "urllength.UrlLengthMiddleware",
                   "start.StartSpiderMiddleware"):
        assert f"scrapy.spidermiddlewares.{needed}" in named
    # each of these wraps every callback's output once more, for nothing veille uses
    for unused in ("referer.RefererMiddleware", "depth.DepthMiddleware",
                   "metacopy.MetaCopyDetectionMiddleware"):
        assert f"scrapy.spidermiddlewares.{unused}" not in named
