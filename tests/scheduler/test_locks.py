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
