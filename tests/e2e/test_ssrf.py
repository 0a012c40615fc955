"""Sources cannot reach private addresses unless they say so: the SSRF matrix."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.helpers import run_veille, source_entry, write_sources
from veille.demo import content
from veille.demo.pages import FeedItem, rss_feed
from veille.demo.site import NewsSite, Route
from veille.net import is_public_address


@pytest.mark.parametrize("address,public", [
    ("93.184.216.34", True), ("2606:2800:220:1:248:1893:25c8:1946", True),
    ("127.0.0.1", False), ("10.1.2.3", False), ("192.168.1.1", False), ("172.16.0.1", False),
    ("169.254.169.254", False), ("::1", False), ("fe80::1", False), ("fc00::1", False),
    ("::ffff:127.0.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False), ("100.64.0.1", False),
])
def test_is_public_address(address, public):
    assert is_public_address(address) is public


def test_private_addresses_are_refused_in_every_form(tmp_path):
    """Decimal, hex, IPv6 and named forms of loopback: 0 requests reach the canary."""
    with NewsSite() as canary:
        canary.add("/rss.xml", Route(rss_feed("x", canary.base_url, [FeedItem(
            canary.url(content.KHARKIV.path), "t", content.KHARKIV.published)]).encode()))
        port = canary.port
        forms = {"dotted": f"http://127.0.0.1:{port}/rss.xml",
                 "decimal": f"http://2130706433:{port}/rss.xml",
                 "hex": f"http://0x7f000001:{port}/rss.xml",
                 "short": f"http://127.1:{port}/rss.xml",
                 "name": f"http://localhost:{port}/rss.xml",
                 "ipv6": f"http://[::1]:{port}/rss.xml",
                 "mapped": f"http://[::ffff:127.0.0.1]:{port}/rss.xml"}
        sources = write_sources(tmp_path / "s.toml", entries=[
            source_entry(name, url, allow_private=False) for name, url in forms.items()])
        result = run_veille("--db", str(tmp_path / "v.db"), "--sources", str(sources), "crawl",
                            "--download-timeout", "3")
        reached = canary.hits()
    print(f"SSRF matrix: {len(forms)} forms of 127.0.0.1 tried, {reached} requests reached "
          "the canary")
    assert reached == 0
    assert result.returncode == 1  # every source failed
    with sqlite3.connect(tmp_path / "v.db") as db:
        counters = json.loads(db.execute("SELECT counters FROM crawl_runs").fetchone()[0])
    feeds = {name: s["feed"] for name, s in counters["sources"].items()}
    assert "private address" in feeds["dotted"] and "private address" in feeds["name"]


def test_allow_private_source_is_crawled(tmp_path):
    with NewsSite() as site:
        site.add("/rss.xml", Route(rss_feed("x", site.base_url, []).encode()))
        sources = write_sources(tmp_path / "s.toml", {"local": site.url("/rss.xml")})
        run_veille("--db", str(tmp_path / "v.db"), "--sources", str(sources), "crawl")
        assert site.hits("/rss.xml") == 1
