"""Worked examples of case scoring: bands, flags, versions, columns and input errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from complexity import (
    DEFAULT_CONFIG,
    INSTRUMENT,
    MODEL_VERSION,
    ModelConfig,
    RatingsInputError,
    band_of,
    score_case,
    score_cases,
)
from complexity.scoring import DOMAINS

SCORED = INSTRUMENT.scored_item_ids


def uniform(levelled: int, **extra) -> dict:
    return {**{i: levelled for i in SCORED}, **extra}


def test_instrument_keeps_the_contracted_item_ids():
    assert INSTRUMENT.domain_ids == ("content", "cognitions", "emotions", "behaviour", "therapist_impact")
    assert INSTRUMENT.domain("content").item_ids[0] == "content_chronicity"
    assert INSTRUMENT.domain("therapist_impact").item_ids[-1] == "ther_relationship_strain"
    assert len(SCORED) == 33 and INSTRUMENT.extra_item_ids == ("safety_concern", "case_meaning", "interplay")
    for item in INSTRUMENT.items:
        for lang in ("nl", "en"):
            assert item.label(lang) and len(item.anchors[lang]) == 4 and all(item.anchors[lang])


@pytest.mark.parametrize("levelled, band", [(0, "uncomplicated"), (1, "mild"), (2, "moderate"), (3, "severe")])
def test_uniform_cases_land_in_the_band_their_anchor_names(levelled, band):
    assert score_case(uniform(levelled)).band == band


def test_band_cutoffs_are_inclusive_lower_bounds():
    b = DEFAULT_CONFIG.scoring.bands
    assert band_of(b.mild - 1e-9) == "uncomplicated"
    assert band_of(b.mild) == "mild"
    assert band_of(b.moderate) == "moderate"
    assert band_of(b.severe) == "severe"
    assert band_of(float("nan")) == "incomplete"


def test_interacting_domains_outscore_one_dominating_domain():
    # Same item total (12): all in emotions vs three points in four domains.
    one = {i: 0 for i in SCORED}
    for item in INSTRUMENT.domain("emotions").item_ids[:4]:
        one[item] = 3
    four = {i: 0 for i in SCORED}
    for d in DOMAINS[:4]:
        four[INSTRUMENT.domain(d).item_ids[0]] = 3
    s_one, s_four = score_case(one), score_case(four)
    assert s_four.complexity > s_one.complexity
    assert s_one.interaction == pytest.approx(0.0)
    assert s_four.interaction > 0


def test_safety_concern_raises_consult_now_without_changing_the_score():
    calm = score_case(uniform(1, safety_concern=1))
    worried = score_case(uniform(1, safety_concern=2))
    assert [f.code for f in calm.flags] == []
    assert [f.code for f in worried.flags] == ["consult_now"]
    assert worried.flags[0].severity == "red"
    assert worried.flags[0].next_step == "consult_today"
    assert worried.complexity == calm.complexity


def test_high_therapist_impact_suggests_intervision():
    case = uniform(1)
    for item in INSTRUMENT.domain("therapist_impact").item_ids:
        case[item] = 2
    flags = score_case(case).flags
    assert [(f.code, f.next_step) for f in flags] == [("therapist_impact_high", "intervision_or_supervision")]
    case[INSTRUMENT.domain("therapist_impact").item_ids[0]] = 1  # mean drops below 2
    assert score_case(case).flags == ()


def test_an_unrated_domain_is_estimated_from_the_case_not_counted_as_zero():
    case = uniform(2)
    for item in INSTRUMENT.domain("behaviour").item_ids:
        case[item] = None
    s = score_case(case)
    assert s.complete and s.rated_domains == 4
    assert s.domain_scores["behaviour"] is None
    assert s.complexity == pytest.approx(score_case(uniform(2)).complexity)


def test_score_cases_columns_versions_and_order():
    df = pd.DataFrame([{"case_id": "B", **uniform(3, interplay=2)}, {"case_id": "A", **uniform(0, interplay=0)}])
    out = score_cases(df)
    expected = ["case_id", "complexity", "complexity_low", "complexity_high", "unrated_items", "band", *DOMAINS,
                *(f"contrib_{d}" for d in DOMAINS), "interaction", "interaction_share", "rated_domains",
                "complete", "safety_concern", "case_meaning", "interplay", "flags", "instrument_version",
                "model_version"]
    assert list(out.columns) == expected
    assert list(out["case_id"]) == ["B", "A"]
    assert list(out["band"]) == ["severe", "uncomplicated"]
    assert set(out["instrument_version"]) == {INSTRUMENT.version}
    assert set(out["model_version"]) == {MODEL_VERSION}
    # All at 3 is 100 with or without interplay: the interaction has no room left at the top.
    assert out.loc[0, "complexity"] == pytest.approx(100.0) and out.loc[0, "interaction_share"] == pytest.approx(0.0)
    # Fully rated (the interplay too): the range is the score itself, nothing unrated.
    assert list(out["unrated_items"]) == [0, 0]
    assert list(out["complexity_low"]) == pytest.approx(list(out["complexity"]))
    assert list(out["complexity_high"]) == pytest.approx(list(out["complexity"]))
    # The interplay unrated: one unrated item, and the range spans interplay 0 .. 3.
    unrated = score_cases(pd.DataFrame([{"case_id": "C", **uniform(2)}]))
    assert unrated.loc[0, "unrated_items"] == 1
    assert unrated.loc[0, "complexity_low"] < unrated.loc[0, "complexity"] < unrated.loc[0, "complexity_high"]


def test_interaction_share_is_the_part_the_interplay_adds():
    case = uniform(2, interplay=3)
    out = score_cases(pd.DataFrame([{"case_id": "x", **case}, {"case_id": "y", **uniform(2, interplay=0)}]))
    share, alone = out.loc[0, "interaction_share"], out.loc[1, "complexity"]
    assert 0 < share < 0.1
    assert out.loc[0, "complexity"] * (1 - share) == pytest.approx(alone)
    assert out.loc[1, "interaction_share"] == 0 and out.loc[1, "interaction"] == 0


def test_custom_configuration_is_stamped_on_the_model_version():
    config = ModelConfig.model_validate({"scoring": {"level_exponent": 2.0}})
    out = score_cases(pd.DataFrame([{"case_id": "x", **uniform(1)}]), config)
    assert out["model_version"].iloc[0].startswith(MODEL_VERSION + "+cfg.")
    assert out["complexity"].iloc[0] != score_case(uniform(1)).complexity


def test_configuration_is_validated():
    with pytest.raises(ValueError):
        ModelConfig.model_validate({"scoring": {"bands": {"mild": 40, "moderate": 30, "severe": 60}}})
    with pytest.raises(ValueError):
        ModelConfig.model_validate({"scoring": {"domain_weights": {"content": 1.0}}})
    for strengths in ((0.1, 0.2, 0.3, 0.4), (0.0, 0.2, 0.1, 0.3), (0.0, 0.3, 0.6, 1.0)):
        with pytest.raises(ValueError, match="interplay_strengths"):
            ModelConfig.model_validate({"scoring": {"interplay_strengths": strengths}})
    with pytest.raises(ValueError, match="index cut-offs"):
        ModelConfig.model_validate({"scoring": {"index_cutoffs": {"mild": 0.05, "moderate": 0.04, "severe": 0.3}}})
    with pytest.raises(ValueError, match="level_exponent"):
        ModelConfig.model_validate({"scoring": {"level_exponent": 0.5}})
    with pytest.raises(ValueError, match="Extra inputs"):  # a 1.0 setting is refused, not ignored
        ModelConfig.model_validate({"scoring": {"interaction_strength": 0.35}})


def test_missing_columns_mean_not_rated():
    ids = [i for d in DOMAINS[:4] for i in INSTRUMENT.domain(d).item_ids]
    out = score_cases(pd.DataFrame([{"case_id": "x", **{i: 2 for i in ids}}]))
    assert out.loc[0, "rated_domains"] == 4 and bool(out.loc[0, "complete"])
    assert np.isnan(out.loc[0, "therapist_impact"])


@pytest.mark.parametrize(
    "frame, code, row, column",
    [
        (pd.DataFrame({"case_id": ["a"], "cog_catastrophising": [1]}), "unknown_column", None, "cog_catastrophising"),
        (pd.DataFrame({"emo_distress": [1]}), "missing_case_id_column", None, "case_id"),
        (pd.DataFrame({"case_id": ["a", "a"], "emo_distress": [1, 2]}), "duplicate_case_id", 1, "case_id"),
        (pd.DataFrame({"case_id": ["a", None], "emo_distress": [1, 2]}), "missing_case_id", 1, "case_id"),
        (pd.DataFrame({"case_id": ["a", "b"], "emo_distress": [1, 4]}), "out_of_range", 1, "emo_distress"),
        (pd.DataFrame({"case_id": ["a"], "emo_distress": [1.5]}), "not_whole", 0, "emo_distress"),
        (pd.DataFrame({"case_id": ["a"], "emo_distress": ["veel"]}), "not_a_number", 0, "emo_distress"),
        (pd.DataFrame({"case_id": ["a"], "safety_concern": [-1]}), "out_of_range", 0, "safety_concern"),
        (pd.DataFrame({"case_id": pd.Series([], dtype=str)}), "empty", None, None),
    ],
)
def test_bad_tables_name_the_row_and_column(frame, code, row, column):
    with pytest.raises(RatingsInputError) as err:
        score_cases(frame)
    problems = err.value.problems
    assert (problems[0].code, problems[0].row, problems[0].column) == (code, row, column)
    shown = str(problems[0])
    assert code in shown and (row is None or shown.startswith(f"row {row}, "))
    assert column is None or f"column {column!r}" in shown


def test_every_problem_is_reported_at_once():
    frame = pd.DataFrame({"case_id": ["a", "b", "c"], "emo_distress": [9, 1, 7], "emo_anxiety": [1, -2, 1]})
    with pytest.raises(RatingsInputError) as err:
        score_cases(frame)
    found = {(p.row, p.column) for p in err.value.problems}
    assert found == {(0, "emo_distress"), (2, "emo_distress"), (1, "emo_anxiety")}
    # Developer-facing codes only (0-based rows); the catalog texts live in data_schema.
    assert "row 0, column 'emo_distress': out_of_range (9)" in str(err.value).splitlines()
