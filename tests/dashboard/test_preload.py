"""The production app loads the pages' code at start, freezes it out of the garbage
collector's walks and turns Streamlit's full collection after every run off unless the
operator set it (``dashboard.preload``); each in a process of its own (freezing the test
process would keep every test's objects)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Imports the production app as `streamlit run dashboard/server.py` does, then reports
# what was loaded and frozen, and how much a full collection still has to walk.
PROBE = """
import gc, json, sys
import dashboard.server
import dashboard.components, pkgutil
components = [f"dashboard.components.{m.name}" for m in pkgutil.iter_modules(dashboard.components.__path__)]
from streamlit import config
print(json.dumps({
    "collect_after_run": config.get_option("runner.postScriptGC"),
    "frozen": gc.get_freeze_count(),
    "walked": len(gc.get_objects()),
    "missing": [name for name in components + list(dashboard.preload.LOADED_ON_USE) if name not in sys.modules],
}))
"""


def probe(cwd: Path = ROOT) -> tuple[dict, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")} | {"PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def test_the_server_loads_every_component_and_freezes_the_code_out_of_collections():
    found, stderr = probe()
    assert found["missing"] == []
    # pandas, plotly, scikit-learn, SQLAlchemy and our modules: well over 100,000 objects
    # that a full collection after every script run no longer walks; what it still walks
    # is a small part of that.
    assert found["frozen"] > 100_000
    assert found["walked"] < found["frozen"] / 10
    # Streamlit's runtime does not exist yet when the code is loaded: its cache checks'
    # "No runtime found" warnings are not an operator's concern and are not printed.
    assert "No runtime found" not in stderr
    assert found["collect_after_run"] is False  # Streamlit's collection after every run: off


def test_an_operator_who_sets_the_collection_after_every_run_keeps_it(tmp_path):
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "config.toml").write_text("[runner]\npostScriptGC = true\n")
    found, _ = probe(cwd=tmp_path)
    assert found["collect_after_run"] is True and found["frozen"] > 100_000
