"""The `veille` command line: crawl, search, stats, demo."""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path

import click

from crawler.runstats import COLUMNS, RunStats
from scheduler.rules import Rules, default_rules_path, load_rules
from storage.queries import QueryError
from veille.config import ConfigError, Source, SourcesConfig, default_sources_path, load_sources

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_ALL_FAILED = 1
EXIT_CONFIG = 2
EXIT_INTERRUPTED = 130


class Options:
    def __init__(self, db: str, sources: str | None, topics: str | None) -> None:
        self.db = db
        self.sources_path = sources or str(default_sources_path())
        self.topics_path = topics or str(default_rules_path())

    def sources(self) -> SourcesConfig:
        return load_sources(self.sources_path)

    def rules(self) -> Rules:
        return load_rules(self.topics_path)


def config_error(exc: ConfigError) -> None:
    click.echo(f"Configuration error: {exc}", err=True)
    click.echo("Fix the file and run the command again.", err=True)
    sys.exit(EXIT_CONFIG)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--db", envvar="VEILLE_DB", default="veille.db", show_default=True,
              metavar="PATH", help="SQLite database file (env VEILLE_DB).")
@click.option("--sources", envvar="VEILLE_SOURCES", metavar="PATH",
              help="Sources file, TOML (env VEILLE_SOURCES; default: the shipped list).")
@click.option("--topics", envvar="VEILLE_TOPICS", metavar="PATH",
              help="Topic rules file, TOML (env VEILLE_TOPICS; default: the shipped rules).")
@click.option("-v", "--verbose", count=True, help="More log output (-vv: Scrapy's too).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors on stderr.")
@click.version_option(package_name="veille")
@click.pass_context
def cli(ctx: click.Context, db: str, sources: str | None, topics: str | None, verbose: int,
        quiet: bool) -> None:
    """veille watches French-language news for NATO, Russia and Ukraine.

    It reads the feeds of the outlets in the sources file, downloads each new
    article once, keeps the French ones, tags them by topic and stores them in
    a SQLite database you can query with SQL, `veille search` or Datasette.

    \b
    Examples:
      veille demo                                  # offline demo on a local site
      veille --db news.db crawl                    # one run over every source
      veille --db news.db search "Otan Pologne" --since 7d
      veille --db news.db stats
    """
    from veille.logsetup import setup_logging

    setup_logging(-1 if quiet else verbose)
    ctx.obj = Options(db, sources, topics)


def _select(config: SourcesConfig, names: tuple[str, ...]) -> list[Source]:
    if not names:
        selected = config.enabled()
        if not selected:
            raise ConfigError(config.path, "every source is disabled (enabled = false)")
        return selected
    selected = []
    for name in names:
        source = config.get(name)
        if source is None:
            known = ", ".join(s.name for s in config.sources)
            raise ConfigError(config.path, f"no source named {name!r} (known: {known})")
        selected.append(source)
    return selected


def print_summary(stats: RunStats, status: str) -> None:
    """The per-source table printed at the end of a crawl."""
    names = list(stats.sources)
    width = max([len("source"), *map(len, names)])
    feed_width = max([len("feed"), *(min(len(s.feed), 50) for s in stats.sources.values())])
    header = f"{'source':<{width}}  {'feed':<{feed_width}}" + "".join(
        f"  {label:>{max(len(label), 5)}}" for _, label in COLUMNS)
    click.echo(header)
    click.echo("-" * len(header))
    rows = [(name, s.feed[:50], s.counts) for name, s in stats.sources.items()]
    rows.append(("TOTAL", "", stats.totals()))
    for name, feed, counts in rows:
        if name == "TOTAL":
            click.echo("-" * len(header))
        click.echo(f"{name:<{width}}  {feed:<{feed_width}}" + "".join(
            f"  {counts.get(key, 0):>{max(len(label), 5)}}" for key, label in COLUMNS))
    problems = [(name, s) for name, s in stats.sources.items() if s.failed() or s.errors]
    for name, source_stats in problems:
        if source_stats.failed():
            click.echo(f"! {name}: feed failed: {source_stats.feed}")
        for message in source_stats.errors[:5]:
            click.echo(f"! {name}: {message}")
    click.echo(f"Run {status}.")


@cli.command()
@click.option("--source", "source_names", multiple=True, metavar="NAME",
              help="Crawl only this source (repeatable). Default: every enabled source.")
@click.option("--keep-offtopic", is_flag=True,
              help="Also store French articles that match no topic (stored without tags).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Extraction worker processes (default: one per CPU core).")
@click.option("--download-timeout", type=click.FloatRange(1, 30), default=20.0,
              show_default=True, help="Seconds allowed for one whole download.")
@click.option("--trigger", default="manual", show_default=True, hidden=True)
@click.pass_obj
def crawl(opts: Options, source_names: tuple[str, ...], keep_offtopic: bool,
          workers: int | None, download_timeout: float, trigger: str) -> None:
    """Crawl the sources once and exit.

    Shows progress on stderr and a summary per source on stdout: whether the
    feed was fetched, links found, links already known from earlier runs,
    articles downloaded, new articles stored, duplicates, pages not in
    French, off-topic pages, pages without main text, and errors.

    Exit status: 0 when the run completed (even if some sources failed),
    1 when every source failed, 2 for a configuration error, 130 when
    interrupted.

    \b
    Examples:
      veille --sources my-sources.toml crawl
      veille crawl --source lemonde-international --keep-offtopic
    """
    from crawler.workers import ExtractionPool
    from storage.db import open_db
    from storage.runs import finish_run, start_run
    from storage.sources import sync_sources

    try:
        config = opts.sources()
        rules = opts.rules()
        selected = _select(config, source_names)
    except ConfigError as exc:
        config_error(exc)
    # Workers start loading trafilatura while this process loads Scrapy.
    pool = ExtractionPool(rules, workers)
    from crawler.runner import run_crawl
    db = open_db(opts.db)
    sync_sources(db, list(config.sources))
    names = [s.name for s in selected]
    run_id = start_run(db, trigger, names)
    logger.info("run %d: crawling %d source(s) into %s", run_id, len(selected), opts.db)
    try:
        result = run_crawl(db, selected, rules, run_id, pool, keep_offtopic=keep_offtopic,
                           settings={"DOWNLOAD_TIMEOUT": download_timeout})
    except BaseException as exc:
        finish_run(db, run_id, "error", {}, f"{type(exc).__name__}: {exc}")
        raise
    stats = result.stats
    if result.interrupted:
        status, code = "interrupted", EXIT_INTERRUPTED
    elif stats.all_failed():
        status, code = "failed", EXIT_ALL_FAILED
    elif stats.any_failed():
        status, code = "partial", EXIT_OK
    else:
        status, code = "ok", EXIT_OK
    finish_run(db, run_id, status, stats.as_dict(),
               "; ".join(f"{n}: {s.feed}" for n, s in stats.sources.items() if s.failed())
               or None)
    db.close()
    print_summary(stats, status)
    totals = stats.totals()
    logger.info("run %d %s: %d new, %d duplicates, %d errors", run_id, status,
                totals.get("new", 0), totals.get("duplicate", 0), totals.get("errors", 0))
    sys.exit(code)


@cli.command()
@click.argument("query")
@click.option("--topic", help="Only articles tagged with this topic (nato, russia, ukraine...).")
@click.option("--since", metavar="DATE", help="Published since: 2026-11-01, 24h, 7d, 2w.")
@click.option("--limit", type=click.IntRange(1, 10000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_obj
def search(opts: Options, query: str, topic: str | None, since: str | None, limit: int,
           as_json: bool) -> None:
    """Full-text search of stored articles (case and accents ignored).

    Every word must appear; words are matched literally, so quotes, '*' or
    'NOT' are searched as typed.

    \b
    Examples:
      veille search "Zelensky Washington"
      veille search otan --topic russia --since 7d --limit 5
    """
    from storage.db import open_db
    from storage.queries import search as run_search

    _require_db(opts.db)
    db = open_db(opts.db)
    try:
        hits = run_search(db, query, topic=topic, since=since, limit=limit)
    except QueryError as exc:
        raise click.UsageError(str(exc)) from None
    for hit in hits:
        if as_json:
            click.echo(json.dumps(asdict(hit), ensure_ascii=False))
            continue
        when = (hit.published_at or hit.fetched_at or "")[:16]
        click.echo(f"#{hit.id} {when} [{', '.join(hit.topics) or '-'}] {hit.title}")
        click.echo(f"    {hit.source} {hit.url}")
        click.echo("    " + " ".join(hit.snippet.split()))
    if not as_json:
        click.echo(f"{len(hits)} result(s).", err=True)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_obj
def stats(opts: Options, as_json: bool) -> None:
    """Counts of articles by source and topic, URL decisions and the last runs.

    \b
    Example:
      veille --db news.db stats
    """
    from storage.db import open_db
    from storage.queries import stats as read_stats

    _require_db(opts.db)
    figures = read_stats(open_db(opts.db))
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    click.echo(f"Database: {opts.db}")
    click.echo(f"Articles: {figures['articles']} (last fetched {figures['last_article']})")
    click.echo(f"URLs decided: {figures['urls_decided']}  "
               + ", ".join(f"{k} {v}" for k, v in figures["url_decisions"].items()))
    click.echo("By topic:  " + (", ".join(f"{k} {v}" for k, v in figures["by_topic"].items())
                                or "-"))
    click.echo("By source: " + (", ".join(f"{k} {v}" for k, v in figures["by_source"].items())
                                or "-"))
    click.echo(f"Runs: {figures['runs']}; last:")
    for run in figures["last_runs"]:
        click.echo(f"  #{run['id']} {run['trigger']} {run['started_at']} -> "
                   f"{run['ended_at'] or '…'} {run['status']}")


@cli.command()
@click.option("--dir", "workdir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("demo"), show_default=True,
              help="Where to write the demo database and sources file.")
def demo(workdir: Path) -> None:
    """Run veille offline against a local news site it starts itself.

    Serves French articles on and off topic, one in English, one linked
    twice through a tracking URL, one without main text, crawls them with
    the real pipeline into DIR/veille-demo.db and prints what was stored.

    \b
    Example:
      veille demo --dir /tmp/veille-demo
    """
    from veille.demo import run_demo

    sys.exit(run_demo(workdir))


def _require_db(path: str) -> None:
    if not Path(path).exists():
        raise click.UsageError(f"no database at {path}: run 'veille --db {path} crawl' first, "
                               "or pass --db / set VEILLE_DB")


def main() -> None:
    cli(prog_name="veille")
