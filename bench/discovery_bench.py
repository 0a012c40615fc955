"""Discovery benchmark: 20 feeds and sitemaps over 1,000 articles, three runs.

    python bench/discovery_bench.py

Run 1 must fetch each article exactly once (250 of them are listed by both a
feed and a sitemap); run 2, with nothing new, exactly one request per feed or
sitemap, all answered 304, and no article request; run 3, after 10 new
articles, exactly those 10. Request counts come from the server's own log.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from veille.demo.pages import Article, FeedItem, article_html, news_sitemap, rss_feed
from veille.demo.site import NewsSite, Route

CITIES = ["Kharkiv", "Odessa", "Lviv", "Dnipro", "Zaporijia", "Kherson", "Soumy", "Poltava"]
FEEDS, SITEMAPS, ARTICLES = 10, 10, 1000
NOW = datetime.now(UTC).replace(microsecond=0)


def make_article(n: int) -> Article:
    city = CITIES[n % len(CITIES)]
    return Article(
        slug=f"depeche-{n:05d}", section="International",
        title=f"Ukraine : point de situation numéro {n} à {city}",
        lead=f"Les autorités ukrainiennes de {city} font le point sur la situation, "
             f"dépêche {n} de la journée.",
        paragraphs=[f"À {city}, la municipalité a recensé {n % 97 + 3} incidents depuis la veille, "
                    "selon un communiqué publié dans la matinée par les services de secours.",
                    f"Le gouverneur de la région a appelé la population à la prudence. Les écoles "
                    f"resteront ouvertes, a-t-il précisé, sauf en cas d'alerte aérienne ({n}).",
                    "Les équipes de déminage poursuivent leur travail dans les faubourgs, où "
                    "plusieurs engins non explosés ont été signalés par les habitants."],
        published=NOW - timedelta(minutes=n))


class BenchSite:
    def __init__(self) -> None:
        self.site = NewsSite()
        self.site.add("/robots.txt", Route(b"User-agent: *\nAllow: /\n",
                                           content_type="text/plain"))
        self.listings: dict[str, list[int]] = {}
        self.version: Counter[str] = Counter()
        for n in range(ARTICLES):
            self.add_article(n)
        for f in range(FEEDS):  # feeds list articles 0-499
            self.listings[f"/feeds/{f}.xml"] = list(range(f * 50, f * 50 + 50))
        for s in range(SITEMAPS):  # sitemaps list articles 250-999: 250 in both channels
            self.listings[f"/sitemaps/{s}.xml"] = list(range(250 + s * 75, 250 + s * 75 + 75))
        for path in self.listings:
            self.publish(path)

    def add_article(self, n: int) -> None:
        article = make_article(n)
        self.site.add(f"/articles/{n}.html", Route(article_html(article).encode()))

    def publish(self, path: str) -> None:
        """(Re)build a listing with a new ETag and Last-Modified."""
        self.version[path] += 1
        items = [FeedItem(self.site.url(f"/articles/{n}.html"), make_article(n).title,
                          make_article(n).published) for n in self.listings[path]]
        body = (rss_feed("x", self.site.base_url, items) if path.startswith("/feeds")
                else news_sitemap(items, keywords="Ukraine"))
        modified = format_datetime(NOW + timedelta(seconds=self.version[path]), usegmt=True)
        self.site.add(path, Route(body.encode(), content_type="application/xml",
                                  etag=f'"{path}-v{self.version[path]}"',
                                  last_modified=modified))

    def add_new_articles(self, count: int) -> list[int]:
        new = list(range(ARTICLES, ARTICLES + count))
        for n in new:
            self.add_article(n)
        self.listings["/feeds/0.xml"] = new[: count // 2] + self.listings["/feeds/0.xml"]
        self.listings["/sitemaps/0.xml"] = new[count // 2:] + self.listings["/sitemaps/0.xml"]
        self.publish("/feeds/0.xml")
        self.publish("/sitemaps/0.xml")
        return new


def crawl(bench: BenchSite, workdir: Path) -> tuple[float, str]:
    sources = workdir / "sources.toml"
    sources.write_text("".join(
        f'[[source]]\nname = "{path.strip("/").replace("/", "-").removesuffix(".xml")}"\n'
        f'url = "{bench.site.url(path)}"\nkind = "{"feed" if "feeds" in path else "sitemap"}"\n'
        "allow_private = true\nbudget = 2000\n\n" for path in bench.listings), encoding="utf-8")
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "veille", "-q", "--db",
                             str(workdir / "bench.db"), "--sources", str(sources), "crawl",
                             "--keep-offtopic"], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"crawl failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return time.perf_counter() - start, result.stdout


def report(bench: BenchSite, run: int, before: tuple[int, int, int], elapsed: float) -> dict:
    site = bench.site
    listing_requests = site.hits() - before[0]
    articles = Counter(p for _, p, _ in site.requests[before[0]:] if p.startswith("/articles/"))
    statuses = Counter(s for p, s in site.statuses[before[1]:]
                       if p.startswith(("/feeds/", "/sitemaps/")))
    listings = sum(statuses.values())
    robots = sum(1 for _, p, _ in site.requests[before[0]:] if p == "/robots.txt")
    print(f"run {run}: {elapsed:5.1f} s wall; {listing_requests} requests: {listings} to feeds "
          f"and sitemaps ({statuses.get(200, 0)} × 200, {statuses.get(304, 0)} × 304), "
          f"{sum(articles.values())} to {len(articles)} distinct articles, "
          f"{robots} robots.txt; most requests for one article: "
          f"{max(articles.values(), default=0)}")
    return {"articles": articles, "statuses": statuses}


def main() -> int:
    bench = BenchSite()
    with bench.site, tempfile.TemporaryDirectory() as tmp:
        marks = (0, 0, 0)
        elapsed, _ = crawl(bench, Path(tmp))
        first = report(bench, 1, marks, elapsed)
        marks = (bench.site.hits(), len(bench.site.statuses), 0)
        elapsed, _ = crawl(bench, Path(tmp))
        second = report(bench, 2, marks, elapsed)
        new = bench.add_new_articles(10)
        marks = (bench.site.hits(), len(bench.site.statuses), 0)
        elapsed, _ = crawl(bench, Path(tmp))
        third = report(bench, 3, marks, elapsed)
    checks = {
        "run 1 fetched each of the 1,000 articles exactly once":
            len(first["articles"]) == ARTICLES and set(first["articles"].values()) == {1},
        "run 2: one request per feed or sitemap, all 304, no article":
            second["statuses"] == Counter({304: FEEDS + SITEMAPS}) and not second["articles"],
        "run 3: exactly the 10 new articles":
            set(third["articles"]) == {f"/articles/{n}.html" for n in new}
            and set(third["articles"].values()) == {1},
    }
    for label, ok in checks.items():
        print(f"{'OK  ' if ok else 'FAIL'} {label}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
