"""The research dataset: pooled, pseudonymised data of therapists who consented, under
disclosure control.

For the **researcher** role only (each request is logged). What it holds and why:

- Only therapists with research consent that has not been withdrawn, and only the weeks
  asked for (ratings, check-ins and weekly load of those weeks).
- A therapist appears under a **research id**, a case under a **case key**, both drawn
  from the consent's random token with HMAC-SHA256 (``research_id_of``,
  ``case_key_of``): stable from one request to the next within a **study**, so that
  longitudinal work is possible, and never the therapist's id, name or case code.
  :func:`new_study` (researcher or admin; logged) re-draws every token, and with them
  every research id and case key: the next study cannot be linked to the last.
- Dates are coarsened to ISO weeks; no free text at all (no reflections, no goal texts),
  no team, no account data.
- **Disclosure control** (``store.disclosure``, threat model in ``docs/data.md``):
  experience, contracted sessions, team size, the weekly sessions and load index, and the
  weeks of consult-now ratings (and so of ratings at all) are quasi-identifiers: a supervisor sees several of them
  next to names. They are coarsened so that every combination the dataset offers is
  shared by at least ``k`` participants (default 5), rare ones suppressed; the dataset's
  ``disclosure`` report says what was done. With fewer than ``max(MIN_GROUP, k)``
  consenting therapists the request is refused. Aggregates for the page
  (:func:`research_summary`) hide cells of fewer than five participants.

Tables: ``therapists`` (research_id, experience, contracted_sessions_low/_high,
team_size_low/_high), ``ratings`` (research_id, case_key, period_first and
period_last (the rating's ISO week, or a coarser period), every item, burden,
complexity with its range, band, interaction, instrument_version, model_version),
``checkins`` (research_id, week, every scale, capacity_score, checkin_version) and
``weekly_load`` (research_id, period_first, period_last, weeks, sessions_low/_high,
load_index_low/_high: the period's mean per week).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from complexity import BANDS, CHECKIN, DEFAULT_CONFIG, INSTRUMENT, ModelConfig
from complexity.calendar import iso_week_label, monday_of
from complexity.load import split_versions

from data_schema.problems import Problem

from . import audit
from .access import actor
from .disclosure import DEFAULT_K, DEFAULT_SUPPRESSION_LIMIT, DisclosureReport, k_anonymise, small_cells
from .errors import InvalidInput
from .load import load_frame, week_range
from .models import (
    AuditEvent, Case, CaseRating, ResearchConsent, Therapist, TherapySession, UserAccount, WeeklyCheckin, utcnow,
)

MIN_GROUP = 5
MAX_K = 50
DEFAULT_WEEKS = 52
STUDY_ROLES = ("researcher", "admin")
NEW_STUDY = "new research study"  # the audit detail that starts a study


# --- studies and the pseudonyms drawn for them ------------------------------------------------

@dataclass(frozen=True)
class Study:
    """The current study: its number (1 for the first) and when it began (None: with the
    first consent)."""

    number: int
    since: dt.datetime | None


def _digest(token: str, what: str) -> str:
    return hmac.new(token.encode("utf-8"), what.encode("utf-8"), hashlib.sha256).hexdigest()


def research_id_of(token: str) -> str:
    """A participant's research id in the current study (32 hex characters)."""
    return _digest(token, "research-id")[:32]


def case_key_of(token: str, case_id: int) -> str:
    """A case's key in the current study (``K`` and 12 hex characters)."""
    return "K" + _digest(token, f"case:{case_id}")[:12]


def current_study(session: Session) -> Study:
    """The study now running, from the audit log's lines of :func:`new_study` (no access
    check: it names no one)."""
    count, since = session.execute(
        select(func.count(), func.max(AuditEvent.at)).where(
            AuditEvent.subject_type == "research_dataset", AuditEvent.action == "change",
            AuditEvent.outcome == "allowed", AuditEvent.detail.like(f"{NEW_STUDY}%"))).one()
    return Study(int(count or 0) + 1, since)


def new_study(session: Session, user: object) -> Study:
    """Start a new study: every consent gets a new random token, so every research id and
    case key is re-drawn (a researcher, or an admin for them; logged)."""
    acting = actor(session, user)
    if acting.role not in STUDY_ROLES:
        audit.deny(session, acting, "a new study is for researchers and admins", attempted="new_study",
                   subject_type="research_dataset")
    previous = current_study(session)
    consents = session.scalars(select(ResearchConsent).order_by(ResearchConsent.id)).all()
    for consent in consents:
        consent.research_id = secrets.token_hex(16)
    session.flush()
    audit.record(session, "change", actor=acting, subject_type="research_dataset",
                 detail=f"{NEW_STUDY} {previous.number + 1}: research ids re-drawn for {len(consents)} consents")
    return Study(previous.number + 1, utcnow())


# --- the dataset -----------------------------------------------------------------------------

class WeekSpan:
    """The weeks a result covers (its ``mondays``), as ISO week labels."""

    mondays: tuple[dt.date, ...]

    @property
    def first_week(self) -> str:
        return iso_week_label(self.mondays[0])

    @property
    def last_week(self) -> str:
        return iso_week_label(self.mondays[-1])


@dataclass(frozen=True)
class ResearchDataset(WeekSpan):
    therapists: pd.DataFrame
    ratings: pd.DataFrame
    checkins: pd.DataFrame
    weekly_load: pd.DataFrame
    disclosure: DisclosureReport
    mondays: tuple[dt.date, ...]  # the weeks covered
    study: Study
    load_model_versions: tuple[str, ...] = ()  # the models whose scores weighed the weeks' sessions

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"therapists": self.therapists, "ratings": self.ratings, "checkins": self.checkins,
                "weekly_load": self.weekly_load}


def _week_labels(dates: pd.Series) -> list[str]:
    """The ISO week of each date (each distinct date worked out once)."""
    labels = {d: iso_week_label(monday_of(d)) for d in set(dates)}
    return [labels[d] for d in dates]


def _researcher(session: Session, user: object, attempted: str) -> UserAccount:
    acting = actor(session, user)
    if acting.role != "researcher":
        audit.deny(session, acting, "the research dataset is for researchers", attempted=attempted,
                   subject_type="research_dataset")
    return acting


def _consents(session: Session, k: int) -> dict[int, str]:
    """Therapist id -> consent token of the consenting therapists; refused below the
    minimum group and below ``k``."""
    if not isinstance(k, int) or not MIN_GROUP <= k <= MAX_K:
        raise InvalidInput(Problem.make("out_of_range", None, "k", value=k, lo=MIN_GROUP, hi=MAX_K))
    consents = dict(session.execute(
        select(ResearchConsent.therapist_id, ResearchConsent.research_id)
        .where(ResearchConsent.withdrawn_at.is_(None))).all())
    if len(consents) < max(MIN_GROUP, k):
        raise InvalidInput(Problem.make("too_few_consents", count=len(consents), minimum=max(MIN_GROUP, k)))
    return consents


def _team_sizes(session: Session) -> dict[int, int]:
    """Active therapists per team now (what a supervisor sees of a team's size)."""
    return dict(session.execute(select(Therapist.team_id, func.count()).where(
        Therapist.active.is_(True), Therapist.team_id.is_not(None)).group_by(Therapist.team_id)).all())


def collect(
    session: Session,
    user: object,
    *,
    weeks: int = DEFAULT_WEEKS,
    as_of: dt.date | None = None,
    config: ModelConfig = DEFAULT_CONFIG,
    k: int = DEFAULT_K,
) -> tuple[ResearchDataset, list[int]]:
    """The dataset and the ids of the therapists it covers, for an acting researcher
    (others are refused); nothing logged: :func:`research_dataset` logs a read,
    ``store.research_export`` an export."""
    _researcher(session, user, "research_dataset")
    consents = _consents(session, k)
    ids = sorted(consents)
    mondays = week_range(weeks, as_of)
    start, end = mondays[0], mondays[-1] + dt.timedelta(days=7)
    therapists = session.scalars(select(Therapist).where(Therapist.id.in_(ids)).order_by(Therapist.id)).all()
    rid = {tid: research_id_of(token) for tid, token in consents.items()}

    items = list(INSTRUMENT.item_ids)
    r = CaseRating.__table__.c
    rows = session.execute(
        select(Case.therapist_id, Case.id.label("case_id"), r.rated_on, *[r[i] for i in items], r.burden,
               r.complexity, r.complexity_low, r.complexity_high, r.band, r.interaction, r.instrument_version,
               r.model_version)
        .join(Case, Case.id == CaseRating.case_id)
        .where(Case.therapist_id.in_(ids), r.rated_on >= start, r.rated_on < end)
        .order_by(Case.therapist_id, Case.id, r.rated_on, r.id)
    ).all()
    ratings = pd.DataFrame(rows, columns=["therapist_id", "case_id", "rated_on", *items, "burden", "complexity",
                                          "complexity_low", "complexity_high", "band", "interaction",
                                          "instrument_version", "model_version"])

    scales = list(CHECKIN.scale_ids)
    c = WeeklyCheckin.__table__.c
    rows = session.execute(
        select(c.therapist_id, c.week_start, *[c[f] for f in scales], c.capacity_score, c.checkin_version)
        .where(c.therapist_id.in_(ids), c.week_start >= mondays[0], c.week_start <= mondays[-1])
        .order_by(c.therapist_id, c.week_start)
    ).all()
    checkins = pd.DataFrame(rows, columns=["therapist_id", "week_start", *scales, "capacity_score", "checkin_version"])
    load = load_frame(session, therapists, TherapySession.therapist_id.in_(ids), mondays, config)

    # Disclosure control over what others may know of a named therapist.
    sizes = _team_sizes(session)
    position = {m: i for i, m in enumerate(mondays)}
    coarse = k_anonymise(
        pd.DataFrame({"experience": [t.experience for t in therapists],
                      "contracted_sessions": [t.contracted_sessions for t in therapists],
                      "team_size": [sizes.get(t.team_id, 0) if t.team_id is not None else 0 for t in therapists]},
                     index=pd.Index([t.id for t in therapists])),
        pd.DataFrame({"participant": load["therapist_id"].to_numpy(),
                      "week": [position[w] for w in load["week_start"]],
                      "sessions": load["sessions"].to_numpy(), "load_index": load["load_index"].to_numpy()}),
        pd.DataFrame({"participant": ratings["therapist_id"].to_numpy(),
                      "week": ((pd.to_datetime(ratings["rated_on"]) - pd.Timestamp(start)).dt.days // 7).to_numpy(),
                      "safety_concern": ratings["safety_concern"].to_numpy(dtype=float, na_value=float("nan"))}),
        len(mondays), k=k, suppression_limit=DEFAULT_SUPPRESSION_LIMIT,
        safety_level=config.scoring.safety_flag_level,
    )

    people = coarse.people.reset_index(names="therapist_id")
    people.insert(0, "research_id", people.pop("therapist_id").map(rid))

    ratings["safety_concern"] = coarse.ratings["safety_concern"].to_numpy()
    ratings.insert(0, "research_id", ratings["therapist_id"].map(rid))
    keys = {pair: case_key_of(consents[pair[0]], pair[1])
            for pair in set(zip(ratings["therapist_id"], ratings["case_id"]))}
    ratings.insert(1, "case_key", [keys[pair] for pair in zip(ratings["therapist_id"], ratings["case_id"])])
    labels = [iso_week_label(m) for m in mondays]
    ratings.insert(2, "period_first", [labels[i] for i in coarse.ratings["first"]])
    ratings.insert(3, "period_last", [labels[i] for i in coarse.ratings["last"]])
    ratings = ratings.drop(columns=["therapist_id", "case_id", "rated_on"])

    checkins.insert(0, "research_id", checkins["therapist_id"].map(rid))
    checkins.insert(1, "week", _week_labels(checkins["week_start"]))
    checkins = checkins.drop(columns=["therapist_id", "week_start"])

    periods = coarse.load
    weekly_load = pd.DataFrame({
        "research_id": periods["participant"].map(rid).to_numpy(),
        "period_first": [labels[i] for i in periods["first"]],
        "period_last": [labels[i] for i in periods["last"]],
        "weeks": periods["weeks"].to_numpy(),
        **{col: periods[col].to_numpy() for col in ("sessions_low", "sessions_high", "load_index_low",
                                                    "load_index_high")},
    })
    # Rows in research-id order (random), never in the order therapists joined the practice.
    dataset = ResearchDataset(
        therapists=people.sort_values("research_id", kind="stable").reset_index(drop=True),
        ratings=ratings.sort_values(["research_id", "case_key", "period_first"], kind="stable").reset_index(drop=True),
        checkins=checkins.sort_values(["research_id", "week"], kind="stable").reset_index(drop=True),
        weekly_load=weekly_load.sort_values(["research_id", "period_first"], kind="stable").reset_index(drop=True),
        disclosure=coarse.report,
        mondays=tuple(mondays),
        study=current_study(session),
        load_model_versions=split_versions(load["model_versions"]),
    )
    return dataset, ids


def research_dataset(
    session: Session,
    user: UserAccount,
    *,
    weeks: int = DEFAULT_WEEKS,
    as_of: dt.date | None = None,
    config: ModelConfig = DEFAULT_CONFIG,
    k: int = DEFAULT_K,
) -> ResearchDataset:
    """The research dataset (see the module text) for a researcher; the read is logged,
    and a line for each participant, which they see in My data."""
    acting = _researcher(session, user, "research_dataset")
    data, ids = collect(session, acting, weeks=weeks, as_of=as_of, config=config, k=k)
    span = f"{data.first_week}..{data.last_week}"
    record_with_participants(
        session, acting, "read", ids,
        detail=f"research dataset: {len(ids)} consenting therapists, {len(data.mondays)} weeks ({span})",
        participant_detail=f"research dataset ({span}, pseudonymised)")
    return data


def record_with_participants(session: Session, acting: UserAccount, action: str, ids, *, detail: str,
                             participant_detail: str, subject_id: object = None) -> None:
    """A read or export of pooled research data in the audit log: its line, and (NEN 7513)
    a line for each participant, which they see in My data."""
    audit.record(session, action, actor=acting, subject_type="research_dataset", subject_id=subject_id,
                 detail=detail)
    for tid in ids:
        audit.record(session, action, actor=acting, subject_type="therapist", subject_id=tid,
                     detail=participant_detail)


# --- what the page shows at a glance ---------------------------------------------------------

@dataclass(frozen=True)
class ResearchSummary(WeekSpan):
    """Counts for the research page, cheap to compute: participants, ratings and check-ins
    of the weeks, and ``bands``: per band (in order) ``ratings`` and ``participants``,
    ``hidden`` where a cell counts fewer than five participants (then ``ratings`` is
    empty; see ``store.disclosure.small_cells``)."""

    participants: int
    ratings: int
    checkins: int
    bands: pd.DataFrame
    model_versions: tuple[str, ...]
    mondays: tuple[dt.date, ...]
    study: Study


def research_summary(session: Session, user: UserAccount, *, weeks: int = DEFAULT_WEEKS,
                     as_of: dt.date | None = None) -> ResearchSummary:
    """Counts of the research dataset of ``weeks`` weeks, for a researcher (logged once):
    small cells hidden."""
    acting = _researcher(session, user, "research_summary")
    ids = sorted(_consents(session, MIN_GROUP))
    mondays = week_range(weeks, as_of)
    start, end = mondays[0], mondays[-1] + dt.timedelta(days=7)
    in_range = (Case.therapist_id.in_(ids), CaseRating.rated_on >= start, CaseRating.rated_on < end)
    rows = session.execute(
        select(CaseRating.band, func.count(), func.count(distinct(Case.therapist_id)))
        .join(Case, Case.id == CaseRating.case_id).where(*in_range).group_by(CaseRating.band)).all()
    found = {band: (int(n), int(p)) for band, n, p in rows}
    bands = pd.DataFrame({"band": list(BANDS), "ratings": [found.get(b, (0, 0))[0] for b in BANDS],
                          "participants": [found.get(b, (0, 0))[1] for b in BANDS]})
    bands["hidden"] = small_cells(bands["participants"]).to_numpy()
    bands["ratings"] = bands["ratings"].astype("Int64").mask(bands["hidden"])
    versions = session.scalars(select(CaseRating.model_version).distinct().join(Case, Case.id == CaseRating.case_id)
                               .where(*in_range)).all()
    checkins = session.scalar(select(func.count()).select_from(WeeklyCheckin).where(
        WeeklyCheckin.therapist_id.in_(ids), WeeklyCheckin.week_start >= mondays[0],
        WeeklyCheckin.week_start <= mondays[-1]))
    audit.record(session, "read", actor=acting, subject_type="research_dataset",
                 detail=f"research dataset counts ({iso_week_label(mondays[0])}..{iso_week_label(mondays[-1])})")
    return ResearchSummary(len(ids), sum(n for n, _ in found.values()), int(checkins or 0), bands,
                           tuple(sorted(v for v in versions if v)), tuple(mondays), current_study(session))


__all__ = [
    "DEFAULT_WEEKS", "MAX_K", "MIN_GROUP", "ResearchDataset", "ResearchSummary", "STUDY_ROLES", "Study",
    "case_key_of", "collect", "current_study", "new_study", "record_with_participants", "research_dataset",
    "research_id_of", "research_summary",
]
