from crawler.pages import article_links, looks_like_article
from veille.demo.pages import section_page


def test_looks_like_article():
    assert looks_like_article("https://x.fr/international/article/2026/11/27/otan_6224413.html")
    assert looks_like_article("https://x.fr/international/otan-russie-sommet-vilnius-20261127")
    for url in ("https://x.fr/", "https://x.fr/international/", "https://x.fr/tag/russie/",
                "https://x.fr/international/page/2/", "https://x.fr/login",
                "https://x.fr/img/photo.jpg", "https://x.fr/mentions-legales/"):
        assert not looks_like_article(url), url


def test_article_links_of_a_section_page():
    body = section_page("International", [
        ("/international/article/sommet-otan-flanc-est-russie.html", "Sommet de l'OTAN"),
        ("https://x.fr/international/article/kharkiv-frappes-drones-russes.html", "Kharkiv"),
        ("/international/article/sommet-otan-flanc-est-russie.html#comments", "again"),
        ("https://autre-site.fr/monde/un-article-sur-un-autre-site-123456.html", "ailleurs"),
    ]).encode()
    links = article_links(body, "https://x.fr/international/")
    assert links == ["https://x.fr/international/article/sommet-otan-flanc-est-russie.html",
                     "https://x.fr/international/article/kharkiv-frappes-drones-russes.html"]
    offsite = article_links(body, "https://x.fr/international/", follow_offsite=True)
    assert "https://autre-site.fr/monde/un-article-sur-un-autre-site-123456.html" in offsite


def test_article_links_include_and_exclude_patterns():
    body = section_page("International", [
        ("/international/article/sommet-otan-flanc-est-russie.html", "a"),
        ("/live/suivez-en-direct-la-guerre-en-ukraine-jour-1000.html", "b"),
        ("/dossier/special.html", "c"),
    ]).encode()
    assert article_links(body, "https://x.fr/", exclude=[r"/live/"]) == [
        "https://x.fr/international/article/sommet-otan-flanc-est-russie.html",
        "https://x.fr/dossier/special.html"]
    assert article_links(body, "https://x.fr/", include=[r"/dossier/"]) == [
        "https://x.fr/dossier/special.html"]
