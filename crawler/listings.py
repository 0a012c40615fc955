"""When a listing's HTTP validators may be written: once every link it gave is decided.

A listing (feed, sitemap, section page) that answers in full has its ETag and
Last-Modified kept, so that the next run asks for it conditionally and an unchanged
listing costs one request answered 304. But a 304 also means the listing is not read:
a link it gave that this run left undecided (the run killed or timed out before it, the
source over its budget, a download or extraction error retried in later runs) would
wait until the listing changes. So the validators of a listing are written only when
each article link it gave, and each child sitemap it named, was decided for good in
this run; otherwise the next run reads the listing in full again, and what is already
decided costs nothing there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

SaveValidators = Callable[[str, str | None, str | None, str], None]  # url, etag, l-m, source


@dataclass
class _Listing:
    source: str
    etag: str | None
    last_modified: str | None
    parent: str | None  # the sitemap index that named it
    waiting: int = 0  # links and child sitemaps not decided yet
    left: bool = False  # something it gave waits for a later run
    read: bool = False  # every link it gives has been counted


class ListingLedger:
    """The listings of one crawl that answered in full, and what each still waits for.

    Listings are named by the URL they were requested at, which is where their
    validators are kept: the next run asks that URL first, and a redirect carries the
    conditional headers to where the listing moved. Article links are named by their
    dedup key. The crawler tells it what happens; it calls `save` for a listing whose
    work is all done.
    """

    def __init__(self, save: SaveValidators) -> None:
        self.save = save
        self._listings: dict[str, _Listing] = {}
        self._owner: dict[str, str] = {}  # article key -> the listing that gave it
        self._children: dict[str, str] = {}  # child sitemap -> its index

    def answered(self, listing: str, source: str, etag: str | None,
                 last_modified: str | None) -> None:
        """`listing` answered in full, with these validators (none: those kept go)."""
        found = self._listings.get(listing)
        if found is not None:  # two sources read one listing: what both gave is waited for
            found.etag, found.last_modified, found.read = etag, last_modified, False
            return
        self._listings[listing] = _Listing(source, etag, last_modified,
                                           self._children.pop(listing, None))

    def unchanged(self, listing: str) -> None:
        """`listing` answered 304: nothing of it to decide, its index may count it done."""
        self._done(self._children.pop(listing, None), left=False)

    def expect_link(self, listing: str, key: str) -> None:
        """`listing` gave article link `key`, to be decided in this run."""
        if listing in self._listings:
            self._owner[key] = listing
            self._listings[listing].waiting += 1

    def expect_child(self, listing: str, child: str) -> None:
        """`listing`, a sitemap index, named `child`, requested in this run."""
        if listing in self._listings:
            self._children[child] = listing
            self._listings[listing].waiting += 1

    def leave(self, listing: str) -> None:
        """Something `listing` gave waits for a later run (over budget, past a limit)."""
        if listing in self._listings:
            self._listings[listing].left = True

    def read(self, listing: str) -> None:
        """Every link `listing` gives has been counted: it may be done already."""
        found = self._listings.get(listing)
        if found is not None:
            found.read = True
            self._settle(listing)

    def decided(self, key: str, final: bool) -> None:
        """Article link `key` was decided: for good (`final`), or to be tried again in a
        later run (a retried error, an article not stored)."""
        self._done(self._owner.pop(key, None), left=not final)

    def _done(self, listing: str | None, left: bool) -> None:
        if listing is None or listing not in self._listings:
            return
        found = self._listings[listing]
        found.waiting -= 1
        found.left |= left
        self._settle(listing)

    def _settle(self, listing: str) -> None:
        found = self._listings[listing]
        if not found.read or found.waiting > 0:
            return
        del self._listings[listing]
        if found.left:  # none kept: asked in full next time, even if it answers as today
            logger.info("%s: %s will be read in full next run: links it gave wait for it",
                        found.source, listing)
            found.etag = found.last_modified = None
        self.save(listing, found.etag, found.last_modified, found.source)
        self._done(found.parent, left=found.left)
