from crawler.urls import canonical_url, is_http_url, same_site, site_of


def test_canonical_url_removes_tracking_parameters():
    url = ("https://www.lemonde.fr/international/article/2026/11/27/otan_123.html"
           "?utm_source=twitter&utm_medium=social&xtor=RSS-3208&fbclid=abc&gclid=x")
    assert canonical_url(url) == (
        "https://www.lemonde.fr/international/article/2026/11/27/otan_123.html")


def test_canonical_url_keeps_meaningful_query_sorted():
    assert canonical_url("https://x.fr/a?page=2&id=5&utm_campaign=z") == "https://x.fr/a?id=5&page=2"


def test_canonical_url_normalises_scheme_host_port_slash_and_fragment():
    variants = [
        "http://WWW.Example.FR/Monde/Article-1/",
        "https://www.example.fr:443/Monde/Article-1#comments",
        "http://www.example.fr:80/Monde/Article-1?at_medium=rss",
        "https://www.example.fr/Monde/Article-1",
    ]
    assert len({canonical_url(v) for v in variants}) == 1


def test_canonical_url_keeps_path_case_and_non_default_port():
    assert canonical_url("http://127.0.0.1:8080/A/b") == "https://127.0.0.1:8080/A/b"
    assert canonical_url("http://127.0.0.1:8080/A/b") != canonical_url("http://127.0.0.1:8081/A/b")


def test_canonical_url_normalises_percent_escapes():
    assert canonical_url("https://x.fr/%c3%a9t%c3%a9") == canonical_url("https://x.fr/été")


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
