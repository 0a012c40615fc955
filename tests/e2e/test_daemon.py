"""`veille run` as a real subprocess with intervals of seconds against a local site."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from tests.helpers import (
    db_rows,
    distinct,
    publish,
    runs,
    source_entry,
    start_veille,
    veille_env,
    wait_for,
    write_sources,
)
from veille.demo import content
from veille.demo.pages import FeedItem, rss_feed
from veille.demo.site import NewsSite, Route

STOP_DEADLINE_S = 30


def sources_file(path, entries: dict[str, tuple[str, str]]) -> str:
    """Sources crawled every `every`: {name: (url, every)}."""
    return str(write_sources(path, entries=[source_entry(name, url, every=every)
                                            for name, (url, every) in entries.items()]))


def parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts)


def stop(daemon, deadline: float = STOP_DEADLINE_S) -> float:
    started = time.monotonic()
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(timeout=deadline + 5)
    return time.monotonic() - started


@pytest.fixture
def site():
    with NewsSite() as running:
        publish(running, [content.KHARKIV, content.SANCTIONS], "/fast.xml")
        publish(running, [content.KYIV_WINTER], "/other.xml")
        yield running


def test_daemon_runs_each_source_on_schedule_and_stops_on_sigterm(tmp_path, site):
    db = tmp_path / "v.db"
    sources = sources_file(tmp_path / "s.toml", {"fast": (site.url("/fast.xml"), "3s"),
                                                  "other": (site.url("/other.xml"), "3s")})
    daemon = start_veille("--db", str(db), "--sources", sources, "run", "--batch-window", "0")
    try:
        wait_for(lambda: len([r for r in runs(db, "fast") if r["status"] == "ok"]) >= 3,
                 60, what="three completed runs of 'fast'")
    finally:
        elapsed = stop(daemon)
    assert elapsed < STOP_DEADLINE_S
    assert daemon.returncode == 0, daemon.stderr.read()[-2000:]
    fast, other = runs(db, "fast"), runs(db, "other")
    assert all(r["trigger"] == "scheduled" for r in fast + other)
    starts = [parse(r["started_at"]) for r in fast if r["status"] == "ok"]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(starts)]
    # every 3 s: a crawl slower than that skips a beat, never shifts the grid
    assert all(gap >= 2 and abs(gap - 3 * round(gap / 3)) <= 1.0 for gap in gaps), gaps
    # staggered: the two sources did not start in the same second
    assert parse(other[0]["started_at"]) > parse(fast[0]["started_at"])
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        titles = {r[0] for r in conn.execute("SELECT title FROM articles")}
    assert content.KYIV_WINTER.title in titles and content.KHARKIV.title in titles
    # stored once, not once per run
    assert len(titles) == 3


def test_sources_due_together_share_one_crawl_process(tmp_path):
    with NewsSite() as site:
        names = ["a", "b", "c", "d"]
        for name, article in zip(names, [content.KHARKIV, content.SANCTIONS,
                                         content.KYIV_WINTER, content.NATO_SUMMIT], strict=True):
            publish(site, [article], f"/{name}.xml")
        db = tmp_path / "v.db"
        sources = sources_file(tmp_path / "s.toml",
                               {n: (site.url(f"/{n}.xml"), "3s") for n in names})
        daemon = start_veille("--db", str(db), "--sources", sources, "run",
                              "--batch-window", "3s")
        try:
            wait_for(lambda: len([r for r in runs(db) if r["status"] == "ok"]) >= 3, 90,
                     what="three completed batch runs")
        finally:
            stop(daemon)
        assert daemon.returncode == 0, daemon.stderr.read()[-2000:]
    done = [r for r in runs(db) if r["status"] == "ok"]
    # one process served the four sources, run after run, on the 3-second grid
    assert all(sorted(json.loads(r["sources"])) == names for r in done), done
    starts = [parse(r["started_at"]) for r in done]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(starts)]
    assert all(gap >= 2 and abs(gap - 3 * round(gap / 3)) <= 1.0 for gap in gaps), gaps
    # run records and health stay per source
    per_source = db_rows(db, "SELECT source, count(*) FROM source_runs WHERE status = 'ok' "
                             "GROUP BY source")
    assert dict(per_source).keys() == set(names)
    assert min(dict(per_source).values()) >= len(done)
    with sqlite3.connect(db) as conn:
        assert {r[0] for r in conn.execute("SELECT title FROM articles")} >= {
            content.KHARKIV.title, content.NATO_SUMMIT.title}


def test_slow_crawl_never_overlaps_itself_and_skips_are_recorded(tmp_path):
    with NewsSite() as site:
        publish(site, [content.KHARKIV, content.SANCTIONS, content.NATO_SUMMIT], "/slow.xml",
                delay=2.5)
        db = tmp_path / "v.db"
        sources = sources_file(tmp_path / "s.toml", {"slow": (site.url("/slow.xml"), "1s")})
        daemon = start_veille("--db", str(db), "--sources", sources, "run")
        try:
            wait_for(lambda: any(r["status"] in ("skipped", "missed") for r in runs(db))
                     and any(r["status"] == "ok" for r in runs(db)), 90,
                     what="a completed run and a skipped one")
        finally:
            stop(daemon)
    crawls = [r for r in runs(db) if r["status"] not in ("skipped", "missed")]
    spans = sorted((parse(r["started_at"]), parse(r["ended_at"])) for r in crawls)
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert start >= end, "two crawls of the same source overlapped"
    skipped = [r for r in runs(db) if r["status"] in ("skipped", "missed")]
    assert skipped and all(r["error"] for r in skipped)


def test_sigterm_mid_crawl_keeps_committed_work(tmp_path):
    articles = [content.KHARKIV, content.SANCTIONS, content.NATO_SUMMIT, content.CEASEFIRE,
                content.KYIV_WINTER]
    with NewsSite() as site:
        publish(site, articles, "/slow.xml", delay=1.5)
        db = tmp_path / "v.db"
        sources = sources_file(tmp_path / "s.toml", {"slow": (site.url("/slow.xml"), "1h")})
        daemon = start_veille("--db", str(db), "--sources", sources, "run")
        try:
            wait_for(lambda: site.hits(articles[0].path) > 0, 60, what="the first article")
        finally:
            elapsed = stop(daemon)
    assert elapsed < STOP_DEADLINE_S
    run = runs(db, "slow")[-1]
    assert run["status"] == "interrupted"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        decided = conn.execute("SELECT count(*) FROM seen_urls").fetchone()[0]
    assert stored == decided  # every decision recorded belongs to a stored article


def test_crawl_exceeding_its_deadline_is_stopped_and_recorded(tmp_path):
    with NewsSite() as site:
        site.add("/hang.html", Route(behaviour="hang"))
        site.add("/hang.xml", Route(rss_feed("x", site.base_url, [
            FeedItem(site.url("/hang.html"), "t", content.KHARKIV.published)]).encode()))
        publish(site, [content.KHARKIV], "/fast.xml")
        db = tmp_path / "v.db"
        sources = sources_file(tmp_path / "s.toml", {"hang": (site.url("/hang.xml"), "1h"),
                                                      "fast": (site.url("/fast.xml"), "2s")})
        daemon = start_veille("--db", str(db), "--sources", sources, "run", "--max-runtime",
                              "4s", "--download-timeout", "20")
        try:
            wait_for(lambda: any(r["status"] == "timeout" for r in runs(db, "hang")), 60,
                     what="the hanging crawl to time out")
            count = len(runs(db, "fast"))
            wait_for(lambda: len(runs(db, "fast")) > count, 30, what="the daemon to go on")
        finally:
            stop(daemon)
    timed_out = next(r for r in runs(db, "hang") if r["status"] == "timeout")
    assert "deadline" in timed_out["error"]
    assert (parse(timed_out["ended_at"]) - parse(timed_out["started_at"])).total_seconds() < 30


def test_second_daemon_on_same_database_is_refused(tmp_path, site):
    db = tmp_path / "v.db"
    sources = sources_file(tmp_path / "s.toml", {"fast": (site.url("/fast.xml"), "1h")})
    first = start_veille("--db", str(db), "--sources", sources, "run")
    try:
        wait_for(lambda: runs(db, "fast"), 60, what="the first daemon's first run")
        second = start_veille("--db", str(db), "--sources", sources, "run")
        second.wait(timeout=30)
        assert second.returncode == 75
        assert "already running" in second.stderr.read()
    finally:
        stop(first)


def test_daemon_crawls_never_run_code_from_the_working_directory(tmp_path, site):
    """A folder named like one of veille's packages where the daemon is started (a clone,
    or a hostile checkout) must not replace veille's code in its crawls."""
    marker = tmp_path / "hijacked"
    for package in ("storage", "crawler", "scheduler", "veille"):
        fake = tmp_path / "workdir" / package
        fake.mkdir(parents=True)
        (fake / "__init__.py").write_text(
            f"open({str(marker)!r}, 'a').write({package!r} + '\\n')\nraise SystemExit(3)\n")
    db = tmp_path / "v.db"
    sources = sources_file(tmp_path / "s.toml", {"fast": (site.url("/fast.xml"), "1h")})
    console_script = Path(sys.executable).parent / "veille"
    daemon = subprocess.Popen([str(console_script), "--db", str(db), "--sources", sources,
                               "run"], cwd=tmp_path / "workdir", stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=veille_env())
    try:
        wait_for(lambda: [r for r in runs(db, "fast") if r["status"] != "running"], 60,
                 what="the first crawl")
    finally:
        stop(daemon)
    assert not marker.exists(), marker.read_text()
    assert runs(db, "fast")[0]["status"] == "ok", daemon.stderr.read()[-2000:]


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, read from /proc (a cgroup's members, as systemd sees)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def test_sigterm_to_every_process_under_load_logs_no_traceback(tmp_path):
    """systemd stops a service by sending SIGTERM to each of its processes: the crawl, its
    forkserver and its extraction workers at once, while pages are being analysed."""
    long = replace(content.KHARKIV, paragraphs=content.KHARKIV.paragraphs * 20)
    articles = [distinct(long, n) for n in range(150)]
    with NewsSite() as site:
        publish(site, articles)
        db = tmp_path / "v.db"
        sources = sources_file(tmp_path / "s.toml", {"monde": (site.url("/rss.xml"), "1h")})
        daemon = start_veille("--db", str(db), "--sources", sources, "run", "--workers", "2")
        wait_for(lambda: sum(site.hits(a.path) for a in articles) >= 40, 60,
                 what="pages being analysed")
        for pid in [daemon.pid, *descendants(daemon.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        _, stderr = daemon.communicate(timeout=STOP_DEADLINE_S + 10)
    assert "Traceback" not in stderr, stderr[stderr.find("Traceback") - 300:][:6000]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        decided = conn.execute("SELECT count(*) FROM seen_urls WHERE status != 'error'"
                               ).fetchone()[0]
    # what the stop interrupted stays undecided (or an error, tried again), for the next run
    assert stored == decided
