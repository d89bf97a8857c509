"""The rating practice (therapists) and rating agreement (researchers) pages through
Streamlit's AppTest, on the dashboard's test database (tests/dashboard/conftest.py)."""

from __future__ import annotations

import json
import secrets

import pandas as pd
import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from complexity import INSTRUMENT
from dashboard.components import rating_agreement
from dashboard.components.rating_form import SUBMIT_KEY, item_key
from dashboard.components.rating_practice import CHOICE_KEY, form_prefix
from dashboard.i18n import read_catalog
from store.accounts import create_user
from store.db import session_scope
from store.models import AuditEvent, CaseRating, PracticeRating, ResearchConsent, Therapist
from store.rating_practice import MIN_GROUP, rate_vignette, shipped_vignettes

NL, EN = read_catalog("nl"), read_catalog("en")
FIRST = shipped_vignettes()[0]  # the page offers the first vignette not yet rated


def reference(key: str) -> dict[str, int]:
    return dict(next(v for v in shipped_vignettes() if v.key == key).reference)


def add_raters(demo_db, n: int, keys: list[str], *, consent: bool = True) -> None:
    """``n`` therapists (with research consent) who rated ``keys``: each one item one level off."""
    with session_scope(demo_db.engine()) as s:
        for i in range(n):
            therapist = Therapist(display_name=f"Oefenaar {i}", experience="starting", contracted_sessions=20)
            s.add(therapist)
            s.flush()
            account = create_user(s, username=f"oefenaar{i}", password=demo_db.password, role="therapist",
                                  therapist_id=therapist.id)
            if consent:
                s.add(ResearchConsent(therapist_id=therapist.id, research_id=secrets.token_hex(16)))
            for m, key in enumerate(keys):
                levels = reference(key)
                item = INSTRUMENT.item_ids[(7 * i + 5 * m) % len(levels)]
                levels[item] = levels[item] + 1 if levels[item] < 3 else 2
                rate_vignette(s, account, key, levels)


def count(demo_db, model, *where) -> int:
    with session_scope(demo_db.engine(), readonly=True) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def page_text(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info])


def charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


@pytest.fixture
def practice(logged_in, run) -> AppTest:
    at = logged_in("therapist")
    at.switch_page("views/rating_practice.py")
    return run(at)


def submit(at: AppTest, run, key: str, levels: dict[str, int | None]) -> AppTest:
    for item_id, level in levels.items():
        if level is not None:
            at.radio(key=item_key(item_id, form_prefix(key))).set_value(level)
    at.button(key=SUBMIT_KEY + form_prefix(key)).click()
    return run(at)


# --- the therapist's page ----------------------------------------------------------------------------

def test_the_practice_page_offers_every_vignette_and_says_it_is_no_test(practice):
    at = practice
    assert at.title[0].value == NL["practice.title"]
    assert NL["practice.intro"].format(minimum=MIN_GROUP) in page_text(at)
    box = at.selectbox(key=CHOICE_KEY)
    assert box.value == FIRST.key
    assert list(box.options) == [v.title("nl") for v in shipped_vignettes()]  # titles only: never the band
    assert FIRST.text("nl").strip() in page_text(at)
    for item in INSTRUMENT.items:  # the rating form, every item, nothing chosen yet
        assert at.radio(key=item_key(item.id, form_prefix(FIRST.key))).label == item.label("nl")
    assert at.button(key=SUBMIT_KEY + form_prefix(FIRST.key)).label == NL["practice.submit"]
    assert not at.get("plotly_chart")


def test_rating_a_vignette_shows_the_comparison_without_the_group_below_five(practice, run, demo_db):
    levels = dict(reference(FIRST.key), emo_distress=3)
    at = submit(practice, run, FIRST.key, levels)
    assert [s.value for s in at.success] == [NL["practice.saved"]]
    text = page_text(at)
    assert NL["practice.learning_note"] in text
    assert NL["practice.group_hidden"].format(raters=1, minimum=MIN_GROUP) in text
    (spec,) = charts(at)
    assert [trace["name"] for trace in spec["data"]] == [NL["practice.series_mine"], NL["practice.series_reference"]]
    caption = next(c.value for c in at.caption if c.value.startswith(NL["chart_text.prefix"]))
    assert all(d.label("nl") in caption for d in INSTRUMENT.domains)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[NL["practice.reference_band"]] == NL[f"band.{FIRST.band}"]
    domains = at.dataframe[0].value
    assert list(domains.columns) == [NL["practice.col_domain"], NL["practice.col_mine"],
                                     NL["practice.col_reference"]]  # no group column below five raters
    assert domains[NL["practice.col_mine"]].tolist() != domains[NL["practice.col_reference"]].tolist()
    assert at.get("download_button")
    assert not [b for b in at.button if b.key == SUBMIT_KEY + form_prefix(FIRST.key)]  # rated once: no form
    assert count(demo_db, PracticeRating) == 1 and count(demo_db, CaseRating) == 0
    # The choice now says "rated"; the progress counts it.
    assert at.selectbox(key=CHOICE_KEY).options[0] == NL["practice.rated_option"].format(title=FIRST.title("nl"))
    assert NL["practice.progress"].format(rated=1, total=len(shipped_vignettes())) in page_text(at)


def test_an_incomplete_rating_is_refused_naming_the_items(practice, run, demo_db):
    levels = dict(reference(FIRST.key), ther_rumination=None, interplay=None)
    at = submit(practice, run, FIRST.key, levels)
    (error,) = at.error
    assert error.value.startswith(NL["practice.not_saved"])
    assert INSTRUMENT.item("ther_rumination").label("nl") in error.value
    assert INSTRUMENT.item("interplay").label("nl") in error.value
    assert count(demo_db, PracticeRating) == 0 and not at.get("plotly_chart")


def test_with_five_raters_the_group_median_is_shown_in_english(logged_in, run, demo_db):
    add_raters(demo_db, MIN_GROUP - 1, [FIRST.key])
    at = logged_in("therapist")
    at.switch_page("views/rating_practice.py")
    run(at)
    at.radio(key="language").set_value("en")
    run(at)
    assert at.title[0].value == EN["practice.title"]
    at = submit(at, run, FIRST.key, reference(FIRST.key))
    assert EN["practice.group_shown"].format(raters=MIN_GROUP) in page_text(at)
    (spec,) = charts(at)
    assert [trace["name"] for trace in spec["data"]] == [
        EN["practice.series_mine"], EN["practice.series_group"], EN["practice.series_reference"]]
    assert at.dataframe[0].value[EN["practice.col_group"]].notna().all()  # the domains
    assert NL["practice.learning_note"] not in page_text(at)


@pytest.mark.parametrize("role", ["supervisor", "researcher", "admin"])
def test_other_roles_cannot_open_the_practice(logged_in, role):
    at = logged_in(role)
    with pytest.raises(ValueError, match="rating_practice"):
        at.switch_page("views/rating_practice.py")


# --- the researcher's page -----------------------------------------------------------------------------

@pytest.fixture
def agreement(logged_in, run, monkeypatch):
    monkeypatch.setattr(rating_agreement, "N_BOOT", 10)  # a quick bootstrap: the figures are tested in the store

    def _open() -> AppTest:
        at = logged_in("researcher")
        at.switch_page("views/rating_agreement.py")
        return run(at)

    return _open


def test_below_five_consenting_raters_the_researcher_is_told_so(agreement, demo_db):
    add_raters(demo_db, MIN_GROUP - 1, [FIRST.key])
    at = agreement()
    assert at.title[0].value == NL["agreement.title"]  # the researcher's account is Dutch
    (info,) = at.info
    assert info.value == NL["refused.practice_too_few_raters"].format(raters=MIN_GROUP - 1, minimum=MIN_GROUP)
    assert not at.get("plotly_chart")
    vignettes = at.dataframe[0].value
    assert list(vignettes[NL["agreement.col_key"]]) == [v.key for v in shipped_vignettes()]
    assert at.button(key=rating_agreement.ADD_KEY).disabled  # nothing uploaded yet


def test_the_researcher_sees_agreement_per_domain_and_item_with_charts_words_and_downloads(agreement, demo_db):
    keys = [v.key for v in shipped_vignettes()]
    add_raters(demo_db, MIN_GROUP, keys)
    at = agreement()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[NL["agreement.vignettes"]] == str(len(keys))
    assert metrics[NL["agreement.raters"]] == str(MIN_GROUP)
    assert metrics[NL["agreement.instrument"]] == INSTRUMENT.version
    domains_chart, items_chart = charts(at)
    assert [t["name"] for t in domains_chart["data"]] == [NL["agreement.series_icc"], NL["agreement.series_kappa"]]
    assert len(items_chart["data"][0]["y"]) == rating_agreement.TOP
    words = [c.value for c in at.caption if c.value.startswith(NL["chart_text.prefix"])]
    assert len(words) == 2 and all(d.label("nl") in words[0] for d in INSTRUMENT.domains)
    assert all(label in words[1] for label in items_chart["data"][0]["y"])  # the words say every bar
    domains = at.dataframe[0].value
    assert list(domains[NL["agreement.col_domain"]]) == [d.label("nl") for d in INSTRUMENT.domains]
    assert domains[NL["agreement.col_icc"]].notna().all()
    items = at.dataframe[1].value
    assert set(items[NL["agreement.col_item_id"]]) == set(INSTRUMENT.item_ids)
    assert items[NL["agreement.col_mad"]].is_monotonic_decreasing
    assert {b.label for b in at.get("download_button")} >= {NL["agreement.download_domains"],
                                                            NL["agreement.download_items"]}
    text = page_text(at)
    assert "oefenaar" not in text and "Oefenaar" not in text  # no rater is named
    researcher = demo_db.user_ids[demo_db.usernames["researcher"]]
    assert count(demo_db, AuditEvent, AuditEvent.action == "read", AuditEvent.actor_user_id == researcher,
                 AuditEvent.subject_type == "research_dataset", AuditEvent.detail.like("rating practice%")) == 1


@pytest.mark.parametrize("role", ["therapist", "supervisor", "admin"])
def test_other_roles_cannot_open_the_agreement(logged_in, role):
    at = logged_in(role)
    with pytest.raises(ValueError, match="rating_agreement"):
        at.switch_page("views/rating_agreement.py")


def test_the_agreement_charts_show_what_their_words_say_below_zero_and_without_a_value():
    from store.practice_agreement import COLUMNS, AgreementReport

    domains = pd.DataFrame([{"domain": d, **dict.fromkeys(COLUMNS, 0.5)} for d in INSTRUMENT.domain_ids])
    domains.loc[0, ["icc", "icc_low", "kappa_low"]] = [0.1, -0.42, -0.2]  # few raters: below 0 happens
    items = pd.DataFrame([{"item": i, "domain": INSTRUMENT.item(i).domain, **dict.fromkeys(COLUMNS, 0.3)}
                          for i in INSTRUMENT.item_ids[:3]])
    items.loc[2, "mad"] = float("nan")  # no vignette with two ratings of it: no value
    report = AgreementReport(items, domains, INSTRUMENT.version, 2, 5, "targets", "quadratic", 20)

    figure = rating_agreement.agreement_figure(report, "nl")
    low, _ = figure.layout.xaxis.range
    assert low <= -0.42 and "-0,42" in rating_agreement.agreement_text(report, "nl")
    assert figure.layout.separators == ",."  # Dutch decimals on the axis, as in the words
    bars = rating_agreement.disagreement_figure(report, "nl")
    shown = list(bars.data[0].y)
    said = rating_agreement.disagreement_text(report, "nl")
    assert shown == [INSTRUMENT.item(i).label("nl") for i in INSTRUMENT.item_ids[:2]]  # no bar of 0 for "none"
    assert all(label in said for label in shown) and INSTRUMENT.item(INSTRUMENT.item_ids[2]).label("nl") not in said
