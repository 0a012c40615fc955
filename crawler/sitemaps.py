"""Parse sitemaps: Google News sitemaps, plain sitemaps with lastmod, and sitemap indexes.

Scrapy's SitemapSpider drops the news:* fields (publication date, title,
language, keywords) that tell a news monitor what is new; this keeps them.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from crawler.urls import absolute, is_http_url

MAX_INFLATED_BYTES = 50 * 1024 * 1024  # a .xml.gz bigger than this once inflated is a bomb


class SitemapError(Exception):
    """The document is not a usable sitemap."""


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    lastmod: str | None = None
    published_at: str | None = None  # news:publication_date
    title: str = ""
    language: str | None = None
    keywords: str | None = None

    @property
    def date(self) -> str | None:
        return self.published_at or self.lastmod


@dataclass
class ParsedSitemap:
    is_index: bool
    entries: list[SitemapEntry] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    skipped: int = 0  # <loc> that is not http(s)
    bad_dates: int = 0


def inflate(body: bytes, limit: int = MAX_INFLATED_BYTES) -> bytes:
    """Gunzip a .xml.gz body, refusing to inflate past `limit` bytes."""
    if body[:2] != b"\x1f\x8b":
        return body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise SitemapError(f"broken gzip data: {exc}") from None
    if len(data) > limit or inflater.unconsumed_tail:
        raise SitemapError(f"gzip sitemap inflates past {limit // (1024 * 1024)} MiB: refused")
    return data


def parse_date(value: str | None) -> str | None:
    """A W3C datetime ('2026-11-27', '2026-11-27T08:30:00+01:00') as ISO 8601 UTC."""
    if not value or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat()


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child_text(element: etree._Element, name: str, namespace: str | None = None) -> str | None:
    for child in element:
        if _local(child.tag) == name and (namespace is None
                                          or etree.QName(child.tag).namespace == namespace):
            return (child.text or "").strip()
    return None


def _news(element: etree._Element) -> etree._Element | None:
    return next((c for c in element if _local(c.tag) == "news"), None)


def parse_sitemap(body: bytes, url: str) -> ParsedSitemap:
    """Parse sitemap bytes (gzipped or not) fetched from `url`."""
    data = inflate(body)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True,
                             huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise SitemapError(f"not XML: {exc}") from None
    if root is None or _local(root.tag) not in ("urlset", "sitemapindex"):
        raise SitemapError("not a sitemap: no <urlset> or <sitemapindex> root element")
    parsed = ParsedSitemap(is_index=_local(root.tag) == "sitemapindex")
    for item in root:
        loc = _child_text(item, "loc")
        if not loc:
            continue
        link = absolute(loc, url)
        if not is_http_url(link):
            parsed.skipped += 1
            continue
        if parsed.is_index:
            parsed.children.append(link)
            continue
        parsed.entries.append(_entry(item, link, parsed))
    return parsed


def _entry(item: etree._Element, link: str, parsed: ParsedSitemap) -> SitemapEntry:
    raw_lastmod = _child_text(item, "lastmod")
    lastmod = parse_date(raw_lastmod)
    news = _news(item)
    raw_published = _child_text(news, "publication_date") if news is not None else None
    published = parse_date(raw_published)
    parsed.bad_dates += (bool(raw_lastmod) and lastmod is None) + (
        bool(raw_published) and published is None)
    title = language = keywords = None
    if news is not None:
        title = _child_text(news, "title")
        keywords = _child_text(news, "keywords") or None
        publication = next((c for c in news if _local(c.tag) == "publication"), None)
        if publication is not None:
            language = _child_text(publication, "language") or None
    return SitemapEntry(url=link, lastmod=lastmod, published_at=published, title=title or "",
                        language=language, keywords=keywords)
