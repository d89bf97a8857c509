"""``python -m store``: an operator never sees a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("url, says", [
    ("postgresql+psycopg://nobody@127.0.0.1:1/none", "cannot use the database"),
    ("mysql://x/y", "unsupported database"),
    ("not a url", "not a database URL"),
])
@pytest.mark.parametrize("command", [["upgrade"], ["current"]])
def test_a_bad_database_gets_one_line(url, says, command):
    done = subprocess.run([sys.executable, "-m", "store", *command], cwd=ROOT, capture_output=True, text=True,
                          env={"DRAAGKRACHT_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}, timeout=60)
    assert done.returncode == 1
    assert says in done.stderr and "Traceback" not in done.stderr + done.stdout
    assert len(done.stderr.strip().splitlines()) == 1


def test_help_lists_every_command():
    done = subprocess.run([sys.executable, "-m", "store", "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0
    for command in ("upgrade", "demo", "backup", "restore", "export", "import", "create-admin"):
        assert command in done.stdout
