"""Scoring stored ratings again under the current model (``python -m store rescore``).

A rating keeps the items as the therapist rated them and the score the model of that
moment gave (``model_version``). After a new model (2.0), the operator rescores: every
rating whose score came from another model version is scored again from its items
(items an older instrument did not have are simply unrated: the range shows it), its
old score, band, interaction, range and model version go into ``rating_rescore`` (the
history, oldest first), and the rating gets the new ones. All in one transaction with
one audit event: every rating is rescored, or none.

Sessions keep the weight they were recorded with (a snapshot, as always): rescoring
changes the weight of sessions recorded afterwards, never of past weeks' load.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from complexity import DEFAULT_CONFIG, INSTRUMENT, ModelConfig, score_cases

from . import audit
from .models import CaseRating, RatingRescore, utcnow


@dataclass(frozen=True)
class RescoreResult:
    ratings: int  # ratings stored
    rescored: int  # of which scored again (their score came from another model)
    model_version: str  # the model they were scored with now
    from_versions: tuple[str, ...]  # the model versions they had


def rescore(session: Session, config: ModelConfig = DEFAULT_CONFIG, *, dry_run: bool = False,
            now: dt.datetime | None = None) -> RescoreResult:
    """Score again every rating not scored by ``config``'s model (see the module text);
    with ``dry_run`` say how many, and change nothing."""
    now = now or utcnow()
    items = list(INSTRUMENT.item_ids)
    r = CaseRating.__table__.c
    rows = session.execute(
        select(r.id, r.complexity, r.band, r.interaction, r.complexity_low, r.complexity_high, r.model_version,
               *[r[i] for i in items]).order_by(r.id)
    ).all()
    stale = [row for row in rows if row.model_version != config.model_version]
    result = RescoreResult(len(rows), len(stale), config.model_version,
                           tuple(sorted({row.model_version for row in stale})))
    if dry_run or not stale:
        return result
    frame = pd.DataFrame({"case_id": np.arange(len(stale)),
                          **{i: pd.array([getattr(row, i) for row in stale], dtype="Float64").to_numpy(
                              dtype=float, na_value=np.nan) for i in items}})
    scores = score_cases(frame, config)
    session.execute(insert(RatingRescore), [
        {"case_rating_id": row.id, "complexity": row.complexity, "band": row.band, "interaction": row.interaction,
         "complexity_low": row.complexity_low, "complexity_high": row.complexity_high,
         "model_version": row.model_version, "rescored_at": now}
        for row in stale
    ])
    complete = scores["complete"].to_numpy(dtype=bool)
    session.execute(update(CaseRating), [
        {"id": row.id, "complexity": _number(c), "band": str(b), "interaction": _number(i) if ok else None,
         "complexity_low": float(lo), "complexity_high": float(hi), "model_version": config.model_version}
        for row, c, b, i, ok, lo, hi in zip(
            stale, scores["complexity"], scores["band"], scores["interaction"], complete,
            scores["complexity_low"], scores["complexity_high"])
    ])
    audit.record(session, "change", actor=None, subject_type="ratings",
                 detail=f"rescore: {len(stale)} ratings from model {', '.join(result.from_versions)} "
                        f"to {config.model_version}")
    return result


def _number(value: object) -> float | None:
    return None if pd.isna(value) else float(value)


__all__ = ["RescoreResult", "rescore"]
