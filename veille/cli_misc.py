"""`veille sources discover` and `veille demo`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from veille.cli import (
    cli,
)


@cli.group()
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
        found = run_discover(url)
    except DiscoveryError as exc:
        click.echo(f"veille: cannot read {exc}", err=True)
        sys.exit(1)
    if not found:
        click.echo(f"No feed or sitemap found on {url}. Try its section pages, or a source "
                   'with kind = "page".', err=True)
        sys.exit(1)
    click.echo(as_toml(found, url), nl=False)
    click.echo(f"{len(found)} source(s) found.", err=True)

@cli.command()
@click.option("--dir", "workdir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("demo"), show_default=True,
              help="Where to write the demo database and sources file.")
def demo(workdir: Path) -> None:
    """Run veille offline against a local news site it starts itself.

    Serves French articles on and off topic, one in English, one linked
    twice through a tracking URL, one without main text, crawls them with
    the real pipeline into DIR/veille-demo.db and prints what was stored.

    \b
    Example:
      veille demo --dir /tmp/veille-demo
    """
    from veille.demo import run_demo

    sys.exit(run_demo(workdir))
