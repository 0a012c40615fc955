"""Open the veille SQLite database: WAL mode, busy timeout, explicit write transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

BUSY_TIMEOUT_S = 30.0


def utcnow() -> str:
    """Current time as ISO 8601 in UTC, second precision, with a 'Z'-free offset."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def open_db(path: str | Path, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (and create) the database at `path`, apply pending migrations."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: no implicit transactions; writers use `transaction()`
    # which takes the write lock up front (BEGIN IMMEDIATE) instead of failing
    # with "database is locked" halfway through.
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    db = sqlite_utils.Database(conn)
    db.enable_wal()
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    if migrate:
        from storage.migrations import migrations

        migrations.apply(db)
    return db


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction: BEGIN IMMEDIATE, COMMIT on success, ROLLBACK on error."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")
