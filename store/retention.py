"""Retention: how long what is kept (``store/retention.toml``, overridable by the
operator's file named in ``DRAAGKRACHT_RETENTION_FILE``) and the purge that removes
what has expired (``python -m store purge [--dry-run]``).

The purge runs in one transaction: everything expired goes, or (on any error) nothing.
It writes one audit line with what it removed (counts only). A dry run counts and
changes nothing. Audit lines are not purged: they are append-only (revision 0007) and
are the proof of who saw what; they hold no clinical or wellbeing content.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from complexity.calendar import today

from . import audit
from .models import Case, LoginSession, SelfcareGoal, ShareGrant, WeeklyCheckin

DEFAULTS_FILE = Path(__file__).with_name("retention.toml")
FILE_VARIABLE = "DRAAGKRACHT_RETENTION_FILE"
MIN_WEEKS = 4  # a period shorter than this is surely a mistake


@dataclass(frozen=True)
class RetentionPolicy:
    checkins_weeks: int
    goals_weeks: int
    closed_cases_weeks: int
    revoked_shares_weeks: int
    login_sessions_weeks: int


def load_policy(path: str | os.PathLike | None = None) -> RetentionPolicy:
    """The defaults, with the operator's file (``path`` or ``DRAAGKRACHT_RETENTION_FILE``)
    over them. An unknown name or a period under ``MIN_WEEKS`` is an error, never ignored."""
    values = tomllib.loads(DEFAULTS_FILE.read_text("utf-8"))
    chosen = path or os.environ.get(FILE_VARIABLE)
    if chosen:
        override = tomllib.loads(Path(chosen).read_text("utf-8"))
        unknown = sorted(set(override) - set(values))
        if unknown:
            raise ValueError(f"{chosen}: unknown retention setting(s) {', '.join(unknown)}; "
                             f"known: {', '.join(sorted(values))}")
        values.update(override)
    for name, weeks in values.items():
        if not isinstance(weeks, int) or isinstance(weeks, bool) or weeks < MIN_WEEKS:
            raise ValueError(f"retention setting {name} must be a whole number of weeks, at least {MIN_WEEKS}")
    return RetentionPolicy(**{f.name: values[f.name] for f in fields(RetentionPolicy)})


@dataclass(frozen=True)
class PurgeResult:
    cutoffs: dict[str, dt.date]
    counts: dict[str, int]  # what expired (and was removed unless dry_run)
    dry_run: bool

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _targets(policy: RetentionPolicy, on: dt.date):
    def before(weeks: int) -> dt.date:
        return on - dt.timedelta(weeks=weeks)

    return {
        "checkins": (WeeklyCheckin, WeeklyCheckin.week_start < before(policy.checkins_weeks),
                     before(policy.checkins_weeks)),
        "goals": (SelfcareGoal, SelfcareGoal.week_start < before(policy.goals_weeks), before(policy.goals_weeks)),
        "closed_cases": (Case, Case.closed_on < before(policy.closed_cases_weeks), before(policy.closed_cases_weeks)),
        "revoked_shares": (ShareGrant, ShareGrant.revoked_at < dt.datetime.combine(
            before(policy.revoked_shares_weeks), dt.time(), tzinfo=dt.timezone.utc), before(policy.revoked_shares_weeks)),
        # a session lasts 12 hours at most: one that began before the cutoff is long over
        "login_sessions": (LoginSession, LoginSession.created_at < dt.datetime.combine(
            before(policy.login_sessions_weeks), dt.time(), tzinfo=dt.timezone.utc), before(policy.login_sessions_weeks)),
    }


def purge(session: Session, policy: RetentionPolicy | None = None, *, on: dt.date | None = None,
          dry_run: bool = False) -> PurgeResult:
    """Remove (or with ``dry_run`` only count) what has expired on ``on`` (default
    today) in the caller's transaction. A closed case goes with its ratings, their
    rescoring history and its sessions (the database's cascades)."""
    policy = policy or load_policy()
    on = on or today()
    targets = _targets(policy, on)
    counts = {name: int(session.scalar(select(func.count()).select_from(model).where(where)))
              for name, (model, where, _) in targets.items()}
    cutoffs = {name: cutoff for name, (_, _, cutoff) in targets.items()}
    if not dry_run and any(counts.values()):
        for model, where, _ in targets.values():
            session.execute(delete(model).where(where))
        audit.record(session, "delete", actor=None, subject_type="retention",
                     detail="purge: " + ", ".join(f"{name} {n} (before {cutoffs[name]})" for name, n in counts.items()))
    return PurgeResult(cutoffs, counts, dry_run)


__all__ = ["FILE_VARIABLE", "PurgeResult", "RetentionPolicy", "load_policy", "purge"]
