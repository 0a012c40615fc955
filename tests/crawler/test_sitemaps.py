import gzip
from datetime import datetime

import pytest

from crawler.sitemaps import (
    SitemapError,
    children_to_read,
    inflate,
    parse_date,
    parse_sitemap,
)
from veille.demo.pages import FeedItem, atom_feed, news_sitemap, rdf_feed, rss_feed, sitemap_index


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
    assert [c.url for c in parsed.children] == ["https://x.fr/s1.xml", "https://x.fr/s2.xml"]


def test_an_index_is_read_newest_child_first_and_without_children_too_old():
    when = {f"https://x.fr/{m}.xml": datetime.fromisoformat(f"2026-{m}-01T00:00:00+00:00")
            for m in ("01", "02", "11", "12")}
    # archives, oldest first, then an undated child, as many indexes list them
    urls = [*when, "https://x.fr/latest.xml"]
    parsed = parse_sitemap(sitemap_index(urls, when).encode(), "https://x.fr/index.xml")
    assert parsed.children[0].lastmod == "2026-01-01T00:00:00+00:00"
    chosen, too_old = children_to_read(parsed.children, "2026-10-15T00:00:00+00:00")
    assert [c.url for c in chosen] == ["https://x.fr/12.xml", "https://x.fr/11.xml",
                                       "https://x.fr/latest.xml"]
    assert too_old == 2
    chosen, too_old = children_to_read(parsed.children, "2000-01-01T00:00:00+00:00")
    assert [c.url[-6:] for c in chosen] == ["12.xml", "11.xml", "02.xml", "01.xml",
                                            "st.xml"] and too_old == 0


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
    with pytest.raises(SitemapError, match="unsafe XML entities"):
        parse_sitemap(body, "https://x.fr/s.xml")


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


def test_parse_date_reads_w3c_years_and_months():
    assert parse_date("2026-11") == "2026-11-01T00:00:00+00:00"
    assert parse_date("2026") == "2026-01-01T00:00:00+00:00"
    assert parse_date("2026-13") is None and parse_date("26-11") is None


SMALL = [FeedItem(f"https://x.fr/article-{n}.html", f"Titre {n}", datetime(2026, 11, 27, 8, n))
         for n in range(3)]


@pytest.mark.parametrize("builder", [rss_feed, atom_feed, rdf_feed])
def test_feeds_used_as_sitemaps_list_their_items(builder):
    parsed = parse_sitemap(builder("t", "https://x.fr", SMALL).encode(), "https://x.fr/s.xml")
    assert not parsed.is_index
    assert [e.url for e in parsed.entries] == [i.url for i in SMALL]
    assert parsed.entries[0].title == "Titre 0" and parsed.entries[0].date


def test_text_sitemap_one_url_per_line():
    body = ("\ufeffhttps://x.fr/a.html\r\n\nhttps://x.fr/b.html\nfile:///etc/passwd\n"
            "pas une adresse\nhttps://x.fr/c.html").encode()
    parsed = parse_sitemap(body, "https://x.fr/sitemap.txt")
    assert [e.url for e in parsed.entries] == ["https://x.fr/a.html", "https://x.fr/b.html",
                                                "https://x.fr/c.html"]
    assert parsed.skipped == 2
    with pytest.raises(SitemapError, match="neither XML nor a text list"):
        parse_sitemap(b"\x00\x01\x02binary", "https://x.fr/s.txt")


def test_index_may_list_feed_and_text_sitemaps():
    index = sitemap_index(["https://x.fr/rss.xml", "https://x.fr/sitemap.txt"]).encode()
    assert [c.url for c in parse_sitemap(index, "https://x.fr/i.xml").children] == [
        "https://x.fr/rss.xml", "https://x.fr/sitemap.txt"]


def test_truncated_sitemap_yields_no_url_cut_in_the_middle():
    whole = news_sitemap(SMALL).encode()
    for cut in (whole.index(b"article-2") + 4, whole.index(b"article-2") - 6,
                whole.rindex(b"</loc>") + 3, len(whole) - 20):
        parsed = parse_sitemap(whole[:cut], "https://x.fr/news.xml")
        urls = [e.url for e in parsed.entries]
        assert set(urls) <= {i.url for i in SMALL}, (cut, urls)
        assert urls[:2] == [SMALL[0].url, SMALL[1].url]
    cut_in_index = sitemap_index(["https://x.fr/s1.xml", "https://x.fr/s2-long.xml"]).encode()
    parsed = parse_sitemap(cut_in_index[:cut_in_index.index(b"s2-long") + 3],
                           "https://x.fr/i.xml")
    assert [c.url for c in parsed.children] == ["https://x.fr/s1.xml"]


def test_sitemap_declaring_character_entities_is_read():
    body = b"""<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY eacute "&#233;">]>
      <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>https://x.fr/arm&eacute;e.html</loc></url></urlset>"""
    assert [e.url for e in parse_sitemap(body, "https://x.fr/s.xml").entries] == [
        "https://x.fr/armée.html"]
