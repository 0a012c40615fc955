"""`veille datasette`: the database in Datasette, with veille's descriptions, views, canned
queries and hidden internals (veille/data/datasette.yml)."""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from veille.cli.common import Options, require_db
from veille.model import ExitCode

METADATA = Path(__file__).resolve().parent.parent / "data" / "datasette.yml"
TEMPLATE_NAME = "veille"  # the database's name in the shipped metadata


def metadata_for(db_path: str) -> dict[str, Any]:
    """The shipped metadata, for a database whose Datasette name is its file's stem."""
    import yaml

    data = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    name = Path(db_path).stem
    data["databases"] = {name: data["databases"][TEMPLATE_NAME]}
    data["description_html"] = data["description_html"].replace(
        f'href="{TEMPLATE_NAME}/', f'href="{name}/')
    for dashboard in data.get("plugins", {}).get("datasette-dashboards", {}).values():
        for part in (*dashboard.get("charts", {}).values(),
                     *dashboard.get("filters", {}).values()):
            if part.get("db") == TEMPLATE_NAME:
                part["db"] = name
    return data


@click.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True)
@click.option("--metadata-out", type=click.Path(dir_okay=False, writable=True),
              help="Write the metadata for this database to a file and exit (for your own "
                   "`datasette serve DB -m FILE` line).")
@click.pass_obj
def datasette(opts: Options, port: int, metadata_out: str | None) -> None:
    """Open the database in Datasette on 127.0.0.1, described for analysts.

    Views first (tagged articles without their text, daily volume, top stories,
    story timelines, source activity), French descriptions of every table and
    column, canned queries with parameters, internal tables hidden, long texts
    cut in lists. Needs the optional extra: pip install 'veille[datasette]'.

    \b
    Examples:
      veille --db news.db datasette                 # http://127.0.0.1:8001/
      veille --db news.db datasette --port 8080
      veille --db news.db datasette --metadata-out metadata.json
    """
    import json

    require_db(opts.db)
    if importlib.util.find_spec("datasette") is None:
        click.echo("veille: Datasette is not installed: pip install 'veille[datasette]' "
                   "(or pip install datasette), then run this command again.", err=True)
        sys.exit(ExitCode.CONFIG)
    data = metadata_for(opts.db)
    if metadata_out:
        Path(metadata_out).write_text(json.dumps(data, ensure_ascii=False, indent=2),
                                      encoding="utf-8")
        click.echo(f"Wrote {metadata_out}: datasette serve {opts.db} -m {metadata_out} "
                   "--setting truncate_cells_html 300", err=True)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "metadata.json"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        click.echo(f"Datasette on http://127.0.0.1:{port}/ (Ctrl-C to stop)", err=True)
        code = _serve([sys.executable, "-m", "datasette", "serve", opts.db, "-m", str(path),
                       "--host", "127.0.0.1", "--port", str(port),
                       "--setting", "truncate_cells_html", "300",
                       "--setting", "sql_time_limit_ms", "5000"])
    sys.exit(code)


def _serve(command: list[str]) -> int:
    """Run Datasette until it stops; a SIGTERM or Ctrl-C to veille stops it too (it would
    otherwise outlive the command that started it)."""
    child = subprocess.Popen(command)
    stopped = []

    def stop(signum: int, _frame: object) -> None:
        stopped.append(signum)
        child.terminate()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        code = child.wait()
        return 0 if stopped else code
    except KeyboardInterrupt:
        child.terminate()
        child.wait()
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
