"""The app's code loaded once when the server starts, and the garbage collector kept
off the path of every click.

Streamlit runs a full garbage collection after every script run (its option
``runner.postScriptGC``, on by default, against memory building up). A full collection
walks every object the process holds. Most of ours are the code itself (pandas, plotly,
scikit-learn, SQLAlchemy and our modules: some 240,000 objects), which never becomes
garbage; the rest are the open sessions' state. Measured on our 2-core machines
(``bench/bench_research.py``, ``bench/bench_instance_load.py``), the walk took about
130 ms of every run with one user, longer than the rest of a researcher's rerun
together, and with 300 therapists logged in it grew with their sessions to most of the
0.17-0.27 s of CPU each rerun cost, the interpreter locked for every other session
meanwhile. So, at start:

- :func:`freeze_loaded_code` imports what the pages use (every module of
  ``dashboard.components``, which brings the store, the model and the libraries, and the
  modules loaded only on first use), sets up the ORM's mappers, draws one figure of each
  kind so that plotly builds its validators, collects once, and then moves everything
  alive into the collector's permanent generation (``gc.freeze``): later collections
  walk only what came after. What was frozen stays in memory for the life of the
  process, which the code does anyway.
- :func:`collect_as_python_does` turns Streamlit's collection after every run off
  (unless the operator set ``runner.postScriptGC`` in Streamlit's configuration): Python's
  own collector still runs, when enough new objects have piled up, not once per click.
  The research benchmark's peak memory stayed the same (it prints it).

Loading everything at start costs each instance about 100 MiB of resident memory that
one serving only therapists did without (scikit-learn and SciPy: 274 MiB after these
imports against 171 MiB for a therapist's pages), and spares the first researcher of
each instance the wait for those imports.

``dashboard/server.py`` (``make run``, ``python -m dashboard serve``, the browser tests
and benchmarks) calls both once, at start. Tests that run ``dashboard/app.py``
in-process (AppTest) do not.
"""

from __future__ import annotations

import gc
import importlib
import logging
import pkgutil
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy.orm import configure_mappers

POST_SCRIPT_GC = "runner.postScriptGC"

# Modules loaded only when first needed: SciPy and scikit-learn for calibration; plotly's
# JSON; the migration check run when the database is first opened (Alembic and the Mako
# templates it loads); the page icon (Pillow).
LOADED_ON_USE = ("complexity.calibration", "plotly.io", "alembic.command", "alembic.script",
                 "alembic.runtime.migration", "mako.template", "PIL.Image")


@contextmanager
def _quiet_cache_checks() -> Iterator[None]:
    """``st.cache_data`` checks its options when a module defines a cached function; at
    server start Streamlit's runtime does not exist yet, so the check runs against the
    in-memory store and warns "No runtime found" for each. The caches themselves are made
    on first call, inside the runtime; the warning would only mislead an operator."""
    checker = logging.getLogger("streamlit.runtime.caching.cache_data_api")
    level = checker.level
    checker.setLevel(logging.ERROR)
    try:
        yield
    finally:
        checker.setLevel(level)


def _load_pages_code() -> None:
    import dashboard.components as components

    for module in pkgutil.iter_modules(components.__path__):
        importlib.import_module(f"{components.__name__}.{module.name}")
    for name in LOADED_ON_USE:
        importlib.import_module(name)
    configure_mappers()  # SQLAlchemy sets up the ORM's relationships on first use: now


def _build_plotly_validators() -> None:
    """Plotly creates a trace's and the layout's validators on first use: once here."""
    import plotly.graph_objects as go

    figure = go.Figure([go.Bar(x=["a"], y=[1], text=["1"]), go.Scatter(x=[0], y=[0], mode="lines+markers"),
                        go.Heatmap(z=[[0.0]], x=["a"], y=["b"], zmin=-1, zmax=1)])
    figure.update_layout(height=300, margin={"t": 30}, xaxis={"title": {"text": "x"}}, yaxis={"range": [0, 1]},
                         legend={"orientation": "h"})
    figure.to_plotly_json()


def collect_as_python_does() -> bool:
    """Streamlit's full collection after every script run off, unless the operator set
    ``runner.postScriptGC`` (config file, ``STREAMLIT_RUNNER_POST_SCRIPT_GC`` or a flag);
    whether it is off now."""
    from streamlit import config

    if not config.is_manually_set(POST_SCRIPT_GC):
        config.set_option(POST_SCRIPT_GC, False, where_defined="dashboard.preload")
    return not config.get_option(POST_SCRIPT_GC)


def freeze_loaded_code() -> int:
    """Load the pages' code, collect once and freeze what is alive; the number of
    objects frozen."""
    with _quiet_cache_checks():
        _load_pages_code()
    _build_plotly_validators()
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


__all__ = ["LOADED_ON_USE", "POST_SCRIPT_GC", "collect_as_python_does", "freeze_loaded_code"]
