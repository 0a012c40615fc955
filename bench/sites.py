"""Local sites the benchmarks serve."""

from __future__ import annotations

from datetime import UTC, datetime

from veille.demo.pages import Article, FeedItem, article_html, rss_feed
from veille.demo.site import NewsSite, Route


def unchanging_feed(site: NewsSite, prefix: str, count: int) -> str:
    """`count` articles under `prefix` behind an RSS feed, every response with an ETag
    (after a first crawl, everything answers 304); the feed's URL."""
    now = datetime.now(UTC)
    items = []
    for j in range(count):
        path = f"{prefix}/a{j}.html"
        page = Article(f"{prefix.strip('/')}-{j}", f"L'OTAN et Kyiv, dépêche {prefix} {j}",
                       f"Le chapô de la dépêche {prefix} {j} sur l'OTAN et la Russie.",
                       [f"Le paragraphe {j} de {prefix} sur l'Ukraine, l'OTAN et Moscou. " * 10])
        site.add(path, Route(article_html(page).encode(), etag=f'"{prefix}-{j}"'))
        items.append(FeedItem(site.url(path), f"Dépêche {prefix} {j}", now))
    site.add(f"{prefix}/rss.xml", Route(rss_feed(prefix, site.base_url, items).encode(),
                                        etag=f'"{prefix}-feed"',
                                        content_type="application/rss+xml"))
    return site.url(f"{prefix}/rss.xml")
