"""complexity is the pure model at the bottom of the layers: it imports no project
package above it (data_schema, store, dashboard), reads and writes no files, parses no
command line and prints nothing. Its own definitions (instrument.toml, ...) are package
data read with importlib.resources.

One file is exempt: ``complexity/__main__.py``, the launcher of ``python -m complexity
score`` (the command itself lives in ``data_schema.cli.score``); it is not part of the
library and runs only as ``__main__``."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from tests.layers import imported_roots

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "complexity"
LAUNCHER = PACKAGE / "__main__.py"
ALLOWED_THIRD_PARTY = {"numpy", "pandas", "pydantic", "scipy", "sklearn"}
# Standard-library modules for files, command lines and terminals.
FORBIDDEN_STDLIB = {"argparse", "csv", "getopt", "io", "shutil", "tempfile", "pathlib", "glob", "fileinput"}
FORBIDDEN_CALLS = {"open", "print", "input"}
FORBIDDEN_METHODS = {"read_csv", "read_excel", "to_csv", "to_excel", "read_bytes", "write_bytes", "write_text"}


def library_modules() -> list[Path]:
    modules = sorted(p for p in PACKAGE.rglob("*.py") if p != LAUNCHER)
    assert len(modules) > 5
    return modules


def test_complexity_imports_only_the_standard_library_and_numeric_libraries():
    for module in library_modules():
        roots = imported_roots(module)
        outside = roots - set(sys.stdlib_module_names) - ALLOWED_THIRD_PARTY - {"complexity"}
        assert not outside, f"{module.relative_to(ROOT)} imports {sorted(outside)}"
        assert not roots & FORBIDDEN_STDLIB, f"{module.relative_to(ROOT)} imports {sorted(roots & FORBIDDEN_STDLIB)}"


def test_complexity_reads_no_files_and_prints_nothing():
    for module in library_modules():
        for node in ast.walk(ast.parse(module.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name):
                assert func.id not in FORBIDDEN_CALLS, f"{module.relative_to(ROOT)}:{node.lineno} calls {func.id}()"
            elif isinstance(func, ast.Attribute):
                assert func.attr not in FORBIDDEN_METHODS, \
                    f"{module.relative_to(ROOT)}:{node.lineno} calls .{func.attr}()"


def test_the_launcher_only_launches_the_command_above_the_core():
    tree = ast.parse(LAUNCHER.read_text("utf-8"))
    body = [node for node in tree.body if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
    assert len(body) == 1 and isinstance(body[0], ast.If), "only an `if __name__ == '__main__':` block"
    assert ast.unparse(body[0].test) == "__name__ == '__main__'"
    assert imported_roots(body[0]) == {"data_schema"}
