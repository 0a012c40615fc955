"""End to end: a local outlet with RSS 2.0, Atom and RSS 1.0 feeds, crawled by `veille crawl`
in a subprocess; assertions on the SQLite database and on the site's own request log."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

import pytest

from tests.helpers import fixture_bytes, run_veille, write_sources
from veille.demo import content
from veille.demo.pages import FeedItem, article_html, atom_feed, rdf_feed, rss_feed
from veille.demo.site import NewsSite, Route

TRACKING = "?utm_source=rss&utm_medium=feed&xtor=RSS-3208&fbclid=IwAR0"
PAGES = {
    "/international/otan-baltique.html": ("figaro_like_otan.html", "text/html; charset=utf-8"),
    "/vosges/refugies-ukrainiens.html": ("latin1_regional_ukraine.html",
                                         "text/html; charset=ISO-8859-1"),
    "/en/international/nato-baltic-patrols": ("english_nato.html", "text/html"),
    "/consentement.html": ("cookie_wall.html", "text/html; charset=utf-8"),
}
GENERATED = {content.PENSIONS.path: content.PENSIONS, content.KHARKIV.path: content.KHARKIV,
             content.SANCTIONS.path: content.SANCTIONS}


def item(site: NewsSite, path: str, title: str = "titre", suffix: str = "") -> FeedItem:
    return FeedItem(site.url(path) + suffix, title, content.KHARKIV.published)


def build_site() -> NewsSite:
    site = NewsSite()
    for path, (name, content_type) in PAGES.items():
        site.add(path, Route(fixture_bytes(name), content_type=content_type))
    for path, article in GENERATED.items():
        site.add(path, Route(article_html(article).encode()))
    site.add("/slow/article.html", Route(behaviour="hang"))
    rss_items = [item(site, p) for p in PAGES]
    rss_items += [item(site, content.PENSIONS.path),
                  item(site, content.KHARKIV.path, suffix=TRACKING)]
    site.add("/rss.xml", Route(rss_feed("Monde", site.base_url, rss_items).encode(),
                               content_type="application/rss+xml"))
    atom_items = [item(site, content.KHARKIV.path), item(site, "/international/otan-baltique.html")]
    site.add("/atom.xml", Route(atom_feed("Europe", site.base_url, atom_items).encode(),
                                content_type="application/atom+xml"))
    site.add("/rdf.xml", Route(rdf_feed("Europe", site.base_url,
                                        [item(site, content.SANCTIONS.path)]).encode(),
                               content_type="application/rdf+xml"))
    site.add("/slow.xml", Route(rss_feed("Lent", site.base_url,
                                         [item(site, "/slow/article.html")]).encode()))
    site.add("/error.xml", Route(b"Internal Server Error", status=500, content_type="text/plain"))
    site.add("/broken.xml", Route(b"<html><body>Maintenance en cours</body></html>"))
    site.add("/truncated.xml", Route(b"<?xml version='1.0'?><rss><channel><item><title>x",
                                     content_type="application/rss+xml"))
    return site


FEEDS = {"rss": "/rss.xml", "atom": "/atom.xml", "rdf": "/rdf.xml", "slow": "/slow.xml",
         "missing": "/missing.xml", "error": "/error.xml", "broken": "/broken.xml",
         "truncated": "/truncated.xml"}


@dataclass
class Crawl:
    site: NewsSite
    db: sqlite3.Connection
    first: object
    second: object
    first_hits: dict[str, int]
    second_hits: dict[str, int]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    with build_site() as site:
        sources = write_sources(tmp / "sources.toml",
                                {name: site.url(path) for name, path in FEEDS.items()})
        args = ("--db", str(tmp / "veille.db"), "--sources", str(sources), "crawl",
                "--download-timeout", "2")
        first = run_veille(*args)
        first_hits = {path: site.hits(path) for path in site.routes}
        second = run_veille(*args)
        second_hits = {path: site.hits(path) - first_hits[path] for path in site.routes}
    db = sqlite3.connect(tmp / "veille.db")
    db.row_factory = sqlite3.Row
    yield Crawl(site, db, first, second, first_hits, second_hits)
    db.close()


def titles(db):
    return {r["title"] for r in db.execute("SELECT title FROM articles")}


def test_crawl_completes_despite_bad_sources(crawl):
    assert crawl.first.returncode == 0, crawl.first.stderr[-3000:]
    out = crawl.first.stdout
    assert "HTTP 404" in out and "HTTP 500" in out
    assert "broken: feed failed: not a feed: the URL returned an HTML page" in out
    assert "truncated: feed failed: the feed lists no article links" in out
    assert "Run partial: " in out
    # the table fits 100 columns however long the errors; they are written in full below it
    assert max(len(line) for line in out.splitlines() if not line.startswith("!")) <= 100


def test_crawl_stores_french_on_topic_articles(crawl):
    assert titles(crawl.db) == {
        "L’Otan va renforcer sa présence en mer Baltique après les sabotages de câbles",
        "Des réfugiés ukrainiens accueillis à Épinal : « On a retrouvé un peu de paix »",
        content.KHARKIV.title,
        content.SANCTIONS.title,
    }


def test_crawl_rejects_english_offtopic_and_empty_pages(crawl):
    decisions = dict(crawl.db.execute(
        "SELECT canonical_url, status FROM seen_urls WHERE status != 'stored'").fetchall())
    by_path = {url.split(str(crawl.site.port))[-1]: status for url, status in decisions.items()}
    assert by_path["/en/international/nato-baltic-patrols"] == "not_french"
    assert by_path["/consentement.html"] == "no_text"
    assert by_path[content.PENSIONS.path] == "offtopic"
    assert by_path["/slow/article.html"] == "error"


def test_crawl_one_row_per_article_across_feeds_and_tracking_urls(crawl):
    rows = crawl.db.execute("SELECT canonical_url FROM articles WHERE title = ?",
                            [content.KHARKIV.title]).fetchall()
    assert len(rows) == 1
    assert "utm_" not in rows[0][0] and "xtor" not in rows[0][0] and "fbclid" not in rows[0][0]
    assert crawl.first_hits[content.KHARKIV.path] == 1
    assert crawl.first_hits["/international/otan-baltique.html"] == 1


def test_crawl_keeps_accents_of_latin1_page(crawl):
    text = crawl.db.execute("SELECT text FROM articles WHERE title LIKE 'Des réfugiés%'"
                            ).fetchone()[0]
    assert "Françoise Thiébaut" in text
    assert "Ã" not in text and "\ufffd" not in text


def test_crawl_stores_metadata_language_and_hash(crawl):
    row = crawl.db.execute("SELECT * FROM articles WHERE title LIKE 'L’Otan%'").fetchone()
    assert row["author"] == "Anne-Laure Besson"
    assert row["published_at"].startswith("2026-11-27")
    assert row["language"] == "fr" and row["language_score"] > 0.9
    assert len(row["content_hash"]) == 64
    assert row["fetched_at"].endswith("+00:00")
    assert "Jean-Pierre75" not in row["text"] and "cookies" not in row["text"]


def test_crawl_tags_topics_with_evidence(crawl):
    tags, others = {}, {}
    for row in crawl.db.execute("SELECT a.title, t.topic, t.kind, t.score, t.evidence, "
                                "t.rules_version FROM article_topics t "
                                "JOIN articles a ON a.id = t.article_id"):
        (tags if row["kind"] == "topic" else others).setdefault(row["title"], set()).add(
            row["topic"])
        evidence = json.loads(row["evidence"])
        assert evidence and all({"term", "title", "lead", "body"} <= set(e) for e in evidence)
        assert row["score"] > 0 and row["rules_version"]
    assert tags[content.KHARKIV.title] == {"ukraine", "russia"}
    assert tags[content.SANCTIONS.title] == {"russia"}
    assert {"sanctions", "moscou"} <= others[content.SANCTIONS.title]  # sub-topic, entity
    assert "nato" in tags["L’Otan va renforcer sa présence en mer Baltique après les sabotages "
                          "de câbles"]


def test_crawl_records_run_with_counters(crawl):
    runs = crawl.db.execute("SELECT * FROM crawl_runs ORDER BY id").fetchall()
    assert [r["status"] for r in runs] == ["partial", "partial"]
    counters = json.loads(runs[0]["counters"])
    assert counters["totals"]["new"] == 4
    assert counters["sources"]["missing"]["feed"] == "HTTP 404"
    assert counters["sources"]["rss"]["not_french"] == 1
    assert counters["sources"]["rss"]["no_text"] == 1
    assert counters["sources"]["rss"]["offtopic"] == 1
    assert runs[0]["ended_at"] >= runs[0]["started_at"]


def test_second_run_downloads_no_article_again(crawl):
    assert crawl.second.returncode == 0, crawl.second.stderr[-3000:]
    article_paths = [*PAGES, *GENERATED]
    assert all(crawl.second_hits[p] == 0 for p in article_paths), crawl.second_hits
    assert crawl.second_hits["/rss.xml"] == 1
    counters = json.loads(crawl.db.execute(
        "SELECT counters FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()[0])
    assert counters["totals"].get("new", 0) == 0
    assert counters["totals"]["known"] >= 7


def test_keep_offtopic_stores_french_pages_without_tags(tmp_path):
    with NewsSite() as site:
        site.add(content.PENSIONS.path, Route(article_html(content.PENSIONS).encode()))
        site.add("/en.html", Route(fixture_bytes("english_nato.html")))
        site.add("/rss.xml", Route(rss_feed("x", site.base_url, [
            item(site, content.PENSIONS.path), item(site, "/en.html")]).encode()))
        sources = write_sources(tmp_path / "s.toml", {"rss": site.url("/rss.xml")})
        result = run_veille("--db", str(tmp_path / "v.db"), "--sources", str(sources), "crawl",
                            "--keep-offtopic")
    assert result.returncode == 0, result.stderr[-2000:]
    db = sqlite3.connect(tmp_path / "v.db")
    assert [r[0] for r in db.execute("SELECT title FROM articles")] == [content.PENSIONS.title]
    assert db.execute("SELECT count(*) FROM article_topics").fetchone()[0] == 0


def test_crawl_exits_1_when_every_source_fails(tmp_path):
    with NewsSite() as site:
        site.add("/error.xml", Route(b"oops", status=500))
        sources = write_sources(tmp_path / "s.toml", {"a": site.url("/missing.xml"),
                                                      "b": site.url("/error.xml")})
        result = run_veille("--db", str(tmp_path / "v.db"), "--sources", str(sources), "crawl")
    assert result.returncode == 1
    assert "Run failed: 0 new, 0 duplicate(s), 0 error(s); 2 of 2 source(s) failed." in \
        result.stdout
    assert "2 of 2 sources failed" in result.stderr  # the log line says so too
    db = sqlite3.connect(tmp_path / "v.db")
    assert db.execute("SELECT status FROM crawl_runs").fetchone()[0] == "failed"


def test_crawl_reports_dead_host(tmp_path):
    with NewsSite() as site:
        dead_port = site.port
    sources = write_sources(tmp_path / "s.toml", {"dead": f"http://127.0.0.1:{dead_port}/rss"})
    result = run_veille("--db", str(tmp_path / "v.db"), "--sources", str(sources), "crawl")
    assert result.returncode == 1
    assert "connection refused" in result.stdout
