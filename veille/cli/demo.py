"""`veille demo`: the offline demo, on a local site veille starts itself."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command()
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
    from veille.demo.run import run_demo

    sys.exit(run_demo(workdir))
