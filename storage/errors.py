"""What can go wrong with the database file itself, as exceptions the command line turns
into one clear message."""

from __future__ import annotations


class UnusableDatabaseError(Exception):
    """The database path cannot be used (not a file, not a veille database, damaged,
    written by a newer veille); the message says what to do."""


class StorageWriteError(Exception):
    """A write failed in a way that will recur (disk full, read-only, I/O error)."""


class QueryError(ValueError):
    """An operator's query or option cannot be used; the message says why."""
