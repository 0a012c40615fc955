"""The `veille` command line: crawl, search, stats, demo."""

from __future__ import annotations

import json
import logging
import signal
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from crawler.runstats import COLUMNS, RunStats
from scheduler.rules import Rules, default_rules_path, load_rules
from storage.queries import QueryError
from veille.config import ConfigError, Source, SourcesConfig, default_sources_path, load_sources

if TYPE_CHECKING:  # loading Apprise takes time; only the alert commands need it
    from scheduler.alert_rules import AlertConfig
    from scheduler.sender import SendReport

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_ALL_FAILED = 1
EXIT_CONFIG = 2
EXIT_BUSY = 75  # EX_TEMPFAIL: another process is crawling these sources; try again later
EXIT_UNHEALTHY = 1
EXIT_INTERRUPTED = 130


class Options:
    def __init__(self, db: str, sources: str | None, topics: str | None,
                 log_format: str = "human", alerts: str | None = None) -> None:
        self.db = db
        self.alerts_path = alerts
        self.sources_path = sources or str(default_sources_path())
        self.topics_path = topics or str(default_rules_path())
        self.topics_given = topics is not None
        self.log_format = log_format

    def sources(self) -> SourcesConfig:
        return load_sources(self.sources_path)

    def rules(self) -> Rules:
        return load_rules(self.topics_path)

    def alerts(self, rules: Rules | None = None, *, required: bool = False) -> AlertConfig | None:
        """The alert rules, checked against the tagging rules and the sources."""
        from scheduler.alert_rules import load_alerts

        if not self.alerts_path:
            if required:
                raise ConfigError("--alerts", "no alerts file: pass --alerts PATH or set "
                                  "VEILLE_ALERTS")
            return None
        try:
            names = {s.name for s in self.sources().sources}
        except ConfigError:
            names = None
        return load_alerts(self.alerts_path, rules or self.rules(), names)


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
@click.option("--alerts", envvar="VEILLE_ALERTS", metavar="PATH",
              help="Alert rules, TOML (env VEILLE_ALERTS): chat messages for matching articles.")
@click.option("-v", "--verbose", count=True, help="More log output (-vv: Scrapy's too).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors on stderr.")
@click.option("--log-format", type=click.Choice(["human", "json"]), default="human",
              show_default=True, envvar="VEILLE_LOG_FORMAT",
              help="Log lines on stderr: readable, or JSON lines for journald and log shippers.")
@click.version_option(package_name="veille")
@click.pass_context
def cli(ctx: click.Context, db: str, sources: str | None, topics: str | None,
        alerts: str | None, verbose: int, quiet: bool, log_format: str) -> None:
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
      veille --db news.db run                      # the daemon: each source on its interval
      veille --db news.db health                   # exit 1 when a source fails or went silent
    """
    from veille.logsetup import setup_logging

    setup_logging(-1 if quiet else verbose, log_format)
    ctx.obj = Options(db, sources, topics, log_format, alerts)


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
@click.option("--wait", "wait_s", type=click.FloatRange(0, 3600), default=0.0,
              show_default=True, metavar="SECONDS",
              help="Wait this long for sources another process is crawling, then skip them.")
@click.option("--trigger", default="manual", show_default=True,
              help="Recorded in the run history: manual, cron, timer, scheduled...")
@click.pass_obj
def crawl(opts: Options, source_names: tuple[str, ...], keep_offtopic: bool,
          workers: int | None, download_timeout: float, wait_s: float, trigger: str) -> None:
    """Crawl the sources once and exit.

    Shows progress on stderr and a summary per source on stdout: whether the
    feed was fetched, links found, links already known from earlier runs,
    articles downloaded, new articles stored, duplicates, pages not in
    French, off-topic pages, pages without main text, and errors.

    A source that another veille process (the daemon, another cron job) is
    crawling is skipped, after waiting up to --wait seconds for it.

    Exit status: 0 when the run completed (even if some sources failed),
    1 when every source failed, 2 for a configuration error, 75 when every
    selected source was busy in another process (nothing done; try later),
    130 when interrupted (SIGINT or SIGTERM; work done so far is kept).

    \b
    Examples:
      veille --sources my-sources.toml crawl
      veille crawl --source lemonde-international --keep-offtopic
      veille crawl --trigger cron --wait 60        # from a crontab
    """
    from scheduler.oneshot import crawl_once

    # Until Scrapy installs its own handlers, SIGTERM stops the run like Ctrl-C.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        config = opts.sources()
        rules = opts.rules()
        selected = _select(config, source_names)
        alerts = opts.alerts(rules)
    except ConfigError as exc:
        config_error(exc)
    try:
        outcome = crawl_once(opts.db, config, selected, rules, trigger=trigger,
                             keep_offtopic=keep_offtopic, workers=workers,
                             download_timeout=download_timeout, wait_s=wait_s, alerts=alerts)
    except KeyboardInterrupt:
        click.echo("Interrupted before the crawl started; nothing was lost.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if outcome.status == "skipped":
        for name, holder in outcome.busy.items():
            click.echo(f"veille: source {name!r} is being crawled by another process "
                       f"({holder}).", err=True)
        click.echo("Nothing done. Try again later, or pass --wait SECONDS to wait for it.",
                   err=True)
        sys.exit(EXIT_BUSY)
    print_summary(outcome.stats, outcome.status)
    if outcome.alerts is not None:
        print_alert_report(outcome.alerts)
    for name, holder in outcome.busy.items():
        click.echo(f"! {name}: skipped, another process is crawling it ({holder})")
    sys.exit({"interrupted": EXIT_INTERRUPTED, "failed": EXIT_ALL_FAILED}.get(outcome.status,
                                                                            EXIT_OK))


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
    for kind in ("subtopic", "entity"):
        counts = figures[f"by_{kind}"]
        click.echo(f"By {kind}: " + (", ".join(f"{k} {v}" for k, v in counts.items()) or "-"))
    click.echo("By source: " + (", ".join(f"{k} {v}" for k, v in figures["by_source"].items())
                                or "-"))
    click.echo(f"Runs: {figures['runs']}; last:")
    for run in figures["last_runs"]:
        click.echo(f"  #{run['id']} {run['trigger']} {run['started_at']} -> "
                   f"{run['ended_at'] or '…'} {run['status']}")


@cli.command()
@click.option("--max-runtime", default="10m", show_default=True, metavar="DURATION",
              help="Hard deadline of one crawl (30s, 10m, 1h): past it the crawl is stopped "
                   "and recorded as timed out.")
@click.option("--parallel", type=click.IntRange(1, 16), default=2, show_default=True,
              help="Crawls running at the same time.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Extraction worker processes of each crawl.")
@click.option("--download-timeout", type=click.FloatRange(1, 30), default=20.0,
              show_default=True, help="Seconds allowed for one whole download.")
@click.pass_obj
def run(opts: Options, max_runtime: str, parallel: int, workers: int,
        download_timeout: float) -> None:
    """Run as a daemon: crawl each source on its own interval until stopped.

    Each source is crawled every `every` of the sources file ([defaults] or
    per source; 15m when unset), the first runs spread over a minute. Each
    crawl is a subprocess with a hard deadline. A run that is late by more
    than half its interval is recorded as missed; a run whose previous run
    is still going is recorded as skipped. SIGTERM or SIGINT stop the daemon
    within 30 seconds, the running crawls keeping the work they committed.

    Only one daemon runs per database (exit 75 otherwise). Logs go to
    stderr; use --log-format json under systemd or with a log shipper.

    \b
    Examples:
      veille --db /var/lib/veille/veille.db --sources /etc/veille/sources.toml run
      veille --log-format json run --max-runtime 5m --parallel 1
    """
    from scheduler.daemon import Daemon, DaemonOptions
    from scheduler.locks import acquire_daemon
    from veille.config import parse_duration

    try:
        config = opts.sources()
        rules = opts.rules()
        alert_config = opts.alerts(rules)
        sources = _select(config, ())
        max_runtime_s = parse_duration(max_runtime)
    except ConfigError as exc:
        config_error(exc)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--max-runtime") from None
    handle, holder = acquire_daemon(opts.db)
    if handle is None:
        click.echo(f"veille: a daemon is already running on {opts.db} ({holder}).", err=True)
        sys.exit(EXIT_BUSY)
    options = DaemonOptions(db=opts.db, sources_path=opts.sources_path,
                            topics_path=opts.topics_path if opts.topics_given else None,
                            max_runtime_s=max_runtime_s, parallel=parallel,
                            workers_per_crawl=workers, download_timeout_s=download_timeout,
                            log_format=opts.log_format, alerts_path=opts.alerts_path)
    Daemon(options, sources, alert_config, rules).run()


@cli.command()
@click.option("--failing-after", type=click.IntRange(1, 1000), default=3, show_default=True,
              metavar="RUNS", help="A source is failing after this many failed runs in a row.")
@click.option("--silent-after", type=click.IntRange(1, 100000), default=24, show_default=True,
              metavar="RUNS", help="A source that used to store articles is silent after "
                                   "this many completed runs without a new one.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source.")
@click.pass_obj
def health(opts: Options, failing_after: int, silent_after: int, as_json: bool) -> None:
    """Health of each source: last success, last error, failures in a row, new articles.

    A source is flagged when it is failing (its feed errors run after run)
    or silent (it used to yield articles and has yielded none for many runs:
    a feed that moved or froze). Exit status 1 when a source is flagged, 0
    otherwise, so that it can feed a monitoring check.

    \b
    Examples:
      veille --db /var/lib/veille/veille.db health
      veille health --silent-after 96 || notify-send "veille: a source needs attention"
    """
    from storage.db import open_db
    from storage.health import source_health

    _require_db(opts.db)
    try:
        names = [s.name for s in opts.sources().enabled()]
    except ConfigError as exc:
        config_error(exc)
    db = open_db(opts.db)
    rows = [source_health(db, name, failing_after=failing_after, silent_after=silent_after)
            for name in names]
    if as_json:
        for row in rows:
            click.echo(json.dumps({**asdict(row), "unhealthy": row.unhealthy}, ensure_ascii=False))
    else:
        _print_health(rows)
    sys.exit(EXIT_UNHEALTHY if any(r.unhealthy for r in rows) else EXIT_OK)


def _print_health(rows: list) -> None:
    width = max([len("source"), *(len(r.source) for r in rows)])
    click.echo(f"{'source':<{width}}  {'state':<9}  {'last success':<25}  fails  "
               f"{'new 24h':>7}  {'new 7d':>6}  last error")
    for r in rows:
        error = f"{r.last_error_at[:16]} {r.last_error}" if r.last_error else "-"
        mark = "!" if r.unhealthy else " "
        click.echo(f"{r.source:<{width}}  {r.state:<9}  {r.last_success or '-':<25}  "
                   f"{r.consecutive_failures:>5}  {r.new_24h:>7}  {r.new_7d:>6}  {error}{mark}")
    flagged = [r for r in rows if r.unhealthy]
    for r in flagged:
        why = (f"{r.consecutive_failures} failed run(s) in a row" if r.state == "failing"
               else f"no new article in its last {r.runs_without_new} completed runs")
        click.echo(f"! {r.source} is {r.state}: {why}")
    click.echo(f"{len(flagged)} source(s) need attention." if flagged else "All sources healthy.")


@cli.command()
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
@click.pass_obj
def tag(opts: Options, file: TextIO) -> None:
    """Tag JSON lines with the rules in force: try a rule change before deploying it.

    Reads FILE (or standard input), one JSON object per line with "id",
    "title" and "text", and writes one JSON line per input: {"id", "topics",
    "details"} where "topics" lists the main topics that pass their
    threshold and "details" holds scores, sub-topics, entities, contexts
    and the evidence of each tag. A line that is not JSON or lacks a field
    gets an error line ({"id", "line", "error"}); the others are still
    tagged. Exit status 1 when some line was in error.

    \b
    Examples:
      echo '{"id": 1, "title": "Frappes sur Kyïv", "text": "..."}' | veille tag
      veille --topics my-topics.toml tag items.jsonl > tags.jsonl
    """
    from scheduler.retag import tag_lines
    from scheduler.tagging import Tagger

    try:
        tagger = Tagger(opts.rules())
    except ConfigError as exc:
        config_error(exc)
    errors = 0
    for ok, line in tag_lines(tagger, file):
        click.echo(line)
        errors += not ok
    if errors:
        click.echo(f"veille tag: {errors} line(s) could not be tagged (see their error lines).",
                   err=True)
        sys.exit(1)


@cli.command()
@click.option("--since", metavar="DATE", help="Only articles published since: 2026-11-01, 7d.")
@click.option("--dry-run", is_flag=True, help="Count what would change, change nothing.")
@click.pass_obj
def retag(opts: Options, since: str | None, dry_run: bool) -> None:
    """Apply the current tagging rules to stored articles, in place.

    Every tag written records the version (hash) of the rules that produced
    it (article_topics.rules_version). Articles left without a topic stay
    stored, untagged.

    \b
    Examples:
      veille --topics topics.toml retag --since 7d --dry-run
      veille --db news.db retag
    """
    from scheduler.retag import retag as run_retag
    from storage.db import open_db
    from storage.queries import parse_since

    _require_db(opts.db)
    try:
        rules = opts.rules()
        since_iso = parse_since(since) if since else None
    except ConfigError as exc:
        config_error(exc)
    except QueryError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None
    report = run_retag(open_db(opts.db), rules, since_iso, dry_run=dry_run)
    verb = "would change" if dry_run else "changed"
    click.echo(f"{report.articles} article(s) tagged with rules {rules.version}; "
               f"{verb}: {report.changed}; without topic: {report.now_untagged}")
    for label, counts in (("added", report.added), ("removed", report.removed)):
        if counts:
            click.echo(f"  {label}: " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))


@cli.command()
@click.pass_obj
def topics(opts: Options) -> None:
    """Print the tagging rules in force: topics, contexts, sub-topics and entities.

    \b
    Examples:
      veille topics
      veille --topics my-topics.toml topics | less
    """
    from scheduler.describe_rules import render_rules

    try:
        rules = opts.rules()
    except ConfigError as exc:
        config_error(exc)
    click.echo(render_rules(rules))


@cli.group()
def sources() -> None:
    """Work with sources: find the feeds and sitemaps of a site.

    \b
    Example:
      veille sources discover https://www.example-news.fr/
    """


@sources.command()
@click.argument("url")
def discover(url: str) -> None:
    """Print [[source]] entries for the feeds and news sitemaps of the site at URL.

    Reads the page's <link rel="alternate"> feeds and robots.txt's Sitemap:
    lines, opening sitemap indexes one level to find news sitemaps. Paste the
    output into your sources file and review it.

    \b
    Examples:
      veille sources discover https://www.lemonde.fr/
      veille sources discover https://www.rfi.fr/fr/ >> my-sources.toml
    """
    from crawler.discover import DiscoveryError, as_toml
    from crawler.discover import discover as run_discover
    from crawler.urls import is_http_url

    if not is_http_url(url):
        raise click.BadParameter("must be an http:// or https:// URL", param_hint="URL")
    try:
        found = run_discover(url)
    except DiscoveryError as exc:
        click.echo(f"veille: cannot read {exc}", err=True)
        sys.exit(1)
    if not found:
        click.echo(f"No feed or sitemap found on {url}. Try its section pages, or a source "
                   'with kind = "page".', err=True)
        sys.exit(1)
    click.echo(as_toml(found, url), nl=False)
    click.echo(f"{len(found)} source(s) found.", err=True)


@cli.group()
def alerts() -> None:
    """Chat alerts: try a target, see what is pending or failed, send what is due.

    Alert rules live in the file given by --alerts (or VEILLE_ALERTS).
    `veille crawl` and `veille run` send alerts after each run.

    \b
    Example:
      veille --alerts alerts.toml alerts status
    """


def _alert_config(opts: Options) -> AlertConfig:
    try:
        config = opts.alerts(required=True)
    except ConfigError as exc:
        config_error(exc)
    assert config is not None
    return config


@alerts.command("test")
@click.argument("target_or_rule")
@click.pass_obj
def alerts_test(opts: Options, target_or_rule: str) -> None:
    """Send a test message to a rule's targets, or to one Apprise URL.

    The URL may use ${VARIABLE} for secrets; tokens are masked in the output.
    Exit status 1 when a target did not receive it.

    \b
    Examples:
      veille --alerts alerts.toml alerts test ukraine
      veille alerts test 'json://127.0.0.1:8080/hook'
      veille alerts test '${SLACK_WEBHOOK}'
    """
    from scheduler.alert_rules import make_target, resolve_env
    from scheduler.sender import test_message
    from veille.logsetup import register_secret

    config = opts.alerts() if opts.alerts_path else None
    rule = config.rule(target_or_rule) if config else None
    try:
        targets = list(rule.targets) if rule else [make_target(
            resolve_env(target_or_rule, "argument", "TARGET_OR_RULE", "target"), "argument",
            "TARGET_OR_RULE")]
    except ConfigError as exc:
        config_error(exc)
    failures = 0
    for target in targets:
        register_secret(target.url, target.masked)
        outcome = test_message(target)
        failures += not outcome.ok
        click.echo(f"{'sent' if outcome.ok else 'FAILED'}: {target.masked} ({outcome.detail})")
    sys.exit(1 if failures else 0)


@alerts.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per target.")
@click.pass_obj
def alerts_status(opts: Options, as_json: bool) -> None:
    """Alerts pending, sent and failed per target, with the last error.

    \b
    Example:
      veille --db news.db alerts status
    """
    from storage.db import open_db
    from storage.outbox import status_counts

    _require_db(opts.db)
    rows = status_counts(open_db(opts.db))
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    if not rows:
        click.echo("No alert yet.")
        return
    width = max(len("rule"), *(len(r["rule"]) for r in rows))
    click.echo(f"{'rule':<{width}}  {'target':<45} {'pending':>7} {'sent':>6} {'failed':>6} "
               f"{'no answer':>9}  last error")
    for row in rows:
        click.echo(f"{row['rule']:<{width}}  {row['target'][:45]:<45} {row['pending']:>7} "
                   f"{row['sent']:>6} {row['failed']:>6} {row['no_answer']:>9}  "
                   f"{row['last_error'] or '-'}")


@alerts.command("send")
@click.pass_obj
def alerts_send(opts: Options) -> None:
    """Deliver the alerts that are due: new ones, retries, and digests on schedule.

    For cron when crawls run elsewhere; `veille crawl` and `veille run`
    already send after each run.

    \b
    Example:
      veille --db news.db --alerts alerts.toml alerts send
    """
    from scheduler.sender import Sender
    from storage.db import open_db

    config = _alert_config(opts)
    _require_db(opts.db)
    print_alert_report(Sender(open_db(opts.db), config, opts.rules()).deliver())


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


def print_alert_report(report: SendReport) -> None:
    click.echo(f"Alerts: {report.delivered} delivered in {report.sent_messages} message(s), "
               f"{report.retrying} to retry, {report.held} held for a digest, "
               f"{report.failed} failed, {report.no_answer} sent without an answer.")


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _require_db(path: str) -> None:
    if not Path(path).exists():
        raise click.UsageError(f"no database at {path}: run 'veille --db {path} crawl' first, "
                               "or pass --db / set VEILLE_DB")


def main() -> None:
    cli(prog_name="veille")
