"""Commands that read and tag: search, stats, tag, retag, topics."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import TextIO

import click

from storage.queries import QueryError
from veille.cli import (
    Options,
    cli,
    config_error,
    require_db,
)
from veille.config import ConfigError


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

    require_db(opts.db)
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

    require_db(opts.db)
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
