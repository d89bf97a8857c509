"""dashboard is the top layer: it may import every package below it, nothing imports it.
Its views draw: they hold no SQL (they call store functions and components; the
database engine is only known to components/database.py and components/context.py) and
stay thin."""

from __future__ import annotations

from pathlib import Path

from tests.layers import imported_roots

ROOT = Path(__file__).resolve().parents[2]
VIEWS = ROOT / "dashboard" / "views"


def test_nothing_below_imports_the_dashboard():
    for package in ("complexity", "data_schema", "store"):
        for module in (ROOT / package).rglob("*.py"):
            assert "dashboard" not in imported_roots(module), f"{module.relative_to(ROOT)} imports dashboard"


def test_views_hold_no_sql():
    views = sorted(VIEWS.glob("*.py"))
    assert len(views) >= 8
    for view in views:
        text = view.read_text("utf-8")
        assert "sqlalchemy" not in imported_roots(view), f"{view.name} imports sqlalchemy"
        for name in ("store.models", "store.db", "select(", ".execute("):
            assert name not in text, f"{view.name} uses {name}"


def test_views_stay_thin():
    for view in VIEWS.glob("*.py"):
        lines = len(view.read_text("utf-8").splitlines())
        assert lines <= 150, f"{view.name} has {lines} lines: move drawing into a component"
