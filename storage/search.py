"""Search and export: the analyst's query language, read into FTS5, ranked first and the
page of results fetched after.

The query language (what `veille search --help` documents):

    otan pologne          both words (any form: "Polonais" is not "Pologne", but
                          "trottinettes" finds "trottinette", "ukrainiennes" "ukrainien")
    "frappe de drones"    the words in this order
    kiev OR kyiv          either word (OU works too)
    otan -sommet          without the word (or the phrase: -"sommet de Vilnius")
    sanction*             words starting so (at least two letters)

Words are matched on their folded French lemmas (the index `articles_lemma_fts`, written
beside each article), so that search and tagging see the same words. Anything else a user
types is a literal word: FTS5 syntax (NEAR, column filters, ^, parentheses) never reaches
the engine, and no input can raise an SQL error.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlite_utils

from storage.queries import QueryError
from veille.model import SearchFilters, SearchHit, SearchSort, SearchWords
from veille.text import TOKEN, fold, lemma_of, lemma_words

LEMMA_FTS = "articles_lemma_fts"
# A phrase, closed or not, possibly excluded; or any run of non-space characters.
QUERY_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
OR_WORDS = {"OR", "OU"}
MIN_PREFIX = 2
SNIPPET_WORDS = 16
# Relevance ranks the newest 5,000 matches (of the words and the filters): bm25 costs 1 to
# 2 µs per match, and a word in half of a million articles would take a second (at 100,000
# synthetic articles, ranking all 55,000 matches of "plus" took 55 ms, ranking 5,000 of
# them 6 ms). An analyst looks further back with --since/--until or other words, or with
# `--sort date`, which sees every match.
RANKED_AT_MOST = 5_000
# Newest first by date: up to this many matches are read and sorted; beyond, the date
# index is walked from the newest article (each step a lookup in the set of matches).
DATE_SORTED_AT_MOST = 2_000
AT = "COALESCE(a.published_at, a.fetched_at)"


@dataclass(frozen=True)
class Term:
    """One thing to look for: a word or a phrase (as lemmas), or a prefix."""

    lemmas: tuple[str, ...]
    prefix: bool = False

    def fts(self) -> str:
        quoted = '"' + " ".join(self.lemmas).replace('"', '""') + '"'
        return quoted + " *" if self.prefix else quoted

    def loose(self) -> str:
        """Its words without their order: what relevance is computed on."""
        if len(self.lemmas) == 1:
            return self.fts()
        words = [f'"{w}"' for w in self.lemmas[:-1]] + [Term(self.lemmas[-1:], self.prefix).fts()]
        return "(" + " AND ".join(words) + ")"


@dataclass(frozen=True)
class ParsedQuery:
    groups: tuple[tuple[Term, ...], ...]  # all groups, any term of each
    excluded: tuple[Term, ...]

    def fts(self) -> str:
        wanted = " AND ".join("(" + " OR ".join(t.fts() for t in group) + ")"
                              for group in self.groups)
        if not self.excluded:
            return wanted
        return f"({wanted}) NOT ({' OR '.join(t.fts() for t in self.excluded)})"

    @property
    def has_phrase(self) -> bool:
        return any(len(t.lemmas) > 1 for group in self.groups for t in group)

    def loose(self) -> str:
        """The words looked for, phrases as their words in any order and no exclusion:
        bm25 of a phrase counts the phrase in every article of the index (half a second
        for a phrase of two common words at a million articles), of its words it does not."""
        return " AND ".join("(" + " OR ".join(t.loose() for t in group) + ")"
                            for group in self.groups)

    def marks(self, words: list[str]) -> set[int]:
        """The positions, among a text's words, of what is looked for (to highlight it):
        each word, each phrase where its words follow each other, each prefix."""
        lemmas = [lemma_of(w) for w in words]
        marked: set[int] = set()
        for term in (t for group in self.groups for t in group):
            size = len(term.lemmas)
            for i in range(len(words) - size + 1):
                if term.prefix:
                    found = lemmas[i:i + size - 1] == list(term.lemmas[:-1]) and \
                        fold(words[i + size - 1]).startswith(term.lemmas[-1])
                else:
                    found = lemmas[i] == term.lemmas[0] and \
                        lemmas[i:i + size] == list(term.lemmas)
                if found:
                    marked.update(range(i, i + size))
        return marked


def _term(text: str, phrase: bool) -> Term | None:
    if not phrase and text.endswith("*"):
        stem = text.rstrip("*")
        words = TOKEN.findall(fold(stem))
        if words and len(words[-1]) >= MIN_PREFIX and stem[-1:].isalnum():
            return Term((*(lemma_of(w) for w in words[:-1]), words[-1]), prefix=True)
    lemmas = tuple(lemma_words(text))
    return Term(lemmas) if lemmas else None


def parse_query(query: str) -> ParsedQuery:
    """Read the analyst's query (see the module's documentation); QueryError when nothing
    is left to look for."""
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    for match in QUERY_TOKEN.finditer(query):
        minus, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None and bare in OR_WORDS:
            join_next = bool(groups)
            continue
        negative = bool(minus) or (bare is not None and bare.startswith("-") and len(bare) > 1)
        text = phrase if phrase is not None else bare.removeprefix("-") if negative else bare
        term = _term(text, phrase is not None)
        if term is None:
            continue
        if negative:
            excluded.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    if not groups:
        raise QueryError("the search query has no words to look for"
                         + (" (only words to exclude)" if excluded else ""))
    return ParsedQuery(tuple(tuple(g) for g in groups), tuple(excluded))


def index_article(db: sqlite_utils.Database, article_id: int, title: str | None,
                  text: str, words: SearchWords | None = None) -> None:
    """Write an article's lemmas in the search index (`words`: computed by a worker, used
    for the title only when it is the title stored)."""
    title_words = (words.title_words if words is not None and words.title == title
                   else " ".join(lemma_words(title or "")))
    text_words = words.text_words if words is not None else " ".join(lemma_words(text))
    db.execute(f"INSERT INTO {LEMMA_FTS} (rowid, title, text) VALUES (?, ?, ?)",  # noqa: S608
               [article_id, title_words, text_words])


def unindex_article(db: sqlite_utils.Database, article_id: int, title: str | None,
                    text: str) -> None:
    """Remove what index_article wrote for this title and text (a contentless FTS5 table
    forgets a row when it is told the same words again)."""
    db.execute(f"INSERT INTO {LEMMA_FTS} ({LEMMA_FTS}, rowid, title, text) "  # noqa: S608
               "VALUES ('delete', ?, ?, ?)",
               [article_id, " ".join(lemma_words(title or "")), " ".join(lemma_words(text))])


# -- selecting ------------------------------------------------------------------------


def _filters(filters: SearchFilters, article: str) -> tuple[list[str], dict[str, Any]]:
    """The SQL conditions of the filters, on the article id `article`."""
    where: list[str] = []
    params: dict[str, Any] = {}
    for kind, values in (("topic", filters.topics), ("subtopic", filters.subtopics),
                         ("entity", filters.entities)):
        if values:
            marks = ", ".join(f":{kind}{i}" for i in range(len(values)))
            where.append(f"EXISTS (SELECT 1 FROM article_topics t WHERE "  # noqa: S608
                         f"t.article_id = {article} AND t.kind = :{kind} "
                         f"AND t.topic IN ({marks}))")
            params[kind] = kind
            params.update({f"{kind}{i}": v for i, v in enumerate(values)})
    if filters.sources:
        marks = ", ".join(f":source{i}" for i in range(len(filters.sources)))
        where.append(f"a.source IN ({marks})")
        params.update({f"source{i}": v for i, v in enumerate(filters.sources)})
    if filters.since:
        where.append(f"{AT} >= :since")
        params["since"] = filters.since
    if filters.until:
        where.append(f"{AT} < :until")
        params["until"] = filters.until
    return where, params


def _needs_articles(filters: SearchFilters) -> bool:
    """Whether the filters or the order read the articles' source or dates."""
    return bool(filters.sources or filters.since or filters.until) or \
        filters.sort is SearchSort.DATE


def _matches(filters: SearchFilters) -> tuple[str, list[str], dict[str, Any]]:
    """FROM clause, conditions and parameters of the articles matching the query and the
    filters; the articles table is read (through its narrow index) only when needed."""
    where, params = _filters(filters, "f.rowid")
    params["q"] = parse_query(filters.query or "").fts()
    where.insert(0, f"{LEMMA_FTS} MATCH :q")
    source = f"{LEMMA_FTS} f"
    if _needs_articles(filters):
        source += " JOIN articles a INDEXED BY articles_filter ON a.id = f.rowid"
    return source, where, params


def _scan(db: sqlite_utils.Database,
          filters: SearchFilters) -> tuple[str, list[str], dict[str, Any]]:
    """_matches() for a pass in id order (no date order to read), stopped at the first id
    of the period when there is a `since`."""
    source, where, params = _matches(replace(filters, sort=SearchSort.RELEVANCE))
    since_id = _since_id(db, filters)
    if since_id is not None:
        where.append("f.rowid >= :since_id")
        params["since_id"] = since_id
    return source, where, params


def _since_id(db: sqlite_utils.Database, filters: SearchFilters) -> int | None:
    """The smallest id of the articles dated since `filters.since`: no article below it
    can match, so the index scan of the words stops there."""
    if not filters.since:
        return None
    row = db.execute(f"SELECT min(a.id) FROM articles a INDEXED BY articles_at "  # noqa: S608
                     f"WHERE {AT} >= ?", [filters.since]).fetchone()  # the period's rows only
    return row[0] if row and row[0] is not None else 1 << 62


def _window(db: sqlite_utils.Database, filters: SearchFilters,
            most: int) -> list[tuple[int, float]]:
    """(id, relevance) of the newest `most` articles matching the words and the filters,
    newest first: one pass over the index, which stops there. With a phrase, the matches
    are found first and scored after, on the words of the phrase."""
    source, where, params = _scan(db, filters)
    parsed = parse_query(filters.query or "")
    score = "NULL" if parsed.has_phrase else f"-bm25({LEMMA_FTS}, 5.0, 1.0)"
    sql = (f"SELECT f.rowid, {score} FROM {source} "  # noqa: S608
           f"{_where(where)} ORDER BY f.rowid DESC LIMIT :most")
    found = [(r[0], r[1]) for r in db.execute(sql, {**params, "most": most})]
    if not parsed.has_phrase or not found:
        return found
    scores = dict(db.execute(
        f"SELECT rowid, -bm25({LEMMA_FTS}, 5.0, 1.0) FROM {LEMMA_FTS} "  # noqa: S608
        f"WHERE {LEMMA_FTS} MATCH ? AND rowid BETWEEN ? AND ?",
        [parsed.loose(), found[-1][0], found[0][0]]).fetchall())
    return [(article_id, scores.get(article_id, 0.0)) for article_id, _ in found]


def _best(window: list[tuple[int, float]], count: int) -> list[tuple[int, float]]:
    """The `count` best of the window, best first (newest first among equals)."""
    return heapq.nsmallest(count, window, key=lambda r: (-r[1], -r[0]))


def _by_date(db: sqlite_utils.Database, filters: SearchFilters, limit: int | None,
             offset: int) -> Iterator[tuple[int, float | None]]:
    """Matches newest first by date. Few matches: read them all and sort. Many: walk the
    date index from the newest and keep the matches (no need to sort them all)."""
    page = {"limit": -1 if limit is None else limit, "offset": offset}
    few = count_upto(db, filters, DATE_SORTED_AT_MOST) <= DATE_SORTED_AT_MOST
    if few:
        source, where, params = _matches(filters)
        sql = (f"SELECT f.rowid, NULL FROM {source} {_where(where)} "  # noqa: S608
               f"ORDER BY {AT} DESC, f.rowid DESC LIMIT :limit OFFSET :offset")
    else:
        where, params = _filters(filters, "a.id")
        params["q"] = parse_query(filters.query or "").fts()
        where.insert(0, f"a.id IN (SELECT rowid FROM {LEMMA_FTS} "  # noqa: S608
                        f"WHERE {LEMMA_FTS} MATCH :q)")
        sql = (f"SELECT a.id, NULL FROM articles a INDEXED BY articles_at "  # noqa: S608
               f"{_where(where)} ORDER BY {AT} DESC, a.id DESC LIMIT :limit OFFSET :offset")
    yield from db.execute(sql, {**params, **page})


def _ranked(db: sqlite_utils.Database, filters: SearchFilters, limit: int | None,
            offset: int) -> Iterator[tuple[int, float | None]]:
    """(article id, relevance) of the selected articles, in the order asked."""
    if filters.query is None:
        where, params = _filters(filters, "a.id")
        sql = (f"SELECT a.id, NULL FROM articles a {_where(where)} "  # noqa: S608
               f"ORDER BY {AT} DESC, a.id DESC LIMIT :limit OFFSET :offset")
        yield from db.execute(sql, {**params, "limit": -1 if limit is None else limit,
                                    "offset": offset})
    elif filters.sort is SearchSort.DATE:
        yield from _by_date(db, filters, limit, offset)
    else:
        window = _window(db, filters, RANKED_AT_MOST)
        yield from _best(window, len(window) if limit is None else offset + limit)[offset:]


def _where(where: list[str]) -> str:
    return "WHERE " + " AND ".join(where) if where else ""


def _page(db: sqlite_utils.Database, ranked: Sequence[tuple[int, float | None]],
          parsed: ParsedQuery | None, with_text: bool) -> list[SearchHit]:
    """The articles of one page of results, with their tags and snippets."""
    ids = [article_id for article_id, _ in ranked]
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = {r[0]: r for r in db.execute(
        "SELECT id, url, source, title, published_at, fetched_at, story_id, copy_of, wire, "  # noqa: S608
        f"text FROM articles WHERE id IN ({marks})", ids)}
    tags: dict[int, dict[str, dict[str, float]]] = {i: {"topic": {}, "subtopic": {},
                                                        "entity": {}} for i in ids}
    for article_id, kind, topic, score in db.execute(
            "SELECT article_id, kind, topic, score FROM article_topics "  # noqa: S608
            f"WHERE article_id IN ({marks}) ORDER BY article_id, score DESC, topic", ids):
        tags[article_id].setdefault(kind, {})[topic] = round(score, 3)
    hits = []
    for article_id, score in ranked:
        r = rows[article_id]
        tagged = tags[article_id]
        hits.append(SearchHit(
            id=r[0], url=r[1], source=r[2], title=r[3], published_at=r[4], fetched_at=r[5],
            story_id=r[6], copy_of=r[7], wire=r[8], topics=tagged["topic"],
            subtopics=tagged["subtopic"], entities=tagged["entity"],
            score=round(score, 3) if score is not None else None,
            snippet=snippet(r[9], parsed), text=r[9] if with_text else None))
    return hits


def search(db: sqlite_utils.Database, filters: SearchFilters, *, limit: int = 20,
           offset: int = 0, with_text: bool = False) -> list[SearchHit]:
    """One page of the articles `filters` select, best match (or newest) first."""
    parsed = parse_query(filters.query) if filters.query is not None else None
    return _page(db, list(_ranked(db, filters, limit, offset)), parsed, with_text)


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit]
    matched: int  # how many articles the filters select, counted up to `counted_upto`...
    counted_upto: int  # ...beyond which `matched` is counted_upto + 1: "more than"


def search_page(db: sqlite_utils.Database, filters: SearchFilters, *, limit: int = 20,
                offset: int = 0, with_text: bool = False,
                count_upto_most: int = RANKED_AT_MOST - 1) -> SearchPage:
    """A page of results and how many there are (what the command line prints). Ranked by
    relevance, the count comes from the same pass over the index when it saw them all."""
    parsed = parse_query(filters.query) if filters.query is not None else None
    if parsed is not None and filters.sort is SearchSort.RELEVANCE:
        window = _window(db, filters, RANKED_AT_MOST)
        hits = _page(db, _best(window, offset + limit)[offset:], parsed, with_text)
        if len(window) < RANKED_AT_MOST:
            return SearchPage(hits, len(window), count_upto_most)
        if count_upto_most < RANKED_AT_MOST:  # the pass saw more than the count asks
            return SearchPage(hits, count_upto_most + 1, count_upto_most)
        return SearchPage(hits, count_upto(db, filters, count_upto_most), count_upto_most)
    hits = search(db, filters, limit=limit, offset=offset, with_text=with_text)
    return SearchPage(hits, count_upto(db, filters, count_upto_most), count_upto_most)


def export(db: sqlite_utils.Database, filters: SearchFilters, *, with_text: bool = False,
           batch: int = 500) -> Iterator[SearchHit]:
    """Every article `filters` select, in their order, read in batches: memory stays flat
    however many there are."""
    parsed = parse_query(filters.query) if filters.query is not None else None
    if parsed is not None and filters.sort is SearchSort.RELEVANCE:
        filters = replace(filters, sort=SearchSort.DATE)
    cursor = _ranked(db, filters, None, 0)
    while True:
        ranked = [row for _, row in zip(range(batch), cursor, strict=False)]
        if not ranked:
            return
        yield from _page(db, ranked, parsed, with_text)


def count_upto(db: sqlite_utils.Database, filters: SearchFilters, most: int) -> int:
    """How many articles `filters` select, counted up to `most` + 1 (a frequent word would
    cost a count of all its articles)."""
    if filters.query is None:
        where, params = _filters(filters, "a.id")
        sql = f"SELECT 1 FROM articles a {_where(where)}"  # noqa: S608
    else:
        source, where, params = _scan(db, filters)
        sql = f"SELECT 1 FROM {source} {_where(where)}"  # noqa: S608
    return int(db.execute(f"SELECT count(*) FROM ({sql} LIMIT :most)",  # noqa: S608
                          {**params, "most": most + 1}).fetchone()[0])


def _spans(text: str, parsed: ParsedQuery | None) -> tuple[list[tuple[int, int]], set[int]]:
    """The word spans of the start of `text`, long enough to hold its first thing looked
    for and the words after it, and the positions of what is looked for among them. The
    start is read first (most articles name what they are about early)."""
    limit = 600
    while True:
        end = len(text) if limit >= len(text) else text.rfind(" ", 0, limit) + 1 or limit
        spans = [m.span() for m in TOKEN.finditer(text, 0, end)]
        marked = parsed.marks([text[a:b] for a, b in spans]) if parsed is not None else set()
        enough = marked and len(spans) - min(marked) > SNIPPET_WORDS
        if end >= len(text) or enough or (parsed is None and len(spans) > SNIPPET_WORDS):
            return spans, marked
        limit *= 4


def snippet(text: str, parsed: ParsedQuery | None) -> str:
    """A few words of the text around the first thing looked for, each found in [ ]."""
    text = unicodedata.normalize("NFC", text)
    words, marked = _spans(text, parsed)
    if not words:
        return ""
    first = max(0, min(marked) - SNIPPET_WORDS // 3) if marked else 0
    last = min(len(words), first + SNIPPET_WORDS)
    parts = []
    position = words[first][0]
    for i in range(first, last):
        start, end = words[i]
        parts.append(text[position:start])
        parts.append(f"[{text[start:end]}]" if i in marked else text[start:end])
        position = end
    body = " ".join("".join(parts).split())
    more = last < len(words) or words[-1][1] < len(text.rstrip())
    return ("… " if first else "") + body + (" …" if more else "")


def has_source(db: sqlite_utils.Database, source: str) -> bool:
    return db.execute("SELECT 1 FROM articles WHERE source = ? LIMIT 1",
                      [source]).fetchone() is not None


def stored_sources(db: sqlite_utils.Database) -> list[str]:
    """The sources the database has articles of."""
    return [r[0] for r in db.execute("SELECT DISTINCT source FROM articles ORDER BY source")]
