"""A listing that announces far more articles than the spider hands to Scrapy at once
(crawler.spiders.news.ARTICLES_AHEAD): the others wait in the spider and are requested as
the first come back, answered or failed, so every one is fetched once and decided."""

from __future__ import annotations

import sqlite3
from collections import Counter

from crawler.spiders.news import ARTICLES_AHEAD
from tests.helpers import distinct, run_veille, serve_articles, write_sources
from veille.demo import content
from veille.demo.pages import FeedItem, rss_feed
from veille.demo.site import NewsSite, Route

GOOD, MISSING, BROKEN, FORBIDDEN = 24, 6, 3, 3


def test_every_waiting_article_is_requested_once_and_decided(tmp_path):
    assert GOOD + MISSING + BROKEN + FORBIDDEN > 4 * ARTICLES_AHEAD
    with NewsSite() as site:
        site.add("/robots.txt", Route(b"User-agent: *\nDisallow: /prive/\n",
                                      content_type="text/plain"))
        good = serve_articles(site, [distinct(content.KHARKIV, n) for n in range(GOOD)])
        when = content.KHARKIV.published
        missing = [FeedItem(site.url(f"/disparu/{n}.html"), "Disparu", when)
                   for n in range(MISSING)]
        for n in range(BROKEN):
            site.add(f"/panne/{n}.html", Route(b"oops", status=500, content_type="text/plain"))
        broken = [FeedItem(site.url(f"/panne/{n}.html"), "En panne", when) for n in range(BROKEN)]
        forbidden = [FeedItem(site.url(f"/prive/{n}.html"), "Interdit", when)
                     for n in range(FORBIDDEN)]
        # failures first, so that the first requests handed to Scrapy all fail
        items = missing + broken + forbidden + good
        site.add("/rss.xml", Route(rss_feed("Monde", site.base_url, items).encode(),
                                   content_type="application/rss+xml"))
        other = serve_articles(site, [distinct(content.SANCTIONS, n) for n in range(12)])
        site.add("/autre.xml", Route(rss_feed("Autre", site.base_url, other).encode(),
                                     content_type="application/rss+xml"))
        sources = write_sources(tmp_path / "s.toml", {"monde": site.url("/rss.xml"),
                                                      "autre": site.url("/autre.xml")})
        db = tmp_path / "v.db"
        result = run_veille("--db", str(db), "--sources", str(sources), "crawl",
                            "--keep-offtopic", timeout=240)
        hits = Counter(path for _, path, _ in site.requests)
    assert result.returncode == 0, result.stderr[-3000:]
    article_paths = [i.url.removeprefix(site.base_url) for i in good + other + missing]
    assert {p: hits[p] for p in article_paths} == dict.fromkeys(article_paths, 1)
    assert all(hits[f"/panne/{n}.html"] == 3 for n in range(BROKEN))  # retried twice
    assert not any(hits[f"/prive/{n}.html"] for n in range(FORBIDDEN))
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        statuses = Counter(s for (s,) in conn.execute("SELECT status FROM seen_urls"))
    assert stored == GOOD + len(other)
    # 404: gone; 500 and robots.txt: errors, tried again in a later run
    assert statuses["gone"] == MISSING and statuses["error"] == BROKEN + FORBIDDEN


LOSER = '''
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware


class LoseSomeRequests(BaseSpiderMiddleware):
    """Drops the article requests of /perdu/ on their way out of the spider, silently:
    no callback, no errback ever hears of them."""

    def get_processed_request(self, request, response):
        return None if "/perdu/" in request.url else request
'''
SITECUSTOMIZE = '''
import crawler.settings

_settings = crawler.settings.scrapy_settings


def _with_loser(**overrides):
    settings = _settings(**overrides)
    settings["SPIDER_MIDDLEWARES"] = {"loser.LoseSomeRequests": 10}
    return settings


crawler.settings.scrapy_settings = _with_loser
'''


def test_requests_lost_without_a_callback_do_not_stall_the_others(tmp_path):
    """A middleware (a future one, a plugin) that swallows requests: their places among
    the requests handed to Scrapy come back when Scrapy goes idle, so the source's other
    articles are still fetched, and the lost ones stay undecided for the next run."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "loser.py").write_text(LOSER, encoding="utf-8")
    (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    with NewsSite() as site:
        when = content.KHARKIV.published
        lost = [FeedItem(site.url(f"/perdu/{n}.html"), "Perdu", when)
                for n in range(ARTICLES_AHEAD)]  # the first ones handed to Scrapy
        good = serve_articles(site, [distinct(content.KHARKIV, n) for n in range(12)])
        site.add("/rss.xml", Route(rss_feed("Monde", site.base_url, lost + good).encode(),
                                   content_type="application/rss+xml"))
        sources = write_sources(tmp_path / "s.toml", {"monde": site.url("/rss.xml")})
        db = tmp_path / "v.db"
        result = run_veille("--db", str(db), "--sources", str(sources), "crawl",
                            "--keep-offtopic", env={"PYTHONPATH": str(hooks)}, timeout=240)
        hits = Counter(path for _, path, _ in site.requests)
    assert result.returncode == 0, result.stderr[-3000:]
    assert not any(path.startswith("/perdu/") for path in hits)  # the middleware worked
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == len(good)
        decided = {u for (u,) in conn.execute("SELECT canonical_url FROM seen_urls")}
    assert not any("/perdu/" in url for url in decided)
