"""Commands that read the database: `veille search` and `veille stats`."""

from __future__ import annotations

import json
from dataclasses import asdict

import click

from storage.queries import QueryError
from veille.cli.common import Options, require_db


@click.command()
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
    from storage.db import open_for_reading
    from storage.queries import search as run_search

    require_db(opts.db)
    db = open_for_reading(opts.db)
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


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_obj
def stats(opts: Options, as_json: bool) -> None:
    """Counts of articles by source and topic, URL decisions and the last runs.

    \b
    Example:
      veille --db news.db stats
    """
    from storage.db import open_for_reading
    from storage.queries import stats as read_stats

    require_db(opts.db)
    figures = read_stats(open_for_reading(opts.db))
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
