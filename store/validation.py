"""The one validator of every store write: data_schema's records.

A write function builds its record (``data_schema.records``: the same field rules, the
same problem codes as a form and an import) with :func:`validated`; a broken rule becomes
:class:`store.InvalidInput` listing every problem, before anything is written. Rules
that need what is stored (a date within the case's open period, a week already checked
in) are checked by the write function after that, with problems of their own codes.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from data_schema.spec import FieldSpec
from data_schema.records import RecordError, validate_record, validate_value

from .errors import InvalidInput


def validated(model: type[BaseModel], data: dict[str, Any], *, row: int | None = None) -> Any:
    """``model`` made from ``data``, or :class:`InvalidInput` (its problems in ``row``)."""
    try:
        return validate_record(model, data)
    except RecordError as exc:
        raise InvalidInput([p.at(row, p.column) for p in exc.problems]) from None


def checked(spec: FieldSpec, value: object, column: str | None = None) -> Any:
    """One value checked by its field's rules, or :class:`InvalidInput`."""
    try:
        return validate_value(spec, value, column)
    except RecordError as exc:
        raise InvalidInput(exc.problems) from None


__all__ = ["checked", "validated"]
