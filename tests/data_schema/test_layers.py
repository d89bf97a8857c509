"""data_schema sits between store and complexity: it imports complexity and third-party
libraries only, never store or dashboard (imports point one way)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "data_schema"
ALLOWED_THIRD_PARTY = {"numpy", "pandas", "pandera", "pydantic", "pydantic_core"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_data_schema_imports_only_complexity_and_libraries():
    modules = sorted(PACKAGE.glob("*.py"))
    assert modules
    for module in modules:
        roots = imported_roots(module)
        outside = roots - set(sys.stdlib_module_names) - ALLOWED_THIRD_PARTY - {"complexity", "data_schema"}
        assert not outside, f"{module.name} imports {sorted(outside)}"
