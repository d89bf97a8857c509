"""The intake planner (issue 12): who in a team has room for a new case, and why.

A supervisor (for a team they supervise: :func:`plan_intake`) or a therapist (for
themself: :func:`plan_own_intake`) describes a :class:`NewCase` and gets, per therapist
and projected week, the load without and with it. No check-in is read. The rules:

- **Complexity** (:func:`case_complexity`): a band counts as its midpoint on the
  configured cut-offs (``ScoringConfig.bands``; by default uncomplicated 7.5, mild 25,
  moderate 47.5, severe 80); quick domain ratings as every item of each domain rated at
  that level (interplay and items outside the score unrated), scored by ``score_case``.
- **Weeks**: ``weeks_ahead`` weeks from the week of ``as_of`` (default today) on; the
  start week must be one of them.
- **Without the case**: each therapist's mean weekly load (weighted sessions) over the
  ``BASELINE_WEEKS`` complete weeks before the week of ``as_of``, carried forward; a week
  without sessions is a week off and left out (none worked: 0). Read with
  ``team_weekly_load`` / ``therapist_weekly_load``: their access rules and audit apply.
- **With the case**: plus ``sessions_per_week * session_weight(complexity)`` from the
  start week on. Capacity (starters' protected capacity included), ``load_index`` and
  status come from ``complexity.load.load_from_totals``, as the real load's do.
- ``has_room``: the status with the case stays blue or green (``load_index`` below
  ``amber_from``) in every projected week. ``reason`` (a code for the UI to translate)
  and ``reason_params``, the first that applies:

  - ``already_high`` (week, load_index, status): amber/red even without the case;
  - ``room`` (room, load_index): has room; ``room`` = weighted sessions left before
    amber in the tightest week, ``load_index`` the highest with the case;
  - ``starter_protected`` (week, load_index, capacity, full_capacity): a starter the
    case takes over their protected capacity, though it would fit the full one;
  - ``over_in_week`` (week, load_index, status): the case takes them over capacity.

  ``week``: the first such ISO week (``2026-W10``); ``load_index``, ``status`` in it.

Rows: therapists by their peak ``load_index_with``, lowest (most room) first, then by id;
each therapist's weeks in order. :func:`intake_summary` gives one row per therapist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from complexity import BANDS, DEFAULT_CONFIG, DOMAINS, INSTRUMENT, ModelConfig, score_case
from complexity.calendar import monday_of, today
from complexity.instrument import MAX_LEVEL, MIN_LEVEL
from complexity.load import capacity_of, load_from_totals, session_weight
from data_schema.problems import Problem
from data_schema.rules import RuleError, parse_week

from .access import actor, own_therapist_id
from .errors import InvalidInput
from .load import load_frame, team_weekly_load, therapist_weekly_load
from .models import TeamMembership, Therapist, TherapySession, UserAccount

BASELINE_WEEKS = 4
MAX_SESSIONS_PER_WEEK = 7
MAX_WEEKS_AHEAD = 26
OVER = ("amber", "red")  # the statuses over capacity
_SIDED = ("sessions", "load", "load_index", "status")  # columns with a _without and a _with
PLAN_COLUMNS = ("therapist_id", "display_name", "is_starting", "week", "week_start", "sessions_without",
                "sessions_with", "load_without", "load_with", "capacity", "load_index_without", "load_index_with",
                "status_without", "status_with", "has_room", "reason", "reason_params")
SUMMARY_COLUMNS = ("therapist_id", "display_name", "is_starting", "capacity", "peak_load_index_without",
                   "peak_load_index_with", "has_room", "reason", "reason_params")


@dataclass(frozen=True, kw_only=True)
class NewCase:
    """A case to place: ``band`` (one of ``BANDS``) or ``domain_ratings`` (each of the
    five domains 0-3), never both; ``sessions_per_week`` 1-7; ``start_week`` any day of
    the week (kept as its Monday). Bad input raises :class:`InvalidInput` naming every field."""

    start_week: dt.date
    sessions_per_week: int = 1
    band: str | None = None
    domain_ratings: Mapping[str, int] | None = field(default=None, hash=False)

    def __post_init__(self) -> None:
        problems: list[Problem] = []
        start = _monday(self.start_week, problems)
        spw = _whole(self.sessions_per_week, "sessions_per_week", 1, MAX_SESSIONS_PER_WEEK, problems)
        ratings = self.domain_ratings
        if self.band is None and ratings is None:
            problems.append(Problem.make("required", None, "band"))
        elif self.band is not None and ratings is not None:
            problems.append(Problem.make("invalid", None, "band", value=self.band))  # ratings given: no band
        elif self.band is not None and self.band not in BANDS:
            problems.append(Problem.make("not_an_option", None, "band", value=self.band, allowed=", ".join(BANDS)))
        elif ratings is not None:
            if not isinstance(ratings, Mapping):
                problems.append(Problem.make("invalid", None, "domain_ratings", value=ratings))
            else:
                problems += [Problem.make("unknown_field", None, str(k)) for k in ratings if k not in DOMAINS]
                ratings = MappingProxyType({d: _whole(ratings.get(d), d, MIN_LEVEL, MAX_LEVEL, problems)
                                            for d in DOMAINS})
        if problems:
            raise InvalidInput(problems)
        object.__setattr__(self, "start_week", start)
        object.__setattr__(self, "sessions_per_week", spw)
        object.__setattr__(self, "domain_ratings", ratings)


def _monday(value: object, problems: list[Problem]) -> dt.date:
    if value is None:
        problems.append(Problem.make("required", None, "start_week"))
    elif isinstance(value, dt.date):  # datetime and Timestamp included
        return monday_of(value)
    else:
        try:
            return monday_of(parse_week(str(value).strip()))  # a date or 2026-W10
        except RuleError:
            problems.append(Problem.make("bad_week", None, "start_week", value=value))
    return dt.date.min


def _whole(value: object, column: str, lo: int, hi: int, problems: list[Problem]) -> int:
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():  # as typed in a form
        value = int(value)
    if value is None:
        problems.append(Problem.make("required", None, column))
    elif (isinstance(value, bool) or not isinstance(value, (int, float, np.integer))
          or (isinstance(value, float) and not value.is_integer())):  # NaN and infinity too
        problems.append(Problem.make("not_a_whole_number", None, column, value=value))
    elif not lo <= int(value) <= hi:
        problems.append(Problem.make("out_of_range", None, column, value=int(value), lo=lo, hi=hi))
    else:
        return int(value)
    return lo


def case_complexity(case: NewCase, config: ModelConfig = DEFAULT_CONFIG) -> float:
    """The case's complexity (0-100) as the model sees it (the rules above)."""
    if case.band is not None:
        b = config.scoring.bands
        edges, i = (0.0, b.mild, b.moderate, b.severe, 100.0), BANDS.index(case.band)
        return (edges[i] + edges[i + 1]) / 2
    ratings = {item: case.domain_ratings[d] for d in DOMAINS for item in INSTRUMENT.domain(d).item_ids}
    return float(score_case(ratings, config).complexity)


def _history_weeks(as_of: dt.date | None) -> list[dt.date]:
    current = monday_of(as_of or today())
    return [current - dt.timedelta(weeks=BASELINE_WEEKS - i) for i in range(BASELINE_WEEKS)]


def _weeks_ahead(case: NewCase, weeks_ahead: int, as_of: dt.date | None) -> list[dt.date]:
    if isinstance(weeks_ahead, bool) or not isinstance(weeks_ahead, int) or not 1 <= weeks_ahead <= MAX_WEEKS_AHEAD:
        raise InvalidInput(Problem.make("out_of_range", None, "weeks_ahead", value=weeks_ahead, lo=1,
                                        hi=MAX_WEEKS_AHEAD))
    current = monday_of(as_of or today())
    ahead = [current + dt.timedelta(weeks=i) for i in range(weeks_ahead)]
    if case.start_week not in ahead:
        raise InvalidInput(Problem.make("out_of_range", None, "start_week", value=case.start_week.isoformat(),
                                        lo=ahead[0].isoformat(), hi=ahead[-1].isoformat()))
    return ahead


def _project(history: pd.DataFrame, therapists: list[Therapist], case: NewCase, ahead: list[dt.date],
             config: ModelConfig) -> pd.DataFrame:
    ids, k = [t.id for t in therapists], len(ahead)
    if not ids:
        return pd.DataFrame({c: [] for c in PLAN_COLUMNS})
    info = pd.DataFrame({"therapist_id": pd.Series(ids, dtype="int64"),
                         "contracted_sessions": [t.contracted_sessions for t in therapists],
                         "is_starting": pd.Series([t.is_starting for t in therapists], dtype=bool)})
    worked = history[history["sessions"] > 0].groupby("therapist_id")[["sessions", "load"]].mean()
    worked = worked.reindex(ids, fill_value=0.0)
    grid = pd.MultiIndex.from_product([ids, pd.to_datetime(ahead)], names=["therapist_id", "week_start"])
    started = np.tile(np.asarray(ahead) >= case.start_week, len(ids))
    weight = float(session_weight(case_complexity(case, config), config))
    sides = {}
    for side, n in (("without", 0), ("with", case.sessions_per_week)):
        totals = pd.DataFrame({
            "sessions": np.repeat(worked["sessions"].round().to_numpy(), k).astype(int) + started * n,
            "unscored_sessions": 0,
            "load": np.repeat(worked["load"].to_numpy(), k) + started * n * weight,
        }, index=grid).reset_index()
        sides[side] = load_from_totals(totals, info, config, weeks=ahead)
    out = sides["without"].rename(columns={c: f"{c}_without" for c in _SIDED})
    for c in _SIDED:
        out[f"{c}_with"] = sides["with"][c].to_numpy()
    out["display_name"] = out["therapist_id"].map({t.id: t.display_name for t in therapists})
    out["is_starting"] = np.repeat(info["is_starting"].to_numpy(), k)
    full = capacity_of(info["contracted_sessions"].to_numpy(), False, config)
    return _with_reasons(out, full, len(ids), k, config)


def _with_reasons(out: pd.DataFrame, full: np.ndarray, n: int, k: int, config: ModelConfig) -> pd.DataFrame:
    """has_room, reason and reason_params per therapist; rows ordered most room first."""
    amber = config.load.amber_from
    li0, li1, load1, cap, st0, st1, labels = (out[c].to_numpy().reshape(n, k) for c in (
        "load_index_without", "load_index_with", "load_with", "capacity", "status_without", "status_with", "week"))
    fits_full = (load1 < amber * full[:, None]).all(axis=1)
    starting = out["is_starting"].to_numpy()[::k]
    reasons, params = [], []
    for i in range(n):
        high, over = np.flatnonzero(li0[i] >= amber), np.flatnonzero(li1[i] >= amber)
        j = int(high[0] if high.size else over[0] if over.size else 0)
        if high.size:
            code, p = "already_high", {"week": labels[i, j], "load_index": li0[i, j], "status": st0[i, j]}
        elif not over.size:
            code, p = "room", {"room": round(float((amber * cap[i] - load1[i]).min()), 1), "load_index": li1[i].max()}
        elif starting[i] and fits_full[i]:
            code, p = "starter_protected", {"week": labels[i, j], "load_index": li1[i, j],
                                            "capacity": round(float(cap[i, j]), 1),
                                            "full_capacity": round(float(full[i]), 1)}
        else:
            code, p = "over_in_week", {"week": labels[i, j], "load_index": li1[i, j], "status": st1[i, j]}
        p["load_index"] = round(float(p["load_index"]), 2)
        reasons.append(code)
        params.append(p)
    out["has_room"] = np.repeat(~np.isin(st1, OVER).any(axis=1), k)
    out["reason"] = np.repeat(np.asarray(reasons, dtype=object), k)
    out["reason_params"] = np.repeat(np.asarray(params, dtype=object), k)
    order = np.argsort(np.repeat(li1.astype(float).max(axis=1), k), kind="stable")  # rows: by therapist, then week
    return out.iloc[order][list(PLAN_COLUMNS)].reset_index(drop=True)


def plan_intake(session: Session, user: UserAccount, team_id: int, new_case: NewCase, *,
                weeks_ahead: int = 4, as_of: dt.date | None = None,
                config: ModelConfig = DEFAULT_CONFIG) -> pd.DataFrame:
    """The plan for every active therapist of a team, for its supervisors: one row per
    therapist per projected week (``PLAN_COLUMNS``). The baseline is read with
    ``team_weekly_load``: anyone else is refused there (audited), each therapist's read
    is audited there."""
    mondays = _history_weeks(as_of)
    history = team_weekly_load(session, user, team_id, mondays, config=config)
    ahead = _weeks_ahead(new_case, weeks_ahead, as_of)
    # Who can take the case: the team's therapists now (not one who moved on), each with
    # their own recent load, also from weeks in another team (a load is the person's).
    therapists = list(session.scalars(select(Therapist).where(Therapist.team_id == team_id,
                                                              Therapist.active.is_(True)).order_by(Therapist.id)))
    ids = [t.id for t in therapists]
    moved = session.scalar(select(TeamMembership.id).where(TeamMembership.therapist_id.in_(ids)).limit(1))
    if moved is not None or set(history["therapist_id"]) != set(ids):
        history = load_frame(session, therapists, TherapySession.therapist_id.in_(ids), mondays, config)
    return _project(history, therapists, new_case, ahead, config)


def plan_own_intake(session: Session, user: UserAccount, new_case: NewCase, *, weeks_ahead: int = 4,
                    as_of: dt.date | None = None, config: ModelConfig = DEFAULT_CONFIG) -> pd.DataFrame:
    """The plan for the acting therapist alone (any other role is refused, audited);
    the same frame as :func:`plan_intake`."""
    acting = actor(session, user)
    tid = own_therapist_id(session, acting, "plan_own_intake")
    history = therapist_weekly_load(session, acting, tid, _history_weeks(as_of), config=config)
    ahead = _weeks_ahead(new_case, weeks_ahead, as_of)
    return _project(history, [session.get(Therapist, tid)], new_case, ahead, config)


def intake_summary(plan: pd.DataFrame) -> pd.DataFrame:
    """One row per therapist of a plan, in its order (most room first): ``SUMMARY_COLUMNS``."""
    grouped = plan.groupby("therapist_id", sort=False)
    first = grouped.first()
    first["peak_load_index_without"] = grouped["load_index_without"].max()
    first["peak_load_index_with"] = grouped["load_index_with"].max()
    return first.reset_index()[list(SUMMARY_COLUMNS)]


__all__ = [
    "BASELINE_WEEKS", "MAX_SESSIONS_PER_WEEK", "MAX_WEEKS_AHEAD", "NewCase", "PLAN_COLUMNS", "SUMMARY_COLUMNS",
    "case_complexity", "intake_summary", "plan_intake", "plan_own_intake",
]
