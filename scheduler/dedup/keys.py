"""The keys a downloaded article is known under: its canonical URL and its aliases."""

from __future__ import annotations

from urllib.parse import urljoin

from crawler.urls import is_http_url, same_site
from scheduler.dedup.urls import canonical_url
from veille.model import ArticleItem


def article_keys(item: ArticleItem) -> tuple[str, list[str]]:
    """The canonical URL of the article and every other key it is known under.

    A <link rel="canonical"> is honoured when it stays on the same site: a page
    cannot claim to be another outlet's article.
    """
    keys = [item.requested_key, canonical_url(item.url)]
    link = item.result.extracted.canonical_link if item.result.extracted else None
    if link:
        absolute = urljoin(item.url, link)
        if is_http_url(absolute) and same_site(absolute, item.url):
            keys.insert(0, canonical_url(absolute))
    keys = list(dict.fromkeys(keys))
    return keys[0], keys[1:]
