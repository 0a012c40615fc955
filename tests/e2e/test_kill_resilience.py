"""SIGKILL at random points of a crawl, again and again: the database stays consistent and
the next run completes the work (bench/kill_bench.py runs more kills); and the extraction
workers' processes killed under a run that goes on."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from bench.kill_bench import run_kills
from tests.helpers import (
    ROOT,
    distinct,
    publish,
    serve_articles,
    veille_env,
    wait_for,
    write_sources,
)
from veille.demo import content
from veille.demo.pages import rss_feed
from veille.demo.site import NewsSite, Route

ARTICLES = 30
KILLS = 5


def test_random_sigkills_leave_a_consistent_database(tmp_path):
    figures = run_kills(tmp_path, KILLS, ARTICLES)
    print(figures.line())
    assert figures.integrity_failures == 0
    assert figures.rows_lost == 0 and figures.rows_duplicated == 0
    assert figures.final_exit == 0
    assert figures.stored_at_the_end == ARTICLES
    assert figures.statuses[:KILLS] == ["interrupted"] * KILLS and figures.statuses[-1] == "ok"


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _stored(db_path: Path) -> int:
    try:
        with closing(sqlite3.connect(db_path, timeout=30)) as db:
            return db.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_a_killed_forkserver_and_worker_cost_the_run_no_page(tmp_path):
    """The workers' forkserver and a worker killed mid-run (the OOM killer, an operator's
    pkill): pebble stops answering the pages still queued; veille gives them to new
    workers, the run ends by itself, and the next one completes what is left."""
    with NewsSite() as site:
        publish(site, [distinct(content.KHARKIV, n) for n in range(ARTICLES)], delay=0.15)
        sources = write_sources(tmp_path / "s.toml", {"monde": site.url("/rss.xml")})
        db_path = tmp_path / "v.db"
        args = [sys.executable, "-m", "veille", "--db", str(db_path), "--sources", str(sources),
                "crawl", "--workers", "2"]
        crawl = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True, env=veille_env())
        at_kill = wait_for(lambda: _stored(db_path) >= 3 and _stored(db_path), timeout=60,
                           what="3 articles stored")
        forkserver = next(p for p in _children(crawl.pid)
                          if b"forkserver" in Path(f"/proc/{p}/cmdline").read_bytes())
        workers = _children(forkserver)
        os.kill(forkserver, signal.SIGKILL)
        os.kill(workers[0], signal.SIGKILL)
        _, err = crawl.communicate(timeout=120)  # no page waits forever
        first = _stored(db_path)
        final = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False,
                               env=veille_env(), timeout=120)
    assert crawl.returncode == 0, err[-3000:]
    # new workers analysed every page after the kill but those the killed ones were on
    assert first >= ARTICLES - 2
    assert final.returncode == 0, final.stderr[-3000:]
    assert _stored(db_path) == ARTICLES
    broke = "the extraction workers stopped" in err  # or pebble replaced them itself
    print(f"forkserver and a worker killed after {at_kill} stored (pool broken: {broke}): "
          f"{first} stored by that run, {ARTICLES} after the next")


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM])
def test_a_run_stopped_after_its_feed_answered_leaves_the_rest_to_the_next_run(tmp_path, stop):
    """The feed sends an ETag. Its validators are kept once every link it gave is decided,
    not when it answers: otherwise the run after a kill, or after a stop (SIGTERM, as the
    daemon stops a run past its deadline), would get 304 for the unchanged feed and never
    fetch the articles the stopped run had not reached."""
    with NewsSite() as site:
        items = serve_articles(site, [distinct(content.KHARKIV, n) for n in range(ARTICLES)],
                               delay=0.15)
        site.add("/rss.xml", Route(rss_feed("x", site.base_url, items).encode(),
                                   content_type="application/rss+xml", etag='"v1"'))
        sources = write_sources(tmp_path / "s.toml", {"monde": site.url("/rss.xml")})
        db_path = tmp_path / "v.db"
        args = [sys.executable, "-m", "veille", "--db", str(db_path), "--sources", str(sources),
                "crawl"]
        crawl = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, env=veille_env())
        try:
            wait_for(lambda: _stored(db_path) >= 3, timeout=60, what="3 articles stored")
        finally:
            crawl.send_signal(stop)
            crawl.wait(timeout=60)
        killed_at = _stored(db_path)
        after = [subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False,
                                env=veille_env(), timeout=120) for _ in range(2)]
        answers = site.statuses
    assert killed_at < ARTICLES
    assert all(run.returncode == 0 for run in after), after[0].stderr[-3000:]
    assert _stored(db_path) == ARTICLES  # the next run read the feed and fetched the rest
    feed = [status for path, status in answers if path == "/rss.xml"]
    assert feed == [200, 200, 304]  # then, all decided, the feed is asked conditionally
