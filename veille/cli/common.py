"""What every command shares: the global options, exit codes, config errors and printers.

Command modules import this module and nothing else of the CLI; `veille.cli`
registers them on the group.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from storage.errors import StorageWriteError, UnusableDatabaseError
from veille.config import (
    ConfigError,
    SourcesConfig,
    default_rules_path,
    default_sources_path,
    load_sources,
)
from veille.model import ExitCode, Source, TagKind

if TYPE_CHECKING:  # loading Apprise takes time; only the alert commands need it
    from crawler.runstats import RunStats
    from scheduler.alerts.rules import AlertConfig
    from scheduler.alerts.sender import SendReport
    from scheduler.tagging.rules import Rules


@dataclass(frozen=True)
class Options:
    """The global options (`veille --db ... --sources ... COMMAND`)."""

    db: str
    sources_path: str
    topics_path: str
    topics_given: bool
    log_format: str = "human"
    alerts_path: str | None = None
    sources_given: bool = False

    @classmethod
    def create(cls, db: str, sources: str | None, topics: str | None, log_format: str,
               alerts: str | None) -> Options:
        return cls(db=db, sources_path=sources or str(default_sources_path()),
                   topics_path=topics or str(default_rules_path()),
                   topics_given=topics is not None, log_format=log_format, alerts_path=alerts,
                   sources_given=sources is not None)

    def sources(self) -> SourcesConfig:
        return load_sources(self.sources_path)

    def rules(self) -> Rules:
        from scheduler.tagging.rules import load_rules

        return load_rules(self.topics_path)

    def alerts(self, rules: Rules | None = None, *, required: bool = False) -> AlertConfig | None:
        """The alert rules, checked against the tagging rules and the sources."""
        from scheduler.alerts.rules import load_alerts

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


def config_error(exc: ConfigError) -> NoReturn:
    click.echo(f"Configuration error: {exc}", err=True)
    click.echo("Fix the file and run the command again.", err=True)
    sys.exit(ExitCode.CONFIG)


def fail(message: str, code: ExitCode) -> NoReturn:
    click.echo(f"veille: {message}", err=True)
    sys.exit(code)


@contextmanager
def fail_on() -> Iterator[None]:
    """Errors a user's input or machine can cause, as one message and an exit status."""
    try:
        yield
    except ConfigError as exc:
        config_error(exc)
    except UnusableDatabaseError as exc:
        fail(str(exc), ExitCode.CONFIG)
    except StorageWriteError as exc:
        fail(str(exc), ExitCode.STORAGE)
    except sqlite3.DatabaseError as exc:  # found damaged while reading or writing it
        text = str(exc).lower()
        damaged = "malformed" in text or "not a database" in text
        from storage.db import describe_storage_error, is_lasting_write_error

        if not damaged and not is_lasting_write_error(exc):
            raise
        fail(describe_storage_error(exc), ExitCode.CONFIG if damaged else ExitCode.STORAGE)


def select_sources(config: SourcesConfig, names: tuple[str, ...]) -> list[Source]:
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


def resolve_tags(rules: Rules, kind: TagKind, values: tuple[str, ...],
                 option: str) -> tuple[str, ...]:
    """Tag ids from what a user typed: an id or a label, any case, with or without
    accents ("Russie", "RUSSIA", "otan"); an unknown one is a usage error naming them all."""
    from veille.text import fold

    tags = [t for t in rules.all_tags if t.kind == kind]
    names = {fold(t.name): t.name for t in tags} | {fold(t.label): t.name for t in tags}
    found = []
    for value in values:
        name = names.get(fold(value.strip()))
        if name is None:
            known = ", ".join(f"{t.name} ({t.label})" if t.label != t.name else t.name
                              for t in tags)
            raise click.BadParameter(f"unknown {kind} {value!r}; known: {known}",
                                     param_hint=option)
        found.append(name)
    return tuple(found)


def require_db(path: str) -> None:
    if not Path(path).exists():
        raise click.UsageError(f"no database at {path}: run 'veille --db {path} crawl' first, "
                               "or pass --db / set VEILLE_DB")


# -- printers shared by several commands ------------------------------------------------


SOURCE_WIDTH = 20  # the summary fits 100 columns: longer source names are cut, with "…"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def print_summary(stats: RunStats, status: str) -> None:
    """The per-source table printed at the end of a crawl (100 columns at most: what went
    wrong is written in full below it), and a last line with the totals."""
    from crawler.runstats import COLUMNS

    width = min(SOURCE_WIDTH, max([len("source"), *map(len, stats.sources)]))
    header = f"{'source':<{width}}  feed  " + " ".join(
        f"{label:>{max(len(label), 4)}}" for _, label in COLUMNS)
    click.echo(header)
    click.echo("-" * len(header))
    rows = [(name, "ok" if not s.failed() else "FAIL", s.counts)
            for name, s in stats.sources.items()]
    rows.append(("TOTAL", "", stats.totals()))
    for name, feed, counts in rows:
        if name == "TOTAL":
            click.echo("-" * len(header))
        click.echo(f"{_cut(name, width):<{width}}  {feed:<4}  " + " ".join(
            f"{counts.get(key, 0):>{max(len(label), 4)}}" for key, label in COLUMNS))
    problems = [(name, s) for name, s in stats.sources.items() if s.failed() or s.errors]
    for name, source_stats in problems:
        if source_stats.failed():
            click.echo(f"! {name}: feed failed: {source_stats.feed}")
        for message in source_stats.errors[:5]:
            click.echo(f"! {name}: {message}")
    click.echo(f"Run {status}: {run_line(stats)}.")


def run_line(stats: RunStats) -> str:
    """The totals of a run in words, failed sources included."""
    totals = stats.totals()
    failed = sum(1 for s in stats.sources.values() if s.failed())
    return (f"{totals.get('new', 0)} new, {totals.get('duplicate', 0)} duplicate(s), "
            f"{totals.get('errors', 0)} error(s); {failed} of {len(stats.sources)} source(s) "
            "failed")


def print_alert_report(report: SendReport) -> None:
    click.echo(f"Alerts: {report.delivered} delivered in {report.sent_messages} message(s), "
               f"{report.retrying} to retry, {report.held} held for a digest, "
               f"{report.failed} failed, {report.no_answer} sent without an answer.")
