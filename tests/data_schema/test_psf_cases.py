"""Issue 11's table of cases, scored again by ``python -m complexity score`` as a user
runs it: what model 1.0 got wrong, and what a PSF expects (docs/examples/psf-cases.csv,
explained in docs/model.md)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "docs" / "examples" / "psf-cases.csv"
ORDER = ("uncomplicated", "mild", "moderate", "severe")


@pytest.fixture(scope="module")
def scored() -> pd.DataFrame:
    run = subprocess.run([sys.executable, "-m", "complexity", "score", str(CASES)], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stderr.strip() == "scored 6 cases (1 incomplete)"
    return pd.read_csv(io.StringIO(run.stdout)).set_index("case_id")


def at_least(band: str, lowest: str) -> bool:
    return ORDER.index(band) >= ORDER.index(lowest)


def test_a_whole_domain_at_three_is_at_least_moderate(scored):
    # model 1.0: 11.2 and 13.4, uncomplicated
    assert at_least(scored.loc["emotions-all-3", "band"], "moderate")
    assert at_least(scored.loc["therapist-impact-all-3", "band"], "moderate")


def test_two_whole_domains_at_three_are_severe(scored):
    assert scored.loc["cognitions-emotions-all-3", "band"] == "severe"  # model 1.0: 27.8 mild


def test_four_items_with_the_rest_unrated_are_not_scored_but_given_a_range(scored):
    case = scored.loc["four-items-3-rest-unrated"]  # model 1.0: 100 severe
    assert case["band"] == "incomplete" and pd.isna(case["complexity"]) and not case["complete"]
    assert case["unrated_items"] == 30  # 29 scored items and the interplay
    assert case["complexity_low"] < 60 and case["complexity_high"] == 100


def test_the_same_four_items_with_the_rest_at_zero_lie_at_the_bottom_of_that_range(scored):
    rated = scored.loc["four-items-3-rest-0"]  # model 1.0: 9.6 uncomplicated
    unrated = scored.loc["four-items-3-rest-unrated"]
    assert rated["complete"] and rated["complexity"] == pytest.approx(unrated["complexity_low"], abs=1.0)
    assert unrated["complexity_low"] <= rated["complexity_low"] <= rated["complexity_high"] <= unrated["complexity_high"]


def test_widespread_pain_with_moderate_problems_everywhere_is_moderate(scored):
    assert scored.loc["widespread-pain", "band"] == "moderate"  # model 1.0: mild
    assert scored.loc["widespread-pain", "unrated_items"] == 0


def test_every_score_says_its_model_and_instrument(scored):
    assert set(scored["model_version"]) == {"2.0.0"} and set(scored["instrument_version"]) == {"2.0.0"}
