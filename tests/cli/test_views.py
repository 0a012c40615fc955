"""The analysts' views (migration 0010), read with plain sqlite3 on the demo database."""

from __future__ import annotations

import sqlite3

import pytest

from storage.migrations import VIEWS


@pytest.fixture(scope="module")
def db(demo_run):
    workdir, result = demo_run
    assert result.returncode == 0, result.stderr[-2000:]
    connection = sqlite3.connect(workdir / "veille-demo.db")
    connection.row_factory = sqlite3.Row
    yield connection
    connection.close()


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_every_view_has_rows_and_no_full_text(db, view):
    rows = db.execute(f"SELECT * FROM {view}").fetchall()
    assert rows, view
    assert "text" not in list(rows[0].keys())  # a Row's `in` looks at its values


def test_tagged_articles_lists_tags_strongest_first(db):
    row = db.execute("SELECT * FROM tagged_articles WHERE title LIKE 'Guerre en Ukraine%'"
                     ).fetchone()
    assert row["topics"] == "ukraine, russia" and "combats" in row["subtopics"]
    assert "kharkiv" in row["entities"] and row["outlet"] == "quotidien-international"


def test_top_stories_and_their_timeline(db):
    top = db.execute("SELECT * FROM top_stories ORDER BY outlets DESC, articles DESC").fetchone()
    assert (top["outlets"], top["articles"], top["wire"]) == (3, 4, "afp")
    assert top["first_outlet"] == "quotidien-international" and "ukraine" in top["topics"]
    timeline = db.execute("SELECT role, minutes_after_first FROM story_timeline WHERE story = ? "
                          "ORDER BY published", [top["story"]]).fetchall()
    assert [r["role"] for r in timeline].count("first") == 1
    assert {r["role"] for r in timeline} == {"first", "copy", "own reporting"}
    assert timeline[0]["minutes_after_first"] == 0 and timeline[-1]["minutes_after_first"] > 0


def test_daily_volume_and_source_activity(db):
    volume = {(r["day"], r["topic"]): r["articles"]
              for r in db.execute("SELECT * FROM daily_volume")}
    assert sum(v for (_, topic), v in volume.items() if topic == "ukraine") == 8
    activity = {r["outlet"]: r for r in db.execute("SELECT * FROM source_activity")}
    assert activity["quotidien-international"]["articles_30d"] == 5
    assert activity["courrier-rhin"]["days_since_last"] == 0
