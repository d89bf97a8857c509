"""Calibration: learn model 2.0's domain weights and interplay strength from the
therapists' own burden ratings ("How heavy does this case feel to you right now?", 0-10,
optional, stored with each rating). ``docs/calibration.md`` is the researcher's guide.

**Learned** by least squares on the usable cases (complete, with a burden): per-item
``domain_weights`` ``w`` (masses ``(n_k w_k)**r``, as in ``ScoringConfig``), an interaction
scale ``s`` multiplying every configured interplay strength (0: the additive model), and
``burden = intercept + slope * complexity`` (``slope >= 0``). The features are the model's
own (``score_arrays``: domain values ``u_k**r``, each case's interplay strength). The score
is homogeneous of degree 0 in the masses, so weights have mean 1 over the learned domains
(``k - 1`` free). The linear map is solved exactly for each ``(w, s)``; ``(w, s)`` by
L-BFGS-B with forward-difference gradients (the index runs through the piecewise-linear
``h``), ``w >= 0``, ``0 <= s <= max_interaction_scale`` (capped so every strength stays
below 1), from the configuration's own weights with ``s = 1`` and ``n_starts - 1`` random
starts (``random_state``); the best is kept.

**Patient domains only**: the therapist-impact items and the burden come from one person,
so those items count as not rated before anything is computed (not in the features, the
imputation or completeness: by default a case then needs all four patient domains) and
the domain's mass is 0, the same as dropping it (a zero mass adds nothing to index, shares
or pairs). ``to_config`` cannot write a 0 (weights are positive): it keeps the base's weight.

**Minimums** (rules of thumb, see the guide): ``MIN_CASES_PER_PARAMETER`` usable cases per
learned parameter and ``MIN_THERAPISTS`` therapists, else :class:`TooLittleData` (``fit``
checks therapists when given ``groups``; fold and replicate fits are not checked).

scikit-learn: the estimator API, but not ``parametrize_with_checks``, whose random numeric
arrays this estimator cannot take: it needs the instrument's item table and 120-140 cases.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import GroupKFold
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .config import DEFAULT_CONFIG, ModelConfig
from .instrument import BURDEN_MAX, INSTRUMENT
from .scoring import DOMAINS, combine, score_arrays
from .validation import CASE_ID, item_matrix

__all__ = ["BURDEN_MAX", "BootstrapResult", "ComplexityCalibrator", "CrossValidation", "FEW_CLUSTERS",
           "MIN_CASES_PER_PARAMETER", "MIN_THERAPISTS", "TooLittleData", "bootstrap_intervals",
           "compare_models"]

MIN_CASES_PER_PARAMETER = 20
MIN_THERAPISTS = 5
FEW_CLUSTERS = 20  # below this many therapists the cluster bootstrap tends to understate uncertainty
_IMPACT = DOMAINS.index("therapist_impact")
_IMPACT_ITEMS = [INSTRUMENT.scored_item_ids.index(i) for i in INSTRUMENT.domain("therapist_impact").item_ids]
_INTERPLAY = INSTRUMENT.extra_item_ids.index("interplay")
_SIZES = np.asarray(INSTRUMENT.domain_sizes, dtype=float)
_STEP = 1e-6  # forward-difference step
_PIN = 1e-2  # keeps the (irrelevant) overall scale of the raw weights near 1


class TooLittleData(ValueError):
    """Too few usable cases or therapists for the learned weights to mean anything."""

    def __init__(self, n_cases: int, n_therapists: int | None, min_cases: int, left_out: dict[str, int]) -> None:
        self.n_cases, self.n_therapists, self.min_cases = n_cases, n_therapists, min_cases
        self.min_therapists, self.left_out = MIN_THERAPISTS, dict(left_out)  # counts as attributes too
        from_whom = "" if n_therapists is None else f" from {n_therapists} therapists"
        super().__init__(
            f"calibration needs at least {min_cases} complete rated cases with a burden rating "
            f"({MIN_CASES_PER_PARAMETER} per learned parameter) from at least {MIN_THERAPISTS} therapists; "
            f"got {n_cases} cases{from_whom} (left out: {left_out['incomplete']} incomplete, "
            f"{left_out['no_burden']} without a burden)")


@dataclass(frozen=True)
class _Data:
    values: np.ndarray  # (n, 5) domain values of the usable cases
    strength: np.ndarray  # (n,) configured interplay strength
    y: np.ndarray  # (n,) burden
    groups: np.ndarray | None  # (n,) therapist
    rows: np.ndarray  # positions of the usable cases in the input
    left_out: dict[str, int]

    def take(self, idx: np.ndarray) -> "_Data":
        g = None if self.groups is None else self.groups[idx]
        return _Data(self.values[idx], self.strength[idx], self.y[idx], g, self.rows[idx], self.left_out)


def _features(X, config: ModelConfig, patient_only: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Domain values, interplay strength and completeness of every row of an item table."""
    if not isinstance(X, pd.DataFrame):
        raise TypeError("X must be a DataFrame with the instrument's item columns (NaN = not rated)")
    frame = X.drop(columns=[CASE_ID], errors="ignore").reset_index(drop=True)
    frame.insert(0, CASE_ID, np.arange(len(frame)))  # a case may be rated more than once
    scored, extras = item_matrix(frame)
    if patient_only:
        scored = scored.copy()
        scored[:, _IMPACT_ITEMS] = np.nan
    arrays = score_arrays(scored, config, extras[:, _INTERPLAY])
    return arrays.values, arrays.interplay_strength, arrays.complete


def _burden(y, n: int) -> np.ndarray:
    series = y if isinstance(y, pd.Series) else pd.Series(np.asarray(y, dtype=object).ravel())
    values = pd.to_numeric(series).to_numpy(dtype=float, na_value=np.nan)
    if len(values) != n:
        raise ValueError(f"y has {len(values)} burden ratings for {n} rows of X")
    bad = np.flatnonzero(~np.isnan(values) & ~((values >= 0) & (values <= BURDEN_MAX)))
    if len(bad):
        raise ValueError(f"burden must lie in 0-{BURDEN_MAX}: {values[bad[:5]].tolist()} in rows {bad[:5].tolist()}")
    return values


def _prepare(X, y, groups, est: "ComplexityCalibrator", n_parameters: int) -> _Data:
    """The usable cases (complete, with a burden); refuses below the minimums."""
    values, strength, complete = _features(X, est._config(), bool(est.patient_domains_only))
    burden = _burden(y, len(values))
    g = None
    if groups is not None:
        g = np.asarray(groups, dtype=object).ravel()
        if len(g) != len(values):
            raise ValueError(f"groups has {len(g)} therapists for {len(values)} rows of X")
        if pd.isna(g).any():
            raise ValueError("every rating needs its therapist in groups (found missing values)")
    use = np.flatnonzero(complete & ~np.isnan(burden))
    left_out = {"incomplete": int((~complete).sum()), "no_burden": int((complete & np.isnan(burden)).sum())}
    data = _Data(values[use], strength[use], burden[use], None if g is None else g[use], use, left_out)
    n_therapists = None if g is None else len(pd.unique(data.groups))
    min_cases = MIN_CASES_PER_PARAMETER * n_parameters
    if len(use) < min_cases or (n_therapists is not None and n_therapists < MIN_THERAPISTS):
        raise TooLittleData(len(use), n_therapists, min_cases, left_out)
    return data


def _complexity(data: _Data, weights: np.ndarray, scale: np.ndarray, config: ModelConfig) -> np.ndarray:
    """Complexity (q, n) for q parameter sets: per-item weights (q, 5), interaction scales (q,)."""
    q, n = len(weights), len(data.y)
    masses = (weights * _SIZES) ** config.scoring.domain_curvature
    contributions, interaction = combine(np.tile(data.values, (q, 1)), np.repeat(masses, n, axis=0),
                                         np.repeat(scale, n) * np.tile(data.strength, q), config)
    return (contributions.sum(axis=1) + interaction).reshape(q, n)


def _link(c: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares intercept and non-negative slope of y on each row of c (q, n)."""
    centred = c - c.mean(axis=1, keepdims=True)
    var = np.einsum("ij,ij->i", centred, centred)
    cov = np.maximum(centred @ (y - y.mean()), 0.0)
    slope = np.where(var > 1e-12, cov / np.where(var > 1e-12, var, 1.0), 0.0)
    return y.mean() - slope * c.mean(axis=1), slope


class ComplexityCalibrator(RegressorMixin, BaseEstimator):
    """``X``: item ratings as :func:`complexity.score_cases` takes them (NaN = not rated;
    ``case_id`` optional, ignored); ``y``: the burden 0-10 per row (NaN: left out). Learned:
    ``domain_weights_`` (per item, :data:`DOMAINS` order, mean 1 over the learned domains),
    ``interaction_scale_``, ``interplay_strengths_``, ``intercept_``, ``slope_`` (burden per
    complexity point), ``n_cases_``, ``left_out_``, ``loss_`` (residual / total variance),
    ``start_losses_`` (one per start), ``n_iter_``."""

    def __init__(self, config: ModelConfig | None = None, interaction: bool = True,
                 patient_domains_only: bool = False, max_interaction_scale: float = 3.0,
                 n_starts: int = 5, max_iter: int = 200, random_state=0) -> None:
        self.config = config
        self.interaction = interaction
        self.patient_domains_only = patient_domains_only
        self.max_interaction_scale = max_interaction_scale
        self.n_starts = n_starts
        self.max_iter = max_iter
        self.random_state = random_state

    @property
    def n_parameters(self) -> int:
        """Learned parameters: the free weights (one fewer than domains), the scale, the linear map."""
        return len(self._learned()) - 1 + bool(self.interaction) + 2

    def _config(self) -> ModelConfig:
        if self.config is not None and not isinstance(self.config, ModelConfig):
            raise TypeError(f"config must be a ModelConfig or None, got {type(self.config).__name__}")
        return DEFAULT_CONFIG if self.config is None else self.config

    def _learned(self) -> np.ndarray:
        return np.array([k for k in range(len(DOMAINS)) if not (self.patient_domains_only and k == _IMPACT)])

    def fit(self, X, y, groups=None) -> "ComplexityCalibrator":
        """Fit on the usable cases. ``groups`` (the therapist of each row; optional, not
        kept) lets fit check the therapist minimum too. Raises :class:`TooLittleData`."""
        return self._fit_data(_prepare(X, y, groups, self, self.n_parameters))

    def _unpack(self, thetas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        learned = self._learned()
        raw = np.clip(thetas[:, :len(learned)], 0.0, None)
        mean = raw.mean(axis=1, keepdims=True)
        weights = np.zeros((len(thetas), len(DOMAINS)))
        weights[:, learned] = raw / np.where(mean > 0, mean, 1.0)
        return weights, (thetas[:, -1] if self.interaction else np.zeros(len(thetas)))

    def _fit_data(self, data: _Data, warm: np.ndarray | None = None) -> "ComplexityCalibrator":
        for name in ("n_starts", "max_iter"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        config, k = self._config(), len(self._learned())
        top, s_max = config.scoring.interplay_strengths[-1], float(self.max_interaction_scale)
        if not (np.isfinite(s_max) and s_max > 0):
            raise ValueError(f"max_interaction_scale must be positive, got {self.max_interaction_scale!r}")
        s_max = min(s_max, (1.0 - 1e-6) / top) if top > 0 else s_max
        var = float(data.y.var()) or 1.0

        def losses(thetas: np.ndarray) -> np.ndarray:
            c = _complexity(data, *self._unpack(thetas), config)
            intercept, slope = _link(c, data.y)
            resid = data.y - intercept[:, None] - slope[:, None] * c
            return np.mean(resid ** 2, axis=1) / var + _PIN * (thetas[:, :k].mean(axis=1) - 1.0) ** 2

        def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
            f = losses(np.vstack([theta, theta + _STEP * np.eye(len(theta))]))
            return float(f[0]), (f[1:] - f[0]) / _STEP

        expert = np.array([config.scoring.domain_weights[DOMAINS[j]] for j in self._learned()])
        expert = np.r_[expert / expert.mean(), [min(1.0, s_max)][:bool(self.interaction)]]
        starts, rng = [expert] + ([] if warm is None else [warm]), check_random_state(self.random_state)
        for _ in range(self.n_starts - 1):
            raw = np.exp(rng.normal(0.0, 0.5, k))
            starts.append(np.r_[raw / raw.mean(), [rng.uniform(0.0, s_max)] if self.interaction else []])
        bounds = [(0.0, None)] * k + ([(0.0, s_max)] if self.interaction else [])
        results = [minimize(objective, theta0, jac=True, method="L-BFGS-B", bounds=bounds,
                            options={"maxiter": int(self.max_iter), "ftol": 1e-12, "gtol": 1e-7}) for theta0 in starts]
        best = min(results, key=lambda r: r.fun)
        if best.status == 1:
            warnings.warn(f"calibration did not converge in {self.max_iter} iterations", ConvergenceWarning,
                          stacklevel=3)
        weights, scale = self._unpack(best.x[None, :])
        intercept, slope = _link(_complexity(data, weights, scale, config), data.y)
        self.theta_, self.domain_weights_, self.interaction_scale_ = best.x, weights[0], float(scale[0])
        self.interplay_strengths_ = tuple(g * self.interaction_scale_ for g in config.scoring.interplay_strengths)
        self.intercept_, self.slope_ = float(intercept[0]), float(slope[0])
        self.n_cases_, self.left_out_ = len(data.y), dict(data.left_out)
        self.loss_, self.n_iter_, self.start_losses_ = float(best.fun), best.nit, np.array([r.fun for r in results])
        return self

    def _complexity_of(self, data: _Data) -> np.ndarray:
        return _complexity(data, self.domain_weights_[None, :], np.array([self.interaction_scale_]), self._config())[0]

    def predict_complexity(self, X) -> np.ndarray:
        """Complexity 0-100 under the learned weights and scale; NaN for incomplete cases."""
        check_is_fitted(self)
        values, strength, complete = _features(X, self._config(), self.patient_domains_only)
        data = _Data(values, strength, np.zeros(len(values)), None, np.arange(len(values)), {})
        return np.where(complete, self._complexity_of(data), np.nan)

    def predict(self, X) -> np.ndarray:
        """Predicted burden ``intercept_ + slope_ * complexity``; NaN for incomplete cases."""
        return self.predict_complexity(X) * self.slope_ + self.intercept_

    def score(self, X, y, sample_weight=None) -> float:
        """R^2 of the predicted burden over the rows that are complete and have a burden."""
        pred, burden = self.predict(X), _burden(y, len(X))
        keep = ~np.isnan(pred) & ~np.isnan(burden)
        weight = None if sample_weight is None else np.asarray(sample_weight, dtype=float)[keep]
        return float(r2_score(burden[keep], pred[keep], sample_weight=weight))

    def to_config(self, config: ModelConfig | None = None, *, min_weight: float = 1e-3) -> ModelConfig:
        """The learned weights and the interplay strengths times the learned scale, the rest
        from ``config`` (default: the fitted one; its other scoring settings must match). It
        scores as :meth:`predict_complexity`, except that a weight fitted to 0 becomes
        ``min_weight`` times the mean and, with ``patient_domains_only``, therapist_impact
        keeps ``config``'s weight (the patient domains scaled to ``config``'s mean for them)."""
        check_is_fitted(self)
        fitted = self._config()
        base = fitted if config is None else config
        if base.scoring.model_dump(exclude={"domain_weights"}) != fitted.scoring.model_dump(exclude={"domain_weights"}):
            raise ValueError("to_config needs the scoring settings (besides domain_weights) it was fitted with")
        weights = self.domain_weights_.copy()
        if self.patient_domains_only:
            given = np.array([base.scoring.domain_weights[d] for d in DOMAINS])
            weights = weights * np.delete(given, _IMPACT).mean()
            weights[_IMPACT] = given[_IMPACT]
        weights = np.maximum(weights, min_weight * weights.mean())
        data = base.model_dump()
        data["scoring"]["domain_weights"] = {d: float(w) for d, w in zip(DOMAINS, weights)}
        data["scoring"]["interplay_strengths"] = self.interplay_strengths_
        return ModelConfig.model_validate(data)

    def parameters(self) -> dict[str, float]:
        """The learned parameters by name: ``weight_<domain>``, ``interaction_scale``,
        ``intercept``, ``slope`` (fixed ones left out)."""
        check_is_fitted(self)
        out = {f"weight_{DOMAINS[j]}": float(self.domain_weights_[j]) for j in self._learned()}
        if self.interaction:
            out["interaction_scale"] = self.interaction_scale_
        return out | {"intercept": self.intercept_, "slope": self.slope_}


@dataclass(frozen=True)
class CrossValidation:
    """``folds``: per fold and model (``expert``, ``interaction``, ``additive``) the test
    ``r2``, ``mae`` and sizes; ``summary``: their means and SDs per model; ``splits``:
    (train, test) positions into the input rows. ``preferred``: ``"interaction"`` when its
    mean gain in test R^2 over ``additive`` exceeds twice its standard error over folds."""

    folds: pd.DataFrame
    summary: pd.DataFrame
    splits: tuple[tuple[np.ndarray, np.ndarray], ...]
    preferred: str
    n_cases: int
    n_therapists: int
    left_out: dict[str, int]


def compare_models(X, y, groups, *, estimator: ComplexityCalibrator | None = None,
                   n_splits: int = 5) -> CrossValidation:
    """Expert, learned and learned-additive models on the same ``GroupKFold(n_splits)``
    folds by therapist (``groups``): a therapist's ratings are never in both train and
    test. The learned models are ``estimator`` (default ``ComplexityCalibrator()``) with
    ``interaction`` True and False; the expert model is the configuration as is (with
    ``patient_domains_only``: on the patient domains), only its linear map learned."""
    template = ComplexityCalibrator() if estimator is None else estimator
    if groups is None:
        raise ValueError("compare_models needs groups: the therapist of every rating")
    data = _prepare(X, y, groups, template, clone(template).set_params(interaction=True).n_parameters)
    n_therapists = len(pd.unique(data.groups))
    if n_therapists < n_splits:
        raise ValueError(f"n_splits={n_splits} needs at least as many therapists; got {n_therapists}")
    config = template._config()
    expert = np.array([[config.scoring.domain_weights[d] for d in DOMAINS]])
    if template.patient_domains_only:
        expert[0, _IMPACT] = 0.0
    expert_c = _complexity(data, expert, np.ones(1), config)[0]
    rows, splits = [], []
    for fold, (train, test) in enumerate(GroupKFold(n_splits=n_splits).split(data.y, data.y, data.groups)):
        splits.append((data.rows[train], data.rows[test]))
        intercept, slope = _link(expert_c[None, train], data.y[train])
        preds = {"expert": (intercept[0] + slope[0] * expert_c[test], 1.0)}
        for name, flag in (("interaction", True), ("additive", False)):
            est = clone(template).set_params(interaction=flag)._fit_data(data.take(train))
            preds[name] = (est.intercept_ + est.slope_ * est._complexity_of(data.take(test)), est.interaction_scale_)
        rows += [{"fold": fold, "model": name, "n_train": len(train), "n_test": len(test),
                  "therapists_test": len(pd.unique(data.groups[test])), "r2": r2_score(data.y[test], pred),
                  "mae": mean_absolute_error(data.y[test], pred), "interaction_scale": scale}
                 for name, (pred, scale) in preds.items()]
    folds = pd.DataFrame(rows)
    by = folds.groupby("model", sort=False)
    summary = pd.DataFrame({"r2_mean": by["r2"].mean(), "r2_sd": by["r2"].std(ddof=1),
                            "mae_mean": by["mae"].mean(), "mae_sd": by["mae"].std(ddof=1)})
    r2 = folds.pivot(index="fold", columns="model", values="r2")
    gain = (r2["interaction"] - r2["additive"]).to_numpy()
    preferred = "interaction" if gain.mean() > max(0.0, 2 * gain.std(ddof=1) / np.sqrt(len(gain))) else "additive"
    return CrossValidation(folds, summary, tuple(splits), preferred, len(data.y), n_therapists, data.left_out)


@dataclass(frozen=True)
class BootstrapResult:
    """``estimator`` fitted on all usable cases; ``draws``: a row per replicate, a column per
    learned parameter; ``intervals``: per parameter ``estimate``, ``low``, ``high``."""

    estimator: ComplexityCalibrator
    draws: pd.DataFrame
    intervals: pd.DataFrame
    level: float
    n_cases: int
    n_therapists: int
    left_out: dict[str, int]


def bootstrap_intervals(X, y, groups, *, estimator: ComplexityCalibrator | None = None, n_boot: int = 200,
                        level: float = 0.95, random_state=0) -> BootstrapResult:
    """Cluster bootstrap over therapists: each replicate draws as many therapists as there
    are, with replacement, takes all their usable ratings, and refits from the estimator's
    starts plus the full-data estimate (a replicate can have another best local minimum)."""
    if not 0 < level < 1 or isinstance(n_boot, bool) or not isinstance(n_boot, numbers.Integral) or n_boot < 2:
        raise ValueError(f"level must lie between 0 and 1 and n_boot be an integer >= 2; got {level!r}, {n_boot!r}")
    if groups is None:
        raise ValueError("bootstrap_intervals needs groups: the therapist of every rating")
    template = ComplexityCalibrator() if estimator is None else estimator
    data = _prepare(X, y, groups, template, template.n_parameters)
    full = clone(template)._fit_data(data)
    therapists = pd.unique(data.groups)
    if len(therapists) < FEW_CLUSTERS:
        warnings.warn(f"only {len(therapists)} therapists: cluster bootstrap intervals from fewer than {FEW_CLUSTERS} "
                      "tend to be too narrow", UserWarning, stacklevel=2)
    members = [np.flatnonzero(data.groups == t) for t in therapists]
    rng = check_random_state(random_state)
    draws = []
    for _ in range(n_boot):
        idx = np.concatenate([members[i] for i in rng.randint(len(therapists), size=len(therapists))])
        draws.append(clone(template)._fit_data(data.take(idx), warm=full.theta_).parameters())
    draws = pd.DataFrame(draws)
    low, high = np.quantile(draws.to_numpy(), [(1 - level) / 2, (1 + level) / 2], axis=0)
    intervals = pd.DataFrame({"estimate": pd.Series(full.parameters()), "low": low, "high": high},
                             index=pd.Index(draws.columns, name="parameter"))
    return BootstrapResult(full, draws, intervals, level, len(data.y), len(therapists), data.left_out)
