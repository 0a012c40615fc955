"""`veille sources`: find the feeds and news sitemaps of a site."""

from __future__ import annotations

import sys

import click

from veille.model import ExitCode


@click.group()
def sources() -> None:
    """Work with sources: find the feeds and sitemaps of a site.

    \b
    Example:
      veille sources discover https://www.example-news.fr/
    """


@sources.command()
@click.argument("url")
def discover(url: str) -> None:
    """Print [[source]] entries for the feeds and news sitemaps of the site at URL.

    Reads the page's <link rel="alternate"> feeds and robots.txt's Sitemap:
    lines, opening sitemap indexes one level to find news sitemaps. Paste the
    output into your sources file and review it.

    \b
    Examples:
      veille sources discover https://www.lemonde.fr/
      veille sources discover https://www.rfi.fr/fr/ >> my-sources.toml
    """
    from crawler.discover import DiscoveryError, as_toml
    from crawler.discover import discover as run_discover
    from crawler.urls import is_http_url

    if not is_http_url(url):
        raise click.BadParameter("must be an http:// or https:// URL", param_hint="URL")
    try:
        discovery = run_discover(url)
    except DiscoveryError as exc:
        click.echo(f"veille: cannot discover {url}: {exc}", err=True)
        sys.exit(ExitCode.FAILED)
    if not discovery.found:
        click.echo(f"No feed or sitemap found on {url}. Try its section pages, or a source "
                   'with kind = "page".', err=True)
        sys.exit(ExitCode.FAILED)
    click.echo(as_toml(discovery, url), nl=False)
    click.echo(f"{len(discovery.found)} source(s) found.", err=True)
