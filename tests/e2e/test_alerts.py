"""Alerts end to end: `veille crawl` and `veille run` with alert rules, and the `veille
alerts` commands, against a webhook receiver on 127.0.0.1."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.helpers import (
    hook_url,
    posts,
    publish,
    run_veille,
    start_veille,
    wait_for,
    write_sources,
)
from veille.demo import content
from veille.demo.site import NewsSite


def alerts_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "alerts.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_crawl_sends_one_french_alert_per_matching_article(tmp_path, receiver):
    hook = receiver
    with NewsSite() as site:
        publish(site, [content.KHARKIV, content.PENSIONS, content.NATO_SUMMIT],
                suffix="?utm_source=rss")
        if True:
            sources = write_sources(tmp_path / "s.toml", {"monde": site.url("/rss.xml")})
            alerts = alerts_file(tmp_path, f"""
[[rule]]
name = "ukraine"
topics = ["ukraine"]
min_score = 4
max_age = "30d"  # the demo articles are from November 27th
targets = ["{hook_url(hook)}"]
""")
            result = run_veille("--db", str(tmp_path / "v.db"), "--sources", str(sources),
                                "--alerts", str(alerts), "crawl")
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


def test_story_published_by_two_outlets_alerts_once(tmp_path, receiver):
    hook = receiver
    with NewsSite() as one, NewsSite() as two:
        for site in (one, two):
            publish(site, [content.KHARKIV])
        sources = write_sources(tmp_path / "s.toml", {"a": one.url("/rss.xml"),
                                                      "b": two.url("/rss.xml")})
        alerts = alerts_file(tmp_path, f'[[rule]]\nname = "ukraine"\ntopics = ["ukraine"]\n'
                                       f'max_age = "30d"\ntargets = ["{hook_url(hook)}"]\n')
        result = run_veille("--db", str(tmp_path / "v.db"), "--sources", str(sources),
                            "--alerts", str(alerts), "crawl")
        assert one.hits(content.KHARKIV.path) == two.hits(content.KHARKIV.path) == 1
    assert result.returncode == 0
    assert len(posts(hook)) == 1


@pytest.mark.parametrize("rule,needle", [
    ('topics = ["ukrain"]', "rule 'bad', key 'topics': unknown topic 'ukrain'"),
    ('topics = ["ukraine"]\nmode = "digest"\nat = "25:00"', "rule 'bad', key 'at'"),
    ('topics = ["ukraine"]\nentities = ["nobody"]', "key 'entities': unknown entity"),
    ('topics = ["ukraine"]\nmode = "sometimes"', "rule 'bad', key 'mode'"),
])
def test_bad_rules_stop_before_anything_is_sent(tmp_path, rule, needle, receiver):
    hook = receiver
    alerts = alerts_file(tmp_path, f'[[rule]]\nname = "bad"\n{rule}\n'
                                   f'targets = ["{hook_url(hook)}"]\n')
    result = run_veille("--db", str(tmp_path / "v.db"), "--alerts", str(alerts), "crawl")
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
    result = run_veille("--alerts", str(missing), "alerts", "send")
    assert result.returncode == 2
    assert "environment variable VEILLE_TEST_UNSET_HOOK is not set" in result.stderr


def test_alerts_test_command_masks_tokens(tmp_path, receiver):
    secret = "T0kenT0kenT0ken99"
    hook = receiver
    url = f"json://user:{secret}@127.0.0.1:{hook.port}/hook?rto=2"
    result = run_veille("-vv", "alerts", "test", "${VEILLE_HOOK}",
                        env={"VEILLE_HOOK": url})
    assert result.returncode == 0, result.stderr
    assert "sent:" in result.stdout
    assert secret not in result.stdout + result.stderr
    assert posts(hook)[0]["title"] == "[veille] Message de test"


def test_daemon_delivers_alerts_after_its_crawls(tmp_path, receiver):
    hook = receiver
    with NewsSite() as site:
        publish(site, [content.KHARKIV])
        sources = write_sources(tmp_path / "s.toml", {"monde": site.url("/rss.xml")},
                                every="2s")
        alerts = alerts_file(tmp_path, f'[[rule]]\nname = "ukraine"\ntopics = ["ukraine"]\n'
                                       f'max_age = "30d"\ntargets = ["{hook_url(hook)}"]\n')
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
    assert runs_done and len(hook.posts) == 1  # later runs find nothing new to alert on
