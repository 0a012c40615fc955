"""Commands about stories: `veille stories` (the list), `veille story ID` (its timeline)
and `veille restory` (compute copies, wires and stories again)."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

import click

from storage.errors import QueryError
from veille.cli.common import Options, require_db, resolve_tags
from veille.model import ExitCode, TagKind


def _since(value: str | None) -> str | None:
    from storage.queries import parse_since

    try:
        return parse_since(value) if value else None
    except QueryError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None


def _when(value: str | None) -> str:
    return (value or "?")[:16].replace("T", " ")


@click.command()
@click.option("--since", metavar="DATE", help="Stories seen since: 2026-11-01, 24h, 7d.")
@click.option("--topic", help="Only stories about this topic: id or label (nato, Russie, OTAN...).")
@click.option("--min-outlets", type=click.IntRange(1, 1000), default=1, show_default=True,
              help="Only stories published by at least this many outlets.")
@click.option("--limit", type=click.IntRange(1, 10000), default=30, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per story.")
@click.pass_obj
def stories(opts: Options, since: str | None, topic: str | None, min_outlets: int, limit: int,
            as_json: bool) -> None:
    """Stories: one event across outlets, the most widely published first.

    Each line gives the number of outlets and articles, the outlet that
    published first, the agency most copies come from (when the story is a
    dispatch), the topics and the first title.

    \b
    Examples:
      veille stories --since 24h
      veille stories --topic ukraine --min-outlets 3 --since 7d
      veille story 42                       # its timeline
    """
    from storage.db import open_for_reading
    from storage.stories import list_stories

    require_db(opts.db)
    if topic is not None:
        topic = resolve_tags(opts.rules(), TagKind.TOPIC, (topic,), "--topic")[0]
    rows = list_stories(open_for_reading(opts.db), since=_since(since), topic=topic,
                        min_outlets=min_outlets, limit=limit)
    for row in rows:
        if as_json:
            click.echo(json.dumps(asdict(row), ensure_ascii=False))
            continue
        wire = f" · {row.wire.upper()}" if row.wire else ""
        click.echo(f"#{row.id}  {row.outlets} outlet(s) · {row.articles} article(s){wire} · "
                   f"{', '.join(row.topics) or '-'}")
        click.echo(f"    {_when(row.first_seen_at)} UTC {row.first_outlet} — {row.title}")
    if not as_json:
        click.echo(f"{len(rows)} story(ies).", err=True)


@click.command()
@click.argument("story_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="The timeline as JSON lines.")
@click.pass_obj
def story(opts: Options, story_id: int, as_json: bool) -> None:
    """The timeline of one story: who published first, and how much later the others did.

    For each article: its outlet, its time (published, or fetched when the
    page gives none), the delay from the first, whether it is a copy of
    another article (and of which agency's dispatch), a wire dispatch, or
    original reporting, and why it joined the story.

    \b
    Example:
      veille story 42
    """
    from storage.db import open_for_reading
    from storage.stories import get_story, timeline
    from veille.times import moment

    require_db(opts.db)
    db = open_for_reading(opts.db)
    found = get_story(db, story_id)
    if found is None:
        click.echo(f"veille: no story #{story_id} (see `veille stories`).", err=True)
        sys.exit(ExitCode.FAILED)
    entries = timeline(db, story_id)
    if as_json:
        for entry in entries:
            click.echo(json.dumps(asdict(entry), ensure_ascii=False))
        return
    first = moment(entries[0].at) if entries else None
    click.echo(f"Story #{found.id}: {found.title}")
    click.echo(f"{found.outlets} outlet(s), {found.articles} article(s), "
               f"{_when(found.first_seen_at)} → {_when(found.last_seen_at)} UTC; "
               f"topics: {', '.join(found.topics) or '-'}")
    for entry in entries:
        delay = moment(entry.at) - first if first else None
        minutes = int(delay.total_seconds() // 60) if delay is not None else 0
        lag = "first" if minutes == 0 else f"+{minutes // 60}h{minutes % 60:02d}"
        kind = (f"copy of #{entry.copy_of}" if entry.copy_of else "original") + (
            f", {entry.wire.upper()} dispatch" if entry.wire else ", own reporting"
            if not entry.copy_of else "")
        why = {"copy": "same text", "title_lead": "same event"}.get(entry.signal or "", "")
        click.echo(f"  {_when(entry.at)}  {lag:>7}  {entry.outlet:<24} {kind}"
                   + (f" ({why}, {entry.score:.2f})" if why and entry.score else ""))
        click.echo(f"      #{entry.article_id} {entry.title}")


@click.command()
@click.option("--since", metavar="DATE", help="Only articles published since: 2026-11-01, 30d.")
@click.pass_obj
def restory(opts: Options, since: str | None) -> None:
    """Compute copies, wires and stories again for stored articles.

    For a database made before stories existed, or after a threshold changed.
    Articles are taken in the order they were stored, in batches of 200 with
    progress on stderr; running it twice gives the same result, and a run that
    was interrupted is completed by running it again. Run it while no crawl
    writes to the database (stop the daemon first): articles stored meanwhile
    would be decided against stories being rebuilt.

    \b
    Examples:
      veille restory --since 30d
      veille --db news.db restory
    """
    from scheduler.stories.restory import restory as run_restory
    from storage.db import open_db

    require_db(opts.db)
    since_iso = _since(since)

    def progress(done: int, total: int) -> None:
        click.echo(f"restory: {done} of {total} articles", err=True)

    report = run_restory(open_db(opts.db), since_iso, progress)
    click.echo(f"{report.articles} article(s): {report.copies} copies, {report.joined} joined "
               f"a story on their title and lead, {report.stories} new story(ies).")
