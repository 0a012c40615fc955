"""Migrations: a database made by an older veille keeps its rows when the rest are applied."""

from __future__ import annotations

import sqlite3

import sqlite_utils

from storage.db import open_db
from storage.migrations import migrations


def test_database_at_an_older_migration_is_upgraded_with_its_rows(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    migrations.apply(old, stop_before="0003_tag_kinds")  # veille before sub-topics and entities
    assert not {"kind", "parents"} & set(old.table("article_topics").columns_dict)
    old.execute("INSERT INTO articles (url, canonical_url, source, title, text, fetched_at, "
                "content_hash) VALUES ('https://x.fr/a', 'https://x.fr/a', 'monde', "
                "'Kyïv sous les drones', 'Texte', '2026-11-27T10:00:00+00:00', 'h1')")
    old.execute("INSERT INTO article_topics (article_id, topic, score, evidence, rules_version) "
                "VALUES (1, 'ukraine', 6.0, '[]', 'v0')")
    old.execute("INSERT INTO seen_urls (canonical_url, source, status, article_id, attempts) "
                "VALUES ('https://x.fr/a', 'monde', 'stored', 1, 0)")
    old.conn.close()

    db = open_db(path)
    applied = [m.name for m in migrations.applied(db)]
    assert applied[:2] == ["0001_initial", "0002_source_runs"]
    assert not migrations.pending(db)
    assert db.execute("SELECT topic, kind, score FROM article_topics").fetchall() == [
        ("ukraine", "topic", 6.0)]
    assert db.execute("SELECT title, keywords, updated_at FROM articles").fetchall() == [
        ("Kyïv sous les drones", None, None)]
    # the full-text index still finds the old row, accents folded
    assert db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'kyiv'"
                      ).fetchall() == [(1,)]
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
