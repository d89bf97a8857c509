"""Pandera schemas of Draagkracht's tables, generated from their field specs.

Each import kind (:data:`KINDS`) has a pandera ``DataFrameModel`` generated from its
field specs (``data_schema.layouts``): ratings get one column per instrument item and
check-ins one per check-in field, so a new item needs no edit here. So do the cases the
scoring command reads (:data:`SCORE_KIND`, ``CasesToScoreTable``), the export tables
(:data:`EXPORT_MODELS`) and the query results the dashboard reads (``WeeklyLoadFrame``,
``ScoredCasesFrame``). Checking a file's table against these models, cell by cell, is
``data_schema.validation.validate_table``.
"""

from __future__ import annotations

import keyword
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from complexity import INSTRUMENT
from complexity.calendar import monday_of, today
from .fields import (
    BAND, CASE_ID, COMPLEXITY, FLAGS, INSTRUMENT_VERSION, INTERACTION, MODEL_VERSION, contribution_fields,
    domain_fields,
)
from .layouts import EXPORT_TABLES, IMPORT_TABLES, SCORE_INPUT
from .spec import FieldSpec, TableSpec
from .guard import find_identifiers

KINDS: tuple[str, ...] = ("therapists", "cases", "ratings", "sessions", "checkins")
SCORE_KIND = "cases_to_score"  # what the scoring command reads; not an import kind
_TEXT_TYPES = ("text", "free_text", "username", "case_code", "choice")


# --- pandera models ----------------------------------------------------------------------

def _dtype(spec: FieldSpec):
    t = spec.type
    if t == "whole":
        return pd.Int64Dtype
    if t == "decimal":
        return pd.Float64Dtype
    if t in ("date", "week", "timestamp"):
        return pa.DateTime
    if t == "boolean":
        return pd.BooleanDtype
    if t == "multi":
        return object
    return str


def _as_datetimes(s: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s
    return pd.to_datetime(pd.Series(s, dtype=object), errors="coerce")


def _not_future_check(week: bool) -> Callable:
    def check(cls, s: pd.Series) -> pd.Series:
        now = today()
        limit = pd.Timestamp(monday_of(now) if week else now)
        d = _as_datetimes(s)
        return d.isna() | (d <= limit)
    return check


def _monday_check(cls, s: pd.Series) -> pd.Series:
    d = _as_datetimes(s)
    return d.isna() | (d.dt.day_of_week == 0)


def _identifier_check(max_length: int | None) -> Callable:
    def check(cls, s: pd.Series) -> pd.Series:
        text = s.astype("str")
        candidate = (text.str.contains("@", regex=False) | (text.str.count("[0-9]") >= 4)).fillna(False)
        if max_length is not None:  # too long is reported as such; its text is not searched
            candidate &= (text.str.len() <= max_length).fillna(False)
        ok = np.ones(len(s), dtype=bool)
        values = text.to_numpy(dtype=object)
        for i in np.flatnonzero(candidate.to_numpy(dtype=bool)):
            ok[i] = not find_identifiers(values[i])
        return pd.Series(ok, index=s.index)
    return check


def _order_check(earlier: str, later: str) -> Callable:
    def check(cls, df: pd.DataFrame) -> pd.Series:
        a, b = _as_datetimes(df[earlier]), _as_datetimes(df[later])
        return a.isna() | b.isna() | (b >= a)
    return check


def _at_least_one_check(columns: tuple[str, ...]) -> Callable:
    def check(cls, df: pd.DataFrame) -> pd.Series:
        present = [c for c in columns if c in df.columns]
        if not present:
            return pd.Series(False, index=df.index)
        return df[present].notna().any(axis=1)
    return check


def _attribute(name: str, i: int) -> str:
    if name.isidentifier() and not keyword.iskeyword(name) and not hasattr(pa.DataFrameModel, name) \
            and not name.startswith("_"):
        return name
    return f"column_{i}"


def build_model(table: TableSpec, name: str, *, loose_dtypes: bool = False, strict: bool = True,
                columns: tuple[FieldSpec, ...] | None = None,
                n_failure_cases: int | None = None) -> type[pa.DataFrameModel]:
    """A pandera DataFrameModel for ``table``, generated from its field specs.

    ``loose_dtypes`` leaves dtypes unchecked (query results carry NumPy floats,
    categoricals and date objects); the value rules apply either way.
    ``n_failure_cases`` limits the failure cases pandera lists per check (the import
    models use a few: validate_table reads each check's full output instead).
    """
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__module__": __name__, "__doc__": f"Generated from the {table.name!r} table spec."}
    for i, f in enumerate(columns if columns is not None else table.fields):
        attr = _attribute(f.name, i)
        annotations[attr] = Series[Any] if loose_dtypes else Series[_dtype(f)]
        kwargs: dict[str, Any] = {"nullable": not f.required, "title": f.label("en"),
                                  "description": f.label("nl"), "n_failure_cases": n_failure_cases}
        if attr != f.name:
            kwargs["alias"] = f.name
        if f.type in ("whole", "decimal"):
            if f.min is not None and f.max is not None:
                kwargs["in_range"] = {"min_value": f.min, "max_value": f.max}
            elif f.min is not None:
                kwargs["ge"] = f.min
            elif f.max is not None:
                kwargs["le"] = f.max
        elif f.type == "choice":
            kwargs["isin"] = list(f.choices)
        elif f.type in _TEXT_TYPES:
            if f.max_length is not None:
                kwargs["str_length"] = {"max_value": f.max_length}
            if f.pattern is not None:
                kwargs["str_matches"] = f.pattern
        namespace[attr] = pa.Field(**kwargs)
        if f.type == "week":
            namespace[f"_monday_{i}"] = pa.check(f.name, name="not_a_monday", n_failure_cases=n_failure_cases)(_monday_check)
        if f.not_future and f.type in ("date", "week"):
            namespace[f"_not_future_{i}"] = pa.check(f.name, name="future_date", n_failure_cases=n_failure_cases)(_not_future_check(f.type == "week"))
        if f.type == "free_text":
            namespace[f"_guard_{i}"] = pa.check(f.name, name="identifier_found", n_failure_cases=n_failure_cases)(_identifier_check(f.max_length))
    for j, (earlier, later) in enumerate(table.order):
        namespace[f"_order_{j}"] = pa.dataframe_check(name=f"date_order:{earlier}:{later}", n_failure_cases=n_failure_cases)(
            _order_check(earlier, later))
    if table.at_least_one:
        namespace["_at_least_one"] = pa.dataframe_check(name="no_ratings", n_failure_cases=n_failure_cases)(_at_least_one_check(table.at_least_one))
    namespace["__annotations__"] = annotations
    config = type("Config", (), {"strict": strict, "name": name,
                                 "unique": list(table.unique) if table.unique else None})
    namespace["Config"] = config
    return type(name, (pa.DataFrameModel,), namespace)


def _class_name(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.split("_")) + "Table"


# The import tables, generated: TherapistsTable, CasesTable, RatingsTable, SessionsTable, CheckinsTable.
IMPORT_MODELS: Mapping[str, type[pa.DataFrameModel]] = {
    kind: build_model(IMPORT_TABLES[kind], _class_name(kind), n_failure_cases=5) for kind in KINDS
}
TherapistsTable = IMPORT_MODELS["therapists"]
CasesTable = IMPORT_MODELS["cases"]
RatingsTable = IMPORT_MODELS["ratings"]
SessionsTable = IMPORT_MODELS["sessions"]
CheckinsTable = IMPORT_MODELS["checkins"]

# The cases the scoring command reads (layouts.SCORE_INPUT): CasesToScoreTable.
CasesToScoreTable = build_model(SCORE_INPUT, _class_name(SCORE_KIND), n_failure_cases=5)

# Every table validate_table checks: the import kinds and the cases to score.
CHECKED: Mapping[str, tuple[TableSpec, type[pa.DataFrameModel]]] = {
    **{kind: (IMPORT_TABLES[kind], IMPORT_MODELS[kind]) for kind in KINDS},
    SCORE_KIND: (SCORE_INPUT, CasesToScoreTable),
}

# Export tables (what an export writes; the codebook has a row for each column).
EXPORT_MODELS: Mapping[str, type[pa.DataFrameModel]] = {
    name: build_model(spec, "Export" + _class_name(name).removesuffix("Table"), loose_dtypes=True)
    for name, spec in EXPORT_TABLES.items()
}

# Query results the dashboard reads.
WeeklyLoadFrame = build_model(EXPORT_TABLES["weekly_load"], "WeeklyLoadFrame", loose_dtypes=True)
"""``complexity.weekly_load`` / the store's weekly load: one row per therapist per week."""

ScoredCasesFrame = build_model(
    TableSpec("scored_cases", ()), "ScoredCasesFrame", loose_dtypes=True, strict=False,
    columns=(CASE_ID, COMPLEXITY, BAND, *domain_fields(INSTRUMENT), *contribution_fields(INSTRUMENT),
             INTERACTION, FLAGS, INSTRUMENT_VERSION, MODEL_VERSION),
)
"""``complexity.score_cases`` output (further columns allowed)."""


__all__ = [
    "CasesTable", "CasesToScoreTable", "CheckinsTable", "EXPORT_MODELS", "IMPORT_MODELS", "KINDS", "RatingsTable",
    "SCORE_KIND", "ScoredCasesFrame", "SessionsTable", "TherapistsTable", "WeeklyLoadFrame", "build_model",
]
