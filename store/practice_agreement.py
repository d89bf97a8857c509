"""Inter-rater agreement of the rating practice, for researchers (issue 14).

:func:`practice_ratings_for_research` reads the practice ratings (``store.rating_practice``)
of therapists whose research consent stands, for the **researcher** role only (any other
role is refused and the refusal audited; each read is audited). A rater appears under a
pseudonym drawn for the practice from the consent's random token (HMAC-SHA256, ``P`` and
10 hex characters): stable within a study, re-drawn with every research id by
``store.research.new_study``, and not the research id of the research dataset (the two
cannot be joined). No names, no dates, no team: only vignette, rater, item and level, of
one instrument version. With fewer than :data:`MIN_GROUP` raters the read is refused
(:class:`store.Refused`).

:func:`agreement_report` computes, with ``complexity.agreement``, per item and per
domain: the ICC(A,1) (two-way random, absolute agreement, single rater) with its F
interval, the weighted kappa with its bootstrap interval, and the mean absolute distance
from the vignette's median rating; items with the most disagreement first.

- **Items**: the ratings matrix of each item (vignettes x raters).
- **Domains**: the ICC of the domain score (the mean level of the domain's items per
  vignette and rater); kappa and the distance on the domain's items pooled (each
  vignette-and-item a target): how alike raters use the levels within the domain.
- **Complete block**: the ICC needs every rater to have rated every vignette it uses. A
  rater rates every item of a vignette, so the same block holds for every item: the
  report uses the larger of "the vignettes every rater rated" and "the raters who rated
  every vignette" (``drop``), and says which.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from complexity import INSTRUMENT
from complexity.agreement import icc_a1, mean_absolute_deviation, rank_disagreement, rating_matrices, weighted_kappa
from complexity.psychometrics import PsychometricsError

from . import audit
from .access import actor
from .errors import Refused
from .models import PracticeRating, PracticeRatingItem, ResearchConsent
from .rating_practice import MIN_GROUP

N_BOOT = 300  # bootstrap resamples of each kappa interval
COLUMNS = ["mad", "icc", "icc_low", "icc_high", "n_targets", "n_raters", "kappa", "kappa_low", "kappa_high",
           "problem"]


@dataclass(frozen=True)
class PracticeRatings:
    """The pooled practice ratings: ``ratings`` has a row per item rated (``vignette``,
    ``rater``, ``item``, ``level``)."""

    ratings: pd.DataFrame
    instrument_version: str

    @property
    def raters(self) -> int:
        return int(self.ratings["rater"].nunique())

    @property
    def vignettes(self) -> int:
        return int(self.ratings["vignette"].nunique())


def rater_pseudonym(token: str) -> str:
    """A rater's pseudonym in the practice data: from the consent's token, like the
    research id, but a different digest (the two cannot be matched)."""
    return "P" + hmac.new(token.encode("utf-8"), b"rating-practice-rater", hashlib.sha256).hexdigest()[:10]


def practice_ratings_for_research(session: Session, user: object,
                                  instrument_version: str | None = None) -> PracticeRatings:
    """The practice ratings of consenting therapists on ``instrument_version`` (default
    the current), pseudonymised (a researcher only; audited)."""
    acting = actor(session, user)
    if acting.role != "researcher":
        audit.deny(session, acting, "practice ratings are pooled for researchers only",
                   attempted="practice_ratings_for_research", subject_type="research_dataset")
    version = instrument_version or INSTRUMENT.version
    tokens = {therapist: token for therapist, token in session.execute(  # the latest consent standing
        select(ResearchConsent.therapist_id, ResearchConsent.research_id)
        .where(ResearchConsent.withdrawn_at.is_(None)).order_by(ResearchConsent.id))}
    rows = session.execute(
        select(PracticeRating.vignette_key, PracticeRating.therapist_id, PracticeRatingItem.item_id,
               PracticeRatingItem.level)
        .join(PracticeRatingItem, PracticeRatingItem.rating_id == PracticeRating.id)
        .where(PracticeRating.instrument_version == version, PracticeRating.therapist_id.in_(list(tokens) or [-1]))
        .order_by(PracticeRating.vignette_key, PracticeRating.id, PracticeRatingItem.item_id)).all()
    frame = pd.DataFrame(rows, columns=["vignette", "therapist", "item", "level"])
    frame.insert(1, "rater", frame.pop("therapist").map(lambda tid: rater_pseudonym(tokens[tid])))
    frame["level"] = frame["level"].astype(int)
    data = PracticeRatings(frame, version)
    if data.raters < MIN_GROUP:
        raise Refused("refused.practice_too_few_raters", raters=data.raters, minimum=MIN_GROUP)
    audit.record(session, "read", actor=acting, subject_type="research_dataset",
                 detail=f"rating practice ratings, instrument {version}: {data.raters} raters, "
                        f"{data.vignettes} vignettes")
    return data


@dataclass(frozen=True)
class AgreementReport:
    """Agreement per item (``items``, most disagreement first) and per domain
    (``domains``, instrument order); both with the columns of
    :func:`complexity.agreement.rank_disagreement` after ``item`` / ``domain``."""

    items: pd.DataFrame
    domains: pd.DataFrame
    instrument_version: str
    vignettes: int
    raters: int
    drop: str  # "targets" or "raters": how the complete block for the ICC was made
    weights: str
    n_boot: int


def _drop(ratings: pd.DataFrame) -> Literal["targets", "raters"]:
    """The larger complete block: vignettes every rater rated, or raters who rated every vignette."""
    seen = pd.crosstab(ratings["vignette"], ratings["rater"]) > 0
    by_targets = int(seen.all(axis=1).sum()) * seen.shape[1]
    by_raters = int(seen.all(axis=0).sum()) * seen.shape[0]
    return "targets" if by_targets >= by_raters else "raters"


def _domain_row(domain, ratings: pd.DataFrame, drop: str, weights: str, n_boot: int, seed: int) -> dict:
    own = ratings[ratings["item"].isin(domain.item_ids)]
    row = dict.fromkeys(COLUMNS, np.nan) | {"n_targets": 0, "n_raters": 0, "problem": None}
    scores = own.pivot_table(index="vignette", columns="rater", values="level", aggfunc="mean")
    pooled = own.assign(target=own["vignette"] + ":" + own["item"]).pivot(
        index="target", columns="rater", values="level").astype(float)
    row["mad"] = mean_absolute_deviation(pooled)
    try:
        icc = icc_a1(scores, drop=drop)
        row.update(icc=icc.icc, icc_low=icc.low, icc_high=icc.high, n_targets=icc.n_targets, n_raters=icc.n_raters)
    except PsychometricsError as error:
        row["problem"] = error.code
    try:
        kappa = weighted_kappa(pooled, weights, n_boot=n_boot, seed=seed)
        row.update(kappa=kappa.kappa, kappa_low=kappa.low, kappa_high=kappa.high)
    except PsychometricsError as error:
        row["problem"] = row["problem"] or error.code
    return {"domain": domain.id} | row


def agreement_report(data: PracticeRatings, *, weights: Literal["linear", "quadratic"] = "quadratic",
                     n_boot: int = N_BOOT, seed: int = 0) -> AgreementReport:
    """Agreement per item and per domain (module docstring). Pure: no database."""
    ratings = data.ratings
    drop = _drop(ratings)
    matrices = rating_matrices(ratings, target="vignette", rater="rater", item="item", value="level")
    items = rank_disagreement(matrices, weights, n_boot=n_boot, seed=seed, drop=drop)
    domain_of = {item.id: item.domain for item in INSTRUMENT.items}
    items = items.rename_axis("item").reset_index()
    items.insert(1, "domain", items["item"].map(domain_of))
    domains = pd.DataFrame([_domain_row(d, ratings, drop, weights, n_boot, seed) for d in INSTRUMENT.domains],
                           columns=["domain", *COLUMNS])
    return AgreementReport(items, domains, data.instrument_version, data.vignettes, data.raters, drop, weights,
                           n_boot)


__all__ = ["AgreementReport", "N_BOOT", "PracticeRatings", "agreement_report", "practice_ratings_for_research",
           "rater_pseudonym"]
