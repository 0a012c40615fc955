"""Parse sitemaps: Google News sitemaps, plain sitemaps with lastmod, and sitemap indexes.

Scrapy's SitemapSpider drops the news:* fields (publication date, title,
language, keywords) that tell a news monitor what is new; this keeps them.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from crawler.feeds import FeedError, parse_feed
from crawler.urls import absolute, is_http_url
from crawler.xmlsafety import UnsafeXMLError, make_safe

MAX_INFLATED_BYTES = 50 * 1024 * 1024  # a .xml.gz bigger than this once inflated is a bomb
W3C_YEAR_MONTH = re.compile(r"\d{4}(?:-(?:0[1-9]|1[0-2]))?")
CLOSED_LOC = re.compile(rb"</(?:[\w.-]+:)?loc\s*>")
MAX_TEXT_URLS = 50_000  # Google's limit for one sitemap file


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
    children: list[SitemapEntry] = field(default_factory=list)  # of an index, with lastmod
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
    """A W3C datetime ('2026', '2026-11', '2026-11-27', '2026-11-27T08:30:00+01:00') as
    ISO 8601 UTC; a year or a month stands for its first day."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if W3C_YEAR_MONTH.fullmatch(text):
        text = f"{text}-01" if len(text) == 7 else f"{text}-01-01"
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
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
    """Parse sitemap bytes (gzipped or not) fetched from `url`: an XML sitemap or sitemap
    index, an RSS or Atom feed used as a sitemap, or a text file of one URL per line
    (the forms Google accepts)."""
    data = inflate(body)
    if not data.lstrip(b"\xef\xbb\xbf").strip():
        raise SitemapError("empty response: the sitemap URL answered with no content")
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return _text_sitemap(data, url)
    try:
        data = make_safe(data)
    except UnsafeXMLError as exc:
        raise SitemapError(f"the sitemap declares unsafe XML entities ({exc}): refused") from None
    root, truncated = _xml_root(data)
    name = _local(root.tag)
    if name in ("rss", "feed", "RDF"):
        return _feed_sitemap(data, url)
    if name not in ("urlset", "sitemapindex"):
        raise SitemapError("not a sitemap: no <urlset>, <sitemapindex>, RSS or Atom root "
                           "element")
    # A document cut off mid-way: the last <loc> may be cut too; keep only closed ones.
    complete = len(CLOSED_LOC.findall(data)) if truncated else None
    return _urlset(root, url, name == "sitemapindex", complete)


def _urlset(root: etree._Element, url: str, is_index: bool,
            complete: int | None) -> ParsedSitemap:
    """The entries (or children) of a <urlset> or <sitemapindex>, at most `complete` of
    them when that many <loc> were closed in a truncated document."""
    parsed = ParsedSitemap(is_index=is_index)
    locs = [(item, loc) for item in root if (loc := _child_text(item, "loc"))]
    if complete is not None:
        locs = locs[:complete]
    for item, loc in locs:
        link = absolute(loc, url)
        if not is_http_url(link):
            parsed.skipped += 1
            continue
        (parsed.children if parsed.is_index else parsed.entries).append(
            _entry(item, link, parsed))
    return parsed


def children_to_read(children: list[SitemapEntry], oldest: str
                     ) -> tuple[list[SitemapEntry], int]:
    """The child sitemaps of an index worth reading for entries dated from `oldest` on,
    and how many were left out: those last modified before it (an index of monthly
    archives names years of them). The others come most recently modified first, then
    those without a date, in the index's order: a run that reads only so many children
    reads the newest, wherever the index lists them."""
    recent = [c for c in children if not (c.lastmod and c.lastmod < oldest)]
    dated = sorted((c for c in recent if c.lastmod), key=lambda c: c.lastmod or "",
                   reverse=True)
    return dated + [c for c in recent if not c.lastmod], len(children) - len(recent)


def _xml_root(data: bytes) -> tuple[etree._Element, bool]:
    """The root element, and whether the document had to be recovered (truncated or
    malformed)."""
    strict = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             remove_comments=True)
    try:
        return etree.fromstring(data, strict), False
    except etree.XMLSyntaxError:
        pass
    lenient = etree.XMLParser(resolve_entities=False, no_network=True, recover=True,
                              huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(data, lenient)
    except etree.XMLSyntaxError as exc:
        raise SitemapError(f"not XML: {exc}") from None
    if root is None:
        raise SitemapError("not XML: no element could be read")
    return root, True


def _feed_sitemap(data: bytes, url: str) -> ParsedSitemap:
    try:
        feed = parse_feed(data, url)
    except FeedError as exc:
        raise SitemapError(str(exc)) from None
    return ParsedSitemap(is_index=False, skipped=feed.skipped, entries=[
        SitemapEntry(url=e.url, published_at=e.published_at, title=e.title)
        for e in feed.entries])


def _text_sitemap(data: bytes, url: str) -> ParsedSitemap:
    """One URL per line; blank lines ignored; anything that is not an http(s) URL skipped.
    A last line without its newline may be cut off: it is kept only if the file ends
    there cleanly, as a text sitemap may."""
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    if "\x00" in text or text.count("\ufffd") > 10:
        raise SitemapError("not a sitemap: neither XML nor a text list of URLs")
    parsed = ParsedSitemap(is_index=False)
    for line in text.splitlines()[:MAX_TEXT_URLS]:
        line = line.strip()
        if not line:
            continue
        if is_http_url(line) and " " not in line:
            parsed.entries.append(SitemapEntry(url=line))
        else:
            parsed.skipped += 1
    if not parsed.entries:
        raise SitemapError("not a sitemap: neither XML nor a text list of URLs")
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
