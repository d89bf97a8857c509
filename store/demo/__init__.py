"""``python -m store demo``: a deterministic, realistic demo practice in an empty database.

What it builds (defaults: 8 therapists, 26 weeks up to the week of ``as_of``):

- Two teams ("Team Noord", "Team Zuid"; one team per 50 therapists beyond 100),
  therapists alternating starting / experienced (starters contract 16-28 sessions).
- Cases that open and close over time, rated at intake (and about a third re-rated
  later) with item ratings drawn so that the scored complexity falls in the intended
  band: the mix covers uncomplicated, mild, moderate and severe; a few cases are never
  rated. Each therapist's caseload follows a weekly target load index (with noise and
  a few holiday weeks); sessions are weekly per case with some cancellations.
- Session weight snapshots follow the store's rule (``store.cases.record_sessions``):
  ``session_weight`` of the case's latest complexity on the session date (NULL
  complexity = never rated).
- Weekly check-ins that respond to load: capacity dips when ``load_index`` is high
  (plus noise); holiday weeks and a few other weeks have no check-in.
- One starting therapist (username ``demo-starter``, "Eva", Team Zuid) drifts into
  overload over the last six weeks: a case is added every week and none closes, so her
  load index rises every week past 1.1 while her check-ins fall below the low-capacity
  line; the load-over-capacity (red), rising-load and balance flags fire for the week
  of ``as_of`` (once that week's sessions are in, i.e. from Friday) and for the last
  complete week. She shares her reports with the supervisor.
- Self-care goals (each with a resource of the self-care plan or none), research
  consent for three in four therapists.
- The rating practice: the first twelve therapists but the drifter have rated six of the
  eight shipped vignettes (v03-v08), close to the reference, starters a little further
  from it (:mod:`~store.demo.practice`): the demo researcher's Rating agreement has
  raters; v01 and v02 are left for whoever tries the practice.
- Logins for every role, with fixed demo passwords (:data:`DEMO_PASSWORDS`).

Same arguments and seed give the same data (timestamps included, except the seeding's
own audit event and the password hashes, which are salted). The plan is computed first
(NumPy; ratings scored in batches with ``complexity.score_cases``), then written in one
transaction: small tables with ``session.execute(insert(Model), rows)``, the big ones
(cases, ratings, sessions, check-ins) with :func:`store.bulk.insert_rows` (PostgreSQL ``COPY``,
SQLite ``executemany``), so ``--therapists 1000 --weeks 104`` (about 1.7 million
sessions: some 18 a week per therapist after holidays and cancellations) takes about a
minute on SQLite and a minute and a half on PostgreSQL.

Where things are: :mod:`~store.demo.parameters` (every number that shapes the demo,
named and explained), :mod:`~store.demo.people` (therapists, teams, usernames and demo
passwords), the plan in :mod:`~store.demo.plan` with :mod:`~store.demo.caseload`,
:mod:`~store.demo.ratings`, :mod:`~store.demo.checkins` and :mod:`~store.demo.practice`, :mod:`~store.demo.write`
(the one transaction) and :mod:`~store.demo.logins`. The command line is
:mod:`store.cli.demo`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from complexity.calendar import today as practice_today
from data_schema.problems import Problem

from ..accounts.passwords import hash_password  # looked up by build_demo when called: tests replace it
from ..db import session_scope
from ..errors import InvalidInput, Refused
from ..models import Therapist, UserAccount
from .logins import DemoLogin, demo_logins, format_logins, present_demo_logins
from .parameters import (
    DEFAULT_SEED, DEFAULT_THERAPISTS, DEFAULT_WEEKS, DEMO_PARAMETERS, DRIFT_WEEKS, MAX_THERAPISTS, MAX_WEEKS,
    MIN_THERAPISTS, MIN_WEEKS, DemoParameters,
)
from .people import (
    ADMIN_USERNAME, DEMO_PASSWORDS, DRIFTING_USERNAME, RESEARCHER_USERNAME, SUPERVISOR_USERNAME,
    THERAPISTS_PER_TEAM,
)
from .plan import plan_practice
from .write import write_plan


class DemoNotEmpty(Refused):
    """The database already holds therapists (or accounts with the demo's usernames):
    the demo only fills an empty one (``reason`` says which)."""


@dataclass(frozen=True)
class DemoSummary:
    logins: tuple[DemoLogin, ...]
    counts: Mapping[str, int]  # table -> rows written
    first_week: dt.date  # Monday of the first week with sessions
    as_of: dt.date  # sessions and check-ins up to this day
    seed: int
    drifting_username: str = DRIFTING_USERNAME


def build_demo(
    engine: Engine,
    *,
    therapists: int = DEFAULT_THERAPISTS,
    weeks: int = DEFAULT_WEEKS,
    seed: int = DEFAULT_SEED,
    as_of: dt.date | None = None,
    parameters: DemoParameters = DEMO_PARAMETERS,
) -> DemoSummary:
    """Fill an empty (migrated) database with the demo practice; see the module text.

    Raises :class:`DemoNotEmpty` if the database holds any therapist, and
    :class:`store.InvalidInput` for arguments out of range. All or nothing: one
    transaction. The passwords are hashed with this package's ``hash_password``, looked
    up when called (tests replace it with a cheaper hasher).
    """
    problems = []
    if not MIN_THERAPISTS <= therapists <= MAX_THERAPISTS:
        problems.append(Problem.make("out_of_range", None, "therapists", value=therapists, lo=MIN_THERAPISTS,
                                     hi=MAX_THERAPISTS))
    if not MIN_WEEKS <= weeks <= MAX_WEEKS:
        problems.append(Problem.make("out_of_range", None, "weeks", value=weeks, lo=MIN_WEEKS, hi=MAX_WEEKS))
    if seed < 0:
        problems.append(Problem.make("out_of_range", None, "seed", value=seed, lo=0, hi="…"))
    if as_of is not None and as_of > practice_today():
        problems.append(Problem.make("future_date", None, "as_of", value=as_of))
    if problems:
        raise InvalidInput(problems)
    as_of = as_of or practice_today()
    logins = demo_logins(therapists)
    usernames = [login.username for login in logins]
    with session_scope(engine, readonly=True) as session:
        _refuse_if_not_empty(session, usernames)
    plan = plan_practice(therapists, weeks, seed, as_of, parameters)
    hashes = {role: hash_password(pw) for role, pw in DEMO_PASSWORDS.items()}  # once per password
    with session_scope(engine) as session:
        _refuse_if_not_empty(session, usernames)  # again, now holding the write lock / in the writing transaction
        counts = write_plan(session, plan, hashes)
    return DemoSummary(logins=logins, counts=MappingProxyType(counts),
                       first_week=plan.start, as_of=as_of, seed=seed)


def _refuse_if_not_empty(session: Session, usernames: list[str]) -> None:
    count = session.scalar(select(func.count()).select_from(Therapist))
    if count:
        raise DemoNotEmpty("cli.demo.not_empty.therapists", count=count)
    taken = session.scalars(select(UserAccount.username).where(UserAccount.username.in_(usernames))).all()
    if taken:
        raise DemoNotEmpty("cli.demo.not_empty.accounts", usernames=", ".join(sorted(taken)))


__all__ = [
    "ADMIN_USERNAME", "DEFAULT_SEED", "DEFAULT_THERAPISTS", "DEFAULT_WEEKS", "DEMO_PARAMETERS", "DEMO_PASSWORDS",
    "DRIFTING_USERNAME", "DRIFT_WEEKS", "DemoLogin", "DemoNotEmpty", "DemoParameters", "DemoSummary",
    "MAX_THERAPISTS", "MAX_WEEKS", "MIN_THERAPISTS", "MIN_WEEKS", "RESEARCHER_USERNAME", "SUPERVISOR_USERNAME",
    "THERAPISTS_PER_TEAM", "build_demo", "demo_logins", "format_logins", "hash_password", "present_demo_logins",
]
