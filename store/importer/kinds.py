"""Each kind of import file: its checks against the database, then its writer.

``PREPARE[kind](ctx)`` adds every problem it finds to the context's problem list and
returns the function that writes the rows (called only when there are none). Lookups
and the one bulk writer are called through the ``lookups`` module, so that a test can
replace them.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Iterable

import numpy as np
import pandas as pd
from sqlalchemy import insert, select

from complexity import CHECKIN, INSTRUMENT, capacity_score, score_cases
from complexity.calendar import iso_week_label
from complexity.load import session_weight

from ..bulk import column_values
from ..cases import latest_scores
from ..practice import team_key
from ..codes import new_case_code
from ..models import (
    ACTION_COLUMNS,
    SELFCARE_ACTIONS,
    Case,
    CaseRating,
    Team,
    Therapist,
    TherapySession,
    UserAccount,
    WeeklyCheckin,
)
from . import lookups
from .lookups import ImportContext, case_period_checks, chunks, dates_of, int_values


def _prepare_therapists(ctx: ImportContext) -> Callable[[], int]:
    clean = ctx.clean
    usable = ctx.usable("username")
    names = clean["username"].tolist()
    taken: set[str] = set()
    for chunk in chunks(sorted({n for n, ok in zip(names, usable) if ok})):
        taken.update(ctx.session.scalars(select(UserAccount.username).where(UserAccount.username.in_(chunk))))
    ctx.add("username_taken", usable & np.array([n in taken for n in names], dtype=bool), "username",
            lambda i: {"value": names[i]})

    def write() -> int:
        session = ctx.session
        n = len(clean)
        team_ids: dict[str, int] = {
            team_key(t.name): t.id for t in session.scalars(select(Team))
        }
        teams = clean["team"] if "team" in clean.columns else pd.Series([None] * n, dtype=object)
        wanted: dict[str, str] = {}
        for name in teams.dropna().tolist():
            key = team_key(str(name))
            if key and key not in team_ids:
                wanted.setdefault(key, " ".join(str(name).split()))
        if wanted:
            created = session.execute(
                insert(Team).returning(Team.id, Team.name, sort_by_parameter_order=True),
                [{"name": name} for name in wanted.values()],
            ).all()
            team_ids.update({team_key(r.name): r.id for r in created})
            ctx.report.created_teams = tuple(wanted.values())
        team_of = [None if pd.isna(t) or not team_key(str(t)) else team_ids[team_key(str(t))]
                   for t in teams.tolist()]
        started = dates_of(clean["started_on"]) if "started_on" in clean.columns else [None] * n
        therapist_rows = [
            {"display_name": d, "team_id": t, "experience": e, "contracted_sessions": c,
             "started_on": s, "active": True}
            for d, t, e, c, s in zip(
                column_values(clean["display_name"]), team_of, column_values(clean["experience"]),
                int_values(clean["contracted_sessions"]), started,
            )
        ]
        ids = session.scalars(
            insert(Therapist).returning(Therapist.id, sort_by_parameter_order=True), therapist_rows
        ).all()
        lookups.bulk_insert(session, UserAccount.__table__, {
            "username": clean["username"], "role": "therapist", "therapist_id": list(ids),
            "language": "nl", "failed_logins": 0, "active": True, "created_at": ctx.now,
        }, n)
        return n

    return write


def _stored_pairs(ctx: ImportContext, id_column, date_column, ids: Iterable[int | None],
                  days: Iterable[dt.date | None]) -> set[tuple[int, dt.date]]:
    """The (id, date) pairs stored for these ids between the first and last of these
    dates: one range query per chunk of ids (a superset of the pairs asked about)."""
    ids = sorted({i for i in ids if i is not None})
    known = [d for d in days if d is not None]
    found: set[tuple[int, dt.date]] = set()
    if not ids or not known:
        return found
    lo, hi = min(known), max(known)
    for chunk in chunks(ids):
        stmt = select(id_column, date_column).where(id_column.in_(chunk), date_column >= lo, date_column <= hi)
        found.update((k, d) for k, d in ctx.session.execute(stmt))
    return found


def _prepare_cases(ctx: ImportContext) -> Callable[[], int]:
    clean = ctx.clean
    n = len(clean)
    accounts = lookups.accounts(ctx)
    codes = clean["case_code"] if "case_code" in clean.columns else pd.Series([None] * n, dtype=object)
    given = codes.notna().to_numpy(dtype=bool, copy=True)
    if "case_code" in clean.columns:
        given &= ctx.usable("case_code")
        stored = lookups.stored_cases(ctx, codes[given].tolist())
        shown = codes.tolist()
        exists = given & codes.isin(stored.index).to_numpy(dtype=bool)
        ctx.add("case_code_exists", exists, "case_code", lambda i: {"value": shown[i]})

    def write() -> int:
        final = codes.astype(object).where(pd.Series(given), None).tolist()
        used = set(c for c in final if c is not None)
        missing = [i for i, c in enumerate(final) if c is None]
        while missing:
            drawn = {i: new_case_code() for i in missing}
            fresh = set(drawn.values())
            clash = set(lookups.stored_cases(ctx, list(fresh)).index) | (fresh & used)
            counts = pd.Series(list(drawn.values())).value_counts()
            clash |= set(counts[counts > 1].index)
            missing = []
            for i, code in drawn.items():
                if code in clash:
                    missing.append(i)
                else:
                    final[i] = code
                    used.add(code)
        return lookups.bulk_insert(ctx.session, Case.__table__, {
            "code": final, "therapist_id": accounts["therapist_id"],
            "opened_on": dates_of(clean["opened_on"]),
            "closed_on": dates_of(clean["closed_on"]) if "closed_on" in clean.columns else None,
            "created_at": ctx.now,
        }, n)

    return write


def _prepare_ratings(ctx: ImportContext) -> Callable[[], int]:
    clean = ctx.clean
    cases = case_period_checks(ctx, "rated_on")
    case_ids = int_values(cases["id"])
    days = ctx.dates("rated_on")
    ok = cases["id"].notna().to_numpy(dtype=bool) & ctx.usable("rated_on")
    stored = _stored_pairs(ctx, CaseRating.case_id, CaseRating.rated_on, case_ids, days)
    exists = np.zeros(len(days), dtype=bool)
    if stored:
        exists = ok & np.fromiter((k in stored for k in zip(case_ids, days)), dtype=bool, count=len(days))
    codes = clean["case_code"].tolist()
    ctx.add("rating_exists", exists, "rated_on", lambda i: {"value": days[i], "case": codes[i]})

    def write() -> int:
        n = len(clean)
        items = clean.reindex(columns=list(INSTRUMENT.item_ids))
        numeric = {i: pd.to_numeric(items[i], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
                   for i in INSTRUMENT.item_ids}
        frame = pd.DataFrame({"case_id": np.arange(n), **numeric})
        scores = score_cases(frame, ctx.config)
        columns: dict[str, object] = {
            "case_id": cases["id"],
            "rated_on": days,
            "rated_by_user_id": None,
            "complexity": scores["complexity"].to_numpy(dtype=float),
            "band": scores["band"].astype(object).tolist(),
            "interaction": np.where(scores["complete"].to_numpy(dtype=bool),
                                    scores["interaction"].to_numpy(dtype=float), np.nan),
            "complexity_low": scores["complexity_low"].to_numpy(dtype=float),
            "complexity_high": scores["complexity_high"].to_numpy(dtype=float),
            "burden": _levels(clean["burden"]) if "burden" in clean.columns else None,
            "instrument_version": INSTRUMENT.version,
            "model_version": ctx.config.model_version,
            "created_at": ctx.now,
        }
        for i in INSTRUMENT.item_ids:
            columns[i] = _levels(numeric[i])
        return lookups.bulk_insert(ctx.session, CaseRating.__table__, columns, n)

    return write


def _levels(values) -> list[int | None]:
    """Whole numbers as Python ints, empty cells as None."""
    arr = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    out: list[int | None] = np.where(np.isnan(arr), 0, arr).astype(np.int64).tolist()
    for j in np.flatnonzero(np.isnan(arr)):
        out[j] = None
    return out


def _prepare_sessions(ctx: ImportContext) -> Callable[[], int]:
    clean = ctx.clean
    cases = case_period_checks(ctx, "session_date")

    def write() -> int:
        n = len(clean)
        case_ids = int_values(cases["id"])
        latest = latest_scores(ctx.session, case_ids)
        scores = [latest.get(c) for c in case_ids]
        complexity = np.array([None if s is None else s.complexity for s in scores], dtype=float)  # None -> NaN
        weight = session_weight(complexity, ctx.config)
        model_version = [None if s is None or s.complexity is None else s.model_version for s in scores]
        return lookups.bulk_insert(ctx.session, TherapySession.__table__, {
            "case_id": case_ids, "therapist_id": cases["therapist_id"],
            "session_date": ctx.dates("session_date"),
            "duration_minutes": int_values(clean["duration_minutes"]),
            "complexity": complexity, "model_version": model_version, "weight": np.asarray(weight, dtype=float),
            "created_at": ctx.now,
        }, n)

    return write


def _selfcare_columns(clean: pd.DataFrame) -> dict[str, list[bool]]:
    """``action_<id>`` booleans from the ``selfcare_actions`` column (validate_table
    gives a tuple of option ids per row, empty when none)."""
    chosen = [set(v) if isinstance(v, (tuple, list, set, frozenset)) else set()
              for v in clean["selfcare_actions"].tolist()] if "selfcare_actions" in clean.columns \
        else [set()] * len(clean)
    return {col: [a in c for c in chosen] for a, col in zip(SELFCARE_ACTIONS, ACTION_COLUMNS)}


def _prepare_checkins(ctx: ImportContext) -> Callable[[], int]:
    clean = ctx.clean
    n = len(clean)
    accounts = lookups.accounts(ctx)
    weeks = ctx.dates("week_start")
    ok = accounts["ok"].to_numpy(dtype=bool) & ctx.usable("week_start")
    tids = int_values(accounts["therapist_id"])
    stored = _stored_pairs(ctx, WeeklyCheckin.therapist_id, WeeklyCheckin.week_start, tids, weeks)
    exists = np.zeros(n, dtype=bool)
    if stored:
        exists = ok & np.fromiter((k in stored for k in zip(tids, weeks)), dtype=bool, count=n)
    users = clean["username"].tolist()
    ctx.add("checkin_exists", exists, "week_start",
            lambda i: {"username": users[i], "week": iso_week_label(weeks[i])})

    def write() -> int:
        scales = pd.DataFrame({f: pd.to_numeric(clean[f], errors="coerce") if f in clean.columns
                               else pd.Series(np.nan, index=clean.index) for f in CHECKIN.scale_ids})
        capacity = capacity_score(scales, ctx.config).to_numpy(dtype=float)
        reflection = (clean["reflection"] if "reflection" in clean.columns
                      else pd.Series([None] * n, dtype=object))
        columns: dict[str, object] = {
            "therapist_id": tids, "week_start": weeks, "reflection": reflection,
            "capacity_score": capacity, "checkin_version": CHECKIN.version, "created_at": ctx.now,
        }
        for f in CHECKIN.scale_ids:
            columns[f] = int_values(scales[f])
        columns.update(_selfcare_columns(clean))
        return lookups.bulk_insert(ctx.session, WeeklyCheckin.__table__, columns, n)

    return write


PREPARE: dict[str, Callable[[ImportContext], Callable[[], int]]] = {
    "therapists": _prepare_therapists,
    "cases": _prepare_cases,
    "ratings": _prepare_ratings,
    "sessions": _prepare_sessions,
    "checkins": _prepare_checkins,
}


