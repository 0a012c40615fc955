"""The `veille` command line: the group, its global options, and its commands.

Each command lives in the module of its family (`crawl`, `query`, `tagging`,
`alerts`, `sources`, `demo`) and imports only `veille.cli.common`; this module
registers them, so that the list below is the whole command line.
"""

from __future__ import annotations

import re
from typing import Any

import click

from veille.cli import (
    alerts,
    browse,
    crawl,
    demo,
    query,
    report,
    sources,
    stories,
    tagging,
)
from veille.cli.common import Options, fail_on

# The group's options, which a user may also type after the command (`veille search x
# --db f.db`, `veille crawl -q`): those taking a value, and flags.
GLOBAL_VALUED = ("--db", "--sources", "--topics", "--alerts", "--log-format")
GLOBAL_FLAGS = re.compile(r"^(-q|--quiet|-v+|--verbose)$")


def _global(arg: str) -> bool:
    return bool(GLOBAL_FLAGS.match(arg)) or arg.split("=", 1)[0] in GLOBAL_VALUED


def _width(args: list[str], i: int) -> int:
    """How many arguments the global option at `i` takes up (itself and its value)."""
    return 2 if args[i] in GLOBAL_VALUED and i + 1 < len(args) else 1


class VeilleGroup(click.Group):
    """Turns what a user's input can cause (a bad config file, an unusable database, a
    full disk) into one clear message and an exit status, never a traceback; and reads
    the global options wherever they are typed."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, self._hoisted(ctx, list(args)))

    def _hoisted(self, ctx: click.Context, args: list[str]) -> list[str]:
        """The global options typed after the command, moved before it (unless the command
        has an option of that name itself); nothing after `--` moves."""
        i = 0
        while i < len(args) and args[i].startswith("-"):
            i += _width(args, i) if _global(args[i]) else 1
        command = self.get_command(ctx, args[i]) if i < len(args) else None
        if command is None:
            return args
        own = {name for param in command.params for name in (*param.opts,
                                                              *param.secondary_opts)}
        before, after = args[:i + 1], []
        j = i + 1
        while j < len(args):
            if args[j] == "--":
                after.extend(args[j:])
                break
            if _global(args[j]) and args[j].split("=", 1)[0] not in own:
                width = _width(args, j)
                before[i:i] = args[j:j + width]
                i += width
                j += width
                continue
            after.append(args[j])
            j += 1
        return before + after

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
    query.search, query.export, query.stats,
    stories.stories, stories.story, stories.restory, report.report,
    tagging.tag, tagging.retag, tagging.topics,
    alerts.alerts, sources.sources, browse.datasette, demo.demo,
)
for _command in COMMANDS:
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="veille")
