"""Advisory locks, one per source (and one for the daemon), in a folder beside the database.

A crawl holds the lock of each source it crawls, so a cron `veille crawl` and
the daemon never work on the same source at once. The locks are flock(2)
locks: the kernel releases them when their process ends, even by SIGKILL, so a
killed crawl never blocks the next one.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from storage.db import StorageWriteError, check_db_path, utcnow

POLL_S = 0.2
MAX_PLAIN_NAME = 80


def lock_dir(db_path: str | Path) -> Path:
    """The folder of the locks of the database at `db_path`; UnusableDatabaseError first
    for a path that cannot be a database (empty, a directory, another kind of file), so
    that no folder is made beside it."""
    check_db_path(db_path)
    return Path(f"{db_path}.locks")


def _lock_file(directory: Path, name: str) -> Path:
    """One file per source; a name that is long or not file-safe gets a hash, so that two
    names never share a lock and no name is too long for the file system."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    if safe != name or len(safe) > MAX_PLAIN_NAME:
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]
        safe = f"{safe[:MAX_PLAIN_NAME]}-{digest}"
    return directory / f"{safe}.lock"


def try_lock(path: Path, owner: str) -> IO[str] | None:
    """Take the lock at `path` without waiting; None when another process holds it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+", encoding="utf-8")
    except OSError as exc:
        raise StorageWriteError(
            f"cannot write the lock files in {path.parent}: {exc.strerror}. veille crawl "
            "writes the database and its locks: point --db at a writable place") from None
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()} since {utcnow()} ({owner})\n")
    handle.flush()
    return handle


def holder(path: Path) -> str:
    """Who holds the lock at `path`, as its holder wrote it."""
    try:
        return path.read_text(encoding="utf-8").strip() or "unknown process"
    except OSError:
        return "unknown process"


@dataclass
class HeldLocks:
    """Locks taken by this process; released by `release()` or when the process ends."""

    handles: dict[str, IO[str]] = field(default_factory=dict)
    busy: dict[str, str] = field(default_factory=dict)  # name -> who holds it

    def release(self) -> None:
        for handle in self.handles.values():
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()
        self.handles.clear()


def acquire(db_path: str | Path, names: list[str], owner: str, wait_s: float = 0.0) -> HeldLocks:
    """Lock as many of `names` as possible, waiting up to `wait_s` seconds for busy ones."""
    directory = lock_dir(db_path)
    held = HeldLocks()
    deadline = time.monotonic() + wait_s
    pending = list(names)
    while True:
        for name in list(pending):
            handle = try_lock(_lock_file(directory, name), owner)
            if handle is not None:
                held.handles[name] = handle
                pending.remove(name)
        if not pending or time.monotonic() >= deadline:
            break
        time.sleep(POLL_S)
    held.busy = {name: holder(_lock_file(directory, name)) for name in pending}
    return held


def acquire_daemon(db_path: str | Path) -> tuple[IO[str] | None, str]:
    """The daemon's own lock: one daemon per database."""
    path = _lock_file(lock_dir(db_path), "_daemon")
    handle = try_lock(path, "veille run")
    return handle, "" if handle else holder(path)
