"""`veille search` and `veille export` as an analyst types them, in a subprocess, on the
demo database: options in any order, topic labels, filters, JSON, CSV and JSON lines."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.helpers import run_veille


@pytest.fixture(scope="module")
def db(demo_run):
    workdir, result = demo_run
    assert result.returncode == 0, result.stderr[-2000:]
    return str(workdir / "veille-demo.db")


def hits(result) -> list[dict]:
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_global_options_are_read_after_the_command_too(db):
    before = run_veille("--db", db, "search", "centrale", "--json")
    after = run_veille("search", "centrale", "--json", "--db", db)
    equals = run_veille("search", "centrale", "--db=" + db, "-q", "--json")
    assert hits(before) == hits(after) == hits(equals) and hits(before)
    assert run_veille("stats", "--db", db).returncode == 0
    # after `--`, nothing is an option
    literal = run_veille("search", "--db", db, "--json", "--", "centrale", "-otan")
    assert hits(literal) == hits(run_veille("search", "centrale -otan", "--json", "--db", db))


@pytest.mark.parametrize("topic", ["russia", "Russie", "RUSSIA", "russie", " Russie "])
def test_a_topic_is_its_id_or_its_label_in_any_case(db, topic):
    found = hits(run_veille("search", "centrale", "--topic", topic, "--json", "--db", db))
    assert found and all("russia" in h["topics"] for h in found)


@pytest.mark.parametrize(("option", "value"), [("--topic", "Russsie"), ("--subtopic", "foot"),
                                               ("--entity", "Atlantide"),
                                               ("--source", "lemonde")])
def test_an_unknown_filter_is_an_error_naming_the_known_ones(db, option, value):
    result = run_veille("search", "otan", option, value, "--db", db)
    assert result.returncode == 2
    assert (value in result.stderr and "known" in result.stderr) or "sources with" in \
        result.stderr
    assert "Traceback" not in result.stderr


def test_filters_sort_and_pages(db):
    every = hits(run_veille("search", "centrale OR otan OR kharkiv", "--json", "--db", db))
    assert len(every) >= 4
    by_date = hits(run_veille("search", "centrale OR otan OR kharkiv", "--sort", "date",
                              "--json", "--db", db))
    dates = [h["published_at"] for h in by_date]
    assert dates == sorted(dates, reverse=True)
    first, second = (hits(run_veille("search", "centrale OR otan OR kharkiv", "--sort", "date",
                                     "--limit", "2", "--offset", str(o), "--json", "--db", db))
                     for o in (0, 2))
    assert [h["id"] for h in first + second] == [h["id"] for h in by_date[:4]]
    source = hits(run_veille("search", "centrale", "--source", "courrier-rhin", "--json",
                             "--db", db))
    assert {h["source"] for h in source} == {"courrier-rhin"}
    sub = hits(run_veille("search", "centrale", "--subtopic", "nucleaire", "--json", "--db", db))
    assert sub and all("nucleaire" in h["subtopics"] for h in sub)
    entity = hits(run_veille("search", "drones", "--entity", "kharkiv", "--json", "--db", db))
    assert entity and all("kharkiv" in h["entities"] for h in entity)
    assert hits(run_veille("search", "centrale", "--until", "2000-01-01", "--json",
                           "--db", db)) == []
    bad = run_veille("search", "centrale", "--until", "demain", "--db", db)
    assert bad.returncode == 2 and "cannot read date" in bad.stderr


def test_json_rows_carry_tags_scores_and_text_on_demand(db):
    row = hits(run_veille("search", '"centrale nucléaire"', "--json", "--db", db))[0]
    assert {"id", "url", "source", "title", "published_at", "fetched_at", "topics",
            "subtopics", "entities", "story_id", "wire", "score", "snippet"} <= set(row)
    assert "text" not in row and isinstance(row["topics"], dict)
    assert "[centrale] [nucléaire]" in row["snippet"]
    with_text = hits(run_veille("search", "centrale", "--json", "--text", "--db", db))[0]
    assert len(with_text["text"]) > 200


def test_syntax_in_the_command_line(db):
    words = hits(run_veille("search", "centrale", "-otan", "--json", "--db", db))
    quoted = hits(run_veille("search", "centrale -otan", "--json", "--db", db))
    assert words == quoted and words
    assert run_veille("search", "-otan", "--db", db).returncode == 2
    unknown = run_veille("search", "otan", "--bogus", "--db", db)
    assert unknown.returncode == 2 and "No such option" in unknown.stderr
    help_text = run_veille("search", "--help").stdout
    for example in ('"frappe de drones"', "kiev OR kyiv", "otan -sommet", "sanction*"):
        assert example in help_text


def test_export_csv_opens_with_its_accents_and_tags(db, tmp_path):
    out = tmp_path / "ukraine.csv"
    result = run_veille("export", "--topic", "Ukraine", "--out", str(out), "--db", db)
    assert result.returncode == 0, result.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte order mark: spreadsheets
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows and all("ukraine" in r["topics"] for r in rows)
    assert any("é" in r["title"] or "à" in r["title"] for r in rows)
    assert "text" not in rows[0]
    assert f"Exported {len(rows)} article(s)" in result.stderr


def test_export_jsonl_with_text_and_a_query(db, tmp_path):
    out = tmp_path / "all.jsonl"
    everything = run_veille("export", "--format", "jsonl", "--text", "-o", str(out), "--db", db)
    assert everything.returncode == 0, everything.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 9 and all(r["text"] for r in rows)
    assert [r["published_at"] for r in rows] == sorted((r["published_at"] for r in rows),
                                                       reverse=True)
    queried = run_veille("export", "--query", "centrale", "--format", "jsonl", "--db", db)
    assert queried.returncode == 0
    assert {json.loads(line)["id"] for line in queried.stdout.splitlines()} == {
        h["id"] for h in hits(run_veille("search", "centrale", "--json", "--db", db))}
    relevance = run_veille("export", "--sort", "relevance", "--db", db)
    assert relevance.returncode == 2 and "relevance needs words" in relevance.stderr
