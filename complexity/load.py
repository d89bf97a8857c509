"""Weekly load, capacity and the therapist flags.

``weekly_load`` turns sessions (each with the complexity of its case) into one row per
therapist per ISO week. It is split in two so that a database can do the heavy part:
``session_weight`` gives each session its weight (a store sums these per week in SQL),
and ``load_from_totals`` turns weekly totals into capacity, ``load_index`` and a
traffic-light status. ``therapist_flags`` reads those rows, and the check-ins, and
raises the flags of ``complexity.flags`` with the numbers behind each.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

import numpy as np
import pandas as pd

from .calendar import iso_week_label, monday_of
from .config import DEFAULT_CONFIG, ModelConfig
from .flags import Flag, sort_flags

LOAD_STATUSES: tuple[str, ...] = ("blue", "green", "amber", "red")
LOAD_COLUMNS: tuple[str, ...] = (
    "therapist_id", "week", "week_start", "sessions", "unscored_sessions", "load",
    "capacity", "load_index", "status", "model_versions",
)
MODEL_SEPARATOR = "|"  # model_versions: the versions that weighed the week's sessions, sorted


def week_start(dates) -> pd.Series | dt.date:
    """Monday of the ISO week of each date."""
    if isinstance(dates, (dt.date, dt.datetime, pd.Timestamp)):
        return monday_of(pd.Timestamp(dates))
    d = pd.to_datetime(pd.Series(dates)).dt.normalize()
    return d - pd.to_timedelta(d.dt.day_of_week, unit="D")


def session_weight(complexity, config: ModelConfig = DEFAULT_CONFIG):
    """A session's weight: ``1 + per_point * complexity``; unscored sessions weigh the
    reference weight (they neither inflate nor hide load)."""
    lc = config.load
    c = np.asarray(complexity, dtype=float)
    return np.where(np.isnan(c), lc.reference_weight, 1.0 + lc.session_weight_per_point * c)


def capacity_of(contracted_sessions, is_starting, config: ModelConfig = DEFAULT_CONFIG):
    """Weekly capacity in weighted sessions; starters get the protected factor."""
    lc = config.load
    factor = np.where(np.asarray(is_starting, dtype=bool), lc.starter_capacity_factor, 1.0)
    return np.asarray(contracted_sessions, dtype=float) * lc.reference_weight * factor


def load_status(load_index, config: ModelConfig = DEFAULT_CONFIG) -> np.ndarray:
    """Traffic light: blue below green_from, green, amber from capacity, red from red_from."""
    lc = config.load
    li = np.asarray(load_index, dtype=float)
    codes = (li >= lc.green_from).astype(np.int8) + (li >= lc.amber_from) + (li >= lc.red_from)
    return np.asarray(LOAD_STATUSES, dtype=object)[codes]


def weekly_totals(sessions: pd.DataFrame, config: ModelConfig = DEFAULT_CONFIG) -> pd.DataFrame:
    """Sum sessions per therapist per ISO week: ``sessions``, ``unscored_sessions``, ``load``.

    ``sessions`` needs ``therapist_id``, ``session_date`` and ``complexity`` (the case's
    complexity when the session took place; NaN when the case is not scored), and may
    have ``model_version`` (the model that gave that complexity): ``model_versions``
    lists the versions of the week's scored sessions, sorted, joined by ``|``.
    """
    if sessions.empty:
        return pd.DataFrame(
            {"therapist_id": pd.Series(dtype=object), "week_start": pd.Series(dtype="datetime64[ns]"),
             "sessions": pd.Series(dtype=int), "unscored_sessions": pd.Series(dtype=int),
             "load": pd.Series(dtype=float), "model_versions": pd.Series(dtype=object)}
        )
    frame = pd.DataFrame(
        {
            "therapist_id": sessions["therapist_id"].to_numpy(),
            "week_start": week_start(sessions["session_date"]).to_numpy(),
            "weight": session_weight(sessions["complexity"], config),
            "unscored": np.isnan(sessions["complexity"].to_numpy(dtype=float, na_value=np.nan)),
        }
    )
    versions = sessions["model_version"] if "model_version" in sessions else pd.Series(None, index=sessions.index)
    frame["model_version"] = np.where(frame["unscored"], None, versions.to_numpy(dtype=object))
    grouped = frame.groupby(["therapist_id", "week_start"], sort=True)
    return grouped.agg(
        sessions=("weight", "size"), unscored_sessions=("unscored", "sum"), load=("weight", "sum"),
        model_versions=("model_version", join_versions),
    ).reset_index()


def join_versions(versions: Iterable) -> str:
    """The distinct model versions among ``versions`` (None and NaN left out), sorted,
    as one ``model_versions`` cell."""
    return MODEL_SEPARATOR.join(sorted({str(v) for v in versions if isinstance(v, str) and v}))


def split_versions(cells: Iterable) -> tuple[str, ...]:
    """Every model version named in ``model_versions`` cells, sorted."""
    return tuple(sorted({v for cell in cells if isinstance(cell, str) for v in cell.split(MODEL_SEPARATOR) if v}))


def load_from_totals(
    totals: pd.DataFrame,
    therapists: pd.DataFrame,
    config: ModelConfig = DEFAULT_CONFIG,
    *,
    weeks: Iterable | None = None,
) -> pd.DataFrame:
    """Capacity, ``load_index`` and status from weekly totals.

    ``therapists`` needs ``therapist_id``, ``contracted_sessions`` and ``is_starting``.
    Every therapist gets a row for every week in ``weeks`` (Mondays; default: every
    week from the first to the last week in ``totals``), zero where no sessions.
    """
    if weeks is None:
        if totals.empty:
            weeks = []
        else:
            first, last = pd.Timestamp(totals["week_start"].min()), pd.Timestamp(totals["week_start"].max())
            weeks = pd.date_range(first, last, freq="7D")
    weeks = pd.DatetimeIndex([pd.Timestamp(w) for w in weeks])
    grid = pd.MultiIndex.from_product(
        [therapists["therapist_id"].to_numpy(), weeks], names=["therapist_id", "week_start"]
    )
    t = totals.assign(week_start=pd.to_datetime(totals["week_start"])).set_index(["therapist_id", "week_start"])
    t = t.reindex(grid)
    out = t.reset_index()
    for col in ("sessions", "unscored_sessions"):
        out[col] = out[col].fillna(0).astype(int)
    out["load"] = out["load"].fillna(0.0).astype(float)
    versions = out["model_versions"] if "model_versions" in out else pd.Series("", index=out.index)
    out["model_versions"] = versions.where(versions.notna(), "").astype(object)
    info = therapists.set_index("therapist_id")
    contracted = info["contracted_sessions"].reindex(out["therapist_id"]).to_numpy(dtype=float)
    starting = info["is_starting"].reindex(out["therapist_id"]).to_numpy(dtype=bool)
    out["capacity"] = capacity_of(contracted, starting, config)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["load_index"] = np.where(out["capacity"] > 0, out["load"] / out["capacity"], np.nan)
    out["status"] = load_status(out["load_index"], config)
    out["week"] = [iso_week_label(w) for w in out["week_start"]] if len(out) else []
    out["week_start"] = out["week_start"].dt.date
    return out[list(LOAD_COLUMNS)]


def weekly_load(
    sessions: pd.DataFrame,
    therapists: pd.DataFrame,
    config: ModelConfig = DEFAULT_CONFIG,
    *,
    weeks: Iterable | None = None,
) -> pd.DataFrame:
    """Per therapist per ISO week: sessions, complexity-weighted load, capacity,
    ``load_index`` (1.0 = at capacity) and the traffic-light ``status``."""
    return load_from_totals(weekly_totals(sessions, config), therapists, config, weeks=weeks)


def therapist_flags(
    load: pd.DataFrame,
    checkins: pd.DataFrame | None = None,
    config: ModelConfig = DEFAULT_CONFIG,
    *,
    as_of=None,
) -> list[Flag]:
    """Flags for each therapist in the week ``as_of`` (a date in it; default the last
    week in ``load``).

    ``load`` is the output of :func:`weekly_load`. ``checkins`` (optional) has
    ``therapist_id``, ``week_start`` (or ``checkin_date``), ``capacity_score`` and
    ``burnout``. Raises: load over capacity (amber/red), load rising ``rising_weeks``
    weeks in a row, the balance flag (load high while capacity is low; private to the
    therapist) and missed check-ins (private).
    """
    if load.empty:
        return []
    lc = config.load
    li = load.pivot(index="therapist_id", columns="week_start", values="load_index").sort_index(axis=1)
    li.columns = pd.to_datetime(li.columns)
    current = pd.Timestamp(week_start(as_of) if as_of is not None else li.columns.max())
    li = li.loc[:, li.columns <= current]
    if current not in li.columns:
        return []
    flags: list[Flag] = []
    week = iso_week_label(current)
    cur = li[current]
    keyed = load.assign(week_start=pd.to_datetime(load["week_start"])).set_index(["therapist_id", "week_start"])

    for tid, value in cur.items():
        if np.isnan(value) or value < lc.amber_from:
            continue
        row = keyed.loc[(tid, current)]
        flags.append(
            Flag(
                "load_over_capacity",
                "red" if value >= lc.red_from else "amber",
                {"load_index": round(float(value), 2), "load": round(float(row["load"]), 1),
                 "capacity": round(float(row["capacity"]), 1)},
                subject=tid, week=week,
            )
        )

    k = lc.rising_weeks
    if li.shape[1] > k:
        rises = (li.diff(axis=1).iloc[:, -k:] > 0).all(axis=1)
        for tid in rises[rises & (cur >= lc.rising_min_load_index)].index:
            flags.append(
                Flag("load_rising", "amber", {"weeks": k, "load_index": round(float(cur[tid]), 2)},
                     subject=tid, week=week)
            )

    if checkins is not None:
        flags += _checkin_flags(li, cur, current, checkins, config, week)
    return sort_flags(flags)


def _checkin_flags(li, cur, current, checkins, config, week) -> list[Flag]:
    cc = config.capacity
    ck = checkins.copy()
    if "week_start" not in ck.columns:
        ck["week_start"] = week_start(ck["checkin_date"])
    ck["week_start"] = pd.to_datetime(ck["week_start"])
    ck = ck.sort_values("week_start").drop_duplicates(["therapist_id", "week_start"], keep="last")
    by_week = ck.set_index(["therapist_id", "week_start"])
    flags: list[Flag] = []
    previous = current - pd.Timedelta(days=7)
    for tid, value in cur.items():
        # Balance: this week's check-in, or last week's while this week's is still open.
        row = None
        for w in (current, previous):
            if (tid, w) in by_week.index:
                row = by_week.loc[(tid, w)]
                break
        if row is not None and not np.isnan(value) and value >= cc.balance_load_index:
            low = row["capacity_score"] < cc.low_capacity
            burnout = "burnout" in row and not pd.isna(row["burnout"]) and row["burnout"] >= cc.burnout_signal_level
            if low or burnout:
                flags.append(
                    Flag("balance", "red" if (low and burnout) else "amber",
                         {"load_index": round(float(value), 2),
                          "capacity_score": round(float(row["capacity_score"]), 0)},
                         subject=tid, week=week)
                )
        # Missed check-ins: completed weeks (before the current one) in a row, counted back
        # over the weeks the therapist worked (had sessions): a week off needs no check-in.
        active = [w for w in li.columns if w < current and li.loc[tid, w] > 0]  # weeks with sessions
        missed = 0
        for w in reversed(active):
            if (tid, w) in by_week.index:
                break
            missed += 1
        if missed >= cc.missed_checkin_weeks:
            flags.append(Flag("missed_checkins", "info", {"weeks": missed}, subject=tid, week=week))
    return flags
