"""The database file and the disk under it: a full disk stops the run with one clear
error and a non-zero exit, and the next run completes the work; databases that are not
veille's, or damaged, or from a newer veille, are refused by name."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from storage.articles import store_article
from storage.db import open_db
from tests.helpers import ROOT, article_record, distinct, publish, run_veille, write_sources
from veille.demo import content
from veille.demo.site import NewsSite

ARTICLES = 80


def namespace_command() -> list[str] | None:
    """How to mount a file system of our own: a user namespace, or root."""
    if shutil.which("unshare"):
        probe = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"],
                               capture_output=True, check=False)
        if probe.returncode == 0:
            return ["unshare", "--user", "--map-root-user", "--mount"]
    return [] if os.geteuid() == 0 else None


def on_small_fs(tmp_path: Path, mode: str, sources: Path, **config: object) -> dict:
    """Run the fsfaults.py scenario `mode` on a tmpfs of our own; its JSON report."""
    prefix = namespace_command()
    if prefix is None:
        pytest.skip("needs unshare (user namespaces) or root to mount a small file system")
    path = tmp_path / "fsfaults.json"
    path.write_text(json.dumps({"mode": mode, "mount": str(tmp_path / "disk"),
                                "sources": str(sources), "cwd": str(ROOT), **config}))
    result = subprocess.run([*prefix, sys.executable, str(Path(__file__).parent / "fsfaults.py"),
                             str(path)], capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_full_disk_stops_the_run_with_one_error_and_the_next_run_completes(tmp_path):
    long = replace(content.KHARKIV, paragraphs=content.KHARKIV.paragraphs * 3)
    articles = [distinct(long, n) for n in range(ARTICLES)]
    with NewsSite() as site:
        publish(site, articles)
        sources = write_sources(tmp_path / "s.toml", {"monde": site.url("/rss.xml")})
        report = on_small_fs(tmp_path, "full", sources, size="16m", free=400_000)
        downloads = sum(site.hits(a.path) for a in articles)
    full, after = report["full"], report["after_full"]
    # the second run downloads exactly the articles the first did not store
    first_run = downloads - (ARTICLES - after["articles"])
    print(f"full disk: exit {full['code']}, {after['articles']} of {ARTICLES} stored before "
          f"it filled, {first_run} downloaded by that run; message: "
          f"{full['stderr'].strip().splitlines()[-1]}")
    assert full["code"] == 74, full["stderr"][-3000:]
    assert "the disk is full" in full["stderr"]
    assert "Traceback" not in full["stderr"] + full["stdout"]
    assert full["stderr"].count("disk is full") <= 3  # one log line, one final message
    assert "Run ok:" not in full["stdout"]
    # Nothing committed is lost, nothing undecided is marked decided.
    assert after["integrity"] == "ok"
    assert 0 < after["articles"] < ARTICLES  # the disk filled up during the run
    assert after["stored_urls"] == after["decided_urls"] == after["articles"]
    # The run stopped downloading: not every article was fetched before the next run.
    again, final = report["again"], report["after_again"]
    assert again["code"] == 0, again["stderr"][-3000:]
    assert final["integrity"] == "ok" and final["articles"] == ARTICLES
    assert first_run < ARTICLES / 2  # it stopped downloading


def test_read_only_file_system_crawl_says_so_and_queries_still_work(tmp_path):
    with NewsSite() as site:
        publish(site, [content.KHARKIV, content.SANCTIONS])
        sources = write_sources(tmp_path / "s.toml", {"monde": site.url("/rss.xml")})
        report = on_small_fs(tmp_path, "readonly", sources, size="16m")
    assert report["first"]["code"] == 0, report["first"]["stderr"][-2000:]
    crawl = report["crawl"]
    assert crawl["code"] == 74, crawl["stderr"][-2000:]
    assert "read-only" in crawl["stderr"].lower() and "Traceback" not in crawl["stderr"]
    assert report["stats"]["code"] == 0 and "Articles: 2" in report["stats"]["stdout"]
    assert report["search"]["code"] == 0 and "Kharkiv" in report["search"]["stdout"]
    assert report["health"]["code"] == 0, report["health"]["stderr"][-2000:]
    assert report["after"] == {"integrity": "ok", "articles": 2, "stored_urls": 2,
                               "decided_urls": 2}


def test_unusable_databases_are_refused_by_name(tmp_path):
    (tmp_path / "notes.db").write_text("Ceci n'est pas une base de données.\n")
    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE clients (nom TEXT)")
    other.commit()
    other.close()
    damaged = tmp_path / "damaged.db"
    db = open_db(damaged)
    for n in range(300):
        store_article(db, article_record(n, f"Titre {n}", f"Texte numéro {n}. " * 50),
                      [], "v", [])
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    damaged.write_bytes(damaged.read_bytes()[: damaged.stat().st_size // 2])
    newer = tmp_path / "newer.db"
    db = open_db(newer)
    db.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
               "VALUES ('veille', '0999_from_the_future', '2027-01-01')")
    db.close()
    cases = {
        "truncated": (str(damaged), "is damaged"),
        "newer veille": (str(newer), "written by a newer veille"),
        "directory": (str(tmp_path), "is a directory"),
        "empty path": ("", "no database path given"),
        "text file": (str(tmp_path / "notes.db"), "is not a veille database"),
        "someone else's": (str(tmp_path / "other.db"), "not a veille one"),
    }
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    for name, (path, needle) in cases.items():
        for command in (["stats"], ["search", "otan"], ["health"], ["crawl"], ["run"]):
            result = run_veille("--db", path, *command, cwd=workdir)
            assert result.returncode == 2, (name, command, result.stderr)
            assert needle in result.stderr, (name, command, result.stderr)
            assert "Traceback" not in result.stderr, (name, command)
    # no lock folder was made where veille ran (for the empty path), beside the directory
    # or beside any of the refused files (`crawl` and `run` lock sources, then the database)
    assert list(workdir.iterdir()) == []
    assert not Path(f"{tmp_path}.locks").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".locks")] == []
    # nothing was written to the newer veille's database
    with sqlite3.connect(newer) as conn:
        assert conn.execute("SELECT count(*) FROM crawl_runs").fetchone()[0] == 0
    # the other application's database was not touched
    with sqlite3.connect(tmp_path / "other.db") as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["clients"]
