"""The `veille` command line: crawl, search, stats, demo."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scheduler.rules import Rules, default_rules_path, load_rules
from veille.config import ConfigError, Source, SourcesConfig, default_sources_path, load_sources

if TYPE_CHECKING:  # loading Apprise takes time; only the alert commands need it
    from scheduler.alert_rules import AlertConfig

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


def require_db(path: str) -> None:
    if not Path(path).exists():
        raise click.UsageError(f"no database at {path}: run 'veille --db {path} crawl' first, "
                               "or pass --db / set VEILLE_DB")


def main() -> None:
    cli(prog_name="veille")


# The commands register themselves on `cli` when their modules are imported; they
# import the names above, so they come last.
from veille import cli_alerts, cli_crawl, cli_misc, cli_query  # noqa: E402, F401
