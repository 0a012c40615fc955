"""SQLite storage: the connection (WAL, explicit write transactions), named migrations,
and every SQL statement veille runs, one module per table family: `articles`, `seen`
(the URL memory), `runs`, `health`, `outbox`, `validators`, `robots`, `sources`,
`queries`.

Imports only the ground (`veille.model`). Modules outside storage/ name sqlite_utils
for their types only, so that it is first imported here.
"""

from __future__ import annotations

import sys


def _import_sqlite_utils() -> None:
    """Import sqlite_utils without numpy, which it loads only to map numpy's number types
    to column types: veille stores none, and loading numpy costs 0.1 to 0.15 s of CPU at
    every start of a crawl (bench/startup_bench.py). numpy stays importable afterwards."""
    if "sqlite_utils" in sys.modules or "numpy" in sys.modules:
        return
    sys.modules["numpy"] = None  # type: ignore[assignment]  # its import fails meanwhile
    try:
        import sqlite_utils  # noqa: F401
    finally:
        del sys.modules["numpy"]


_import_sqlite_utils()
