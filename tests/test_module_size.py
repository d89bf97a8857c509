"""Each module of store/ and data_schema/ does one job and can be read in one sitting:
under 400 lines, or its docstring says why it is longer (the word "longer" in the first
docstring, with the reason)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 400


def test_store_and_data_schema_modules_stay_readable():
    long = []
    for package in ("store", "data_schema"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text("utf-8")
            if len(text.splitlines()) < LIMIT:
                continue
            doc = ast.get_docstring(ast.parse(text)) or ""
            if "longer" not in doc:
                long.append(f"{path.relative_to(ROOT)}: {len(text.splitlines())} lines")
    assert long == []
