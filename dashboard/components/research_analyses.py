"""The Analyses page's data, results and pickers, cached between reruns.

Every widget change reruns the page; reading a large practice's ratings takes seconds and
some analyses take seconds more, so nothing is computed twice for the same data:

- **The data** (``store.research_analyses.analysis_data``) is cached with
  ``st.cache_data`` keyed on the database, the weeks and the day they end on, the
  *data stamp* (``data_stamp``: the newest create, change or delete in the audit log, so
  a new or changed rating or consent is seen at the next rerun), and the researcher and
  login session (each researcher's read is logged once per session, as the store
  wants; another session reads, and logs, afresh).
- **Each analysis result** (``store.research_results``) is cached the same way, with
  the instrument version and the analysis' own options in the key; only the analysis on
  screen is computed, and a warm rerun unpickles a small result, never the data.
- **What is drawn of it** (figures, tables, CSV bytes; ``components.analysis_views``)
  is kept per language with ``st.cache_resource`` (shared, read-only), so a rerun
  builds no figure.

Computing runs with one thread per library (``threadpoolctl``): k-means' OpenMP and
the BLAS would otherwise start a thread per core, which on a busy server costs more
than it gains.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from threadpoolctl import threadpool_limits

from complexity.calendar import today
from complexity.psychometrics import PsychometricsError
from dashboard.components.analysis_views import SectionView, section_view
from dashboard.components.context import unit_of_work
from dashboard.components.database import SESSION_ID_KEY, get_app_engine
from dashboard.i18n import format_number, t, translate
from store import research_results as results
from store.audit import session_key
from store.db import read_connection
from store.research import DEFAULT_WEEKS
from store.research_analyses import AnalysisData, TooFewParticipants, analysis_data, data_stamp, version_items

CACHE_TTL = dt.timedelta(minutes=30)
PERIODS = (13, 26, 52, 104)
ANALYSES = results.ANALYSES
PERIOD_KEY, VERSION_KEY, ANALYSIS_KEY = "analyses_weeks", "analyses_version", "analyses_analysis"
FACTORS_KEY, ROTATION_KEY = "analyses_factors", "analyses_rotation"
MAX_FACTORS = 10


@dataclass(frozen=True)
class DataKey:
    """What selects the data: database, weeks, their last day, data stamp, researcher
    and login session (plain values, hashed by Streamlit's cache)."""

    database: str
    weeks: int
    as_of: dt.date
    stamp: int
    user_id: int
    session: str | None

    def args(self) -> tuple:
        return (self.database, self.weeks, self.as_of, self.stamp, self.user_id, self.session)


@dataclass(frozen=True)
class Overview:
    """Per instrument version (newest first) ``ratings`` and ``participants``; the weeks."""

    versions: pd.DataFrame
    consenting: int
    first_week: str
    last_week: str


@dataclass(frozen=True)
class Refusal:
    """An analysis that cannot run on this data, and why (a catalog key and its values)."""

    key: str
    params: dict


def data_key(user, weeks: int) -> DataKey:
    engine = get_app_engine()
    with read_connection(engine) as connection:  # one cheap read, never waiting for writers
        stamp = data_stamp(connection)
    return DataKey(engine.url.render_as_string(hide_password=True), int(weeks), today(), stamp, int(user.id),
                   session_key(st.session_state.get(SESSION_ID_KEY)))


@st.cache_data(ttl=CACHE_TTL, max_entries=4, show_spinner=False)
def _dataset(database: str, weeks: int, as_of: dt.date, stamp: int, user_id: int,
             session: str | None) -> AnalysisData:
    with unit_of_work() as db:
        return analysis_data(db, user_id, weeks=weeks, as_of=as_of)


@st.cache_data(ttl=CACHE_TTL, max_entries=32, show_spinner=False)
def _overview(database: str, weeks: int, as_of: dt.date, stamp: int, user_id: int, session: str | None) -> Overview:
    data = _dataset(database, weeks, as_of, stamp, user_id, session)
    return Overview(data.versions(), data.consenting, data.first_week, data.last_week)


def overview(key: DataKey) -> Overview:
    """The weeks' instrument versions (reads the data on the first call; store errors
    propagate)."""
    return _overview(*key.args())


def _compute(data: AnalysisData, version: str, analysis: str, options: tuple):
    from complexity.calibration import TooLittleData  # SciPy and scikit-learn: loaded on use

    try:
        with threadpool_limits(1):
            if analysis == "items":
                return results.items_and_domains(data, version)
            if analysis == "reliability":
                return results.reliability(data, version)
            if analysis == "structure":
                return results.structure(data, version, **dict(options))
            if analysis == "profiles":
                return results.profiles(data, version)
            return results.calibration(data, version)
    except TooFewParticipants as error:
        return Refusal("analyses.too_few_participants", {"count": error.count, "minimum": error.minimum})
    except TooLittleData as error:
        return Refusal("analyses.calibration.too_little", {
            "cases": error.n_cases, "therapists": error.n_therapists if error.n_therapists is not None else 0,
            "min_cases": error.min_cases, "min_therapists": error.min_therapists,
            "incomplete": error.left_out.get("incomplete", 0), "no_burden": error.left_out.get("no_burden", 0)})
    except PsychometricsError as error:
        return Refusal("analyses.cannot_compute", {"problem": f"analyses.problem.{error.code}"})


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def _result(database: str, weeks: int, as_of: dt.date, stamp: int, user_id: int, session: str | None, version: str,
            analysis: str, options: tuple):
    return _compute(_dataset(database, weeks, as_of, stamp, user_id, session), version, analysis, options)


def result(key: DataKey, version: str, analysis: str, options: tuple = ()):
    """The analysis' result, or a :class:`Refusal` (both cached)."""
    return _result(*key.args(), version, analysis, options)


@st.cache_resource(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def _view(database: str, weeks: int, as_of: dt.date, stamp: int, user_id: int, session: str | None, version: str,
          analysis: str, options: tuple, lang: str) -> SectionView | Refusal:
    found = _result(database, weeks, as_of, stamp, user_id, session, version, analysis, options)
    return found if isinstance(found, Refusal) else section_view(analysis, found, lang)


def view(key: DataKey, version: str, analysis: str, options: tuple, lang: str) -> SectionView | Refusal:
    """What to draw of the analysis in ``lang`` (computed once for each key)."""
    return _view(*key.args(), version, analysis, options, lang)


# --- the pickers -----------------------------------------------------------------------------

# Option labels are made in the language of the run that draws them (a format_func
# called later, outside a run, must not depend on the session's state).

def period_picker(lang: str) -> int:
    if st.session_state.get(PERIOD_KEY) not in PERIODS:
        st.session_state[PERIOD_KEY] = DEFAULT_WEEKS
    return st.radio(t("analyses.period"), PERIODS, key=PERIOD_KEY, horizontal=True,
                    format_func=lambda weeks: translate(lang, "analyses.weeks", weeks=weeks))


def version_picker(found: Overview, lang: str) -> str | None:
    """The instrument version to analyse (the newest by default); None without ratings."""
    versions = list(found.versions.index)
    if not versions:
        return None
    if st.session_state.get(VERSION_KEY) not in versions:
        st.session_state[VERSION_KEY] = versions[0]

    def label(version: str) -> str:
        row = found.versions.loc[version]
        return translate(lang, "analyses.version_option", version=version,
                         ratings=format_number(int(row["ratings"]), lang),
                         participants=format_number(int(row["participants"]), lang))

    return st.selectbox(t("analyses.version"), versions, key=VERSION_KEY, format_func=label,
                        help=t("analyses.version_help"))


def analysis_picker(lang: str) -> str:
    return st.radio(t("analyses.analysis"), ANALYSES, key=ANALYSIS_KEY, horizontal=True,
                    format_func=lambda name: translate(lang, f"analyses.{name}.title"))


def analysis_options(analysis: str, version: str, lang: str) -> tuple:
    """The analysis' own settings (structure: factors and rotation), as a cache key."""
    if analysis != "structure":
        return ()
    layout = version_items(version)
    most = max(1, min(MAX_FACTORS, len(layout.items) - 1))
    default = min(len(layout.domains), most)
    if st.session_state.get(FACTORS_KEY) not in range(1, most + 1):
        st.session_state[FACTORS_KEY] = default
    left, right = st.columns(2)
    factors = left.selectbox(t("analyses.structure.factors"), list(range(1, most + 1)), key=FACTORS_KEY,
                             help=t("analyses.structure.factors_help", domains=len(layout.domains)))
    rotation = right.selectbox(t("analyses.structure.rotation"), results.ROTATIONS, key=ROTATION_KEY,
                               format_func=lambda r: translate(lang, f"analyses.rotation.{r}"))
    return (("n_factors", int(factors)), ("rotation", rotation))


__all__ = ["ANALYSES", "DataKey", "Overview", "PERIODS", "Refusal", "analysis_options", "analysis_picker",
           "data_key", "overview", "period_picker", "result", "version_picker", "view"]
