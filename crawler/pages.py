"""Links to articles on a section or home page (`kind = "page"` sources).

courlan's filters drop navigation (tags, pagination), login and media links;
our own test keeps links shaped like articles: a long hyphenated slug, an id or
a date in the path, or an .html page below a section.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from courlan.filters import extension_filter, is_navigation_page, is_not_crawlable
from lxml import html as lxml_html

from crawler.urls import absolute, is_http_url, same_site

SLUG_WORDS = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+){3,}")  # at least four words
HAS_ID = re.compile(r"\d{4,}|/20\d\d/\d{1,2}/")


def looks_like_article(url: str) -> bool:
    """An URL shaped like an article rather than a section, tag or service page."""
    path = urlsplit(url).path
    segments = [s for s in path.split("/") if s]
    if not segments:
        return False
    if is_navigation_page(url) or is_not_crawlable(url) or not extension_filter(path):
        return False
    last = segments[-1].lower()
    if SLUG_WORDS.search(last) or HAS_ID.search(path):
        return True
    return last.endswith((".html", ".htm", ".shtml")) and len(segments) >= 2


def _filtered(url: str, include: Iterable[re.Pattern[str]],
              exclude: Iterable[re.Pattern[str]]) -> bool:
    include = list(include)
    if include and not any(p.search(url) for p in include):
        return False
    return not any(p.search(url) for p in exclude)


def _fragmentless(url: str) -> str:
    return url.split("#", 1)[0]


def article_links(body: bytes, page_url: str, *, include: Iterable[str] = (),
                  exclude: Iterable[str] = (), follow_offsite: bool = False,
                  key: Callable[[str], str] = _fragmentless) -> list[str]:
    """Article links of a section page, absolute, deduplicated (two links with the same
    `key` are one), in page order."""
    try:
        tree = lxml_html.fromstring(body)
    except (ValueError, lxml_html.etree.ParserError):
        return []
    includes = [re.compile(p) for p in include]
    excludes = [re.compile(p) for p in exclude]
    links: list[str] = []
    seen = {key(page_url)}
    for href in tree.xpath("//a/@href"):
        url = absolute(href, page_url)
        if not is_http_url(url) or not (follow_offsite or same_site(url, page_url)):
            continue
        link_key = key(url)
        if link_key in seen:
            continue
        seen.add(link_key)
        if not _filtered(url, includes, excludes):
            continue
        if includes or looks_like_article(url):
            links.append(url.split("#", 1)[0])
    return links
