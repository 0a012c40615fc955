"""Hostile servers and documents from RELIABILITY.md: every case ends, is counted, stores
nothing partial, and the run goes on."""

from __future__ import annotations

import gzip
import json
import sqlite3
import time

from tests.helpers import run_veille, write_sources
from veille.demo import content
from veille.demo.pages import FeedItem, article_html, rss_feed
from veille.demo.site import NewsSite, Route

XXE_FEED = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>x</title>
<item><title>&secret;</title><link>LINK</link></item></channel></rss>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title>
<link>http://example.org/a</link></item></channel></rss>"""


def test_hostile_pages_end_are_counted_and_store_nothing_partial(tmp_path):
    bomb = gzip.compress(b"<html><body>" + b"a" * (200 * 1024 * 1024) + b"</body></html>")
    cases = {
        "/bomb.html": Route(bomb, headers={"Content-Encoding": "gzip"}),
        "/endless.html": Route(behaviour="endless"),
        "/trickle.html": Route(behaviour="trickle"),
        "/truncated.html": Route(article_html(content.SANCTIONS).encode(), behaviour="truncate"),
        "/loop.html": Route(status=302, headers={"Location": "/loop.html"}),
        "/to-file.html": Route(status=302, headers={"Location": "file:///etc/passwd"}),
        "/refresh.html": Route(b'<html><head><meta http-equiv="refresh" '
                               b'content="0;url=file:///etc/passwd"></head></html>'),
    }
    with NewsSite() as site:
        for path, route in cases.items():
            site.add(path, route)
        site.add(content.KHARKIV.path, Route(article_html(content.KHARKIV).encode()))
        items = [FeedItem(site.url(p), p, content.KHARKIV.published)
                 for p in [*cases, content.KHARKIV.path]]
        site.add("/rss.xml", Route(rss_feed("x", site.base_url, items).encode()))
        site.add("/xxe.xml", Route(XXE_FEED.replace(b"LINK", site.url("/x.html").encode())))
        site.add("/laughs.xml", Route(LAUGHS))
        sources = write_sources(tmp_path / "s.toml", {
            "rss": site.url("/rss.xml"), "xxe": site.url("/xxe.xml"),
            "laughs": site.url("/laughs.xml")})
        started = time.monotonic()
        result = run_veille("--db", str(tmp_path / "v.db"), "--sources", str(sources), "crawl",
                            "--download-timeout", "3", timeout=240)
        elapsed = time.monotonic() - started
        loop_hits = site.hits("/loop.html")
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(tmp_path / "v.db") as db:
        titles = [r[0] for r in db.execute("SELECT title FROM articles")]
        texts = " ".join(r[0] for r in db.execute("SELECT text FROM articles"))
        counters = json.loads(db.execute("SELECT counters FROM crawl_runs").fetchone()[0])
    assert titles == [content.KHARKIV.title]  # the one sane page, and nothing partial
    assert "root:" not in texts and "root:" not in result.stdout
    rss = counters["sources"]["rss"]
    print(f"hostile pages: {len(cases)} tried, {rss.get('errors', 0)} errors counted, "
          f"{rss.get('no_text', 0)} without text, 0 crashes, run took {elapsed:.0f} s")
    assert rss["errors"] + rss.get("no_text", 0) == len(cases)
    assert any("redirect" in e for e in rss["error_samples"])
    assert loop_hits <= 6  # REDIRECT_MAX_TIMES
    assert elapsed < 120
    assert "declares unsafe XML entities" in counters["sources"]["laughs"]["feed"]  # a bad feed
    assert "declares unsafe XML entities" in counters["sources"]["xxe"]["feed"]
    print(json.dumps(rss))
