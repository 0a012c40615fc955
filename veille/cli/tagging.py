"""Commands about tagging: `veille tag` (try rules on JSON lines), `veille retag` (apply
them to stored articles) and `veille topics` (the rules in force)."""

from __future__ import annotations

import sys
from typing import TextIO

import click

from storage.errors import QueryError
from veille.cli.common import Options, config_error, require_db
from veille.config import ConfigError
from veille.model import ExitCode


@click.command()
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
    from scheduler.tagging.retag import tag_lines
    from scheduler.tagging.tagger import Tagger

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
        sys.exit(ExitCode.FAILED)


@click.command()
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
    from scheduler.tagging.retag import retag as run_retag
    from storage.db import open_db
    from storage.queries import parse_since

    require_db(opts.db)
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


@click.command()
@click.pass_obj
def topics(opts: Options) -> None:
    """Print the tagging rules in force: topics, contexts, sub-topics and entities.

    \b
    Examples:
      veille topics
      veille --topics my-topics.toml topics | less
    """
    from scheduler.tagging.describe import render_rules

    try:
        rules = opts.rules()
    except ConfigError as exc:
        config_error(exc)
    click.echo(render_rules(rules))
