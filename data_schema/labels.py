"""Problems as a form shows them: the field's label in the reader's language instead of
its column name ("Teamnaam: er is al een team ...", not "kolom name: ..."). A file's
report keeps the column names (they are what the file's header says)."""

from __future__ import annotations

from functools import cache

from .i18n import CATALOG
from .layouts import EXPORT_TABLES, IMPORT_TABLES, SCORE_INPUT
from .problems import Problem
from .spec import FieldSpec


@cache
def _fields_by_column() -> dict[str, FieldSpec]:
    """Every field of every table by its column name; the first table that has it wins
    (imports first: those are what people type)."""
    found: dict[str, FieldSpec] = {}
    for table in (*IMPORT_TABLES.values(), *EXPORT_TABLES.values(), SCORE_INPUT):
        for spec in table.fields:
            found.setdefault(spec.name, spec)
    return found


def column_label(column: str | None, lang: str) -> str | None:
    """The label of the field stored in ``column`` (None when no field is)."""
    spec = _fields_by_column().get(column) if column else None
    return spec.label(lang) if spec is not None else None


def form_message(problem: Problem, lang: str) -> str:
    """``Label: what is wrong`` (with the row when there is one), in ``lang``; a column
    no field describes keeps the file-style ``column x: ...``."""
    label = column_label(problem.column, lang)
    if label is None:
        return problem.message(lang)
    if problem.row is not None:
        where = CATALOG.translate(lang, "where.row_field", row=problem.row, field=label)
    else:
        where = CATALOG.translate(lang, "where.field", field=label)
    return where + problem.text(lang)


__all__ = ["column_label", "form_message"]
