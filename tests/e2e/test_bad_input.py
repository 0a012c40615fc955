"""Bad input, each class through the real `veille` command: nothing lost, a clear message,
never a traceback. (Storage faults are in test_storage_faults.py, secrets in
test_secrets.py, private addresses in test_ssrf.py.)"""

from __future__ import annotations

import socket
from dataclasses import replace
from pathlib import Path

import pytest

from storage.db import open_db
from tests.helpers import (
    db_rows,
    distinct,
    publish,
    run_veille,
    serve_articles,
    source_entry,
    write_sources,
)
from veille.demo import content
from veille.demo.pages import Article, FeedItem, article_html, news_sitemap, rss_feed
from veille.demo.site import NewsSite, Route


def variant(article: Article, n: int) -> Article:
    """Another article of the same shape, with a text of its own."""
    return distinct(article, n)


def crawl(tmp_path: Path, sources: Path, *args: str):
    return run_veille("--db", str(tmp_path / "v.db"), "--sources", str(sources), "crawl",
                      "--download-timeout", "5", *args)


def stored_titles(tmp_path: Path) -> set[str]:
    return {r[0] for r in db_rows(tmp_path / "v.db", "SELECT title FROM articles")}


# -- URL keys --------------------------------------------------------------------------


def test_spip_and_query_identified_articles_are_all_downloaded(tmp_path):
    """?article123 and ?article124 (SPIP), ?source=afp&id=1 and ?source=reuters&id=1 are
    four articles, not one."""
    targets = ["/spip.php?article123", "/spip.php?article124", "/depeche.php?source=afp&id=1",
               "/depeche.php?source=reuters&id=1"]
    with NewsSite() as site:
        items = []
        for n, target in enumerate(targets):
            article = variant(content.KHARKIV, n)
            site.add(target, Route(article_html(article).encode()))
            items.append(FeedItem(site.url(target), article.title,
                                  article.published))
        site.add("/rss.xml", Route(rss_feed("x", site.base_url, items).encode()))
        sources = write_sources(tmp_path / "s.toml", {"spip": site.url("/rss.xml")})
        result = crawl(tmp_path, sources)
        assert all(site.hits(t.split("?")[0]) for t in targets)
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(stored_titles(tmp_path)) == 4
    urls = {r[0] for r in db_rows(tmp_path / "v.db", "SELECT url FROM articles")}
    assert {u.split(str(site.port))[1] for u in urls} == set(targets)


# -- feeds -------------------------------------------------------------------------------


def feed_with(site: NewsSite, items: list[str]) -> bytes:
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>t"
            f"</title><link>{site.base_url}</link>{''.join(items)}</channel></rss>").encode()


def item(url: str, title: str) -> str:
    return f"<item><title>{title}</title><link>{url}</link></item>"


@pytest.mark.parametrize("bad_title", ["Kyiv &#xD800; sous les drones", "Kyiv &#0; bloquée",
                                       "Kyiv &#x110000; hors limite", "Kyiv &#99999999999;",
                                       "<![CDATA[Kyiv, titre jamais fermé"])
def test_one_bad_item_never_hides_the_others(tmp_path, bad_title):
    good = [variant(content.KHARKIV, n) for n in range(3)]
    with NewsSite() as site:
        serve_articles(site, good)
        items = [item(site.url(good[0].path), "Premier"),
                 item(site.url("/international/article/mauvais.html"), bad_title),
                 *(item(site.url(a.path), a.title.replace("(", "").replace(")", ""))
                   for a in good[1:])]
        site.add("/rss.xml", Route(feed_with(site, items), content_type="application/rss+xml"))
        sources = write_sources(tmp_path / "s.toml", {"monde": site.url("/rss.xml")})
        result = crawl(tmp_path, sources)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "pending" not in result.stdout
    assert stored_titles(tmp_path) >= {a.title for a in good}


@pytest.mark.parametrize("body,reason", [
    (b"", "empty response"),
    (b"\xef\xbb\xbf  \n", "empty response"),
    (b"Service momentanement indisponible", "not a feed"),
    (b"<?xml version='1.0'?><rss><channel><title>t</title>", "not XML: no element found"),
    (b"<?xml version='1.0'?><rss version='2.0'><channel><item><title>x",
     "not XML: no element found"),
])
def test_a_feed_that_cannot_be_read_says_why_and_the_others_go_on(tmp_path, body, reason):
    with NewsSite() as site:
        publish(site, [content.KHARKIV])
        site.add("/bad.xml", Route(body, content_type="application/rss+xml"))
        sources = write_sources(tmp_path / "s.toml", {"good": site.url("/rss.xml"),
                                                      "bad": site.url("/bad.xml")})
        result = crawl(tmp_path, sources)
    assert result.returncode == 0, result.stderr[-2000:]  # one source failed, not the run
    failure = next(line for line in result.stdout.splitlines() if line.startswith("! bad:"))
    assert reason in failure, result.stdout
    assert "pending" not in result.stdout and "Traceback" not in result.stderr
    assert stored_titles(tmp_path) == {content.KHARKIV.title}


def test_feed_declaring_character_entities_is_read(tmp_path):
    with NewsSite() as site:
        serve_articles(site, [content.KHARKIV])
        body = (f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY nbsp "&#160;">\n'
                f"<!ENTITY eacute '&#233;'>\n]>\n<rss version=\"2.0\"><channel><title>Actualit"
                f"&eacute;s</title><link>{site.base_url}</link><item><title>Kharkiv&nbsp;: "
                f"nuit de frappes</title><link>{site.url(content.KHARKIV.path)}</link></item>"
                "</channel></rss>").encode()
        site.add("/rss.xml", Route(body, content_type="application/rss+xml"))
        sources = write_sources(tmp_path / "s.toml", {"monde": site.url("/rss.xml")})
        result = crawl(tmp_path, sources)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert stored_titles(tmp_path) == {content.KHARKIV.title}


# -- sitemaps ------------------------------------------------------------------------------


def test_text_feed_and_truncated_sitemaps(tmp_path):
    articles = [variant(content.SANCTIONS, n) for n in range(4)]
    with NewsSite() as site:
        items = serve_articles(site, articles)
        site.add("/sitemap.txt", Route(f"{items[0].url}\n{items[1].url}\n".encode(),
                                       content_type="text/plain"))
        site.add("/sitemap-rss.xml", Route(rss_feed("x", site.base_url, [items[2]]).encode()))
        whole = news_sitemap([items[3], FeedItem(site.url("/international/article/coupee.html"),
                                                 "t", items[3].published)]).encode()
        site.add("/news.xml", Route(whole[:whole.index(b"coupee") + 2]))  # cut mid-<loc>
        sources = write_sources(tmp_path / "s.toml", entries=[
            source_entry("texte", site.url("/sitemap.txt"), "sitemap", max_age="3650d"),
            source_entry("flux", site.url("/sitemap-rss.xml"), "sitemap", max_age="3650d"),
            source_entry("coupe", site.url("/news.xml"), "sitemap", max_age="3650d")])
        result = crawl(tmp_path, sources)
        paths = {path for _, path, _ in site.requests}
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert stored_titles(tmp_path) == {a.title for a in articles}, result.stdout
    assert not any("coupe" in p and p != "/news.xml" for p in paths), paths  # no bogus URL


# -- languages and forgetting ----------------------------------------------------------------


def test_unknown_language_code_is_refused_and_forget_undoes_a_mistake(tmp_path):
    with NewsSite() as site:
        serve_articles(site, [content.KHARKIV, content.SANCTIONS])
        items = [FeedItem(site.url(a.path), a.title, a.published)
                 for a in (content.KHARKIV, content.SANCTIONS)]
        site.add("/rss.xml", Route(rss_feed("x", site.base_url, items).encode(), etag='"v1"'))
        path = tmp_path / "s.toml"
        write_sources(path, {"monde": site.url("/rss.xml")}, languages=["french"])
        refused = crawl(tmp_path, path)
        assert refused.returncode == 2 and "unknown language code 'french'" in refused.stderr
        assert site.hits() == 0
        write_sources(path, {"monde": site.url("/rss.xml")}, languages=["de"])  # a mistake
        assert crawl(tmp_path, path).returncode == 0
        write_sources(path, {"monde": site.url("/rss.xml")}, languages=["fr"])  # fixed...
        fixed = crawl(tmp_path, path)
        assert stored_titles(tmp_path) == set()  # ...but the feed answers 304, URLs decided
        dry = run_veille("--db", str(tmp_path / "v.db"), "--sources", str(path), "forget",
                         "--status", "not_french", "--dry-run")
        forget = run_veille("--db", str(tmp_path / "v.db"), "--sources", str(path), "forget",
                            "--status", "not_french")
        after = crawl(tmp_path, path)
    assert fixed.returncode == 0
    assert dry.returncode == 0 and "Would forget 2 decision(s) (not_french 2)" in dry.stdout
    assert forget.returncode == 0 and "Forgot 2 decision(s)" in forget.stdout
    assert after.returncode == 0, after.stderr[-2000:]
    assert stored_titles(tmp_path) == {content.KHARKIV.title, content.SANCTIONS.title}


def test_french_in_capitals_is_french(tmp_path):
    shouting = replace(content.KHARKIV, slug="kharkiv-majuscules",
                       title=content.KHARKIV.title.upper(), lead=content.KHARKIV.lead.upper(),
                       paragraphs=[p.upper() for p in content.KHARKIV.paragraphs])
    with NewsSite() as site:
        publish(site, [shouting])
        sources = write_sources(tmp_path / "s.toml", {"monde": site.url("/rss.xml")})
        result = crawl(tmp_path, sources)
    assert result.returncode == 0
    assert db_rows(tmp_path / "v.db", "SELECT language FROM articles") == [("fr",)]


# -- IPv6 ----------------------------------------------------------------------------------


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_ipv6_literal_source_is_fetched_through_the_guard(tmp_path):
    with NewsSite(host="::1") as site:
        publish(site, [content.KHARKIV])
        allowed = crawl(tmp_path, write_sources(tmp_path / "s.toml",
                                                {"v6": site.url("/rss.xml")}))
        hits = site.hits()
        refused = run_veille("--db", str(tmp_path / "other.db"), "--sources",
                             str(write_sources(tmp_path / "p.toml", entries=[source_entry(
                                 "v6", site.url("/rss.xml"), allow_private=False)])), "crawl")
        assert site.hits() == hits  # the guard refused [::1] without allow_private
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr[-2000:]
    assert stored_titles(tmp_path) == {content.KHARKIV.title}
    assert refused.returncode == 1 and "private address" in refused.stdout


# -- configuration files and options ------------------------------------------------------------


def nested(depth: int) -> str:
    return "x = " + "[" * depth + "]" * depth + "\n"


SOURCES_CASES = {
    "not UTF-8": (b'[[source]]\nname = "caf\xe9"\nurl = "https://x.fr/rss"\n', "not UTF-8"),
    "nested": (nested(5000).encode(), "nested too deeply"),
    "port out of range": (b'[[source]]\nname = "x"\nurl = "https://x.fr:99999/rss"\n',
                          "port"),
    "every too long": (b'[[source]]\nname = "x"\nurl = "https://x.fr/rss"\nevery = "99999999d"\n',
                       "longer than"),
    "every 0s": (b'[[source]]\nname = "x"\nurl = "https://x.fr/rss"\nevery = "0s"\n',
                 "at least"),
}


@pytest.mark.parametrize("case", SOURCES_CASES)
@pytest.mark.parametrize("command", [("crawl",), ("run",), ("forget", "--dry-run")])
def test_bad_sources_files_are_config_errors(tmp_path, case, command):
    text, needle = SOURCES_CASES[case]
    path = tmp_path / "s.toml"
    path.write_bytes(text)
    (tmp_path / "v.db").touch()
    result = run_veille("--db", str(tmp_path / "v.db"), "--sources", str(path), *command,
                        timeout=60)
    assert result.returncode == 2, (case, result.stdout, result.stderr[-2000:])
    assert needle in result.stderr and "Traceback" not in result.stderr, result.stderr


def test_endless_sources_file_is_refused_quickly(tmp_path):
    result = run_veille("--db", str(tmp_path / "v.db"), "--sources", "/dev/zero", "crawl",
                        timeout=60)
    assert result.returncode == 2 and "larger than" in result.stderr


def test_bad_topics_file_is_a_config_error(tmp_path):
    path = tmp_path / "t.toml"
    path.write_bytes(b"[topics.russie]\nlabel = 'Russie \xff'\n")
    for command in (("topics",), ("tag",), ("crawl",)):
        result = run_veille("--topics", str(path), *command, timeout=60)
        assert result.returncode == 2 and "not UTF-8" in result.stderr, command


@pytest.mark.parametrize("since", ["99999999d", "0001-01-01T00:00:00+14:00",
                                   "9999-12-31T23:59:59-14:00"])
def test_dates_out_of_range_are_usage_errors(tmp_path, since):
    db = tmp_path / "v.db"
    open_db(db).close()
    for command in (("search", "otan", "--since", since), ("retag", "--since", since),
                    ("forget", "--since", since, "--dry-run")):
        result = run_veille("--db", str(db), *command)
        assert result.returncode == 2, (command, result.stderr[-1000:])
        assert "out of range" in result.stderr and "Traceback" not in result.stderr


def test_a_long_source_name_is_crawled(tmp_path):
    with NewsSite() as site:
        publish(site, [content.KHARKIV])
        name = "quotidien-régional-" + "é" * 300
        result = crawl(tmp_path, write_sources(tmp_path / "s.toml", {name: site.url("/rss.xml")}))
    assert result.returncode == 0, result.stderr[-2000:]
    assert stored_titles(tmp_path) == {content.KHARKIV.title}


def test_alert_commands_check_the_rules_file(tmp_path):
    bad = tmp_path / "alerts.toml"
    bad.write_text('[[rule]]\nname = "r"\ntopics = ["ukrain"]\n'
                   'targets = ["json://127.0.0.1:9/hook"]\n', encoding="utf-8")
    digest0 = tmp_path / "digest.toml"
    digest0.write_text('[[rule]]\nname = "r"\ntopics = ["ukraine"]\nmode = "digest"\n'
                       'every = "0s"\ntargets = ["json://127.0.0.1:9/hook"]\n', encoding="utf-8")
    db = tmp_path / "v.db"
    open_db(db).close()
    cases = [(bad, ("alerts", "status"), "unknown topic 'ukrain'"),
             (tmp_path / "missing.toml", ("alerts", "status"), "file not found"),
             (bad, ("alerts", "test", "r"), "unknown topic 'ukrain'"),
             (digest0, ("alerts", "send"), "key 'every': must be at least 60s")]
    for path, command, needle in cases:
        result = run_veille("--db", str(db), "--alerts", str(path), *command)
        assert result.returncode == 2, (command, result.stdout, result.stderr[-2000:])
        assert needle in result.stderr and "Traceback" not in result.stderr, result.stderr
        assert "No alert yet" not in result.stdout
