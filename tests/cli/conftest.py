"""The demo database, made once for the command-line tests that read it."""

import pytest

from tests.helpers import run_veille


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("demo")
    return workdir, run_veille("demo", "--dir", str(workdir))
