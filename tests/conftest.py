"""Shared test helpers: local news sites on port 0 and `veille` run as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from veille.site import NewsSite

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite() as running:
        yield running


def run_veille(*args: str, env: dict[str, str] | None = None, timeout: float = 120,
               cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a subprocess and capture its output."""
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    for name in ("VEILLE_DB", "VEILLE_SOURCES", "VEILLE_TOPICS"):
        if env is None or name not in env:
            full_env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "veille", *args], capture_output=True,
                          text=True, timeout=timeout, env=full_env, cwd=cwd or ROOT,
                          check=False)


def write_sources(path: Path, feeds: dict[str, str], **extra: str) -> Path:
    """A sources file with one feed source per (name, url), all allowed on 127.0.0.1."""
    blocks = []
    for name, url in feeds.items():
        lines = [f'[[source]]\nname = "{name}"\nurl = "{url}"\nkind = "feed"\n'
                 "allow_private = true"]
        lines += [f"{k} = {v}" for k, v in extra.items()]
        blocks.append("\n".join(lines))
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    return path
