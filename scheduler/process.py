"""What happens to each downloaded article: language gate, dedup, topics, storage."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import sqlite_utils

from crawler.feeds import FeedEntry
from crawler.results import PageResult, TagResult
from crawler.runstats import RunStats
from crawler.urls import canonical_url, is_http_url, same_site, without_tracking
from scheduler.alert_rules import AlertConfig, ArticleFacts, matches
from scheduler.rules import Rules
from scheduler.text import content_hash
from storage.articles import (
    TopicRow,
    article_id_for,
    record_seen,
    store_article,
    store_revision,
)
from storage.outbox import OutboxRow
from veille.config import Source

logger = logging.getLogger(__name__)


@dataclass
class ArticleItem:
    """A downloaded article page with what the workers made of it."""

    source: str
    url: str  # the URL that answered, after redirects
    requested_canonical: str
    entry: FeedEntry
    result: PageResult
    fetched_at: str
    recheck_of: int | None = None  # an article stored earlier, fetched again for updates
    previous_hash: str | None = None


def article_keys(item: ArticleItem) -> tuple[str, list[str]]:
    """The canonical URL of the article and every other key it is known under.

    A <link rel="canonical"> is honoured when it stays on the same site: a page
    cannot claim to be another outlet's article.
    """
    keys = [item.requested_canonical, canonical_url(item.url)]
    link = item.result.extracted.canonical_link if item.result.extracted else None
    if link:
        absolute = urljoin(item.url, link)
        if is_http_url(absolute) and same_site(absolute, item.url):
            keys.insert(0, canonical_url(absolute))
    keys = list(dict.fromkeys(keys))
    return keys[0], keys[1:]


def tag_rows(tags: TagResult) -> list[TopicRow]:
    return [TopicRow(m.topic, m.score, m.evidence, m.kind, tuple(m.parents)) for m in tags.tags]


class ItemProcessor:
    """Decides about one article and records the decision, one transaction each."""

    def __init__(self, db: sqlite_utils.Database, rules: Rules, sources: dict[str, Source],
                 stats: RunStats, run_id: int | None, keep_offtopic: bool = False,
                 alerts: AlertConfig | None = None) -> None:
        self.db = db
        self.alerts = alerts
        self.rules = rules
        self.sources = sources
        self.stats = stats
        self.run_id = run_id
        self.keep_offtopic = keep_offtopic

    def process(self, item: ArticleItem) -> str:
        """Returns the outcome: new, duplicate, not_french, offtopic or no_text."""
        outcome = self._decide(item)
        self.stats.count(item.source, outcome)
        logger.debug("%s: %s", outcome, item.url)
        return outcome

    def _recheck(self, item: ArticleItem) -> str:
        """A stored article fetched again: a new revision when its text changed."""
        extracted = item.result.extracted
        if extracted is None:
            return "unchanged"
        digest = content_hash(extracted.text)
        if digest == item.previous_hash:
            return "unchanged"
        changes = {"title": extracted.title or item.entry.title or None, "text": extracted.text,
                   "content_hash": digest, "author": extracted.author,
                   "description": extracted.description or item.entry.summary or None}
        store_revision(self.db, item.recheck_of, changes, tag_rows(item.result.tags),
                       self.rules.version)
        logger.info("%s: article %d changed, previous text kept as a revision", item.source,
                    item.recheck_of)
        return "updated"

    def _decide(self, item: ArticleItem) -> str:
        if item.recheck_of is not None:
            return self._recheck(item)
        canonical, aliases = article_keys(item)
        keys = [canonical, *aliases]
        extracted = item.result.extracted
        if extracted is None:
            record_seen(self.db, keys, item.source, "no_text")
            return "no_text"
        languages = self.sources[item.source].languages
        if item.result.language not in languages:
            record_seen(self.db, keys, item.source, "not_french",
                        detail=f"{item.result.language} {item.result.language_score}")
            return "not_french"
        digest = content_hash(extracted.text)
        existing = article_id_for(self.db, keys, digest)
        if existing is not None:
            record_seen(self.db, keys, item.source, "duplicate", article_id=existing)
            return "duplicate"
        tags = item.result.tags
        if not tags.topics and not self.keep_offtopic:
            best = max(tags.scores.items(), key=lambda kv: kv[1], default=None)
            detail = f"best {best[0]} {best[1]}" if best else None
            if tags.suppressed:
                detail = f"{detail}; suppressed by context: {tags.suppressed}"
            record_seen(self.db, keys, item.source, "offtopic", detail=detail)
            return "offtopic"
        article = {
            "url": without_tracking(item.url),
            "canonical_url": canonical,
            "source": item.source,
            "title": extracted.title or item.entry.title or None,
            "text": extracted.text,
            "author": extracted.author,
            "published_at": item.entry.published_at or extracted.published_at,
            "fetched_at": item.fetched_at,
            "language": item.result.language,
            "language_score": item.result.language_score,
            "content_hash": digest,
            "description": extracted.description or item.entry.summary or None,
            "sitename": extracted.sitename,
            "feed_title": item.entry.title or None,
            "keywords": item.entry.keywords,
            "run_id": self.run_id,
        }
        store_article(self.db, article, tag_rows(tags), self.rules.version, aliases,
                      alerts=self._alerts_for(article, tags))
        return "new"

    def _alerts_for(self, article: dict[str, Any], tags: TagResult) -> list[OutboxRow]:
        """One outbox row per matching rule and target; the story is the text's hash, so
        copies of one story published by several outlets alert once."""
        if self.alerts is None:
            return []
        facts = ArticleFacts(source=article["source"], title=article["title"] or "",
                             text=article["text"],
                             tags={m.topic: (m.kind, m.score) for m in tags.tags})
        return [OutboxRow(rule.name, target.id, target.masked, rule.mode,
                          article["content_hash"])
                for rule in self.alerts.rules if matches(rule, facts)
                for target in rule.targets]
