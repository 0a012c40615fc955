"""Open the veille SQLite database: WAL mode, busy timeout, explicit write transactions,
and clear errors for a path that is not a veille database or a disk that cannot be written.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from storage.errors import StorageWriteError, UnusableDatabaseError

__all__ = ["StorageWriteError", "UnusableDatabaseError", "check_db_path", "open_db",
           "open_for_reading", "transaction", "utcnow", "writes_to"]
BUSY_TIMEOUT_S = 30.0
SQLITE_HEADER = b"SQLite format 3\x00"
# SQLite result codes of a write that will fail again if tried again
LASTING_SQLITE_ERRORS = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN",
                         "SQLITE_CORRUPT", "SQLITE_NOTADB")
LASTING_OS_ERRORS = (errno.ENOSPC, errno.EROFS, errno.EIO, errno.EDQUOT, errno.EACCES,
                     errno.EPERM)


def utcnow() -> str:
    """Current time as ISO 8601 in UTC, second precision, with a 'Z'-free offset."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def is_lasting_write_error(exc: BaseException) -> bool:
    """True for errors that trying again will not cure: stop the run at the first."""
    if isinstance(exc, StorageWriteError):
        return True
    if isinstance(exc, sqlite3.Error):
        name = getattr(exc, "sqlite_errorname", "") or ""
        text = str(exc).lower()
        return name.startswith(LASTING_SQLITE_ERRORS) or any(
            m in text for m in ("disk is full", "disk i/o error", "readonly database",
                                "malformed", "not a database"))
    return isinstance(exc, OSError) and exc.errno in LASTING_OS_ERRORS


def describe_storage_error(exc: BaseException, path: str | Path | None = None) -> str:
    """A sentence an operator can act on."""
    where = f" {path}" if path else ""
    text = str(exc).lower()
    if "full" in text or (isinstance(exc, OSError) and exc.errno in (errno.ENOSPC,
                                                                     errno.EDQUOT)):
        return (f"cannot write the database{where}: the disk is full. Nothing already "
                "stored is lost: free some space and run again.")
    if "readonly" in text or "read-only" in text or (isinstance(exc, OSError)
                                                     and exc.errno == errno.EROFS):
        return (f"cannot write the database{where}: the file system is read-only. Point "
                "--db at a writable place.")
    if "malformed" in text or "not a database" in text:
        return f"the database{where} is damaged ({exc}): restore it from a backup."
    return f"cannot write the database{where}: {exc}"


def check_db_path(path: str | Path) -> None:
    """UnusableDatabaseError when `path` cannot be a veille database: before anything is
    written beside it (the crawl's lock files)."""
    path = Path(path)
    if not str(path) or str(path) in (".", ""):
        raise UnusableDatabaseError("no database path given: pass --db PATH or set VEILLE_DB")
    if path.is_dir():
        raise UnusableDatabaseError(f"{path} is a directory, not a database file: pass --db "
                              f"{path / 'veille.db'} for a database inside it")
    if path.exists():
        try:
            with path.open("rb") as handle:
                header = handle.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise UnusableDatabaseError(f"cannot read {path}: {exc.strerror}") from None
        if header and header != SQLITE_HEADER:
            raise UnusableDatabaseError(f"{path} is not a veille database (not an SQLite file): "
                                  "pass --db the path of a veille database, or a new path")


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: no implicit transactions; writers use `transaction()`
    # which takes the write lock up front (BEGIN IMMEDIATE) instead of failing
    # with "database is locked" halfway through.
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # reads the header
    return conn


def open_db(path: str | Path, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (and create) the database at `path`, apply pending migrations.

    UnusableDatabaseError when the path cannot hold a veille database (a directory, another
    kind of file, a damaged one, one from a newer veille); StorageWriteError when it
    cannot be written.
    """
    path = Path(path)
    check_db_path(path)
    try:
        if path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = _connect(path)
    except (sqlite3.Error, OSError) as exc:
        raise _problem(exc, path) from None
    db = sqlite_utils.Database(conn)
    try:
        if migrate:
            from storage.migrations import check_version, migrations

            check_version(db, path)
        db.enable_wal()
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        if migrate:
            migrations.apply(db)
    except (sqlite3.Error, OSError) as exc:
        conn.close()
        raise _problem(exc, path) from None
    return db


def check_usable(path: str | Path) -> None:
    """UnusableDatabaseError when the database at `path` exists and cannot be veille's
    (damaged, another application's, a newer veille's), found without writing anything:
    what a command checks before it makes a lock folder beside the database, and before
    another process holding that lock would let it migrate the schema. A path with no
    file yet passes (the database is made later, under the lock)."""
    path = Path(path)
    check_db_path(path)
    if path.exists():
        _checked_read_only(path).close()


def open_for_reading(path: str | Path) -> sqlite_utils.Database:
    """Open an existing database for commands that only read it (stats, search, health):
    as `open_db` where it can be written, read-only where it cannot (a read-only file
    system, a copy on read-only media)."""
    path = Path(path)
    check_db_path(path)
    writable = os.access(path.parent if str(path.parent) else ".", os.W_OK) and (
        not path.exists() or os.access(path, os.W_OK))
    if writable:
        return open_db(path)
    db = _checked_read_only(path)
    from storage.migrations import migrations

    if migrations.pending(db):
        raise UnusableDatabaseError(
            f"{path} was written by an older veille and cannot be upgraded where it is "
            "(read-only): open it once with veille where it can be written")
    return db


def _checked_read_only(path: Path) -> sqlite_utils.Database:
    """The database at `path`, opened read-only, its schema checked to be this veille's
    or an older one (`check_version`)."""
    from storage.migrations import check_version

    try:
        try:
            conn = _read_only(path, immutable=False)
        except sqlite3.OperationalError:
            # A WAL database whose -shm file cannot be created: nobody can write it here
            # either, so reading it as immutable is safe.
            conn = _read_only(path, immutable=True)
    except (sqlite3.Error, OSError) as exc:
        raise _problem(exc, path) from None
    db = sqlite_utils.Database(conn)
    try:
        check_version(db, path)
    except (sqlite3.Error, OSError) as exc:
        conn.close()
        raise _problem(exc, path) from None
    except UnusableDatabaseError:
        conn.close()
        raise
    return db


def _read_only(path: Path, *, immutable: bool) -> sqlite3.Connection:
    uri = f"{path.resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return conn


def _problem(exc: BaseException, path: Path) -> Exception:
    """A damaged file is the operator's to restore; anything else is a write that fails."""
    text = str(exc).lower()
    if "malformed" in text or "not a database" in text:
        return UnusableDatabaseError(describe_storage_error(exc, path))
    return StorageWriteError(describe_storage_error(exc, path))


@contextmanager
def writes_to(path: str | Path) -> Iterator[None]:
    """Turn a write error that will recur into a StorageWriteError that names `path`."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        if is_lasting_write_error(exc):
            raise StorageWriteError(describe_storage_error(exc, path)) from None
        raise


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
