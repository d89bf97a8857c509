"""The Analyses page as a researcher uses it (AppTest), on a small practice with a known
structure (tests/analysis_practice.py): every analysis renders with its charts, each
followed by its text alternative, its tables and their CSV downloads (holding the numbers
shown), and the versions it ran on; the period and instrument-version pickers choose the
data; calibration is refused with its reason when there is too little; a rerun reads and
computes nothing, and only the analysis on screen is computed; no other role can open
the page."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.util import calc_hash

from complexity import INSTRUMENT
from complexity.calendar import today
from dashboard.components import research_analyses as panel
from dashboard.i18n import read_catalog
from store import research_results as results
from store.research_analyses import version_items
from tests.analysis_practice import seed_practice

NL = read_catalog("nl")
CURRENT = INSTRUMENT.version
PREFIX = NL["chart_text.prefix"]


@pytest.fixture(autouse=True)
def few_replicates(monkeypatch):
    monkeypatch.setattr(results, "N_BOOT", 20)
    monkeypatch.setattr(results, "CALIBRATION_BOOT", 3)


@pytest.fixture
def downloads(monkeypatch) -> dict[str, tuple[str, bytes]]:
    """media file id -> (file name, bytes) of every download the page offered."""
    found: dict[str, tuple[str, bytes]] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        found[file_id] = (filename, path_or_data)
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    return found


def texts(elements) -> list[str]:
    return [str(e.value) for e in elements]


def open_analyses(app, log_in, run, username: str = "rita"):
    """The app asked for the Analyses address before login, then logged in."""
    app._page_hash = calc_hash("research-analyses")
    run(app)
    return log_in(app, username)


def choose(at, run, analysis: str):
    at.radio(key=panel.ANALYSIS_KEY).set_value(analysis)
    return run(at)


def charts_with_text(at) -> int:
    """Charts drawn, after checking that each is followed by its caption in words."""
    captions = [c for c in texts(at.caption) if c.startswith(PREFIX)]
    assert len(captions) == len(at.get("plotly_chart")), captions
    return len(captions)


def test_each_analysis_renders_with_charts_text_tables_downloads_and_versions(demo_db, app, log_in, run):
    seed_practice(demo_db.engine(), therapists=10, cases_each=16, as_of=today())
    at = open_analyses(app, log_in, run)
    assert [t.value for t in at.title] == [NL["analyses.title"]]
    expected = {"items": (3, 3), "reliability": (1, 2), "structure": (2, 3), "profiles": (1, 3), "calibration": (1, 1)}
    for analysis, (charts, tables) in expected.items():
        if analysis != "items":
            choose(at, run, analysis)
        assert [s.value for s in at.subheader] == [NL[f"analyses.{analysis}.title"]], analysis
        assert charts_with_text(at) == charts, analysis
        assert len(at.dataframe) == tables and len(at.get("download_button")) == tables, analysis
        basis = [c for c in texts(at.caption) if c.startswith("Instrument ")]
        assert basis and f"Instrument {CURRENT}" in basis[0] and "model 2.0.0" in basis[0], analysis
        assert NL[f"analyses.{analysis}.how"] in texts(at.markdown), analysis
        assert not at.warning, analysis
    choose(at, run, "structure")
    assert any("**100 %**" in m for m in texts(at.markdown))  # the five domains recovered
    choose(at, run, "profiles")
    assert any(m.startswith("**2 profielen**") for m in texts(at.markdown))
    choose(at, run, "calibration")
    assert NL["analyses.calibration.few_therapists"] in texts(at.markdown)


def downloaded(button, downloads) -> tuple[str, pd.DataFrame]:
    """The file a download button offers, read as Dutch Excel writes it."""
    name, data = downloads[button.proto.url.rsplit("/", 1)[1].split(".")[0]]
    return name, pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")


def test_the_csv_downloads_hold_the_numbers_shown(demo_db, app, log_in, run, downloads):
    seed_practice(demo_db.engine(), as_of=today())
    at = open_analyses(app, log_in, run)
    for analysis in results.ANALYSES[:4]:
        if analysis != "items":
            choose(at, run, analysis)
        buttons = at.get("download_button")
        assert len(buttons) == len(at.dataframe) > 0
        for shown, button in zip(at.dataframe, buttons):  # each table is followed by its download
            name, csv = downloaded(button, downloads)
            assert name.startswith("draagkracht-") and f"-{CURRENT}-" in name and name.endswith(".csv")
            assert list(csv.columns[-2:]) == ["instrument_version", "model_versions"]
            assert set(csv["instrument_version"]) == {CURRENT} and set(csv["model_versions"]) == {"2.0.0"}
            assert _same_numbers(csv.iloc[:, :-2], shown.value), (analysis, name)
    choose(at, run, "items")
    name, items = downloaded(at.get("download_button")[0], downloads)
    assert "-items-" in name and list(items["item"]) == list(version_items(CURRENT).items)


def _same_numbers(csv: pd.DataFrame, shown: pd.DataFrame) -> bool:
    for (_, left), (_, right) in zip(csv.items(), shown.items()):
        if pd.api.types.is_numeric_dtype(right) and not pd.api.types.is_bool_dtype(right):
            a, b = left.to_numpy(dtype=float), right.to_numpy(dtype=float)
            if not np.allclose(a, b, equal_nan=True, atol=1e-9):
                return False
        elif [str(v) for v in left.astype(object).where(left.notna(), "")] != \
                [str(v) for v in right.astype(object).where(right.notna(), "")]:
            return False
    return True


def test_the_period_and_the_instrument_version_choose_the_data(demo_db, app, log_in, run):
    engine = demo_db.engine()
    seed_practice(engine, therapists=6, as_of=today(), weeks_back=8)  # 90 ratings in the last 8 weeks
    seed_practice(engine, therapists=6, as_of=today() - pd.Timedelta(weeks=30).to_pytimedelta(), weeks_back=4,
                  seed=1, first=20)  # 90 more, 30-34 weeks ago
    seed_practice(engine, therapists=5, cases_each=10, version="1.0.0", as_of=today(), seed=2, first=40)
    at = open_analyses(app, log_in, run)
    assert at.radio(key=panel.PERIOD_KEY).value == 52
    versions = at.selectbox(key=panel.VERSION_KEY)
    assert versions.value == CURRENT and versions.options == [
        NL["analyses.version_option"].format(version=CURRENT, ratings=180, participants=12),
        NL["analyses.version_option"].format(version="1.0.0", ratings=50, participants=5)]
    assert any("180 scores, 180 casussen" in c for c in texts(at.caption))
    at.radio(key=panel.PERIOD_KEY).set_value(13)
    run(at)
    assert any("90 scores, 90 casussen" in c and "6 deelnemers" in c for c in texts(at.caption))
    at.selectbox(key=panel.VERSION_KEY).set_value("1.0.0")
    run(at)
    basis = next(c for c in texts(at.caption) if c.startswith("Instrument "))
    assert basis.startswith("Instrument 1.0.0") and "50 scores" in basis and "5 deelnemers" in basis
    assert len(at.dataframe[0].value) == len(version_items("1.0.0").items)  # the items of 1.0.0 only


def test_a_version_of_too_few_participants_and_calibration_without_enough_data_are_refused(demo_db, app, log_in,
                                                                                          run):
    engine = demo_db.engine()
    seed_practice(engine, therapists=6, as_of=today(), burden=False)
    seed_practice(engine, therapists=3, cases_each=5, version="1.0.0", as_of=today(), seed=3, first=30)
    at = open_analyses(app, log_in, run)
    choose(at, run, "calibration")
    assert texts(at.warning) == [NL["analyses.calibration.too_little"].format(
        min_cases=140, min_therapists=5, cases=0, therapists=0, incomplete=0, no_burden=90)]
    assert not at.get("plotly_chart") and not at.get("download_button")
    at.selectbox(key=panel.VERSION_KEY).set_value("1.0.0")
    choose(at, run, "items")
    assert texts(at.warning) == [NL["analyses.too_few_participants"].format(count=3, minimum=5)]


def test_a_rerun_reads_and_computes_nothing_and_only_the_analysis_on_screen_is_computed(demo_db, app, log_in, run,
                                                                                       monkeypatch):
    seed_practice(demo_db.engine(), as_of=today())
    calls: list[str] = []
    for name in ("items_and_domains", "reliability", "structure", "profiles", "calibration"):
        original = getattr(results, name)
        monkeypatch.setattr(results, name, lambda *a, _f=original, _n=name, **k: calls.append(_n) or _f(*a, **k))
    reads = []
    original_read = panel.analysis_data
    monkeypatch.setattr(panel, "analysis_data", lambda *a, **k: reads.append(1) or original_read(*a, **k))
    at = open_analyses(app, log_in, run)
    assert calls == ["items_and_domains"] and len(reads) == 1
    run(at)
    run(at)
    assert calls == ["items_and_domains"] and len(reads) == 1
    choose(at, run, "reliability")
    choose(at, run, "items")
    assert calls == ["items_and_domains", "reliability"] and len(reads) == 1


@pytest.mark.parametrize("role", ["therapist", "supervisor", "admin"])
def test_no_other_role_can_open_the_page(demo_db, app, log_in, run, role):
    from tests.dashboard.test_navigation import registered

    at = open_analyses(app, log_in, run, demo_db.usernames[role])
    assert "research-analyses" not in {path for path, _ in registered(at)}
    assert NL["analyses.title"] not in [t.value for t in at.title]
    with pytest.raises(ValueError, match="research_analyses"):
        at.switch_page("views/research_analyses.py")


def test_a_researcher_has_the_page_in_the_sidebar(demo_db, app, log_in, run):
    seed_practice(demo_db.engine(), as_of=today())
    at = open_analyses(app, log_in, run)
    assert at._registered_pages[calc_hash("research-analyses")]["page_name"] == NL["nav.analyses"]
