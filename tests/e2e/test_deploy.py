"""The systemd units pass `systemd-analyze verify` (where systemd is installed)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

DEPLOY = ROOT / "deploy"
UNITS = ("veille.service", "veille-crawl.service", "veille-crawl.timer")


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
