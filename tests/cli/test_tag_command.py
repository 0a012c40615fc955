"""`veille tag` (JSON lines in and out) and `veille retag` (stored articles, in place)."""

from __future__ import annotations

import json
import sqlite3

from tests.helpers import publish, run_veille, write_sources
from veille.demo import content
from veille.demo.site import NewsSite


def test_tag_command_writes_one_line_per_input_and_error_lines(tmp_path):
    lines = [
        json.dumps({"id": 1, "title": "Frappes russes sur Kyïv", "text": "Des drones ont visé "
                    "la capitale ukrainienne."}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "b", "title": "Sans texte"}),
        "",
        json.dumps({"id": 4, "title": "Le parc et ses montagnes russes", "text": "Attraction."}),
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = run_veille("tag", str(path))
    assert result.returncode == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 4
    assert out[0]["id"] == 1 and set(out[0]["topics"]) == {"russia", "ukraine"}
    assert {"scores", "subtopics", "entities", "evidence"} <= set(out[0]["details"])
    assert "kyiv" in out[0]["details"]["entities"]
    assert out[1]["line"] == 2 and "not JSON" in out[1]["error"]
    assert out[2] == {"id": "b", "line": 3, "error": "missing field(s): text"}
    assert out[3]["id"] == 4 and out[3]["topics"] == []


def test_tag_command_reads_standard_input():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "veille", "tag"], input=json.dumps(
        {"id": 7, "title": "L'OTAN à Vilnius", "text": ""}) + "\n", capture_output=True,
        text=True, check=False)
    assert result.returncode == 0
    assert json.loads(result.stdout)["topics"] == ["nato"]


def test_retag_applies_new_rules_in_place_and_records_their_version(tmp_path):
    db_path = tmp_path / "v.db"
    with NewsSite() as site:
        publish(site, [content.SANCTIONS])
        sources = write_sources(tmp_path / "s.toml", {"s": site.url("/rss.xml")})
        assert run_veille("--db", str(db_path), "--sources", str(sources),
                          "crawl").returncode == 0
    rules = tmp_path / "topics.toml"
    rules.write_text("[topics.hongrie]\nthreshold = 2\nterms = ['Hongrie', 'Budapest']\n",
                     encoding="utf-8")
    dry = run_veille("--db", str(db_path), "--topics", str(rules), "retag", "--dry-run")
    assert dry.returncode == 0 and "would change: 1" in dry.stdout
    with sqlite3.connect(db_path) as db:
        before = {r[0] for r in db.execute("SELECT topic FROM article_topics")}
    assert "russia" in before
    result = run_veille("--db", str(db_path), "--topics", str(rules), "retag")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db_path) as db:
        rows = db.execute("SELECT topic, rules_version, evidence FROM article_topics").fetchall()
    assert [r[0] for r in rows] == ["hongrie"]
    from scheduler.tagging.rules import load_rules

    assert rows[0][1] == load_rules(rules).version
    assert json.loads(rows[0][2])[0]["forms"]


def test_retag_rejects_bad_rules_with_exit_2(tmp_path):
    (tmp_path / "v.db").touch()
    rules = tmp_path / "topics.toml"
    rules.write_text("[topics.x]\nthreshold = 2\nterms = ['(']\npatterns = ['(']\n")
    result = run_veille("--db", str(tmp_path / "v.db"), "--topics", str(rules), "retag")
    assert result.returncode == 2
    assert "topic 'x', key 'patterns'" in result.stderr
