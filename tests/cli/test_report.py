"""`veille report` on the demo database: a self-contained French page with an SVG chart
and the demo's stories, Markdown for a chat, and what is new since the last report."""

from __future__ import annotations

import re
import shutil
import sqlite3

import pytest

from tests.helpers import run_veille


@pytest.fixture
def db(demo_run, tmp_path):
    workdir, result = demo_run
    assert result.returncode == 0, result.stderr[-2000:]
    copy = tmp_path / "veille.db"  # the report records itself: a copy per test
    shutil.copy(workdir / "veille-demo.db", copy)
    return str(copy)


def resources(page: str) -> list[str]:
    """Everything a browser would load: scripts, styles, images, frames, CSS urls."""
    tags = re.findall(r"<(?:script|img|link|iframe|source|video|audio|object|embed)\b[^>]*>",
                      page, re.I)
    found = [u for t in tags for u in re.findall(r'(?:src|href|data)=["\']?([^"\' >]+)', t)]
    return found + re.findall(r"url\(([^)]*)\)|@import", page)


def test_html_report_is_self_contained_french_and_has_its_chart(db, tmp_path):
    out = tmp_path / "rapport.html"
    result = run_veille("--db", db, "report", "--since", "2026-11-20", "--until",
                        "2026-11-30", "--out", str(out))
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert resources(page) == []
    assert page.count("<svg") == 1 and "Articles par jour et par thème" in page
    assert '<html lang=fr>' in page and "name=viewport" in page and "@media print" in page
    assert "Les récits les plus repris" in page and "dépêche AFP" in page
    zaporijjia = next(r for r in page.split("<tr>") if "centrale nucléaire privée" in r)
    assert "<td class=n>3</td><td class=n>4</td>" in zaporijjia  # outlets, articles
    assert "reportage propre" in page and "Sous-thèmes et entités en hausse" in page


def test_stories_first_seen_since_the_previous_report_are_new(db):
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM reports")  # the demo wrote one: this one is the previous
        conn.execute("INSERT INTO reports (generated_at, since, until, format) VALUES "
                     "('2026-11-27T09:00:00+00:00', '2026-11-20', '2026-11-27', 'html')")
    page = run_veille("--db", db, "report", "--since", "2026-11-20", "--until",
                      "2026-11-30").stdout
    rows = [r for r in page.split("<tr>") if "<td>" in r]
    new = [r for r in rows if 'class="new"' in r]
    assert any("centrale nucléaire privée" in r for r in new)  # first seen at 09:30
    assert not any("Kharkiv" in r for r in new)  # first seen at 08:10, before the report
    again = run_veille("--db", db, "report", "--since", "2026-11-20", "--until",
                       "2026-11-30").stdout
    assert 'class="new"' not in again  # nothing new since the report just written


def test_markdown_report_for_a_chat_and_a_topic(db):
    result = run_veille("--db", db, "report", "--since", "2026-11-20", "--until",
                        "2026-11-30", "--format", "md", "--topic", "OTAN")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Veille de presse : OTAN")
    assert "Sommet de l'OTAN" in result.stdout and "Zaporijjia" not in result.stdout
    assert "- OTAN : 1 article(s)" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--since", "hier"], "cannot read date"),
    (["--since", "2026-11-30", "--until", "2026-11-01"], "the period is empty"),
    (["--topic", "Atlantide"], "unknown topic"),
])
def test_bad_arguments_are_usage_errors(db, args, message):
    result = run_veille("--db", db, "report", *args)
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr
