"""Helpers shared by the tests: the real `veille` in a subprocess, sources files, and
articles published behind a feed on a local site."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from scheduler.dedup.content import content_hash
from veille.demo.pages import Article, FeedItem, article_html, rss_feed
from veille.demo.site import NewsSite, Route
from veille.model import ArticleRecord, TopicMatch

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent
T = TypeVar("T")


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# -- the command line ------------------------------------------------------------------


def random_texts(pool: str, count: int, longest: int, seed: int) -> list[str]:
    """`count` strings of up to `longest` characters drawn from `pool`, the same each run."""
    import random

    rng = random.Random(seed)
    return ["".join(rng.choice(pool) for _ in range(rng.randrange(0, longest)))
            for _ in range(count)]


def veille_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a `veille` subprocess: this one (from which conftest removed
    every VEILLE_* variable) plus `env`."""
    return {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}


def run_veille(*args: str, env: dict[str, str] | None = None, timeout: float = 120,
               cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a subprocess and capture its output."""
    return subprocess.run([sys.executable, "-m", "veille", *args], capture_output=True,
                          text=True, timeout=timeout, env=veille_env(env), cwd=cwd or ROOT,
                          check=False)


def start_veille(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """Start the real command line in the background (daemon tests)."""
    return subprocess.Popen([sys.executable, "-m", "veille", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=veille_env(env), cwd=ROOT)


def wait_for(condition: Callable[[], T], timeout: float, interval: float = 0.2,
             what: str = "condition") -> T:
    """Wait until `condition()` is truthy, at most `timeout` seconds; return its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


# -- sources files -----------------------------------------------------------------------


def source_entry(name: str, url: str, kind: str = "feed", *, allow_private: bool = True,
                 **extra: Any) -> str:
    """One [[source]] table, allowed on 127.0.0.1 unless told otherwise; `extra` values are
    written as TOML (strings, numbers, booleans and lists of them)."""
    lines = [f'[[source]]\nname = "{name}"\nurl = "{url}"\nkind = "{kind}"']
    if allow_private:
        lines.append("allow_private = true")
    lines += [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in extra.items()]
    return "\n".join(lines) + "\n"


def write_sources(path: Path, feeds: dict[str, str] | None = None, *,
                  entries: Iterable[str] = (), **extra: Any) -> Path:
    """A sources file with one feed source per (name, url) of `feeds`, each with the
    `extra` keys, followed by `entries` made with `source_entry`."""
    blocks = [source_entry(name, url, **extra) for name, url in (feeds or {}).items()]
    path.write_text("\n".join([*blocks, *entries]), encoding="utf-8")
    return path


# -- local sites -------------------------------------------------------------------------


def distinct(article: Article, n: int) -> Article:
    """Another article from the same template, its text different enough never to be taken
    for a copy (a number every three words): for tests that need many articles."""
    paragraphs = [" ".join(f"{w} {n}" if i % 3 == 2 else w for i, w in enumerate(p.split()))
                  for p in article.paragraphs]
    return replace(article, slug=f"{article.slug}-{n}", title=f"{article.title} ({n})",
                   paragraphs=paragraphs)


def serve_articles(site: NewsSite, articles: Iterable[Article], *, delay: float = 0.0,
                   suffix: str = "", published: Callable[[int, Article], datetime] | None = None
                   ) -> list[FeedItem]:
    """Serve each article's page; return the feed items that link to them (with `suffix`
    appended to each link, and dates from `published` when given)."""
    items = []
    for n, article in enumerate(articles):
        site.add(article.path, Route(article_html(article).encode(), delay=delay))
        when = published(n, article) if published else article.published
        items.append(FeedItem(site.url(article.path) + suffix, article.title, when))
    return items


def publish(site: NewsSite, articles: Iterable[Article], feed: str = "/rss.xml",
            **kwargs: Any) -> list[FeedItem]:
    """Serve `articles` and an RSS feed at `feed` that lists them."""
    items = serve_articles(site, articles, **kwargs)
    site.add(feed, Route(rss_feed("x", site.base_url, items).encode(),
                         content_type="application/rss+xml"))
    return items


# -- reading results -----------------------------------------------------------------------


def runs(db_path: Path, source: str | None = None) -> list[dict[str, Any]]:
    """Rows of crawl_runs (for one source), oldest first; empty before the first run."""
    if not Path(db_path).exists():
        return []
    with sqlite3.connect(db_path, timeout=30) as db:
        db.row_factory = sqlite3.Row
        try:
            rows = [dict(r) for r in db.execute("SELECT * FROM crawl_runs ORDER BY id")]
        except sqlite3.OperationalError:
            return []
    return [r for r in rows if source is None or source in json.loads(r["sources"] or "[]")]


def db_rows(db_path: Path, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db_path, timeout=30) as db:
        return db.execute(sql, list(params)).fetchall()


def db_execute(db_path: Path, sql: str, params: Iterable[Any] = ()) -> None:
    """Change a test's database by hand (to age what a run kept, say)."""
    with closing(sqlite3.connect(db_path, timeout=30)) as conn, conn:
        conn.execute(sql, list(params))


def hook_url(hook: NewsSite, path: str = "/hook") -> str:
    """An Apprise json:// target for a receiver on 127.0.0.1, with short timeouts."""
    return f"json://127.0.0.1:{hook.port}{path}?rto=1&cto=1"


def posts(hook: NewsSite) -> list[dict[str, Any]]:
    """The JSON bodies a receiver was sent."""
    return [json.loads(body) for _, body in hook.posts]


def article_record(n: int, title: str | None = "Titre", text: str = "Texte de l'article.",
                   **extra: Any) -> ArticleRecord:
    """An article row for tests that store articles directly (storage, alerts)."""
    values: dict[str, Any] = {
        "url": f"https://x.fr/a{n}", "canonical_url": f"https://x.fr/a{n}", "source": "s",
        "title": title, "text": text, "author": None,
        "published_at": "2026-11-27T09:00:00+00:00", "fetched_at": "2026-11-27T10:00:00+00:00",
        "language": "fr", "language_score": 0.99, "content_hash": content_hash(text),
        "description": None, "sitename": None, "feed_title": None, "keywords": None,
        "run_id": None}
    values.update(extra)
    return ArticleRecord(**values)


def tags(**scores: float) -> list[TopicMatch]:
    """Main-topic tags with these scores: tags(ukraine=6.0, russia=3)."""
    return [TopicMatch(name, score) for name, score in scores.items()]
