"""`veille demo`: a local news site, a real crawl of it, and what landed in the database."""

from __future__ import annotations

import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import click

from storage.db import open_db
from storage.queries import TOPIC_COUNTS_SQL, article_overview, strongest_evidence
from storage.stories import list_stories
from veille.demo import content
from veille.demo.pages import (
    Article,
    FeedItem,
    article_html,
    atom_feed,
    empty_page,
    rss_feed,
)
from veille.demo.site import NewsSite, Route

TRACKING = "?utm_source=rss&utm_medium=feed&xtor=RSS-3208"
VIDEO_PATH = "/videos/conference-de-presse-zelensky.html"


def _item(site: NewsSite, article: Article, suffix: str = "") -> FeedItem:
    return FeedItem(site.url(article.path) + suffix, article.title, article.published,
                    article.lead)


def build_demo_site() -> NewsSite:
    """The demo outlet: an RSS and an Atom feed over nine pages, each a case to handle."""
    site = NewsSite()
    site.add("/robots.txt", Route(b"User-agent: *\nDisallow: /admin/\n",
                                  content_type="text/plain"))
    for article in (content.NATO_SUMMIT, content.KHARKIV, content.SANCTIONS, content.PENSIONS,
                    content.ROLLER_COASTER, content.ENGLISH, content.CEASEFIRE):
        site.add(article.path, Route(article_html(article).encode("utf-8")))
    # A server that claims ISO-8859-1 for a page that is UTF-8: accents must survive.
    site.add(content.KYIV_WINTER.path,
             Route(article_html(content.KYIV_WINTER).encode("utf-8"),
                   content_type="text/html; charset=ISO-8859-1"))
    site.add(VIDEO_PATH, Route(empty_page("Vidéo : la conférence de presse de Volodymyr "
                                          "Zelensky").encode("utf-8")))
    site.add(content.ZAPORIZHZHIA.path, Route(article_html(content.ZAPORIZHZHIA).encode()))
    rss_items = [_item(site, a) for a in (content.NATO_SUMMIT, content.KHARKIV,
                                           content.SANCTIONS, content.PENSIONS,
                                           content.ROLLER_COASTER, content.ENGLISH,
                                           content.ZAPORIZHZHIA)]
    rss_items.append(_item(site, content.CEASEFIRE, TRACKING))
    rss_items.append(FeedItem(site.url(VIDEO_PATH), "Vidéo : la conférence de presse",
                              content.KHARKIV.published))
    atom_items = [_item(site, a) for a in (content.SANCTIONS, content.CEASEFIRE,
                                            content.KYIV_WINTER)]
    site.add("/rss/international.xml", Route(
        rss_feed("International", site.base_url, rss_items).encode("utf-8"),
        content_type="application/rss+xml; charset=utf-8"))
    site.add("/atom/europe.xml", Route(
        atom_feed("Europe", site.base_url, atom_items).encode("utf-8"),
        content_type="application/atom+xml; charset=utf-8"))
    return site


# Two other outlets, each one feed: they run the demo outlet's AFP dispatch (cut,
# retitled, one without its credit), and one of them its own reporting on the event.
OTHER_OUTLETS = {
    "courrier-rhin": ("Le Courrier du Rhin", [content.ZAPORIZHZHIA_RHIN]),
    "echo-atlantique": ("L'Écho de l'Atlantique", [content.ZAPORIZHZHIA_ATLANTIQUE,
                                                   content.ZAPORIZHZHIA_REPORTAGE]),
}


def build_other_outlet(name: str, articles: list[Article]) -> NewsSite:
    site = NewsSite()
    for article in articles:
        site.add(article.path, Route(article_html(article, site_name=name).encode("utf-8")))
    site.add("/rss.xml", Route(rss_feed(name, site.base_url, [_item(site, a) for a in articles])
                               .encode("utf-8"), content_type="application/rss+xml"))
    return site


def _source(name: str, url: str) -> str:
    return f'[[source]]\nname = "{name}"\nurl = "{url}"\nkind = "feed"\nallow_private = true\n'


def demo_sources_toml(site: NewsSite, others: dict[str, NewsSite]) -> str:
    return "\n".join([
        "# Sources of the demo: the local news sites started by `veille demo`.",
        _source("quotidien-international", site.url("/rss/international.xml")),
        _source("quotidien-europe", site.url("/atom/europe.xml")),
        *(_source(name, other.url("/rss.xml")) for name, other in others.items())])


def show_rows(db_path: Path) -> None:
    db = open_db(db_path)
    click.echo("\nArticles stored (newest first):")
    for row in article_overview(db):
        tags = ", ".join(f"{t} {s:g}" for t, s in sorted(row.topics.items(), key=lambda x: -x[1]))
        click.echo(f"  #{row.id} [{tags or 'no topic'}] {row.title}")
        click.echo(f"      {row.source} · publié {row.published_at} · "
                   f"langue {row.language} ({row.language_score:.2f})")
        if row.subtopics or row.entities:
            click.echo(f"      sous-thèmes: {', '.join(row.subtopics) or '-'} · "
                       f"entités: {', '.join(row.entities) or '-'}")
    evidence = strongest_evidence(db)
    if evidence:
        title, topic, items = evidence
        click.echo(f"\nWhy '{title}' is tagged {topic}:")
        for item in items:
            click.echo(f"  {item['term']!r}: forms {item['forms']}, title {item['title']}, "
                       f"lead {item['lead']}, body {item['body']}")
    db.close()


def _veille(db_path: Path, *args: str, sources: Path | None = None) -> int:
    """Run a veille command on the demo database, in a subprocess, as a user would."""
    found = ["--sources", str(sources)] if sources else []
    return subprocess.call([sys.executable, "-P", "-m", "veille", "--db", str(db_path), *found,
                            *args])


TRAPS = [
    ("Moscou dément toute implication dans l'avarie du câble", ""),
    ("L'Alliance renforce sa présence en mer Baltique", ""),
    ("À Odessa, au Texas, une fusillade fait sept morts", ""),
    ("Le Kremlin-Bicêtre inaugure sa médiathèque", ""),
]


def show_tag_reading() -> None:
    """Headlines the tags must read right: capitals that act, the Alliance unnamed, names
    that mean something else here; with the rule that decided."""
    from scheduler.tagging.describe import describe
    from scheduler.tagging.rules import load_rules
    from scheduler.tagging.tagger import Tagger

    tagger = Tagger(load_rules())
    click.echo("\nHow tags read names (veille tag; the evidence says why):")
    for title, text in TRAPS:
        details = describe(tagger.tag(title, text))
        reasons = [why for items in {**details.details["evidence"],
                                     **details.details["not_tagged"]}.values()
                   for item in items for why in item.get("why", []) + item.get("ignored", [])]
        click.echo(f"  [{', '.join(details.topics) or 'no topic'}] {title}")
        if reasons:
            click.echo(f"      {reasons[0]}")


def show_stories(db_path: Path) -> None:
    """The stories the crawl found across outlets, and the timeline of the widest."""
    db = open_db(db_path)
    widest = list_stories(db, min_outlets=2, limit=1)
    db.close()
    click.echo(f"\nStories published by several outlets: veille --db {db_path} stories "
               f"--min-outlets 2")
    _veille(db_path, "stories", "--min-outlets", "2")
    if widest:
        click.echo(f"\nWho published first, who copied the AFP and who reported: "
                   f"veille --db {db_path} story {widest[0].id}")
        _veille(db_path, "story", str(widest[0].id))


def show_search(db_path: Path) -> None:
    """Search as an analyst types it (a phrase, an exclusion, a topic label), and an export."""
    query = '"centrale nucléaire" -otan'
    click.echo(f"\nSearch, word forms found together: veille --db {db_path} search "
               f"'{query}' --topic Ukraine --sort date")
    _veille(db_path, "search", query, "--topic", "Ukraine", "--sort", "date")
    export = db_path.with_name("ukraine.csv")
    click.echo(f"\nFor a spreadsheet or pandas: veille --db {db_path} export --topic ukraine "
               f"--out {export}")
    _veille(db_path, "export", "--topic", "ukraine", "--out", str(export))


def show_report(db_path: Path) -> None:
    """The French report of the demo's days, as one page to open in a browser."""
    db = open_db(db_path)
    days = sorted(s.first_seen_at[:10] for s in list_stories(db, limit=1000))
    db.close()
    if not days:
        return
    report = db_path.with_name("rapport.html")
    click.echo(f"\nA report to read or forward: veille --db {db_path} report --since {days[0]} "
               f"--out {report}")
    _veille(db_path, "report", "--since", days[0], "--out", str(report))
    click.echo(f"Open {report.resolve().as_uri()} in a browser (nothing in it comes from "
               f"another host); in Datasette: veille --db {db_path} datasette")


def run_demo(workdir: Path) -> int:
    """Serve the demo site, crawl it with `veille crawl` in a subprocess, show the result."""
    workdir.mkdir(parents=True, exist_ok=True)
    db_path = workdir / "veille-demo.db"
    for stale in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        stale.unlink(missing_ok=True)
    with ExitStack() as stack:
        site = stack.enter_context(build_demo_site())
        others = {source: stack.enter_context(build_other_outlet(name, articles))
                  for source, (name, articles) in OTHER_OUTLETS.items()}
        sources = workdir / "sources.toml"
        sources.write_text(demo_sources_toml(site, others), encoding="utf-8")
        click.echo(f"Demo news site running at {site.base_url} "
                   f"({len(site.routes)} pages and feeds), and two other outlets at "
                   f"{', '.join(o.base_url for o in others.values())}")
        click.echo(f"Crawling them: veille --db {db_path} --sources {sources} crawl\n")
        code = _veille(db_path, "crawl", sources=sources)
        click.echo(f"\nThe sites answered {site.hits() + sum(o.hits() for o in others.values())}"
                   f" requests (each article page at most once).")
    if code != 0:
        click.echo(f"The crawl exited with code {code}.", err=True)
        return code
    show_rows(db_path)
    show_tag_reading()
    show_stories(db_path)
    show_search(db_path)
    show_report(db_path)
    example_sql = TOPIC_COUNTS_SQL
    click.echo(f"\nTry: veille --db {db_path} search 'drone* OR missile*' --json   or   "
               f'sqlite3 {db_path} "{example_sql}"')
    return 0
