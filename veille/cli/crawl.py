"""Commands that crawl: `veille crawl`, `veille run` (the daemon) and `veille health`."""

from __future__ import annotations

import json
import signal
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from veille.cli.common import (
    Options,
    config_error,
    fail,
    print_alert_report,
    print_summary,
    require_db,
    select_sources,
)
from veille.config import ConfigError
from veille.model import FORGETTABLE, CrawlOptions, ExitCode, HealthState, RunStatus, SeenStatus

if TYPE_CHECKING:
    from storage.health import SourceHealth


@click.command()
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
    from scheduler.schedule.oneshot import crawl_once

    # Until Scrapy installs its own handlers, SIGTERM stops the run like Ctrl-C.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        config = opts.sources()
        rules = opts.rules()
        selected = select_sources(config, source_names)
        alerts = opts.alerts(rules)
    except ConfigError as exc:
        config_error(exc)
    options = CrawlOptions(trigger=trigger, keep_offtopic=keep_offtopic, workers=workers,
                           download_timeout_s=download_timeout, wait_s=wait_s,
                           progress=opts.log_format == "human")
    try:
        outcome = crawl_once(opts.db, config, selected, rules, options, alerts)
    except KeyboardInterrupt:
        click.echo("Interrupted before the crawl started; nothing was lost.", err=True)
        sys.exit(ExitCode.INTERRUPTED)
    if outcome.status == RunStatus.SKIPPED or outcome.stats is None:
        for name, holder in outcome.busy.items():
            click.echo(f"veille: source {name!r} is being crawled by another process "
                       f"({holder}).", err=True)
        click.echo("Nothing done. Try again later, or pass --wait SECONDS to wait for it.",
                   err=True)
        sys.exit(ExitCode.BUSY)
    print_summary(outcome.stats, outcome.status)
    if outcome.alerts is not None:
        print_alert_report(outcome.alerts)
    for name, holder in outcome.busy.items():
        click.echo(f"! {name}: skipped, another process is crawling it ({holder})")
    if outcome.storage_error is not None:
        fail(f"the run stopped: {outcome.storage_error}", ExitCode.STORAGE)
    sys.exit({RunStatus.INTERRUPTED: ExitCode.INTERRUPTED,
              RunStatus.FAILED: ExitCode.FAILED}.get(outcome.status, ExitCode.OK))


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


@click.command()
@click.option("--max-runtime", default="10m", show_default=True, metavar="DURATION",
              help="Hard deadline of one crawl (30s, 10m, 1h): past it the crawl is stopped "
                   "and recorded as timed out.")
@click.option("--parallel", type=click.IntRange(1, 16), default=2, show_default=True,
              help="Crawls running at the same time.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Extraction worker processes of each crawl.")
@click.option("--download-timeout", type=click.FloatRange(1, 30), default=20.0,
              show_default=True, help="Seconds allowed for one whole download.")
@click.option("--batch-window", default="10s", show_default=True, metavar="DURATION",
              help="Sources due within this window are crawled by one process (their "
                   "first runs are aligned on it); 0 for one process per source.")
@click.pass_obj
def run(opts: Options, max_runtime: str, parallel: int, workers: int,
        download_timeout: float, batch_window: str) -> None:
    """Run as a daemon: crawl each source on its own interval until stopped.

    Each source is crawled every `every` of the sources file ([defaults] or
    per source; 15m when unset), the first runs spread over a minute. Each
    crawl is a subprocess with a hard deadline. A run that is late by more
    than half its interval is recorded as missed; a run whose previous run
    is still going is recorded as skipped. SIGTERM or SIGINT stop the daemon
    within 30 seconds, the running crawls keeping the work they committed.

    Sources due together share one crawl process (--batch-window, 10s):
    with many sources on short intervals the daemon does not pay a process
    start per source; locks, run records and health stay per source.

    Only one daemon runs per database (exit 75 otherwise). Logs go to
    stderr; use --log-format json under systemd or with a log shipper.

    \b
    Examples:
      veille --db /var/lib/veille/veille.db --sources /etc/veille/sources.toml run
      veille --log-format json run --max-runtime 5m --parallel 1
      veille run --batch-window 0        # one crawl process per source
    """
    from scheduler.schedule.daemon import Daemon, DaemonOptions
    from scheduler.schedule.locks import acquire_daemon
    from storage.db import check_usable
    from veille.config import parse_duration

    try:
        config = opts.sources()
        rules = opts.rules()
        alert_config = opts.alerts(rules)
        sources = select_sources(config, ())
        max_runtime_s = parse_duration(max_runtime)
    except ConfigError as exc:
        config_error(exc)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--max-runtime") from None
    try:
        batch_window_s = 0.0 if batch_window.strip() == "0" else parse_duration(batch_window)
        if batch_window_s > 600:
            raise ValueError(f"{batch_window!r} is longer than 10m: sources would wait too "
                             "long for the others")
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--batch-window") from None
    check_usable(opts.db)  # an unusable database is refused before its lock folder is made
    handle, holder = acquire_daemon(opts.db)
    if handle is None:
        click.echo(f"veille: a daemon is already running on {opts.db} ({holder}).", err=True)
        sys.exit(ExitCode.BUSY)
    options = DaemonOptions(db=opts.db, sources_path=opts.sources_path,
                            topics_path=opts.topics_path if opts.topics_given else None,
                            max_runtime_s=max_runtime_s, parallel=parallel,
                            workers_per_crawl=workers, download_timeout_s=download_timeout,
                            log_format=opts.log_format, alerts_path=opts.alerts_path,
                            batch_window_s=batch_window_s)
    Daemon(options, sources, alert_config, rules).run()


@click.command()
@click.option("--failing-after", type=click.IntRange(1, 1000), default=3, show_default=True,
              metavar="RUNS", help="A source is failing after this many failed runs in a row.")
@click.option("--silent-after", type=click.IntRange(1, 100000), default=24, show_default=True,
              metavar="RUNS", help="A source that used to store articles is silent after "
                                   "this many completed runs without a new one.")
@click.option("--stale-after", type=click.FloatRange(1, 100000), default=3, show_default=True,
              metavar="INTERVALS", help="A source is stale when it has not run for this many "
                                        "of its intervals (`every` in the sources file).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source.")
@click.pass_obj
def health(opts: Options, failing_after: int, silent_after: int, stale_after: float,
           as_json: bool) -> None:
    """Health of each source crawled into the database: last run, last success,
    last error, failures in a row, new articles.

    A source is flagged when it is failing (its feed errors run after run),
    silent (it used to yield articles and has yielded none for many runs: a
    feed that moved or froze) or stale (it has not run for several of its
    intervals: the daemon or the cron job stopped). The sources are those the
    database knows; a warning says when the sources file lists others. Exit
    status 1 when a source is flagged or none ever ran, 0 otherwise, so that
    it can feed a monitoring check.

    \b
    Examples:
      veille --db /var/lib/veille/veille.db health
      veille health --db news.db --sources my-sources.toml --json
      veille health --silent-after 96 || notify-send "veille: a source needs attention"
    """
    from storage.db import open_for_reading
    from storage.health import known_sources, source_health

    require_db(opts.db)
    db = open_for_reading(opts.db)
    known = {s.name: s for s in known_sources(db) if s.enabled}
    try:
        listed = {s.name: s for s in opts.sources().enabled()}
    except ConfigError as exc:
        if opts.sources_given:
            config_error(exc)
        listed = {}
    if not known:
        click.echo(f"No source has run against {opts.db} yet: run 'veille --db {opts.db} "
                   "crawl' (or start the daemon) first.", err=True)
        sys.exit(ExitCode.FAILED)
    _warn_disagreement(opts.sources_path, set(listed), set(known))
    now = datetime.now(UTC)
    rows = [source_health(db, name, failing_after=failing_after, silent_after=silent_after,
                          stale_after=stale_after, added_at=source.added_at, now=now,
                          every_s=listed[name].every_s if name in listed else source.every_s)
            for name, source in sorted(known.items())]
    if as_json:
        for row in rows:
            click.echo(json.dumps({**asdict(row), "unhealthy": row.unhealthy}, ensure_ascii=False))
    else:
        _print_health(rows, stale_after)
    sys.exit(ExitCode.FAILED if any(r.unhealthy for r in rows) else ExitCode.OK)


def _names(names: set[str]) -> str:
    shown = sorted(names)
    return ", ".join(shown[:6]) + (f" and {len(shown) - 6} more" if len(shown) > 6 else "")


def _warn_disagreement(path: str, listed: set[str], known: set[str]) -> None:
    if listed - known:
        click.echo(f"warning: {len(listed - known)} source(s) of {path} have never run against "
                   f"this database: {_names(listed - known)}", err=True)
    if known - listed:
        click.echo(f"warning: {len(known - listed)} source(s) of this database are not in "
                   f"{path} (pass --sources the file its crawls use): {_names(known - listed)}",
                   err=True)


def _print_health(rows: list[SourceHealth], stale_after: float) -> None:
    width = max([len("source"), *(len(r.source) for r in rows)])
    click.echo(f"{'source':<{width}}  {'state':<9}  {'last success':<25}  fails  "
               f"{'new 24h':>7}  {'new 7d':>6}  last error")
    for r in rows:
        error = f"{(r.last_error_at or '')[:16]} {r.last_error}" if r.last_error else "-"
        mark = "!" if r.unhealthy else " "
        click.echo(f"{r.source:<{width}}  {r.state:<9}  {r.last_success or '-':<25}  "
                   f"{r.consecutive_failures:>5}  {r.new_24h:>7}  {r.new_7d:>6}  {error}{mark}")
    flagged = [r for r in rows if r.unhealthy]
    for r in flagged:
        why = {HealthState.FAILING: f"{r.consecutive_failures} failed run(s) in a row",
               HealthState.STALE: f"not run for more than {stale_after:g} of its intervals "
                                  f"(last run: {(r.last_run or 'never')[:16]})"}.get(
            r.state, f"no new article in its last {r.runs_without_new} completed runs")
        click.echo(f"! {r.source} is {r.state}: {why}")
    click.echo(f"{len(flagged)} source(s) need attention." if flagged else "All sources healthy.")


@click.command()
@click.option("--source", "source_names", multiple=True, metavar="NAME",
              help="Only this source (repeatable). Default: every source of the sources file.")
@click.option("--status", "statuses", multiple=True, metavar="STATUS",
              type=click.Choice([str(s) for s in FORGETTABLE]),
              help="Only decisions with this status (repeatable). Default: all but stored.")
@click.option("--since", metavar="DATE", help="Only decisions made since: 2026-11-01, 24h, 7d.")
@click.option("--dry-run", is_flag=True, help="Count what would be forgotten, change nothing.")
@click.pass_obj
def forget(opts: Options, source_names: tuple[str, ...], statuses: tuple[str, ...],
           since: str | None, dry_run: bool) -> None:
    """Forget decisions about article URLs, so that the next crawl fetches them again.

    veille downloads an article URL once: a page judged not French, off-topic,
    without text, gone or failing is never requested again. After fixing a
    mistake (a wrong `languages`, a topic rule, a site that was down), forget
    those decisions; the listing validators of the sources are cleared too, so
    that a feed answering "304 Not Modified" is read in full again, and so is
    the robots.txt kept for their hosts (kept up to 24 hours otherwise). Stored
    articles are never forgotten.

    \b
    Examples:
      veille forget --source lemonde --status not_french --dry-run
      veille forget --status offtopic --since 7d
      veille forget --source rfi --status gone --status error
    """
    from storage.db import open_db
    from storage.queries import QueryError, parse_since
    from storage.seen import forget as run_forget

    require_db(opts.db)
    config = opts.sources()
    selected = select_sources(config, source_names) if source_names else list(config.sources)
    try:
        since_iso = parse_since(since) if since else None
    except QueryError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None
    wanted = [SeenStatus(s) for s in statuses] or list(FORGETTABLE)
    report = run_forget(open_db(opts.db), {s.name: s.url for s in selected}, wanted, since_iso,
                        dry_run=dry_run)
    counts = ", ".join(f"{status} {n}" for status, n in report.by_status.items()) or "none"
    names = ", ".join(s.name for s in selected)
    if dry_run:
        click.echo(f"Would forget {report.decisions} decision(s) ({counts}) of {names}, and "
                   "clear their listing validators and kept robots.txt. Nothing changed "
                   "(--dry-run).")
        return
    click.echo(f"Forgot {report.decisions} decision(s) ({counts}) of {names}; cleared "
               f"{report.validators} listing validator(s) and {report.robots} kept robots.txt. "
               "The next crawl fetches them again.")
