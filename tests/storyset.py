"""Articles of the labelled stories set (bench/stories/, written for veille), stored in a
real database as the pipeline stores them: decided and recorded in one transaction."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from scheduler.stories.assign import StoryDesk
from storage.articles import insert_article
from storage.db import transaction
from tests.helpers import ROOT, article_record
from veille.demo.pages import Article, FeedItem, article_html, rss_feed
from veille.demo.site import NewsSite, Route
from veille.times import utc_iso

LABELLED = ROOT / "bench" / "stories" / "labelled.jsonl"


@cache
def labelled() -> dict[str, dict]:
    items = (json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines())
    return {item["id"]: item for item in items}


@dataclass(frozen=True)
class Stored:
    id: int | None  # None: not stored (a duplicate on the same site)
    story_id: int | None
    copy_of: int | None
    wire: str | None
    signal: str | None
    evidence: dict


def put(db, desk: StoryDesk, n: int, title: str | None, text: str, published: str, *,
        outlet: str = "outlet", author: str | None = None, url: str | None = None) -> Stored:
    """Decide and store one article, as the pipeline does (one transaction)."""
    at = utc_iso(published)
    url = url or f"https://www.{outlet}.fr/article/{n}.html"
    prepared = desk.prepare(title, text, author, published=at)
    with transaction(db):
        decision = desk.decide(prepared, url, at)
        if decision.duplicate_of is not None:
            return Stored(None, None, None, None, None, {})
        article_id = insert_article(db, article_record(
            n, title=title, text=text, url=url, canonical_url=url, source=outlet,
            sitename=outlet, author=author, published_at=published), [], "test", [])
        desk.record(article_id, prepared, decision, at)
    row = db.execute("SELECT a.story_id, a.copy_of, a.wire, l.signal, l.evidence FROM articles "
                     "a LEFT JOIN story_links l ON l.article_id = a.id WHERE a.id = ?",
                     [article_id]).fetchone()
    return Stored(article_id, row[0], row[1], row[2], row[3], json.loads(row[4] or "{}"))


def put_labelled(db, desk: StoryDesk, *ids: str) -> dict[str, Stored]:
    found = {}
    for n, item_id in enumerate(ids):
        item = labelled()[item_id]
        found[item_id] = put(db, desk, n, item["title"], "\n".join(item["paragraphs"]),
                             item["published"], outlet=item["outlet"], author=item["author"])
    return found




def page(item: dict, published: datetime | None = None) -> Article:
    """The item as a page of its outlet (published when it says, or at `published`)."""
    paragraphs = item["paragraphs"]
    return Article(slug=item["id"], title=item["title"], lead=paragraphs[0],
                   paragraphs=paragraphs[1:] or [""], author=item["author"],
                   published=published or datetime.fromisoformat(item["published"]),
                   section="monde")


@contextmanager
def outlets(ids: list[str], ago: timedelta | None = None) -> Iterator[dict[str, NewsSite]]:
    """One site per outlet on 127.0.0.1 serving these items behind /rss.xml; with `ago`,
    the first item is dated that long before now and the others keep their delays."""
    items = [labelled()[i] for i in ids]
    start = min(datetime.fromisoformat(i["published"]) for i in items)
    sites: dict[str, NewsSite] = {}
    feeds: dict[str, list[FeedItem]] = {}
    try:
        for item in items:
            when = datetime.fromisoformat(item["published"])
            if ago is not None:
                when = datetime.now(UTC) - ago + (when - start)
            site = sites.get(item["outlet"]) or NewsSite().start()
            sites[item["outlet"]] = site
            article = page(item, when)
            site.add(article.path, Route(article_html(article, site_name=item["sitename"])
                                         .encode("utf-8")))
            feeds.setdefault(item["outlet"], []).append(
                FeedItem(site.url(article.path), item["title"], when))
        for outlet, site in sites.items():
            site.add("/rss.xml", Route(rss_feed(outlet, site.base_url, feeds[outlet])
                                       .encode("utf-8"), content_type="application/rss+xml"))
        yield sites
    finally:
        for site in sites.values():
            site.stop()
