"""A team's weekly load for its supervisor vs a plain SQL GROUP BY over the same rows.

Target (issue 3): ``store.load.team_weekly_load`` for a team of 50 therapists over
104 weeks at 25 sessions a week (130,000 sessions) takes at most 3x the time of the
floor: ``SELECT therapist_id, week, count(*), sum(weight) ... GROUP BY`` through the raw
DBAPI connection. The store does more than the floor (role check, unscored-session
counts, capacity, load index and traffic light per week, a full grid of weeks, an audit
``read`` line per therapist and the commit); the ratio says what that costs.

Measured on SQLite (a temporary file) and on PostgreSQL (``DRAAGKRACHT_BENCH_POSTGRES_URL``,
default the local test database, in a schema of its own that is dropped afterwards;
skipped with the reason printed when the server cannot be reached).
"""

from __future__ import annotations

import datetime as dt
import numpy as np
from sqlalchemy import Engine, insert, select

from complexity.load import session_weight
from store import load
from store.db import session_scope, upgrade
from store.bulk import insert_rows as bulk_insert
from store.models import Case, SupervisorTeam, Team, Therapist, TherapySession, UserAccount

from .databases import on_both
from .harness import Comparison, compare

THERAPISTS = 50
WEEKS = 104
PER_WEEK = 25
CASES_EACH = 40

_FLOOR_WEEK = {
    "sqlite": "date(session_date, 'weekday 0', '-6 days')",
    "postgresql": "CAST(date_trunc('week', CAST(session_date AS TIMESTAMP)) AS DATE)",
}
_PLACEHOLDER = {"sqlite": "?", "postgresql": "%s"}


def fill(engine: Engine, seed: int = 3) -> tuple[UserAccount, int, list[int], dt.date, dt.date]:
    """A team of THERAPISTS with PER_WEEK sessions a week for WEEKS weeks up to the last
    complete week; returns the supervisor, the team id, the therapist ids and the first
    and last Monday."""
    rng = np.random.default_rng(seed)
    today = dt.date.today()
    last = today - dt.timedelta(days=today.weekday() + 7)
    first = last - dt.timedelta(weeks=WEEKS - 1)
    with session_scope(engine) as s:
        team = Team(name="Team Benchmark")
        s.add(team)
        s.flush()
        therapists = [Therapist(display_name=f"B{i}", team_id=team.id, contracted_sessions=int(rng.integers(18, 30)),
                                experience="starting" if i % 2 else "experienced") for i in range(THERAPISTS)]
        s.add_all(therapists)
        s.flush()
        supervisor = UserAccount(username="bench-supervisor", role="supervisor")
        s.add(supervisor)
        s.flush()
        s.execute(insert(SupervisorTeam), [{"user_id": supervisor.id, "team_id": team.id}])
        tids = [t.id for t in therapists]
        case_rows = [{"code": f"C-B{i:03d}-{k:04d}", "therapist_id": tid, "opened_on": first}
                     for i, tid in enumerate(tids) for k in range(CASES_EACH)]
        s.execute(insert(Case), case_rows)
        case_ids = np.array(s.scalars(select(Case.id).order_by(Case.id)).all())
        n = THERAPISTS * WEEKS * PER_WEEK
        ther = np.repeat(np.arange(THERAPISTS), WEEKS * PER_WEEK)
        week = np.tile(np.repeat(np.arange(WEEKS), PER_WEEK), THERAPISTS)
        day = week * 7 + rng.integers(0, 5, n)
        case = case_ids.reshape(THERAPISTS, CASES_EACH)[ther, rng.integers(0, CASES_EACH, n)]
        complexity = np.round(rng.uniform(0, 90, n), 1)
        complexity[rng.random(n) < 0.05] = np.nan
        weight = session_weight(complexity)
        dates = {d: first + dt.timedelta(days=d) for d in np.unique(day).tolist()}
        stamp = dt.datetime.now(dt.timezone.utc)
        bulk_insert(s, TherapySession, ("case_id", "therapist_id", "session_date", "duration_minutes", "complexity",
                                        "weight", "created_at"), (
            (c, tids[t], dates[d], 45, None if cx != cx else cx, w, stamp)
            for c, t, d, cx, w in zip(case.tolist(), ther.tolist(), day.tolist(), complexity.tolist(),
                                      weight.tolist())
        ))
    return supervisor, team.id, tids, first, last


def floor(engine: Engine, tids: list[int], first: dt.date, last: dt.date) -> list[tuple]:
    """The plain aggregation through the raw DBAPI connection."""
    name = engine.dialect.name
    ph = _PLACEHOLDER[name]
    week = _FLOOR_WEEK[name]
    sql = (f"SELECT therapist_id, {week} AS week, count(*), sum(weight) FROM therapy_session "
           f"WHERE therapist_id IN ({', '.join(ph for _ in tids)}) AND session_date >= {ph} AND session_date < {ph} "
           f"GROUP BY therapist_id, {week}")
    end = last + dt.timedelta(days=7)
    params = [*tids, first.isoformat(), end.isoformat()] if name == "sqlite" else [*tids, first, end]
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute(sql, params)
        rows = cur.fetchall()
        cur.close()
        raw.rollback()
        return rows
    finally:
        raw.close()


def subject(engine: Engine, supervisor: UserAccount, team_id: int, last: dt.date):
    with session_scope(engine) as s:
        return load.team_weekly_load(s, supervisor, team_id, WEEKS, as_of=last)


def measure(engine: Engine, label: str) -> Comparison:
    upgrade(engine)
    supervisor, team_id, tids, first, last = fill(engine)
    load = subject(engine, supervisor, team_id, last)
    base = floor(engine, tids, first, last)
    # Both must see the same sessions and load, or the comparison means nothing.
    assert len(load) == THERAPISTS * WEEKS
    assert int(load["sessions"].sum()) == sum(r[2] for r in base) == THERAPISTS * WEEKS * PER_WEEK
    assert np.isclose(load["load"].sum(), sum(float(r[3]) for r in base))
    return compare(
        f"team weekly load, {THERAPISTS} therapists x {WEEKS} weeks x {PER_WEEK} sessions ({label})",
        ("store.load.team_weekly_load (incl. audit, commit)", lambda: subject(engine, supervisor, team_id, last)),
        ("raw DBAPI: SELECT ... count, sum ... GROUP BY", lambda: floor(engine, tids, first, last)),
        target=3.0,
    )


def run() -> list[Comparison]:
    return on_both(measure, "team weekly load")
