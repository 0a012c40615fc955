"""Fixtures shared by every test, and an environment free of the developer's VEILLE_*.

A developer with VEILLE_ALERTS or VEILLE_DB set would otherwise get real chat
messages from the tests, or tests writing into their database: every VEILLE_*
variable is removed before any test runs, for the tests and for the `veille`
subprocesses they start.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import sqlite_utils

from storage.db import open_db
from veille.demo.site import NewsSite, Route

for _name in [n for n in os.environ if n.startswith("VEILLE_")]:
    del os.environ[_name]


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite() as running:
        yield running


@pytest.fixture
def receiver() -> Iterator[NewsSite]:
    """A webhook receiver on 127.0.0.1: answers 200 at /hook and records every POST;
    add routes to program outages."""
    with NewsSite({"/hook": Route(b'{"ok": true}', content_type="application/json")}) as hook:
        yield hook


@pytest.fixture
def db(tmp_path) -> Iterator[sqlite_utils.Database]:
    database = open_db(tmp_path / "v.db")
    yield database
    database.close()
