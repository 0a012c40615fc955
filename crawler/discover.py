"""`veille sources discover URL`: find a site's feeds and news sitemaps, as TOML entries.

Reads the home page's <link rel="alternate"> feeds and robots.txt's Sitemap:
lines (opening sitemap indexes one level to find their news sitemaps).
"""

from __future__ import annotations

import ipaddress
import re
import urllib.request
from dataclasses import dataclass
from urllib.error import URLError
from urllib.parse import urlsplit

from lxml import html as lxml_html

from crawler.settings import USER_AGENT
from crawler.sitemaps import SitemapError, parse_sitemap
from crawler.urls import absolute, is_http_url

MAX_BYTES = 5 * 1024 * 1024
TIMEOUT_S = 15.0
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml",
              "application/feed+json", "text/xml", "application/xml")
MAX_CHILDREN = 5


class DiscoveryError(Exception):
    """The page to discover from could not be read."""


@dataclass(frozen=True)
class Found:
    kind: str  # feed or sitemap
    url: str
    title: str = ""


def fetch(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return response.read(MAX_BYTES)
    except (URLError, TimeoutError, OSError, ValueError) as exc:
        raise DiscoveryError(f"{url}: {getattr(exc, 'reason', exc)}") from None


def page_feeds(body: bytes, url: str) -> list[Found]:
    tree = lxml_html.fromstring(body)
    found = []
    for link in tree.xpath('//link[@href and contains(concat(" ", @rel, " "), " alternate ")]'):
        kind = (link.get("type") or "").lower()
        if kind in FEED_TYPES:
            href = absolute(link.get("href"), url)
            if is_http_url(href):
                found.append(Found("feed", href, (link.get("title") or "").strip()))
    return found


def robots_sitemaps(robots: str, url: str) -> list[str]:
    return [absolute(m.group(1).strip(), url)
            for m in re.finditer(r"(?im)^\s*sitemap\s*:\s*(\S+)", robots)]


def news_sitemaps(sitemap_url: str) -> list[Found]:
    """The sitemap itself, or, for an index, its children that look like news sitemaps."""
    try:
        parsed = parse_sitemap(fetch(sitemap_url), sitemap_url)
    except (DiscoveryError, SitemapError):
        return []
    if not parsed.is_index:
        news = any(e.published_at for e in parsed.entries)
        return [Found("sitemap", sitemap_url, "news sitemap" if news else "sitemap")]
    children = [c for c in parsed.children if "news" in c.lower()] or parsed.children
    return [Found("sitemap", c, "from index " + sitemap_url) for c in children[:MAX_CHILDREN]]


def discover(url: str) -> list[Found]:
    """Feeds and sitemaps of the site at `url`, feeds first, without duplicates."""
    found = page_feeds(fetch(url), url)
    parts = urlsplit(url)
    try:
        robots = fetch(f"{parts.scheme}://{parts.netloc}/robots.txt").decode("utf-8", "ignore")
    except DiscoveryError:
        robots = ""
    for sitemap in robots_sitemaps(robots, url):
        found += news_sitemaps(sitemap)
    unique: dict[str, Found] = {}
    for item in found:
        unique.setdefault(item.url, item)
    return list(unique.values())


def _is_private(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "source"


def as_toml(found: list[Found], site_url: str) -> str:
    """Ready-to-paste [[source]] tables."""
    host = slug((urlsplit(site_url).hostname or "").removeprefix("www.").split(".")[0])
    blocks, names = [], set()
    for item in found:
        base = f"{host}-{slug(item.title)}" if item.title else f"{host}-{item.kind}"
        name, n = base, 2
        while name in names:
            name, n = f"{base}-{n}", n + 1
        names.add(name)
        lines = [f"# {item.title}" if item.title else None, "[[source]]", f'name = "{name}"',
                 f'url = "{item.url}"', f'kind = "{item.kind}"']
        if _is_private(item.url):
            lines.append("allow_private = true")
        blocks.append("\n".join(line for line in lines if line))
    return "\n\n".join(blocks) + "\n"
