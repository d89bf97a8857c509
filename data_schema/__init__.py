"""Draagkracht's data schemas: one definition per field, derived from the instrument.

- ``fields``: every field's rules (type, range, length, options, labels), and the
  import and export table specs generated from ``complexity.INSTRUMENT`` and ``CHECKIN``;
  also the constants (roles, languages, limits, case-code pattern) ``store`` imports.
- ``rules``: how typed text is parsed (numbers, Dutch and ISO dates, weeks) and checked.
- ``tables``: pandera models and :func:`validate_table` for imports (every bad cell, by
  row and column, in Dutch and English); models for exports and query results.
- ``records``: pydantic models for single records at the edges; ``explain_errors``.
- ``guard``: the identifier guard for free text (BSN, e-mail, phone, dates).
- ``codebook``: the codebook of every exported column (``python -m data_schema codebook``).
- ``reader``: the one file reader (CSV and XLSX); ``i18n``: the catalog of messages.
- ``cli``: the commands ``codebook``, ``score`` and ``columns`` (``python -m data_schema``;
  ``score`` and ``columns`` are also ``python -m complexity score|columns``).

Layering: imports only ``complexity`` and third-party libraries; ``store`` and
``dashboard`` build on this package. Names below load their module on first use, so
``import data_schema.fields`` stays light (no pandera).
"""

from importlib import import_module

_EXPORTS = {
    "Problem": "problems", "Finding": "guard", "IdentifierFound": "guard", "check_free_text": "guard",
    "find_identifiers": "guard", "KINDS": "tables", "ValidationResult": "tables", "validate_table": "tables",
    "explain_errors": "records", "codebook_frame": "codebook",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
