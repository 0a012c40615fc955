"""What happens to each downloaded article, in the order of the README's flow:
language gate → dedup → tags → store (with the alerts to send, in one transaction).

The crawler hands every article to `ItemProcessor.process`; each step below is
one call into the room that owns it.
"""

from __future__ import annotations

import logging

import sqlite_utils

from scheduler.alerts.rules import AlertConfig, alerts_for
from scheduler.dedup.content import content_hash
from scheduler.dedup.keys import article_keys
from scheduler.dedup.urls import without_tracking
from scheduler.tagging.rules import Rules
from storage.articles import store_article, store_revision
from storage.seen import article_id_for, record_seen
from veille.model import (
    ArticleItem,
    ArticleRecord,
    CrawlOptions,
    Extracted,
    Outcome,
    Recheck,
    SeenStatus,
    Source,
    TagResult,
)

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
        # 3. Dedup: the same URL under another key, or the same text.
        digest = content_hash(extracted.text)
        existing = article_id_for(self.db, keys, digest)
        if existing is not None:
            record_seen(self.db, keys, item.source, SeenStatus.DUPLICATE, article_id=existing)
            return Outcome.DUPLICATE
        # 4. Tags (computed in the extraction workers): no main topic, not stored.
        tags = item.result.tags
        if not tags.topics and not self.options.keep_offtopic:
            record_seen(self.db, keys, item.source, SeenStatus.OFFTOPIC,
                        detail=_offtopic_detail(tags))
            return Outcome.OFFTOPIC
        # 5. Store, with the alerts it triggers, in one transaction.
        article = self._record(item, extracted, canonical, digest)
        alerts = alerts_for(self.alerts, article, tags) if self.alerts else []
        store_article(self.db, article, tags.tags, self.rules.version, aliases, alerts=alerts)
        return Outcome.NEW

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
        store_revision(self.db, recheck.article_id, changes, item.result.tags.tags,
                       self.rules.version)
        logger.info("%s: article %d changed, previous text kept as a revision", item.source,
                    recheck.article_id)
        return Outcome.UPDATED


def _offtopic_detail(tags: TagResult) -> str | None:
    best = max(tags.scores.items(), key=lambda kv: kv[1], default=None)
    detail = f"best {best[0]} {best[1]}" if best else None
    if tags.suppressed:
        detail = f"{detail}; suppressed by context: {tags.suppressed}"
    return detail
