"""`veille health`: failing and silent sources, with a non-zero exit for monitoring."""

from __future__ import annotations

import json

from tests.helpers import publish, run_veille, write_sources
from veille.demo import content
from veille.demo.site import NewsSite


def test_health_flags_failing_source_and_exits_1(tmp_path):
    db = tmp_path / "v.db"
    with NewsSite() as site:
        publish(site, [content.KHARKIV])
        sources = write_sources(tmp_path / "s.toml", {"good": site.url("/rss.xml"),
                                                      "moved": site.url("/old.xml")})
        args = ("--db", str(db), "--sources", str(sources))
        run_veille(*args, "crawl")
        healthy = run_veille(*args, "health")
        assert healthy.returncode == 1  # 'moved' never worked
        for _ in range(2):
            run_veille(*args, "crawl")
        report = run_veille(*args, "health")
        as_json = run_veille(*args, "health", "--json")
    assert report.returncode == 1
    assert "moved is failing: 3 failed run(s) in a row" in report.stdout
    rows = {r["source"]: r for r in (json.loads(line) for line in as_json.stdout.splitlines())}
    assert rows["moved"]["state"] == "failing" and rows["moved"]["unhealthy"] is True
    assert rows["moved"]["last_error"] == "HTTP 404"
    assert rows["good"]["state"] == "ok" and rows["good"]["new_24h"] == 1
    assert rows["good"]["last_success"]


def test_health_flags_silent_source(tmp_path):
    db = tmp_path / "v.db"
    with NewsSite() as site:
        publish(site, [content.KHARKIV])
        sources = write_sources(tmp_path / "s.toml", {"frozen": site.url("/rss.xml")})
        args = ("--db", str(db), "--sources", str(sources))
        for _ in range(3):  # one run stores the article, the next two find nothing new
            assert run_veille(*args, "crawl").returncode == 0
    ok = run_veille(*args, "health", "--silent-after", "3")
    silent = run_veille(*args, "health", "--silent-after", "2")
    assert ok.returncode == 0 and "All sources healthy." in ok.stdout
    assert silent.returncode == 1
    assert "frozen is silent: no new article in its last 2 completed runs" in silent.stdout


def test_health_needs_a_database(tmp_path):
    result = run_veille("--db", str(tmp_path / "none.db"), "health")
    assert result.returncode == 2


def test_health_reads_the_sources_the_database_crawled(tmp_path):
    db = tmp_path / "v.db"
    with NewsSite() as site:
        publish(site, [content.KHARKIV])
        sources = write_sources(tmp_path / "mine.toml", {"maison": site.url("/rss.xml")})
        assert run_veille("--db", str(db), "--sources", str(sources), "crawl").returncode == 0
    # as the README shows it: no --sources, so the shipped list is the sources file
    report = run_veille("health", "--db", str(db))
    assert report.returncode == 0, report.stdout + report.stderr
    lines = [line for line in report.stdout.splitlines() if line.strip()]
    assert lines[1].startswith("maison ") and len(lines) == 3  # header, maison, summary
    assert "never run" not in report.stdout
    assert "have never run against this database" in report.stderr
    assert "of this database are not in" in report.stderr and "maison" in report.stderr
    same = run_veille("--db", str(db), "--sources", str(sources), "health")
    assert same.returncode == 0 and "warning" not in same.stderr


def test_health_flags_a_source_that_stopped_running(tmp_path):
    import sqlite3

    db = tmp_path / "v.db"
    with NewsSite() as site:
        publish(site, [content.KHARKIV])
        sources = write_sources(tmp_path / "s.toml", {"hourly": site.url("/rss.xml")},
                                every="1h")
        args = ("--db", str(db), "--sources", str(sources))
        assert run_veille(*args, "crawl").returncode == 0
    assert run_veille(*args, "health").returncode == 0
    with sqlite3.connect(db) as conn:  # the timer stopped five hours ago
        conn.execute("UPDATE source_runs SET started_at = datetime('now', '-5 hours'), "
                     "ended_at = datetime('now', '-5 hours')")
    stale = run_veille(*args, "health")
    assert stale.returncode == 1
    assert "hourly is stale: not run for more than 3 of its intervals" in stale.stdout
    assert run_veille(*args, "health", "--stale-after", "6").returncode == 0


def test_health_on_a_database_nothing_ran_against(tmp_path):
    db = tmp_path / "v.db"
    from storage.db import open_db

    open_db(db).close()
    result = run_veille("--db", str(db), "health")
    assert result.returncode == 1
    assert "No source has run against" in result.stderr and "crawl" in result.stderr
