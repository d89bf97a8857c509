"""A column of a file as distinct texts, each parsed once: what makes validating a
100,000-row file cost what its distinct values cost (``data_schema.validation``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from .rules import RuleError, cell_text, parse_value
from .spec import FieldSpec


@dataclass
class Column:
    """One column of the file: its distinct texts and, per row, which one it holds."""

    name: str
    pos: int
    codes: np.ndarray  # per row: index into texts, -1 = empty
    texts: np.ndarray  # distinct stripped texts (None = empty)
    spec: FieldSpec | None = None
    errors: list | None = None  # per distinct text: the RuleError of parsing it, or None
    typed: pd.Series | None = None  # for pandera
    clean: Any = None  # for the result

    def text(self, row: int) -> str | None:
        code = self.codes[row]
        return None if code < 0 else self.texts[code]

    @cached_property
    def present(self) -> np.ndarray:
        if len(self.texts) == 0:
            return np.zeros(len(self.codes), dtype=bool)
        filled = np.fromiter((t is not None for t in self.texts), dtype=bool, count=len(self.texts))
        return (self.codes >= 0) & filled[np.maximum(self.codes, 0)]


def header(name: object) -> str:
    try:
        return str(name).lstrip("\ufeff").strip().lower()
    except Exception:
        return "?"


def read_column(series: pd.Series, name: str, pos: int) -> Column:
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists, dicts): read them as text first
        codes, uniques = pd.factorize(pd.Series([cell_text(v) for v in series], dtype=object))
    texts = np.array([cell_text(u) for u in np.asarray(uniques, dtype=object)], dtype=object)
    return Column(name, pos, np.asarray(codes, dtype=np.int64), texts)


def take(values: np.ndarray, codes: np.ndarray, fill) -> np.ndarray:
    if len(values) == 0:
        return np.full(len(codes), fill, dtype=values.dtype)
    out = values[np.maximum(codes, 0)]
    out[codes < 0] = fill
    return out


def parse_column(col: Column, spec: FieldSpec) -> None:
    """Parse each distinct text; build the typed (pandera) and clean columns."""
    col.spec = spec
    values: list[Any] = [None] * len(col.texts)
    col.errors = [None] * len(col.texts)
    for k, text in enumerate(col.texts):
        if text is None:
            continue
        try:
            values[k] = parse_value(spec, text)
        except RuleError as exc:
            col.errors[k] = exc
    missing = np.fromiter((v is None for v in values), dtype=bool, count=len(values))
    codes = col.codes
    t = spec.type
    if t in ("whole", "decimal", "boolean"):
        numpy_type = {"whole": np.int64, "decimal": np.float64, "boolean": np.bool_}[t]
        data = np.array([0 if v is None else v for v in values], dtype=numpy_type)
        mask = take(missing, codes, True)
        data = take(data, codes, 0)
        array = {"whole": pd.arrays.IntegerArray, "decimal": pd.arrays.FloatingArray,
                 "boolean": pd.arrays.BooleanArray}[t](data, mask)
        col.typed = col.clean = pd.Series(array)
    elif t in ("date", "week"):
        days = np.array([np.datetime64("NaT") if v is None else np.datetime64(v, "D") for v in values],
                        dtype="datetime64[D]")
        col.typed = pd.Series(take(days, codes, np.datetime64("NaT")).astype("datetime64[s]"))
        col.clean = pd.Series(take(np.array(values, dtype=object), codes, None), dtype=object)
    elif t == "multi":
        objects = np.empty(len(values) + 1, dtype=object)
        for k, v in enumerate(values):
            objects[k] = () if v is None else v
        objects[-1] = ()
        col.typed = col.clean = pd.Series(objects[np.where(codes >= 0, codes, len(values))], dtype=object)
    else:
        strings = take(np.array(values, dtype=object), codes, None)
        col.typed = col.clean = pd.Series(strings, dtype="str")


def empty_column(spec: FieldSpec, n: int) -> tuple[pd.Series, pd.Series]:
    col = Column(spec.name, -1, np.full(n, -1, dtype=np.int64), np.array([], dtype=object))
    parse_column(col, spec)
    return col.typed, col.clean


__all__ = ["Column", "empty_column", "header", "parse_column", "read_column", "take"]
