"""Logs: readable by default, JSON lines on request, one summary line per run, no secrets."""

from __future__ import annotations

import json

from tests.helpers import publish, run_veille, write_sources
from veille.demo import content
from veille.demo.site import NewsSite
from veille.redact import redact

SECRET = "s3cr3t-T0KEN-value"


def test_redact_masks_passwords_and_tokens():
    text = (f"GET https://user:{SECRET}@feeds.example.org/rss?token={SECRET}&x=1 "
            f"and https://hooks.example.org/x?api_key={SECRET}")
    assert SECRET not in redact(text)
    assert "x=1" in redact(text)


def test_json_logs_have_one_summary_line_per_run_and_no_secret(tmp_path):
    with NewsSite() as site:
        publish(site, [content.KHARKIV])
        sources = write_sources(tmp_path / "s.toml", {
            "monde": f'{site.url("/rss.xml")}?token={SECRET}',
            "moved": f'{site.url("/gone.xml")}?key={SECRET}'})
        result = run_veille("--log-format", "json", "--db", str(tmp_path / "v.db"),
                            "--sources", str(sources), "crawl")
    assert result.returncode == 0
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    assert all({"ts", "level", "logger", "msg"} <= set(line) for line in lines)
    summaries = [line for line in lines if line.get("event") == "run"]
    assert len(summaries) == 1
    assert summaries[0]["status"] == "partial" and summaries[0]["counts"]["new"] == 1
    assert SECRET not in result.stderr and SECRET not in result.stdout


def test_human_logs_are_plain_lines(tmp_path):
    result = run_veille("--db", str(tmp_path / "v.db"), "--sources", "/nonexistent.toml", "crawl")
    assert result.returncode == 2
    assert result.stderr.startswith("Configuration error: /nonexistent.toml: file not found")
