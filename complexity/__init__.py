"""Draagkracht's complexity model: the instrument, case scoring, load, capacity, flags
and calibration. Pure computation: no files, no database, no UI, no user-facing text
(problems are codes). ``python -m complexity score`` is launched from ``__main__.py``
but lives above the model, in ``data_schema.cli.score``."""

from .checkin import CHECKIN, capacity_score
from .config import BANDS, DEFAULT_CONFIG, INCOMPLETE, MODEL_VERSION, ModelConfig
from .flags import FLAG_CATALOG, Flag
from .instrument import INSTRUMENT, LANGUAGES, Instrument, Item
from .load import LOAD_STATUSES, therapist_flags, weekly_load
from .scoring import BAND_CATEGORIES, DOMAINS, CaseScore, band_of, score_case, score_cases
from .validation import InputProblem, RatingsInputError

__all__ = [
    "BANDS", "BAND_CATEGORIES", "CHECKIN", "BootstrapResult", "CaseScore", "ComplexityCalibrator", "CrossValidation",
    "DEFAULT_CONFIG", "DOMAINS", "FLAG_CATALOG", "Flag", "INCOMPLETE", "INSTRUMENT", "InputProblem", "Instrument",
    "Item", "LANGUAGES", "LOAD_STATUSES", "MODEL_VERSION", "ModelConfig", "RatingsInputError", "TooLittleData",
    "band_of", "bootstrap_intervals", "capacity_score", "compare_models", "score_case", "score_cases",
    "therapist_flags", "weekly_load",
]

_CALIBRATION = frozenset({"BootstrapResult", "ComplexityCalibrator", "CrossValidation", "TooLittleData",
                          "bootstrap_intervals", "compare_models"})


def __getattr__(name: str):
    """Calibration needs SciPy and scikit-learn (about a second to import): load it on use."""
    if name in _CALIBRATION:
        from . import calibration

        return getattr(calibration, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
