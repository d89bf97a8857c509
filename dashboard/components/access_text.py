"""What someone looked at or did, as "Who viewed my data" tells the therapist: the
store's audit detail (written in a fixed form, ``store.load``, ``store.overview``,
``store.alerts``, ...) read back into the reader's language. A detail of another form
shows as a dash, never as raw text."""

from __future__ import annotations

import datetime as dt
import re

from dashboard.i18n import translate

DASH = "–"


def _day(iso: str) -> str:
    try:
        return dt.date.fromisoformat(iso).strftime("%d-%m-%Y")
    except ValueError:
        return iso


# (pattern, catalog key, parameters from the match)
_FORMS = (
    (re.compile(r"^weekly load (\S+?)(?:\.\.(\S+?))?(?: \(team \d+\))?$"), "access.weekly_load",
     lambda m: {"first": m[1], "last": m[2] or m[1]}),
    (re.compile(r"^caseload counts"), "access.caseload_counts", lambda m: {}),
    (re.compile(r"^shared report (\S+)\.\.(\S+)"), "access.shared_report",
     lambda m: {"start": _day(m[1]), "end": _day(m[2])}),
    (re.compile(r"^consult-now case codes"), "access.consult_codes", lambda m: {}),
    (re.compile(r"^alert (\w+) since (\S+) marked as discussed on (\S+)$"), "access.alert_discussed",
     lambda m: {"kind": m[1], "date": _day(m[3])}),
    (re.compile(r"^operator export"), "access.operator_export", lambda m: {}),
    (re.compile(r"^research dataset"), "access.research_dataset", lambda m: {}),
    (re.compile(r"^moved to team \d+ from (\S+)$"), "access.moved", lambda m: {"date": _day(m[1])}),
)


def what_was_accessed(detail: object, lang: str) -> str:
    if not isinstance(detail, str):
        return DASH
    for pattern, key, params in _FORMS:
        match = pattern.match(detail)
        if match:
            values = params(match)
            if key == "access.alert_discussed":
                values["title"] = translate(lang, f"alert.{values.pop('kind')}.title")
            return translate(lang, key, **values)
    return DASH
