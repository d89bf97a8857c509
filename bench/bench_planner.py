"""The intake planner for a whole team vs the team's weekly load query alone.

Target (issue 12): ``store.planner.plan_intake`` for a team of 50 therapists with 104
weeks of history (``bench_team_load.fill``: 25 sessions a week each, 130,000 sessions)
takes at most 3x ``store.load.team_weekly_load`` for the same team over the same weeks
the planner reads (the ``BASELINE_WEEKS`` complete weeks before this week). The planner
runs that query itself (role check, audit ``read`` lines, commit) and adds the case's
complexity, two projections through ``complexity.load.load_from_totals`` and the reasons;
the ratio says what those cost. Measured on SQLite (a temporary file) and on PostgreSQL
when reachable (as in ``bench_team_load``).
"""

from __future__ import annotations

import datetime as dt
from sqlalchemy import Engine

from complexity import DOMAINS
from complexity.calendar import monday_of, today
from store import load, planner
from store.db import session_scope, upgrade

from .bench_team_load import THERAPISTS, WEEKS, fill
from .databases import on_both
from .harness import Comparison, compare

NEW_CASE = dict(domain_ratings={d: 2 for d in DOMAINS}, sessions_per_week=2)


def measure(engine: Engine, label: str) -> Comparison:
    upgrade(engine)
    supervisor, team_id, _tids, _first, last = fill(engine)
    as_of = today()
    history = [monday_of(as_of) - dt.timedelta(weeks=planner.BASELINE_WEEKS - i)
               for i in range(planner.BASELINE_WEEKS)]
    assert history[-1] == last  # the planner's history ends with the last filled week
    new_case = planner.NewCase(start_week=as_of, **NEW_CASE)

    def subject():
        with session_scope(engine) as s:
            return planner.plan_intake(s, supervisor, team_id, new_case, as_of=as_of)

    def baseline():
        with session_scope(engine) as s:
            return load.team_weekly_load(s, supervisor, team_id, history)

    plan, base = subject(), baseline()
    # Both must see the same therapists and the same load, or the comparison means nothing.
    assert len(plan) == THERAPISTS * 4 and base["therapist_id"].nunique() == THERAPISTS
    mean = base[base["sessions"] > 0].groupby("therapist_id")["load"].mean()
    assert (plan.groupby("therapist_id")["load_without"].first().sort_index() - mean.sort_index()).abs().max() < 1e-9
    return compare(
        f"intake planner, team of {THERAPISTS} therapists with {WEEKS} weeks of history ({label})",
        ("store.planner.plan_intake (4 weeks ahead)", subject),
        (f"store.load.team_weekly_load ({planner.BASELINE_WEEKS} weeks)", baseline),
        target=3.0,
        repeats=9,
    )


def run() -> list[Comparison]:
    return on_both(measure, "intake planner")
