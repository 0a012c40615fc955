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
