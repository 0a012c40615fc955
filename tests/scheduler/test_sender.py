"""Delivering the outbox in process: real Apprise sends to a receiver on 127.0.0.1, with
outages, retries, digests, quiet hours and hourly caps; the clock is the test's."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scheduler.alerts.rules import AlertConfig, load_alerts
from scheduler.alerts.sender import Sender
from scheduler.tagging.rules import load_rules
from storage.articles import store_article
from storage.outbox import OutboxRow
from tests.helpers import article_record, hook_url, posts, run_veille, tags
from veille.demo.site import NewsSite, Route

RULES = load_rules()
T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # 11:00 in Paris


def alerts_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "alerts.toml"
    path.write_text(text, encoding="utf-8")
    return path


def store(db, n: int, title: str, topics: dict[str, float], alerts: list[OutboxRow]) -> int:
    record = article_record(n, title, "Texte de l'article. " * 20 + str(n), source="monde",
                            published_at=T0.isoformat(), fetched_at=T0.isoformat(),
                            content_hash=f"hash{n}")
    return store_article(db, record, tags(**topics), "v", [], alerts=alerts)


def backdate(db, when: datetime = T0) -> None:
    """Alerts queued at `when`, so that tests choose the clock."""
    db.execute("UPDATE alert_outbox SET created_at = ?, next_attempt_at = ?",
               [when.isoformat(), when.isoformat()])


def outbox_rows(config: AlertConfig, rule_name: str, story: str) -> list[OutboxRow]:
    rule = config.rule(rule_name)
    assert rule is not None
    return [OutboxRow(rule.name, t.id, t.masked, rule.mode, story) for t in rule.targets]


def immediate_config(tmp_path: Path, hook: NewsSite, **extra: object) -> AlertConfig:
    lines = "".join(f"{k} = {json.dumps(v)}\n" for k, v in extra.items())
    return load_alerts(alerts_file(tmp_path, f"""
[[rule]]
name = "ukraine"
topics = ["ukraine"]
targets = ["{hook_url(hook)}"]
{lines}"""), RULES)


def test_outages_every_alert_delivered_once(tmp_path, db, receiver):
    """500, then 429 with Retry-After, then refused, then accept-and-never-answer."""
    hook = receiver
    ok = Route(b"{}", content_type="application/json")
    hook.add("/e500", Route(b"oops", status=500, then=[ok]))
    hook.add("/e429", Route(b"slow down", status=429, headers={"Retry-After": "120"}, then=[ok]))
    hook.add("/hang", Route(behaviour="hang", then=[ok]))
    with NewsSite() as probe:  # a port where nothing listens once the probe is gone
        refused_port = probe.port
    targets = [hook_url(hook, "/e500"), hook_url(hook, "/e429"), hook_url(hook, "/hang"),
               f"json://127.0.0.1:{refused_port}/down?cto=1&rto=1"]
    config = load_alerts(alerts_file(tmp_path, f"""
[[rule]]
name = "ukraine"
topics = ["ukraine"]
targets = {json.dumps(targets)}
"""), RULES)
    store(db, 1, "Kharkiv sous les bombes", {"ukraine": 9},
          outbox_rows(config, "ukraine", "s1"))
    backdate(db)
    sender = Sender(db, config, RULES)
    first = sender.deliver(T0)
    assert first.delivered == 0 and first.retrying == 4 and first.no_answer == 1
    target_429 = next(t for t in config.rules[0].targets if "/e429" in t.url)
    e429 = db.execute("SELECT next_attempt_at FROM alert_outbox WHERE target_id = ?",
                      [target_429.id]).fetchone()[0]
    assert e429 == (T0 + timedelta(seconds=120)).isoformat()  # Retry-After honoured
    assert sender.deliver(T0 + timedelta(seconds=31)).delivered == 2  # 500 and hang
    assert sender.deliver(T0 + timedelta(seconds=61)).delivered == 0  # 429 still waits
    # the endpoint that refused comes up, under the same address
    with NewsSite({"/down": ok}, port=refused_port) as late:
        last = sender.deliver(T0 + timedelta(seconds=300))
    assert last.delivered == 2
    per_endpoint = {path: sum(1 for p, _ in hook.posts if p == path)
                    for path in ("/e500", "/e429", "/hang")}
    per_endpoint["/down"] = len(late.posts)
    assert per_endpoint == {"/e500": 2, "/e429": 2, "/hang": 2, "/down": 1}
    # A message counts as shown by the service when the endpoint answered 2xx, or took
    # it and never answered; more than once per alert is a duplicate.
    shown = {path: hook.answered(200, path) + (count - sum(1 for p, _ in hook.statuses
                                                            if p == path))
             for path, count in per_endpoint.items() if path != "/down"}
    shown["/down"] = late.answered(200)
    statuses = [r[0] for r in db.execute("SELECT status FROM alert_outbox")]
    no_answer = db.execute("SELECT sum(no_answer) FROM alert_outbox").fetchone()[0]
    figures = {"expected": 4, "delivered": statuses.count("sent"),
               "duplicates": sum(n - 1 for n in shown.values() if n > 1),
               "failed": statuses.count("failed"), "unanswered sends counted": no_answer}
    print(f"alerts: {figures}; POSTs received per endpoint: {per_endpoint}")
    assert figures == {"expected": 4, "delivered": 4, "duplicates": 1, "failed": 0,
                       "unanswered sends counted": 1}  # the one duplicate is the counted one


def test_give_up_policy_never_resends_an_unanswered_alert(tmp_path, db, receiver):
    hook = receiver
    hook.add("/hang", Route(behaviour="hang", then=[Route(b"{}")]))
    config = load_alerts(alerts_file(tmp_path, f"""
on_no_answer = "give_up"
[[rule]]
name = "ukraine"
topics = ["ukraine"]
targets = ["{hook_url(hook, '/hang')}"]
"""), RULES)
    store(db, 1, "Kyiv", {"ukraine": 9}, outbox_rows(config, "ukraine", "s1"))
    backdate(db)
    sender = Sender(db, config, RULES)
    sender.deliver(T0)
    sender.deliver(T0 + timedelta(hours=1))
    assert len(hook.posts) == 1
    assert db.execute("SELECT status FROM alert_outbox").fetchone()[0] == "unconfirmed"


def test_failed_after_max_attempts_and_shown_by_status(tmp_path, db, receiver):
    hook = receiver
    hook.add("/e500", Route(b"oops", status=500))
    alerts = alerts_file(tmp_path, f"""
max_attempts = 3
[[rule]]
name = "ukraine"
topics = ["ukraine"]
targets = ["{hook_url(hook, '/e500')}"]
""")
    config = load_alerts(alerts, RULES)
    store(db, 1, "Kyiv", {"ukraine": 9}, outbox_rows(config, "ukraine", "s1"))
    backdate(db)
    sender = Sender(db, config, RULES)
    for minutes in (0, 5, 30):
        sender.deliver(T0 + timedelta(minutes=minutes))
    assert len(hook.posts) == 3
    assert db.execute("SELECT status, last_error FROM alert_outbox").fetchone() == (
        "failed", "HTTP 500")
    status = run_veille("--db", str(tmp_path / "v.db"), "--alerts", str(alerts), "alerts",
                        "status")
    assert status.returncode == 0
    assert "HTTP 500" in status.stdout and " 1 " in status.stdout


def test_restart_resumes_pending_and_crashed_sends(tmp_path, db, receiver):
    hook = receiver
    config = immediate_config(tmp_path, hook)
    store(db, 1, "Kyiv", {"ukraine": 9}, outbox_rows(config, "ukraine", "s1"))
    store(db, 2, "Odessa", {"ukraine": 9}, outbox_rows(config, "ukraine", "s2"))
    # a sender died mid-send on the second alert ten minutes ago
    db.execute("UPDATE alert_outbox SET status = 'sending', claimed_at = ? WHERE id = 2",
               [(datetime.now(UTC) - timedelta(minutes=10)).isoformat()])
    result = run_veille("--db", str(tmp_path / "v.db"), "--alerts",
                        str(tmp_path / "alerts.toml"), "alerts", "send")
    later = run_veille("--db", str(tmp_path / "v.db"), "--alerts",
                       str(tmp_path / "alerts.toml"), "alerts", "send")
    assert result.returncode == 0, result.stderr
    assert "1 delivered" in result.stdout and "1 sent without an answer" in result.stdout
    assert [p["title"] for p in posts(hook)] == ["[veille] Kyiv"]
    assert later.returncode == 0  # the crashed one waits for its backoff, then goes
    rows = dict(db.execute("SELECT id, no_answer FROM alert_outbox").fetchall())
    assert rows == {1: 0, 2: 1}


def test_digest_groups_by_topic_with_counts(tmp_path, db, receiver):
    hook = receiver
    config = load_alerts(alerts_file(tmp_path, f"""
[[rule]]
name = "resume"
topics = ["nato", "russia", "ukraine"]
mode = "digest"
every = "30m"
targets = ["{hook_url(hook)}"]
"""), RULES)
    for n, (title, topics) in enumerate([("Sommet de l'OTAN", {"nato": 9}),
                                         ("Frappes sur Kharkiv", {"ukraine": 9, "russia": 4}),
                                         ("Kyiv sans électricité", {"ukraine": 6})]):
        store(db, n, title, topics, outbox_rows(config, "resume", f"s{n}"))
    backdate(db)
    sender = Sender(db, config, RULES)
    before = sender.deliver(T0 + timedelta(minutes=10))
    due = sender.deliver(T0 + timedelta(minutes=31))
    assert before.sent_messages == 0 and before.held == 3
    assert due.sent_messages == 1 and due.delivered == 3
    message = posts(hook)[0]
    assert message["title"] == "[veille] Résumé : 3 articles (Ukraine 2, OTAN 1, Russie 1)"
    body = message["message"]
    assert body.index("Ukraine (2)") < body.index("OTAN (1)")
    assert "Frappes sur Kharkiv" in body and "https://x.fr/a2" in body


def test_daily_digest_at_local_time(tmp_path, db, receiver):
    hook = receiver
    config = load_alerts(alerts_file(tmp_path, f"""
[[rule]]
name = "matin"
topics = ["ukraine"]
mode = "digest"
at = "08:00"
targets = ["{hook_url(hook)}"]
"""), RULES)
    store(db, 1, "Kyiv", {"ukraine": 9}, outbox_rows(config, "matin", "s1"))
    backdate(db, datetime(2026, 11, 27, 20, 0, tzinfo=UTC))
    sender = Sender(db, config, RULES)
    night = sender.deliver(datetime(2026, 11, 28, 6, 30, tzinfo=UTC))  # 07:30 in Paris
    morning = sender.deliver(datetime(2026, 11, 28, 7, 1, tzinfo=UTC))  # 08:01 in Paris
    assert night.sent_messages == 0 and morning.sent_messages == 1


def test_quiet_hours_hold_then_digest(tmp_path, db, receiver):
    hook = receiver
    config = immediate_config(tmp_path, hook, quiet_hours="22:00-07:00")
    store(db, 1, "Kyiv", {"ukraine": 9}, outbox_rows(config, "ukraine", "s1"))
    store(db, 2, "Odessa", {"ukraine": 9}, outbox_rows(config, "ukraine", "s2"))
    backdate(db, datetime(2026, 11, 27, 23, 0, tzinfo=UTC))
    sender = Sender(db, config, RULES)
    night = sender.deliver(datetime(2026, 11, 28, 1, 0, tzinfo=UTC))  # 02:00 in Paris
    morning = sender.deliver(datetime(2026, 11, 28, 6, 5, tzinfo=UTC))  # 07:05 in Paris
    assert night.held == 2 and night.sent_messages == 0
    assert morning.sent_messages == 1 and morning.delivered == 2
    assert posts(hook)[0]["title"].startswith("[veille] Résumé : 2 articles")


def test_max_per_hour_folds_the_rest_into_a_digest(tmp_path, db, receiver):
    hook = receiver
    config = immediate_config(tmp_path, hook, max_per_hour=2)
    for n in range(5):
        store(db, n, f"Article {n}", {"ukraine": 9}, outbox_rows(config, "ukraine", f"s{n}"))
    backdate(db)
    sender = Sender(db, config, RULES)
    first = sender.deliver(T0)
    later = sender.deliver(T0 + timedelta(minutes=61))
    assert first.sent_messages == 2 and first.held == 3
    assert later.sent_messages == 1 and later.delivered == 3
    assert [p["title"].split(" :")[0] for p in posts(hook)] == [
        "[veille] Article 0", "[veille] Article 1", "[veille] Résumé"]
