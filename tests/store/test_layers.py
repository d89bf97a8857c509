"""store sits on data_schema and complexity: it imports those, the standard library and
its database and security libraries, never dashboard (imports point one way)."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.layers import imported_roots

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "store"
ALLOWED_THIRD_PARTY = {"alembic", "argon2", "numpy", "openpyxl", "pandas", "psycopg", "pydantic", "pyarrow",
                       "pyotp", "sqlalchemy"}


def test_store_imports_only_lower_layers_and_libraries():
    modules = sorted(PACKAGE.rglob("*.py"))
    assert {"accounts", "cli", "demo", "exporter", "importer", "versions"} <= {m.parent.name for m in modules}
    for module in modules:
        roots = imported_roots(module)
        outside = roots - set(sys.stdlib_module_names) - ALLOWED_THIRD_PARTY - {"complexity", "data_schema", "store"}
        assert not outside, f"{module.relative_to(ROOT)} imports {sorted(outside)}"
