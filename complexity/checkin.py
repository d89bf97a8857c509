"""The weekly check-in and the capacity (draagkracht) score derived from it.

The check-in is defined once, in ``checkin.toml``; forms, schemas and the codebook
derive from :data:`CHECKIN`. ``capacity_score`` turns the scale answers into 0-100:
each answer is mapped to 0..1 with its direction (``up``: more is better), then
averaged with the configured weights. 100 = every answer at its best end.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd

from .config import DEFAULT_CONFIG, ModelConfig


@dataclass(frozen=True)
class CheckinOption:
    id: str
    labels: Mapping[str, str]

    def label(self, lang: str = "nl") -> str:
        return self.labels[lang]


@dataclass(frozen=True)
class CheckinField:
    id: str
    kind: str  # "scale", "multi" or "text"
    labels: Mapping[str, str]
    min: int | None = None
    max: int | None = None
    direction: str | None = None  # "up" or "down" for scales
    low: Mapping[str, str] | None = None
    high: Mapping[str, str] | None = None
    levels: Mapping[str, tuple[str, ...]] | None = None
    options: tuple[CheckinOption, ...] = ()
    optional: bool = False
    max_length: int | None = None

    def label(self, lang: str = "nl") -> str:
        return self.labels[lang]


@dataclass(frozen=True)
class Checkin:
    version: str
    fields: tuple[CheckinField, ...]

    @cached_property
    def scale_fields(self) -> tuple[CheckinField, ...]:
        return tuple(f for f in self.fields if f.kind == "scale")

    @cached_property
    def scale_ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.scale_fields)

    def field(self, field_id: str) -> CheckinField:
        for f in self.fields:
            if f.id == field_id:
                return f
        raise KeyError(field_id)


def _mapping(raw: dict | None) -> Mapping[str, str] | None:
    return None if raw is None else MappingProxyType(dict(raw))


def load_checkin() -> Checkin:
    raw = tomllib.loads(resources.files("complexity").joinpath("checkin.toml").read_text("utf-8"))
    fields = []
    for f in raw["fields"]:
        levels = f.get("levels")
        fields.append(
            CheckinField(
                id=f["id"],
                kind=f["kind"],
                labels=_mapping(f["label"]),
                min=f.get("min"),
                max=f.get("max"),
                direction=f.get("direction"),
                low=_mapping(f.get("low")),
                high=_mapping(f.get("high")),
                levels=None if levels is None else MappingProxyType({k: tuple(v) for k, v in levels.items()}),
                options=tuple(
                    CheckinOption(o["id"], MappingProxyType({k: v for k, v in o.items() if k != "id"}))
                    for o in f.get("options", [])
                ),
                optional=f.get("optional", False),
                max_length=f.get("max_length"),
            )
        )
    checkin = Checkin(version=raw["version"], fields=tuple(fields))
    if len(checkin.fields) > 10:
        raise ValueError("the weekly check-in must stay at ten inputs or fewer")
    for f in checkin.scale_fields:
        if f.direction not in ("up", "down") or f.min is None or f.max is None or f.min >= f.max:
            raise ValueError(f"check-in field {f.id!r} needs min < max and a direction")
        if f.levels and any(len(v) != f.max - f.min + 1 for v in f.levels.values()):
            raise ValueError(f"check-in field {f.id!r}: one level label per value")
    return checkin


CHECKIN: Checkin = load_checkin()


def _weights(config: ModelConfig) -> np.ndarray:
    custom = config.capacity.item_weights or {}
    unknown = set(custom) - set(CHECKIN.scale_ids)
    if unknown:
        raise ValueError(f"capacity item_weights name unknown check-in fields: {sorted(unknown)}")
    return np.array([float(custom.get(fid, 1.0)) for fid in CHECKIN.scale_ids])


def capacity_score(checkins: pd.DataFrame | Mapping[str, object], config: ModelConfig = DEFAULT_CONFIG):
    """Capacity 0-100 from check-in answers.

    Takes a DataFrame with the scale fields as columns (returns a Series aligned with
    it) or one check-in as a mapping (returns a float). Unanswered fields drop out of
    the average; a check-in with no scale answer at all scores NaN. Raises ValueError
    naming the row and field of an answer outside its scale.
    """
    single = not isinstance(checkins, pd.DataFrame)
    df = pd.DataFrame([dict(checkins)]) if single else checkins
    weights = _weights(config)
    oriented = np.full((len(df), len(CHECKIN.scale_fields)), np.nan)
    problems = []
    for j, f in enumerate(CHECKIN.scale_fields):
        if f.id not in df.columns:
            continue
        values = pd.to_numeric(df[f.id], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isnan(values) & ((values < f.min) | (values > f.max))
        bad |= df[f.id].notna().to_numpy() & np.isnan(values)
        problems += [f"row {r + 1}, field '{f.id}': {df[f.id].iloc[r]!r} is outside {f.min}-{f.max}"
                     for r in np.flatnonzero(bad)[:20]]
        scaled = (values - f.min) / (f.max - f.min)
        oriented[:, j] = scaled if f.direction == "up" else 1.0 - scaled
    if problems:
        raise ValueError("invalid check-in answers:\n" + "\n".join(problems))
    answered = ~np.isnan(oriented)
    w = answered * weights
    with np.errstate(invalid="ignore", divide="ignore"):
        score = 100.0 * np.where(answered, oriented, 0.0) @ weights / w.sum(axis=1)
    score = np.where(w.sum(axis=1) > 0, score, np.nan)
    if single:
        return float(score[0])
    return pd.Series(score, index=df.index, name="capacity_score")


def burnout_signal(burnout: pd.Series | float, config: ModelConfig = DEFAULT_CONFIG):
    """True where the single burnout item signals burnout symptoms (>= 3 by default)."""
    return burnout >= config.capacity.burnout_signal_level
