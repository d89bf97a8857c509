"""Tables of the plan kept as one list per column (as NumPy wants them afterwards)."""

from __future__ import annotations

from dataclasses import fields
from functools import cache


class ColumnTable:
    """Base of a dataclass whose ``list[...]`` fields are the columns of a table, one
    entry per row in each; its other fields are not columns."""

    def append_row(self, **values: object) -> int:
        """Append one row (a value for every column); its row number."""
        columns = _columns(type(self))
        if values.keys() != set(columns):
            raise TypeError(f"a row of {type(self).__name__} needs {sorted(columns)}, got {sorted(values)}")
        for name, value in values.items():
            getattr(self, name).append(value)
        return len(getattr(self, columns[0])) - 1


@cache
def _columns(table: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(table) if str(f.type).startswith("list["))
