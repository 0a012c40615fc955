"""Commands that read the database: `veille search`, `veille export` and `veille stats`."""

from __future__ import annotations

import csv
import json
import sys
import textwrap
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

import click

from storage.errors import QueryError
from veille.cli.common import Options, require_db, resolve_tags
from veille.model import (
    ExportFormat,
    SearchFilters,
    SearchHit,
    SearchSort,
    SeenStatus,
    TagKind,
)

COUNT_UPTO = 4_999  # results counted at most: what one pass of ranking sees (5,000)


SYNTAX = """\b
    Search syntax (case and accents ignored; singular, plural and feminine
    forms found together, as tagging reads them):
      otan pologne            both words
      "frappe de drones"      the words in this order
      kiev OR kyiv            either word (OU works too)
      otan -sommet            without this word (or -"a phrase")
      sanction*               words starting so (two letters at least)
    Anything else is searched as typed: no input is an error of the engine.
    Relevance ranks the newest 5,000 matches; --sort date sees them all."""


CSV_COLUMNS = ("id", "published_at", "fetched_at", "source", "title", "url", "topics",
               "subtopics", "entities", "story_id", "copy_of", "wire")


def hit_json(hit: SearchHit) -> str:
    """One JSON line: what `--json` and `export --format jsonl` print."""
    values = {k: v for k, v in asdict(hit).items() if k != "text" or v is not None}
    return json.dumps(values, ensure_ascii=False)


def _tags(tags: dict[str, float]) -> str:
    return "; ".join(f"{name} {score:g}" for name, score in tags.items())


def write_export(hits: Iterable[SearchHit], fmt: ExportFormat, out: str,
                 with_text: bool) -> int:
    """Write the hits as CSV or JSON lines to `out` ('-': stdout), one at a time."""
    with ExitStack() as stack:
        stream: IO[str]
        if out == "-":
            stream = sys.stdout
        else:
            encoding = "utf-8-sig" if fmt is ExportFormat.CSV else "utf-8"
            stream = stack.enter_context(Path(out).open("w", encoding=encoding, newline=""))
        written = 0
        if fmt is ExportFormat.JSONL:
            for hit in hits:
                stream.write(hit_json(hit) + "\n")
                written += 1
            return written
        columns = [*CSV_COLUMNS, "text"] if with_text else list(CSV_COLUMNS)
        writer = csv.writer(stream)
        writer.writerow(columns)
        for hit in hits:
            values = asdict(hit)
            for kind in ("topics", "subtopics", "entities"):
                values[kind] = _tags(values[kind])
            writer.writerow(["" if values[c] is None else values[c] for c in columns])
            written += 1
        return written


def filter_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options search and export share: which articles."""
    options = [
        click.option("--topic", "topics", multiple=True, metavar="TOPIC",
                     help="Tagged with this topic: id or label, any case (nato, Russie, "
                          "OTAN...). Repeat for any of several."),
        click.option("--subtopic", "subtopics", multiple=True, metavar="SUBTOPIC",
                     help="Tagged with this sub-topic (see 'veille topics')."),
        click.option("--entity", "entities", multiple=True, metavar="ENTITY",
                     help="Naming this entity (see 'veille topics')."),
        click.option("--source", "sources", multiple=True, metavar="NAME",
                     help="From this source (its name in the sources file)."),
        click.option("--since", metavar="DATE",
                     help="Published since (fetch date when unknown): 2026-11-01, 24h, 7d, 2w."),
        click.option("--until", metavar="DATE",
                     help="Published before this time, or up to the end of this day."),
        click.option("--sort", type=click.Choice([s.value for s in SearchSort]),
                     default=None, help="relevance (with words; the default) or date "
                                        "(newest first)."),
        click.option("--text", "with_text", is_flag=True,
                     help="Include the full text (--json, export)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _filters(opts: Options, db: Any, query: str | None, topics: tuple[str, ...],
             subtopics: tuple[str, ...], entities: tuple[str, ...], sources: tuple[str, ...],
             since: str | None, until: str | None, sort: str | None) -> SearchFilters:
    from storage.queries import parse_since, parse_until
    from storage.search import has_source, stored_sources

    rules = opts.rules() if topics or subtopics or entities else None
    for source in sources:
        if not has_source(db, source):
            known = ", ".join(stored_sources(db)) or "none yet"
            raise click.BadParameter(f"no article from source {source!r} in {opts.db}; "
                                     f"sources with articles: {known}", param_hint="--source")
    try:
        dates = (parse_since(since) if since else None, parse_until(until) if until else None)
    except QueryError as exc:
        raise click.BadParameter(str(exc), param_hint="--since/--until") from None
    order = SearchSort(sort) if sort else \
        SearchSort.RELEVANCE if query is not None else SearchSort.DATE
    if order is SearchSort.RELEVANCE and query is None:
        raise click.BadParameter("relevance needs words to search: give a query or "
                                 "--sort date", param_hint="--sort")
    return SearchFilters(
        query=query,
        topics=resolve_tags(rules, TagKind.TOPIC, topics, "--topic") if rules else (),
        subtopics=resolve_tags(rules, TagKind.SUBTOPIC, subtopics, "--subtopic") if rules else (),
        entities=resolve_tags(rules, TagKind.ENTITY, entities, "--entity") if rules else (),
        sources=sources, since=dates[0], until=dates[1], sort=order)


def _check_query(query: str | None) -> None:
    from storage.search import parse_query

    if query is not None:
        try:
            parse_query(query)
        except QueryError as exc:
            raise click.BadParameter(str(exc), param_hint="QUERY") from None


@click.command(epilog=SYNTAX, context_settings={"ignore_unknown_options": True})
@click.argument("words", nargs=-1, required=True, metavar="QUERY")
@filter_options
@click.option("--limit", type=click.IntRange(1, 10000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0, show_default=True,
              help="Skip this many results (the next page: --offset 20).")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object per line: id, url, source, title, dates, topics with "
                   "scores, sub-topics, entities, story, wire, score, snippet (--text: text).")
@click.pass_obj
def search(opts: Options, words: tuple[str, ...], topics: tuple[str, ...],
           subtopics: tuple[str, ...], entities: tuple[str, ...], sources: tuple[str, ...],
           since: str | None, until: str | None, sort: str | None, with_text: bool,
           limit: int, offset: int, as_json: bool) -> None:
    """Full-text search of the stored articles, best match first.

    \b
    Examples:
      veille search "Zelensky Washington"
      veille search '"bouclier antimissile" Pologne -exercice' --since 7d
      veille search "sanction*" --topic Russie --sort date --limit 5
      veille search otan --source lemonde --until 2026-11-30 --json --text
    """
    from storage.db import open_for_reading
    from storage.search import search_page

    require_db(opts.db)
    unknown = [w for w in words if w.startswith("--") and len(w) > 2]
    if unknown:
        raise click.NoSuchOption(unknown[0].split("=")[0])
    query = " ".join(words)  # `veille search otan -sommet` as well as one quoted argument
    _check_query(query)
    db = open_for_reading(opts.db)
    filters = _filters(opts, db, query, topics, subtopics, entities, sources, since, until,
                       sort)
    page = search_page(db, filters, limit=limit, offset=offset, with_text=with_text,
                       count_upto_most=COUNT_UPTO)
    hits = page.hits
    for hit in hits:
        if as_json:
            click.echo(hit_json(hit))
            continue
        when = (hit.published_at or hit.fetched_at or "")[:16].replace("T", " ")
        tags = ", ".join([*hit.topics, *hit.subtopics]) or "-"
        click.echo(f"#{hit.id} {when} [{tags}] {hit.title or '(no title)'}")
        click.echo(f"    {hit.source} {hit.url}")
        click.echo("    " + hit.snippet)
    if not as_json:
        found = page.matched
        total = f"more than {COUNT_UPTO + 1:,}" if found > COUNT_UPTO else f"{found:,}"
        click.echo(f"Results {offset + 1}–{offset + len(hits)} of {total}." if hits else
                   f"No result{' on this page' if found else ''} ({total} in all).", err=True)


@click.command(epilog=SYNTAX)
@click.option("--query", "-k", metavar="WORDS", help="Only articles matching these words "
              "(the search syntax below).")
@filter_options
@click.option("--format", "fmt", type=click.Choice([f.value for f in ExportFormat]),
              default=ExportFormat.CSV.value, show_default=True,
              help="csv (UTF-8 with a byte order mark: opens as is in LibreOffice and Excel) "
                   "or jsonl (one JSON object per line).")
@click.option("--out", "-o", type=click.Path(dir_okay=False, writable=True, allow_dash=True),
              default="-", show_default=True, help="Output file ('-': standard output).")
@click.pass_obj
def export(opts: Options, query: str | None, topics: tuple[str, ...],
           subtopics: tuple[str, ...], entities: tuple[str, ...], sources: tuple[str, ...],
           since: str | None, until: str | None, sort: str | None, with_text: bool, fmt: str,
           out: str) -> None:
    """Export articles with their tags, for pandas, R or a spreadsheet.

    Streams in constant memory, newest first (or by relevance with --query and
    --sort relevance, where only the first ranked articles are exported in that order).

    \b
    Examples:
      veille export --topic ukraine --since 30d --out ukraine.csv
      veille export --format jsonl --text --source lefigaro -o lefigaro.jsonl
      veille export --query '"mer Baltique" câble*' --out cables.csv
    pandas: pd.read_csv("ukraine.csv"); R: read.csv("ukraine.csv", fileEncoding="UTF-8-BOM")
    """
    from storage.db import open_for_reading
    from storage.search import export as run_export

    require_db(opts.db)
    _check_query(query)
    db = open_for_reading(opts.db)
    filters = _filters(opts, db, query, topics, subtopics, entities, sources, since, until,
                       sort or SearchSort.DATE.value)
    written = write_export(run_export(db, filters, with_text=with_text), ExportFormat(fmt),
                           out, with_text)
    click.echo(f"Exported {written:,} article(s) to {'standard output' if out == '-' else out}.",
               err=True)


def _note(text: str) -> None:
    click.echo(textwrap.fill(text, width=100, initial_indent="  ", subsequent_indent="  "))


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
    last = figures["last_article"]
    click.echo(f"Articles: {figures['articles']}"
               + (f" (last fetched {last[:16].replace('T', ' ')} UTC)" if last else
                  " (none yet: run 'veille crawl')"))
    decisions = figures["url_decisions"]
    click.echo(f"URLs decided: {figures['urls_decided']}"
               + (" — " + ", ".join(f"{k} {v}" for k, v in decisions.items()) if decisions
                  else ""))
    aliases = decisions.get(SeenStatus.STORED, 0) - figures["articles"]
    if aliases > 0:
        _note(f"{aliases} of the stored URLs are aliases: other addresses of a stored "
              "article (its feed link, AMP or print page, a redirect), kept so that it is "
              "never downloaded again.")
    if len(decisions) > 1 or (decisions and SeenStatus.STORED not in decisions):
        _note("The other URLs were decided without storing an article (duplicate, not "
              "French, off-topic, no text, failed): they are not fetched again.")
    click.echo("By topic:  " + (", ".join(f"{k} {v}" for k, v in figures["by_topic"].items())
                                or "-"))
    for kind in ("subtopic", "entity"):
        counts = figures[f"by_{kind}"]
        click.echo(f"By {kind}: " + (", ".join(f"{k} {v}" for k, v in counts.items()) or "-"))
    click.echo("By source: " + (", ".join(f"{k} {v}" for k, v in figures["by_source"].items())
                                or "-"))
    click.echo(f"Runs: {figures['runs']}" + ("; last:" if figures["runs"] else ""))
    for run in figures["last_runs"]:
        click.echo(f"  #{run['id']} {run['trigger']} {run['started_at']} -> "
                   f"{run['ended_at'] or 'still running'} {run['status'] or 'running'}")
