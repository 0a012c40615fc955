"""What one crawl shares between the spider, its middlewares and its item pipeline.

The crawl is built from above: the scheduler passes in how to key a URL and what
to do with each downloaded article, so the crawler collects without knowing what
is decided about what it collects.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crawler.listings import ListingLedger
from crawler.runstats import RunStats
from crawler.workers import ExtractionPool
from storage.db import describe_storage_error, is_lasting_write_error
from storage.seen import record_seen
from storage.validators import save_validators
from veille.model import ArticleItem, Outcome, SeenStatus, Source

if TYPE_CHECKING:
    import sqlite_utils

logger = logging.getLogger(__name__)

ItemHandler = Callable[[ArticleItem], Outcome]  # decides about one article and stores it
UrlKey = Callable[[str], str]  # the dedup key of an article URL


@dataclass
class CrawlContext:
    """Everything the spider and the pipeline share during one run."""

    db: sqlite_utils.Database
    sources: list[Source]
    stats: RunStats
    pool: ExtractionPool
    handle: ItemHandler
    url_key: UrlKey
    close_reason: str | None = None
    by_name: dict[str, Source] = field(default_factory=dict)
    # Set by the runner: stops the crawl (the reason goes to the run record).
    stop: Callable[[str], None] | None = None
    # Why the database cannot be written any more; the crawl stops at the first.
    storage_error: str | None = None
    # The listings that answered in full, whose validators wait for their links
    listings: ListingLedger = field(init=False)

    def __post_init__(self) -> None:
        self.by_name = self.by_name or {s.name: s for s in self.sources}
        self.listings = ListingLedger(self.remember_validators)

    def source(self, name: str) -> Source:
        return self.by_name[name]

    def storage_failed(self, exc: BaseException) -> bool:
        """Stop the crawl at a write error that will recur (a full disk): say it once,
        download nothing more. False for other errors, which cost one item."""
        if not is_lasting_write_error(exc):
            return False
        if self.storage_error is None:
            self.storage_error = describe_storage_error(exc)
            logger.error("stopping the run: %s", self.storage_error)
            if self.stop is not None:
                self.stop("storage_failed")
        return True

    def record_failure(self, key: str, source: str, status: SeenStatus, message: str) -> None:
        if self.storage_error is not None:
            return  # undecided: the next run tries again
        try:
            record_seen(self.db, [key], source, status, detail=message)
        except Exception as exc:
            if not self.storage_failed(exc):
                raise
            return
        self.listings.decided(key, final=status.final)  # an error is tried again

    def remember_validators(self, url: str, etag: str | None, last_modified: str | None,
                            source: str) -> None:
        if self.storage_error is not None:
            return
        try:
            save_validators(self.db, url, etag, last_modified, source)
        except Exception as exc:  # kept validators only save requests: the run goes on
            if not self.storage_failed(exc):
                logger.warning("%s: the validators of %s were not kept (%s: %s): it is read "
                               "in full next run", source, url, type(exc).__name__, exc)
