"""Portable SQL expressions the store needs on both backends."""

from __future__ import annotations

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class week_start(FunctionElement):
    """The Monday of the ISO week of a DATE expression, as a DATE.

    ``week_start(TherapySession.session_date)`` compiles to
    ``date(x, 'weekday 0', '-6 days')`` on SQLite (the next Sunday, or the day itself
    if a Sunday, minus six days) and to ``CAST(date_trunc('week', CAST(x AS TIMESTAMP))
    AS DATE)`` on PostgreSQL (whose weeks start on Monday; casting to TIMESTAMP
    first keeps the session time zone out of it). The text is rendered without bound
    parameters, so the same expression can appear in SELECT and GROUP BY.
    """

    type = Date()
    inherit_cache = True
    name = "week_start"


@compiles(week_start, "sqlite")
def _week_start_sqlite(element, compiler, **kw):
    (arg,) = element.clauses
    return f"date({compiler.process(arg, **kw)}, 'weekday 0', '-6 days')"


@compiles(week_start, "postgresql")
def _week_start_postgresql(element, compiler, **kw):
    (arg,) = element.clauses
    return f"CAST(date_trunc('week', CAST({compiler.process(arg, **kw)} AS TIMESTAMP)) AS DATE)"


@compiles(week_start)
def _week_start_other(element, compiler, **kw):  # pragma: no cover - guarded by make_engine
    raise NotImplementedError(f"week_start has no SQL for {compiler.dialect.name}")
