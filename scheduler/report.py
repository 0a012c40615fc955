"""The analyst's report: one self-contained HTML page in French (or Markdown) for a period:
volume per topic per day (an SVG chart drawn by pygal, inline), the top stories, what is
new since the previous report, the sub-topics and entities that rose most, and the
sources that went quiet or failed. Nothing in it is fetched from another host."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from storage import report as store
from storage.health import known_sources, source_health
from veille.model import HealthState

if TYPE_CHECKING:
    import sqlite_utils

TOPIC_LABELS = {"nato": "OTAN", "russia": "Russie", "ukraine": "Ukraine"}
COLOURS = ("#1f4e79", "#c0392b", "#e1a200", "#5d6d7e", "#27ae60", "#8e44ad")
STORIES = 15
COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass(frozen=True)
class Trouble:
    source: str
    what: str  # in French, for the reader


@dataclass(frozen=True)
class Report:
    since: str
    until: str
    topic: str | None
    generated_at: str
    previous: str | None  # when the previous report was written
    volume: list[tuple[str, str, int]]
    stories: list[store.StoryInReport]
    rising: list[store.Rise]
    quiet: list[store.QuietOutlet]
    troubles: list[Trouble]

    def is_new(self, item: store.StoryInReport) -> bool:
        return self.previous is not None and item.story.first_seen_at > self.previous


def _label(topic: str) -> str:
    return TOPIC_LABELS.get(topic, topic)


def _day(moment: str | None) -> str:
    return (moment or "?")[:16].replace("T", " ")


def build_report(db: sqlite_utils.Database, since: str, until: str, topic: str | None,
                 generated_at: str) -> Report:
    length = datetime.fromisoformat(until) - datetime.fromisoformat(since)
    before = (datetime.fromisoformat(since) - length).isoformat()
    troubles = []
    for source in known_sources(db):
        if not source.enabled:
            continue
        health = source_health(db, source.name)
        if health.state in (HealthState.FAILING, HealthState.SILENT):
            what = (f"en échec ({health.consecutive_failures} collectes de suite) : "
                    f"{health.last_error or '?'}" if health.state == HealthState.FAILING
                    else f"silencieux : aucun article dans ses {health.runs_without_new} "
                         "dernières collectes")
            troubles.append(Trouble(source.name, what))
    return Report(since=since, until=until, topic=topic, generated_at=generated_at,
                  previous=store.previous_report(db, topic),
                  volume=store.daily_volume(db, since, until, topic),
                  stories=store.top_stories(db, since, until, topic, STORIES),
                  rising=store.rising_tags(db, since, until, before, topic),
                  quiet=store.quiet_outlets(db, since, until, before), troubles=troubles)


def _days(report: Report) -> list[str]:
    start = datetime.fromisoformat(report.since).date()
    end = datetime.fromisoformat(report.until).date()
    count = max(1, (end - start).days + (1 if datetime.fromisoformat(report.until).time()
                                         != datetime.min.time() else 0))
    return [(start + timedelta(days=i)).isoformat() for i in range(count)]


def volume_chart(report: Report) -> str:
    """The articles per topic per day, as inline SVG (no script, no external resource)."""
    import pygal
    from pygal.style import Style

    days = _days(report)
    topics = sorted({t for _, t, _ in report.volume})
    counts = {(d, t): n for d, t, n in report.volume}
    style = Style(background="white", plot_background="white", colors=COLOURS,
                  font_family="sans-serif", label_font_size=11, legend_font_size=12)
    chart = pygal.Line(js=[], disable_xml_declaration=True, style=style, width=760,
                       height=300, show_dots=len(days) <= 31, x_label_rotation=30,
                       truncate_label=-1, show_minor_x_labels=False, dots_size=3,
                       legend_at_bottom=True, explicit_size=False)
    chart.title = "Articles par jour et par thème"
    chart.x_labels = [d[5:] for d in days]
    chart.x_labels_major = [d[5:] for d in days[::max(1, len(days) // 10)]]
    for topic in topics:
        chart.add(_label(topic), [counts.get((d, topic), 0) for d in days])
    return COMMENT.sub("", chart.render(is_unicode=True))  # pygal signs it in comments


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
max-width:52rem;padding:1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:1.8rem;
border-bottom:1px solid #ccc}.meta{color:#555;font-size:.9rem}
table{border-collapse:collapse;width:100%;font-size:.92rem}
td,th{padding:.35rem .4rem;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
th{background:#f4f4f4}.n{text-align:right;white-space:nowrap}
.new{background:#c0392b;color:#fff;border-radius:3px;padding:0 .3rem;font-size:.75rem}
.chart svg{width:100%;height:auto}a{color:#1f4e79}
@media print{a{color:#000;text-decoration:none}.chart{page-break-inside:avoid}}
"""


def _story_row(report: Report, item: store.StoryInReport) -> str:
    s = item.story
    title = html.escape(s.title or "(sans titre)")
    link = f'<a href="{html.escape(item.url)}">{title}</a>' if item.url else title
    new = ' <span class="new">nouveau</span>' if report.is_new(item) else ""
    origin = f"dépêche {s.wire.upper()}" if s.wire else "reportage propre"
    return (f"<tr><td>{link}{new}</td><td>{html.escape(s.first_outlet)}<br>"
            f"<small>{_day(s.first_seen_at)}</small></td><td class=n>{s.outlets}</td>"
            f"<td class=n>{s.articles}</td><td>{origin}</td></tr>")


def render_html(report: Report) -> str:
    """The report as one self-contained, printable HTML page in French."""
    subject = _label(report.topic) if report.topic else "OTAN, Russie et Ukraine"
    total = sum(n for _, _, n in report.volume)
    new = sum(1 for s in report.stories if report.is_new(s))
    parts = [
        "<!doctype html><html lang=fr><head><meta charset=utf-8>",
        '<meta name=viewport content="width=device-width, initial-scale=1">',
        f"<title>Veille {html.escape(subject)} du {report.since[:10]} au "
        f"{report.until[:10]}</title><style>{CSS}</style></head><body>",
        f"<h1>Veille de presse : {html.escape(subject)}</h1>",
        f'<p class=meta>Du {_day(report.since)} au {_day(report.until)} (UTC) · rapport '
        f"du {_day(report.generated_at)} · {total} étiquette(s) de thème sur la période"
        + (f" · {new} récit(s) nouveau(x) depuis le rapport du {_day(report.previous)}"
           if report.previous else "") + "</p>",
        "<h2>Volume par thème</h2>",
        f'<div class=chart role=img aria-label="Articles par jour et par thème">'
        f"{volume_chart(report)}</div>" if report.volume else "<p>Aucun article.</p>",
        "<h2>Les récits les plus repris</h2>",
    ]
    if report.stories:
        parts.append("<table><tr><th>Récit</th><th>Premier média</th><th class=n>Médias"
                     "</th><th class=n>Articles</th><th>Origine</th></tr>")
        parts += [_story_row(report, s) for s in report.stories]
        parts.append("</table>")
    else:
        parts.append("<p>Aucun récit sur la période.</p>")
    parts.append("<h2>Sous-thèmes et entités en hausse</h2>")
    if report.rising:
        parts.append("<table><tr><th>Étiquette</th><th>Type</th><th class=n>Période</th>"
                     "<th class=n>Période précédente</th></tr>")
        parts += [f"<tr><td>{html.escape(r.tag)}</td><td>"
                  f"{'sous-thème' if r.kind == 'subtopic' else 'entité'}</td>"
                  f"<td class=n>{r.now}</td><td class=n>{r.before}</td></tr>"
                  for r in report.rising]
        parts.append("</table>")
    else:
        parts.append("<p>Aucune hausse par rapport à la période précédente.</p>")
    parts.append("<h2>Sources silencieuses ou en échec</h2>")
    lines = [f"<li><strong>{html.escape(t.source)}</strong> {html.escape(t.what)}</li>"
             for t in report.troubles]
    lines += [f"<li><strong>{html.escape(q.outlet)}</strong> : {q.in_period} article(s) sur "
              f"la période contre {q.before} la période précédente (dernier collecté "
              f"{_day(q.last_article)})</li>" for q in report.quiet]
    parts.append(f"<ul>{''.join(lines)}</ul>" if lines else "<p>Toutes les sources "
                 "publient comme d'habitude.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def render_markdown(report: Report) -> str:
    """The same report as Markdown, to paste into a chat or an e-mail."""
    subject = _label(report.topic) if report.topic else "OTAN, Russie et Ukraine"
    lines = [f"# Veille de presse : {subject}", "",
             f"Du {_day(report.since)} au {_day(report.until)} (UTC), rapport du "
             f"{_day(report.generated_at)}.", "", "## Volume par thème", ""]
    totals: dict[str, int] = {}
    for _, topic, n in report.volume:
        totals[topic] = totals.get(topic, 0) + n
    lines += [f"- {_label(t)} : {n} article(s)" for t, n in sorted(totals.items())] or \
        ["Aucun article."]
    lines += ["", "## Les récits les plus repris", ""]
    for item in report.stories:
        s = item.story
        new = " **nouveau**" if report.is_new(item) else ""
        origin = f"dépêche {s.wire.upper()}" if s.wire else "reportage propre"
        title = f"[{s.title}]({item.url})" if item.url else (s.title or "(sans titre)")
        lines.append(f"- {title}{new} — {s.outlets} média(s), {s.articles} article(s), "
                     f"{origin} ; premier : {s.first_outlet}, {_day(s.first_seen_at)}")
    if not report.stories:
        lines.append("Aucun récit sur la période.")
    lines += ["", "## Sous-thèmes et entités en hausse", ""]
    lines += [f"- {r.tag} : {r.before} → {r.now}" for r in report.rising] or ["Aucune hausse."]
    lines += ["", "## Sources silencieuses ou en échec", ""]
    lines += [f"- {t.source} {t.what}" for t in report.troubles]
    lines += [f"- {q.outlet} : {q.in_period} article(s) contre {q.before}" for q in report.quiet]
    if not report.troubles and not report.quiet:
        lines.append("Toutes les sources publient comme d'habitude.")
    return "\n".join(lines) + "\n"
