"""Each host's robots.txt as last fetched, for up to 24 hours (RFC 9309, section 2.4).

Only answers that say what the host wants are kept: a 2xx (its rules) or a 4xx (no
rules). A 5xx or no answer is never kept: the next crawl asks again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import sqlite_utils

from storage.db import transaction


@dataclass(frozen=True)
class CachedRobots:
    """A robots.txt answer still fresh: its status, body and when it was fetched."""

    status: int
    body: bytes
    fetched_at: str


def cached_robots(db: sqlite_utils.Database, origin: str,
                  now: datetime | None = None) -> CachedRobots | None:
    """The robots.txt of `origin` ("https://host:port") if fetched and still fresh."""
    now = now or datetime.now(UTC)
    row = db.execute("SELECT status, body, fetched_at FROM robots_cache "
                     "WHERE origin = ? AND expires_at > ?",
                     [origin, now.isoformat(timespec="seconds")]).fetchone()
    return CachedRobots(row[0], bytes(row[1] or b""), row[2]) if row else None


def save_robots(db: sqlite_utils.Database, origin: str, status: int, body: bytes,
                lifetime_s: float, now: datetime | None = None) -> None:
    """Keep `origin`'s robots.txt answer for `lifetime_s` seconds (none when <= 0)."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    with transaction(db):
        if lifetime_s <= 0:
            db.execute("DELETE FROM robots_cache WHERE origin = ?", [origin])
            return
        db.execute(
            "INSERT INTO robots_cache (origin, status, body, fetched_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(origin) DO UPDATE SET status = excluded.status, "
            "body = excluded.body, fetched_at = excluded.fetched_at, "
            "expires_at = excluded.expires_at",
            [origin, status, body, now.isoformat(), (now + timedelta(seconds=lifetime_s))
             .isoformat()])


def origin(url: str) -> str:
    """"scheme://host[:port]" of a URL, what a robots.txt is kept for: never the
    credentials a URL may carry (user:password@), which stay out of the database."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2].lower()  # host names know no case
    return f"{parts.scheme}://{host}"


def forget_robots(db: sqlite_utils.Database, urls: Iterable[str]) -> int:
    """Drop the robots.txt kept for the hosts of `urls` (inside the caller's transaction):
    the next crawl of each fetches it again."""
    origins = sorted({origin(url) for url in urls})
    if not origins:
        return 0
    return db.execute(f"DELETE FROM robots_cache WHERE origin IN "  # noqa: S608
                      f"({','.join('?' * len(origins))})", origins).rowcount
