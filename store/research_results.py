"""The research analyses (the Analyses page): items and domains, reliability, structure,
case profiles and calibration, on the ratings of one instrument version
(``store.research_analyses``), each returned as tables ready to show and download, with
small cells hidden. Pure functions (no database); the statistics are
``complexity.psychometrics``, ``complexity.reliability_moments``,
``complexity.structure``, ``complexity.profiles`` and ``complexity.calibration``.

**One version at a time.** Items are never pooled across instrument versions: each
analysis takes the ratings made with one version and that version's items
(``version_items``). **One row per case** for items, reliability, structure and
profiles: each case's latest rating in the weeks (a case rated three times would
otherwise weigh three times); calibration uses every rating with a burden, as
``docs/calibration.md`` does.

**Disclosure control** (``store.disclosure``): an aggregate a researcher sees may not
rest on fewer than ``MIN_CELL`` (5) participants. A version rated by fewer is refused
altogether (:class:`~store.research_analyses.TooFewParticipants`); within a table, a
cell whose cases come from fewer than five participants is hidden (NaN), with
:func:`~store.disclosure.small_cells`' secondary suppression where the cells of a row add
up to a shown total (an item's shares, a domain's score bins, the bands x clusters
table); a statistic over a group of cases (a domain's reliability, a cluster's profile)
is hidden when the group's cases come from fewer than five participants. ``hidden``
counts what was hidden.

**Bounded cost.** Bootstrap replicates are fixed (``N_BOOT`` for reliability, by
therapists' moments so that a replicate costs the same for 1,000 or 100,000 cases);
k-means chooses k on a sample (``complexity.profiles``); calibration is fitted on a
random sample of at most ``CALIBRATION_THERAPISTS`` therapists with at most
``CALIBRATION_RATINGS_EACH`` rated cases each, with ``CALIBRATION_BOOT`` replicates.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from complexity import BANDS, DEFAULT_CONFIG, DOMAINS, INSTRUMENT
from complexity.profiles import case_profiles
from complexity.psychometrics import PsychometricsError, alpha_if_dropped, item_distributions, item_rest_correlations
from complexity.reliability_moments import reliability_table_by_moments
from complexity.structure import domain_correlations, domain_recovery, efa, parallel_analysis

from .disclosure import MIN_CELL, small_cells
from .research_analyses import AnalysisData, TooFewParticipants, VersionItems, domain_scores, version_items

ANALYSES = ("items", "reliability", "structure", "profiles", "calibration")  # as the page offers them
N_BOOT = 200
PARALLEL_DRAWS = 100
PROFILE_KS = range(2, 9)
CALIBRATION_THERAPISTS = 40
CALIBRATION_RATINGS_EACH = 15
CALIBRATION_BOOT = 30
LEVELS = (0, 1, 2, 3)
BIN_EDGES = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
BINS = ("0-0.5", "0.5-1", "1-1.5", "1.5-2", "2-2.5", "2.5-3", "unscored")
ROTATIONS = ("promax", "varimax", "quartimax")


@dataclass(frozen=True)
class Basis:
    """What an analysis ran on: the instrument version (``defined``: its definition is
    kept), the model versions that scored its ratings, how many ratings of the version
    the weeks hold, the cases (one row each) and participants, the weeks."""

    instrument_version: str
    model_versions: tuple[str, ...]
    ratings: int
    cases: int
    participants: int
    first_week: str
    last_week: str
    defined: bool


@dataclass(frozen=True)
class Cases:
    items: pd.DataFrame  # a row per case (its latest rating), the version's items
    participant: pd.Series
    band: pd.Series
    layout: VersionItems
    basis: Basis


def cases_of(data: AnalysisData, version: str) -> Cases:
    """The latest rating of each case rated with ``version``; refused below ``MIN_CELL``
    participants."""
    rows = data.ratings[data.ratings["instrument_version"] == version]
    participants = int(rows["participant"].nunique())
    if participants < MIN_CELL:
        raise TooFewParticipants(participants, MIN_CELL)
    latest = rows.drop_duplicates("case", keep="last").set_index("case")
    layout = version_items(version, rows)
    models = tuple(sorted(str(v) for v in rows["model_version"].dropna().unique()))
    basis = Basis(version, models, len(rows), len(latest), participants, data.first_week, data.last_week,
                  layout.defined)
    band = pd.Categorical(latest["band"], categories=list(BANDS))
    return Cases(latest[list(layout.items)], latest["participant"], pd.Series(band, index=latest.index, name="band"),
                 layout, basis)


def _participants(keys: np.ndarray, participant: np.ndarray, n_keys: int) -> np.ndarray:
    """How many distinct participants each key 0..n_keys-1 has."""
    pairs = np.unique(keys.astype(np.int64) * (int(participant.max()) + 1) + participant)
    return np.bincount(pairs // (int(participant.max()) + 1), minlength=n_keys)


def _hide_rows(counts: pd.DataFrame) -> pd.DataFrame:
    """small_cells row by row: each row's cells add up to a total shown beside them."""
    return pd.DataFrame([small_cells(counts.loc[i]) for i in counts.index], index=counts.index)


def _enough(participant: pd.Series) -> bool:
    return participant.nunique() >= MIN_CELL


# --- items and domains -----------------------------------------------------------------------

@dataclass(frozen=True)
class ItemsResult:
    """``items``: per item its ``domain``, the share of the cases at each level
    (``share_0`` ..) and unrated, ``n_rated``, ``floor`` and ``ceiling``; ``domains``: per
    domain the share of cases per score bin (:data:`BINS`) and ``n_cases``;
    ``correlations`` of the domain scores (None: too few cases); hidden cells NaN."""

    items: pd.DataFrame
    domains: pd.DataFrame
    correlations: pd.DataFrame | None
    hidden: int
    basis: Basis


def items_and_domains(data: AnalysisData, version: str) -> ItemsResult:
    cases = cases_of(data, version)
    table = item_distributions(cases.items, LEVELS)
    who = cases.participant.to_numpy()
    counts = {}
    for item in cases.items.columns:
        values = cases.items[item].to_numpy()
        keys = np.where(np.isnan(values), len(LEVELS), np.nan_to_num(values)).astype(int)
        counts[item] = _participants(keys, who, len(LEVELS) + 1)
    share_columns = [f"share_{level}" for level in LEVELS] + ["share_unrated"]
    hide = _hide_rows(pd.DataFrame.from_dict(counts, orient="index", columns=share_columns))
    table[share_columns] = table[share_columns].mask(hide)
    table["floor"] = table["floor"].astype(object).mask(hide["share_0"])
    table["ceiling"] = table["ceiling"].astype(object).mask(hide["share_3"])
    table.insert(0, "domain", [cases.layout.domain_of()[i] for i in table.index])
    table.index.name = "item"

    scores = domain_scores(cases.items, cases.layout)
    codes = np.digitize(scores.to_numpy(), BIN_EDGES[1:-1])  # 0..5; NaN -> 6
    codes = np.where(np.isnan(scores.to_numpy()), len(BINS) - 1, codes)
    shares, hidden_bins = {}, {}
    for j, domain in enumerate(scores.columns):
        n = np.bincount(codes[:, j], minlength=len(BINS))
        shares[domain] = n / len(scores)
        hidden_bins[domain] = _participants(codes[:, j], who, len(BINS))
    hide_bins = _hide_rows(pd.DataFrame.from_dict(hidden_bins, orient="index", columns=list(BINS)))
    domains = pd.DataFrame.from_dict(shares, orient="index", columns=list(BINS)).mask(hide_bins)
    domains["n_cases"] = len(scores)
    domains.index.name = "domain"

    complete = scores.dropna(how="any").index
    correlations = None
    if _enough(cases.participant.loc[complete]):
        try:
            correlations = domain_correlations(scores)
        except PsychometricsError:
            correlations = None
    return ItemsResult(table, domains, correlations, int(hide.to_numpy().sum() + hide_bins.to_numpy().sum()),
                       cases.basis)


# --- reliability -----------------------------------------------------------------------------

@dataclass(frozen=True)
class ReliabilityResult:
    """``domains``: per domain ``n_cases``, ``k_items``, ``alpha`` and ``omega`` with
    their 95 % cluster-bootstrap bounds, ``heywood``, ``constant_items`` and ``problem``
    (a ``PsychometricsError`` code, or ``small_cell``); ``items``: per item its
    ``domain``, ``item_rest_r`` and ``alpha_if_dropped``."""

    domains: pd.DataFrame
    items: pd.DataFrame
    n_boot: int
    hidden: int
    basis: Basis


def reliability(data: AnalysisData, version: str, *, n_boot: int | None = None, seed: int = 0) -> ReliabilityResult:
    """Alpha and omega per domain with ``n_boot`` (default ``N_BOOT``) replicates."""
    n_boot = N_BOOT if n_boot is None else n_boot
    cases = cases_of(data, version)
    by_domain = {d: cases.items[list(ids)] for d, ids in cases.layout.domains.items()}
    domains = reliability_table_by_moments(by_domain, cases.participant, n_boot=n_boot, seed=seed)
    domains["constant_items"] = [" ".join(c) for c in domains["constant_items"]]
    statistics = ["alpha", "alpha_low", "alpha_high", "omega", "omega_low", "omega_high"]
    rows, hidden = [], 0
    for domain, items in by_domain.items():
        complete = items.dropna(how="any").index
        if not _enough(cases.participant.loc[complete]):
            domains.loc[domain, statistics] = np.nan
            domains.loc[domain, "problem"] = "small_cell"
            hidden += 1
            rest = dropped = pd.Series(np.nan, index=items.columns)
        else:
            try:
                rest, dropped = item_rest_correlations(items), alpha_if_dropped(items)
            except PsychometricsError:
                rest = dropped = pd.Series(np.nan, index=items.columns)
        rows.append(pd.DataFrame({"domain": domain, "item_rest_r": rest, "alpha_if_dropped": dropped}))
    table = pd.concat(rows)
    table.index.name, domains.index.name = "item", "domain"
    return ReliabilityResult(domains, table, n_boot, hidden, cases.basis)


# --- structure -------------------------------------------------------------------------------

@dataclass(frozen=True)
class StructureResult:
    """``eigenvalues``: per dimension the ``observed`` eigenvalue and the ``random`` one
    of parallel analysis (``suggested`` factors); ``loadings``: per item its ``domain``,
    a column per factor, ``communality``, ``primary_factor``, ``recovered`` and
    ``cross_loading``; ``recovery``: per domain ``factor``, ``n_items``,
    ``share_on_factor`` and ``mean_loading``; ``share_recovered``."""

    eigenvalues: pd.DataFrame
    suggested: int
    loadings: pd.DataFrame
    recovery: pd.DataFrame
    share_recovered: float
    factor_correlations: pd.DataFrame
    n_factors: int
    rotation: str
    n_cases: int
    n_dropped: int
    constant_items: tuple[str, ...]
    heywood: bool
    converged: bool
    basis: Basis


def structure(data: AnalysisData, version: str, *, n_factors: int | None = None,
              rotation: str = "promax") -> StructureResult:
    """EFA of the version's items with ``n_factors`` factors (default: one per domain)."""
    cases = cases_of(data, version)
    n_factors = len(cases.layout.domains) if n_factors is None else int(n_factors)
    complete = cases.items.dropna(how="any").index
    if not _enough(cases.participant.loc[complete]):
        raise TooFewParticipants(int(cases.participant.loc[complete].nunique()), MIN_CELL)
    eigen, suggested = parallel_analysis(cases.items, n_draws=PARALLEL_DRAWS)
    solution = efa(cases.items, n_factors, rotation)
    recovery = domain_recovery(solution.loadings, cases.layout.domain_of())
    loadings = solution.loadings.copy()
    loadings.insert(0, "domain", [cases.layout.domain_of()[i] for i in loadings.index])
    loadings["communality"] = solution.communalities
    for column in ("primary_factor", "recovered", "cross_loading"):
        loadings[column] = recovery.items[column].reindex(loadings.index)
    return StructureResult(eigen, suggested, loadings, recovery.domains, recovery.share_recovered,
                           solution.factor_correlations, n_factors, rotation, solution.n_cases, solution.n_dropped,
                           solution.constant_items, solution.heywood, solution.converged, cases.basis)


# --- case profiles ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ProfilesResult:
    """``profiles``: per cluster (1 lightest) the mean of each domain score and
    ``n_cases``; ``criterion``: the silhouette per k; ``bands``: cases per band (rows)
    and cluster (columns); ``strength`` and ``cramers_v`` as ``complexity.profiles``."""

    profiles: pd.DataFrame
    criterion: pd.Series
    bands: pd.DataFrame
    k: int
    strength: str
    cramers_v: float | None
    n_cases: int
    n_dropped: int
    hidden: int
    basis: Basis


def profiles(data: AnalysisData, version: str, *, seed: int = 0) -> ProfilesResult:
    """k-means profiles of the cases' domain scores (call with threads limited, see
    ``complexity.profiles``)."""
    cases = cases_of(data, version)
    scores = domain_scores(cases.items, cases.layout)
    result = case_profiles(scores, PROFILE_KS, bands=cases.band, random_state=seed)
    who = cases.participant.loc[result.labels.index]
    small = who.groupby(result.labels).nunique().reindex(result.profiles.index, fill_value=0) < MIN_CELL
    table = result.profiles.astype(float)
    table.loc[small[small].index] = np.nan
    band = cases.band.loc[result.labels.index]
    per_cell = pd.crosstab(band, result.labels, values=who, aggfunc="nunique", dropna=False).fillna(0)
    per_cell = per_cell.reindex(index=list(BANDS), columns=result.profiles.index, fill_value=0)
    hide = small_cells(per_cell)
    bands = result.bands.reindex(index=list(BANDS), columns=result.profiles.index, fill_value=0).astype(float)
    bands = bands.mask(hide.to_numpy())
    bands.index.name, bands.columns.name = "band", "cluster"
    return ProfilesResult(table, result.criterion, bands, result.k, result.strength, result.cramers_v,
                          result.n_cases, result.n_dropped, int(small.sum() + hide.to_numpy().sum()), cases.basis)


# --- calibration -----------------------------------------------------------------------------

@dataclass(frozen=True)
class CalibrationResult:
    """Per parameter (rows: ``weight_<domain>``, ``interaction_scale``, ``intercept``,
    ``slope``) the ``expert`` value (the configuration's weights with mean 1, scale 1;
    none for the linear map) and the learned ``estimate`` with its cluster-bootstrap
    ``low`` and ``high``; the sample it was fitted on and the expert model's version."""

    table: pd.DataFrame
    n_ratings: int
    n_therapists: int
    left_out: dict[str, int]
    sampled: bool
    n_boot: int
    few_therapists: bool
    expert_model_version: str
    basis: Basis


def calibration_sample(rows: pd.DataFrame, seed: int = 0) -> tuple[pd.DataFrame, bool]:
    """At most ``CALIBRATION_THERAPISTS`` participants (at random, among those with a
    burden rating, if any) and of each at most ``CALIBRATION_RATINGS_EACH`` ratings (at
    random, those with a burden first): what is left without a burden, calibration counts
    as left out. The flag says whether anything usable was left out of the sample."""
    rng = np.random.default_rng(seed)
    burden = rows["burden"].notna()
    who = np.sort((rows.loc[burden] if burden.any() else rows)["participant"].unique())
    chosen = np.sort(rng.choice(who, CALIBRATION_THERAPISTS, replace=False)) if len(who) > CALIBRATION_THERAPISTS \
        else who
    picked = rows[rows["participant"].isin(chosen)]
    shuffled = picked.iloc[rng.permutation(len(picked))]
    shuffled = shuffled.iloc[np.argsort(shuffled["burden"].isna().to_numpy(), kind="stable")]
    sample = shuffled.groupby("participant", sort=False).head(CALIBRATION_RATINGS_EACH).sort_index()
    return sample, int(sample["burden"].notna().sum()) < int(burden.sum())


def calibration(data: AnalysisData, version: str, *, n_boot: int | None = None, seed: int = 0) -> CalibrationResult:
    """Expert weights against weights learned from the burden ratings, ``n_boot``
    (default ``CALIBRATION_BOOT``) replicates (raises
    ``complexity.calibration.TooLittleData`` when too few cases or therapists)."""
    n_boot = CALIBRATION_BOOT if n_boot is None else n_boot
    from complexity.calibration import ComplexityCalibrator, bootstrap_intervals  # SciPy and scikit-learn: on use

    cases = cases_of(data, version)  # the same refusal below MIN_CELL participants
    rows = data.ratings[data.ratings["instrument_version"] == version]
    sample, sampled = calibration_sample(rows, seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = bootstrap_intervals(sample[list(INSTRUMENT.item_ids)], sample["burden"], sample["participant"],
                                     estimator=ComplexityCalibrator(n_starts=1), n_boot=n_boot, random_state=seed)
    weights = DEFAULT_CONFIG.scoring.domain_weights
    mean = np.mean([weights[d] for d in DOMAINS])
    expert = {f"weight_{d}": weights[d] / mean for d in DOMAINS} | {"interaction_scale": 1.0}
    table = result.intervals.copy()
    table.insert(0, "expert", [expert.get(p, np.nan) for p in table.index])
    few = any(issubclass(w.category, UserWarning) and "therapists" in str(w.message) for w in caught)
    return CalibrationResult(table, result.n_cases, result.n_therapists, dict(result.left_out), sampled, n_boot, few,
                             DEFAULT_CONFIG.model_version, cases.basis)


__all__ = [
    "ANALYSES", "BINS", "Basis", "CALIBRATION_BOOT", "CALIBRATION_RATINGS_EACH", "CALIBRATION_THERAPISTS",
    "CalibrationResult", "Cases", "ItemsResult", "LEVELS", "N_BOOT", "PROFILE_KS", "ProfilesResult", "ROTATIONS",
    "ReliabilityResult", "StructureResult", "calibration", "calibration_sample", "cases_of", "items_and_domains",
    "profiles", "reliability", "structure",
]
