"""Sitemaps, section pages, conditional requests, updates and politeness, end to end:
`veille crawl` in a subprocess against sites started on 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from tests import helpers
from tests.helpers import run_veille, serve_articles, source_entry, write_sources
from veille.config import load_sources
from veille.demo import content
from veille.demo.pages import (
    FeedItem,
    article_html,
    news_sitemap,
    rss_feed,
    section_page,
    sitemap_index,
)
from veille.demo.site import NewsSite, Route

NOW = datetime.now(UTC).replace(microsecond=0)
ARTICLES = [content.KHARKIV, content.SANCTIONS, content.NATO_SUMMIT, content.CEASEFIRE]


def add_articles(site: NewsSite, articles=ARTICLES) -> list[FeedItem]:
    """Serve the articles; the items date them an hour apart, the newest now."""
    return serve_articles(site, articles, published=lambda n, _: NOW - timedelta(hours=n))


def crawl(tmp_path: Path, entries: str, *args: str):
    sources = write_sources(tmp_path / "sources.toml", entries=[entries])
    return run_veille("--db", str(tmp_path / "v.db"), "--sources", str(sources), "crawl",
                      "--download-timeout", "3", *args)


def db_rows(tmp_path: Path, sql: str) -> list[tuple]:
    return helpers.db_rows(tmp_path / "v.db", sql)


def test_news_sitemap_fetches_recent_entries_and_keeps_news_fields(tmp_path):
    with NewsSite() as site:
        items = add_articles(site)
        items[-1] = replace(items[-1], published=NOW - timedelta(days=10))  # too old
        site.add("/news.xml", Route(news_sitemap(items, keywords="Ukraine, guerre").encode(),
                                    content_type="application/xml"))
        result = crawl(tmp_path, source_entry("news", site.url("/news.xml"), "sitemap"))
        assert site.hits(ARTICLES[-1].path) == 0
        assert all(site.hits(a.path) == 1 for a in ARTICLES[:-1])
    assert result.returncode == 0, result.stderr[-2000:]
    rows = db_rows(tmp_path, "SELECT feed_title, keywords, published_at FROM articles")
    assert len(rows) == 3
    assert {r[1] for r in rows} == {"Ukraine, guerre"}
    assert {r[0] for r in rows} == {a.title for a in ARTICLES[:-1]}


def test_sitemap_index_loops_end_and_children_are_fetched_once(tmp_path):
    with NewsSite() as site:
        items = add_articles(site)
        site.add("/index.xml", Route(sitemap_index([site.url("/index.xml"), site.url("/a.xml"),
                                                    site.url("/b.xml")]).encode()))
        site.add("/a.xml", Route(sitemap_index([site.url("/index.xml"),
                                                site.url("/c.xml")]).encode()))
        site.add("/b.xml", Route(news_sitemap(items[:2]).encode()))
        site.add("/c.xml", Route(news_sitemap(items[2:]).encode()))
        result = crawl(tmp_path, source_entry("idx", site.url("/index.xml"), "sitemap"))
        hits = {p: site.hits(p) for p in ("/index.xml", "/a.xml", "/b.xml", "/c.xml")}
    assert result.returncode == 0, result.stderr[-2000:]
    assert hits == {"/index.xml": 1, "/a.xml": 1, "/b.xml": 1, "/c.xml": 1}
    assert len(db_rows(tmp_path, "SELECT id FROM articles")) == 4


def test_a_sitemap_index_is_asked_conditionally_once_each_child_was_read(tmp_path):
    with NewsSite() as site:
        items = add_articles(site)
        site.add("/index.xml", Route(sitemap_index([site.url("/a.xml"), site.url("/b.xml")])
                                     .encode(), etag='"i1"'))
        site.add("/a.xml", Route(news_sitemap(items[:2]).encode(), etag='"a1"'))
        # the second child fails in the first run (the first try and two retries)
        b = Route(news_sitemap(items[2:]).encode(), etag='"b1"')
        site.add("/b.xml", Route(status=500, then=[Route(status=500), Route(status=500), b]))
        entries = source_entry("idx", site.url("/index.xml"), "sitemap")
        results, answers = [], []
        for _ in range(3):
            before = len(site.statuses)
            results.append(crawl(tmp_path, entries))
            answers.append(sorted((p, s) for p, s in site.statuses[before:]
                                  if p.endswith(".xml")))
    assert [r.returncode for r in results] == [0, 0, 0]
    assert "1 error" in results[0].stdout
    assert answers == [
        [("/a.xml", 200)] + [("/b.xml", 500)] * 3 + [("/index.xml", 200)],
        [("/a.xml", 304), ("/b.xml", 200), ("/index.xml", 200)],  # the index read again
        [("/index.xml", 304)],  # every child read: the index is asked conditionally
    ]
    assert len(db_rows(tmp_path, "SELECT id FROM articles")) == 4


def test_a_sitemap_index_of_archives_is_read_from_its_newest_children(tmp_path):
    # 60 monthly archives listed oldest first, the current month last: a run reads at most
    # 50 children, so the newest must come first, and archives past max_age not at all.
    with NewsSite() as site:
        items = add_articles(site, ARTICLES[:2])
        months = [f"/sitemap-{n:03d}.xml" for n in range(60)]
        modified = {site.url(m): NOW - timedelta(days=30 * (59 - n))
                    for n, m in enumerate(months)}
        for month in months[:-1]:
            site.add(month, Route(news_sitemap([]).encode()))
        site.add(months[-1], Route(news_sitemap(items).encode()))
        site.add("/index.xml", Route(sitemap_index([site.url(m) for m in months],
                                                   modified).encode()))
        result = crawl(tmp_path, source_entry("idx", site.url("/index.xml"), "sitemap",
                                              max_age="45d"))
        read = [m for m in months if site.hits(m)]
    assert result.returncode == 0, result.stderr[-2000:]
    assert read == months[-2:]  # the current month and the one before: 30 days old
    assert len(db_rows(tmp_path, "SELECT id FROM articles")) == 2


def test_sitemap_with_file_locations_reads_no_file(tmp_path):
    secret = tmp_path / "secret.html"
    secret.write_text("<html><body><p>" + "Russie secret " * 50 + "</p></body></html>")
    with NewsSite() as site:
        items = add_articles(site, ARTICLES[:1])
        body = news_sitemap(items).replace(
            "</urlset>", f"<url><loc>file://{secret}</loc></url></urlset>")
        site.add("/news.xml", Route(body.encode()))
        result = crawl(tmp_path, source_entry("news", site.url("/news.xml"), "sitemap"))
    assert result.returncode == 0
    texts = [r[0] for r in db_rows(tmp_path, "SELECT text FROM articles")]
    assert len(texts) == 1 and "secret" not in texts[0]
    counters = json.loads(db_rows(tmp_path, "SELECT counters FROM crawl_runs")[0][0])
    assert counters["sources"]["news"]["bad_links"] == 1


def test_gzip_bomb_sitemap_is_rejected_and_the_run_goes_on(tmp_path):
    bomb = gzip.compress(b"<urlset>" + b" " * (60 * 1024 * 1024) + b"</urlset>")
    with NewsSite() as site:
        items = add_articles(site, ARTICLES[:1])
        site.add("/bomb.xml.gz", Route(bomb, content_type="application/x-gzip"))
        site.add("/rss.xml", Route(rss_feed("x", site.base_url, items).encode()))
        result = crawl(tmp_path, source_entry("bomb", site.url("/bomb.xml.gz"), "sitemap")
                       + source_entry("rss", site.url("/rss.xml"), "feed"))
    assert result.returncode == 0
    assert "bomb: feed failed: gzip sitemap inflates past" in result.stdout
    assert len(db_rows(tmp_path, "SELECT id FROM articles")) == 1


def test_malformed_dates_fall_back_to_the_page_date(tmp_path):
    with NewsSite() as site:
        add_articles(site, ARTICLES[:2])
        feed = rss_feed("x", site.base_url, [FeedItem(site.url(ARTICLES[0].path), "t", NOW)])
        feed = feed.replace(f"<pubDate>{format_datetime(NOW)}</pubDate>",
                            "<pubDate>le 32 brumaire an CCXXXV</pubDate>")
        sitemap = news_sitemap([FeedItem(site.url(ARTICLES[1].path), "t", NOW)]).replace(
            NOW.isoformat(), "pas une date")
        site.add("/rss.xml", Route(feed.encode()))
        site.add("/news.xml", Route(sitemap.encode()))
        result = crawl(tmp_path, source_entry("rss", site.url("/rss.xml"), "feed")
                       + source_entry("news", site.url("/news.xml"), "sitemap"))
    assert result.returncode == 0, result.stderr[-2000:]
    dates = dict(db_rows(tmp_path, "SELECT title, published_at FROM articles"))
    assert dates[ARTICLES[0].title] == ARTICLES[0].published.date().isoformat()
    assert dates[ARTICLES[1].title] == ARTICLES[1].published.date().isoformat()


def test_the_listings_date_is_stored_and_the_pages_otherwise(tmp_path):
    """A feed item's date wins over the page's (the workers then skip the page's date
    search); an item without one gets the page's."""
    with NewsSite() as site:
        add_articles(site, ARTICLES[:2])
        dated = FeedItem(site.url(ARTICLES[0].path), "t", NOW)
        feed = rss_feed("x", site.base_url, [dated, FeedItem(site.url(ARTICLES[1].path), "t",
                                                               NOW - timedelta(hours=1))])
        feed = feed.replace(f"<pubDate>{format_datetime(NOW - timedelta(hours=1))}</pubDate>",
                            "")
        site.add("/rss.xml", Route(feed.encode()))
        result = crawl(tmp_path, source_entry("rss", site.url("/rss.xml"), "feed"))
    assert result.returncode == 0, result.stderr[-2000:]
    dates = dict(db_rows(tmp_path, "SELECT title, published_at FROM articles"))
    assert ARTICLES[0].published.date() != NOW.date()
    assert dates[ARTICLES[0].title] == NOW.isoformat()
    assert dates[ARTICLES[1].title] == ARTICLES[1].published.date().isoformat()


def test_section_page_links_are_followed_once(tmp_path):
    with NewsSite() as site:
        add_articles(site, ARTICLES[:2])
        links = [(a.path, a.title) for a in ARTICLES[:2]] + [(ARTICLES[0].path + "?xtor=1", "x")]
        site.add("/international/", Route(section_page("International", links).encode()))
        result = crawl(tmp_path, source_entry("section", site.url("/international/"), "page"))
        assert site.hits("/tag/russie/") == 0 and site.hits("/international/page/2/") == 0
        assert site.hits(ARTICLES[0].path) == 1
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(db_rows(tmp_path, "SELECT id FROM articles")) == 2


def test_unchanged_listing_costs_one_conditional_request(tmp_path):
    with NewsSite() as site:
        items = add_articles(site)
        modified = format_datetime(NOW, usegmt=True)
        site.add("/rss.xml", Route(rss_feed("x", site.base_url, items).encode(),
                                   etag='"v1"', last_modified=modified))
        site.add("/news.xml", Route(news_sitemap(items).encode(), last_modified=modified))
        entries = (source_entry("rss", site.url("/rss.xml"), "feed")
                   + source_entry("news", site.url("/news.xml"), "sitemap"))
        assert crawl(tmp_path, entries).returncode == 0
        before = site.hits()
        second = crawl(tmp_path, entries)
        assert second.returncode == 0
        assert site.hits() - before == 2  # the two listings; robots.txt is kept a day
        assert site.answered(304) == 2
    assert "Run ok: " in second.stdout


def test_a_link_left_for_later_makes_the_next_run_read_its_unchanged_listing(tmp_path):
    # An article that fails (an error is tried again in later runs) and a budget that
    # leaves links for the next run: the feed has not changed, yet the next run must read
    # it, or a 304 would hide those links until the feed changes.
    with NewsSite() as site:
        items = add_articles(site)
        failing = ARTICLES[0].path
        page = site.routes[failing]
        site.add(failing, Route(status=500, then=[Route(status=500), Route(status=500), page]))
        site.add("/rss.xml", Route(rss_feed("x", site.base_url, items).encode(), etag='"v1"'))
        entries = source_entry("rss", site.url("/rss.xml"), "feed")
        first = crawl(tmp_path, entries)
        assert site.hits(failing) == 3  # the first try and Scrapy's two retries
        second = crawl(tmp_path, entries)
        assert site.answered(304) == 0  # the feed was read in full again...
        assert site.hits(failing) == 4  # ...and the failed article fetched again
        third = crawl(tmp_path, entries)
        assert site.answered(304) == 1  # every link decided: asked conditionally now
        # A budget (requests per run, the feed's included) leaves two links for later.
        budgeted = source_entry("budgeted", site.url("/rss2.xml"), "feed", budget=3)
        more = [helpers.distinct(content.SANCTIONS, n) for n in range(4)]
        site.add("/rss2.xml", Route(rss_feed("y", site.base_url,
                                             serve_articles(site, more)).encode(),
                                    etag='"w1"'))
        runs = [crawl(tmp_path, budgeted) for _ in range(3)]
        assert [site.hits(a.path) for a in more] == [1, 1, 1, 1]
        assert site.answered(304, "/rss2.xml") == 1  # the third run only
    assert first.returncode == 0 and "1 error" in first.stdout
    assert second.returncode == 0 and third.returncode == 0
    assert all(r.returncode == 0 for r in runs)
    assert len(db_rows(tmp_path, "SELECT id FROM articles")) == 8


def test_a_listing_that_moved_is_asked_conditionally_at_its_old_address(tmp_path):
    # The sources file names the old address; the site redirects it. The validators the
    # new address answered are kept for the address the next run asks first.
    with NewsSite() as site:
        items = add_articles(site, ARTICLES[:2])
        site.add("/old-rss.xml", Route(status=301, headers={"Location": "/rss.xml"}))
        site.add("/rss.xml", Route(rss_feed("x", site.base_url, items).encode(), etag='"v1"'))
        entries = source_entry("rss", site.url("/old-rss.xml"), "feed")
        runs = [crawl(tmp_path, entries) for _ in range(2)]
        feed = [status for path, status in site.statuses if path == "/rss.xml"]
    assert [r.returncode for r in runs] == [0, 0]
    assert feed == [200, 304]
    assert len(db_rows(tmp_path, "SELECT id FROM articles")) == 2


def test_recheck_keeps_identity_and_stores_a_revision(tmp_path):
    with NewsSite() as site:
        items = add_articles(site, ARTICLES[:1])
        site.add("/rss.xml", Route(rss_feed("x", site.base_url, items).encode()))
        entries = source_entry("rss", site.url("/rss.xml"), "feed", recheck="24h")
        assert crawl(tmp_path, entries).returncode == 0
        assert crawl(tmp_path, entries).returncode == 0  # unchanged: no revision
        changed = replace(ARTICLES[0], paragraphs=[*ARTICLES[0].paragraphs,
                          "Mise à jour : le bilan s'est alourdi dans la soirée, selon les "
                          "autorités ukrainiennes."])
        site.add(ARTICLES[0].path, Route(article_html(changed).encode()))
        third = crawl(tmp_path, entries)
        assert site.hits(ARTICLES[0].path) == 3
    assert third.returncode == 0
    articles = db_rows(tmp_path, "SELECT id, text, updated_at FROM articles")
    assert len(articles) == 1 and "bilan s'est alourdi" in articles[0][1]
    assert articles[0][2] is not None
    revisions = db_rows(tmp_path, "SELECT article_id, text FROM article_revisions")
    assert len(revisions) == 1 and revisions[0][0] == articles[0][0]
    assert "bilan s'est alourdi" not in revisions[0][1]


def test_robots_txt_is_kept_a_day_and_its_rules_still_hold(tmp_path):
    with NewsSite() as site:
        items = add_articles(site, ARTICLES[:2])
        site.add("/robots.txt", Route(f"User-agent: *\nDisallow: {ARTICLES[1].path}\n"
                                      .encode(), content_type="text/plain"))
        site.add("/rss.xml", Route(rss_feed("x", site.base_url, items).encode()))
        entries = source_entry("rss", site.url("/rss.xml"), "feed")
        assert crawl(tmp_path, entries).returncode == 0
        second = crawl(tmp_path, entries)
        assert second.returncode == 0
        assert site.hits("/robots.txt") == 1  # the second run read the kept copy
        assert site.hits(ARTICLES[1].path) == 0  # and its rule held there too
        assert site.hits("/rss.xml") == 2
        (origin, status, fetched, expires), = db_rows(
            tmp_path, "SELECT origin, status, fetched_at, expires_at FROM robots_cache")
        assert origin == site.base_url and status == 200
        kept = datetime.fromisoformat(expires) - datetime.fromisoformat(fetched)
        assert kept == timedelta(hours=24)
        # The site lifts its rule: `veille forget` makes the next run read robots.txt again.
        site.add("/robots.txt", Route(b"User-agent: *\nAllow: /\n", content_type="text/plain"))
        forget = run_veille("--db", str(tmp_path / "v.db"), "--sources",
                            str(tmp_path / "sources.toml"), "forget")
        assert forget.returncode == 0 and "1 kept robots.txt" in forget.stdout
        assert crawl(tmp_path, entries).returncode == 0
        assert site.hits("/robots.txt") == 2 and site.hits(ARTICLES[1].path) == 1


def test_robots_txt_is_fetched_again_when_expired_or_not_to_be_kept(tmp_path):
    with NewsSite() as site:
        items = add_articles(site, ARTICLES[:1])
        site.add("/robots.txt", Route(b"User-agent: *\nAllow: /\n",
                                      content_type="text/plain",
                                      headers={"Cache-Control": "public, max-age=600"}))
        site.add("/rss.xml", Route(rss_feed("x", site.base_url, items).encode()))
        entries = source_entry("rss", site.url("/rss.xml"), "feed")
        assert crawl(tmp_path, entries).returncode == 0
        (fetched, expires), = db_rows(tmp_path, "SELECT fetched_at, expires_at FROM "
                                      "robots_cache")
        assert (datetime.fromisoformat(expires)
                - datetime.fromisoformat(fetched)) == timedelta(minutes=10)  # its max-age
        helpers.db_execute(tmp_path / "v.db", "UPDATE robots_cache SET expires_at = "
                           "'2000-01-01T00:00:00+00:00'")
        assert crawl(tmp_path, entries).returncode == 0
        assert site.hits("/robots.txt") == 2  # expired: fetched again
        # Now it forbids the articles, and says not to keep it: each run reads it.
        site.add("/robots.txt", Route(b"User-agent: *\nDisallow: /international/\n",
                                      content_type="text/plain",
                                      headers={"Cache-Control": "no-store"}))
        helpers.db_execute(tmp_path / "v.db", "UPDATE robots_cache SET expires_at = "
                           "'2000-01-01T00:00:00+00:00'")
        assert crawl(tmp_path, entries).returncode == 0
        assert crawl(tmp_path, entries).returncode == 0
        assert site.hits("/robots.txt") == 4
    assert db_rows(tmp_path, "SELECT * FROM robots_cache") == []


def test_robots_5xx_is_not_kept(tmp_path):
    with NewsSite() as site:
        items = add_articles(site, ARTICLES[:1])
        site.add("/robots.txt", Route(b"oops", status=503, content_type="text/plain"))
        site.add("/rss.xml", Route(rss_feed("x", site.base_url, items).encode()))
        entries = source_entry("rss", site.url("/rss.xml"), "feed")
        assert crawl(tmp_path, entries).returncode == 1
        asked = site.hits("/robots.txt")
        site.add("/robots.txt", Route(b"User-agent: *\nAllow: /\n", content_type="text/plain"))
        assert crawl(tmp_path, entries).returncode == 0
        assert site.hits("/robots.txt") == asked + 1 and site.hits(ARTICLES[0].path) == 1


def test_robots_5xx_disallows_the_host(tmp_path):
    with NewsSite() as site:
        items = add_articles(site, ARTICLES[:1])
        site.add("/robots.txt", Route(b"oops", status=503, content_type="text/plain"))
        site.add("/rss.xml", Route(rss_feed("x", site.base_url, items).encode()))
        result = crawl(tmp_path, source_entry("rss", site.url("/rss.xml"), "feed"))
        assert site.hits("/rss.xml") == 0 and site.hits(ARTICLES[0].path) == 0
    assert result.returncode == 1
    assert "robots.txt answered HTTP 503" in result.stdout


def test_robots_that_never_answers_disallows_within_bounded_time(tmp_path):
    with NewsSite() as site:
        items = add_articles(site, ARTICLES[:1])
        site.add("/robots.txt", Route(behaviour="hang"))
        site.add("/rss.xml", Route(rss_feed("x", site.base_url, items).encode()))
        started = time.monotonic()
        result = crawl(tmp_path, source_entry("rss", site.url("/rss.xml"), "feed"))
        elapsed = time.monotonic() - started
        assert site.hits("/rss.xml") == 0
    assert "robots.txt unreachable: timed out" in result.stdout
    assert elapsed < 45


def test_huge_robots_is_read_up_to_512_kib(tmp_path):
    padding = b"# " + b"x" * 100 + b"\n"
    body = (b"User-agent: *\nDisallow: /private/\n" + padding * 6000
            + b"User-agent: *\nDisallow: /international/\n")
    assert len(body) > 512 * 1024
    with NewsSite() as site:
        items = add_articles(site, ARTICLES[:1])  # /international/article/...
        site.add("/robots.txt", Route(body, content_type="text/plain"))
        site.add("/private/rss.xml", Route(rss_feed("x", site.base_url, items).encode()))
        site.add("/rss.xml", Route(rss_feed("x", site.base_url, items).encode()))
        result = crawl(tmp_path, source_entry("rss", site.url("/rss.xml"), "feed")
                       + source_entry("private", site.url("/private/rss.xml"), "feed"))
        assert site.hits("/private/rss.xml") == 0  # the rule in the first 512 KiB holds
        assert site.hits(ARTICLES[0].path) == 1  # the rule past 512 KiB is not read
    assert result.returncode == 0


def test_retry_after_is_honoured(tmp_path):
    with NewsSite() as site:
        items = add_articles(site, ARTICLES[:1])
        page = site.routes[ARTICLES[0].path]
        site.add(ARTICLES[0].path, Route(b"busy", status=429, headers={"Retry-After": "3"},
                                         then=[page]))
        site.add("/rss.xml", Route(rss_feed("x", site.base_url, items).encode()))
        result = crawl(tmp_path, source_entry("rss", site.url("/rss.xml"), "feed"))
        times = [t for (_, p, _), t in zip(site.requests, site.request_times, strict=True)
                 if p == ARTICLES[0].path]
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(times) == 2 and times[1] - times[0] >= 2.9
    assert len(db_rows(tmp_path, "SELECT id FROM articles")) == 1


def test_budget_caps_requests_per_source_and_the_rest_comes_next_run(tmp_path):
    with NewsSite() as site:
        items = add_articles(site)
        site.add("/rss.xml", Route(rss_feed("x", site.base_url, items).encode()))
        entries = source_entry("rss", site.url("/rss.xml"), "feed", budget=3)
        first = crawl(tmp_path, entries)
        fetched_first = sum(site.hits(a.path) for a in ARTICLES)
        crawl(tmp_path, entries)
        fetched_total = sum(site.hits(a.path) for a in ARTICLES)
    assert first.returncode == 0
    assert fetched_first == 2  # the feed itself is one of the 3 requests
    assert fetched_total == 4 and all(site.hits(a.path) == 1 for a in ARTICLES)


def test_feed_variety_rss091_and_offsite_items(tmp_path):
    with NewsSite() as site, NewsSite() as other:
        items = add_articles(site, ARTICLES[:1])
        other_items = add_articles(other, ARTICLES[1:2])
        rss091 = (f'<?xml version="1.0"?><rss version="0.91"><channel><title>x</title>'
                  f"<link>{site.base_url}</link><description>d</description>"
                  f"<item><title>t</title><link>{items[0].url}</link></item>"
                  f"<item><title>o</title><link>{other_items[0].url}</link></item>"
                  "</channel></rss>")
        site.add("/rss091.xml", Route(rss091.encode(), content_type="text/xml"))
        result = crawl(tmp_path, source_entry("old", site.url("/rss091.xml"), "feed"))
        assert other.hits(ARTICLES[1].path) == 0
        follow = crawl(tmp_path, source_entry("old", site.url("/rss091.xml"), "feed",
                                        follow_offsite=True))
        assert other.hits(ARTICLES[1].path) == 1
    assert result.returncode == 0 and follow.returncode == 0
    counters = json.loads(db_rows(tmp_path, "SELECT counters FROM crawl_runs")[0][0])
    assert counters["sources"]["old"]["offsite"] == 1


def test_discover_prints_pasteable_sources(tmp_path):
    with NewsSite() as site:
        home = (f'<html><head><link rel="alternate" type="application/rss+xml" title="À la une"'
                f' href="/rss/une.xml"><link rel="alternate" type="application/atom+xml" '
                f'href="{site.url("/atom.xml")}"></head><body>Accueil</body></html>')
        site.add("/", Route(home.encode()))
        site.add("/robots.txt", Route(f"User-agent: *\nSitemap: {site.url('/index.xml')}\n"
                                      .encode(), content_type="text/plain"))
        site.add("/index.xml", Route(sitemap_index([site.url("/sitemap-news.xml"),
                                                    site.url("/sitemap-2019.xml")]).encode()))
        result = run_veille("sources", "discover", site.url("/"))
    assert result.returncode == 0, result.stderr
    path = tmp_path / "found.toml"
    path.write_text(result.stdout, encoding="utf-8")
    found = {s.url: s.kind for s in load_sources(path).sources}
    assert found == {site.url("/rss/une.xml"): "feed", site.url("/atom.xml"): "feed",
                     site.url("/sitemap-news.xml"): "sitemap"}
    assert all(s.allow_private for s in load_sources(path).sources)
