"""Pages and feeds of a made-up French news site, written the way real outlets write them.

Menus, a cookie banner, a "Lire aussi" block inside the article, JSON-LD, a
comment section and a "most read" sidebar surround the article, so extraction is
tested against the clutter it meets in the wild.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime


@dataclass
class Article:
    slug: str
    title: str
    lead: str
    paragraphs: list[str]
    author: str = "La rédaction"
    published: datetime = field(
        default_factory=lambda: datetime.fromisoformat("2026-11-27T08:30:00+01:00"))
    section: str = "International"
    lang: str = "fr"
    canonical: str | None = None  # absolute or site-relative
    related: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"/{self.section.lower()}/article/{self.slug}.html"


SITE_NAME = "Le Quotidien de l'Est"
MENU = ["International", "Europe", "Politique", "Économie", "Culture", "Sport", "Idées"]
MOST_READ = [
    "Budget 2027 : ce que contient le projet de loi de finances",
    "Météo : un week-end pluvieux sur la moitié nord",
    "Ligue 1 : le classement après la 14e journée",
]


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def article_html(article: Article, *, charset: str = "utf-8", site_name: str = SITE_NAME) -> str:
    """A full article page; `charset` is what the page's <meta> declares."""
    json_ld = json.dumps({
        "@context": "https://schema.org", "@type": "NewsArticle",
        "headline": article.title, "description": article.lead,
        "datePublished": article.published.isoformat(),
        "author": [{"@type": "Person", "name": article.author}],
        "publisher": {"@type": "Organization", "name": site_name},
        "inLanguage": article.lang,
    }, ensure_ascii=False)
    paragraphs = [f"<p>{_esc(p)}</p>" for p in article.paragraphs]
    if article.related:
        related = "".join(f'<li><a href="/lire/{i}.html">{_esc(t)}</a></li>'
                          for i, t in enumerate(article.related))
        paragraphs.insert(min(2, len(paragraphs)),
                          f'<aside class="lire-aussi"><p><strong>Lire aussi</strong></p>'
                          f"<ul>{related}</ul></aside>")
    comments = "".join(f'<div class="comment"><p class="comment-author">Lecteur {i}</p>'
                       f"<p>{_esc(c)}</p></div>" for i, c in enumerate(article.comments, 1))
    canonical = (f'<link rel="canonical" href="{_esc(article.canonical)}">'
                 if article.canonical else "")
    menu = "".join(f'<li><a href="/{m.lower()}/">{_esc(m)}</a></li>' for m in MENU)
    most_read = "".join(f"<li><a href='/plus-lus/{i}.html'>{_esc(t)}</a></li>"
                        for i, t in enumerate(MOST_READ))
    when = article.published.strftime("%d/%m/%Y à %Hh%M")
    return f"""<!DOCTYPE html>
<html lang="{article.lang}">
<head>
<meta charset="{charset}">
<title>{_esc(article.title)} | {_esc(site_name)}</title>
<meta name="description" content="{_esc(article.lead)}">
<meta property="og:title" content="{_esc(article.title)}">
<meta property="og:site_name" content="{_esc(site_name)}">
<meta property="article:published_time" content="{article.published.isoformat()}">
{canonical}
<script type="application/ld+json">{json_ld}</script>
</head>
<body>
<div id="cookie-banner" class="consent">
  <p>Nous utilisons des cookies et des traceurs pour mesurer l'audience et vous proposer des
  publicités personnalisées. Vous pouvez accepter, refuser ou paramétrer vos choix.</p>
  <button>Tout accepter</button><button>Paramétrer</button>
</div>
<header class="site-header">
  <a class="logo" href="/">{_esc(site_name)}</a>
  <nav><ul class="menu">{menu}</ul></nav>
  <a class="subscribe" href="/abonnement">S'abonner</a>
</header>
<main>
<nav class="breadcrumb"><a href="/">Accueil</a> ›
<a href="/{article.section.lower()}/">{_esc(article.section)}</a></nav>
<article class="article">
  <h1 class="article__title">{_esc(article.title)}</h1>
  <p class="article__chapo">{_esc(article.lead)}</p>
  <p class="article__byline">Par <span class="author">{_esc(article.author)}</span>,
  publié le <time datetime="{article.published.isoformat()}">{when}</time></p>
  <div class="article__content">
  {"".join(paragraphs)}
  </div>
</article>
<section class="comments" id="comments"><h2>Commentaires</h2>{comments}</section>
</main>
<aside class="sidebar"><h2>Les plus lus</h2><ol>{most_read}</ol></aside>
<footer><p>© 2026 {_esc(site_name)} – Mentions légales – Politique de confidentialité –
Gestion des cookies</p></footer>
</body>
</html>
"""


def empty_page(title: str) -> str:
    """A video page: a player, menus, a cookie banner, and no article text."""
    return f"""<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>{_esc(title)}</title></head><body>
<div id="cookie-banner"><p>Nous utilisons des cookies. Accepter ou paramétrer.</p></div>
<nav><ul><li><a href="/">Accueil</a></li><li><a href="/videos/">Vidéos</a></li></ul></nav>
<main><h1>{_esc(title)}</h1><div class="player" data-video-id="x81f"></div>
<script>window.player && window.player.load("x81f");</script></main>
<footer>© 2026</footer></body></html>
"""


@dataclass
class FeedItem:
    url: str
    title: str
    published: datetime
    summary: str = ""


def rss_feed(title: str, site_url: str, items: list[FeedItem]) -> str:
    entries = "".join(f"""
  <item>
    <title><![CDATA[{i.title}]]></title>
    <link>{_esc(i.url)}</link>
    <guid isPermaLink="true">{_esc(i.url)}</guid>
    <pubDate>{format_datetime(i.published)}</pubDate>
    <description><![CDATA[{i.summary}]]></description>
  </item>""" for i in items)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>{_esc(title)}</title>
  <link>{_esc(site_url)}</link>
  <description>Toute l'actualité internationale</description>
  <language>fr</language>{entries}
</channel>
</rss>
"""


def atom_feed(title: str, site_url: str, items: list[FeedItem]) -> str:
    entries = "".join(f"""
  <entry>
    <title>{_esc(i.title)}</title>
    <link rel="alternate" href="{_esc(i.url)}"/>
    <id>{_esc(i.url)}</id>
    <updated>{i.published.isoformat()}</updated>
    <summary>{_esc(i.summary)}</summary>
  </entry>""" for i in items)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">
  <title>{_esc(title)}</title>
  <link href="{_esc(site_url)}"/>
  <id>{_esc(site_url)}/</id>
  <updated>2026-11-27T09:00:00+01:00</updated>{entries}
</feed>
"""


def rdf_feed(title: str, site_url: str, items: list[FeedItem]) -> str:
    """RSS 1.0 (RDF), still served by some regional outlets."""
    seq = "".join(f'<rdf:li rdf:resource="{_esc(i.url)}"/>' for i in items)
    entries = "".join(f"""
  <item rdf:about="{_esc(i.url)}">
    <title>{_esc(i.title)}</title>
    <link>{_esc(i.url)}</link>
    <dc:date>{i.published.isoformat()}</dc:date>
    <description>{_esc(i.summary)}</description>
  </item>""" for i in items)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="{_esc(site_url)}/rss">
    <title>{_esc(title)}</title><link>{_esc(site_url)}</link>
    <description>Actualités</description>
    <items><rdf:Seq>{seq}</rdf:Seq></items>
  </channel>{entries}
</rdf:RDF>
"""


def news_sitemap(items: list[FeedItem], *, language: str = "fr",
                 publication: str = SITE_NAME, keywords: str = "") -> str:
    """A Google News sitemap."""
    urls = "".join(f"""
  <url>
    <loc>{_esc(i.url)}</loc>
    <lastmod>{i.published.isoformat()}</lastmod>
    <news:news>
      <news:publication><news:name>{_esc(publication)}</news:name>
        <news:language>{language}</news:language></news:publication>
      <news:publication_date>{i.published.isoformat()}</news:publication_date>
      <news:title>{_esc(i.title)}</news:title>
      <news:keywords>{_esc(keywords)}</news:keywords>
    </news:news>
  </url>""" for i in items)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}
</urlset>
"""


def sitemap_index(urls: list[str], modified: dict[str, datetime] | None = None) -> str:
    """A sitemap index of `urls`, each with the <lastmod> `modified` gives it, if any."""
    dates = {u: f"<lastmod>{d.isoformat()}</lastmod>" for u, d in (modified or {}).items()}
    entries = "".join(f"\n  <sitemap><loc>{_esc(u)}</loc>{dates.get(u, '')}</sitemap>"
                      for u in urls)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}
</sitemapindex>
"""


def section_page(title: str, links: list[tuple[str, str]]) -> str:
    """A section page: menus, a list of article teasers, tag and pagination links."""
    teasers = "".join(f'<article class="teaser"><h2><a href="{_esc(u)}">{_esc(t)}</a></h2>'
                      f"<p>{_esc(t)}…</p></article>" for u, t in links)
    menu = "".join(f'<li><a href="/{m.lower()}/">{_esc(m)}</a></li>' for m in MENU)
    return f"""<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>{_esc(title)} | {_esc(SITE_NAME)}</title></head><body>
<header><nav><ul>{menu}</ul></nav><a href="/abonnement/">S'abonner</a></header>
<main><h1>{_esc(title)}</h1>{teasers}
<nav class="pagination"><a href="/{title.lower()}/page/2/">Page suivante</a></nav>
<aside><a href="/tag/russie/">Russie</a> <a href="/tag/otan/">OTAN</a></aside></main>
<footer><a href="/mentions-legales/">Mentions légales</a> <a href="/login">Connexion</a></footer>
</body></html>
"""
