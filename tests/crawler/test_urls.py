"""Links as the crawler sees them: http(s) only, and which site each belongs to."""

from crawler.urls import is_http_url, same_site, site_of


def test_is_http_url_refuses_other_schemes():
    assert is_http_url("https://x.fr/a")
    for bad in ("file:///etc/passwd", "ftp://x.fr/a", "javascript:alert(1)", "/relative", ""):
        assert not is_http_url(bad)


def test_same_site_groups_subdomains_of_one_outlet():
    assert same_site("https://feeds.leparisien.fr/rss", "https://www.leparisien.fr/a.php")
    assert site_of("https://www.bbc.co.uk/news") == "bbc.co.uk"
    assert not same_site("https://www.lemonde.fr/a", "https://www.lefigaro.fr/a")
    assert not same_site("http://10.0.0.1:1/a", "http://10.0.0.2:1/a")
    assert same_site("http://localhost:8000/feed", "http://127.0.0.1:8000/a.html")
    assert not same_site("http://127.0.0.1:8000/a", "http://127.0.0.1:8001/a")
