"""The `veille` command line: the group, its global options, and its commands.

Each command lives in the module of its family (`crawl`, `query`, `tagging`,
`alerts`, `sources`, `demo`) and imports only `veille.cli.common`; this module
registers them, so that the list below is the whole command line.
"""

from __future__ import annotations

from typing import Any

import click

from veille.cli import alerts, crawl, demo, query, sources, stories, tagging
from veille.cli.common import Options, fail_on


class VeilleGroup(click.Group):
    """Turns what a user's input can cause (a bad config file, an unusable database, a
    full disk) into one clear message and an exit status, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        with fail_on():
            return super().invoke(ctx)


@click.group(cls=VeilleGroup,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
    ctx.obj = Options.create(db, sources, topics, log_format, alerts)


COMMANDS: tuple[click.Command, ...] = (
    crawl.crawl, crawl.run, crawl.health, crawl.forget,
    query.search, query.stats,
    stories.stories, stories.story, stories.restory,
    tagging.tag, tagging.retag, tagging.topics,
    alerts.alerts, sources.sources, demo.demo,
)
for _command in COMMANDS:
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="veille")
