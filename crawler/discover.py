"""`veille sources discover URL`: find a site's feeds and news sitemaps, as TOML entries.

Reads the home page's <link rel="alternate"> feeds and robots.txt's Sitemap:
lines (opening sitemap indexes one level to find their news sitemaps).

Every request goes through the same guard as the crawl: http(s) only, every
address a host resolves to must be public, at every redirect hop; a host that
does not resolve here is refused (a proxy might resolve it into the operator's
network). A private address is allowed only for the host the operator named on
the command line, and only entries on that host get `allow_private = true`.
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

from crawler.settings import USER_AGENT
from crawler.sitemaps import SitemapError, parse_sitemap
from crawler.urls import absolute, is_http_url
from veille.net import is_public_address

MAX_BYTES = 5 * 1024 * 1024
TIMEOUT_S = 15.0
MAX_REDIRECTS = 5
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml",
              "application/feed+json", "text/xml", "application/xml")
MAX_CHILDREN = 5


class DiscoveryError(Exception):
    """The page to discover from could not be read, or was refused."""


@dataclass(frozen=True)
class Found:
    kind: str  # feed or sitemap
    url: str
    title: str = ""


def _endpoint(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return (parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to; DiscoveryError when it does not resolve."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise DiscoveryError(f"cannot resolve {host}: {exc}") from None
    return sorted({str(info[4][0]) for info in infos})


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the address the guard checked, with the certificate checked for the name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


@dataclass
class Fetcher:
    """GET with the private-address guard at every hop, connecting to the address that was
    checked (a second DNS answer cannot swap in a private one)."""

    allowed_private: set[tuple[str, int]] = field(default_factory=set)  # (host, port)

    def address(self, url: str) -> str:
        if not is_http_url(url):
            raise DiscoveryError(f"refused: {url[:200]} is not an http(s) URL")
        host, port = _endpoint(url)
        addresses = resolve(host, port)
        private = [a for a in addresses if not is_public_address(a)]
        if private and (host, port) not in self.allowed_private:
            raise DiscoveryError(f"refused: {host} resolves to a private address "
                                 f"({', '.join(private)})")
        return addresses[0]

    def fetch(self, url: str) -> bytes:
        for _ in range(MAX_REDIRECTS + 1):
            status, location, body = self._get(url)
            if status in (301, 302, 303, 307, 308) and location:
                url = urljoin(url, location)
                continue
            if status >= 400:
                raise DiscoveryError(f"{url}: HTTP {status}")
            return body
        raise DiscoveryError(f"{url}: more than {MAX_REDIRECTS} redirects")

    def _get(self, url: str) -> tuple[int, str | None, bytes]:
        address = self.address(url)
        parts = urlsplit(url)
        host, port = _endpoint(url)
        kind = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        connection = kind(host, port, address, TIMEOUT_S)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("GET", path, headers={"User-Agent": USER_AGENT,
                                                     "Accept-Encoding": "identity"})
            response = connection.getresponse()
            return response.status, response.getheader("Location"), response.read(MAX_BYTES)
        except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
            raise DiscoveryError(f"{url}: {exc}") from None
        finally:
            connection.close()


def page_feeds(body: bytes, url: str) -> list[Found]:
    try:
        tree = lxml_html.fromstring(body)
    except (ValueError, lxml_html.etree.ParserError):
        return []
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


def news_sitemaps(fetcher: Fetcher, sitemap_url: str) -> list[Found]:
    """The sitemap itself, or, for an index, its children that look like news sitemaps."""
    try:
        parsed = parse_sitemap(fetcher.fetch(sitemap_url), sitemap_url)
    except (DiscoveryError, SitemapError):
        return []
    if not parsed.is_index:
        news = any(e.published_at for e in parsed.entries)
        return [Found("sitemap", sitemap_url, "news sitemap" if news else "sitemap")]
    links = [c.url for c in parsed.children]
    children = [c for c in links if "news" in c.lower()] or links
    return [Found("sitemap", c, "from index " + sitemap_url) for c in children[:MAX_CHILDREN]]


def is_private_url(url: str) -> bool:
    """The URL's host resolves to a private, loopback or link-local address."""
    try:
        return any(not is_public_address(a) for a in resolve(*_endpoint(url)))
    except DiscoveryError:
        return False


@dataclass
class Discovery:
    found: list[Found]
    private: set[tuple[str, int]]  # the hosts allowed to be private: the one asked for

    def allows_private(self, url: str) -> bool:
        return _endpoint(url) in self.private


def discover(url: str) -> Discovery:
    """Feeds and sitemaps of the site at `url`, feeds first, without duplicates. Entries
    the guard would refuse to crawl are left out."""
    fetcher = Fetcher()
    if is_private_url(url):  # the operator asked for this host by name: it may be private
        fetcher.allowed_private.add(_endpoint(url))
    found = page_feeds(fetcher.fetch(url), url)
    parts = urlsplit(url)
    try:
        robots = fetcher.fetch(f"{parts.scheme}://{parts.netloc}/robots.txt").decode(
            "utf-8", "ignore")
    except DiscoveryError:
        robots = ""
    for sitemap in robots_sitemaps(robots, url):
        found += news_sitemaps(fetcher, sitemap)
    unique: dict[str, Found] = {}
    for item in found:
        try:
            fetcher.address(item.url)
        except DiscoveryError:
            continue  # not http(s), or private elsewhere than where the operator asked
        unique.setdefault(item.url, item)
    return Discovery(list(unique.values()), fetcher.allowed_private)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "source"


def _toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", escaped) + '"'


def as_toml(discovery: Discovery, site_url: str) -> str:
    """Ready-to-paste [[source]] tables."""
    host = slug((urlsplit(site_url).hostname or "").removeprefix("www.").split(".")[0])
    blocks, names = [], set()
    for item in discovery.found:
        base = f"{host}-{slug(item.title)}" if item.title else f"{host}-{item.kind}"
        name, n = base, 2
        while name in names:
            name, n = f"{base}-{n}", n + 1
        names.add(name)
        title = " ".join(item.title.split())
        lines = [f"# {title}" if title else None, "[[source]]", f"name = {_toml_string(name)}",
                 f"url = {_toml_string(item.url)}", f'kind = "{item.kind}"']
        if discovery.allows_private(item.url):
            lines.append("allow_private = true")
        blocks.append("\n".join(line for line in lines if line))
    return "\n\n".join(blocks) + "\n"
