"""No two processes crawl the same source at once; a killed holder never blocks."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
from contextlib import contextmanager

from scheduler.schedule import locks
from tests.helpers import publish, run_veille, runs, start_veille, wait_for, write_sources
from veille.demo import content
from veille.demo.site import NewsSite


@contextmanager
def make_site(delay: float = 0.0):
    with NewsSite() as site:
        publish(site, [content.KHARKIV, content.SANCTIONS, content.NATO_SUMMIT], delay=delay)
        yield site


def sources_for(path, url) -> str:
    return str(write_sources(path, {"monde": url}))


def test_concurrent_crawl_of_same_source_is_refused_with_exit_75(tmp_path):
    db = tmp_path / "v.db"
    held = locks.acquire(db, ["monde"], "veille run (test)")
    with make_site() as site:
        sources = sources_for(tmp_path / "s.toml", site.url("/rss.xml"))
        result = run_veille("--db", str(db), "--sources", sources, "crawl")
        assert result.returncode == 75
        assert "being crawled by another process" in result.stderr
        assert "veille run (test)" in result.stderr
        assert site.hits("/rss.xml") == 0
        held.release()
        assert runs(db)[-1]["status"] == "skipped"


def test_concurrent_crawl_waits_when_asked(tmp_path):
    db = tmp_path / "v.db"
    held = locks.acquire(db, ["monde"], "veille run (test)")
    threading.Timer(1.0, held.release).start()
    with make_site() as site:
        sources = sources_for(tmp_path / "s.toml", site.url("/rss.xml"))
        result = run_veille("--db", str(db), "--sources", sources, "crawl", "--wait", "20")
    assert result.returncode == 0, result.stderr[-2000:]
    assert runs(db)[-1]["status"] == "ok"


def test_cron_crawl_while_daemon_crawls_same_source(tmp_path):
    db = tmp_path / "v.db"
    with make_site(delay=2.0) as site:
        sources = sources_for(tmp_path / "s.toml", site.url("/rss.xml"))
        daemon = start_veille("--db", str(db), "--sources", sources, "run")
        try:
            wait_for(lambda: site.hits(content.KHARKIV.path) > 0, 60,
                     what="the daemon's crawl to be under way")
            cron = run_veille("--db", str(db), "--sources", sources, "crawl", "--trigger",
                              "cron")
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=40)
    assert cron.returncode == 75
    assert [r["trigger"] for r in runs(db) if r["status"] == "skipped"] == ["cron"]
    assert max(site.hits(a.path) for a in (content.KHARKIV, content.SANCTIONS)) == 1


def test_sigkilled_crawl_does_not_block_the_next(tmp_path):
    db = tmp_path / "v.db"
    with make_site(delay=1.5) as site:
        sources = sources_for(tmp_path / "s.toml", site.url("/rss.xml"))
        victim = subprocess.Popen([sys.executable, "-m", "veille", "--db", str(db), "--sources",
                                   sources, "crawl"], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True)
        wait_for(lambda: site.hits(content.KHARKIV.path) + site.hits(content.SANCTIONS.path), 60,
                 what="the first crawl to download")
        import os

        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait(timeout=10)
        result = run_veille("--db", str(db), "--sources", sources, "crawl")
    assert result.returncode == 0, result.stderr[-2000:]
    history = runs(db)
    assert history[0]["status"] == "interrupted"  # closed by the next run
    assert history[-1]["status"] == "ok"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 3
