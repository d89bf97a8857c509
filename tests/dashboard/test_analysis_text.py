"""The research analyses' charts in words (components.analysis_text): each names the
figures a reader takes from its chart, in Dutch and English, with the language's decimal
mark."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.components import analysis_text as words
from dashboard.i18n import read_catalog

LABELS = {"content": "Case content", "emotions": "Emotions", "behaviour": "Behaviour", "i1": "Item one",
          "i2": "Item two", "weight_content": "Case content", "interaction_scale": "interaction scale"}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_text_starts_as_a_chart_in_words(lang):
    prefix = read_catalog(lang)["chart_text.prefix"]
    corr = pd.DataFrame([[1, 0.3], [0.3, 1]], index=["content", "emotions"], columns=["content", "emotions"])
    assert words.correlations_text(corr, LABELS, lang).startswith(prefix + " ")


def test_reliability_names_every_domain_with_both_statistics_and_intervals():
    table = pd.DataFrame({"alpha": [0.912, np.nan], "alpha_low": [0.9, np.nan], "alpha_high": [0.93, np.nan],
                          "omega": [0.925, np.nan], "omega_low": [0.91, np.nan], "omega_high": [0.94, np.nan]},
                         index=["content", "emotions"])
    nl = words.reliability_text(table, LABELS, "nl")
    assert "Case content alfa 0,91 (0,90–0,93), omega 0,93 (0,91–0,94)" in nl
    assert "Emotions niet berekend" in nl  # not computed: said, not left out
    assert "alpha 0.91 (0.90–0.93)" in words.reliability_text(table, LABELS, "en")


def test_reliability_gives_alpha_where_omega_could_not_be_computed():
    table = pd.DataFrame({"alpha": [0.81], "alpha_low": [0.7], "alpha_high": [0.88], "omega": [np.nan],
                          "omega_low": [np.nan], "omega_high": [np.nan]}, index=["content"])
    assert "Case content alpha 0.81 (0.70–0.88), omega not computed" in words.reliability_text(table, LABELS, "en")
    assert "Case content alfa 0,81 (0,70–0,88), omega niet berekend" in words.reliability_text(table, LABELS, "nl")


def test_correlations_name_the_lowest_and_the_highest_pair():
    corr = pd.DataFrame([[1, 0.2, 0.7], [0.2, 1, 0.5], [0.7, 0.5, 1]],
                        index=["content", "emotions", "behaviour"], columns=["content", "emotions", "behaviour"])
    text = words.correlations_text(corr, LABELS, "en")
    assert "from 0.20 (Case content – Emotions) to 0.70 (Case content – Behaviour)" in text


def test_items_count_floor_and_ceiling_and_name_the_most_unrated_item():
    items = pd.DataFrame({"floor": [True, False], "ceiling": [False, True], "share_unrated": [0.05, 0.2]},
                         index=["i1", "i2"])
    text = words.items_text(items, LABELS, "en")
    assert "A floor effect (more than 15 % of the rated cases at 0) in 1 items: Item one;" in text  # as marked
    assert "in 1: Item two" in text and "Most often not rated: Item two (20 %)" in text


def test_profiles_say_a_hidden_profile_is_hidden():
    profiles = pd.DataFrame({"content": [0.5, np.nan], "emotions": [0.7, np.nan], "n_cases": [40.0, np.nan]},
                            index=[1, 2])
    text = words.profiles_text(profiles, LABELS, {1: "profile 1", 2: "profile 2"}, "en")
    assert "profile 1 mean 0.60, highest Emotions (0.70), lowest Case content (0.50)" in text
    assert "profile 2 hidden (fewer than five participants)" in text


def test_calibration_names_expert_and_learned_with_the_interval():
    table = pd.DataFrame({"expert": [1.0, 1.0], "estimate": [1.2, 0.4], "low": [1.05, 0.0], "high": [1.31, 1.1]},
                         index=["weight_content", "interaction_scale"])
    text = words.calibration_text(table, LABELS, "nl")
    assert "Case content expert 1,00, geleerd 1,20 (1,05–1,31)" in text
    assert "interaction scale expert 1,00, geleerd 0,40 (0,00–1,10)" in text


def test_scree_gives_the_first_eigenvalues_and_the_suggestion():
    eigen = pd.DataFrame({"observed": [5.2, 1.4, 0.3], "random": [1.2, 1.1, 1.0]}, index=[1, 2, 3])
    text = words.scree_text(eigen, 1, "en")
    assert "3 eigenvalues, the first 5.20, 1.40, 0.30;" in text and "parallel analysis suggests 1 factors" in text
    assert "(parallel analysis), the first 1.20, 1.10, 1.00;" in text  # the chart's second line too
