"""Fast bulk inserts for the importer and the demo practice, in the session's transaction.

PostgreSQL (psycopg) gets ``COPY ... FROM STDIN``; SQLite an ``executemany`` in chunks.
Values go through each column type's bind processing for the dialect (memoised for the
few distinct dates and timestamps), so they are stored exactly as the ORM would store
them, without SQLAlchemy's per-row parameter handling, which costs several times the
insert itself at 100,000 rows.
"""

from __future__ import annotations

import itertools
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Date, DateTime, Float, Integer, Table, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

CHUNK = 50_000  # rows per executemany
_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def _table(table_or_model) -> Table:
    return getattr(table_or_model, "__table__", table_or_model)


def _processor(column_type, dialect) -> Callable | None:
    processor = column_type.dialect_impl(dialect).bind_processor(dialect)
    if processor is None or not isinstance(column_type, (Date, DateTime)) and not hasattr(column_type, "impl"):
        return processor
    cache: dict = {}  # dates and timestamps: few distinct values, many rows

    def cached(value):
        out = cache.get(value)
        if out is None:
            out = cache[value] = processor(value)
        return out

    return cached


def insert_rows(session: Session, table_or_model, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` (sequences of plain Python values in ``columns`` order; None is
    NULL) into a table or ORM model's table; returns the number of rows. A constraint
    violation raises SQLAlchemy's :class:`IntegrityError` on both backends."""
    dialect = session.connection().dialect
    table = _table(table_or_model)
    active = [(j, p) for j, p in enumerate(_processor(table.c[c].type, dialect) for c in columns) if p is not None]

    def processed(row: Sequence) -> tuple:
        if not active:
            return tuple(row)
        row = list(row)
        for j, p in active:
            if row[j] is not None:
                row[j] = p(row[j])
        return tuple(row)

    return _write(session, table, columns, map(processed, rows))


def _write(session: Session, table: Table, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Write rows whose values are already bound for the dialect."""
    conn = session.connection()
    dialect = conn.dialect
    prep = dialect.identifier_preparer
    target = f"{prep.format_table(table)} ({', '.join(prep.quote(c) for c in columns)})"
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        import psycopg

        sql, n = f"COPY {target} FROM STDIN", 0
        try:
            with conn.connection.driver_connection.cursor() as cursor, cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
        except psycopg.IntegrityError as exc:
            raise IntegrityError(sql, None, exc) from exc
        return n
    placeholder = _PLACEHOLDERS.get(dialect.paramstyle)
    if placeholder is None:  # pragma: no cover - SQLite and psycopg use the styles above
        batch = [dict(zip(columns, r)) for r in rows]
        if batch:
            session.execute(insert(table), batch)
        return len(batch)
    sql = f"INSERT INTO {target} VALUES ({', '.join([placeholder] * len(columns))})"
    n = 0
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, CHUNK)):
        conn.exec_driver_sql(sql, batch)
        n += len(batch)
    return n


def column_values(values) -> list:
    """A column as a Python list with None for missing values (NumPy/pandas scalars
    become Python ones)."""
    if isinstance(values, pd.Series):
        if pd.api.types.is_bool_dtype(values.dtype) and not values.hasnans:
            return values.to_numpy(dtype=bool).tolist()
        if pd.api.types.is_integer_dtype(values.dtype):
            if values.hasnans:
                return values.astype(object).where(values.notna(), None).tolist()
            return values.to_numpy(dtype=np.int64).tolist()
        if pd.api.types.is_float_dtype(values.dtype):
            return _floats(values.to_numpy(dtype=float, na_value=np.nan))
        return values.astype(object).where(values.notna(), None).tolist()
    if isinstance(values, np.ndarray):
        return _floats(values) if values.dtype.kind == "f" else values.tolist()
    return list(values)


def _floats(arr: np.ndarray) -> list:
    out = arr.tolist()
    for i in np.flatnonzero(np.isnan(arr)):
        out[i] = None
    return out


def insert_columns(session: Session, table_or_model, columns: Mapping[str, object], n: int) -> int:
    """Insert ``n`` rows given column-wise: ``columns`` maps a column name to ``n``
    values (list, array or Series) or to one value for every row (``None`` for every
    row leaves the column to its default). Bind processing runs column by column, once
    per distinct value."""
    if n == 0:
        return 0
    table = _table(table_or_model)
    dialect = session.connection().dialect
    names: list[str] = []
    data: list = []
    for name, values in columns.items():
        column_type = table.c[name].type
        processor = column_type.dialect_impl(dialect).bind_processor(dialect)
        if not isinstance(values, (list, tuple, np.ndarray, pd.Series)):
            if values is None:
                continue  # the column's default
            names.append(name)
            data.append(itertools.repeat(processor(values) if processor else values, n))
            continue
        values = column_values(values)
        if len(values) != n:
            raise ValueError(f"column {name}: {len(values)} values for {n} rows")
        if processor is not None and not isinstance(column_type, (Integer, Float)):
            cache: dict = {}  # numbers are Python ints/floats already (column_values)
            values = [None if v is None else (cache[v] if v in cache else cache.setdefault(v, processor(v)))
                      for v in values]
        names.append(name)
        data.append(values)
    return _write(session, table, names, zip(*data))


__all__ = ["CHUNK", "column_values", "insert_columns", "insert_rows"]
