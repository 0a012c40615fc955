"""A live blog that grows between crawls: one article with its revisions, one story, one
alert; never a copy of itself."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from tests.helpers import db_rows, posts, run_veille, source_entry
from veille.demo.pages import Article, FeedItem, article_html, rss_feed
from veille.demo.site import NewsSite, Route

NOW = datetime.now(UTC).replace(microsecond=0)
LIVE = Article(
    slug="direct-guerre-ukraine",
    title="DIRECT. Guerre en Ukraine : une attaque de drones vise Kharkiv dans la nuit",
    lead=("Suivez en direct les dernières informations sur la guerre en Ukraine. Une attaque "
          "de drones russes a visé Kharkiv dans la nuit, selon le gouverneur Oleh Synegoubov."),
    paragraphs=[
        "06h10 : Les sirènes ont retenti à Kharkiv peu après minuit, et plusieurs explosions "
        "ont été entendues dans le quartier de Saltivka, selon des journalistes sur place.",
        "06h45 : Le gouverneur Oleh Synegoubov fait état de deux blessés et d'un immeuble "
        "résidentiel touché. Les secours sont à l'oeuvre dans les décombres.",
    ],
    author="La rédaction",
    published=NOW - timedelta(hours=2),
)
UPDATES = [
    "08h20 : Le bilan s'alourdit à trois morts, annonce le gouverneur, qui évoque une "
    "trentaine de drones Shahed lancés depuis la région russe de Belgorod.",
    "09h05 : Volodymyr Zelensky réclame de nouveau des systèmes Patriot à ses alliés et "
    "dénonce une « attaque terroriste » contre les habitants de Kharkiv.",
]


def test_a_growing_live_blog_is_one_article_one_story_and_one_alert(tmp_path, receiver):
    hook = receiver
    rules = tmp_path / "alerts.toml"
    rules.write_text(f'[[rule]]\nname = "ukraine"\ntopics = ["ukraine"]\n'
                     f'targets = ["json://127.0.0.1:{hook.port}/hook"]\n', encoding="utf-8")
    sources = tmp_path / "s.toml"
    with NewsSite() as site:
        sources.write_text(source_entry("direct", site.url("/rss.xml"), recheck="24h"),
                           encoding="utf-8")
        page = LIVE
        for update in [None, *UPDATES]:
            if update:
                page = replace(page, paragraphs=[*page.paragraphs, update])
            site.add(page.path, Route(article_html(page).encode("utf-8")))
            site.add("/rss.xml", Route(rss_feed("direct", site.base_url, [FeedItem(
                site.url(page.path), page.title, page.published)]).encode("utf-8")))
            result = run_veille("--db", str(tmp_path / "v.db"), "--sources", str(sources),
                                "--alerts", str(rules), "crawl")
            assert result.returncode == 0, result.stderr[-3000:]
    db = tmp_path / "v.db"
    rows = db_rows(db, "SELECT id, copy_of, story_id, text FROM articles")
    assert len(rows) == 1
    article_id, copy_of, story_id, text = rows[0]
    assert copy_of is None and "Patriot" in text
    assert db_rows(db, "SELECT count(*) FROM article_revisions") == [(2,)]
    assert db_rows(db, "SELECT id, articles, outlets FROM stories") == [(story_id, 1, 1)]
    assert db_rows(db, "SELECT signal FROM story_links") == [("first",)]
    # its fingerprint and terms follow its last text (a copy of the updates is found)
    terms = db_rows(db, "SELECT terms FROM article_terms WHERE article_id = ?", [article_id])
    assert "patriot" in terms[0][0].split("\n")
    assert db_rows(db, "SELECT count(*) FROM fingerprints") == [(1,)]
    sent = posts(hook)
    assert len(sent) == 1 and json.dumps(sent[0], ensure_ascii=False).count("DIRECT") == 1
