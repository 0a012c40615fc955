"""Named schema migrations; each runs once, in order, recorded in _sqlite_migrations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from storage.errors import UnusableDatabaseError

migrations = Migrations("veille")
NAMES: list[str] = []  # every migration of this veille, in order


MigrationFunction = Callable[[sqlite_utils.Database], None]


def migration(name: str) -> Callable[[MigrationFunction], MigrationFunction]:
    """Register a named migration (and remember its name, to recognise newer schemas)."""
    NAMES.append(name)
    return migrations(name=name)

# FTS that ignores case and accents: "Kyïv" finds "Kyiv", "otan" finds "OTAN".
FTS_TOKENIZER = "unicode61 remove_diacritics 2"


@migration("0001_initial")
def initial(db: sqlite_utils.Database) -> None:
    db.table("sources").create(
        {
            "name": str,
            "url": str,
            "kind": str,
            "enabled": int,
            "allow_private": int,
            "config": str,
            "added_at": str,
            "updated_at": str,
        },
        pk="name",
    )
    db.table("crawl_runs").create(
        {
            "id": int,
            "trigger": str,
            "sources": str,
            "started_at": str,
            "ended_at": str,
            "status": str,
            "counters": str,
            "error": str,
            "pid": int,
            "host": str,
        },
        pk="id",
    )
    db.table("articles").create(
        {
            "id": int,
            "url": str,
            "canonical_url": str,
            "source": str,
            "title": str,
            "text": str,
            "author": str,
            "published_at": str,
            "fetched_at": str,
            "language": str,
            "language_score": float,
            "content_hash": str,
            "description": str,
            "sitename": str,
            "feed_title": str,
            "run_id": int,
        },
        pk="id",
        not_null={"url", "canonical_url", "source", "text", "fetched_at", "content_hash"},
    )
    db.table("articles").create_index(["canonical_url"], unique=True)
    db.table("articles").create_index(["content_hash"])
    db.table("articles").create_index(["published_at"])
    db.table("articles").create_index(["source", "fetched_at"])
    db.table("articles").enable_fts(["title", "text"], create_triggers=True, tokenize=FTS_TOKENIZER)
    db.table("article_topics").create(
        {"article_id": int, "topic": str, "score": float, "evidence": str, "rules_version": str},
        pk=("article_id", "topic"),
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("article_topics").create_index(["topic", "article_id"])
    # Every article URL veille has decided about, stored or rejected, so that no
    # URL is downloaded twice across runs.
    db.table("seen_urls").create(
        {
            "canonical_url": str,
            "source": str,
            "status": str,
            "article_id": int,
            "attempts": int,
            "detail": str,
            "first_seen": str,
            "last_seen": str,
        },
        pk="canonical_url",
    )
    db.table("seen_urls").create_index(["status"])


@migration("0002_source_runs")
def source_runs(db: sqlite_utils.Database) -> None:
    """One row per source and run: what `veille health` reads."""
    db.table("source_runs").create(
        {
            "id": int,
            "run_id": int,
            "source": str,
            "status": str,
            "detail": str,
            "links": int,
            "fetched": int,
            "new": int,
            "errors": int,
            "started_at": str,
            "ended_at": str,
        },
        pk="id",
    )
    db.table("source_runs").create_index(["source", "id"])
    db.table("source_runs").create_index(["run_id"])


@migration("0003_tag_kinds")
def tag_kinds(db: sqlite_utils.Database) -> None:
    """article_topics also holds sub-topics and entities, told apart by `kind`."""
    db.table("article_topics").add_column("kind", str, not_null_default="topic")
    db.table("article_topics").add_column("parents", str)
    db.table("article_topics").create_index(["kind", "topic"])


@migration("0004_discovery")
def discovery(db: sqlite_utils.Database) -> None:
    """Validators for conditional requests, sitemap keywords, and article revisions."""
    db.table("http_validators").create(
        {"url": str, "etag": str, "last_modified": str, "checked_at": str}, pk="url")
    db.table("articles").add_column("keywords", str)
    db.table("articles").add_column("updated_at", str)
    db.table("article_revisions").create(
        {"id": int, "article_id": int, "title": str, "text": str, "content_hash": str,
         "fetched_at": str, "replaced_at": str},
        pk="id", foreign_keys=[("article_id", "articles", "id")])
    db.table("article_revisions").create_index(["article_id"])


@migration("0005_alerts")
def alerts(db: sqlite_utils.Database) -> None:
    """The durable outbox of alerts and the log of messages sent."""
    db.table("alert_outbox").create(
        {"id": int, "key": str, "rule": str, "target_id": str, "target": str,
         "article_id": int, "story": str, "mode": str, "status": str, "folded": int,
         "attempts": int, "no_answer": int, "next_attempt_at": str, "created_at": str,
         "claimed_at": str, "sent_at": str, "last_error": str},
        pk="id", not_null={"key", "rule", "target_id", "article_id", "status"},
        foreign_keys=[("article_id", "articles", "id")])
    db.table("alert_outbox").create_index(["key"], unique=True)
    db.table("alert_outbox").create_index(["status", "next_attempt_at"])
    db.table("alert_messages").create(
        {"id": int, "rule": str, "target_id": str, "target": str, "kind": str, "items": int,
         "status": str, "detail": str, "sent_at": str}, pk="id")
    db.table("alert_messages").create_index(["target_id", "sent_at"])



@migration("0008_search")
def search_index(db: sqlite_utils.Database) -> None:
    """Search on French lemmas (singular, plural and feminine found together) and the
    date every filter and sort reads (publication date, else fetch date)."""
    from storage.search import LEMMA_FTS, index_article

    db.execute(f"CREATE VIRTUAL TABLE {LEMMA_FTS} USING fts5(title, text, content='', "
               f"tokenize='{FTS_TOKENIZER}')")
    last = 0
    while True:  # in batches: a million texts are not read at once
        rows = db.execute("SELECT id, title, text FROM articles WHERE id > ? ORDER BY id "
                          "LIMIT 1000", [last]).fetchall()
        for article_id, title, text in rows:
            index_article(db, article_id, title, text)
        if not rows:
            break
        last = rows[-1][0]
    db.execute("CREATE INDEX articles_at ON articles (COALESCE(published_at, fetched_at))")


@migration("0009_search_filters")
def search_filters(db: sqlite_utils.Database) -> None:
    """What search filters and sorts read of each match, without reading its text: a
    lookup in this index instead of the articles table (a third of the time at 100K)."""
    db.execute("CREATE INDEX articles_filter ON articles (id, source, published_at, "
               "fetched_at)")


# Views for analysts (sqlite3, pandas, Datasette): plain SQL over the tables, no full text.
VIEWS = {
    # Every stored article with its tags, one line each: what a list page should show.
    "tagged_articles": """
        SELECT a.id, COALESCE(a.published_at, a.fetched_at) AS published, a.source AS outlet,
               a.title, a.url,
               (SELECT group_concat(topic, ', ') FROM (SELECT topic FROM article_topics t
                 WHERE t.article_id = a.id AND t.kind = 'topic' ORDER BY t.score DESC))
                 AS topics,
               (SELECT group_concat(topic, ', ') FROM (SELECT topic FROM article_topics t
                 WHERE t.article_id = a.id AND t.kind = 'subtopic' ORDER BY t.score DESC))
                 AS subtopics,
               (SELECT group_concat(topic, ', ') FROM (SELECT topic FROM article_topics t
                 WHERE t.article_id = a.id AND t.kind = 'entity' ORDER BY t.score DESC))
                 AS entities,
               a.story_id AS story, a.wire, a.copy_of
        FROM articles a""",
    # Articles and outlets per day and main topic (publication day, else fetch day, UTC).
    "daily_volume": """
        SELECT substr(COALESCE(a.published_at, a.fetched_at), 1, 10) AS day, t.topic,
               count(*) AS articles, count(DISTINCT a.source) AS outlets
        FROM articles a JOIN article_topics t ON t.article_id = a.id AND t.kind = 'topic'
        GROUP BY day, t.topic""",
    # Stories, the most widely published first, with who published first.
    "top_stories": """
        SELECT s.id AS story, s.title, f.source AS first_outlet, s.first_seen_at AS first_seen,
               s.last_seen_at AS last_seen, s.outlets, s.articles,
               (SELECT group_concat(value, ', ') FROM json_each(s.topics)) AS topics,
               (SELECT w.wire FROM articles w WHERE w.story_id = s.id AND w.wire IS NOT NULL
                 GROUP BY w.wire ORDER BY count(*) DESC LIMIT 1) AS wire
        FROM stories s LEFT JOIN articles f ON f.id = s.first_article_id""",
    # Each story's articles in order: who was first, who followed and how much later.
    "story_timeline": """
        SELECT a.story_id AS story, a.id AS article, a.source AS outlet, a.title,
               COALESCE(a.published_at, a.fetched_at) AS published,
               CAST(round((julianday(COALESCE(a.published_at, a.fetched_at))
                 - julianday(s.first_seen_at)) * 1440) AS INTEGER) AS minutes_after_first,
               CASE WHEN a.id = s.first_article_id THEN 'first'
                    WHEN a.copy_of IS NOT NULL THEN 'copy'
                    ELSE 'own reporting' END AS role,
               a.copy_of, a.wire, l.signal, l.score
        FROM articles a JOIN stories s ON s.id = a.story_id
        LEFT JOIN story_links l ON l.article_id = a.id""",
    # Each outlet's last 30 days: how much it published, and when it last did.
    "source_activity": """
        SELECT outlet, recent AS articles_30d, round(recent / 30.0, 1) AS per_day_30d,
               last_article,
               CAST(julianday('now') - julianday(last_article) AS INTEGER) AS days_since_last
        FROM (SELECT a.source AS outlet, max(a.fetched_at) AS last_article,
                     sum(COALESCE(a.published_at, a.fetched_at)
                         >= strftime('%Y-%m-%dT%H:%M:%S', 'now', '-30 days')) AS recent
              FROM articles a GROUP BY a.source)""",
}


@migration("0010_views")
def views(db: sqlite_utils.Database) -> None:
    """Views for analysts: tagged articles without their text, daily volume, top stories,
    story timelines, source activity."""
    for name, sql in VIEWS.items():
        db.execute(f"CREATE VIEW {name} AS {sql}")


@migration("0011_reports")
def reports(db: sqlite_utils.Database) -> None:
    """Each report written, so that the next one says what is new since."""
    db.table("reports").create({"id": int, "generated_at": str, "since": str, "until": str,
                                "topic": str, "format": str, "path": str}, pk="id")

def check_version(db: sqlite_utils.Database, path: str | Path) -> None:
    """Refuse a database that a newer veille migrated: its schema is not this one's, and
    writing to it could lose what the newer version keeps."""
    applied = migrations.applied(db)
    if not applied and db.table_names():
        raise UnusableDatabaseError(
            f"{path} is an SQLite database, but not a veille one (it has tables and no veille "
            "schema): pass --db the path of a veille database, or a new path")
    unknown = [m.name for m in applied if m.name not in NAMES]
    if unknown:
        raise UnusableDatabaseError(
            f"{path} was written by a newer veille (schema {unknown[-1]}; this veille knows up "
            f"to {NAMES[-1]}): upgrade veille to use it; nothing was read or written")


@migration("0006_validator_sources")
def validator_sources(db: sqlite_utils.Database) -> None:
    """Which source each listing's validators belong to, so that `veille forget` can
    clear them."""
    db.table("http_validators").add_column("source", str)


@migration("0007_stories")
def stories(db: sqlite_utils.Database) -> None:
    """Near-copies (fingerprints and their LSH bands), wire attribution, and stories: the
    same event across outlets, with why each article joined its story."""
    db.table("articles").add_column("copy_of", int)  # the first stored article of its copies
    db.table("articles").add_column("wire", str)  # the agency whose dispatch the text is
    db.table("articles").add_column("story_id", int)
    db.table("articles").create_index(["copy_of"])
    db.table("articles").create_index(["story_id"])
    db.table("articles").create_index(["wire"])
    db.execute("CREATE TABLE fingerprint_schemes (id INTEGER PRIMARY KEY, scheme TEXT UNIQUE)")
    # Each text's signature, with its band keys (packed 64-bit integers) so that its rows of
    # fingerprint_bands are found without a second index.
    db.execute("CREATE TABLE fingerprints (article_id INTEGER PRIMARY KEY REFERENCES "
               "articles(id), scheme_id INTEGER, shingles INTEGER, signature BLOB, bands BLOB)")
    # One row per band of each signature; the band key mixes in the scheme, so that
    # signatures of two schemes never meet.
    db.execute("CREATE TABLE fingerprint_bands (key INTEGER, article_id INTEGER, "
               "PRIMARY KEY (key, article_id)) WITHOUT ROWID")
    db.table("stories").create(
        {"id": int, "title": str, "first_article_id": int, "first_seen_at": str,
         "last_seen_at": str, "articles": int, "outlets": int, "topics": str},
        pk="id")
    db.table("stories").create_index(["last_seen_at"])
    db.table("stories").create_index(["first_seen_at"])
    db.table("story_links").create(
        {"article_id": int, "story_id": int, "linked_to": int, "signal": str, "score": float,
         "evidence": str},
        pk="article_id")
    db.table("story_links").create_index(["story_id"])
    # The terms stories are matched on (title and lead lemmas, names, entities, numbers,
    # event days), twice: each article's as one row (what is read of a candidate, with the
    # total worth of its terms when `counted` articles were stored), and each term's
    # articles with the time they stand for, in Unix seconds (how candidates are found);
    # and how many articles use each term.
    db.execute("CREATE TABLE article_terms (article_id INTEGER PRIMARY KEY, at TEXT, "
               "total REAL, counted INTEGER, terms TEXT)")
    db.execute("CREATE TABLE story_terms (term TEXT, at INTEGER, article_id INTEGER, "
               "PRIMARY KEY (term, at, article_id)) WITHOUT ROWID")
    db.execute("CREATE TABLE term_counts (term TEXT PRIMARY KEY, articles INTEGER, "
               "prior REAL) WITHOUT ROWID")
    # Alerts are per story now: the first matching article, and a follow-up when the
    # story reaches a number of outlets.
    db.table("alert_outbox").add_column("story_id", int)
    db.table("alert_outbox").add_column("kind", str, not_null_default="first")


@migration("0012_robots_cache")
def robots_cache(db: sqlite_utils.Database) -> None:
    """Each host's robots.txt as last fetched, kept up to 24 hours (RFC 9309, 2.4), so that
    a crawl every few minutes does not fetch it, and wait after it, every time."""
    db.table("robots_cache").create(
        {"origin": str, "status": int, "body": bytes, "fetched_at": str, "expires_at": str},
        pk="origin")
