"""Draagkracht's data schemas: one definition per field, derived from the instrument.

- ``spec``: what a field and a table are (:class:`FieldSpec`, :class:`TableSpec`).
- ``fields``: every field's rules (type, range, length, options), generated from
  ``complexity.INSTRUMENT`` and ``CHECKIN`` where they come from there; also the
  constants (roles, limits, the username rule, case-code pattern) ``store`` imports.
- ``layouts``: the import, export and scoring tables made of those fields.
- ``i18n``: the catalog of every word below the dashboard (problems, field labels,
  command-line messages), Dutch and English; ``problems``: problems as codes.
- ``rules``: how typed text is parsed (numbers, Dutch and ISO dates, weeks) and checked.
- ``records``: pydantic models for single records: what every store write validates with.
- ``tables``: pandera models of the tables; ``cells`` and ``validation``:
  :func:`validate_table`, every bad cell of a file by row and column.
- ``guard``: the identifier guard for free text (BSN, e-mail, phone, dates).
- ``codebook``: the codebook of every exported column (``python -m data_schema codebook``).
- ``reader``: the one file reader (CSV and XLSX).
- ``cli``: the commands ``codebook``, ``score`` and ``columns`` (``python -m data_schema``;
  ``score`` and ``columns`` are also ``python -m complexity score|columns``).

Layering: imports only ``complexity`` and third-party libraries; ``store`` and
``dashboard`` build on this package. Names below load their module on first use, so
``import data_schema.fields`` stays light (no pandera).
"""

from importlib import import_module

_EXPORTS = {
    "Problem": "problems", "Finding": "guard", "IdentifierFound": "guard", "check_free_text": "guard",
    "find_identifiers": "guard", "KINDS": "tables", "ValidationResult": "validation", "validate_table": "validation",
    "explain_errors": "records", "codebook_frame": "codebook",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
