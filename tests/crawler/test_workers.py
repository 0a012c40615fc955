"""The extraction pool: real worker processes, a deadline per page, and a run that goes on."""

from concurrent.futures import TimeoutError as FutureTimeout

import pytest

from crawler.workers import ExtractionPool
from scheduler.analysis import PageAnalysisFactory
from scheduler.schedule.oneshot import WORKER_PRELOAD
from scheduler.tagging.rules import load_rules
from tests.helpers import fixture_bytes


@pytest.fixture(scope="module")
def pool():
    running = ExtractionPool(PageAnalysisFactory(load_rules()), workers=2, timeout=1.0,
                             preload=WORKER_PRELOAD)
    yield running
    running.close()


def many_blocks_page(count: int = 20000) -> bytes:
    """Thousands of tiny blocks: trafilatura's time grows with their square."""
    return ("<html><body>" + "<div><p>mot</p></div>" * count + "</body></html>").encode()


def test_pool_analyses_a_page_in_a_worker(pool):
    result = pool.submit(fixture_bytes("figaro_like_otan.html"), "https://x.fr/a", None).result(30)
    assert result.language == "fr"
    assert {m.topic for m in result.tags.topics} >= {"nato", "russia"}
    assert "mer Baltique" in result.extracted.text


def test_pool_gives_up_on_a_pathological_page_and_keeps_working(pool):
    slow = pool.submit(many_blocks_page(), "https://x.fr/slow", None)
    with pytest.raises(FutureTimeout):
        slow.result(30)
    after = pool.submit(fixture_bytes("english_nato.html"), "https://x.fr/en", None).result(30)
    assert after.language == "en"


def test_the_workers_start_with_the_first_page():
    lazy = ExtractionPool(PageAnalysisFactory(load_rules()), workers=1, preload=WORKER_PRELOAD)
    try:
        assert not lazy.started  # a crawl that finds nothing new never starts them
        assert lazy.submit(fixture_bytes("english_nato.html"), "https://x.fr/en",
                           None).result(60).language == "en"
        assert lazy.started
    finally:
        lazy.close()


def test_workers_started_soon_take_the_first_page_and_close():
    early = ExtractionPool(PageAnalysisFactory(load_rules()), workers=1, preload=WORKER_PRELOAD)
    try:
        early.start_soon()
        early.start_soon()  # once: a second call while starting changes nothing
        assert early.submit(fixture_bytes("english_nato.html"), "https://x.fr/en",
                            None).result(60).language == "en"
        assert early.started
    finally:
        early.close()
    unused = ExtractionPool(PageAnalysisFactory(load_rules()), workers=1,
                            preload=WORKER_PRELOAD)
    unused.start_soon()
    unused.close()  # a crawl that ends while they start waits for them, then stops them
    assert unused._pool is not None and not unused._pool.active
