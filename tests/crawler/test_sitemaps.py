import gzip
from datetime import datetime

import pytest

from crawler.sitemaps import SitemapError, inflate, parse_date, parse_sitemap
from veille.demo.pages import FeedItem, news_sitemap, sitemap_index


def test_parse_news_sitemap_keeps_news_fields():
    item = FeedItem("https://x.fr/a.html", "Kyïv & drones",
                    datetime.fromisoformat("2026-11-27T08:00:00+01:00"))
    parsed = parse_sitemap(news_sitemap([item], keywords="Ukraine, Russie").encode(),
                           "https://x.fr/news.xml")
    entry = parsed.entries[0]
    assert not parsed.is_index
    assert entry.url == "https://x.fr/a.html"
    assert entry.title == "Kyïv & drones"
    assert entry.published_at == "2026-11-27T07:00:00+00:00"
    assert entry.language == "fr" and entry.keywords == "Ukraine, Russie"


def test_parse_plain_sitemap_with_lastmod_and_relative_loc():
    body = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>/monde/a.html</loc><lastmod>2026-11-27</lastmod></url></urlset>"""
    entry = parse_sitemap(body, "https://x.fr/sitemap.xml").entries[0]
    assert entry.url == "https://x.fr/monde/a.html"
    assert entry.date == "2026-11-27T00:00:00+00:00"


def test_parse_sitemap_index_lists_children():
    parsed = parse_sitemap(sitemap_index(["https://x.fr/s1.xml", "/s2.xml"]).encode(),
                           "https://x.fr/index.xml")
    assert parsed.is_index
    assert parsed.children == ["https://x.fr/s1.xml", "https://x.fr/s2.xml"]


def test_parse_sitemap_drops_non_http_locations():
    body = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>file:///etc/passwd</loc></url><url><loc>ftp://x.fr/a</loc></url>
      <url><loc>https://x.fr/ok.html</loc></url></urlset>"""
    parsed = parse_sitemap(body, "https://x.fr/s.xml")
    assert [e.url for e in parsed.entries] == ["https://x.fr/ok.html"]
    assert parsed.skipped == 2


def test_parse_sitemap_counts_malformed_dates():
    body = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>https://x.fr/a.html</loc><lastmod>le 32 brumaire</lastmod></url></urlset>"""
    parsed = parse_sitemap(body, "https://x.fr/s.xml")
    assert parsed.entries[0].date is None and parsed.bad_dates == 1


def test_parse_sitemap_refuses_external_entities():
    body = b"""<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "file:///etc/passwd">]>
      <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>https://x.fr/&x;</loc></url></urlset>"""
    parsed = parse_sitemap(body, "https://x.fr/s.xml")
    assert all("root:" not in e.url for e in parsed.entries)


def test_inflate_gzip_and_refuse_bomb():
    assert inflate(gzip.compress(b"<urlset/>")) == b"<urlset/>"
    bomb = gzip.compress(b"\0" * (60 * 1024 * 1024))
    assert len(bomb) < 100_000
    with pytest.raises(SitemapError, match="inflates past"):
        inflate(bomb)


def test_parse_sitemap_rejects_other_documents():
    with pytest.raises(SitemapError, match="not a sitemap"):
        parse_sitemap(b"<html><body>Accueil</body></html>", "https://x.fr/s.xml")


def test_parse_date_formats():
    assert parse_date("2026-11-27T08:30:00Z") == "2026-11-27T08:30:00+00:00"
    assert parse_date("2026-11-27T08:30+01:00") == "2026-11-27T07:30:00+00:00"
    assert parse_date("hier") is None
