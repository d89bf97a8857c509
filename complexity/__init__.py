"""Draagkracht's complexity model: the instrument, case scoring, load, capacity, flags
and calibration. Pure computation: no files, no database, no UI."""

from .config import BANDS, DEFAULT_CONFIG, INCOMPLETE, MODEL_VERSION, ModelConfig
from .flags import FLAG_CATALOG, Flag
from .instrument import INSTRUMENT, Instrument, Item
from .scoring import BAND_CATEGORIES, DOMAINS, CaseScore, band_of, score_case, score_cases
from .validation import InputProblem, RatingsInputError

__all__ = [
    "BANDS", "BAND_CATEGORIES", "CaseScore", "DEFAULT_CONFIG", "DOMAINS", "FLAG_CATALOG",
    "Flag", "INCOMPLETE", "INSTRUMENT", "InputProblem", "Instrument", "Item", "MODEL_VERSION",
    "ModelConfig", "RatingsInputError", "band_of", "score_case", "score_cases",
]
