"""SIGKILL at random points of a crawl, again and again: the database stays consistent and
the next run completes the work."""

from __future__ import annotations

import itertools
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace

from tests.helpers import ROOT, publish, run_veille, write_sources
from veille.demo import content
from veille.demo.site import NewsSite

ARTICLES = 30
KILLS = 5


def test_random_sigkills_leave_a_consistent_database(tmp_path):
    rng = random.Random(20261128)
    with NewsSite() as site:
        publish(site, [replace(content.KHARKIV, slug=f"kharkiv-{n}",
                               title=f"{content.KHARKIV.title} ({n})",
                               paragraphs=[*content.KHARKIV.paragraphs, f"Dépêche numéro {n}."])
                       for n in range(ARTICLES)], delay=0.15)
        sources = write_sources(tmp_path / "s.toml", {"monde": site.url("/rss.xml")})
        db_path = tmp_path / "v.db"
        args = [sys.executable, "-m", "veille", "--db", str(db_path), "--sources", str(sources),
                "crawl"]
        integrity_failures = 0
        stored_after_kill = []
        for _ in range(KILLS):
            crawl = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
            time.sleep(rng.uniform(1.5, 4.0))
            os.killpg(crawl.pid, signal.SIGKILL)
            crawl.wait()
            with sqlite3.connect(db_path, timeout=30) as db:
                integrity_failures += db.execute("PRAGMA integrity_check").fetchone()[0] != "ok"
                stored_after_kill.append(db.execute("SELECT count(*) FROM articles").fetchone()[0])
        final = run_veille("--db", str(db_path), "--sources", str(sources), "crawl")
    with sqlite3.connect(db_path) as db:
        stored = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        distinct = db.execute("SELECT count(DISTINCT canonical_url) FROM articles").fetchone()[0]
        statuses = [r[0] for r in db.execute("SELECT status FROM crawl_runs ORDER BY id")]
    lost = sum(max(0, a - b) for a, b in itertools.pairwise(stored_after_kill))
    print(f"{KILLS} SIGKILLs mid-run: {integrity_failures} integrity failures, {lost} stored rows "
          f"lost; stored after each kill {stored_after_kill}; after the last run {stored}")
    assert integrity_failures == 0 and lost == 0
    assert final.returncode == 0
    assert stored == distinct == ARTICLES
    assert statuses[:KILLS] == ["interrupted"] * KILLS and statuses[-1] == "ok"
