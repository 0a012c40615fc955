"""Per-source locks: taken, reported with their holder, waited for a bounded time."""

from __future__ import annotations

import threading
import time

from scheduler.schedule import locks


def test_acquire_skips_busy_names_and_reports_holder(tmp_path):
    db = tmp_path / "v.db"
    first = locks.acquire(db, ["a", "b"], "test holder")
    second = locks.acquire(db, ["b", "c"], "second")
    assert set(first.handles) == {"a", "b"}
    assert set(second.handles) == {"c"}
    assert "test holder" in second.busy["b"]
    first.release()
    third = locks.acquire(db, ["b"], "third")
    assert set(third.handles) == {"b"}
    second.release()
    third.release()


def test_acquire_waits_a_bounded_time(tmp_path):
    db = tmp_path / "v.db"
    holder = locks.acquire(db, ["a"], "holder")
    threading.Timer(0.5, holder.release).start()
    started = time.monotonic()
    waiter = locks.acquire(db, ["a"], "waiter", wait_s=10)
    assert set(waiter.handles) == {"a"}
    assert time.monotonic() - started < 5
    waiter.release()


def test_batcher_gathers_the_sources_due_together_and_waits_for_their_crawl():
    import threading

    from scheduler.schedule.daemon import Batcher

    crawled: list[list[str]] = []
    batcher = Batcher(lambda names: crawled.append(sorted(names)), threading.Event(),
                      gather_s=0.3, most=3)
    threads = [threading.Thread(target=batcher.crawl, args=(n,)) for n in "abcd"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert not any(t.is_alive() for t in threads)  # every caller returned after its crawl
    assert sorted(crawled) == [["a", "b", "c"], ["d"]]  # at most 3 sources in one crawl


def test_offsets_on_the_batch_grid():
    from scheduler.schedule.daemon import stagger_offsets
    from veille.model import Source

    sources = [Source(name=f"s{i}", url=f"https://x.fr/{i}", every_s=60) for i in range(12)]
    spread = stagger_offsets(sources)
    aligned = stagger_offsets(sources, 10.0)
    assert len(set(spread.values())) == 12
    assert set(aligned.values()) == {0.0, 10.0, 20.0, 30.0, 40.0, 50.0}
