"""The "rate a case" page through Streamlit's AppTest (no browser), as a logged-in therapist."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from complexity import INSTRUMENT, score_case
from dashboard.components.rating_form import NOT_RATED, SUBMIT_KEY, item_key
from dashboard.i18n import read_catalog

RESULT_KEY = "rate_case.result"
NL, EN = read_catalog("nl"), read_catalog("en")
SCORE_PATTERN = re.compile(r"^(\d+) / 100$")


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def at(logged_in) -> AppTest:
    """The rate-case page, with the therapist logged in (tests/dashboard/conftest.py)."""
    at = logged_in("therapist")
    at.switch_page("views/rate_case.py")
    return run(at)


def rate(at: AppTest, ratings: dict[str, int]) -> AppTest:
    for item_id, level in ratings.items():
        at.radio(key=item_key(item_id)).set_value(level)
    at.button(key=SUBMIT_KEY).click()
    return run(at)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def page_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.caption)


def chart_spec(at: AppTest) -> dict:
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def test_page_renders_in_dutch_by_default(at: AppTest) -> None:
    assert at.radio(key="language").value == "nl"
    assert [r.key for r in at.sidebar.radio] == ["language"]
    assert list(at.radio(key="language").options) == [NL["language.name"], EN["language.name"]]
    assert at.title[0].value == NL["rate.title"]
    labels = [e.label for e in at.expander]
    assert [d.label("nl") for d in INSTRUMENT.domains] == labels[1:-1]
    assert labels[-1] == NL["form.outside_score.title"]
    for item in INSTRUMENT.items:
        radio = at.radio(key=item_key(item.id))
        assert radio.label == item.label("nl")
        assert radio.value == NOT_RATED
        assert list(radio.options) == ["–", "0", "1", "2", "3"]
        assert list(radio.proto.captions) == [NL["form.not_rated"], *item.anchors["nl"]]
    assert at.button(key=SUBMIT_KEY).label == NL["form.submit"]
    assert not at.metric and not at.get("plotly_chart")


def test_all_items_at_two_is_moderate(at: AppTest) -> None:
    rate(at, {item_id: 2 for item_id in INSTRUMENT.item_ids})
    expected = score_case({item_id: 2 for item_id in INSTRUMENT.item_ids})
    assert expected.band == "moderate"
    shown = metrics(at)
    assert shown[NL["result.complexity"]] == f"{round(expected.complexity)} / 100"
    assert shown[NL["result.band"]] == NL["band.moderate"] == "Matig gecompliceerd"
    assert at.session_state[RESULT_KEY] == expected


def test_switching_to_english_relabels_everything_and_keeps_ratings(at: AppTest) -> None:
    rate(at, {item_id: 2 for item_id in INSTRUMENT.item_ids})
    at.radio(key="language").set_value("en")
    run(at)
    assert at.title[0].value == EN["rate.title"]
    assert [e.label for e in at.expander][1:-1] == [d.label("en") for d in INSTRUMENT.domains]
    item = INSTRUMENT.scored_items[0]
    radio = at.radio(key=item_key(item.id))
    assert radio.label == item.label("en") and radio.value == 2
    assert list(radio.proto.captions)[1:] == list(item.anchors["en"])
    shown = metrics(at)
    assert shown[EN["result.band"]] == EN["band.moderate"]
    assert SCORE_PATTERN.match(shown[EN["result.complexity"]])
    text = page_text(at)
    assert EN["severity.red"] in text and EN["next_step.consult_today"] in text
    assert NL["severity.red"] not in text and NL["rate.intro"] not in text
    assert EN["chart.interaction"] in chart_spec(at)["data"][0]["y"]


def test_safety_concern_two_shows_consult_now_with_next_step(at: AppTest) -> None:
    ratings = {item_id: 0 for item_id in INSTRUMENT.scored_item_ids}
    ratings["safety_concern"] = 2
    rate(at, ratings)
    text = page_text(at)
    assert NL["severity.red"] in text
    assert NL["flag.consult_now.title"] in text
    assert NL["flag.consult_now.reason"].format(level=2) in text
    assert NL["next_step.consult_today"] in text
    assert metrics(at)[NL["result.band"]] == NL["band.uncomplicated"]


def test_no_flags_for_a_calm_case(at: AppTest) -> None:
    rate(at, {item_id: 1 for item_id in INSTRUMENT.scored_item_ids})
    text = page_text(at)
    assert NL["result.no_flags"] in text
    assert all(NL[f"severity.{s}"] not in text for s in ("red", "amber", "info"))


def test_two_rated_domains_are_incomplete_without_a_number(at: AppTest) -> None:
    rated = [item.id for d in INSTRUMENT.domains[:2] for item in d.items]
    rate(at, {item_id: 3 for item_id in rated})
    shown = metrics(at)
    assert shown == {NL["result.band"]: NL["band.incomplete"]}
    assert not any(SCORE_PATTERN.match(v) or re.search(r"\d", v) for v in shown.values())
    assert not at.get("plotly_chart")
    text = page_text(at)
    assert NL["result.incomplete"] in text
    assert NL["flag.incomplete.reason"].format(rated=2, needed=4) in text
    assert NL["next_step.rate_more_domains"] in text
    assert at.session_state[RESULT_KEY].complexity is None


def test_one_item_per_domain_is_not_scored_but_its_range_is_shown(at: AppTest) -> None:
    # Issue 11: one item at 3 in each of four domains, the rest skipped. Model 1.0 said
    # 100 (severe); one item says little about a domain, so there is no score, only the
    # range the rest could bring.
    ratings = {d.items[0].id: 3 for d in INSTRUMENT.domains[:4]}
    rate(at, ratings)
    expected = score_case(ratings)
    assert metrics(at) == {NL["result.band"]: NL["band.incomplete"]}
    text = page_text(at)
    assert NL["result.range.other"].format(count=expected.unrated_items, low=round(expected.low),
                                           high=round(expected.high)) in text
    assert expected.unrated_items == len(INSTRUMENT.item_ids) - 4 - 2  # safety and meaning count not
    assert round(expected.high) == 100 and round(expected.low) < 60


def test_a_score_with_unrated_items_shows_its_range_and_one_without_says_so(at: AppTest) -> None:
    ratings = {item_id: 2 for item_id in INSTRUMENT.scored_item_ids}
    ratings["emo_anxiety"] = None
    rate(at, {k: (NOT_RATED if v is None else v) for k, v in ratings.items()})
    expected = score_case(ratings)
    assert expected.unrated_items == 2  # emo_anxiety and the interplay
    text = page_text(at)
    assert NL["result.range.other"].format(count=2, low=round(expected.low), high=round(expected.high)) in text
    # The interplay was not rated: the explanation says which level the score assumed.
    item = INSTRUMENT.item("interplay")
    assert NL["explain.interplay_default"].format(
        level=1, anchor=item.anchor(1, "nl").lower(), points=f"{expected.interaction:.1f}".replace(".", ",")) in text

    rate(at, {"emo_anxiety": 2, "interplay": 3})
    text = page_text(at)
    assert NL["result.range_none"] in text
    assert NL["explain.interplay"].split("{")[0] in text and item.anchor(3, "nl").lower() in text


def test_this_page_stores_nothing_and_does_not_ask_the_burden(at: AppTest) -> None:
    assert NL["form.burden.label"] not in [r.label for r in at.radio]
    assert "Mijn casussen" in NL["rate.intro"]


def test_chart_contributions_add_up_to_the_shown_complexity(at: AppTest) -> None:
    ratings = {item_id: (i * 7) % 4 for i, item_id in enumerate(INSTRUMENT.scored_item_ids)}
    rate(at, ratings)
    spec = chart_spec(at)
    bar = spec["data"][0]
    assert bar["type"] == "bar" and bar["orientation"] == "h"
    assert bar["customdata"] == [*INSTRUMENT.domain_ids, "interaction"]
    assert bar["y"] == [*(d.label("nl") for d in INSTRUMENT.domains), NL["chart.interaction"]]
    assert all(NL["chart.axis"] in label for label in bar["text"])
    result = at.session_state[RESULT_KEY]
    assert sum(bar["x"]) == pytest.approx(result.complexity, abs=1e-9)
    shown = SCORE_PATTERN.match(metrics(at)[NL["result.complexity"]])
    assert shown and int(shown.group(1)) == round(sum(bar["x"]))
    largest = max(zip(bar["x"], bar["y"]))
    assert f"{largest[0]:.1f}".replace(".", ",") in page_text(at)


def test_result_stays_after_a_rerun(at: AppTest) -> None:
    rate(at, {item_id: 2 for item_id in INSTRUMENT.item_ids})
    before = metrics(at)
    run(at)  # a rerun without submitting (e.g. any other widget)
    assert metrics(at) == before
    assert len(at.get("plotly_chart")) == 1
