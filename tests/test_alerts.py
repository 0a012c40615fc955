"""Alerts end to end: rules, the outbox, and delivery through Apprise to a real HTTP receiver
on 127.0.0.1, including its outages."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scheduler.alert_rules import load_alerts
from scheduler.messages import article_message, digest_message, neutralise
from scheduler.rules import load_rules
from scheduler.sender import Sender
from storage.articles import TopicRow, store_article
from storage.db import open_db
from storage.outbox import OutboxRow
from tests.conftest import publish, run_veille, write_sources
from veille import demo_content as content
from veille.site import NewsSite, Route
from veille.sitegen import FeedItem, article_html, rss_feed

RULES = load_rules()
T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # 11:00 in Paris


def receiver() -> NewsSite:
    hook = NewsSite()
    hook.add("/hook", Route(b'{"ok": true}', content_type="application/json"))
    return hook.start()


def alerts_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "alerts.toml"
    path.write_text(text, encoding="utf-8")
    return path


def hook_url(hook: NewsSite, path: str = "/hook") -> str:
    return f"json://127.0.0.1:{hook.port}{path}?rto=1&cto=1"


def store(db, n: int, title: str, topics: dict[str, float], alerts: list[OutboxRow],
          text: str = "Texte de l'article. " * 20, source: str = "monde") -> int:
    article = {"url": f"https://x.fr/a{n}", "canonical_url": f"https://x.fr/a{n}",
               "source": source, "title": title, "text": text + str(n),
               "fetched_at": T0.isoformat(), "published_at": T0.isoformat(),
               "language": "fr", "language_score": 1.0, "content_hash": f"hash{n}"}
    tags = [TopicRow(t, s, []) for t, s in topics.items()]
    return store_article(db, article, tags, "v", [], alerts=alerts)


def backdate(db, when: datetime = T0) -> None:
    """Alerts queued at `when`, so that tests choose the clock."""
    db.execute("UPDATE alert_outbox SET created_at = ?, next_attempt_at = ?",
               [when.isoformat(), when.isoformat()])


def outbox_rows(config, rule_name: str, story: str) -> list[OutboxRow]:
    rule = config.rule(rule_name)
    return [OutboxRow(rule.name, t.id, t.masked, rule.mode, story) for t in rule.targets]


def posts(hook: NewsSite) -> list[dict]:
    return [json.loads(body) for path, body in hook.posts]


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "v.db")
    yield database
    database.close()


def immediate_config(tmp_path, hook, **extra) -> object:
    lines = "".join(f"{k} = {json.dumps(v)}\n" for k, v in extra.items())
    return load_alerts(alerts_file(tmp_path, f"""
[[rule]]
name = "ukraine"
topics = ["ukraine"]
targets = ["{hook_url(hook)}"]
{lines}"""), RULES)


def test_crawl_sends_one_french_alert_per_matching_article(tmp_path):
    hook = receiver()
    try:
        with NewsSite() as site:
            items = []
            for article in (content.KHARKIV, content.PENSIONS, content.NATO_SUMMIT):
                site.add(article.path, Route(article_html(article).encode()))
                items.append(FeedItem(site.url(article.path) + "?utm_source=rss", article.title,
                                      article.published))
            site.add("/rss.xml", Route(rss_feed("x", site.base_url, items).encode()))
            sources = write_sources(tmp_path / "s.toml", {"monde": site.url("/rss.xml")})
            alerts = alerts_file(tmp_path, f"""
[[rule]]
name = "ukraine"
topics = ["ukraine"]
min_score = 4
targets = ["{hook_url(hook)}"]
""")
            result = run_veille("--db", str(tmp_path / "v.db"), "--sources", str(sources),
                                "--alerts", str(alerts), "crawl")
    finally:
        hook.stop()
    assert result.returncode == 0, result.stderr[-2000:]
    # the NATO summit is tagged ukraine too, but below the rule's min_score
    assert "Alerts: 1 delivered in 1 message(s)" in result.stdout
    sent = {p["title"]: p["message"] for p in posts(hook)}
    assert set(sent) == {f"[veille] {content.KHARKIV.title}"}
    message = sent[f"[veille] {content.KHARKIV.title}"]
    assert "Source : Le Quotidien de l'Est · publié le 27/11/2026 à 09h10" in message
    assert "Thèmes : Ukraine, Russie" in message
    assert "Entités : Kharkiv" in message
    assert message.rstrip().endswith(content.KHARKIV.path)  # the link, without utm_


def test_story_published_by_two_outlets_alerts_once(tmp_path):
    hook = receiver()
    try:
        with NewsSite() as one, NewsSite() as two:
            for site in (one, two):
                publish(site, [content.KHARKIV])
            sources = write_sources(tmp_path / "s.toml", {"a": one.url("/rss.xml"),
                                                          "b": two.url("/rss.xml")})
            alerts = alerts_file(tmp_path, f'[[rule]]\nname = "ukraine"\ntopics = ["ukraine"]\n'
                                           f'targets = ["{hook_url(hook)}"]\n')
            result = run_veille("--db", str(tmp_path / "v.db"), "--sources", str(sources),
                                "--alerts", str(alerts), "crawl")
            assert one.hits(content.KHARKIV.path) == two.hits(content.KHARKIV.path) == 1
    finally:
        hook.stop()
    assert result.returncode == 0
    assert len(posts(hook)) == 1


def test_outages_every_alert_delivered_once(tmp_path, db):
    """500, then 429 with Retry-After, then refused, then accept-and-never-answer."""
    hook = NewsSite()
    ok = Route(b"{}", content_type="application/json")
    hook.add("/e500", Route(b"oops", status=500, then=[ok]))
    hook.add("/e429", Route(b"slow down", status=429, headers={"Retry-After": "120"}, then=[ok]))
    hook.add("/hang", Route(behaviour="hang", then=[ok]))
    hook.start()
    with NewsSite() as probe:  # a port where nothing listens once the probe is gone
        refused_port = probe.port
    try:
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
        e429 = db.execute("SELECT next_attempt_at FROM alert_outbox WHERE target LIKE '%e429%'"
                          ).fetchone()[0]
        assert e429 == (T0 + timedelta(seconds=120)).isoformat()  # Retry-After honoured
        assert sender.deliver(T0 + timedelta(seconds=31)).delivered == 2  # 500 and hang
        assert sender.deliver(T0 + timedelta(seconds=61)).delivered == 0  # 429 still waits
        # the endpoint that refused comes up, under the same address
        with NewsSite({"/down": ok}, port=refused_port) as late:
            last = sender.deliver(T0 + timedelta(seconds=300))
        assert last.delivered == 2
    finally:
        hook.stop()
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


def test_give_up_policy_never_resends_an_unanswered_alert(tmp_path, db):
    hook = NewsSite()
    hook.add("/hang", Route(behaviour="hang", then=[Route(b"{}")]))
    hook.start()
    try:
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
    finally:
        hook.stop()
    assert len(hook.posts) == 1
    assert db.execute("SELECT status FROM alert_outbox").fetchone()[0] == "unconfirmed"


def test_failed_after_max_attempts_and_shown_by_status(tmp_path, db):
    hook = NewsSite()
    hook.add("/e500", Route(b"oops", status=500))
    hook.start()
    try:
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
    finally:
        hook.stop()
    assert len(hook.posts) == 3
    assert db.execute("SELECT status, last_error FROM alert_outbox").fetchone() == (
        "failed", "HTTP 500")
    status = run_veille("--db", str(tmp_path / "v.db"), "--alerts", str(alerts), "alerts",
                        "status")
    assert status.returncode == 0
    assert "HTTP 500" in status.stdout and " 1 " in status.stdout


def test_restart_resumes_pending_and_crashed_sends(tmp_path, db):
    hook = receiver()
    try:
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
    finally:
        hook.stop()
    assert result.returncode == 0, result.stderr
    assert "1 delivered" in result.stdout and "1 sent without an answer" in result.stdout
    assert [p["title"] for p in posts(hook)] == ["[veille] Kyiv"]
    assert later.returncode == 0  # the crashed one waits for its backoff, then goes
    rows = dict(db.execute("SELECT id, no_answer FROM alert_outbox").fetchall())
    assert rows == {1: 0, 2: 1}


def test_digest_groups_by_topic_with_counts(tmp_path, db):
    hook = receiver()
    try:
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
    finally:
        hook.stop()
    assert before.sent_messages == 0 and before.held == 3
    assert due.sent_messages == 1 and due.delivered == 3
    message = posts(hook)[0]
    assert message["title"] == "[veille] Résumé : 3 articles (Ukraine 2, OTAN 1, Russie 1)"
    body = message["message"]
    assert body.index("Ukraine (2)") < body.index("OTAN (1)")
    assert "Frappes sur Kharkiv" in body and "https://x.fr/a2" in body


def test_daily_digest_at_local_time(tmp_path, db):
    hook = receiver()
    try:
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
    finally:
        hook.stop()
    assert night.sent_messages == 0 and morning.sent_messages == 1


def test_quiet_hours_hold_then_digest(tmp_path, db):
    hook = receiver()
    try:
        config = immediate_config(tmp_path, hook, quiet_hours="22:00-07:00")
        store(db, 1, "Kyiv", {"ukraine": 9}, outbox_rows(config, "ukraine", "s1"))
        store(db, 2, "Odessa", {"ukraine": 9}, outbox_rows(config, "ukraine", "s2"))
        backdate(db, datetime(2026, 11, 27, 23, 0, tzinfo=UTC))
        sender = Sender(db, config, RULES)
        night = sender.deliver(datetime(2026, 11, 28, 1, 0, tzinfo=UTC))  # 02:00 in Paris
        morning = sender.deliver(datetime(2026, 11, 28, 6, 5, tzinfo=UTC))  # 07:05 in Paris
    finally:
        hook.stop()
    assert night.held == 2 and night.sent_messages == 0
    assert morning.sent_messages == 1 and morning.delivered == 2
    assert posts(hook)[0]["title"].startswith("[veille] Résumé : 2 articles")


def test_max_per_hour_folds_the_rest_into_a_digest(tmp_path, db):
    hook = receiver()
    try:
        config = immediate_config(tmp_path, hook, max_per_hour=2)
        for n in range(5):
            store(db, n, f"Article {n}", {"ukraine": 9}, outbox_rows(config, "ukraine", f"s{n}"))
        backdate(db)
        sender = Sender(db, config, RULES)
        first = sender.deliver(T0)
        later = sender.deliver(T0 + timedelta(minutes=61))
    finally:
        hook.stop()
    assert first.sent_messages == 2 and first.held == 3
    assert later.sent_messages == 1 and later.delivered == 3
    assert [p["title"].split(" :")[0] for p in posts(hook)] == [
        "[veille] Article 0", "[veille] Article 1", "[veille] Résumé"]


def test_messages_neutralise_mentions_and_fit_service_limits():
    from scheduler.alert_rules import make_target

    article = {"article_id": 1, "title": "@everyone <!channel> @here alerte", "source": "monde",
               "sitename": "Le Monde", "url": "https://x.fr/a", "published_at": T0.isoformat(),
               "text": "Texte <@U024BE7LH> " + "très long " * 1000}
    discord = make_target("discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js", "f", "r")
    telegram = make_target("tgram://123456789:abcdefg_hijklmnop/12315544", "f", "r")
    assert (discord.body_max, telegram.body_max) == (2000, 4096)
    zone = load_alerts.__globals__["ZoneInfo"]("Europe/Paris")
    for target in (discord, telegram):
        message = article_message(article, {"topic": ["ukraine"]}, zone, target.body_max,
                                  target.title_max)
        assert len(message.body) <= target.body_max
        assert message.body.endswith("https://x.fr/a")
        for text in (message.title, message.body):
            assert "@everyone" not in text and "<!channel>" not in text
            assert "@here" not in text and "<@U024" not in text
    many = [{**article, "article_id": n, "title": f"Titre {n}", "url": f"https://x.fr/{n}"}
            for n in range(200)]
    digest = digest_message(many, {n: {"topic": ["ukraine"]} for n in range(200)}, zone,
                            discord.body_max, discord.title_max)
    assert len(digest.body) <= 2000 and "autre(s) article(s)" in digest.body
    assert neutralise("ok @everyone") == "ok @\u200beveryone"


@pytest.mark.parametrize("rule,needle", [
    ('topics = ["ukrain"]', "rule 'bad', key 'topics': unknown topic 'ukrain'"),
    ('topics = ["ukraine"]\nmode = "digest"\nat = "25:00"', "rule 'bad', key 'at'"),
    ('topics = ["ukraine"]\nentities = ["nobody"]', "key 'entities': unknown entity"),
    ('topics = ["ukraine"]\nmode = "sometimes"', "rule 'bad', key 'mode'"),
])
def test_bad_rules_stop_before_anything_is_sent(tmp_path, rule, needle):
    hook = receiver()
    try:
        alerts = alerts_file(tmp_path, f'[[rule]]\nname = "bad"\n{rule}\n'
                                       f'targets = ["{hook_url(hook)}"]\n')
        result = run_veille("--db", str(tmp_path / "v.db"), "--alerts", str(alerts), "crawl")
    finally:
        hook.stop()
    assert result.returncode == 2
    assert needle in result.stderr
    assert hook.posts == []


def test_unusable_target_and_missing_variable_are_config_errors(tmp_path):
    bad_url = alerts_file(tmp_path, '[[rule]]\nname = "r"\ntopics = ["nato"]\n'
                                    'targets = ["notaservice://what"]\n')
    result = run_veille("--alerts", str(bad_url), "alerts", "send")
    assert result.returncode == 2 and "rule 'r', key 'targets': Apprise cannot use" in result.stderr
    missing = alerts_file(tmp_path, '[[rule]]\nname = "r"\ntopics = ["nato"]\n'
                                    'targets = ["${VEILLE_TEST_UNSET_HOOK}"]\n')
    env = {k: v for k, v in os.environ.items() if k != "VEILLE_TEST_UNSET_HOOK"}
    result = run_veille("--alerts", str(missing), "alerts", "send", env=env)
    assert result.returncode == 2
    assert "environment variable VEILLE_TEST_UNSET_HOOK is not set" in result.stderr


def test_alerts_test_command_masks_tokens(tmp_path):
    secret = "T0kenT0kenT0ken99"
    hook = receiver()
    try:
        url = f"json://user:{secret}@127.0.0.1:{hook.port}/hook?rto=2"
        result = run_veille("-vv", "alerts", "test", "${VEILLE_HOOK}",
                            env={"VEILLE_HOOK": url})
    finally:
        hook.stop()
    assert result.returncode == 0, result.stderr
    assert "sent:" in result.stdout
    assert secret not in result.stdout + result.stderr
    assert posts(hook)[0]["title"] == "[veille] Message de test"


def test_daemon_delivers_alerts_after_its_crawls(tmp_path):
    import signal

    from tests.conftest import start_veille, wait_for

    hook = receiver()
    try:
        with NewsSite() as site:
            publish(site, [content.KHARKIV])
            sources = write_sources(tmp_path / "s.toml", {"monde": site.url("/rss.xml")},
                                    every='"2s"')
            alerts = alerts_file(tmp_path, f'[[rule]]\nname = "ukraine"\ntopics = ["ukraine"]\n'
                                           f'targets = ["{hook_url(hook)}"]\n')
            daemon = start_veille("--db", str(tmp_path / "v.db"), "--sources", str(sources),
                                  "--alerts", str(alerts), "run")
            try:
                wait_for(lambda: hook.posts, 60, what="the daemon's first alert")
                runs_done = wait_for(lambda: len([1 for _, p, _ in site.requests
                                                  if p == "/rss.xml"]) >= 3, 60,
                                     what="two more crawls")
            finally:
                daemon.send_signal(signal.SIGTERM)
                daemon.wait(timeout=40)
    finally:
        hook.stop()
    assert runs_done and len(hook.posts) == 1  # later runs find nothing new to alert on
