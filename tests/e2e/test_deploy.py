"""The systemd units pass `systemd-analyze verify` (where systemd is installed)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

DEPLOY = ROOT / "deploy"
UNITS = ("veille.service", "veille-crawl.service", "veille-crawl.timer",
         "veille-health.service", "veille-health.timer")


def installed_copy(tmp_path: Path) -> Path:
    """The units with ExecStart pointing at this interpreter, as an installed veille would."""
    for name in UNITS:
        text = (DEPLOY / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace("/opt/veille/.venv/bin/veille",
                                                  f"{sys.executable} -m veille"), "utf-8")
    return tmp_path


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not found")
@pytest.mark.parametrize("unit", UNITS)
def test_unit_passes_systemd_analyze_verify(tmp_path, unit):
    folder = installed_copy(tmp_path)
    result = subprocess.run(["systemd-analyze", "verify", str(folder / unit)],
                            capture_output=True, text=True, cwd=folder, check=False)
    assert result.returncode == 0, result.stderr
    assert "veille" not in result.stderr, result.stderr


def test_units_have_the_hardening_the_issue_asks_for():
    daemon = (DEPLOY / "veille.service").read_text()
    for line in ("Restart=on-failure", "DynamicUser=yes", "ProtectSystem=strict",
                 "ReadWritePaths=/var/lib/veille", "NoNewPrivileges=yes", "PrivateTmp=yes"):
        assert line in daemon
    assert "Type=oneshot" in (DEPLOY / "veille-crawl.service").read_text()
    assert "OnUnitActiveSec=15min" in (DEPLOY / "veille-crawl.timer").read_text()


def test_crontab_example_uses_the_cli():
    crontab = (DEPLOY / "crontab.example").read_text()
    assert "veille crawl --trigger cron" in crontab and "veille health" in crontab


def test_crontab_lines_run_as_a_new_user_would(tmp_path):
    """Each line of the example, as cron runs it (/bin/sh, a HOME without a log folder),
    against a local site: the crawl and the health check write their logs."""
    from tests.helpers import publish, write_sources
    from veille.demo import content
    from veille.demo.site import NewsSite

    home = tmp_path / "home"
    home.mkdir()
    lines = [line for line in (DEPLOY / "crontab.example").read_text().splitlines()
             if line and not line.startswith("#") and "=" not in line.split()[0]]
    commands = [" ".join(line.split()[5:]).replace("/opt/veille/.venv/bin/veille",
                                                    f"{sys.executable} -m veille")
                for line in lines]
    with NewsSite() as site:
        publish(site, [content.KHARKIV])
        sources = write_sources(tmp_path / "s.toml", {"local": site.url("/rss.xml")})
        env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "VEILLE_DB": str(tmp_path / "v.db"),
               "VEILLE_SOURCES": str(sources), "PYTHONPATH": str(ROOT)}
        for command in commands:
            result = subprocess.run(["/bin/sh", "-c", command], env=env, cwd=tmp_path,
                                    capture_output=True, text=True, check=False)
            assert result.returncode == 0, (command, result.stderr)
            assert "needs attention" not in result.stdout
    assert "Run ok: 1 new" in (home / "log" / "crawl.log").read_text()
    assert "All sources healthy." in (home / "log" / "health.log").read_text()
