"""What the layering tests share: the top-level packages a module imports."""

from __future__ import annotations

import ast
from pathlib import Path


def imported_roots(source: Path | ast.AST) -> set[str]:
    """The top-level names of the absolute imports in a module file (or a piece of one)."""
    tree = ast.parse(source.read_text("utf-8")) if isinstance(source, Path) else source
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots
