"""Fingerprints of stored texts (near-copies), story terms and stories: reads and writes.

Every function writes inside the caller's transaction: the pipeline decides about an
article (is it a copy? of which story?) and stores it in one transaction, so that two
processes never open two stories for one event.
"""

from __future__ import annotations

import json
from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from veille.model import StoryFacts
from veille.times import moment

TOTAL = ""  # the term_counts row that counts the articles themselves
DAY = "!"  # the first character of an event day's term ("!2026-11-05")


@dataclass(frozen=True)
class StoredText:
    """What the copy and story checks need to know of a stored article."""

    id: int
    source: str
    url: str
    text: str
    copy_of: int | None
    wire: str | None
    story_id: int | None
    at: str  # published_at, else fetched_at


@dataclass(frozen=True)
class StoryRow:
    id: int
    title: str | None
    first_article_id: int
    first_seen_at: str
    last_seen_at: str
    articles: int
    outlets: int
    topics: list[str]


# -- fingerprints ---------------------------------------------------------------------


def scheme_id(db: sqlite_utils.Database, scheme: str) -> int:
    db.execute("INSERT OR IGNORE INTO fingerprint_schemes (scheme) VALUES (?)", [scheme])
    return int(db.execute("SELECT id FROM fingerprint_schemes WHERE scheme = ?",
                          [scheme]).fetchone()[0])


def add_fingerprint(db: sqlite_utils.Database, article_id: int, scheme: int, shingles: int,
                    signature: bytes, bands: Iterable[int]) -> None:
    remove_fingerprint(db, article_id)
    keys = list(bands)
    db.execute("INSERT INTO fingerprints (article_id, scheme_id, shingles, signature, bands) "
               "VALUES (?, ?, ?, ?, ?)",
               [article_id, scheme, shingles, signature, array("q", keys).tobytes()])
    db.conn.executemany(
        "INSERT OR IGNORE INTO fingerprint_bands (key, article_id) VALUES (?, ?)",
        [(key, article_id) for key in keys])


def remove_fingerprint(db: sqlite_utils.Database, article_id: int) -> None:
    row = db.execute("SELECT bands FROM fingerprints WHERE article_id = ?",
                     [article_id]).fetchone()
    if row is None:
        return
    db.conn.executemany("DELETE FROM fingerprint_bands WHERE key = ? AND article_id = ?",
                        [(key, article_id) for key in array("q", row[0] or b"")])
    db.execute("DELETE FROM fingerprints WHERE article_id = ?", [article_id])


def band_matches(db: sqlite_utils.Database, bands: Iterable[int],
                 limit: int) -> list[tuple[int, int]]:
    """(article id, bands shared) of the stored texts sharing a band, most shared first."""
    keys = list(bands)
    marks = ",".join("?" * len(keys))
    return [(r[0], r[1]) for r in db.execute(
        f"SELECT article_id, count(*) AS n FROM fingerprint_bands WHERE key IN ({marks}) "  # noqa: S608
        "GROUP BY article_id ORDER BY n DESC, article_id LIMIT ?", [*keys, limit])]


def signatures(db: sqlite_utils.Database, ids: list[int],
               scheme: int) -> dict[int, tuple[int, bytes]]:
    """{article id: (shingle count, signature)} for fingerprints of this scheme."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {r[0]: (r[1], r[2]) for r in db.execute(
        f"SELECT article_id, shingles, signature FROM fingerprints WHERE article_id IN "  # noqa: S608
        f"({marks}) AND scheme_id = ?", [*ids, scheme])}


def stored_texts(db: sqlite_utils.Database, ids: list[int]) -> dict[int, StoredText]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {r[0]: StoredText(*r) for r in db.execute(
        f"SELECT id, source, url, text, copy_of, wire, story_id, "  # noqa: S608
        f"COALESCE(published_at, fetched_at) FROM articles WHERE id IN ({marks})", ids)}


# -- story terms ------------------------------------------------------------------------


def add_story_terms(db: sqlite_utils.Database, article_id: int, at: str,
                    priors: dict[str, float], days: Iterable[str] = (),
                    total: tuple[float, int] | None = None) -> None:
    """Index an article's terms (with each term's worth in French) and its event days,
    count it in each term's number of articles, and keep its terms with their `total`
    worth, as weighed when so many articles were counted (by default, their worth in
    French)."""
    unique = sorted({*priors, *days})
    worth, counted = total if total is not None else (sum(priors.values()), 0)
    db.execute("INSERT OR REPLACE INTO article_terms (article_id, at, total, counted, terms) "
               "VALUES (?, ?, ?, ?, ?)",
               [article_id, at, round(worth, 4), counted, "\n".join(unique)])
    db.conn.executemany(
        "INSERT OR IGNORE INTO story_terms (term, at, article_id) VALUES (?, ?, ?)",
        [(t, _seconds(at), article_id) for t in unique])
    db.conn.executemany(
        "INSERT INTO term_counts (term, articles, prior) VALUES (?, 1, ?) ON CONFLICT(term) "
        "DO UPDATE SET articles = articles + 1, prior = COALESCE(excluded.prior, prior)",
        [(TOTAL, None), *((t, priors.get(t)) for t in unique)])


def reweigh_terms(db: sqlite_utils.Database,
                  totals: Iterable[tuple[int, float, int]]) -> None:
    """Keep the worth of articles' terms as weighed again: (article id, total, counted)."""
    db.conn.executemany("UPDATE article_terms SET total = ?, counted = ? WHERE article_id = ?",
                        [(round(total, 4), counted, article_id)
                         for article_id, total, counted in totals])


def remove_story_terms(db: sqlite_utils.Database, article_id: int) -> None:
    row = db.execute("SELECT at, terms FROM article_terms WHERE article_id = ?",
                     [article_id]).fetchone()
    if row is None:
        return
    at, terms = _seconds(row[0]), _terms(row[1])
    db.conn.executemany("DELETE FROM story_terms WHERE term = ? AND at = ? AND article_id = ?",
                        [(t, at, article_id) for t in terms])
    db.execute("DELETE FROM article_terms WHERE article_id = ?", [article_id])
    db.conn.executemany("UPDATE term_counts SET articles = max(0, articles - 1) "
                        "WHERE term = ?", [(t,) for t in [TOTAL, *terms]])


def _seconds(at: str) -> int:
    """story_terms keeps times as Unix seconds: a quarter of the size of ISO text."""
    return int(moment(at).timestamp())


def _terms(joined: str | None) -> list[str]:
    return joined.split("\n") if joined else []


def term_counts(db: sqlite_utils.Database,
                terms: Iterable[str]) -> tuple[dict[str, tuple[int, float | None]], int]:
    """({term: (articles using it, its worth in French)}, articles with terms)."""
    wanted = [TOTAL, *set(terms)]
    marks = ",".join("?" * len(wanted))
    rows = {r[0]: (r[1], r[2]) for r in db.execute(
        f"SELECT term, articles, prior FROM term_counts WHERE term IN ({marks})", wanted)}  # noqa: S608
    total = rows.get(TOTAL, (0, None))[0]
    return {t: rows.get(t, (0, None)) for t in wanted if t != TOTAL}, total


def term_matches(db: sqlite_utils.Database, terms: list[str], start: str, end: str,
                 limit: int) -> list[tuple[int, int]]:
    """(article id, terms shared) of the articles between `start` and `end` that share
    at least two of `terms`, most shared first."""
    if not terms:
        return []
    marks = ",".join("?" * len(terms))
    return [(r[0], r[1]) for r in db.execute(
        f"SELECT article_id, count(*) AS n FROM story_terms WHERE term IN ({marks}) "  # noqa: S608
        "AND at BETWEEN ? AND ? GROUP BY article_id HAVING n >= 2 ORDER BY n DESC LIMIT ?",
        [*terms, _seconds(start), _seconds(end), limit])]


@dataclass(frozen=True)
class Candidate:
    """A stored article a new one may join the story of, as the story check reads it."""

    id: int
    story_id: int
    at: str
    total: float  # the worth of its terms...
    counted: int  # ...when this many articles had terms
    shared: frozenset[str]  # the terms asked about that it has
    days: frozenset[str]  # the days its lead puts its event on
    terms: tuple[str, ...]  # all its terms, event days first


def candidates(db: sqlite_utils.Database, ids: list[int],
               wanted: set[str]) -> dict[int, Candidate]:
    """The articles among `ids` that are in a story, with which of the `wanted` terms they
    have and their event days."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    found = {}
    for article_id, story_id, at, total, counted, joined in db.execute(
            f"SELECT t.article_id, a.story_id, t.at, t.total, t.counted, t.terms "  # noqa: S608
            f"FROM article_terms t JOIN articles a ON a.id = t.article_id "
            f"WHERE t.article_id IN ({marks}) AND a.story_id IS NOT NULL", ids):
        theirs = tuple(_terms(joined))  # sorted: "!2026-11-03" before any other term
        days = 0
        while days < len(theirs) and theirs[days].startswith(DAY):
            days += 1
        found[article_id] = Candidate(article_id, story_id, at, total, counted or 0,
                                      frozenset(wanted.intersection(theirs)),
                                      frozenset(theirs[:days]), theirs)
    return found


# -- stories ----------------------------------------------------------------------------


def story_of(db: sqlite_utils.Database, ids: list[int]) -> dict[int, int]:
    """{article id: story id} of these articles."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {r[0]: r[1] for r in db.execute(
        f"SELECT id, story_id FROM articles WHERE id IN ({marks}) AND story_id IS NOT NULL",  # noqa: S608
        ids)}


def new_story(db: sqlite_utils.Database, article_id: int) -> int:
    """A story whose first article is `article_id` (stored already)."""
    cursor = db.execute("INSERT INTO stories (first_article_id, articles, outlets) "
                        "VALUES (?, 0, 0)", [article_id])
    return int(cursor.lastrowid or 0)


def set_story(db: sqlite_utils.Database, article_id: int, story_id: int, linked_to: int | None,
              signal: str, score: float, evidence: dict[str, Any]) -> None:
    """Put an article in a story, with why; the story's figures follow."""
    previous = db.execute("SELECT story_id FROM articles WHERE id = ?", [article_id]).fetchone()
    db.execute("UPDATE articles SET story_id = ? WHERE id = ?", [story_id, article_id])
    db.execute("INSERT OR REPLACE INTO story_links (article_id, story_id, linked_to, signal, "
               "score, evidence) VALUES (?, ?, ?, ?, ?, ?)",
               [article_id, story_id, linked_to, signal, round(score, 3),
                json.dumps(evidence, ensure_ascii=False)])
    refresh_story(db, story_id)
    if previous and previous[0] and previous[0] != story_id:
        refresh_story(db, previous[0])


def refresh_story(db: sqlite_utils.Database, story_id: int) -> None:
    """Recompute a story's title, first article, dates, counts and topics from its articles
    (an empty story is removed)."""
    first = db.execute(
        "SELECT id, title, COALESCE(published_at, fetched_at) AS at FROM articles "
        "WHERE story_id = ? ORDER BY at, id LIMIT 1", [story_id]).fetchone()
    if first is None:
        db.execute("DELETE FROM stories WHERE id = ?", [story_id])
        return
    figures = db.execute(
        "SELECT max(COALESCE(published_at, fetched_at)), count(*), count(DISTINCT source) "
        "FROM articles WHERE story_id = ?", [story_id]).fetchone()
    topics = [r[0] for r in db.execute(
        "SELECT t.topic FROM article_topics t JOIN articles a ON a.id = t.article_id "
        "WHERE a.story_id = ? AND t.kind = 'topic' GROUP BY t.topic ORDER BY count(*) DESC, "
        "t.topic", [story_id])]
    db.execute("UPDATE stories SET title = ?, first_article_id = ?, first_seen_at = ?, "
               "last_seen_at = ?, articles = ?, outlets = ?, topics = ? WHERE id = ?",
               [first[1], first[0], first[2], figures[0], figures[1], figures[2],
                json.dumps(topics), story_id])


def get_story(db: sqlite_utils.Database, story_id: int) -> StoryRow | None:
    row = db.execute("SELECT id, title, first_article_id, first_seen_at, last_seen_at, "
                     "articles, outlets, topics FROM stories WHERE id = ?",
                     [story_id]).fetchone()
    if row is None:
        return None
    return StoryRow(id=row[0], title=row[1], first_article_id=row[2], first_seen_at=row[3],
                    last_seen_at=row[4], articles=row[5], outlets=row[6],
                    topics=json.loads(row[7] or "[]"))


def story_facts(db: sqlite_utils.Database, story_id: int) -> StoryFacts | None:
    row = db.execute("SELECT id, title, first_seen_at, outlets, articles FROM stories "
                     "WHERE id = ?", [story_id]).fetchone()
    return StoryFacts(*row) if row else None


def set_copy(db: sqlite_utils.Database, article_id: int, copy_of: int | None,
             wire: str | None) -> None:
    db.execute("UPDATE articles SET copy_of = ?, wire = ? WHERE id = ?",
               [copy_of, wire, article_id])


def merge_stories(db: sqlite_utils.Database, into: int, other: int) -> None:
    """One story after all: `other`'s articles move to `into` (an article that matched
    both is the bridge; its link says so)."""
    if into == other:
        return
    db.execute("UPDATE articles SET story_id = ? WHERE story_id = ?", [into, other])
    db.execute("UPDATE story_links SET story_id = ? WHERE story_id = ?", [into, other])
    db.execute("DELETE FROM stories WHERE id = ?", [other])
    refresh_story(db, into)


def group_wire(db: sqlite_utils.Database, root: int) -> str | None:
    """The agency any article of a copy group declares."""
    row = db.execute("SELECT wire FROM articles WHERE (id = ? OR copy_of = ?) AND wire IS NOT "
                     "NULL ORDER BY id LIMIT 1", [root, root]).fetchone()
    return row[0] if row else None


def spread_wire(db: sqlite_utils.Database, root: int, wire: str) -> None:
    """Copies whose credit was removed take the agency their group declares."""
    db.execute("UPDATE articles SET wire = ? WHERE (id = ? OR copy_of = ?) AND wire IS NULL",
               [wire, root, root])


@dataclass(frozen=True)
class Appearance:
    """One article of a story, as its timeline shows it."""

    article_id: int
    source: str
    outlet: str  # the page's site name, else the source
    at: str  # published, else fetched
    title: str | None
    url: str
    copy_of: int | None
    wire: str | None
    signal: str | None  # how it joined: first, copy, title_lead
    score: float | None
    evidence: dict[str, Any]


def timeline(db: sqlite_utils.Database, story_id: int) -> list[Appearance]:
    """The story's articles, earliest first."""
    return [Appearance(r[0], r[1], r[2] or r[1], r[3], r[4], r[5], r[6], r[7], r[8], r[9],
                       json.loads(r[10] or "{}")) for r in db.execute(
        "SELECT a.id, a.source, a.sitename, COALESCE(a.published_at, a.fetched_at) AS at, "
        "a.title, a.url, a.copy_of, a.wire, l.signal, l.score, l.evidence FROM articles a "
        "LEFT JOIN story_links l ON l.article_id = a.id WHERE a.story_id = ? "
        "ORDER BY at, a.id", [story_id])]


# -- listing and rebuilding ----------------------------------------------------------------


@dataclass(frozen=True)
class StoryLine:
    """A story as `veille stories` lists it."""

    id: int
    title: str | None
    first_seen_at: str
    last_seen_at: str
    articles: int
    outlets: int
    topics: list[str]
    first_outlet: str
    wire: str | None  # the agency most of its copies come from


def list_stories(db: sqlite_utils.Database, *, since: str | None = None,
                 topic: str | None = None, min_outlets: int = 1,
                 limit: int = 50) -> list[StoryLine]:
    """Stories seen since `since`, most outlets first, then the latest."""
    where: list[str] = ["s.outlets >= ?"]
    params: list[object] = [min_outlets]
    if since:
        where.append("s.last_seen_at >= ?")
        params.append(since)
    if topic:
        where.append("EXISTS (SELECT 1 FROM json_each(s.topics) WHERE value = ?)")
        params.append(topic)
    rows = db.execute(
        f"""SELECT s.id, s.title, s.first_seen_at, s.last_seen_at, s.articles, s.outlets,
                   s.topics, COALESCE(f.sitename, f.source),
                   (SELECT wire FROM articles w WHERE w.story_id = s.id AND w.wire IS NOT NULL
                     GROUP BY wire ORDER BY count(*) DESC LIMIT 1)
            FROM stories s JOIN articles f ON f.id = s.first_article_id
            WHERE {" AND ".join(where)}
            ORDER BY s.outlets DESC, s.last_seen_at DESC, s.id DESC LIMIT ?""",  # noqa: S608
        [*params, limit]).fetchall()
    return [StoryLine(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6] or "[]"), r[7], r[8])
            for r in rows]


@dataclass(frozen=True)
class StoredArticle:
    """What `veille restory` reads of a stored article to decide about it again."""

    id: int
    url: str
    title: str | None
    text: str
    author: str | None
    at: str
    entities: list[str]


def articles_since(db: sqlite_utils.Database, since: str | None) -> list[int]:
    """Ids of the articles published (or fetched) since `since`, in the order stored."""
    if since:
        return [r[0] for r in db.execute(
            "SELECT id FROM articles WHERE COALESCE(published_at, fetched_at) >= ? ORDER BY id",
            [since])]
    return [r[0] for r in db.execute("SELECT id FROM articles ORDER BY id")]


def stored_articles(db: sqlite_utils.Database, ids: list[int]) -> list[StoredArticle]:
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    entities: dict[int, list[str]] = defaultdict(list)
    for article_id, topic in db.execute(
            f"SELECT article_id, topic FROM article_topics WHERE kind = 'entity' AND "  # noqa: S608
            f"article_id IN ({marks})", ids):
        entities[article_id].append(topic)
    return [StoredArticle(r[0], r[1], r[2], r[3], r[4], r[5], entities[r[0]])
            for r in db.execute(
                f"SELECT id, url, title, text, author, COALESCE(published_at, fetched_at) "  # noqa: S608
                f"FROM articles WHERE id IN ({marks}) ORDER BY id", ids)]


def forget_story_data(db: sqlite_utils.Database, ids: list[int]) -> None:
    """Undo what copies, wires and stories say of these articles (inside the caller's
    transaction): stories left without articles go."""
    stories: set[int] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        stories |= {r[0] for r in db.execute(
            f"SELECT DISTINCT story_id FROM articles WHERE id IN ({marks}) "  # noqa: S608
            "AND story_id IS NOT NULL", chunk)}
        for article_id in chunk:
            remove_story_terms(db, article_id)
            remove_fingerprint(db, article_id)
        db.execute(f"DELETE FROM story_links WHERE article_id IN ({marks})", chunk)  # noqa: S608
        db.execute(f"UPDATE articles SET story_id = NULL, copy_of = NULL, wire = NULL "  # noqa: S608
                   f"WHERE id IN ({marks})", chunk)
    for story_id in stories:
        refresh_story(db, story_id)
