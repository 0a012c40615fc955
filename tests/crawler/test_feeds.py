from datetime import datetime

import pytest

from crawler.feeds import FeedError, parse_feed
from veille.demo.pages import FeedItem, atom_feed, rdf_feed, rss_feed

ITEMS = [
    FeedItem("https://x.fr/international/a.html", "Kyïv sous les drones",
             datetime.fromisoformat("2026-11-27T08:00:00+01:00")),
    FeedItem("https://x.fr/europe/b.html", "L'Otan & la Baltique",
             datetime.fromisoformat("2026-11-26T18:30:00+01:00")),
]


@pytest.mark.parametrize("builder", [rss_feed, atom_feed, rdf_feed])
def test_parse_feed_reads_rss2_atom_and_rss1(builder):
    feed = parse_feed(builder("Monde", "https://x.fr", ITEMS).encode(), "https://x.fr/feed")
    assert [e.url for e in feed.entries] == [i.url for i in ITEMS]
    assert feed.entries[0].title == "Kyïv sous les drones"
    assert feed.entries[1].title == "L'Otan & la Baltique"
    assert feed.entries[0].published_at == "2026-11-27T07:00:00+00:00"


def test_parse_feed_resolves_relative_links_and_drops_duplicates():
    body = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
    <item><title>a</title><link>/monde/a.html</link></item>
    <item><title>a again</title><link>/monde/a.html</link></item>
    <item><title>no link</title></item>
    <item><title>bad scheme</title><link>file:///etc/passwd</link></item>
    </channel></rss>"""
    feed = parse_feed(body, "https://www.x.fr/rss/monde.xml")
    assert [e.url for e in feed.entries] == ["https://www.x.fr/monde/a.html"]
    assert feed.skipped == 2


def test_parse_feed_reads_entities_and_cdata():
    body = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>
    <item><title><![CDATA[Poutine & Zelensky : « rencontre »]]></title>
    <link>https://x.fr/a?x=1&amp;y=2</link><description>&lt;p&gt;Résumé&lt;/p&gt;</description>
    </item></channel></rss>""".encode()
    entry = parse_feed(body, "https://x.fr/rss").entries[0]
    assert entry.title == "Poutine & Zelensky : « rencontre »"
    assert entry.url == "https://x.fr/a?x=1&y=2"


def test_parse_feed_recovers_from_malformed_xml_with_items():
    body = b"""<rss version="2.0"><channel><title>t</title>
    <item><title>ok</title><link>https://x.fr/a.html</link></item>
    <item><title>broken <b>tag</title><link>https://x.fr/b.html</link></item>
    </channel>"""
    feed = parse_feed(body, "https://x.fr/rss")
    assert "https://x.fr/a.html" in [e.url for e in feed.entries]


def test_parse_feed_rejects_html_page():
    with pytest.raises(FeedError, match="not a feed"):
        parse_feed(b"<html><body><h1>Accueil</h1></body></html>", "https://x.fr/rss")


def test_parse_feed_rejects_garbage():
    with pytest.raises(FeedError):
        parse_feed(b"\x00\x01\x02 not xml at all <<<", "https://x.fr/rss")


def test_parse_feed_malformed_date_gives_none():
    body = b"""<rss version="2.0"><channel><title>t</title><item><title>a</title>
    <link>https://x.fr/a.html</link><pubDate>le 32 brumaire</pubDate></item></channel></rss>"""
    assert parse_feed(body, "https://x.fr/rss").entries[0].published_at is None


def test_parse_feed_accepts_feed_served_as_html():
    body = rss_feed("Monde", "https://x.fr", ITEMS).encode()
    feed = parse_feed(body, "https://x.fr/rss", "text/html; charset=utf-8")
    assert len(feed.entries) == 2
