"""The README documents the whole command line (as sqlite-utils' tests/test_docs.py does)."""

from __future__ import annotations

import click
import pytest

from tests.helpers import ROOT
from veille.cli import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def command_paths(group: click.Group, prefix: str = "veille") -> list[str]:
    paths = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        paths.append(path)
        if isinstance(command, click.Group):
            paths += command_paths(command, path)
    return paths


@pytest.mark.parametrize("path", command_paths(cli))
def test_every_command_and_subcommand_is_in_the_readme(path):
    assert f"`{path}`" in README, f"README.md does not document `{path}`"


def test_command_paths_cover_groups():
    paths = command_paths(cli)
    assert "veille alerts send" in paths and "veille sources discover" in paths
