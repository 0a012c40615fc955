"""The memory of article URLs: every URL veille has decided about, so none is fetched twice."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlite_utils

from storage.db import transaction, utcnow
from veille.model import Recheck, SeenStatus

MAX_ERROR_ATTEMPTS = 3  # a URL that failed this often waits for `veille forget`


def is_known(db: sqlite_utils.Database, canonical_url: str) -> bool:
    """True when this URL needs no new download: decided, or failed too often."""
    row = db.execute(
        "SELECT status, attempts FROM seen_urls WHERE canonical_url = ?", [canonical_url]
    ).fetchone()
    if row is None:
        return False
    status, attempts = row
    return SeenStatus(status).final or (attempts or 0) >= MAX_ERROR_ATTEMPTS


def recheck_candidate(db: sqlite_utils.Database, canonical_url: str,
                      since: str) -> Recheck | None:
    """The stored article at this URL when it was first fetched after `since`."""
    row = db.execute(
        "SELECT a.id, a.content_hash FROM seen_urls s JOIN articles a ON a.id = s.article_id "
        "WHERE s.canonical_url = ? AND s.status = ? AND a.fetched_at >= ?",
        [canonical_url, SeenStatus.STORED, since]).fetchone()
    return Recheck(row[0], row[1]) if row else None


def urls_with_text(db: sqlite_utils.Database, content_hash: str) -> list[tuple[int, str]]:
    """(id, url) of the stored articles with this exact text."""
    return [(r[0], r[1]) for r in db.execute(
        "SELECT id, url FROM articles WHERE content_hash = ?", [content_hash])]


def article_id_for(db: sqlite_utils.Database, canonical_urls: Iterable[str],
                   content_hash: str | None = None) -> int | None:
    """The stored article this URL or text already is, if any."""
    keys = list(dict.fromkeys(canonical_urls))
    if keys:
        marks = ",".join("?" * len(keys))
        row = db.execute(f"SELECT id FROM articles WHERE canonical_url IN ({marks}) LIMIT 1",  # noqa: S608
                         keys).fetchone()
        if row:
            return int(row[0])
        row = db.execute(
            f"SELECT article_id FROM seen_urls WHERE canonical_url IN ({marks}) "  # noqa: S608
            "AND article_id IS NOT NULL LIMIT 1", keys).fetchone()
        if row:
            return int(row[0])
    if content_hash:
        row = db.execute("SELECT id FROM articles WHERE content_hash = ? LIMIT 1",
                         [content_hash]).fetchone()
        if row:
            return int(row[0])
    return None


def upsert_seen(db: sqlite_utils.Database, canonical_urls: Iterable[str], source: str,
                status: SeenStatus, article_id: int | None, detail: str | None) -> None:
    """Record a decision inside the caller's transaction."""
    now = utcnow()
    for url in dict.fromkeys(canonical_urls):
        db.execute(
            """INSERT INTO seen_urls (canonical_url, source, status, article_id, attempts,
                                      detail, first_seen, last_seen)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(canonical_url) DO UPDATE SET
                 status = excluded.status,
                 article_id = COALESCE(excluded.article_id, seen_urls.article_id),
                 attempts = seen_urls.attempts + excluded.attempts,
                 detail = excluded.detail,
                 last_seen = excluded.last_seen""",
            [url, source, status, article_id, 1 if status == SeenStatus.ERROR else 0, detail,
             now, now],
        )


def record_seen(db: sqlite_utils.Database, canonical_urls: Iterable[str], source: str,
                status: SeenStatus, article_id: int | None = None,
                detail: str | None = None) -> None:
    """Remember the decision about these URLs (one transaction)."""
    with transaction(db):
        upsert_seen(db, canonical_urls, source, status, article_id, detail)


@dataclass
class ForgetReport:
    by_status: dict[str, int] = field(default_factory=dict)
    validators: int = 0
    robots: int = 0  # hosts whose kept robots.txt is read again

    @property
    def decisions(self) -> int:
        return sum(self.by_status.values())


def forget(db: sqlite_utils.Database, sources: dict[str, str], statuses: Iterable[SeenStatus],
           since: str | None = None, *, dry_run: bool = False) -> ForgetReport:
    """Forget the decisions about URLs of `sources` ({name: listing URL}) with one of
    `statuses`, made since `since`, the validators of those sources' listings and the
    robots.txt kept for their hosts: the next run fetches the listings in full, reads
    robots.txt again and downloads those URLs again. One transaction; nothing changes
    with `dry_run`."""
    from storage.robots import forget_robots
    from storage.validators import forget_validators

    wanted = [str(s) for s in statuses]
    where = (f"source IN ({','.join('?' * len(sources))}) AND "
             f"status IN ({','.join('?' * len(wanted))})")
    params: list[str] = [*sources, *wanted]
    if since:
        where += " AND last_seen >= ?"
        params.append(since)
    report = ForgetReport()
    with transaction(db):
        report.by_status = dict(db.execute(
            f"SELECT status, count(*) FROM seen_urls WHERE {where} GROUP BY status "  # noqa: S608
            "ORDER BY 2 DESC", params).fetchall())
        if dry_run:
            return report
        forgotten = [row[0] for row in db.execute(
            f"SELECT canonical_url FROM seen_urls WHERE {where}", params)]  # noqa: S608
        db.execute(f"DELETE FROM seen_urls WHERE {where}", params)  # noqa: S608
        report.validators = forget_validators(db, sources)
        report.robots = forget_robots(db, [*sources.values(), *forgotten])
    return report
