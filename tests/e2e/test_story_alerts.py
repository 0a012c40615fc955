"""One alert per story, end to end: outlets on 127.0.0.1 republishing one dispatch and
reporting on it, crawled by `veille crawl` with alert rules, a webhook receiver counting
what arrives."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.helpers import run_veille, write_sources
from tests.storyset import labelled, outlets
from veille.demo.site import NewsSite, Route

KHARKIV = ["kharkiv-drones-dispatch", "kharkiv-drones-lefigaro", "kharkiv-drones-20minutes",
           "kharkiv-drones-lemonde-original"]
LATER = ["kharkiv-drones-ouestfrance"]
SANCTIONS = ["eu-sanctions-20-dispatch"]


@contextmanager
def receiver(*paths: str) -> Iterator[NewsSite]:
    """A webhook receiver on 127.0.0.1 answering 200 at each of `paths`."""
    with NewsSite({p: Route(b'{"ok": true}', content_type="application/json")
                   for p in paths}) as hook:
        yield hook


def received(hook: NewsSite, path: str) -> list[dict]:
    return [json.loads(body) for at, body in hook.posts if at == path]


def rule(name: str, hook: NewsSite, path: str, topics: list[str], **extra: object) -> str:
    """An alert rule sending to `path` of the receiver (Apprise's json:// target)."""
    lines = "".join(f"{key} = {json.dumps(value)}\n" for key, value in extra.items())
    return (f'[[rule]]\nname = "{name}"\ntopics = {json.dumps(topics)}\n{lines}'
            f'targets = ["json://127.0.0.1:{hook.port}{path}"]\n\n')


def crawl(tmp_path: Path, sites: dict[str, NewsSite], alerts: str, name: str = "s.toml"):
    sources = write_sources(tmp_path / name, {o: s.url("/rss.xml") for o, s in sites.items()})
    rules = tmp_path / "alerts.toml"
    rules.write_text(alerts, encoding="utf-8")
    return run_veille("--db", str(tmp_path / "v.db"), "--sources", str(sources),
                      "--alerts", str(rules), "crawl", timeout=300)


def test_one_message_per_story_and_one_follow_up_when_it_spreads(tmp_path):
    with receiver("/first", "/spread") as hook:
        alerts = (rule("ukraine", hook, "/first", ["ukraine"])
                  + rule("suivi", hook, "/spread", ["ukraine"], follow_up=3))
        with outlets(KHARKIV, ago=timedelta(hours=3)) as sites:
            result = crawl(tmp_path, sites, alerts)
            assert result.returncode == 0, result.stderr[-3000:]
            again = crawl(tmp_path, sites, alerts)  # nothing new: nothing sent
            assert again.returncode == 0
        first, spread = received(hook, "/first"), received(hook, "/spread")
        # four outlets, one of them its own reporting: one story, one message
        assert len(first) == 1
        assert first[0]["title"].removeprefix("[veille] ") in {
            labelled()[i]["title"] for i in KHARKIV}
        # and with follow_up = 3: the first message, then one when it reached 3 outlets
        assert len(spread) == 2
        follow = spread[1]
        assert follow["title"].startswith("[veille] Repris par ")
        assert "médias" in follow["title"]
        assert "Fil AFP" in follow["message"] and "Le Figaro" in follow["message"]
        # a fifth outlet later: the story was announced and followed up, nothing more
        with outlets(LATER, ago=timedelta(hours=2)) as more:
            late = crawl(tmp_path, more, alerts, "later.toml")
            assert late.returncode == 0, late.stderr[-3000:]
        assert len(received(hook, "/first")) == 1 and len(received(hook, "/spread")) == 2
        rows = sqlite3.connect(tmp_path / "v.db").execute(
            "SELECT count(DISTINCT story_id), count(*) FROM articles").fetchone()
        assert rows == (1, 5)


def test_a_new_sources_backlog_sends_nothing(tmp_path):
    with receiver("/hook") as hook:
        alerts = rule("ukraine", hook, "/hook", ["ukraine", "russia"])
        # a new source lists articles published 11 days ago: stored, not pushed
        with outlets(KHARKIV[:2], ago=timedelta(days=11)) as old:
            result = crawl(tmp_path, old, alerts)
        assert result.returncode == 0, result.stderr[-3000:]
        stored = sqlite3.connect(tmp_path / "v.db").execute(
            "SELECT count(*) FROM articles").fetchone()[0]
        assert stored == 2 and received(hook, "/hook") == []
        # today's news still alerts (the default max_age is 24 hours)
        with outlets(SANCTIONS, ago=timedelta(hours=1)) as fresh:
            today = crawl(tmp_path, fresh, alerts, "fresh.toml")
        assert today.returncode == 0, today.stderr[-3000:]
        assert [m["title"] for m in received(hook, "/hook")] == [
            f"[veille] {labelled()['eu-sanctions-20-dispatch']['title']}"]


def test_digest_has_one_entry_per_story_with_its_outlets(tmp_path):
    with receiver("/digest") as hook:
        alerts = rule("resume", hook, "/digest", ["ukraine", "russia"], mode="digest",
                      every="1h", follow_up=2)
        with outlets([*KHARKIV, *SANCTIONS], ago=timedelta(hours=3)) as sites:
            result = crawl(tmp_path, sites, alerts)
        assert result.returncode == 0, result.stderr[-3000:]
        assert received(hook, "/digest") == []  # not due yet
        earlier = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
        with sqlite3.connect(tmp_path / "v.db") as db:  # queued two hours ago
            db.execute("UPDATE alert_outbox SET created_at = ?, next_attempt_at = ?",
                       [earlier, earlier])
        rules = tmp_path / "alerts.toml"
        send = run_veille("--db", str(tmp_path / "v.db"), "--alerts", str(rules),
                          "alerts", "send")
        assert send.returncode == 0, send.stderr[-2000:]
        digest = received(hook, "/digest")
        assert len(digest) == 1
        body = digest[0]["message"]
        # two stories: the Kharkiv one once (its first alert and its follow-up together)
        assert digest[0]["title"].startswith("[veille] Résumé : 2 articles")
        assert body.count("• ") == 2
        assert "(repris par 4 médias)" in body
