"""How long a robots.txt answer is kept (RFC 9309, 2.4), and the table that keeps it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.middlewares import ROBOTS_CACHE_S, robots_lifetime
from storage.db import open_db
from storage.robots import cached_robots, forget_robots, origin, save_robots


@pytest.mark.parametrize(("cache_control", "seconds"), [
    (None, ROBOTS_CACHE_S),
    ("", ROBOTS_CACHE_S),
    ("public, max-age=600", 600),
    ('max-age="120"', 120),
    ("MAX-AGE=90, must-revalidate", 90),
    ("max-age=31536000", ROBOTS_CACHE_S),  # never more than 24 hours
    ("max-age=0", 0),
    ("no-store", 0),
    ("private, no-store, max-age=600", 0),
    ("max-age=soon", ROBOTS_CACHE_S),  # unreadable: the default
    ("max-age=-5", 0),
])
def test_lifetime_follows_cache_control_up_to_a_day(cache_control, seconds):
    assert robots_lifetime(cache_control) == seconds


def test_kept_answer_is_read_until_it_expires(tmp_path):
    db = open_db(tmp_path / "v.db")
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    save_robots(db, "https://example.fr", 200, b"User-agent: *\nDisallow: /x\n", 3600, now)
    kept = cached_robots(db, "https://example.fr", now + timedelta(minutes=59))
    assert kept is not None and kept.status == 200 and kept.body.endswith(b"/x\n")
    assert cached_robots(db, "https://example.fr", now + timedelta(minutes=61)) is None
    assert cached_robots(db, "http://example.fr", now) is None  # another origin
    save_robots(db, "https://example.fr", 404, b"", 3600, now + timedelta(hours=2))
    assert cached_robots(db, "https://example.fr", now + timedelta(hours=2)).status == 404
    save_robots(db, "https://example.fr", 200, b"", 0, now)  # not to be kept: dropped
    assert cached_robots(db, "https://example.fr", now) is None
    save_robots(db, "https://example.fr", 200, b"", 60, now)
    save_robots(db, "https://other.fr:8443", 200, b"", 60, now)
    assert forget_robots(db, ["https://example.fr/rss.xml", "https://example.fr/a/1"]) == 1
    assert forget_robots(db, []) == 0
    assert cached_robots(db, "https://other.fr:8443", now) is not None


def test_storage_loads_sqlite_utils_without_numpy():
    """sqlite_utils loads numpy for a type mapping veille never uses (0.1 s of each start);
    storage imports it without, and numpy still imports afterwards."""
    import subprocess
    import sys

    code = ("import sys, storage.db, sqlite_utils.db as s; "
            "assert 'numpy' not in sys.modules and s.np is None; "
            "import numpy; print(numpy.uint32(7))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "7"


def test_origin_is_kept_without_credentials():
    assert origin("https://user:s3cret@example.fr:8443/rss.xml?x=1") == "https://example.fr:8443"
    assert origin("http://[2001:db8::1]/a") == "http://[2001:db8::1]"
    assert origin("https://Example.FR/a") == "https://example.fr"
