"""Calibration: learn domain weights and interaction strength from therapists' burden ratings.

The expert model (``complexity.scoring``) fixes the domain weights and the interaction
strength by argument. Calibration asks the data instead: given cases' domain scores and
the burden the treating therapist reported for each case (any numeric scale, e.g. 0-10),
which non-negative domain weights and which interaction strength make the model's
complexity track that burden best?

Model
-----
For a case with domain scores ``X[i, k]`` (0..``max_score``), ``x = X / max_score`` and
non-negative domain masses ``m_k`` (normalised so that they average 1)::

    complexity(x; m, g) = sum(contributions) + interaction      # complexity.scoring.combine
    y_hat               = intercept + scale * complexity / 100

``combine`` is the one definition of the functional form, shared with scoring; it is
linear in ``g``: ``complexity / 100 = (1 - g) A + g I`` with ``A`` the weighted mean of
``x`` and ``I`` the weighted mean of the pairwise products ``x_j x_k`` (see
``complexity.scoring``). Both parts are homogeneous of degree 0 in ``m``: multiplying all
masses by a constant does not change the score. That is why the masses are normalised
(``m / sum(m) * n_features``) inside the objective and reported with mean 1.

Fit: ``y`` is standardised (``(y - mean) / sd``) and the objective::

    mean((y_std - y_hat_std) ** 2) + alpha * mean_k((w_k - 1) ** 2)

(``w`` = the normalised masses) is minimised by L-BFGS-B with an analytic gradient,
under the bounds ``m_k >= 0``, ``0 <= g <= max_interaction``, ``scale >= 0`` (more
complexity never means less burden) and a free intercept. The start is equal masses,
``g = min(0.35, max_interaction)`` (the expert default) and the intercept and scale of a
least-squares line of ``y`` on that starting model's complexity. The fit is deterministic;
there is no ``random_state``.

Parameters of :class:`ComplexityCalibrator`
-------------------------------------------
``max_score`` (3.0)
    the top of the domain-score scale; ``x = X / max_score``. Values above it are not
    rejected (the form extrapolates), negative values are.
``max_interaction`` (0.95)
    upper bound for the learned interaction strength, in ``[0, 1)``; at 1 the additive part
    would vanish and a case with one raised domain would score 0.
``alpha`` (0.0)
    optional ridge penalty pulling the normalised weights towards equal (1.0). It is
    relative to the variance of ``y`` (the data term is the MSE of the standardised
    ratings), so ``alpha = 0.1`` costs as much as 10 % unexplained variance per unit of
    mean squared weight deviation. 0 = plain least squares.
``max_iter`` (500), ``tol`` (1e-8)
    L-BFGS-B's iteration limit and its ``ftol``/``gtol``; hitting the limit warns with
    :class:`sklearn.exceptions.ConvergenceWarning`.

Learned attributes: ``domain_weights_`` (normalised masses, mean 1; comparable with the
expert's ``domain_masses(config)`` normalised the same way), ``interaction_strength_``,
``intercept_``, ``scale_`` (burden units per 100 complexity points), ``n_features_in_``,
``feature_names_in_`` (only when fit on a DataFrame with string column names) and
``n_iter_``. :meth:`ComplexityCalibrator.to_config` turns the learned weights into a
:class:`complexity.config.ModelConfig` (per-point weights = masses / items per domain).

scikit-learn conventions
------------------------
The estimator passes ``sklearn.utils.estimator_checks.parametrize_with_checks`` with no
excluded checks. Tags: ``input_tags.positive_only`` (negative domain scores raise
``ValueError("Negative values in data passed to ...")``), ``allow_nan`` False (NaN and inf
raise), and ``regressor_tags.poor_score``: the model is monotone non-decreasing in every
feature and bounded, so it cannot follow a target that falls with a feature and promises
no minimum R^2 on arbitrary data (see the comment in ``__sklearn_tags__``). ``RegressorMixin``
comes before ``BaseEstimator`` in the bases, as ``check_mixin_order`` requires.

:func:`compare_weights` compares the expert weights with learned ones under K-fold
cross-validation. Everything here is pure computation: no files, no printing.
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
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import KFold
from sklearn.utils import check_X_y
from sklearn.utils.validation import check_is_fitted, check_non_negative, validate_data

from .config import DEFAULT_CONFIG, ModelConfig
from .instrument import INSTRUMENT, MAX_LEVEL
from .scoring import DOMAINS, combine, domain_masses

__all__ = ["ComplexityCalibrator", "WeightComparison", "compare_weights"]

_SIZES = np.asarray(INSTRUMENT.domain_sizes, dtype=float)
_TINY = 1e-12
_GAMMA_START = 0.35


def _parts(x: np.ndarray, masses: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Additive part ``A`` and interaction part ``I`` (each (n,), 0..1 for x in [0, 1]).

    ``combine`` is linear in gamma, so ``complexity / 100 == (1 - g) * A + g * I``.
    """
    contributions, _ = combine(x, masses, 0.0)
    _, interaction = combine(x, masses, 1.0)
    return contributions.sum(axis=1) / 100.0, interaction / 100.0


def _normalise(raw: np.ndarray) -> tuple[np.ndarray, float]:
    """Masses scaled to mean 1 and the raw total; all-zero masses fall back to equal."""
    total = float(raw.sum())
    if total <= _TINY:
        return np.ones_like(raw), total
    return raw * (raw.size / total), total


def _objective(
    theta: np.ndarray, x: np.ndarray, y: np.ndarray, alpha: float
) -> tuple[float, np.ndarray]:
    """Penalised mean squared error and its gradient in ``theta = (masses, g, scale, b)``."""
    n, p = x.shape
    m, total = _normalise(theta[:p])
    g, s, b = theta[p], theta[p + 1], theta[p + 2]
    a_part, i_part = _parts(x, m)
    c = (1.0 - g) * a_part + g * i_part
    r = b + s * c - y
    dev = m - 1.0
    loss = float(r @ r) / n + alpha * float(dev @ dev) / p

    grad = np.empty_like(theta)
    grad[p + 2] = 2.0 * r.sum() / n
    grad[p + 1] = 2.0 * (r @ c) / n
    grad[p] = 2.0 * s * (r @ (i_part - a_part)) / n
    if total <= _TINY:  # unreachable in practice: the loss is flat along the mass ray
        grad[:p] = 0.0
        return loss, grad
    # d/dm of A and I (masses at their normalised values, sum m = p).
    m1 = float(p)
    m2 = (m1 * m1 - float(m @ m)) * 0.5
    sy = x @ m
    d_a = (x - a_part[:, None]) / m1
    if m2 > 0:
        d_i = ((sy[:, None] - x * m) * x - i_part[:, None] * (m1 - m)) / m2
    else:
        d_i = np.zeros_like(x)
    g_m = 2.0 * s * (r @ ((1.0 - g) * d_a + g * d_i)) / n + 2.0 * alpha * dev / p
    # Chain rule through m = raw * p / sum(raw).
    grad[:p] = (p / total) * (g_m - (g_m @ m) / p)
    return loss, grad


def _check_params(est: "ComplexityCalibrator") -> None:
    def real(name: str, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
            raise ValueError(f"{name} must be a finite real number, got {value!r}")
        return float(value)

    if real("max_score", est.max_score) <= 0:
        raise ValueError(f"max_score must be > 0, got {est.max_score!r}")
    if not 0.0 <= real("max_interaction", est.max_interaction) < 1.0:
        raise ValueError(f"max_interaction must be in [0, 1), got {est.max_interaction!r}")
    if real("alpha", est.alpha) < 0:
        raise ValueError(f"alpha must be >= 0, got {est.alpha!r}")
    if real("tol", est.tol) <= 0:
        raise ValueError(f"tol must be > 0, got {est.tol!r}")
    if (
        isinstance(est.max_iter, bool)
        or not isinstance(est.max_iter, numbers.Integral)
        or est.max_iter < 1
    ):
        raise ValueError(f"max_iter must be an integer >= 1, got {est.max_iter!r}")


class ComplexityCalibrator(RegressorMixin, BaseEstimator):
    """Learn non-negative domain weights and the interaction strength from burden ratings.

    ``X``: domain scores (n_samples, n_features) on the 0..``max_score`` scale, a
    DataFrame (e.g. with the columns :data:`complexity.scoring.DOMAINS`) or an array.
    ``y``: the therapists' burden ratings, any numeric scale. Predicts
    ``intercept_ + scale_ * complexity / 100``. See the module docstring for the model,
    the objective and the parameters.

    Attributes
    ----------
    domain_weights_ : ndarray (n_features,)
        Learned domain masses, non-negative, normalised to mean 1.
    interaction_strength_ : float
        Learned interaction strength, in ``[0, max_interaction]``.
    intercept_, scale_ : float
        Affine link from complexity / 100 to the rating scale; ``scale_ >= 0``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str, only when fit on a DataFrame with string columns.
    n_iter_ : int
        L-BFGS-B iterations.
    """

    def __init__(
        self,
        max_score: float = 3.0,
        max_interaction: float = 0.95,
        alpha: float = 0.0,
        max_iter: int = 500,
        tol: float = 1e-8,
    ) -> None:
        self.max_score = max_score
        self.max_interaction = max_interaction
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Domain scores are 0..max_score; a negative score is a data error.
        tags.input_tags.positive_only = True
        tags.input_tags.allow_nan = False
        # The weights and the scale are constrained non-negative, so the prediction is
        # monotone non-decreasing in every feature and bounded (complexity 0..100). A
        # generic regression target may fall with a feature, which such a model cannot
        # follow by design, so no minimum R^2 on arbitrary data is promised. (On the
        # current check data, whose one informative feature happens to act positively,
        # it reaches R^2 ~0.8; that is luck of the sign, not a property of the model.)
        tags.regressor_tags.poor_score = True
        return tags

    def fit(self, X, y) -> "ComplexityCalibrator":
        """Fit the weights, interaction strength, intercept and scale by least squares."""
        _check_params(self)
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        check_non_negative(X, f"{type(self).__name__}.fit")
        y = np.asarray(y, dtype=np.float64)
        x = X / float(self.max_score)
        n, p = x.shape

        y_mean = float(y.mean())
        y_sd = float(y.std())
        if not y_sd > _TINY * max(1.0, abs(y_mean)):
            y_sd = 1.0
        y_std = (y - y_mean) / y_sd

        gamma0 = min(_GAMMA_START, float(self.max_interaction))
        masses0 = np.ones(p)
        a0, i0 = _parts(x, masses0)
        c0 = (1.0 - gamma0) * a0 + gamma0 * i0
        c_var = float(c0.var())
        scale0 = max(float(np.mean((c0 - c0.mean()) * y_std)) / c_var, 0.0) if c_var > _TINY else 0.0
        intercept0 = float(y_std.mean()) - scale0 * float(c0.mean())
        theta0 = np.concatenate([masses0, [gamma0, scale0, intercept0]])
        bounds = [(0.0, None)] * p + [(0.0, float(self.max_interaction)), (0.0, None), (None, None)]

        result = minimize(
            _objective,
            theta0,
            args=(x, y_std, float(self.alpha)),
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": int(self.max_iter), "ftol": float(self.tol), "gtol": float(self.tol)},
        )
        if result.status == 1:
            warnings.warn(
                f"{type(self).__name__} did not converge in max_iter={self.max_iter} "
                "iterations; increase max_iter or tol.",
                ConvergenceWarning,
                stacklevel=2,
            )
        theta = result.x
        self.domain_weights_ = _normalise(np.clip(theta[:p], 0.0, None))[0]
        self.interaction_strength_ = float(np.clip(theta[p], 0.0, self.max_interaction))
        self.scale_ = float(max(theta[p + 1], 0.0)) * y_sd
        self.intercept_ = y_mean + float(theta[p + 2]) * y_sd
        self.n_iter_ = int(result.nit)
        return self

    def _validated(self, X, method: str) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        check_non_negative(X, f"{type(self).__name__}.{method}")
        return X / float(self.max_score)

    def predict_complexity(self, X) -> np.ndarray:
        """Complexity (0-100 for scores within 0..max_score) under the learned model."""
        x = self._validated(X, "predict_complexity")
        contributions, interaction = combine(x, self.domain_weights_, self.interaction_strength_)
        return contributions.sum(axis=1) + interaction

    def predict(self, X) -> np.ndarray:
        """Predicted burden: ``intercept_ + scale_ * complexity / 100``."""
        x = self._validated(X, "predict")
        contributions, interaction = combine(x, self.domain_weights_, self.interaction_strength_)
        return self.intercept_ + self.scale_ * (contributions.sum(axis=1) + interaction) / 100.0

    def to_config(self, base_config: ModelConfig = DEFAULT_CONFIG, *, min_weight: float = 1e-3) -> ModelConfig:
        """The learned weights and interaction strength as a :class:`ModelConfig`.

        Needs five features that are the instrument's domains: a DataFrame fit maps them
        by column name (any order), an array fit is taken in :data:`DOMAINS` order. The
        per-point weight of a domain is its mass divided by its number of items, rescaled
        to mean 1. The configuration requires positive weights, so a weight the fit drove
        to 0 becomes ``min_weight`` (relative to the mean) before the rescaling. The
        interaction strength is clipped into the configuration's range ``[0, 1)``.
        Everything else is copied from ``base_config``.
        """
        check_is_fitted(self)
        if self.n_features_in_ != len(DOMAINS):
            raise ValueError(
                f"to_config needs the {len(DOMAINS)} instrument domains as features, "
                f"the calibrator was fit on {self.n_features_in_}"
            )
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            order = np.arange(len(DOMAINS))
        else:
            if sorted(map(str, names)) != sorted(DOMAINS):
                raise ValueError(
                    f"to_config needs the features {list(DOMAINS)}, the calibrator was fit on "
                    f"{list(names)}"
                )
            order = np.array([list(names).index(d) for d in DOMAINS])
        if not 0 < min_weight < 1:
            raise ValueError(f"min_weight must be in (0, 1), got {min_weight!r}")
        per_point = self.domain_weights_[order] / _SIZES
        per_point = per_point / per_point.mean()
        per_point = np.maximum(per_point, min_weight)
        per_point = per_point / per_point.mean()
        gamma = float(np.clip(self.interaction_strength_, 0.0, np.nextafter(1.0, 0.0)))
        data = base_config.model_dump()
        data["scoring"] = {
            **data["scoring"],
            "domain_weights": {d: float(w) for d, w in zip(DOMAINS, per_point)},
            "interaction_strength": gamma,
        }
        return ModelConfig.model_validate(data)


@dataclass(frozen=True)
class WeightComparison:
    """Cross-validated comparison of the expert model with the learned calibrator.

    ``folds``: one row per fold and model (``"expert"``, ``"learned"``) with ``fold``,
    ``model``, ``n_train``, ``n_test``, test ``r2`` and ``mae``, ``interaction_strength``
    and one column per domain holding the model's domain masses normalised to mean 1.

    ``summary``: one row per model (index ``model``): ``r2_mean``, ``r2_sd``,
    ``mae_mean``, ``mae_sd``, ``interaction_mean``, ``interaction_sd``, ``n_folds``.

    ``weights``: one row per domain: ``expert`` and ``learned_mean``/``learned_sd`` (domain
    masses, mean 1, the scale of ``domain_weights_``), and ``expert_per_point`` and
    ``learned_per_point_mean``/``learned_per_point_sd`` (per-item-point weights, mean 1,
    the scale of ``ScoringConfig.domain_weights``). SDs are over folds, ``ddof=1``.
    """

    folds: pd.DataFrame
    summary: pd.DataFrame
    weights: pd.DataFrame


def _domain_matrix(X, y) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(X, pd.DataFrame):
        columns = [str(c) for c in X.columns]
        if sorted(columns) != sorted(DOMAINS):
            raise ValueError(f"X must have exactly the domain columns {list(DOMAINS)}, got {columns}")
        X = X.set_axis(columns, axis=1)[list(DOMAINS)]
    X, y = check_X_y(X, y, dtype=np.float64, y_numeric=True)
    if X.shape[1] != len(DOMAINS):
        raise ValueError(
            f"X must have {len(DOMAINS)} columns, the domains {list(DOMAINS)}; got {X.shape[1]}"
        )
    check_non_negative(X, "compare_weights")
    return X, np.asarray(y, dtype=np.float64)


def compare_weights(
    X,
    y,
    *,
    expert_config: ModelConfig = DEFAULT_CONFIG,
    cv=5,
    random_state=0,
    calibrator: ComplexityCalibrator | None = None,
) -> WeightComparison:
    """Expert weights against learned weights under K-fold cross-validation.

    ``X``: domain scores 0-3, a DataFrame with the columns :data:`DOMAINS` (any order) or
    an array with five columns in that order; ``y``: burden ratings. ``cv``: the number of
    folds (``KFold(cv, shuffle=True, random_state=random_state)``) or a scikit-learn
    splitter (``split`` and ``get_n_splits``). The expert model keeps ``expert_config``'s weights and interaction
    strength and fits only the affine link (``LinearRegression`` of ``y`` on complexity /
    100) on each training fold; the learned model is ``calibrator`` (default
    ``ComplexityCalibrator(max_score=3)``), cloned and fit on each training fold. Both are
    scored on the held-out fold.
    """
    X, y = _domain_matrix(X, y)
    splitter = (
        KFold(n_splits=cv, shuffle=True, random_state=random_state)
        if isinstance(cv, numbers.Integral) and not isinstance(cv, bool)
        else cv
    )
    if isinstance(splitter, str) or not (
        hasattr(splitter, "split") and hasattr(splitter, "get_n_splits")
    ):
        raise ValueError(f"cv must be an int or a scikit-learn splitter, got {cv!r}")
    template = calibrator if calibrator is not None else ComplexityCalibrator(max_score=float(MAX_LEVEL))

    expert_masses = domain_masses(expert_config)
    expert_gamma = float(expert_config.scoring.interaction_strength)
    contributions, interaction = combine(X / float(MAX_LEVEL), expert_masses, expert_gamma)
    expert_c = ((contributions.sum(axis=1) + interaction) / 100.0)[:, None]
    expert_w = expert_masses / expert_masses.mean()

    rows = []
    for fold, (train, test) in enumerate(splitter.split(X, y)):
        link = LinearRegression().fit(expert_c[train], y[train])
        learned = clone(template).fit(X[train], y[train])
        for model, pred, w, g in (
            ("expert", link.predict(expert_c[test]), expert_w, expert_gamma),
            ("learned", learned.predict(X[test]), learned.domain_weights_, learned.interaction_strength_),
        ):
            row = {
                "fold": fold,
                "model": model,
                "n_train": len(train),
                "n_test": len(test),
                "r2": r2_score(y[test], pred),
                "mae": mean_absolute_error(y[test], pred),
                "interaction_strength": float(g),
            }
            row.update({d: float(wk) for d, wk in zip(DOMAINS, w)})
            rows.append(row)
    folds = pd.DataFrame(rows)

    grouped = folds.groupby("model", sort=True)
    summary = pd.DataFrame(
        {
            "r2_mean": grouped["r2"].mean(),
            "r2_sd": grouped["r2"].std(ddof=1),
            "mae_mean": grouped["mae"].mean(),
            "mae_sd": grouped["mae"].std(ddof=1),
            "interaction_mean": grouped["interaction_strength"].mean(),
            "interaction_sd": grouped["interaction_strength"].std(ddof=1),
            "n_folds": grouped.size(),
        }
    )

    learned_w = folds.loc[folds["model"] == "learned", list(DOMAINS)].to_numpy()
    per_point = learned_w / _SIZES
    per_point = per_point / per_point.mean(axis=1, keepdims=True)
    expert_pp = expert_masses / _SIZES
    weights = pd.DataFrame(
        {
            "expert": expert_w,
            "learned_mean": learned_w.mean(axis=0),
            "learned_sd": learned_w.std(axis=0, ddof=1) if len(learned_w) > 1 else np.nan,
            "expert_per_point": expert_pp / expert_pp.mean(),
            "learned_per_point_mean": per_point.mean(axis=0),
            "learned_per_point_sd": per_point.std(axis=0, ddof=1) if len(per_point) > 1 else np.nan,
        },
        index=pd.Index(DOMAINS, name="domain"),
    )
    return WeightComparison(folds=folds, summary=summary, weights=weights)
