"""Run `veille` with its database on a small, real file system that fills up or turns
read-only (a tmpfs mounted for the purpose).

Run as `unshare --user --map-root-user --mount python fsfaults.py CONFIG.json` (or as
root). Mode "full": the disk is filled but for `free` bytes, a crawl runs, the space
is freed, a crawl runs again. Mode "readonly": a crawl stores articles, the file system
is remounted read-only, then crawl, stats, search and health run. Prints one JSON
object with what each command said and what the database holds.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any


def veille(config: dict[str, Any], db: Path, *args: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "veille", "--db", str(db), "--sources", config["sources"],
         *args], capture_output=True, text=True, timeout=300, check=False, cwd=config["cwd"])
    return {"code": result.returncode, "stdout": result.stdout, "stderr": result.stderr}


def contents(db: Path) -> dict[str, Any]:
    uri = f"{db.as_uri()}?mode=ro" + ("&immutable=1" if not os.access(db.parent, os.W_OK) else "")
    with sqlite3.connect(uri, uri=True) as conn:
        return {
            "integrity": conn.execute("PRAGMA integrity_check").fetchone()[0],
            "articles": conn.execute("SELECT count(*) FROM articles").fetchone()[0],
            "stored_urls": conn.execute(
                "SELECT count(*) FROM seen_urls WHERE status = 'stored'").fetchone()[0],
            "decided_urls": conn.execute("SELECT count(*) FROM seen_urls").fetchone()[0],
        }


def full(config: dict[str, Any], mount: Path, db: Path) -> dict[str, Any]:
    subprocess.run([sys.executable, "-c", "import sys; from storage.db import open_db; "
                    "open_db(sys.argv[1]).close()", str(db)], check=True, cwd=config["cwd"])
    filler = mount / "filler"
    stat = os.statvfs(mount)
    filler.write_bytes(b"\0" * max(0, stat.f_bavail * stat.f_frsize - config["free"]))
    first = veille(config, db, "crawl", "--workers", "1")
    after_first = contents(db)
    filler.unlink()
    again = veille(config, db, "crawl", "--workers", "1")
    return {"full": first, "after_full": after_first, "again": again,
            "after_again": contents(db)}


def readonly(config: dict[str, Any], mount: Path, db: Path) -> dict[str, Any]:
    first = veille(config, db, "crawl", "--workers", "1")
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
    return {"first": first,
            **{name: veille(config, db, *args) for name, args in (
                ("crawl", ("crawl",)), ("stats", ("stats",)), ("search", ("search", "Kharkiv")),
                ("health", ("health",)))},
            "after": contents(db)}


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    mount = Path(config["mount"])
    mount.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={config['size']}", "tmpfs",
                    str(mount)], check=True)
    db = mount / "v.db"
    scenario = {"full": full, "readonly": readonly}[config["mode"]]
    print(json.dumps(scenario(config, mount, db)))


if __name__ == "__main__":
    main()
