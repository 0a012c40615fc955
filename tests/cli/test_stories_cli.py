"""`veille stories`, `veille story` and `veille restory`, in a subprocess, on real databases:
one made by this veille, and one made before stories existed."""

from __future__ import annotations

import json
import sqlite3

import pytest
import sqlite_utils

from scheduler.stories.assign import StoryDesk
from storage.db import open_db
from storage.migrations import migrations
from tests.helpers import db_rows, run_veille
from tests.storyset import labelled, put_labelled

EVENT = ["kharkiv-drones-dispatch", "kharkiv-drones-lefigaro", "kharkiv-drones-20minutes",
         "kharkiv-drones-lemonde-original"]
OTHER = ["eu-sanctions-20-dispatch"]


@pytest.fixture
def stories_db(tmp_path):
    path = tmp_path / "v.db"
    db = open_db(path)
    found = put_labelled(db, StoryDesk(db), *EVENT, *OTHER)
    db.close()
    return path, found


def test_stories_lists_the_widest_first_with_outlets_wire_and_first_outlet(stories_db):
    path, found = stories_db
    result = run_veille("--db", str(path), "stories")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    story = found["kharkiv-drones-dispatch"].story_id
    assert lines[0].startswith(f"#{story}  4 outlet(s) · 4 article(s) · AFP")
    assert "fil-afp — Ukraine: trois morts dans une attaque de drones russes" in lines[1]
    assert lines[2].startswith(f"#{found['eu-sanctions-20-dispatch'].story_id}  1 outlet(s)")
    assert "2 story(ies)." in result.stderr


def test_stories_filters_and_json(stories_db):
    path, found = stories_db
    result = run_veille("--db", str(path), "stories", "--min-outlets", "2", "--json")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == [found["kharkiv-drones-dispatch"].story_id]
    assert rows[0]["outlets"] == 4 and rows[0]["wire"] == "afp"
    since = run_veille("--db", str(path), "stories", "--since", "2030-01-01")
    assert since.returncode == 0 and since.stdout == ""
    topic = run_veille("--db", str(path), "stories", "--topic", "nato")
    assert topic.returncode == 0 and topic.stdout == ""  # articles stored without tags here


@pytest.mark.parametrize(("args", "message"), [
    (["stories", "--since", "hier"], "--since"),
    (["stories", "--min-outlets", "0"], "--min-outlets"),
    (["story", "abc"], "STORY_ID"),
    (["stories", "--topic", "ukrain"], "unknown topic 'ukrain'; known: nato (OTAN)"),
])
def test_bad_arguments_get_a_clear_message_and_status_2(stories_db, args, message):
    path, _ = stories_db
    result = run_veille("--db", str(path), *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_story_shows_who_was_first_the_delays_and_what_each_article_is(stories_db):
    path, found = stories_db
    story = found["kharkiv-drones-dispatch"].story_id
    result = run_veille("--db", str(path), "story", str(story))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(f"Story #{story}: Ukraine: trois morts")
    assert "4 outlet(s), 4 article(s)" in out
    lines = [line for line in out.splitlines() if line.startswith("  2026")]
    assert "first" in lines[0] and "fil-afp" in lines[0] and "original, AFP dispatch" in lines[0]
    dispatch = found["kharkiv-drones-dispatch"].id
    assert "+0h25" in lines[1] and f"copy of #{dispatch}" in lines[1] and "same text" in lines[1]
    own = next(line for line in lines if "lemonde" in line)
    assert "original, own reporting (same event" in own
    timeline = run_veille("--db", str(path), "story", str(story), "--json")
    entries = [json.loads(line) for line in timeline.stdout.splitlines()]
    assert [e["outlet"] for e in entries][:2] == ["fil-afp", "lefigaro"]
    assert entries[1]["evidence"]["containment"] >= 0.5


def test_story_that_does_not_exist(stories_db):
    path, _ = stories_db
    result = run_veille("--db", str(path), "story", "999")
    assert result.returncode == 1
    assert "no story #999" in result.stderr and "veille stories" in result.stderr


def test_restory_on_a_database_from_before_stories(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    migrations.apply(old, stop_before="0007_stories")
    for n, item_id in enumerate([*EVENT, *OTHER]):
        item = labelled()[item_id]
        old.execute("INSERT INTO articles (url, canonical_url, source, title, text, author, "
                    "published_at, fetched_at, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [f"https://{item['outlet']}.fr/{n}", f"https://{item['outlet']}.fr/{n}",
                     item["outlet"], item["title"], "\n".join(item["paragraphs"]),
                     item["author"], item["published"], item["published"], f"h{n}"])
    old.conn.close()

    result = run_veille("--db", str(path), "restory")
    assert result.returncode == 0, result.stderr
    assert "restory: 5 of 5 articles" in result.stderr
    assert "5 article(s): 2 copies, 1 joined a story on their title and lead, 2 new story(ies)" \
        in result.stdout
    rows = db_rows(path, "SELECT id, copy_of, wire, story_id FROM articles ORDER BY id")
    assert [r[1] for r in rows] == [None, 1, 1, None, None]
    assert [r[2] for r in rows] == ["afp", "afp", "afp", None, "reuters"]
    assert len({r[3] for r in rows[:4]}) == 1 and rows[4][3] != rows[0][3]
    # again: the same copies and stories, nothing counted twice
    again = run_veille("--db", str(path), "restory")
    assert again.returncode == 0
    assert db_rows(path, "SELECT id, copy_of, wire FROM articles ORDER BY id") == \
        [r[:3] for r in rows]
    assert db_rows(path, "SELECT count(*) FROM stories") == [(2,)]
    assert db_rows(path, "SELECT articles FROM term_counts WHERE term = ''") == [(5,)]
    # only the last days
    recent = run_veille("--db", str(path), "restory", "--since", "2026-11-03T09:00:00+00:00")
    assert "restory: 1 of 1 articles" in recent.stderr
