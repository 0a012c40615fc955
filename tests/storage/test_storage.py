"""The database: WAL, migrations, search, the URL memory, run history."""

import sqlite3

import pytest

from scheduler.dedup.content import content_hash
from storage.articles import store_article
from storage.db import open_db
from storage.queries import QueryError, parse_since, parse_until
from storage.runs import close_stale_runs, finish_run, start_run
from storage.seen import article_id_for, is_known, record_seen
from tests.helpers import article_record as article
from veille.model import RunStatus, SeenStatus, TopicMatch


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "veille.db")
    store_article(database, article(1, "À Kyïv, l'hiver approche", "Les habitants de Kyiv..."),
                  [TopicMatch("ukraine", 6.0, [{"term": "Kyiv"}])], "v1", [])
    store_article(database, article(2, "Sommet de l'OTAN", "Les retraites et l'Otan."),
                  [TopicMatch("nato", 5.0, [])], "v1", ["https://x.fr/alias2"])
    yield database
    database.close()


def test_open_db_uses_wal_and_creates_schema(db):
    assert db.journal_mode == "wal"
    tables = set(db.table_names())
    assert {"sources", "articles", "article_topics", "crawl_runs", "seen_urls",
            "articles_fts"} <= tables
    columns = set(db["articles"].columns_dict)
    assert {"id", "url", "canonical_url", "source", "title", "text", "author", "published_at",
            "fetched_at", "language", "language_score", "content_hash"} <= columns


def test_open_db_twice_applies_migrations_once(tmp_path):
    open_db(tmp_path / "a.db").close()
    db = open_db(tmp_path / "a.db")
    names = [r[0] for r in db.execute("SELECT name FROM _sqlite_migrations")]
    assert names == sorted(set(names)) and "0001_initial" in names


def test_parse_since_accepts_dates_and_durations():
    assert parse_since("2026-11-01") == "2026-11-01T00:00:00+00:00"
    assert parse_since("7d") < parse_since("24h")
    with pytest.raises(QueryError, match="cannot read date"):
        parse_since("hier")


def test_parse_until_includes_a_day_given_alone():
    assert parse_until("2026-11-03") == "2026-11-04T00:00:00+00:00"
    assert parse_until("2026-11-03T12:00") == "2026-11-03T12:00:00+00:00"


def test_article_id_for_finds_by_url_alias_or_hash(db):
    assert article_id_for(db, ["https://x.fr/a1"]) == 1
    assert article_id_for(db, ["https://x.fr/alias2"]) == 2
    assert article_id_for(db, ["https://other/"], content_hash("les HABITANTS de Kyiv")) == 1
    assert article_id_for(db, ["https://other/"], content_hash("autre chose")) is None


def test_is_known_after_decision_and_after_repeated_errors(db):
    assert is_known(db, "https://x.fr/a1")
    record_seen(db, ["https://x.fr/off"], "s", SeenStatus.OFFTOPIC)
    assert is_known(db, "https://x.fr/off")
    for _ in range(2):
        record_seen(db, ["https://x.fr/flaky"], "s", SeenStatus.ERROR, detail="HTTP 500")
    assert not is_known(db, "https://x.fr/flaky")
    record_seen(db, ["https://x.fr/flaky"], "s", SeenStatus.ERROR, detail="HTTP 500")
    assert is_known(db, "https://x.fr/flaky")


def test_reader_transaction_does_not_block_writer(tmp_path, db):
    path = db.execute("PRAGMA database_list").fetchone()[2]
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
    store_article(db, article(3, "Troisième", "Texte trois"), [], "v1", [])
    assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 2  # snapshot
    reader.execute("COMMIT")
    assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 3


def test_stale_running_run_is_marked_interrupted(db):
    run_id = start_run(db, "manual", ["s"])
    db.execute("UPDATE crawl_runs SET pid = 999999999 WHERE id = ?", [run_id])
    assert close_stale_runs(db) == 1
    assert db["crawl_runs"].get(run_id)["status"] == "interrupted"
    live = start_run(db, "manual", ["s"])
    finish_run(db, live, RunStatus.OK, {"totals": {}})
    assert db["crawl_runs"].get(live)["status"] == "ok"


def test_a_database_is_checked_usable_without_anything_written(tmp_path):
    """What `crawl` and `run` check before their lock folder: a new path stays absent, a
    veille database passes untouched, another application's is refused."""
    from storage.db import check_usable
    from storage.errors import UnusableDatabaseError

    new = tmp_path / "new.db"
    check_usable(new)
    assert list(tmp_path.iterdir()) == []
    db = open_db(tmp_path / "v.db")
    db.close()
    before = (tmp_path / "v.db").read_bytes()
    check_usable(tmp_path / "v.db")  # (SQLite may make its -wal and -shm files beside it)
    assert (tmp_path / "v.db").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".locks")]
    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE clients (nom TEXT)")
    other.commit()
    other.close()
    with pytest.raises(UnusableDatabaseError, match="not a veille one"):
        check_usable(tmp_path / "other.db")
