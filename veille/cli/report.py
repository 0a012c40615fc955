"""`veille report`: the period's report in French, as one HTML page or Markdown."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from storage.errors import QueryError
from veille.cli.common import Options, require_db, resolve_tags
from veille.model import TagKind


@click.command()
@click.option("--since", default="7d", show_default=True, metavar="DATE",
              help="Start of the period: 2026-11-01, 24h, 7d, 2w.")
@click.option("--until", metavar="DATE", help="End of the period (default: now; a day given "
                                               "alone is included).")
@click.option("--topic", help="Only this topic: id or label (nato, Russie, OTAN...).")
@click.option("--format", "fmt", type=click.Choice(["html", "md"]), default="html",
              show_default=True, help="html: one self-contained page (charts inline, nothing "
                                      "fetched from elsewhere); md: Markdown for a chat.")
@click.option("--out", "-o", default="-", show_default=True, metavar="FILE",
              help="Output file ('-': standard output).")
@click.pass_obj
def report(opts: Options, since: str, until: str | None, topic: str | None, fmt: str,
           out: str) -> None:
    """A report in French for a period: volume per topic per day (chart), the
    stories run by the most outlets (first outlet, wire or own reporting, link),
    what is new since the previous report, the sub-topics and entities that rose
    most, and the sources that went quiet or failed.

    \b
    Examples:
      veille --db news.db report --since 7d --out rapport.html
      veille --db news.db report --topic Ukraine --since 24h --format md
    """
    from scheduler.report import build_report, render_html, render_markdown
    from storage.db import open_db
    from storage.queries import parse_since, parse_until
    from storage.report import record_report

    require_db(opts.db)
    try:
        start = parse_since(since)
        end = parse_until(until) if until else datetime.now(UTC).replace(
            microsecond=0).isoformat()
    except QueryError as exc:
        raise click.BadParameter(str(exc), param_hint="--since/--until") from None
    if start >= end:
        raise click.BadParameter(f"the period is empty: {start} is not before {end}",
                                 param_hint="--since/--until")
    name = resolve_tags(opts.rules(), TagKind.TOPIC, (topic,), "--topic")[0] if topic else None
    db = open_db(opts.db)
    generated = datetime.now(UTC).replace(microsecond=0).isoformat()
    built = build_report(db, start, end, name, generated)
    text = render_html(built) if fmt == "html" else render_markdown(built)
    if out == "-":
        click.echo(text, nl=False)
    else:
        Path(out).write_text(text, encoding="utf-8")
    record_report(db, start, end, name, fmt, None if out == "-" else out)
    if out != "-":
        click.echo(f"Report written to {out}: {len(built.stories)} stories, "
                   f"{sum(n for _, _, n in built.volume)} topic tags.", err=True)
