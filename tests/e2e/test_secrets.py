"""No secret of an alert target reaches a log (any level, both formats), a command's output
or the database file: its credentials, the token in its path, its +Header= values."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import publish, run_veille, write_sources
from veille.demo import content
from veille.demo.site import NewsSite, Route

PASSWORD = "pAssw0rd-9f3k"
PATH_TOKEN = "T0kenInThePath77"
HEADER_TOKEN = "HeaderSecret55x"
SECRETS = (PASSWORD, PATH_TOKEN, HEADER_TOKEN)


def test_target_secrets_never_shown_logged_or_stored(tmp_path):
    db = tmp_path / "v.db"
    outputs: list[str] = []
    with NewsSite() as site, NewsSite() as hook:
        hook.add(f"/api/webhook/{PATH_TOKEN}", Route(b'{"ok": true}',
                                                    content_type="application/json"))
        publish(site, [content.KHARKIV, content.SANCTIONS])
        sources = write_sources(tmp_path / "s.toml", {"monde": site.url("/rss.xml")})
        target = (f"json://veille:{PASSWORD}@127.0.0.1:{hook.port}/api/webhook/{PATH_TOKEN}"
                  f"?+X-Api-Key={HEADER_TOKEN}&rto=2")
        alerts = tmp_path / "alerts.toml"
        alerts.write_text('[[rule]]\nname = "ukraine"\ntopics = ["ukraine"]\nmax_age = "30d"\n'
                          'targets = ["${VEILLE_TEST_HOOK}"]\n', encoding="utf-8")
        env = {"VEILLE_TEST_HOOK": target}
        base = ("--db", str(db), "--sources", str(sources), "--alerts", str(alerts))
        for command in (("-vv", "crawl"), ("-vv", "--log-format", "json", "alerts", "send"),
                        ("-vv", "alerts", "test", "ukraine"),
                        ("-vv", "--log-format", "json", "alerts", "test", "ukraine"),
                        ("alerts", "status"), ("alerts", "status", "--json"),
                        ("-vv", "alerts", "test", "${VEILLE_TEST_HOOK}")):
            result = run_veille(*base, *command, env=env)
            assert result.returncode == 0, (command, result.stdout, result.stderr[-2000:])
            outputs.append(result.stdout + result.stderr)
        received = len(hook.posts)
    assert received >= 3  # the alert and the test messages did arrive
    headers = [h for _, _, h in hook.requests]
    assert any(h.get("X-Api-Key") == HEADER_TOKEN for h in headers)  # and were authenticated
    for output in outputs:
        for secret in SECRETS:
            assert secret not in output, (secret, output[-3000:])
    assert "json://127.0.0.1" in outputs[4]  # the status shows scheme and host
    stored = b"".join(p.read_bytes() for p in Path(tmp_path).glob("v.db*") if p.is_file())
    for secret in SECRETS:
        assert secret.encode() not in stored, secret
