"""Search and export on a real database: the query language, lemmas, filters, pages,
snippets, revisions and older databases."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest
import sqlite_utils

from storage.articles import store_article, store_revision
from storage.db import open_db, transaction
from storage.migrations import migrations
from storage.queries import QueryError
from storage.search import count_upto, export, parse_query, search
from tests.helpers import article_record as article
from veille.model import SearchFilters, SearchSort, TagKind, TopicMatch

ARTICLES = [
    # (title, text, source, published, tags)
    ("À Kyïv, l'hiver approche", "Les habitants de Kyiv stockent du bois. Une trottinette "
     "électrique a été volée.", "lemonde", "2026-11-20T09:00:00+00:00",
     [TopicMatch("ukraine", 6.0, [])]),
    ("Sommet de l'OTAN à Vilnius", "Les Alliés et l'Otan parlent des records de Ciaran, la "
     "tempête. Des trottinettes sont interdites.", "lefigaro", "2026-11-22T09:00:00+00:00",
     [TopicMatch("nato", 5.0, []), TopicMatch("diplomatie", 2.0, [], kind=TagKind.SUBTOPIC)]),
    ("Sanctions contre Moscou", "La Commission européenne prépare des sanctions. Les "
     "autorités ukrainiennes saluent la décision. Ciaran bat des records.", "lemonde",
     "2026-11-24T09:00:00+00:00",
     [TopicMatch("russia", 7.0, []), TopicMatch("sanctions", 4.0, [], kind=TagKind.SUBTOPIC),
      TopicMatch("moscou", 2.0, [], kind=TagKind.ENTITY)]),
    ("Brève sans date", "Le sommet de Kyiv est reporté.", "ouestfrance", None,
     [TopicMatch("ukraine", 3.0, [])]),
]


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "veille.db")
    for n, (title, text, source, published, tags) in enumerate(ARTICLES, start=1):
        store_article(database, article(n, title, text, source=source, published_at=published,
                                        fetched_at=f"2026-11-{20 + n}T10:00:00+00:00"),
                      tags, "v1", [])
    yield database
    database.close()


def ids(db, query=None, **filters) -> list[int]:
    return [h.id for h in search(db, SearchFilters(query=query, **filters), limit=50)]


def test_case_accents_and_word_forms_are_found_together(db):
    assert set(ids(db, "KYÏV")) == set(ids(db, "kyiv")) == {1, 4}
    # singular and plural; feminine and masculine; as tagging reads them (lemmas)
    assert set(ids(db, "trottinette")) == set(ids(db, "trottinettes")) == {1, 2}
    assert ids(db, "ukrainien") == [3]
    assert ids(db, "sanction") == [3]


def test_a_capital_at_the_start_of_a_sentence_is_the_same_word(db):
    assert ids(db, "records") == ids(db, "Records") == ids(db, "RECORDS")
    assert set(ids(db, "records")) == {2, 3}  # "records de Ciaran", "bat des records"


def test_every_word_must_appear(db):
    assert ids(db, "otan trottinette") == [2]
    assert ids(db, "otan moscou") == []


def test_a_phrase_finds_the_words_in_order_only(db):
    assert set(ids(db, "records Ciaran")) == {2, 3}
    assert ids(db, '"records de Ciaran"') == [2]
    assert ids(db, '"Ciaran bat des records"') == [3]
    assert ids(db, '"Ciaran records"') == []


def test_or_exclusion_and_prefix(db):
    assert set(ids(db, "otan OR sanctions")) == {2, 3}
    assert set(ids(db, "otan OU sanctions")) == {2, 3}
    assert ids(db, "kyiv -sommet") == [1]
    assert ids(db, 'records -"records de Ciaran"') == [3]
    assert set(ids(db, "trott*")) == {1, 2}
    assert ids(db, "sanct* OR vilni*", sort=SearchSort.DATE) == [3, 2]
    # a lowercase "or" is a word; a single letter and a star is a letter
    assert ids(db, "kyiv or") == []


@pytest.mark.parametrize("query", ['retraites"', "NOT", "*", "NEAR(", "title:x", "otan OR",
                                   "OR otan", "'; DROP TABLE articles; --", 'a"b"c', "-otan",
                                   "^otan", "otan AND", "(otan", "text:otan", "otan NEAR/2 x",
                                   '"', '-"', "--", "a*", "**", "OR", "- otan", "otan*)"])
def test_operator_input_is_never_engine_syntax(db, query):
    with contextlib.suppress(QueryError):
        search(db, SearchFilters(query=query))
        count_upto(db, SearchFilters(query=query), 10)
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 4
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_words_of_the_syntax_are_searched_as_words(db):
    assert ids(db, "title:otan") == ids(db, "title otan") == []
    assert ids(db, "NEAR(otan") == []  # "near" is a word, and no article has it
    assert ids(db, "(otan)") == [2]


def test_nothing_to_look_for_is_said():
    for query in ("* ( )", "-otan", '""', "OR"):
        with pytest.raises(QueryError):
            parse_query(query)


def test_filters_topics_subtopics_entities_and_sources(db):
    assert ids(db, "kyiv", topics=("ukraine",)) in ([1, 4], [4, 1])
    assert ids(db, "trottinette", topics=("nato",)) == [2]
    assert ids(db, "trottinette", topics=("nato", "ukraine"), sort=SearchSort.DATE) == [2, 1]
    assert ids(db, "otan", subtopics=("diplomatie",)) == [2]
    assert ids(db, None, entities=("moscou",), sort=SearchSort.DATE) == [3]
    assert ids(db, None, sources=("lemonde",), sort=SearchSort.DATE) == [3, 1]
    assert ids(db, "kyiv", topics=("nato",)) == []


def test_dates_are_publication_dates_else_fetch_dates(db):
    every = dict(sort=SearchSort.DATE)
    assert ids(db, None, since="2026-11-22T00:00:00+00:00", **every) == [4, 3, 2]
    assert ids(db, None, until="2026-11-22T09:00:00+00:00", **every) == [1]
    # the brief has no publication date: its fetch date (the 24th) places it
    assert ids(db, None, since="2026-11-24T00:00:00+00:00",
               until="2026-11-25T00:00:00+00:00", **every) == [4, 3]


def test_pages_limit_and_offset(db):
    every = SearchFilters(sort=SearchSort.DATE)
    first = [h.id for h in search(db, every, limit=2)]
    second = [h.id for h in search(db, every, limit=2, offset=2)]
    assert first == [4, 3] and second == [2, 1]
    assert count_upto(db, every, 10) == 4 and count_upto(db, every, 2) == 3
    assert count_upto(db, SearchFilters(query="kyiv"), 10) == 2


def test_relevance_puts_title_matches_first(db):
    assert ids(db, "sommet") == [2, 4]  # in the title of 2, the text of 4


def test_a_hit_carries_tags_scores_and_a_marked_snippet(db):
    hit = search(db, SearchFilters(query="ukrainiennes sanctions"))[0]
    assert hit.id == 3 and hit.source == "lemonde" and hit.title == "Sanctions contre Moscou"
    assert hit.topics == {"russia": 7.0} and hit.subtopics == {"sanctions": 4.0}
    assert hit.entities == {"moscou": 2.0} and hit.score > 0 and hit.text is None
    assert "[sanctions]" in hit.snippet and "[ukrainiennes]" in hit.snippet
    assert search(db, SearchFilters(query="ciaran"), with_text=True)[0].text.startswith("L")


def test_a_phrase_is_marked_where_its_words_follow_each_other(db):
    hit = search(db, SearchFilters(query='"records de Ciaran"'))[0]
    assert "[records] [de] [Ciaran]" in hit.snippet
    assert "[Les]" not in hit.snippet and hit.snippet.count("[de]") == 1


def test_a_revised_text_is_searched_as_it_now_reads(db):
    with transaction(db):
        store_revision(db, 1, {"text": "Les habitants de Kyiv attendent la neige."}, [], "v1")
    assert ids(db, "trottinette") == [2]
    assert ids(db, "neige") == [1]
    assert db.execute("INSERT INTO articles_lemma_fts(articles_lemma_fts) "
                      "VALUES ('integrity-check')") is not None


def test_export_streams_every_article_in_order(db):
    rows = list(export(db, SearchFilters(sort=SearchSort.DATE), batch=2))
    assert [r.id for r in rows] == [4, 3, 2, 1]
    assert [r.id for r in export(db, SearchFilters(query="trottinette"), batch=1)] == [2, 1]
    assert all(r.text for r in export(db, SearchFilters(sort=SearchSort.DATE),
                                      with_text=True))


def test_a_database_from_before_lemma_search_is_indexed_when_opened(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    migrations.apply(old, stop_before="0008_search")
    old.execute("INSERT INTO articles (url, canonical_url, source, title, text, fetched_at, "
                "content_hash) VALUES ('https://x.fr/a', 'https://x.fr/a', 'monde', "
                "'Trottinettes à Kyïv', 'Texte', '2026-11-27T10:00:00+00:00', 'h1')")
    old.conn.close()
    db = open_db(path)
    assert ids(db, "trottinette") == [1]
    assert [h.id for h in search(db, SearchFilters(since="2026-11-27", sort=SearchSort.DATE))
            ] == [1]


def test_relevance_on_a_word_in_very_many_articles_ranks_the_newest(db, monkeypatch):
    from storage import search as module

    monkeypatch.setattr(module, "RANKED_AT_MOST", 1)
    assert ids(db, "trottinette") == [2]  # the newest of the two only
    assert ids(db, "trottinette", sort=SearchSort.DATE) == [2, 1]  # by date: all of them
    assert ids(db, "trottinette", sources=("lemonde", "lefigaro")) == [2]  # filtered too
    assert ids(db, "trottinette", sources=("lemonde",)) == [1]  # the newest that passes


def test_date_order_walks_the_date_index_when_matches_are_many(db, monkeypatch):
    from storage import search as module

    few = ids(db, "trottinette OR kyiv OR sanctions", sort=SearchSort.DATE)
    monkeypatch.setattr(module, "DATE_SORTED_AT_MOST", 1)
    many = ids(db, "trottinette OR kyiv OR sanctions", sort=SearchSort.DATE)
    assert few == many == [4, 3, 2, 1]
    assert ids(db, "kyiv", sort=SearchSort.DATE, topics=("ukraine",)) == [4, 1]
    assert [h.id for h in search(db, SearchFilters(query="trottinette OR kyiv",
                                                   sort=SearchSort.DATE), limit=1, offset=1)
            ] == [2]


def test_a_page_says_how_many_matched(db, monkeypatch):
    from storage import search as module
    from storage.search import search_page

    page = search_page(db, SearchFilters(query="kyiv OR otan"))
    assert len(page.hits) == 3 and page.matched == 3
    monkeypatch.setattr(module, "RANKED_AT_MOST", 2)  # more than ranked: counted apart
    page = search_page(db, SearchFilters(query="kyiv OR otan"), limit=1, count_upto_most=2)
    assert len(page.hits) == 1 and page.matched == 3 and page.counted_upto == 2


def test_since_bounds_the_scan_without_losing_matches(db):
    assert ids(db, "kyiv", since="2026-11-24T00:00:00+00:00") == [4]
    assert ids(db, "kyiv", since="2099-01-01T00:00:00+00:00") == []
    assert count_upto(db, SearchFilters(query="kyiv", since="2026-11-21T00:00:00+00:00"),
                      10) == 1


def test_a_phrase_is_scored_on_its_words_and_found_in_its_order(db):
    from storage.search import search_page

    page = search_page(db, SearchFilters(query='"records de Ciaran" OR "bat des records"'))
    assert [h.id for h in page.hits] in ([2, 3], [3, 2]) and page.matched == 2
    assert all(h.score is not None for h in page.hits)  # (tiny index: bm25 near 0)
    assert parse_query('"records de Ciaran" -otan').loose() == '(("record" AND "de" AND "ciaran"))'
