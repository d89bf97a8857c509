"""The rating practice (issue 14): therapists rate written case vignettes and see how
their rating compares with the group's and with the reference rating. A learning tool
for starters, never a test of the person.

- **Vignettes** are Draagkracht's own (TOML files in ``store/vignettes/``, checked when
  first read: a broken one fails loudly) plus those a researcher or admin added
  (:func:`add_vignettes`, table ``practice_vignette``); both are checked by
  ``data_schema.vignettes`` (texts through the identifier guard, a reference level for
  every item, the reference landing in the vignette's band). Only vignettes of the
  current instrument version are offered. Anyone logged in may read them: they are
  made up.
- **Practice ratings** (:func:`rate_vignette`) are stored in their own tables
  (``practice_rating`` and its levels in ``practice_rating_item``), never in
  ``case_rating``: they are about no case and weigh no session. Only a therapist rates,
  once per vignette (the first impression is what the practice compares), every item
  rated. Each is audited as a create on the therapist.
- **The comparison** (:func:`practice_comparison`) is the therapist's own: per domain
  their score (the mean level of its items), the reference's, and the median of every
  therapist who rated the vignette (them included), shown only when at least
  :data:`MIN_GROUP` did. Nobody else reads a therapist's practice ratings; researchers
  see them pooled and pseudonymised (``store.practice_agreement``).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from complexity import BANDS, INSTRUMENT, CaseScore, score_case
from complexity.instrument import MAX_LEVEL, MIN_LEVEL
from data_schema.problems import Problem
from data_schema.records import RecordError, validate_value
from data_schema.spec import FieldSpec
from data_schema.vignettes import Vignette, check_vignette, read_vignette_file

from . import audit
from .access import actor, own_therapist_id
from .errors import InvalidInput, NotFound
from .models import PracticeRating, PracticeRatingItem, PracticeVignette

MIN_GROUP = 5  # raters of a vignette before its group median is shown (as for any group figure)
VIGNETTE_ROLES = ("researcher", "admin")  # who may add vignettes
VIGNETTE_DIR = Path(__file__).resolve().parent / "vignettes"
_LEVEL = {item_id: FieldSpec(item_id, "whole", min=MIN_LEVEL, max=MAX_LEVEL) for item_id in INSTRUMENT.item_ids}


class VignetteDefinitionError(ValueError):
    """A shipped vignette file breaks a rule of ``data_schema.vignettes``."""


# --- the vignettes -----------------------------------------------------------------------------

@cache
def shipped_vignettes() -> tuple[Vignette, ...]:
    """Draagkracht's own vignettes, every file checked (read once per process)."""
    found, problems = [], []
    for path in sorted(VIGNETTE_DIR.glob("*.toml")):
        entries, file_problems = read_vignette_file(path.read_text("utf-8"))
        problems += [f"{path.name}: {p.message('en')}" for p in file_problems]
        for where, raw in entries:
            vignette, errors = check_vignette(raw, shipped=True, where=where)
            problems += [f"{path.name}: {p.message('en')}" for p in errors]
            if vignette is not None:
                found.append(vignette)
    keys = [v.key for v in found]
    problems += [f"vignette key {k!r} is used twice" for k in sorted({k for k in keys if keys.count(k) > 1})]
    if problems:
        raise VignetteDefinitionError("; ".join(problems))
    return tuple(found)


def _stored(row: PracticeVignette) -> Vignette:
    return Vignette(row.key, row.band, row.instrument_version,
                    MappingProxyType({"nl": row.title_nl, "en": row.title_en}),
                    MappingProxyType({"nl": row.text_nl, "en": row.text_en}),
                    MappingProxyType({k: int(v) for k, v in json.loads(row.reference).items()}), shipped=False)


def _all_vignettes(session: Session) -> list[Vignette]:
    added = session.scalars(select(PracticeVignette).order_by(PracticeVignette.id)).all()
    every = [v for v in (*shipped_vignettes(), *map(_stored, added)) if v.instrument_version == INSTRUMENT.version]
    return sorted(every, key=lambda v: (BANDS.index(v.band), not v.shipped, v.key))


def vignettes(session: Session, user: object) -> list[Vignette]:
    """The vignettes of the current instrument version, lightest band first (anyone
    logged in: they are made up)."""
    actor(session, user)
    return _all_vignettes(session)


def _vignette(session: Session, key: str) -> Vignette:
    for vignette in _all_vignettes(session):
        if vignette.key == key:
            return vignette
    raise NotFound(f"no vignette {key!r}")


def _new_key(session: Session, taken: set[str]) -> str:
    while True:
        key = "a" + secrets.token_hex(3)  # added vignettes: "a" and 6 hex digits (shipped ones: "v01", ...)
        if key not in taken and session.scalar(select(PracticeVignette.id).where(PracticeVignette.key == key)) is None:
            return key


def add_vignettes(session: Session, user: object, raws: Iterable[Mapping | tuple[str, Mapping]]) -> list[str]:
    """Add vignettes to the practice (a researcher or an admin; audited). All or nothing:
    every vignette is checked (``data_schema.vignettes``; a title already in use is a
    problem too) and one problem stores none, :class:`InvalidInput` listing every
    problem. ``raws``: mappings as read from TOML, or ``(where, mapping)`` pairs as
    :func:`data_schema.vignettes.read_vignette_file` gives them. Returns the new keys."""
    acting = actor(session, user)
    if acting.role not in VIGNETTE_ROLES:
        audit.deny(session, acting, "vignettes are added by researchers and admins", attempted="add_vignettes")
    entries = [raw if isinstance(raw, tuple) else ("", raw) for raw in raws]
    if len(entries) > 1:
        entries = [(where or f"vignettes[{n}].", raw) for n, (where, raw) in enumerate(entries, start=1)]
    if not entries:
        raise InvalidInput(Problem.make("vignette_file_empty"))
    problems: list[Problem] = []
    checked: list[Vignette] = []
    titles = {title.casefold() for v in _all_vignettes(session) for title in v.titles.values()}
    for where, raw in entries:
        vignette, found = check_vignette(raw, shipped=False, where=where)
        problems += found
        if vignette is None:
            continue
        problems += [Problem.make("vignette_title_taken", None, f"{where}title.{lang}", value=title)
                     for lang, title in vignette.titles.items() if title.casefold() in titles]
        titles |= {title.casefold() for title in vignette.titles.values()}
        checked.append(vignette)
    if problems:
        raise InvalidInput(problems)
    keys: list[str] = []
    for vignette in checked:
        key = _new_key(session, set(keys))
        session.add(PracticeVignette(
            key=key, band=vignette.band, instrument_version=vignette.instrument_version,
            title_nl=vignette.titles["nl"], title_en=vignette.titles["en"], text_nl=vignette.texts["nl"],
            text_en=vignette.texts["en"], reference=json.dumps(dict(vignette.reference)), added_by_user_id=acting.id))
        keys.append(key)
    session.flush()
    audit.record(session, "create", actor=acting, subject_type="research_dataset",
                 detail=f"rating practice vignettes added: {', '.join(keys)}")
    return keys


def add_vignette_file(session: Session, user: object, text: str) -> list[str]:
    """:func:`add_vignettes` from the text of a TOML file (one vignette, or several as
    ``[[vignettes]]``)."""
    acting = actor(session, user)
    if acting.role not in VIGNETTE_ROLES:
        audit.deny(session, acting, "vignettes are added by researchers and admins", attempted="add_vignettes")
    entries, problems = read_vignette_file(text)
    if problems:
        raise InvalidInput(problems)
    return add_vignettes(session, acting, entries)


# --- practice ratings and the comparison ---------------------------------------------------------

@dataclass(frozen=True)
class DomainComparison:
    """One domain: the therapist's score, the reference's and the group's median (each the
    mean level 0-3 of the domain's items; the median None when fewer than MIN_GROUP rated)."""

    domain: str
    mine: float
    reference: float
    group_median: float | None


@dataclass(frozen=True)
class ItemComparison:
    item: str
    domain: str | None  # None: outside the score
    mine: int
    reference: int
    group_median: float | None


@dataclass(frozen=True)
class PracticeComparison:
    """A therapist's practice rating of a vignette beside the reference and the group."""

    vignette: str
    rated_at: dt.datetime
    raters: int  # therapists who rated the vignette (on this instrument version), the therapist included
    domains: tuple[DomainComparison, ...]
    items: tuple[ItemComparison, ...]
    mine: CaseScore
    reference: CaseScore

    @property
    def group_shown(self) -> bool:
        return self.raters >= MIN_GROUP


def _levels(session: Session, key: str) -> pd.DataFrame:
    """Every practice rating of a vignette on the current instrument: a row per rating,
    a column per item."""
    rows = session.execute(
        select(PracticeRatingItem.rating_id, PracticeRatingItem.item_id, PracticeRatingItem.level)
        .join(PracticeRating, PracticeRating.id == PracticeRatingItem.rating_id)
        .where(PracticeRating.vignette_key == key, PracticeRating.instrument_version == INSTRUMENT.version)
    ).all()
    frame = pd.DataFrame(rows, columns=["rating", "item", "level"])
    return frame.pivot(index="rating", columns="item", values="level").astype(float)


def _domain_means(levels: Mapping[str, float] | pd.DataFrame, domain) -> object:
    columns = list(domain.item_ids)
    if isinstance(levels, pd.DataFrame):
        return levels[columns].mean(axis=1)
    return sum(float(levels[i]) for i in columns) / len(columns)


def _comparison(session: Session, rating: PracticeRating, vignette: Vignette) -> PracticeComparison:
    group = _levels(session, vignette.key)
    mine = group.loc[rating.id]
    shown = len(group) >= MIN_GROUP
    domains = tuple(
        DomainComparison(d.id, float(_domain_means(mine, d)), float(_domain_means(vignette.reference, d)),
                         float(_domain_means(group, d).median()) if shown else None)
        for d in INSTRUMENT.domains)
    items = tuple(
        ItemComparison(item.id, item.domain, int(mine[item.id]), vignette.reference[item.id],
                       float(group[item.id].median()) if shown else None)
        for item in INSTRUMENT.items)
    mine_levels = {item: int(level) for item, level in mine.items()}
    return PracticeComparison(vignette.key, rating.created_at, len(group), domains, items,
                              score_case(mine_levels, case_id=vignette.key), vignette.reference_score())


def _own_rating(session: Session, therapist_id: int, key: str) -> PracticeRating | None:
    return session.scalars(select(PracticeRating).where(
        PracticeRating.vignette_key == key, PracticeRating.therapist_id == therapist_id,
        PracticeRating.instrument_version == INSTRUMENT.version)).one_or_none()


def _checked_levels(ratings: Mapping[str, object]) -> dict[str, int]:
    problems = [Problem.make("unknown_field", None, str(k)) for k in ratings if k not in _LEVEL]
    levels: dict[str, int] = {}
    for item_id in INSTRUMENT.item_ids:
        value = ratings.get(item_id)
        if value is None:
            problems.append(Problem.make("practice_unrated", None, item_id))
            continue
        try:
            levels[item_id] = int(validate_value(_LEVEL[item_id], value))
        except RecordError as error:
            problems += error.problems
    if problems:
        raise InvalidInput(problems)
    return levels


def rate_vignette(session: Session, user: object, key: str, ratings: Mapping[str, object]) -> PracticeComparison:
    """Store the acting therapist's practice rating of vignette ``key`` (item id -> level
    0-3; every item rated) and return the comparison. Refused for any other role; a
    vignette is rated once (:class:`InvalidInput` ``practice_already_rated``)."""
    acting = actor(session, user)
    therapist_id = own_therapist_id(session, acting, "rate_vignette")
    vignette = _vignette(session, key)
    earlier = _own_rating(session, therapist_id, key)
    if earlier is not None:
        raise InvalidInput(Problem.make("practice_already_rated", when=earlier.created_at.date().isoformat()))
    levels = _checked_levels(ratings)
    try:
        with session.begin_nested():
            rating = PracticeRating(vignette_key=key, therapist_id=therapist_id,
                                    instrument_version=INSTRUMENT.version)
            session.add(rating)
            session.flush()
            session.add_all(PracticeRatingItem(rating_id=rating.id, item_id=item, level=level)
                            for item, level in levels.items())
            session.flush()
    except IntegrityError:  # the same form sent twice at once: the first one counts
        raise InvalidInput(Problem.make("practice_already_rated", when=dt.date.today().isoformat())) from None
    audit.record(session, "create", actor=acting, subject_type="therapist", subject_id=therapist_id,
                 detail=f"rating practice: rating of vignette {key}")
    return _comparison(session, rating, vignette)


def practice_comparison(session: Session, user: object, key: str) -> PracticeComparison | None:
    """The acting therapist's comparison for vignette ``key`` (None: not rated yet).
    Only the therapist themself: any other role is refused."""
    acting = actor(session, user)
    therapist_id = own_therapist_id(session, acting, "practice_comparison")
    vignette = _vignette(session, key)
    rating = _own_rating(session, therapist_id, key)
    return None if rating is None else _comparison(session, rating, vignette)


def my_practice(session: Session, user: object) -> dict[str, dt.datetime]:
    """The vignettes the acting therapist rated (on the current instrument) and when."""
    acting = actor(session, user)
    therapist_id = own_therapist_id(session, acting, "my_practice")
    rows = session.execute(select(PracticeRating.vignette_key, PracticeRating.created_at).where(
        PracticeRating.therapist_id == therapist_id, PracticeRating.instrument_version == INSTRUMENT.version))
    return {key: value for key, value in rows}


def raters_per_vignette(session: Session, user: object) -> dict[str, int]:
    """How many therapists rated each vignette (current instrument): counts only."""
    actor(session, user)
    rows = session.execute(select(PracticeRating.vignette_key, func.count()).where(
        PracticeRating.instrument_version == INSTRUMENT.version).group_by(PracticeRating.vignette_key))
    return {key: value for key, value in rows}


__all__ = [
    "DomainComparison", "ItemComparison", "MIN_GROUP", "PracticeComparison", "VIGNETTE_DIR", "VIGNETTE_ROLES",
    "VignetteDefinitionError", "add_vignette_file", "add_vignettes", "my_practice", "practice_comparison",
    "rate_vignette", "raters_per_vignette", "shipped_vignettes", "vignettes",
]
