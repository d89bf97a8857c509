"""Problems as data: a code, where, and the parameters of its message.

A :class:`Problem` names where something is wrong (``row`` as a spreadsheet user sees
it: the header is row 1, the first data row is row 2; ``column`` as named in the file or
form) and a stable machine ``code``. Its message is the catalog text ``problem.<code>``
(``data_schema/i18n``), filled with the problem's parameters when it is shown, in the
reader's language: :meth:`Problem.message`. The same codes are the error types of the
pydantic records (``data_schema.records``), so a form, an import and the store say the
same thing about the same mistake.

Values are quoted in messages as typed, shortened to :data:`SHOWN_CHARS` characters and
stripped of control characters; an identifier found in free text is only ever shown
masked (``data_schema.guard``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from complexity import LANGUAGES

from .i18n import CATALOG, Catalog, Text

SHOWN_CHARS = 40

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def show(value: object) -> str:
    """A value as it may appear in a message: one line, at most SHOWN_CHARS characters."""
    text = _CONTROL.sub(" ", value if isinstance(value, str) else str(value))
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."


class _Params(dict):
    def __missing__(self, key: str) -> str:  # a message never fails on a missing parameter
        return "?"


def has_message(code: str, catalog: Catalog = CATALOG) -> bool:
    return f"problem.{code}" in catalog.texts(LANGUAGES[0])


def render(code: str, lang: str, params: Mapping[str, object] | None = None, catalog: Catalog = CATALOG) -> str:
    """The message for ``code`` in ``lang``, without a location (``invalid`` for an
    unknown code; a missing parameter shows as ``?``)."""
    key = f"problem.{code}" if has_message(code, catalog) else "problem.invalid"
    template = catalog.texts(lang).get(key)
    if template is None:
        return catalog.translate(lang, key)  # raises: the catalog of lang lacks it
    values = _Params()
    for name, value in (params or {}).items():
        if isinstance(value, Text) or hasattr(value, "render"):
            values[name] = value.render(lang, catalog)
        else:
            values[name] = show(value) if name == "value" else value
    return template.format_map(values)


def where(row: int | None, column: str | None, lang: str, catalog: Catalog = CATALOG) -> str:
    """``row 3, column x: `` (or one of the two), in ``lang``; empty for neither."""
    if row is not None and column is not None:
        return catalog.translate(lang, "where.row_column", row=row, column=show(column))
    if row is not None:
        return catalog.translate(lang, "where.row", row=row)
    if column is not None:
        return catalog.translate(lang, "where.column", column=show(column))
    return ""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located by spreadsheet row and file column."""

    row: int | None  # header is row 1, the first data row is 2; None = the whole file
    column: str | None  # as named in the file or form; None = the whole row or file
    code: str  # stable machine code: the catalog text problem.<code>
    params: Mapping[str, object] = field(default_factory=dict, compare=False)

    def message(self, lang: str = "en", catalog: Catalog = CATALOG) -> str:
        """Where and what, in ``lang``: ``row 3, column x: 4 is outside 0-3``."""
        return where(self.row, self.column, lang, catalog) + render(self.code, lang, self.params, catalog)

    def text(self, lang: str = "en", catalog: Catalog = CATALOG) -> str:
        """What is wrong, without where (a form shows it under its field)."""
        return render(self.code, lang, self.params, catalog)

    @property
    def message_en(self) -> str:
        return self.message("en")

    @property
    def message_nl(self) -> str:
        return self.message("nl")

    def at(self, row: int | None = None, column: str | None = None) -> "Problem":
        """The same problem at another place."""
        return Problem(row, column, self.code, self.params)

    @classmethod
    def make(cls, code: str, row: int | None = None, column: str | None = None, **params) -> "Problem":
        return cls(row, column, code, MappingProxyType(params))

    def __str__(self) -> str:
        return self.message("en")


__all__ = ["Problem", "SHOWN_CHARS", "has_message", "render", "show", "where"]
