"""How typed text becomes a value (parsing), and the rules a value must meet (checks).

Parsing is shared by the table importer and the pydantic records: a table parses each
*distinct* cell text once with these functions, a record parses its one value. The
checks here are the scalar form of the pandera checks in ``data_schema.tables``; a
property test holds the two to the same verdict.

Accepted input:

- **Whole numbers**: ``3``, ``+3``, ``3.0`` and ``3,0`` (a decimal point or comma with
  only zeros after it). ``2.5`` is not a whole number. No thousands separators: ``1.000``
  reads as 1 (every whole-number field has a range far below a thousand).
- **Decimals**: ``7.5`` or ``7,5`` (decimal comma).
- **Dates**: ISO ``2026-03-02`` (also ``2026-3-2`` and ``2026-03-02 00:00:00`` as a
  spreadsheet writes a date cell), or Dutch day-month-year ``2-3-2026``, ``02-03-2026``,
  ``2/3/2026``, ``2.3.2026``. Day first, always: ``2-3-2026`` is 2 March. Years 1900-2100.
- **Weeks** (``week_start``): the Monday of the week as a date, or an ISO week label
  ``2026-W10`` / ``2026W10``. Another weekday is refused rather than moved to its
  Monday: a check-in dated on a Wednesday may mean that week or the week before.
- **Choices**: the option id or its Dutch or English label, any case (``ervaren``).
- **Lists** (self-care actions): option ids or labels separated by ``;``, ``,`` or ``|``.
- **Yes/no**: ``ja``/``nee``, ``yes``/``no``, ``true``/``false``, ``waar``/``onwaar``, ``1``/``0``, ``x``.
- **Case codes**: any case, with or without dashes; I, L and O typed for 1, 1 and 0.
- **Usernames**: compared in lower case.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import pandas as pd

from complexity.calendar import iso_week_label, monday_of, monday_of_label, today

from . import fields
from .spec import FieldSpec, number_text
from .guard import find_identifiers, found_params
from .i18n import Text

_WHOLE = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[T ]00:00(?::00(?:\.0+)?)?)?")
_NL_DATE = re.compile(r"([0-9]{1,2})([-/.])([0-9]{1,2})\2([0-9]{4})")
_ISO_WEEK = re.compile(r"([0-9]{4})-?[Ww]([0-9]{1,2})")
_LIST_SEP = re.compile(r"[;,|]")
_CASE_CODE = re.compile(fields.CASE_CODE_PATTERN)
_MAX_DIGITS = 15  # beyond this a number is out of every range (and beyond float precision)
MIN_YEAR, MAX_YEAR = 1900, 2100
_TRUE = frozenset({"1", "true", "waar", "ja", "j", "yes", "y", "x"})
_FALSE = frozenset({"0", "false", "onwaar", "nee", "n", "no"})


class RuleError(ValueError):
    """A value breaks a rule: ``code`` is a problem code, ``params`` fill its message."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(f"{code}: {params}")


def cell_text(value: object) -> str | None:
    """A cell as stripped text; None when empty. Accepts what spreadsheets hand over."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return text or None
    try:
        if isinstance(value, float) and math.isnan(value):
            return None
        if value is pd.NA or value is pd.NaT:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        if isinstance(value, dt.datetime):
            if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
                return value.date().isoformat()
            return value.isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, bytes):
            value = value.decode("utf-8", errors="replace")
        text = str(value).strip()
    except Exception:  # an object whose str() fails is not a cell we can read
        return "?"
    return text or None


def range_params(spec: FieldSpec, value: str) -> dict[str, Any]:
    lo = "…" if spec.min is None else number_text(spec.min)
    hi = "…" if spec.max is None else number_text(spec.max)
    return {"value": value, "lo": lo, "hi": hi}


def parse_number(spec: FieldSpec, text: str, whole: bool) -> float | int:
    if not _WHOLE.fullmatch(text):
        raise RuleError("not_a_number", value=text)
    number = text.lstrip("+-").replace(",", ".")
    integer = number.split(".")[0]
    if len(integer) > _MAX_DIGITS:
        raise RuleError("out_of_range", **range_params(spec, text))
    value = float(number[:_MAX_DIGITS * 2 + 2]) * (-1 if text.startswith("-") else 1)
    if whole:
        if not value.is_integer():
            raise RuleError("not_a_whole_number", value=text)
        return int(value)
    return value


def parse_date(text: str) -> dt.date:
    m = _ISO_DATE.fullmatch(text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = _NL_DATE.fullmatch(text)
        if not m:
            raise RuleError("bad_date", value=text)
        d, mo, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise RuleError("bad_date", value=text)
    try:
        return dt.date(y, mo, d)
    except ValueError:
        raise RuleError("bad_date", value=text) from None


def parse_week(text: str) -> dt.date:
    """A week as a date: the Monday of an ISO week label, or the date as given (the
    Monday rule is a check, so that another weekday gets its own message)."""
    m = _ISO_WEEK.fullmatch(text)
    if m:
        try:
            return monday_of_label(int(m.group(1)), int(m.group(2)))
        except ValueError:
            raise RuleError("bad_week", value=text) from None
    try:
        return parse_date(text)
    except RuleError:
        raise RuleError("bad_week", value=text) from None


def parse_multi(spec: FieldSpec, text: str) -> tuple[str, ...]:
    aliases = spec.aliases
    chosen = set()
    for token in _LIST_SEP.split(text):
        token = token.strip()
        if not token:
            continue
        option = aliases.get(token.lower())
        if option is None:
            raise RuleError("not_an_option", value=token, allowed=", ".join(spec.choices))
        chosen.add(option)
    return tuple(c for c in spec.choices if c in chosen)


def parse_boolean(text: str) -> bool:
    low = text.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise RuleError("not_a_boolean", value=text)


def parse_case_code(text: str) -> str:
    if _CASE_CODE.fullmatch(text):
        return text
    try:
        return fields.normalize_case_code(text)
    except ValueError:
        return text.upper()  # the pattern check reports it with the text as typed


def parse_timestamp(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise RuleError("not_a_timestamp", value=text) from None
    if value.tzinfo is None:
        raise RuleError("not_a_timestamp", value=text)
    return value.astimezone(dt.timezone.utc)


def parse_value(spec: FieldSpec, text: str) -> Any:
    """Parse one non-empty, stripped cell text for ``spec``; raises :class:`RuleError`."""
    t = spec.type
    if t == "whole":
        return parse_number(spec, text, whole=True)
    if t == "decimal":
        return parse_number(spec, text, whole=False)
    if t == "date":
        return parse_date(text)
    if t == "week":
        return parse_week(text)
    if t == "choice":
        return spec.aliases.get(text.lower(), text)
    if t == "multi":
        return parse_multi(spec, text)
    if t == "boolean":
        return parse_boolean(text)
    if t == "case_code":
        return parse_case_code(text)
    if t == "username":
        return text.lower()
    if t == "timestamp":
        return parse_timestamp(text)
    return text  # text, free_text


def monday_params(value: dt.date, shown: str) -> dict[str, Any]:
    monday = monday_of(value)
    return {
        "value": shown, "weekday": Text(f"weekday.{value.weekday()}"), "monday": monday.isoformat(),
        "week": iso_week_label(monday),
    }


def check_value(spec: FieldSpec, value: Any, shown: str | None = None) -> None:
    """Raise :class:`RuleError` if a parsed, non-empty ``value`` breaks a rule of ``spec``.

    The same rules, in the same order, as the pandera checks of ``data_schema.tables``.
    ``shown`` is the value as typed, for the message.
    """
    shown = str(value) if shown is None else shown
    t = spec.type
    if t in ("whole", "decimal"):
        if isinstance(value, float) and not math.isfinite(value):
            raise RuleError("not_a_number", value=shown)
        if (spec.min is not None and value < spec.min) or (spec.max is not None and value > spec.max):
            raise RuleError("out_of_range", **range_params(spec, shown))
    elif t in ("date", "week"):
        if t == "week" and value.weekday() != 0:
            raise RuleError("not_a_monday", **monday_params(value, shown))
        limit = today() if t == "date" else monday_of(today())
        if spec.not_future and value > limit:
            raise RuleError("future_date", value=shown)
    elif t == "choice":
        if value not in spec.choices:
            raise RuleError("not_an_option", value=shown, allowed=", ".join(spec.choices))
    elif t in ("text", "free_text", "username", "case_code"):
        if spec.max_length is not None and len(value) > spec.max_length:
            raise RuleError("too_long", length=len(value), max=spec.max_length)
        if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
            raise RuleError(spec.pattern_code, value=shown)
        if t == "free_text":
            findings = find_identifiers(value)
            if findings:
                raise RuleError("identifier_found", **found_params(findings))


def read_value(spec: FieldSpec, raw: object) -> Any:
    """One raw value (text or already typed) to a checked value, or None when empty.

    Raises :class:`RuleError` (code ``required`` when empty but required)."""
    if isinstance(raw, (list, tuple, set, frozenset)) and spec.type == "multi":
        raw = ";".join(str(x) for x in raw)
    typed = _already_typed(spec, raw)
    if typed is not None:
        value, shown = typed
    else:
        text = cell_text(raw)
        if text is None:
            if spec.required:
                raise RuleError("required")
            return () if spec.type == "multi" else None
        value, shown = parse_value(spec, text), text
    check_value(spec, value, shown)
    return value


def _already_typed(spec: FieldSpec, raw: object) -> tuple[Any, str] | None:
    """Values a form hands over already typed (a date picker's date, a slider's int)."""
    t = spec.type
    if t in ("date", "week") and isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw, raw.isoformat()
    if t == "whole" and isinstance(raw, int) and not isinstance(raw, bool):
        return raw, str(raw)
    if t == "decimal" and isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return float(raw), str(raw)
    if t == "boolean" and isinstance(raw, bool):
        return raw, str(raw)
    if t == "timestamp" and isinstance(raw, dt.datetime):
        if raw.tzinfo is None:
            raise RuleError("not_a_timestamp", value=raw.isoformat())
        return raw.astimezone(dt.timezone.utc), raw.isoformat()
    return None


__all__ = [
    "RuleError", "cell_text", "check_value", "monday_params", "parse_date", "parse_value", "range_params",
    "parse_week", "read_value",
]
