"""Shared test helpers: local news sites on port 0 and `veille` run as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from veille.site import NewsSite, Route
from veille.sitegen import FeedItem, article_html, rss_feed

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


def wait_for(condition, timeout: float, interval: float = 0.2, what: str = "condition"):
    """Wait until `condition()` is truthy, at most `timeout` seconds; return its value."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def start_veille(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """Start the real command line in the background (daemon tests)."""
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    for name in ("VEILLE_DB", "VEILLE_SOURCES", "VEILLE_TOPICS"):
        if env is None or name not in env:
            full_env.pop(name, None)
    return subprocess.Popen([sys.executable, "-m", "veille", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=full_env, cwd=ROOT)


def runs(db_path: Path, source: str | None = None) -> list[dict]:
    """Rows of crawl_runs (for one source), oldest first; empty before the first run."""
    import json
    import sqlite3

    if not Path(db_path).exists():
        return []
    with sqlite3.connect(db_path, timeout=30) as db:
        db.row_factory = sqlite3.Row
        try:
            rows = [dict(r) for r in db.execute("SELECT * FROM crawl_runs ORDER BY id")]
        except sqlite3.OperationalError:
            return []
    return [r for r in rows if source is None or source in json.loads(r["sources"] or "[]")]


def publish(site: NewsSite, articles: list, feed: str = "/rss.xml", suffix: str = "") -> None:
    """Serve `articles` (veille.sitegen.Article) and an RSS feed at `feed` that lists them."""
    items = []
    for article in articles:
        site.add(article.path, Route(article_html(article).encode()))
        items.append(FeedItem(site.url(article.path) + suffix, article.title, article.published))
    site.add(feed, Route(rss_feed("x", site.base_url, items).encode(),
                         content_type="application/rss+xml"))
