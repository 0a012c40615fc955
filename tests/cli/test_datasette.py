"""`veille datasette` on the demo database, fetched over HTTP as an analyst's browser
would: the views, the descriptions, the canned queries, the hidden internals, and no
resource from another host."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

from tests.helpers import ROOT

pytest.importorskip("datasette")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site(demo_run):
    workdir, result = demo_run
    assert result.returncode == 0, result.stderr[-2000:]
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "veille", "--db", str(workdir / "veille-demo.db"),
         "datasette", "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise AssertionError(process.communicate()[1].decode()[-2000:]) from None
            time.sleep(0.3)
    yield base + "/veille-demo"
    process.terminate()
    assert process.wait(timeout=30) == 0
    # Datasette stops with the command that started it (it used to outlive a SIGTERM)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
        except OSError:
            return
        time.sleep(0.3)
    raise AssertionError("Datasette still answers after veille datasette was stopped")


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        return response.read().decode("utf-8")


def rows(url: str) -> list[dict]:
    joiner = "&" if "?" in url else "?"
    return json.loads(get(url + joiner + "_shape=array"))


def external_resources(html: str) -> list[str]:
    """URLs of scripts, styles and images loaded from another host."""
    found = re.findall(r'<(?:script|img|link)[^>]+(?:src|href)="(https?://[^"]+)"', html)
    return [u for u in found if not u.startswith("http://127.0.0.1")]


def test_the_database_page_describes_itself_in_french_and_hides_internals(site):
    home = get(site.rsplit("/", 1)[0] + "/")
    assert "presse francophone" in home
    page = get(site)
    for view in ("tagged_articles", "daily_volume", "top_stories", "story_timeline",
                 "source_activity"):
        assert view in page
    for hidden in ("_sqlite_migrations", "http_validators", "alert_outbox", "story_terms"):
        assert f'href="/veille-demo/{hidden}"' not in page
    assert external_resources(home) == [] and external_resources(page) == []


@pytest.mark.parametrize("view", ["tagged_articles", "daily_volume", "top_stories",
                                  "story_timeline", "source_activity"])
def test_every_view_answers_with_rows_and_descriptions(site, view):
    html = get(f"{site}/{view}")
    assert external_resources(html) == []
    found = rows(f"{site}/{view}.json")
    assert found and "text" not in found[0]


def test_column_descriptions_and_list_pages_without_whole_texts(site):
    html = get(f"{site}/top_stories")
    assert "Média qui a publié le premier" in html
    articles = get(f"{site}/articles")
    longest = max(len(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", articles, re.S))
    assert longest < 2000  # long texts are cut in list pages


@pytest.mark.parametrize(("query", "params"), [
    ("articles_du_theme", {"topic": "ukraine", "since": "2026-01-01"}),
    ("volume_par_media", {"since": "2026-01-01"}),
    ("recits_les_plus_repris", {"since": "2026-01-01"}),
    ("pourquoi_cette_etiquette", {"article": "1"}),
    ("sante_des_collectes", {}),
    ("medias_silencieux", {"days": "0"}),
])
def test_canned_queries_answer_with_their_parameters(site, query, params):
    found = rows(f"{site}/{query}.json?{urllib.parse.urlencode(params)}")
    assert found, query
    assert external_resources(get(f"{site}/{query}?{urllib.parse.urlencode(params)}")) == []


def test_without_datasette_installed_the_message_says_what_to_install(demo_run, monkeypatch):
    from click.testing import CliRunner

    import veille.cli.browse as browse
    from veille.cli import cli

    workdir, _ = demo_run
    real = browse.importlib.util.find_spec
    monkeypatch.setattr(browse.importlib.util, "find_spec",
                        lambda name, *a: None if name == "datasette" else real(name, *a))
    result = CliRunner().invoke(cli, ["--db", str(workdir / "veille-demo.db"), "datasette"])
    assert result.exit_code == 2
    assert "pip install 'veille[datasette]'" in result.output


def test_every_column_of_the_views_and_articles_is_described(demo_run):
    import sqlite3

    from veille.cli.browse import metadata_for

    workdir, _ = demo_run
    path = workdir / "veille-demo.db"
    tables = metadata_for(str(path))["databases"]["veille-demo"]["tables"]
    db = sqlite3.connect(path)
    for name in ("tagged_articles", "daily_volume", "top_stories", "story_timeline",
                 "source_activity", "articles", "article_topics"):
        columns = [r[1] for r in db.execute(f"PRAGMA table_info({name})")]
        described = tables[name]["columns"]
        assert set(columns) - {"id"} <= set(described), (name, set(columns) - set(described))
        assert tables[name]["description"]


def test_the_dashboard_answers_with_its_charts_and_loads_nothing_from_elsewhere(site):
    base = site.rsplit("/", 1)[0]
    html = get(base + "/-/dashboards/veille")
    assert "Articles par jour et par thème" in html and "Récits les plus repris" in html
    assert external_resources(html) == []
    assert "vega" in html  # the plugin's own copy of Vega, served by this Datasette
    for script in re.findall(r'<script[^>]+src="([^"]+)"', html):
        assert script.startswith("/"), script
        get(base + script)
    filtered = get(base + "/-/dashboards/veille?topic=ukraine&date_start=2026-11-01")
    assert "Sous-thèmes par jour" in filtered


@pytest.mark.parametrize("chart", ["volume", "stories", "subtopics", "quiet"])
def test_every_chart_query_answers_with_rows(site, chart):
    from veille.cli.browse import metadata_for

    dashboard = metadata_for("veille-demo.db")["plugins"]["datasette-dashboards"]["veille"]
    sql = re.sub(r"\[\[.*?\]\]", "", dashboard["charts"][chart]["query"], flags=re.S)
    found = rows(f"{site}.json?sql={urllib.parse.quote(sql)}")
    assert found, chart
