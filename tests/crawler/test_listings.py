"""ListingLedger: a listing's validators are written once every link it gave is decided."""

from __future__ import annotations

from crawler.listings import ListingLedger

FEED = "https://example.org/rss.xml"
INDEX = "https://example.org/sitemap-index.xml"
CHILDREN = ["https://example.org/sitemap-1.xml", "https://example.org/sitemap-2.xml"]


def ledger() -> tuple[ListingLedger, list[tuple[str, str | None, str | None, str]]]:
    saved: list[tuple[str, str | None, str | None, str]] = []
    return ListingLedger(lambda *row: saved.append(row)), saved


def read_index(book: ListingLedger, children: list[str]) -> None:
    """The index answered in full and named `children`."""
    book.answered(INDEX, "news", '"i1"', None)
    for child in children:
        book.expect_child(INDEX, child)
    book.read(INDEX)


def test_a_listing_without_new_links_keeps_its_validators_once_read():
    book, saved = ledger()
    book.answered(FEED, "monde", '"v1"', None)
    assert saved == []  # not before every link it gives is counted
    book.read(FEED)
    assert saved == [(FEED, '"v1"', None, "monde")]


def test_validators_wait_for_the_last_link_decided():
    book, saved = ledger()
    book.answered(FEED, "monde", '"v1"', "Mon, 07 Dec 2026 05:00:00 GMT")
    for key in ("a", "b", "c"):
        book.expect_link(FEED, key)
    book.read(FEED)
    book.decided("a", final=True)
    book.decided("c", final=True)
    assert saved == []
    book.decided("b", final=True)
    assert saved == [(FEED, '"v1"', "Mon, 07 Dec 2026 05:00:00 GMT", "monde")]
    book.decided("b", final=True)  # a link decided twice, or never expected: nothing
    book.decided("unknown", final=False)
    assert len(saved) == 1


def test_a_link_to_try_again_or_left_over_budget_drops_the_validators():
    for leave in ("error", "budget"):
        book, saved = ledger()
        book.answered(FEED, "monde", '"v2"', None)
        book.expect_link(FEED, "a")
        book.expect_link(FEED, "b")
        if leave == "budget":
            book.leave(FEED)
        book.read(FEED)
        book.decided("a", final=leave == "budget")
        book.decided("b", final=True)
        # the kept ones (if any) go too: the next run reads the listing in full
        assert saved == [(FEED, None, None, "monde")], leave


def test_a_listing_whose_links_are_never_all_decided_keeps_nothing():
    # the run stopped (killed, timed out) before its last link: nothing is written, and
    # the validators kept from an earlier run, which this answer replaced, no longer match
    book, saved = ledger()
    book.answered(FEED, "monde", '"v3"', None)
    book.expect_link(FEED, "a")
    book.expect_link(FEED, "b")
    book.read(FEED)
    book.decided("a", final=True)
    assert saved == []


def test_a_sitemap_index_waits_for_its_children():
    book, saved = ledger()
    read_index(book, CHILDREN)
    book.unchanged(CHILDREN[0])  # 304: nothing of it to decide
    book.answered(CHILDREN[1], "news", '"c2"', None)
    book.expect_link(CHILDREN[1], "a")
    book.read(CHILDREN[1])
    assert saved == []
    book.decided("a", final=True)
    assert saved == [(CHILDREN[1], '"c2"', None, "news"), (INDEX, '"i1"', None, "news")]


def test_a_child_that_fails_or_leaves_links_keeps_its_index_unwritten():
    book, saved = ledger()
    read_index(book, CHILDREN)
    book.unchanged(CHILDREN[0])
    # the second child never answers (its download failed): the index stays unwritten
    assert saved == []
    book, saved = ledger()
    read_index(book, CHILDREN[:1])
    book.answered(CHILDREN[0], "news", '"c1"', None)
    book.expect_link(CHILDREN[0], "a")
    book.read(CHILDREN[0])
    book.decided("a", final=False)
    assert saved == [(CHILDREN[0], None, None, "news"), (INDEX, None, None, "news")]


def test_an_index_past_its_child_limit_keeps_nothing_of_its_validators():
    book, saved = ledger()
    book.answered(INDEX, "news", '"i1"', None)
    book.expect_child(INDEX, CHILDREN[0])
    book.leave(INDEX)  # more children than a run reads: the rest waits
    book.read(INDEX)
    book.unchanged(CHILDREN[0])
    assert saved == [(INDEX, None, None, "news")]


def test_two_sources_reading_one_listing_wait_for_the_links_of_both():
    book, saved = ledger()
    book.answered(FEED, "monde", '"v1"', None)
    book.expect_link(FEED, "a")
    book.read(FEED)
    book.answered(FEED, "monde-bis", '"v1"', None)  # its links were all the first one's
    book.read(FEED)
    assert saved == []  # "a" is not decided yet
    book.decided("a", final=True)
    assert saved == [(FEED, '"v1"', None, "monde")]
