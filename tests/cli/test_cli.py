"""The command line documents itself and behaves on the demo database."""

import json
import re

import pytest
from click.testing import CliRunner

from tests.helpers import ROOT, run_veille
from veille.cli import cli

COMMANDS = sorted(cli.commands)


def test_every_command_is_listed_in_top_level_help():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert re.search(rf"^\s+{name}\s", result.output, re.MULTILINE), name


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output
    assert "veille " in result.output


def test_search_and_stats_need_an_existing_database(tmp_path):
    result = run_veille("--db", str(tmp_path / "none.db"), "search", "otan")
    assert result.returncode == 2
    assert "no database at" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_demo_runs_offline_and_shows_stored_rows(demo_run):
    workdir, result = demo_run
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Articles stored" in result.stdout
    assert "Guerre en Ukraine : nuit de frappes de drones russes sur Kharkiv" in result.stdout
    assert "Retraites" not in result.stdout.split("Articles stored")[1]
    assert "quotidien-international" in result.stdout
    assert (workdir / "veille-demo.db").exists()
    # search as an analyst types it, and an export for a spreadsheet
    assert "[centrale] [nucléaire]" in result.stdout and "Results 1–" in result.stderr
    assert (workdir / "ukraine.csv").read_bytes().startswith(b"\xef\xbb\xbfid,")
    assert "<svg" in (workdir / "rapport.html").read_text(encoding="utf-8")
    # the story: one AFP dispatch run by three outlets, one of which also reported on it
    stories = result.stdout.split("Stories published by several outlets")[1]
    assert "3 outlet(s) · 4 article(s) · AFP" in stories
    timeline = [line for line in stories.splitlines() if line.startswith("  2026-11-27")]
    assert "first" in timeline[0] and "Le Quotidien de l'Est" in timeline[0]
    assert [("copy of #" in line, "own reporting" in line) for line in timeline[1:]] == [
        (True, False), (True, False), (False, True)]


def test_search_on_demo_database(demo_run):
    workdir, _ = demo_run
    db = str(workdir / "veille-demo.db")
    result = run_veille("--db", db, "search", "kyiv")
    assert result.returncode == 0
    assert "À Kyïv, les habitants" in result.stdout
    hostile = run_veille("--db", db, "search", 'retraites" NOT * NEAR(')
    assert hostile.returncode == 0
    topic = run_veille("--db", db, "search", "otan", "--topic", "nato", "--json")
    assert topic.returncode == 0 and '"nato"' in topic.stdout
    bad_date = run_veille("--db", db, "search", "otan", "--since", "hier")
    assert bad_date.returncode == 2 and "cannot read date" in bad_date.stderr


def test_search_uses_veille_db_environment_variable(demo_run):
    workdir, _ = demo_run
    result = run_veille("search", "Kharkiv", env={"VEILLE_DB": str(workdir / "veille-demo.db")})
    assert result.returncode == 0 and "Kharkiv" in result.stdout


def test_stats_on_demo_database(demo_run):
    workdir, _ = demo_run
    result = run_veille("--db", str(workdir / "veille-demo.db"), "stats")
    assert result.returncode == 0
    assert "Articles: 9" in result.stdout
    assert "ukraine" in result.stdout


def test_readme_sql_examples_run_on_demo_database(demo_run):
    import sqlite3

    workdir, _ = demo_run
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```sql", 1)[1].split("```", 1)[0]
    statements = [s.strip() for s in block.split(";") if s.strip()]
    assert len(statements) >= 5
    db = sqlite3.connect(workdir / "veille-demo.db")
    results = []
    for statement in statements:
        # "today" is the demo's fetch day, unless the test runs across midnight
        results.append(db.execute(statement.replace("date('now')", "date('now', '-1 day')")
                                  ).fetchall())
    assert all(results), [len(r) for r in results]
    # the run health query gives figures, not nulls (only `error` is empty on a good run)
    assert all(value is not None for row in results[-1] for value in row[:3] + row[4:])


def test_stories_on_demo_database_by_topic(demo_run):
    workdir, _ = demo_run
    db = str(workdir / "veille-demo.db")
    ukraine = run_veille("--db", db, "stories", "--topic", "ukraine", "--min-outlets", "2")
    assert ukraine.returncode == 0
    assert "Zaporijjia : la centrale nucléaire privée" in ukraine.stdout
    nato = run_veille("--db", db, "stories", "--topic", "nato", "--json")
    rows = [json.loads(line) for line in nato.stdout.splitlines()]
    assert [r["title"] for r in rows] == [
        "Sommet de l'OTAN : les Alliés renforcent le flanc est face à la Russie"]


@pytest.mark.parametrize("command", COMMANDS)
def test_global_options_are_accepted_after_every_command(command, tmp_path):
    db = tmp_path / "v.db"
    result = CliRunner().invoke(cli, [command, "--db", str(db), "-q", "--log-format=json",
                                      "--topics", str(ROOT / "veille" / "data" / "topics.toml"),
                                      "-v", "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_global_options_after_the_command_reach_it(demo_run):
    workdir, _ = demo_run
    db = str(workdir / "veille-demo.db")
    after = run_veille("stats", "--json", "--db", db)
    assert after.returncode == 0 and json.loads(after.stdout)["articles"] == 9
    topics = run_veille("topics", "--topics", str(workdir / "missing.toml"))
    assert topics.returncode == 2 and "missing.toml" in topics.stderr


def test_stats_prints_no_python_values_and_explains_aliases(tmp_path):
    from storage.articles import store_article
    from storage.db import open_db
    from tests.helpers import article_record

    empty = tmp_path / "empty.db"
    open_db(empty).close()
    result = run_veille("--db", str(empty), "stats")
    assert result.returncode == 0 and "None" not in result.stdout
    assert "none yet" in result.stdout
    db_path = tmp_path / "aliases.db"
    db = open_db(db_path)
    store_article(db, article_record(1), [], "v1", ["https://x.fr/amp/a1", "https://x.fr/p/a1"])
    db.close()
    result = run_veille("--db", str(db_path), "stats")
    assert "2 of the stored URLs are aliases" in result.stdout and "None" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 100
