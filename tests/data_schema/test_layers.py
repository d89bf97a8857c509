"""data_schema sits between store and complexity: it imports complexity and third-party
libraries only, never store or dashboard (imports point one way). That holds for its
subpackages too: the file reader, the catalogs and the commands (data_schema.cli)."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.layers import imported_roots

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "data_schema"
ALLOWED_THIRD_PARTY = {"numpy", "openpyxl", "pandas", "pandera", "pydantic", "pydantic_core"}


def test_data_schema_imports_only_complexity_and_libraries():
    modules = sorted(PACKAGE.rglob("*.py"))
    assert {"cli", "reader", "i18n"} <= {m.parent.name for m in modules}
    for module in modules:
        roots = imported_roots(module)
        outside = roots - set(sys.stdlib_module_names) - ALLOWED_THIRD_PARTY - {"complexity", "data_schema"}
        assert not outside, f"{module.relative_to(ROOT)} imports {sorted(outside)}"
