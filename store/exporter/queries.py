"""What each role's export holds, read from the database into typed tables.

The tables have the columns of ``data_schema.layouts.EXPORT_TABLES`` (so the codebook
describes every one): each reader below selects the columns its audience may have.
Therapists appear as their database id (column ``therapist``, as text), never by name
except in their own export; accounts without username, password hash or second-factor
secrets (the column lists are allow-lists, so a new secret column is never exported by
accident); **never wellbeing data** in anyone's export but the therapist's own.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Mapping

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.sqltypes import Boolean, Float, Integer

from complexity import DEFAULT_CONFIG, INSTRUMENT, score_cases
from data_schema.layouts import EXPORT_TABLES

from .. import audit
from ..models import (
    AuditEvent,
    Case,
    CaseRating,
    PracticeRating,
    PracticeRatingItem,
    ResearchConsent,
    SelfcareGoal,
    ShareGrant,
    SupervisorTeam,
    Team,
    Therapist,
    TherapySession,
    UserAccount,
    UTCDateTime,
    WeeklyCheckin,
)

SUPERVISOR_WEEKS = 52


def _typed(frame: pd.DataFrame, types: Mapping[str, object]) -> pd.DataFrame:
    """Give the columns of a query result their types: nullable integers and booleans,
    UTC timestamps, dates as ``datetime.date``, text as objects (None when empty)."""
    for name, type_ in types.items():
        col = frame[name]
        if isinstance(type_, UTCDateTime):
            frame[name] = pd.to_datetime(col, utc=True)
        elif isinstance(type_, Boolean):
            frame[name] = col.astype("boolean")
        elif isinstance(type_, Integer):
            frame[name] = pd.array(col.tolist(), dtype="Int64")
        elif isinstance(type_, Float):
            frame[name] = pd.to_numeric(col, errors="coerce").astype("float64")
        else:  # dates stay datetime.date objects; text stays text
            frame[name] = col.astype(object).where(col.notna(), None)
    return frame


def _pseudonym(ids: pd.Series) -> pd.Series:
    """A therapist in an export: their id, as text (never a name)."""
    values = [None if pd.isna(v) else str(int(v)) for v in ids]
    return pd.Series(values, index=ids.index, dtype=object)


def _select(session: Session, columns: Mapping[str, object], *, where=None, order_by=(), join=None) -> pd.DataFrame:
    """Run a SELECT of ``columns`` (export name -> SQL column) into a typed frame; a
    ``therapist``/``therapist_id`` column becomes the pseudonym."""
    stmt = select(*[c.label(name) for name, c in columns.items()])
    if join is not None:
        stmt = stmt.join(*join)
    if where is not None:
        stmt = stmt.where(where)
    stmt = stmt.order_by(*order_by)
    rows = session.execute(stmt).all()
    by_column = list(zip(*rows)) if rows else [()] * len(columns)
    frame = pd.DataFrame({name: pd.Series(values, dtype=object) for name, values in zip(columns, by_column)})
    frame = _typed(frame, {name: c.type for name, c in columns.items()})
    for name in ("therapist", "therapist_id"):
        if name in frame.columns:
            frame[name] = _pseudonym(frame[name])
    return frame


def _spec_columns(table: str) -> list[str]:
    return list(EXPORT_TABLES[table].columns)


def _therapists(session: Session, where, *, names: bool) -> pd.DataFrame:
    t = Therapist.__table__.c
    source = {"therapist": t.id, "experience": t.experience, "contracted_sessions": t.contracted_sessions,
              "team_id": t.team_id, "started_on": t.started_on, "active": t.active, "display_name": t.display_name}
    wanted = [c for c in _spec_columns("therapists") if names or c != "display_name"]
    return _select(session, {c: source[c] for c in wanted}, where=where, order_by=[t.id])


def _cases(session: Session, where) -> pd.DataFrame:
    c = Case.__table__.c
    source = {"case_code": c.code, "therapist": c.therapist_id, "opened_on": c.opened_on, "closed_on": c.closed_on}
    return _select(session, {k: source[k] for k in _spec_columns("cases")}, where=where, order_by=[c.id])


def _ratings_and_scores(session: Session, case_where) -> tuple[pd.DataFrame, pd.DataFrame]:
    r = CaseRating.__table__.c
    items = list(INSTRUMENT.item_ids)
    stored = ["complexity", "complexity_low", "complexity_high", "band", "interaction", "burden",
              "instrument_version", "model_version"]
    columns = {"case_code": Case.__table__.c.code, "rated_on": r.rated_on, **{i: r[i] for i in items},
               **{k: r[k] for k in stored}}
    frame = _select(session, columns, where=case_where, join=(Case, Case.id == CaseRating.case_id),
                    order_by=[r.case_id, r.rated_on, r.id])
    ratings = frame[_spec_columns("ratings")].copy()
    # Domain scores, contributions and flags are not stored: they are recomputed from the
    # items for rows scored by the current model; other rows keep their stored figures.
    # The unrated items are counted for every row (a 1.0 rating lacks 2.0's new items).
    current = (frame["model_version"] == DEFAULT_CONFIG.model_version).to_numpy(dtype=bool)
    scored = score_cases(pd.DataFrame({"case_id": np.arange(len(frame)),
                                       **{i: frame[i].astype("float64") for i in items}})) if len(frame) else None
    scores = pd.DataFrame(index=frame.index)
    for col in _spec_columns("scores"):
        if col in frame.columns:
            scores[col] = frame[col]
        elif col == "unrated_items":
            scores[col] = pd.array(scored[col] if scored is not None else [], dtype="Int64")
        elif col == "flags":
            values = scored[col].astype(object).to_numpy() if scored is not None else np.array([], dtype=object)
            scores[col] = pd.Series(np.where(current, values, None), index=frame.index, dtype=object)
        else:
            values = scored[col].to_numpy(dtype=float) if scored is not None else np.array([], dtype=float)
            scores[col] = np.where(current, values, np.nan)
    return ratings, scores


def _sessions(session: Session, where) -> pd.DataFrame:
    t = TherapySession.__table__.c
    source = {"case_code": Case.__table__.c.code, "therapist": t.therapist_id, "session_date": t.session_date,
              "duration_minutes": t.duration_minutes, "complexity": t.complexity, "weight": t.weight,
              "model_version": t.model_version}
    return _select(session, {k: source[k] for k in _spec_columns("sessions")}, where=where,
                   join=(Case, Case.id == TherapySession.case_id), order_by=[t.id])


def _checkins(session: Session, where, *, reflection: bool) -> pd.DataFrame:
    t = WeeklyCheckin.__table__.c
    wanted = [c for c in _spec_columns("checkins") if reflection or c != "reflection"]
    return _select(session, {c: (t.therapist_id if c == "therapist" else t[c]) for c in wanted}, where=where,
                   order_by=[t.therapist_id, t.week_start])


def _table(session: Session, model, table: str, renames: Mapping[str, str], *, where=None,
           leave_out: Iterable[str] = ()) -> pd.DataFrame:
    """The export table ``table``, read from ``model`` (``renames``: export column ->
    model column where the names differ). Columns the model does not have (yet) are
    left out."""
    c = model.__table__.c
    wanted = [name for name in _spec_columns(table) if name not in set(leave_out)]
    columns = {name: c[renames.get(name, name)] for name in wanted if renames.get(name, name) in c}
    return _select(session, columns, where=where, order_by=list(model.__table__.primary_key.columns))


def admin_tables(session: Session, *, clinical: bool = True) -> dict[str, pd.DataFrame]:
    """The practice's tables, pseudonymised (see the module text). Never wellbeing data:
    check-ins, self-care goals, share grants and research consents are the therapists'
    own (the Dutch DPA: an employer may not process employees' health data). With
    ``clinical=False`` (an admin account) only accounts, teams and the audit log."""
    tables: dict[str, pd.DataFrame] = {}
    if clinical:
        ratings, scores = _ratings_and_scores(session, None)
        tables.update({
            "therapists": _therapists(session, None, names=False),
            "cases": _cases(session, None),
            "ratings": ratings,
            "scores": scores,
            "sessions": _sessions(session, None),
        })
    tables.update({
        "teams": _table(session, Team, "teams", {"team_id": "id"}),
        "accounts": _table(session, UserAccount, "accounts", {"user_id": "id", "therapist": "therapist_id"}),
        "supervisor_teams": _table(session, SupervisorTeam, "supervisor_teams", {}),
        "audit_events": _table(session, AuditEvent, "audit_events", {"event_id": "id"}),
    })
    return tables


def therapist_tables(session: Session, therapist_id: int) -> dict[str, pd.DataFrame]:
    """A therapist's own data, their own free text included."""
    ratings, scores = _ratings_and_scores(session, Case.therapist_id == therapist_id)
    own = {"therapist": "therapist_id"}
    return {
        "therapists": _therapists(session, Therapist.id == therapist_id, names=True),
        "cases": _cases(session, Case.therapist_id == therapist_id),
        "ratings": ratings,
        "scores": scores,
        "sessions": _sessions(session, TherapySession.therapist_id == therapist_id),
        "checkins": _checkins(session, WeeklyCheckin.therapist_id == therapist_id, reflection=True),
        "selfcare_goals": _table(session, SelfcareGoal, "selfcare_goals", {"goal_id": "id", **own},
                                 where=SelfcareGoal.therapist_id == therapist_id),
        "share_grants": _table(session, ShareGrant, "share_grants", {"grant_id": "id", **own},
                               where=ShareGrant.therapist_id == therapist_id),
        "research_consents": _table(session, ResearchConsent, "research_consents", {"consent_id": "id", **own},
                                    where=ResearchConsent.therapist_id == therapist_id),
        "weekly_load": _own_weekly_load(session, therapist_id),
        "practice_ratings": _practice_ratings(session, therapist_id),
    }


def _practice_ratings(session: Session, therapist_id: int) -> pd.DataFrame:
    """The therapist's ratings of the rating practice's vignettes, a row per rating and
    a column per item (empty where the rating's instrument version has no such item)."""
    p = PracticeRating.__table__.c
    head = [c for c in _spec_columns("practice_ratings") if c not in INSTRUMENT.item_ids]
    source = {"practice_rating_id": p.id, "vignette": p.vignette_key, "therapist": p.therapist_id,
              "instrument_version": p.instrument_version, "created_at": p.created_at}
    frame = _select(session, {c: source[c] for c in head}, where=p.therapist_id == therapist_id, order_by=[p.id])
    levels = session.execute(
        select(PracticeRatingItem.rating_id, PracticeRatingItem.item_id, PracticeRatingItem.level)
        .join(PracticeRating, PracticeRating.id == PracticeRatingItem.rating_id)
        .where(PracticeRating.therapist_id == therapist_id)).all()
    by_rating: dict[int, dict[str, int]] = {}
    for rating_id, item_id, level in levels:
        by_rating.setdefault(rating_id, {})[item_id] = level
    ids = [int(v) for v in frame["practice_rating_id"]]
    for item in INSTRUMENT.item_ids:
        frame[item] = pd.array([by_rating.get(i, {}).get(item) for i in ids], dtype="Int64")
    return frame[_spec_columns("practice_ratings")]


def _own_weekly_load(session: Session, therapist_id: int) -> pd.DataFrame:
    from ..load import load_frame, week_range

    therapist = session.get(Therapist, therapist_id)
    mondays = week_range(SUPERVISOR_WEEKS)
    load = load_frame(session, [therapist], TherapySession.therapist_id == therapist_id, mondays,
                      DEFAULT_CONFIG)[_spec_columns("weekly_load")]
    load = load.copy()
    load["therapist_id"] = _pseudonym(load["therapist_id"])
    return load


def supervisor_tables(session: Session, user: UserAccount, *, as_of: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """Weekly load of the supervised teams, without names (store.load logs a
    ``read`` per therapist)."""
    from ..load import team_weekly_load

    team_ids = sorted(session.scalars(select(SupervisorTeam.team_id).where(SupervisorTeam.user_id == user.id)))
    frames = [team_weekly_load(session, user, t, SUPERVISOR_WEEKS, as_of=as_of) for t in team_ids]
    columns = _spec_columns("weekly_load")
    load = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({c: [] for c in columns})
    load = load[columns].copy()
    load["therapist_id"] = _pseudonym(load["therapist_id"])
    return {"weekly_load": load}


def refuse_without_export(session: Session, user: UserAccount | None) -> None:
    """Refuse (and log) an account whose role has no export, before anything is read."""
    if user is None or user.role in ("admin", "supervisor"):
        return
    if user.role == "therapist" and user.therapist_id is not None:
        return
    audit.deny(session, user, "researchers export the research dataset, not the practice's tables",
               attempted="export", subject_type="export")


def collect_tables(session: Session, user: UserAccount | None) -> dict[str, pd.DataFrame]:
    """The tables ``user`` may export (``None``: the operator, as admin), read in one
    session. Raises :class:`store.AccessDenied` (after logging it) for a role without
    an export."""
    refuse_without_export(session, user)
    if user is None or user.role == "admin":
        return admin_tables(session, clinical=user is None)
    if user.role == "therapist":
        return therapist_tables(session, user.therapist_id)
    return supervisor_tables(session, user)




def big_table_rows(session: Session, therapist_id: int | None) -> dict[str, int]:
    """The rows of the tables that can outgrow an Excel sheet, counted before minutes of
    reading (``therapist_id``: a therapist's own export; None: the operator's)."""
    mine = therapist_id is not None
    sources = {
        "sessions": (TherapySession, TherapySession.therapist_id == therapist_id if mine else None),
        "ratings": (CaseRating, CaseRating.case_id.in_(select(Case.id).where(Case.therapist_id == therapist_id))
                    if mine else None),
        "cases": (Case, Case.therapist_id == therapist_id if mine else None),
        "checkins": (WeeklyCheckin, WeeklyCheckin.therapist_id == therapist_id if mine else None),
    }
    if not mine:
        sources["audit_events"] = (AuditEvent, None)
    counts = {}
    for name, (model, where) in sources.items():
        stmt = select(func.count()).select_from(model)
        counts[name] = int(session.scalar(stmt.where(where) if where is not None else stmt))
    return counts
