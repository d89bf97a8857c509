"""Disclosure control for research data: k-anonymity over the quasi-identifiers, and
small cells in aggregate tables. Pure pandas and NumPy (no database), so that the rules
can be tested on generated practices; ``store.research`` applies them to every research
table before a researcher sees it. The threat model is in ``docs/data.md``.

**Quasi-identifiers** are what someone else may know about a named therapist: a
supervisor sees weekly sessions and load index next to names, the team's size and the
consult-now alerts (rating dates); a colleague or an admin may know someone's experience
and contracted sessions. Each is a :class:`Dimension` with levels from exact to
withheld:

==================== ==========================================================
``experience``       as is; withheld
``contracted_sessions`` exact; bands of 5, 10, 20 (``16-20``); withheld
``team_size``        exact; bands of 5, 10, 25; withheld
``load_period``      the weekly load's time resolution: weeks; periods of 4, 13
                     weeks; the whole range (means per period)
``sessions``         mean sessions a week per period, bands of 1, 2, 5, 10; withheld
``load_index``       mean load index per period, bands of 0.01, 0.05, 0.1, 0.25, 0.5;
                     withheld
``rating_period``    the ratings' time resolution: weeks; periods of 4, 13 weeks; the
                     whole range
``consult_now``      the rating periods with a rating at or above the safety level
                     (what a supervisor's consult-now alert shows, with its date);
                     withheld (the ``safety_concern`` item left empty)
==================== ==========================================================

A participant's **signature** is everything the export shows of them on these: their
row of the therapists table, every period of their weekly load and the periods of their
consult-now ratings. Even with ``safety_concern`` withheld, a consult-now alert says
that its therapist rated a case that week: a participant with consult-now ratings is
also **at risk** unless at least ``k`` participants of the same signature have ratings
in each of those periods (coarser rating periods help here). :func:`k_anonymise`
chooses one level per dimension for everyone
(full-domain generalisation, greedy as Datafly, Sweeney 2002): while more participants
share their signature with fewer than ``k - 1`` others than the suppression limit
allows, it coarsens one dimension by one level: the one that leaves the fewest
participants at risk; on a tie the one with the most distinct values, then the first
in :data:`DIMENSIONS` (time before values, experience last). The participants still at
risk then have every quasi-identifier withheld (suppressed); when that is fewer than
``k``, more are withheld (at random, from the largest groups) so that the withheld
participants form a group of at least ``k`` too, which passes the same checks. Every
signature the export offers is then shared by at least ``k`` participants; with fewer
than ``k`` participants every quasi-identifier is withheld. (Left open: when fewer than
``k`` participants rated any case in the weeks, a consult-now alert can still narrow the
candidates to those who did.)

**Small cells** (:func:`small_cells`): an aggregate table hides a cell counting fewer
than :data:`MIN_CELL` participants (not zero), and then, in any row or column left with
exactly one hidden cell, the smallest other cell too (secondary suppression: otherwise
the hidden one follows from the total).

The module is longer than most: the quasi-identifiers as arrays, the search for the
levels and the exported values are one algorithm and read best together.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

DEFAULT_K = 5
MIN_CELL = 5  # aggregate cells: fewer participants than this are hidden
DEFAULT_SUPPRESSION_LIMIT = 0.05  # share of participants that may be suppressed instead of coarsening further
DEFAULT_SAFETY_LEVEL = 2  # a rating's safety_concern from which a supervisor is alerted (consult now)
ALL = 0  # a period level: the whole range as one period


@dataclass(frozen=True)
class Dimension:
    """A quasi-identifier and its levels, finest first; ``None`` withholds it. Widths
    for values, weeks per period for periods (:data:`ALL`: the whole range)."""

    name: str
    kind: str  # "category", "count", "value", "period", "flag"
    levels: tuple
    weight: float = 1.0  # what withholding it altogether costs research, against the others

    @property
    def top(self) -> int:
        return len(self.levels) - 1


# In the order ties are broken: coarsen time before values, and experience last.
DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("load_period", "period", (1, 4, 13, ALL), 1.0),
    Dimension("rating_period", "period", (1, 4, 13, ALL), 1.0),
    Dimension("team_size", "count", (1, 5, 10, 25, None), 0.5),
    Dimension("load_index", "value", (0.01, 0.05, 0.1, 0.25, 0.5, None), 2.0),
    Dimension("sessions", "value", (1, 2, 5, 10, None), 1.0),
    Dimension("contracted_sessions", "count", (1, 5, 10, 20, None), 1.5),
    Dimension("consult_now", "flag", (1, None), 0.5),
    Dimension("experience", "category", (1, None), 4.0),
)
DIMENSION = {d.name: d for d in DIMENSIONS}
PEOPLE_COLUMNS = ("experience", "contracted_sessions", "team_size")
LOAD_COLUMNS = ("sessions", "load_index")


@dataclass(frozen=True)
class DisclosureReport:
    """What disclosure control did to one export: the settings, the level chosen per
    dimension (``levels``: name -> level, ``None`` withheld, :data:`ALL` the whole
    range) and per exported column how many values were generalised (shown coarser than
    exact) or suppressed (withheld)."""

    k: int
    suppression_limit: float
    participants: int
    suppressed: int  # participants whose every quasi-identifier was withheld
    levels: Mapping[str, object]
    counts: pd.DataFrame = field(repr=False)  # table, column, dimension, generalised, suppressed

    @property
    def generalised_values(self) -> int:
        return int(self.counts["generalised"].sum())

    @property
    def suppressed_values(self) -> int:
        return int(self.counts["suppressed"].sum())


@dataclass(frozen=True)
class Coarsened:
    """The exported quasi-identifiers. ``people`` (index: participant): ``experience``
    (None: withheld), ``contracted_sessions_low``/``_high`` and ``team_size_low``/
    ``_high`` (a band, both ends included; empty: withheld). ``load``: per participant
    and period ``first``, ``last`` (week positions), ``weeks``, ``sessions_low``/
    ``_high`` and ``load_index_low``/``_high`` (the period's mean lies in
    [low, high); empty: withheld). ``ratings`` (the index given): ``first``, ``last``
    (the period of the rating's week) and ``safety_concern`` (empty when withheld)."""

    people: pd.DataFrame
    load: pd.DataFrame
    ratings: pd.DataFrame
    report: DisclosureReport
    suppressed: pd.Index = field(default_factory=lambda: pd.Index([]))  # participants with everything withheld


# --- the quasi-identifiers as arrays ---------------------------------------------------------

@dataclass
class _Data:
    n: int
    weeks: int
    experience: np.ndarray  # category codes, -1 missing
    categories: list
    contracted: np.ndarray  # float, NaN missing
    team_size: np.ndarray
    sessions: np.ndarray  # n x weeks, NaN missing
    load_index: np.ndarray
    flagged: np.ndarray  # n x weeks, bool: a rating at or above the safety level that week
    rated: np.ndarray  # n x weeks, bool: any rating that week


def _matrix(frame: pd.DataFrame, column: str, keys: pd.Index, weeks: int) -> np.ndarray:
    out = np.full((len(keys), weeks), np.nan)
    if len(frame):
        rows = keys.get_indexer(frame["participant"])
        ok = (rows >= 0) & (frame["week"].to_numpy() >= 0) & (frame["week"].to_numpy() < weeks)
        out[rows[ok], frame["week"].to_numpy()[ok].astype(int)] = frame[column].to_numpy(dtype=float)[ok]
    return out


def _data(people: pd.DataFrame, load: pd.DataFrame, ratings: pd.DataFrame, weeks: int, safety_level: int) -> _Data:
    keys = people.index
    categories = sorted({v for v in people["experience"] if isinstance(v, str)})
    experience = np.array([categories.index(v) if isinstance(v, str) else -1 for v in people["experience"]], dtype=int)
    safety = ratings["safety_concern"].to_numpy(dtype=float, na_value=np.nan)
    flagged, rated = (np.zeros((len(keys), weeks), dtype=bool) for _ in range(2))
    rows = keys.get_indexer(ratings["participant"]) if len(ratings) else np.zeros(0, dtype=int)
    w = ratings["week"].to_numpy().astype(int)
    ok = (rows >= 0) & (w >= 0) & (w < weeks)
    rated[rows[ok], w[ok]] = True
    risky = ok & (safety >= safety_level)
    flagged[rows[risky], w[risky]] = True
    return _Data(len(keys), weeks, experience, categories,
                 people["contracted_sessions"].to_numpy(dtype=float, na_value=np.nan),
                 people["team_size"].to_numpy(dtype=float, na_value=np.nan),
                 _matrix(load, "sessions", keys, weeks), _matrix(load, "load_index", keys, weeks), flagged, rated)


def period_starts(weeks: int, period: int) -> np.ndarray:
    """The first week position of each period (``period`` weeks each, :data:`ALL`: one)."""
    return np.arange(0, weeks, weeks if period == ALL else period)


def _block_any(matrix: np.ndarray, starts: np.ndarray) -> np.ndarray:
    if matrix.shape[0] == 0:
        return np.zeros((0, len(starts)), dtype=bool)
    return np.add.reduceat(matrix.astype(np.int64), starts, axis=1) > 0


def _block_means(matrix: np.ndarray, starts: np.ndarray) -> np.ndarray:
    if matrix.shape[0] == 0:
        return np.zeros((0, len(starts)))
    valid = ~np.isnan(matrix)
    sums = np.add.reduceat(np.where(valid, matrix, 0.0), starts, axis=1)
    counts = np.add.reduceat(valid.astype(int), starts, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def _value_codes(values: np.ndarray, width: float) -> np.ndarray:
    """Band numbers (band ``c`` is [c x width, (c + 1) x width)); -1 for missing."""
    codes = np.floor(np.where(np.isnan(values), 0.0, values) / width + 1e-9)
    return np.where(np.isnan(values), -1, codes).astype(np.int64)


def _count_codes(values: np.ndarray, width: int) -> np.ndarray:
    """Band numbers of whole counts 1.. (band ``c`` is ``c*w+1 .. (c+1)*w``); 0 is its
    own band (-2, no team), missing -1."""
    safe = np.where(np.isnan(values), 1.0, values)
    codes = np.floor((safe - 1) / width).astype(np.int64)
    codes = np.where(safe < 1, -2, codes)
    return np.where(np.isnan(values), -1, codes)


class _Signatures:
    """The export's view of every participant at given levels, as integer columns."""

    def __init__(self, data: _Data) -> None:
        self.data = data
        self._means: dict[object, tuple[np.ndarray, np.ndarray]] = {}

    def means(self, period: int) -> tuple[np.ndarray, np.ndarray]:
        if period not in self._means:
            starts = period_starts(self.data.weeks, period)
            self._means[period] = (_block_means(self.data.sessions, starts), _block_means(self.data.load_index, starts))
        return self._means[period]

    def components(self, levels: Mapping[str, int]) -> dict[str, np.ndarray]:
        """Dimension name -> the columns it shapes (n x m; m may be 0)."""
        d = self.data
        level = {name: DIMENSION[name].levels[i] for name, i in levels.items()}
        empty = np.zeros((d.n, 0), dtype=np.int64)
        out = {"experience": d.experience[:, None] if level["experience"] is not None else empty}
        for name, values in (("contracted_sessions", d.contracted), ("team_size", d.team_size)):
            out[name] = _count_codes(values, level[name])[:, None] if level[name] is not None else empty
        mean_sessions, mean_index = self.means(level["load_period"])
        for name, values in (("sessions", mean_sessions), ("load_index", mean_index)):
            out[name] = _value_codes(values, level[name]) if level[name] is not None else empty
        out["load_period"] = np.hstack([out["sessions"], out["load_index"]])
        flagged = self.blocks(level["rating_period"])[0].astype(np.int64)
        out["consult_now"] = flagged if level["consult_now"] is not None else empty
        out["rating_period"] = flagged  # what a finer or coarser rating period changes
        return out

    def blocks(self, period: int) -> tuple[np.ndarray, np.ndarray]:
        """(flagged, rated) per rating period."""
        if ("rated", period) not in self._means:
            starts = period_starts(self.data.weeks, period)
            self._means[("rated", period)] = (_block_any(self.data.flagged, starts),
                                              _block_any(self.data.rated, starts))
        return self._means[("rated", period)]

    @staticmethod
    def groups(columns: list[np.ndarray], n: int) -> np.ndarray:
        """Each participant's group number (same columns, same group)."""
        matrix = np.hstack(columns) if columns else np.zeros((n, 0), dtype=np.int64)
        if matrix.shape[1] == 0 or n == 0:
            return np.zeros(n, dtype=np.int64)
        _, inverse = np.unique(matrix, axis=0, return_inverse=True)
        return inverse.reshape(-1)

    def distinct(self, columns: np.ndarray) -> int:
        if columns.shape[1] == 0 or columns.shape[0] == 0:
            return 1
        return len(np.unique(columns, axis=0))


SIGNATURE_PARTS = ("experience", "contracted_sessions", "team_size", "sessions", "load_index", "consult_now")


# --- choosing the levels ------------------------------------------------------------------------

def loss(levels: Mapping[str, int]) -> float:
    """What research loses at these levels: each dimension's weight times how far up its
    levels it is (the load's time resolution counts only while a load value is shown)."""
    shown = any(DIMENSION[d].levels[levels[d]] is not None for d in LOAD_COLUMNS)
    return sum(DIMENSION[name].weight * (i / DIMENSION[name].top if shown or name != "load_period" else 1.0)
               for name, i in levels.items())


def _pointed_at(groups: np.ndarray, flagged: np.ndarray, rated: np.ndarray, who: np.ndarray, k: int) -> np.ndarray:
    """Of the participants ``who``, those with consult-now ratings for whom fewer than
    ``k`` of their group rated a case in each of those periods (what the alerts' dates
    let an attacker narrow the group to)."""
    out = np.zeros(len(groups), dtype=bool)
    for p in np.flatnonzero(who & flagged.any(axis=1)):
        members = np.flatnonzero(groups == groups[p])
        out[p] = int(rated[np.ix_(members, flagged[p])].all(axis=1).sum()) < k
    return out


def choose(data: _Data, k: int, suppression_limit: float, rng: np.random.Generator) -> tuple[dict[str, int], np.ndarray]:
    """The level of every dimension and who is suppressed (see the module text)."""
    levels = {d.name: 0 for d in DIMENSIONS}
    if data.n == 0:
        return levels, np.zeros(0, dtype=bool)
    signatures = _Signatures(data)
    budget = math.floor(suppression_limit * data.n)
    priority = rng.permutation(data.n)  # who is suppressed first to make up a group of k
    seen: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    planned: dict[tuple, np.ndarray | None] = {}

    def key(levels: Mapping[str, int]) -> tuple:
        return tuple(levels[d.name] for d in DIMENSIONS)

    def level(levels: Mapping[str, int], name: str) -> object:
        return DIMENSION[name].levels[levels[name]]

    def state(levels: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(at risk, group of each participant, group sizes) before suppression."""
        if key(levels) not in seen:
            parts = signatures.components(levels)
            groups = signatures.groups([parts[p] for p in SIGNATURE_PARTS], data.n)
            sizes = np.bincount(groups)
            risky = sizes[groups] < k
            if level(levels, "consult_now") is None:
                flagged, rated = signatures.blocks(level(levels, "rating_period"))
                risky |= _pointed_at(groups, flagged, rated, ~risky, k)
            seen[key(levels)] = (risky, groups, sizes)
        return seen[key(levels)]

    def plan(levels: Mapping[str, int]) -> np.ndarray | None:
        """Who to suppress at these levels; None when that cannot protect everyone."""
        if key(levels) not in planned:
            planned[key(levels)] = _plan(levels, *state(levels))
        return planned[key(levels)]

    def _plan(levels, risky, groups, sizes) -> np.ndarray | None:
        count = int(risky.sum())
        if count == 0:
            return risky
        if max(count, k) > budget:
            return None
        suppressed = risky.copy()
        need = k - count
        for g in np.argsort(-sizes, kind="stable"):  # make up a group of k from the largest groups
            if need <= 0:
                break
            members = np.flatnonzero((groups == g) & ~suppressed)
            take = members[np.argsort(priority[members])][:max(len(members) - k, 0)][:need]
            suppressed[take] = True
            need -= len(take)
        if need > 0:
            return None
        final = np.where(suppressed, -1, groups)  # the withheld form a group of their own
        _, final = np.unique(final, return_inverse=True)
        final = final.reshape(-1)
        if (np.bincount(final)[final] < k).any():
            return None
        flagged, rated = signatures.blocks(level(levels, "rating_period"))
        exposed = suppressed if level(levels, "consult_now") is not None else np.ones(data.n, dtype=bool)
        return None if _pointed_at(final, flagged, rated, exposed, k).any() else suppressed

    while plan(levels) is None:  # up: one level of one dimension at a time
        parts = signatures.components(levels)
        open_ = [d for d in DIMENSIONS if levels[d.name] < d.top and signatures.distinct(parts[d.name]) > 1]
        if not open_:  # every distinguishing dimension is at its coarsest: nothing left to protect with
            return {d.name: d.top for d in DIMENSIONS}, np.ones(data.n, dtype=bool)
        now = int(state(levels)[0].sum())

        def cost(d: Dimension) -> tuple[float, int, int]:
            after = int(state({**levels, d.name: levels[d.name] + 1})[0].sum())
            return -(now - after) / (d.weight / d.top), -signatures.distinct(parts[d.name]), DIMENSIONS.index(d)

        levels[min(open_, key=cost).name] += 1
    levels = _improve(levels, lambda candidate: plan(candidate) is not None)
    if all(level(levels, d) is None for d in LOAD_COLUMNS):
        levels["load_period"] = DIMENSION["load_period"].top  # no values: one empty row, not one a week
    return levels, plan(levels)


def _improve(levels: dict[str, int], feasible) -> dict[str, int]:
    """Down again where it costs less: a dimension one level finer, alone or with another
    one or two levels coarser, while the result stays feasible and loses less."""
    while True:
        best, best_loss = None, loss(levels) - 1e-9
        for a in DIMENSIONS:
            if levels[a.name] == 0:
                continue
            for b, step in [(None, 0)] + [(d, s) for d in DIMENSIONS if d is not a for s in (1, 2)]:
                candidate = {**levels, a.name: levels[a.name] - 1}
                if b is not None:
                    if candidate[b.name] + step > b.top:
                        continue
                    candidate[b.name] += step
                if loss(candidate) < best_loss and feasible(candidate):
                    best, best_loss = candidate, loss(candidate)
        if best is None:
            return levels
        levels = best


# --- the exported values ---------------------------------------------------------------------------

def _count_band(values: np.ndarray, width: int | None, hidden: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    low = np.full(len(values), np.nan)
    high = np.full(len(values), np.nan)
    if width is None:
        return low, high
    codes = _count_codes(values, width)
    shown = ~hidden & (codes != -1)
    low[shown] = np.where(codes[shown] == -2, 0, codes[shown] * width + 1)
    high[shown] = np.where(codes[shown] == -2, 0, (codes[shown] + 1) * width)
    return low, high


def _value_band(values: np.ndarray, width: float | None, hidden: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    low = np.full(values.shape, np.nan)
    high = np.full(values.shape, np.nan)
    if width is None:
        return low, high
    codes = _value_codes(values, width)
    shown = ~hidden & (codes != -1)
    low[shown] = np.round(codes[shown] * width, 6)
    high[shown] = np.round((codes[shown] + 1) * width, 6)
    return low, high


def k_anonymise(
    people: pd.DataFrame,
    load: pd.DataFrame,
    ratings: pd.DataFrame,
    weeks: int,
    *,
    k: int = DEFAULT_K,
    suppression_limit: float = DEFAULT_SUPPRESSION_LIMIT,
    safety_level: int = DEFAULT_SAFETY_LEVEL,
    rng: np.random.Generator | None = None,
) -> Coarsened:
    """Coarsen the quasi-identifiers so that every signature the export offers is shared
    by at least ``k`` participants (see the module text).

    ``people``: one row per participant (the index), ``experience``,
    ``contracted_sessions``, ``team_size`` (0: no team). ``load``: ``participant``,
    ``week`` (position 0 .. ``weeks - 1``), ``sessions``, ``load_index``. ``ratings``:
    ``participant``, ``week`` (position), ``safety_concern`` (empty: not rated).
    ``rng`` picks the participants suppressed to make up a group of ``k`` (default:
    seeded from ``secrets``)."""
    if k < 1 or not 0 <= suppression_limit <= 1 or weeks < 1:
        raise ValueError("k must be at least 1, the suppression limit a share (0-1), weeks at least 1")
    rng = rng if rng is not None else np.random.default_rng(secrets.randbits(64))
    data = _data(people, load, ratings, weeks, safety_level)
    levels, suppressed = choose(data, k, suppression_limit, rng)
    level = {name: DIMENSION[name].levels[i] for name, i in levels.items()}
    counts = []

    def count(table: str, column: str, dimension: str, generalised: int, withheld: int) -> None:
        counts.append((table, column, dimension, int(generalised), int(withheld)))

    # therapists
    out = pd.DataFrame(index=people.index)
    known = data.experience >= 0
    show_experience = level["experience"] is not None
    out["experience"] = pd.Series([data.categories[c] if show_experience and not s and c >= 0 else None
                                   for c, s in zip(data.experience, suppressed)], index=people.index, dtype=object)
    count("therapists", "experience", "experience", 0, (known & (suppressed | (not show_experience))).sum())
    for name, values in (("contracted_sessions", data.contracted), ("team_size", data.team_size)):
        low, high = _count_band(values, level[name], suppressed)
        out[f"{name}_low"] = pd.array(low, dtype="Int64") if len(low) else pd.array([], dtype="Int64")
        out[f"{name}_high"] = pd.array(high, dtype="Int64") if len(high) else pd.array([], dtype="Int64")
        present = ~np.isnan(values)
        shown = present & ~np.isnan(low)
        count("therapists", name, name, shown.sum() if level[name] != 1 else 0, (present & np.isnan(low)).sum())

    # weekly load, per period
    period = level["load_period"]
    starts = period_starts(weeks, period)
    ends = np.append(starts[1:], weeks) - 1
    mean_sessions, mean_index = _Signatures(data).means(period)
    hidden = np.repeat(suppressed[:, None], len(starts), axis=1)
    frame = {
        "participant": np.repeat(people.index.to_numpy(), len(starts)),
        "first": np.tile(starts, data.n), "last": np.tile(ends, data.n),
        "weeks": np.tile(ends - starts + 1, data.n),
    }
    for name, values in (("sessions", mean_sessions), ("load_index", mean_index)):
        low, high = _value_band(values, level[name], hidden)
        frame[f"{name}_low"], frame[f"{name}_high"] = low.reshape(-1), high.reshape(-1)
        present = ~np.isnan(values)
        coarse = period != 1 or level[name] != DIMENSION[name].levels[0]
        count("weekly_load", name, name, (present & ~np.isnan(low)).sum() if coarse else 0,
              (present & np.isnan(low)).sum())
    load_out = pd.DataFrame(frame)

    # ratings: their period; safety_concern withheld where its weeks would point at a participant
    rating_period = level["rating_period"]
    rating_starts = period_starts(weeks, rating_period)
    rating_ends = np.append(rating_starts[1:], weeks) - 1
    week = np.clip(ratings["week"].to_numpy().astype(int), 0, weeks - 1)
    block = np.searchsorted(rating_starts, week, side="right") - 1
    rows = people.index.get_indexer(ratings["participant"]) if len(ratings) else np.zeros(0, dtype=int)
    if level["consult_now"] is None or data.n == 0:
        withheld = np.ones(len(ratings), dtype=bool)
    else:
        withheld = np.where(rows >= 0, suppressed[np.maximum(rows, 0)], True)
    safety = ratings["safety_concern"].to_numpy(dtype=float, na_value=np.nan)
    ratings_out = pd.DataFrame({"first": rating_starts[block], "last": rating_ends[block],
                                "safety_concern": np.where(withheld, np.nan, safety)}, index=ratings.index)
    count("ratings", "week", "rating_period", len(ratings) if rating_period != 1 else 0, 0)
    count("ratings", "safety_concern", "consult_now", 0, (withheld & ~np.isnan(safety)).sum())

    report = DisclosureReport(k, suppression_limit, data.n, int(suppressed.sum()), dict(level),
                              pd.DataFrame(counts, columns=["table", "column", "dimension", "generalised",
                                                            "suppressed"]))
    return Coarsened(out, load_out, ratings_out, report, people.index[suppressed])


# --- small cells ----------------------------------------------------------------------------------

def small_cells(counts: pd.DataFrame | pd.Series, minimum: int = MIN_CELL) -> pd.DataFrame | pd.Series:
    """Which cells of an aggregate table to hide (True), from the number of participants
    behind each cell: every cell counting 1 .. ``minimum - 1`` (primary), then, in every
    row and column with exactly one hidden cell, the smallest other non-zero cell
    (secondary; a zero cell if that is all there is), until no row or column has
    exactly one. A Series
    is one row. A row or column of one cell cannot be protected this way: hide its
    total instead."""
    single = isinstance(counts, pd.Series)
    frame = counts.to_frame().T if single else counts
    values = frame.to_numpy(dtype=float)
    hide = (values > 0) & (values < minimum)
    changed = True
    while changed:
        changed = False
        for axis_values, axis_hide in ((values, hide), (values.T, hide.T)):
            for line, line_hide in zip(axis_values, axis_hide):
                if line_hide.sum() == 1 and len(line) > 1:
                    others = np.where(line_hide | (line <= 0), np.inf, line)
                    if np.isinf(others).all():  # only zero cells left to hide beside it
                        others = np.where(line_hide, np.inf, line)
                    line_hide[int(np.argmin(others))] = True
                    changed = True
    mask = pd.DataFrame(hide, index=frame.index, columns=frame.columns)
    return mask.iloc[0] if single else mask


__all__ = [
    "ALL", "Coarsened", "DEFAULT_K", "DEFAULT_SAFETY_LEVEL", "DEFAULT_SUPPRESSION_LIMIT", "DIMENSION", "DIMENSIONS",
    "Dimension", "DisclosureReport", "MIN_CELL", "k_anonymise", "period_starts", "small_cells",
]
