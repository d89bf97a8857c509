"""The ratings the research analyses run on (the Analyses page, researchers only), and
which instrument version defined them.

What :func:`analysis_data` reads, and why it is not ``store.research.collect``: the
analyses only ever show aggregates (shares, correlations, reliabilities, loadings,
cluster means, weights), each checked for small cells before a researcher sees it
(``store.research_results``), so they need the item ratings of the consenting
therapists of the weeks and nothing that a supervisor could put a name to: no weekly
sessions or load, no team, experience or contracted sessions, no dates. That is one
query, about as fast as reading the rows (``make bench`` compares it with pandas
``read_sql`` of the same statement, :func:`ratings_statement`), where the full research
dataset also reads and coarsens a practice's every session.

- Only therapists with research consent that has not been withdrawn; refused below
  ``store.research.MIN_GROUP`` of them, as the research dataset is.
- A therapist is a **participant number** (0, 1, ... in the order of their research
  id, so neither their id nor the order they joined shows), a case a **case number**
  (in order of first rating), both only meaningful within one :class:`AnalysisData`.
  No free text, no dates (the weeks asked for select the ratings, and the first and
  last week are kept), no names or codes.
- Each read is logged as the research dataset's is: a line for the read and one for each
  participant, which they see in My data (once per login session, ``store.audit``).

:func:`data_stamp` is a cheap stamp of "the data may have changed" for caches:
the newest audit event of a create, change or delete (every change to a rating,
a case, a consent or a study records one; reads and logins do not count, so a
researcher's own reads do not invalidate their cache).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Select, select
from sqlalchemy.orm import Session

from complexity import DEFAULT_CONFIG, INSTRUMENT
from complexity.calendar import iso_week_label
from complexity.instrument import Instrument, parse_instrument
from data_schema.problems import Problem

from . import audit
from .access import actor
from .errors import InvalidInput, StoreError
from .load import week_range
from .models import AuditEvent, Case, CaseRating, ResearchConsent
from .research import (
    DEFAULT_WEEKS, MIN_GROUP, Study, WeekSpan, current_study, record_with_participants, research_id_of,
)

CHANGES = ("create", "change", "delete")  # the audit actions that can change what the analyses read
ROLE = "researcher"
OUTCOME_COLUMNS = ("burden", "complexity", "band", "instrument_version", "model_version")


class TooFewParticipants(StoreError):
    """Fewer participants than ``minimum`` rated with the instrument version asked for: any
    aggregate would point at too few people. ``count`` and ``minimum`` say how many."""

    def __init__(self, count: int, minimum: int) -> None:
        self.count, self.minimum = count, minimum
        super().__init__(f"{count} participants rated with this instrument version; at least {minimum} are needed")


@dataclass(frozen=True)
class AnalysisData(WeekSpan):
    """The consenting therapists' ratings of the weeks: ``ratings`` has a row per rating,
    each case's ratings together and in date order: ``participant`` and ``case``
    (numbers, module docstring), every instrument item (NaN: not rated), ``burden``,
    ``complexity``, ``band``, ``instrument_version`` and ``model_version``.
    ``consenting``: how many therapists consented (some may have rated nothing)."""

    ratings: pd.DataFrame
    consenting: int
    mondays: tuple[dt.date, ...]
    study: Study

    def versions(self) -> pd.DataFrame:
        """Per instrument version (newest first): ``ratings`` and ``participants``."""
        grouped = self.ratings.groupby("instrument_version", sort=False)
        table = pd.DataFrame({"ratings": grouped.size(), "participants": grouped["participant"].nunique()})
        table.index.name = "instrument_version"
        return table.loc[sorted(table.index, key=_version_key, reverse=True)]


def _version_key(version: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in str(version).split("."))


def ratings_statement(therapist_ids: list[int], mondays: list[dt.date]) -> Select:
    """The ratings of ``therapist_ids`` in the weeks of ``mondays``: therapist, case,
    date and id (for the order), every item and the outcome columns."""
    r = CaseRating.__table__.c
    start, end = mondays[0], mondays[-1] + dt.timedelta(days=7)
    return (select(Case.therapist_id, r.case_id, r.rated_on, r.id, *[r[i] for i in INSTRUMENT.item_ids],
                   *[r[c] for c in OUTCOME_COLUMNS])
            .join(Case, Case.id == r.case_id)
            .where(Case.therapist_id.in_(therapist_ids), r.rated_on >= start, r.rated_on < end))


def consenting_therapists(session: Session) -> dict[int, str]:
    """Therapist id -> consent token of every therapist whose consent stands (no access
    check: callers check the role first)."""
    return dict(session.execute(select(ResearchConsent.therapist_id, ResearchConsent.research_id)
                                .where(ResearchConsent.withdrawn_at.is_(None))).all())


def analysis_data(session: Session, user: object, *, weeks: int = DEFAULT_WEEKS,
                  as_of: dt.date | None = None) -> AnalysisData:
    """The ratings of the consenting therapists in the ``weeks`` weeks up to ``as_of``
    (default this week), for a researcher; anyone else is refused (and audited). The
    read is logged (module docstring)."""
    acting = actor(session, user)
    if acting.role != ROLE:
        audit.deny(session, acting, "the research analyses are for researchers", attempted="research_analyses",
                   subject_type="research_dataset")
    consents = consenting_therapists(session)
    if len(consents) < MIN_GROUP:
        raise InvalidInput(Problem.make("too_few_consents", count=len(consents), minimum=MIN_GROUP))
    mondays = week_range(weeks, as_of)
    ids = sorted(consents)
    frame = pd.read_sql(ratings_statement(ids, mondays), session.connection())
    frame = frame.sort_values(["case_id", "rated_on", "id"], kind="stable")
    # Participants numbered in research-id order (random), cases in order of appearance.
    order = sorted(ids, key=lambda tid: research_id_of(consents[tid]))
    number = pd.Series(np.arange(len(order)), index=order)
    frame.insert(0, "participant", number.reindex(frame.pop("therapist_id")).to_numpy())
    frame.insert(1, "case", pd.factorize(frame.pop("case_id"))[0])
    ratings = frame.drop(columns=["rated_on", "id"]).reset_index(drop=True)
    for column in INSTRUMENT.item_ids:
        ratings[column] = ratings[column].astype(float)
    ratings["burden"] = ratings["burden"].astype(float)
    span = f"{iso_week_label(mondays[0])}..{iso_week_label(mondays[-1])}"
    record_with_participants(
        session, acting, "read", ids,
        detail=f"research analyses: {len(ids)} consenting therapists, {len(mondays)} weeks ({span})",
        participant_detail=f"research analyses ({span}, pseudonymised)")
    return AnalysisData(ratings, len(ids), tuple(mondays), current_study(session))


def data_stamp(connection: Session | Connection) -> int:
    """The id of the newest create, change or delete in the audit log (0 for none)."""
    return int(connection.scalar(select(AuditEvent.id).where(AuditEvent.action.in_(CHANGES))
                                 .order_by(AuditEvent.id.desc()).limit(1)) or 0)


# --- the instrument version a rating was made with -------------------------------------------

@lru_cache(maxsize=8)
def instrument_of(version: str) -> Instrument | None:
    """The definition of instrument ``version``: the current one, an earlier one kept as
    ``complexity/instrument-<version>.toml``, or None when there is none."""
    if version == INSTRUMENT.version:
        return INSTRUMENT
    resource = resources.files("complexity").joinpath(f"instrument-{version}.toml")
    return parse_instrument(resource.read_text("utf-8")) if resource.is_file() else None


@dataclass(frozen=True)
class VersionItems:
    """The items of an instrument version, as stored: ``domains`` domain id -> its scored
    items (only those with a column), ``instrument`` the definition (labels) or, with
    none kept, the current one restricted to the items this version's ratings use."""

    version: str
    instrument: Instrument
    domains: dict[str, tuple[str, ...]]
    defined: bool

    @property
    def items(self) -> tuple[str, ...]:
        return tuple(i for ids in self.domains.values() for i in ids)

    def domain_of(self) -> dict[str, str]:
        return {i: d for d, ids in self.domains.items() for i in ids}


def version_items(version: str, ratings: pd.DataFrame | None = None) -> VersionItems:
    """The scored items per domain of ``version`` (see :class:`VersionItems`); without a
    kept definition, the items that ``ratings`` (of this version) rated at all."""
    definition = instrument_of(version)
    stored = set(INSTRUMENT.item_ids)
    if definition is not None:
        domains = {d.id: tuple(i.id for i in d.items if i.id in stored) for d in definition.domains}
        return VersionItems(version, definition, {d: ids for d, ids in domains.items() if ids}, True)
    used = set() if ratings is None else {c for c in INSTRUMENT.scored_item_ids if ratings[c].notna().any()}
    domains = {d.id: tuple(i for i in d.item_ids if i in used) for d in INSTRUMENT.domains}
    return VersionItems(version, INSTRUMENT, {d: ids for d, ids in domains.items() if ids}, False)


def domain_scores(items: pd.DataFrame, layout: VersionItems) -> pd.DataFrame:
    """Each case's domain scores (a column per domain): the mean level 0-3 of its rated
    items, as the model scores a domain, where enough of them are rated (the model's
    ``min_rated_share`` of the version's own items); else NaN."""
    share = DEFAULT_CONFIG.scoring.min_rated_share
    out = {}
    for domain, ids in layout.domains.items():
        values = items[list(ids)].to_numpy(dtype=float)
        rated = np.sum(~np.isnan(values), axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nansum(values, axis=1) / rated
        out[domain] = np.where(rated >= np.ceil(len(ids) * share), mean, np.nan)
    return pd.DataFrame(out, index=items.index)


__all__ = [
    "AnalysisData", "CHANGES", "TooFewParticipants", "VersionItems", "analysis_data", "consenting_therapists",
    "data_stamp", "domain_scores", "instrument_of", "ratings_statement", "version_items",
]
