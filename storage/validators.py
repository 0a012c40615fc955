"""HTTP validators (ETag, Last-Modified) of feeds, sitemaps and pages, for conditional requests."""

from __future__ import annotations

import sqlite_utils

from storage.db import transaction, utcnow


def conditional_headers(db: sqlite_utils.Database, url: str) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from what `url` answered last time."""
    row = db.execute("SELECT etag, last_modified FROM http_validators WHERE url = ?",
                     [url]).fetchone()
    headers = {}
    if row and row[0]:
        headers["If-None-Match"] = row[0]
    if row and row[1]:
        headers["If-Modified-Since"] = row[1]
    return headers


def save_validators(db: sqlite_utils.Database, url: str, etag: str | None,
                    last_modified: str | None, source: str | None = None) -> None:
    with transaction(db):
        if not etag and not last_modified:
            db.execute("DELETE FROM http_validators WHERE url = ?", [url])
            return
        db.execute(
            "INSERT INTO http_validators (url, etag, last_modified, checked_at, source) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, "
            "last_modified = excluded.last_modified, checked_at = excluded.checked_at, "
            "source = COALESCE(excluded.source, http_validators.source)",
            [url, etag, last_modified, utcnow(), source])


def forget_validators(db: sqlite_utils.Database, sources: dict[str, str]) -> int:
    """Drop the validators of these sources' listings ({name: listing URL}), inside the
    caller's transaction, so that their next request fetches the listing in full."""
    removed = 0
    for name, url in sources.items():
        cursor = db.execute("DELETE FROM http_validators WHERE source = ? OR url = ?",
                            [name, url])
        removed += cursor.rowcount
    return removed
