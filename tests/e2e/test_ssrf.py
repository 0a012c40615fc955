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


def test_discover_follows_nothing_into_other_private_addresses(tmp_path):
    """The operator asks to discover a site on 127.0.0.1 (allowed: they named it). Its
    robots.txt, its feed links and its redirects point at another local service, at
    link-local cloud metadata, at a local file: none is fetched, none is printed, and
    only the asked-for host's entries get allow_private."""
    with NewsSite() as canary, NewsSite() as site:
        canary.add("/sitemap.xml", Route(b"<urlset/>"))
        canary.add("/rss.xml", Route(rss_feed("x", canary.base_url, []).encode()))
        secret = tmp_path / "secret-sitemap.xml"
        secret.write_text('<sitemapindex><sitemap><loc>https://x.fr/SECRET</loc></sitemap>'
                          "</sitemapindex>", encoding="utf-8")
        home = ('<html><head>'
                '<link rel="alternate" type="application/rss+xml" href="/rss.xml">'
                f'<link rel="alternate" type="application/rss+xml" href="{canary.url("/rss.xml")}">'
                '<link rel="alternate" type="application/rss+xml" '
                'href="http://169.254.169.254/latest/meta-data/rss.xml">'
                f'<link rel="alternate" type="application/atom+xml" href="{secret.as_uri()}">'
                "</head><body>Accueil</body></html>")
        site.add("/", Route(home.encode()))
        site.add("/rss.xml", Route(rss_feed("x", site.base_url, []).encode()))
        site.add("/robots.txt", Route(
            (f"User-agent: *\nSitemap: {canary.url('/sitemap.xml')}\n"
             f"Sitemap: {secret.as_uri()}\nSitemap: {site.url('/moved.xml')}\n"
             "Sitemap: http://[::1]:1/sitemap.xml\n").encode(), content_type="text/plain"))
        site.add("/moved.xml", Route(status=302, headers={"Location": canary.url("/sitemap.xml")}))
        result = run_veille("sources", "discover", site.url("/"))
        reached = canary.hits()
    print(f"discover SSRF: {reached} requests reached the canary")
    assert reached == 0
    assert result.returncode == 0, result.stderr[-2000:]
    assert "SECRET" not in result.stdout and "file:" not in result.stdout
    assert "169.254" not in result.stdout and str(canary.port) not in result.stdout
    path = tmp_path / "found.toml"
    path.write_text(result.stdout, encoding="utf-8")
    from veille.config import load_sources

    found = load_sources(path).sources
    assert [s.url for s in found] == [site.url("/rss.xml")] and found[0].allow_private


def test_discover_redirect_to_a_private_address_is_refused(tmp_path):
    with NewsSite() as canary, NewsSite() as site:
        canary.add("/", Route(b"<html></html>"))
        # a public-looking name is not needed: any other private host than the one asked
        site.add("/", Route(status=301, headers={"Location": canary.url("/")}))
        result = run_veille("sources", "discover", site.url("/"))
        assert canary.hits() == 0
    assert result.returncode == 1 and "private address" in result.stderr
    refused = run_veille("sources", "discover", "file:///etc/passwd")
    assert refused.returncode == 2 and "http:// or https://" in refused.stderr
