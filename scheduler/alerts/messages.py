"""Alert messages in French: one article, or a digest grouped by topic; safe for chat."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from storage.outbox import DueAlert
from veille.model import TagKind

Tags = dict[TagKind, list[str]]  # tag names by kind, strongest first

TOPIC_LABELS = {"nato": "OTAN", "russia": "Russie", "ukraine": "Ukraine"}
EXCERPT_CHARS = 320
ZWSP = "\u200b"
# Words that make a chat service notify a whole channel or a person.
MENTIONS = re.compile(r"@(?=(?:everyone|here|channel|all)\b)|<(?=[!@#])|@(?=\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Message:
    title: str
    body: str


def neutralise(text: str) -> str:
    """Break @everyone, @here, <!channel>, <@U123>... so that no one is pinged."""
    return MENTIONS.sub(lambda m: m.group(0) + ZWSP, text)


def local_time(value: str | None, zone: ZoneInfo) -> str:
    if not value:
        return "date inconnue"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if len(value) <= 10:  # a date without time
        return moment.strftime("%d/%m/%Y")
    return moment.astimezone(zone).strftime("%d/%m/%Y à %Hh%M")


def _excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)
    return flat[: cut if cut > limit // 2 else limit].rstrip(",;: ") + "…"


def _labels(names: list[str], labels: dict[str, str] | None = None) -> str:
    labels = {**TOPIC_LABELS, **(labels or {})}
    return ", ".join(labels.get(n, n) for n in names) or "—"


def fit(text: str, limit: int) -> str:
    """Cut `text` to `limit` characters at a line or word boundary, marking the cut."""
    if limit <= 0 or len(text) <= limit:
        return text
    room = max(1, limit - 1)
    cut = text.rfind("\n", 0, room)
    if cut < room // 2:
        cut = text.rfind(" ", 0, room)
    if cut < room // 2:
        cut = room
    return text[:cut].rstrip() + "…"


def article_message(article: DueAlert, tags: Tags, zone: ZoneInfo, body_max: int,
                    title_max: int, labels: dict[str, str] | None = None) -> Message:
    """The alert for one article."""
    outlet = article.sitename or article.source
    lines = [
        f"Source : {outlet} · publié le {local_time(article.published_at, zone)}",
        f"Thèmes : {_labels(tags.get(TagKind.TOPIC, []), labels)}",
    ]
    if tags.get(TagKind.SUBTOPIC) or tags.get(TagKind.ENTITY):
        lines.append(f"Sous-thèmes : {_labels(tags.get(TagKind.SUBTOPIC, []), labels)} · "
                     f"Entités : {_labels(tags.get(TagKind.ENTITY, []), labels)}")
    lines += ["", _excerpt(article.text or ""), "", article.url]
    body = neutralise("\n".join(lines))
    link = "\n" + article.url
    if len(body) > body_max > 0:  # keep the link whatever the cut
        body = fit(body[: -len(link)], body_max - len(link)) + link
    title = neutralise(f"[veille] {article.title or 'Article sans titre'}")
    return Message(fit(title, title_max) if title_max else title, body)


def follow_up_message(alert: DueAlert, outlets: list[tuple[str, str]], zone: ZoneInfo,
                      body_max: int, title_max: int) -> Message:
    """The story has been taken up widely: who ran it, and when."""
    title = neutralise(f"[veille] Repris par {len(outlets)} médias : "
                       f"{alert.story_title or alert.title or 'Article sans titre'}")
    lines = [f"L'histoire signalée est désormais publiée par {len(outlets)} médias :", ""]
    lines += [f"• {local_time(at, zone)} · {outlet}" for outlet, at in outlets]
    lines += ["", alert.url]
    body = neutralise("\n".join(lines))
    if len(body) > body_max > 0:
        body = fit(body, body_max)
    return Message(fit(title, title_max) if title_max else title, body)


def digest_message(articles: list[DueAlert], tags: dict[int, Tags], zone: ZoneInfo,
                   body_max: int, title_max: int, reason: str = "",
                   labels: dict[str, str] | None = None) -> Message:
    """Several articles in one message, grouped by their main topic, with counts: one
    entry per story (its first matching article, and how many outlets published it)."""
    groups: dict[str, list[DueAlert]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    seen: set[int] = set()
    entries = []
    for article in articles:  # a story's first alert and its follow-up are one entry
        if article.story_id is None or article.story_id not in seen:
            entries.append(article)
        if article.story_id is not None:
            seen.add(article.story_id)
    articles = entries
    for article in articles:
        topics = tags.get(article.article_id, {}).get(TagKind.TOPIC, []) or ["autres"]
        groups[topics[0]].append(article)
        for topic in topics:
            counts[topic] += 1
    labels = {**TOPIC_LABELS, **(labels or {})}
    summary = ", ".join(f"{labels.get(t, t)} {n}" for t, n in
                        sorted(counts.items(), key=lambda kv: -kv[1]))
    title = f"[veille] Résumé : {len(articles)} article{'s' * (len(articles) > 1)} ({summary})"
    lines = [reason] if reason else []
    for topic in sorted(groups, key=lambda t: -len(groups[t])):
        lines += ["", f"{labels.get(topic, topic)} ({len(groups[topic])})"]
        for article in groups[topic]:
            when = local_time(article.published_at, zone)
            outlet = article.sitename or article.source
            others = f" (repris par {article.outlets} médias)" if article.outlets > 1 else ""
            lines.append(f"• {when} · {outlet} — {article.title or '(sans titre)'}{others}")
            lines.append(f"  {article.url}")
    body = neutralise("\n".join(lines).strip())
    if len(body) > body_max > 0:
        body = _fit_digest(lines, body_max, len(articles))
    title = neutralise(title)
    return Message(fit(title, title_max) if title_max else title, body)


def _fit_digest(lines: list[str], limit: int, total: int) -> str:
    """Whole entries only, then '… et N autres articles'."""
    kept: list[str] = []
    shown = 0
    for i, line in enumerate(lines):
        candidate = "\n".join([*kept, line]).strip()
        tail = f"\n… et {total - shown} autre(s) article(s)"
        if len(neutralise(candidate)) + len(tail) > limit:
            break
        kept.append(line)
        if line.startswith("• ") and i + 1 < len(lines):
            continue
        if line.startswith("  http"):
            shown += 1
    if kept and kept[-1].startswith("• "):
        kept.pop()
    text = "\n".join(kept).strip()
    if shown < total:
        text += f"\n… et {total - shown} autre(s) article(s)"
    return neutralise(text)[:limit]
