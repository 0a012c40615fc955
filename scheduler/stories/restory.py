"""`veille restory`: copies, wires and stories computed again for stored articles (a
database from before stories, or after a threshold changed), in batches, with progress.

Running it twice gives the same result: the articles in range lose what was said of
them, then are decided again in the order they were stored, each against those stored
before it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scheduler.stories.assign import StoryDesk
from storage import stories as store
from storage.db import transaction
from veille.times import utc_iso

if TYPE_CHECKING:
    import sqlite_utils

logger = logging.getLogger(__name__)
BATCH = 200


@dataclass
class RestoryReport:
    articles: int = 0
    copies: int = 0
    stories: int = 0  # stories opened
    joined: int = 0  # articles that joined a story on their title, lead and names


def restory(db: sqlite_utils.Database, since: str | None = None,
            progress: Callable[[int, int], None] | None = None) -> RestoryReport:
    """Decide copies, wires and stories again for the articles since `since`."""
    ids = store.articles_since(db, since)
    report = RestoryReport()
    desk = StoryDesk(db)
    with transaction(db):
        store.forget_story_data(db, ids)
    for start in range(0, len(ids), BATCH):
        with transaction(db):
            for article in store.stored_articles(db, ids[start:start + BATCH]):
                at = utc_iso(article.at)
                prepared = desk.prepare(article.title, article.text, article.author,
                                        entities=article.entities, published=at)
                decision = desk.decide(prepared, article.url, at, exclude=article.id,
                                       stored=True)
                desk.record(article.id, prepared, decision, at)
                report.articles += 1
                report.copies += decision.copy_of is not None
                report.joined += decision.signal == "title_lead"
                report.stories += decision.story_id is None and decision.copy_of is None
        if progress:
            progress(report.articles, len(ids))
        logger.info("restory: %d of %d articles", report.articles, len(ids))
    return report
