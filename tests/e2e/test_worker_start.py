"""When a crawl starts its extraction workers: at once for a source never crawled, when a
listing names a new article otherwise, and not at all when nothing is new."""

from __future__ import annotations

import json
from datetime import datetime

from tests.helpers import run_veille, write_sources
from veille.demo import content
from veille.demo.pages import Article, FeedItem, article_html, rss_feed
from veille.demo.site import NewsSite, Route

STARTING = "starting 2 extraction worker(s)"
FEED_DELAY_S = 0.5  # the listing comes well after a start at the crawl's beginning
ARTICLE_DELAY_S = 2.0  # and a new article well after the listing that names it


def crawl(tmp_path, sources) -> list[tuple[datetime, str]]:
    """The crawl's log messages, in order, with their times."""
    result = run_veille("-v", "--log-format", "json", "--db", str(tmp_path / "v.db"),
                        "--sources", str(sources), "crawl", "--workers", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    return [(datetime.fromisoformat(line["ts"]), line["msg"]) for line in lines]


def at(log: list[tuple[datetime, str]], text: str) -> tuple[int, datetime]:
    """Where and when the first message with `text` was logged."""
    return next((i, when) for i, (when, message) in enumerate(log) if text in message)


def publish(site: NewsSite, *articles: Article) -> None:
    for article in articles:
        site.add(article.path, Route(article_html(article).encode(), delay=ARTICLE_DELAY_S))
    items = [FeedItem(site.url(a.path), a.title, a.published) for a in articles]
    site.add("/rss.xml", Route(rss_feed("Monde", site.base_url, items).encode(),
                               content_type="application/rss+xml", delay=FEED_DELAY_S))


def test_workers_start_early_for_a_first_crawl_late_for_news_never_for_nothing(tmp_path):
    with NewsSite() as site:
        sources = write_sources(tmp_path / "s.toml", {"monde": site.url("/rss.xml")})
        publish(site, content.KHARKIV)
        first = crawl(tmp_path, sources)
        # never crawled: the workers start before the feed has even answered
        assert at(first, STARTING)[0] < at(first, "links in")[0], first
        publish(site, content.KHARKIV, content.SANCTIONS)
        second = crawl(tmp_path, sources)
        # crawled before: they start once the feed names an article to download, not when
        # the article comes (ARTICLE_DELAY_S later)
        (listed, listed_at), (started, started_at) = at(second, "links in"), at(second, STARTING)
        assert "1 to download" in second[listed][1]
        assert listed < started and (started_at - listed_at).total_seconds() < 1.0, second
        third = crawl(tmp_path, sources)
        assert "0 to download" in third[at(third, "links in")[0]][1]
        assert not any(STARTING in m for _, m in third)  # nothing new: no worker at all
