"""veille's meta refresh: Scrapy's decision, without decoding a page that declares none."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.middlewares import REFRESH_SCAN_BYTES, HeadMetaRefreshMiddleware, may_refresh

URL = "https://www.example.fr/monde/article.html"
FILLER = "<p>La réunion des ministres de l’Otan s’est tenue à Bruxelles.</p>\n"


def page(head: str, body: str = FILLER * 200, encoding: str = "utf-8") -> bytes:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>".encode(
        encoding)


REFRESH = '<meta http-equiv="refresh" content="0;url=https://www.example.fr/moved.html">'
PAGES = {
    "no refresh": page('<meta charset="utf-8"><title>Otan</title>'),
    "refresh": page(REFRESH),
    "refresh in upper case": page(REFRESH.replace("refresh", "REFRESH")),
    "refresh with a delay": page(REFRESH.replace("0;", "5;")),
    "refresh too late to count": page("<title>x</title>", FILLER * 100 + REFRESH),
    # past 4,096 bytes but within 4,096 characters: Scrapy reads it, so must veille
    "refresh after multi-byte characters": page("<title>" + "’" * 1500 + "</title>" + REFRESH),
    "refresh in UTF-16": page(REFRESH, FILLER * 3, "utf-16"),
    "Latin-1 page without refresh": page('<meta charset="iso-8859-1"><title>Défense</title>',
                                         FILLER.replace("’", "'") * 200, "latin-1"),
    "refresh to another scheme": page(REFRESH.replace("https://www.example.fr", "file://")),
    "the word in the text only": page("<title>Refresh des données</title>"),
}


def both(name: str) -> tuple[object, object, HtmlResponse]:
    crawler = get_crawler(settings_dict={"METAREFRESH_MAXDELAY": 100})
    response = HtmlResponse(URL, body=PAGES[name])
    ours = HeadMetaRefreshMiddleware.from_crawler(crawler).process_response(Request(URL),
                                                                            response)
    scrapys = MetaRefreshMiddleware.from_crawler(crawler).process_response(
        Request(URL), HtmlResponse(URL, body=PAGES[name]))
    return ours, scrapys, response


@pytest.mark.parametrize("name", sorted(PAGES))
def test_meta_refresh_decides_as_scrapy(name):
    ours, scrapys, response = both(name)
    if isinstance(scrapys, Request):
        assert isinstance(ours, Request) and ours.url == scrapys.url
    else:
        assert ours is response


def test_meta_refresh_follows_a_refresh_in_the_head():
    ours, _, _ = both("refresh")
    assert isinstance(ours, Request) and ours.url == "https://www.example.fr/moved.html"


def test_meta_refresh_leaves_a_page_without_one_undecoded():
    _, _, response = both("no refresh")
    # Scrapy caches the decoded text on the response once it is asked for
    assert response._cached_ubody is None


def test_may_refresh_reads_only_the_head():
    late = b"<html>" + b" " * REFRESH_SCAN_BYTES + b'<meta http-equiv="refresh">'
    assert not may_refresh(late)
    assert may_refresh(late[:6] + late[-27:])
    assert may_refresh("<html>".encode("utf-16"))  # NUL bytes: another charset, asked
