"""What happens to each downloaded article, in the order of the README's flow:
language gate → dedup → tags → copies and story → store (with the alerts to send, in one
transaction).

The crawler hands every article to `ItemProcessor.process`; each step below is
one call into the room that owns it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from crawler.urls import same_site
from scheduler.alerts.rules import AlertConfig, alerts_for
from scheduler.dedup.content import content_hash
from scheduler.dedup.keys import article_keys
from scheduler.dedup.urls import without_tracking
from scheduler.stories.assign import StoryDesk
from scheduler.tagging.rules import Rules
from storage.articles import insert_article, store_revision
from storage.db import transaction
from storage.outbox import enqueue
from storage.seen import article_id_for, record_seen, upsert_seen, urls_with_text
from storage.stories import story_facts
from veille.model import (
    ArticleItem,
    ArticleRecord,
    CrawlOptions,
    Extracted,
    Outcome,
    Recheck,
    SeenStatus,
    Source,
    StoryFeatures,
    TagKind,
    TagResult,
)
from veille.times import utc_iso

if TYPE_CHECKING:
    import sqlite_utils

logger = logging.getLogger(__name__)


class ItemProcessor:
    """Decides about one article and records the decision, one transaction each."""

    def __init__(self, db: sqlite_utils.Database, rules: Rules, sources: dict[str, Source],
                 run_id: int | None, options: CrawlOptions,
                 alerts: AlertConfig | None = None) -> None:
        self.db = db
        self.rules = rules
        self.sources = sources
        self.run_id = run_id
        self.options = options
        self.alerts = alerts
        self.desk = StoryDesk(db)

    def process(self, item: ArticleItem) -> Outcome:
        """Decide about `item`, record the decision, and say what it was."""
        extracted = item.result.extracted
        if item.recheck is not None:
            return self._recheck(item, item.recheck)
        canonical, aliases = article_keys(item)
        keys = [canonical, *aliases]
        # 1. A page without main text (video, cookie wall) is not an article.
        if extracted is None:
            record_seen(self.db, keys, item.source, SeenStatus.NO_TEXT)
            return Outcome.NO_TEXT
        # 2. Language gate.
        if item.result.language not in self.sources[item.source].languages:
            record_seen(self.db, keys, item.source, SeenStatus.NOT_FRENCH,
                        detail=f"{item.result.language} {item.result.language_score}")
            return Outcome.NOT_FRENCH
        # 3. Dedup: the same URL under another key, or the same text on the same site (the
        #    same text from another outlet is a copy, stored: coverage counts).
        digest = item.result.content_hash or content_hash(extracted.text)
        existing = article_id_for(self.db, keys) or next(
            (i for i, url in urls_with_text(self.db, digest) if same_site(url, item.url)), None)
        if existing is not None:
            record_seen(self.db, keys, item.source, SeenStatus.DUPLICATE, article_id=existing)
            return Outcome.DUPLICATE
        # 4. Copies, wire and story (the work that needs no database first).
        tags = item.result.tags
        article = self._record(item, extracted, canonical, digest)
        at = utc_iso(article.published_at or article.fetched_at)
        prepared = self._story_features(item, extracted, article.title, at)
        with transaction(self.db):
            # 5. Tags (computed in the extraction workers): no main topic, not stored,
            #    unless it is a copy of a stored article (its outlet's coverage counts).
            if not tags.topics and not self.options.keep_offtopic \
                    and self.desk.find_copy(prepared) is None:
                upsert_seen(self.db, keys, item.source, SeenStatus.OFFTOPIC, None,
                            _offtopic_detail(tags))
                return Outcome.OFFTOPIC
            # 6. Store, with the alerts it triggers, in one transaction (two processes
            #    never open two stories for one event).
            decision = self.desk.decide(prepared, article.url, at)
            if decision.duplicate_of is not None:  # the same article on the same site
                upsert_seen(self.db, keys, item.source, SeenStatus.DUPLICATE,
                            decision.duplicate_of, "near-copy on the same site")
                return Outcome.DUPLICATE
            article_id = insert_article(self.db, article, tags.tags, self.rules.version,
                                        aliases)
            story_id = self.desk.record(article_id, prepared, decision, at)
            if self.alerts:
                enqueue(self.db, article_id, alerts_for(self.alerts, article, tags,
                                                        story_facts(self.db, story_id)))
        return Outcome.NEW

    def _story_features(self, item: ArticleItem, extracted: Extracted, title: str | None,
                        at: str) -> StoryFeatures:
        """Fingerprint, story terms and wire: from the worker (completed with the title
        and date stored), or computed here for a result that came without them."""
        entities = _entities(item.result.tags)
        if item.result.story is not None:
            return self.desk.preparer.complete(item.result.story, title, entities, at)
        return self.desk.prepare(title, extracted.text, extracted.author, extracted.credits,
                                 entities, at)

    def _record(self, item: ArticleItem, extracted: Extracted, canonical: str,
                digest: str) -> ArticleRecord:
        return ArticleRecord(
            url=without_tracking(item.url),
            canonical_url=canonical,
            source=item.source,
            title=extracted.title or item.entry.title or None,
            text=extracted.text,
            author=extracted.author,
            published_at=item.entry.published_at or extracted.published_at,
            fetched_at=item.fetched_at,
            language=item.result.language,
            language_score=item.result.language_score,
            content_hash=digest,
            description=extracted.description or item.entry.summary or None,
            sitename=extracted.sitename,
            feed_title=item.entry.title or None,
            keywords=item.entry.keywords,
            run_id=self.run_id,
            search=item.result.search,
        )

    def _recheck(self, item: ArticleItem, recheck: Recheck) -> Outcome:
        """A stored article fetched again: a new revision when its text changed."""
        extracted = item.result.extracted
        if extracted is None:
            return Outcome.UNCHANGED
        digest = content_hash(extracted.text)
        if digest == recheck.content_hash:
            return Outcome.UNCHANGED
        changes = {"title": extracted.title or item.entry.title or None, "text": extracted.text,
                   "content_hash": digest, "author": extracted.author,
                   "description": extracted.description or item.entry.summary or None}
        at = utc_iso(item.entry.published_at or extracted.published_at or item.fetched_at)
        prepared = self._story_features(item, extracted, changes["title"], at)
        with transaction(self.db):
            store_revision(self.db, recheck.article_id, changes, item.result.tags.tags,
                           self.rules.version)
            self.desk.revise(recheck.article_id, prepared, at)
        logger.info("%s: article %d changed, previous text kept as a revision", item.source,
                    recheck.article_id)
        return Outcome.UPDATED


def _entities(tags: TagResult) -> list[str]:
    return [t.topic for t in tags.tags if t.kind == TagKind.ENTITY]


def _offtopic_detail(tags: TagResult) -> str | None:
    best = max(tags.scores.items(), key=lambda kv: kv[1], default=None)
    detail = f"best {best[0]} {best[1]}" if best else None
    if tags.suppressed:
        detail = f"{detail}; suppressed by context: {tags.suppressed}"
    return detail
