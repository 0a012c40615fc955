"""SIGKILL a crawl at random points, again and again, then let one run finish: what the
database holds afterwards.

    python bench/kill_bench.py --kills 10 --articles 30

Prints integrity failures, stored rows lost (a count that went down between two kills),
rows duplicated (two rows for one article URL or one text) and what the last run stored.
The test suite runs the same with fewer kills (tests/e2e/test_kill_resilience.py).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.helpers import ROOT, distinct, publish, veille_env, write_sources
from veille.demo import content
from veille.demo.site import NewsSite


@dataclass
class KillFigures:
    kills: int
    integrity_failures: int
    rows_lost: int
    rows_duplicated: int
    stored_after_each_kill: list[int]
    stored_at_the_end: int
    final_exit: int
    statuses: list[str]

    def line(self) -> str:
        return (f"{self.kills} SIGKILLs mid-run: {self.integrity_failures} integrity failures, "
                f"{self.rows_lost} rows lost, {self.rows_duplicated} rows duplicated; stored "
                f"after each kill {self.stored_after_each_kill}; after the last run "
                f"{self.stored_at_the_end} (exit {self.final_exit})")


def run_kills(workdir: Path, kills: int, articles: int, seed: int = 20261128) -> KillFigures:
    rng = random.Random(seed)
    with NewsSite() as site:
        publish(site, [distinct(content.KHARKIV, n) for n in range(articles)], delay=0.15)
        sources = write_sources(workdir / "s.toml", {"monde": site.url("/rss.xml")})
        db_path = workdir / "v.db"
        args = [sys.executable, "-m", "veille", "--db", str(db_path), "--sources", str(sources),
                "crawl"]
        failures, stored_after = 0, []
        for round_ in range(kills):
            stored_before = stored_after[-1] if stored_after else 0
            # Each kill comes at a random time, or sooner once this run has stored a random
            # share of what is left for it: a faster crawl never finishes before its kill.
            share = max(1, articles - stored_before - 2 * (kills - round_))
            crawl = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True,
                                     env=veille_env())
            _wait_until(db_path, deadline=time.monotonic() + rng.uniform(1.5, 4.0),
                        stored=stored_before + rng.randint(1, share))
            os.killpg(crawl.pid, signal.SIGKILL)
            crawl.wait()
            with sqlite3.connect(db_path, timeout=30) as db:
                failures += db.execute("PRAGMA integrity_check").fetchone()[0] != "ok"
                stored_after.append(db.execute("SELECT count(*) FROM articles").fetchone()[0])
        final = subprocess.run(args, cwd=ROOT, capture_output=True, check=False,
                               env=veille_env(), timeout=300)
    with sqlite3.connect(db_path) as db:
        stored = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        urls = db.execute("SELECT count(DISTINCT canonical_url) FROM articles").fetchone()[0]
        texts = db.execute("SELECT count(DISTINCT content_hash) FROM articles").fetchone()[0]
        statuses = [r[0] for r in db.execute("SELECT status FROM crawl_runs ORDER BY id")]
    return KillFigures(
        kills=kills, integrity_failures=failures,
        rows_lost=sum(max(0, a - b) for a, b in itertools.pairwise(stored_after)),
        rows_duplicated=stored - min(urls, texts), stored_after_each_kill=stored_after,
        stored_at_the_end=stored, final_exit=final.returncode, statuses=statuses)


def _wait_until(db_path: Path, deadline: float, stored: int) -> None:
    """Return at the deadline, or as soon as the database holds `stored` articles."""
    while time.monotonic() < deadline:
        if _stored(db_path) >= stored:
            return
        time.sleep(0.02)


def _stored(db_path: Path) -> int:
    try:
        with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=1)) as db:
            return db.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet, or its schema not yet written
        return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--articles", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        figures = run_kills(Path(tmp), args.kills, args.articles)
    print(figures.line())
    print(f"all {args.articles} stored at the end: {figures.stored_at_the_end == args.articles}")


if __name__ == "__main__":
    main()
