"""Every chart has a text alternative (issue 13, WCAG 2.1 1.1.1): the summary sentences of
``dashboard.components.chart_text`` in both languages, and, with AppTest, on every page
that draws a chart: the caption right under each chart is that chart in words."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from complexity import BANDS, INSTRUMENT, score_case
from complexity.calendar import iso_week_label, monday_of
from dashboard.components.chart_text import balance_text, band_counts_text, contribution_text, team_load_text
from dashboard.components.rating_form import SUBMIT_KEY as RATE_SUBMIT, item_key
from dashboard.i18n import read_catalog
from store.cases import add_case, rate_case, record_sessions
from store.checkins import save_checkin
from store.db import session_scope
from store.models import ResearchConsent, Therapist, UserAccount
from store.overview import my_week, period_report
from store.team import team_overview

NL, EN = read_catalog("nl"), read_catalog("en")
TODAY = dt.date.today()
THIS_MONDAY = monday_of(TODAY)
LAST_MONDAY = THIS_MONDAY - dt.timedelta(weeks=1)
HEAVY = {i: 3 for i in INSTRUMENT.scored_item_ids}
TIRED = {"energy": 2, "body_tension": 8, "emotional_exhaustion": 8, "rumination": 7, "sleep": 3,
         "meaning": 3, "selfcare_time": 1, "burnout": 3}
NAN = math.nan


# --- the sentences ----------------------------------------------------------------------


def weeks_frame(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    return pd.DataFrame({"week": [f"2026-W{w:02d}" for w in range(1, n + 1)], **columns})


FOUR_WEEKS = weeks_frame(load_index=[0.5, 1.12, NAN, 0.84], status=["blue", "red", None, "green"],
                         capacity_score=[NAN, 40.0, NAN, 62.4])


def test_the_balance_in_words_names_the_highest_and_latest_week_in_both_languages():
    assert balance_text(FOUR_WEEKS, "en") == (
        "Chart in words: load index over 4 weeks, 2026-W01 to 2026-W04: highest 1.12 in 2026-W02 (too high), "
        "latest 0.84 in 2026-W04 (in balance). Capacity: latest 62 of 100 in 2026-W04; "
        "2 of 4 weeks with a check-in.")
    assert balance_text(FOUR_WEEKS, "nl") == (
        "Grafiek in woorden: belastingsindex over 4 weken, 2026-W01 tot en met 2026-W04: hoogst 1,12 in 2026-W02 "
        "(te hoog), laatst 0,84 in 2026-W04 (in balans). Draagkracht: laatst 62 van 100 in 2026-W04; "
        "2 van 4 weken met een check-in.")


def test_the_balance_in_words_without_figures_says_so():
    empty = weeks_frame(load_index=[NAN, NAN], status=[None, None], capacity_score=[NAN, NAN])
    assert balance_text(empty, "en") == ("Chart in words: no load index in the 2 weeks from 2026-W01 to 2026-W02. "
                                         "Capacity: no check-in in these weeks.")
    assert balance_text(empty, "nl") == ("Grafiek in woorden: geen belastingsindex in de 2 weken van 2026-W01 tot en "
                                         "met 2026-W02. Draagkracht: geen check-in in deze weken.")
    one = weeks_frame(load_index=[1.0], status=["amber"], capacity_score=[NAN])
    assert balance_text(one, "en") == ("Chart in words: load index in week 2026-W01: 1.00 (at capacity). "
                                       "Capacity: no check-in in these weeks.")
    assert balance_text(one, "nl").startswith("Grafiek in woorden: belastingsindex in week 2026-W01: 1,00 "
                                              "(op capaciteit).")
    assert balance_text(FOUR_WEEKS.iloc[0:0], "en") == "Chart in words: no weeks to show yet."
    assert balance_text(FOUR_WEEKS.iloc[0:0], "nl") == "Grafiek in woorden: nog geen weken om te tonen."


def test_the_first_week_of_a_tie_is_the_highest():
    tie = weeks_frame(load_index=[0.9, 1.2, 1.2], status=["green", "red", "red"], capacity_score=[NAN] * 3)
    assert "highest 1.20 in 2026-W02 (too high)" in balance_text(tie, "en")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_contribution_chart_in_words_names_every_bar_and_the_total(lang):
    catalog = read_catalog(lang)
    score = score_case({item_id: 2 for item_id in INSTRUMENT.item_ids})
    text = contribution_text(score, lang)
    assert text.startswith(catalog["chart_text.prefix"] + " ")
    total = round(score.complexity)
    assert catalog["chart_text.contribution"].split("{")[0] in text and f"({total})" in text
    shown = []
    for domain in INSTRUMENT.domains:
        points = f"{score.contributions[domain.id]:.1f}"
        points = points.replace(".", ",") if lang == "nl" else points
        assert f"{domain.label(lang)}: {points} {catalog['chart.axis']}" in text
        shown.append(score.contributions[domain.id])
    assert f"{catalog['chart.interaction']}: " in text
    assert round(sum(shown) + score.interaction) == total  # the bars named add up to the total named


def test_an_estimated_domain_is_named_as_estimated():
    score = score_case({INSTRUMENT.domains[0].items[0].id: 3, **{
        item.id: 1 for domain in INSTRUMENT.domains[1:] for item in domain.items}})
    label = INSTRUMENT.domains[0].label("en")
    assert EN["chart.not_rated"].format(domain=label) in contribution_text(score, "en")
    assert NL["chart.not_rated"].format(domain=INSTRUMENT.domains[0].label("nl")) in contribution_text(score, "nl")


def team_load(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["therapist_id", "display_name", "week", "load_index", "status"])


def test_the_team_heatmap_in_words_names_the_highest_and_who_is_over_capacity():
    load = team_load([(1, "Anna", "2026-W01", 0.8, "blue"), (1, "Anna", "2026-W02", 1.05, "amber"),
                      (2, "Bram", "2026-W01", 1.3, "red"), (2, "Bram", "2026-W02", 0.97, "green"),
                      (3, "Cas", "2026-W01", NAN, None), (3, "Cas", "2026-W02", 1.2, "red")])
    assert team_load_text(load, "en") == (
        "Chart in words: load index of 3 therapists over 2 weeks, 2026-W01 to 2026-W02: highest 1.30 "
        "(Bram, 2026-W01, too high). In 2026-W02, 2 of 3 therapists are at or over capacity.")
    assert team_load_text(load, "nl", week="2026-W01") == (
        "Grafiek in woorden: belastingsindex van 3 therapeuten over 2 weken, 2026-W01 tot en met 2026-W02: "
        "hoogst 1,30 (Bram, 2026-W01, te hoog). In 2026-W01 zit 1 van de 2 therapeuten op of boven capaciteit.")


def test_two_therapists_of_one_name_are_told_apart_as_on_the_heatmap():
    load = team_load([(4, "Anna", "2026-W01", 0.8, "blue"), (7, "Anna", "2026-W01", 1.2, "red")])
    assert "(Anna (7), 2026-W01, too high)" in team_load_text(load, "en")
    assert team_load_text(team_load([]), "en") == "Chart in words: no load index for this team yet."
    assert team_load_text(team_load([]), "nl") == "Grafiek in woorden: nog geen belastingsindex voor dit team."


def test_the_bands_in_words_count_every_band_in_the_chart_order():
    counts = pd.Series([0, 3, 5, 0], index=list(BANDS))
    parts_en = "; ".join(f"{EN[f'band.{b}']}: {n}" for b, n in zip(BANDS, counts))
    assert band_counts_text(counts, "en") == f"Chart in words: ratings per complexity band (8 in all): {parts_en}."
    parts_nl = "; ".join(f"{NL[f'band.{b}']}: {n}" for b, n in zip(BANDS, counts))
    assert band_counts_text(dict(counts), "nl") == (
        f"Grafiek in woorden: beoordelingen per complexiteitsniveau (8 in totaal): {parts_nl}.")



def test_a_hidden_band_is_said_as_hidden_in_its_place_and_the_total_is_of_the_bands_shown():
    counts = {BANDS[0]: None, BANDS[1]: 7, BANDS[2]: 9, BANDS[3]: None}
    text = band_counts_text(counts, "en")
    assert text == (f"Chart in words: ratings per complexity band (16 in the bands shown): "
                    f"{EN[f'band.{BANDS[0]}']}: hidden; {EN[f'band.{BANDS[1]}']}: 7; {EN[f'band.{BANDS[2]}']}: 9; "
                    f"{EN[f'band.{BANDS[3]}']}: hidden.")


# --- on the pages (AppTest) ---------------------------------------------------------------


def chart_captions(at: AppTest) -> list[str]:
    """The text right under each chart on the page, in page order (it must be a caption)."""
    elements = [node for node in at.main if not isinstance(node, Block)]
    found = []
    for i, element in enumerate(elements):
        if element.type == "plotly_chart":
            following = elements[i + 1] if i + 1 < len(elements) else None
            assert following is not None and following.type == "caption", f"no caption under chart {i}"
            found.append(following.value)
    return found


def as_anna(demo_db, work):
    engine = demo_db.engine()
    try:
        with session_scope(engine) as s:
            return work(s, s.get(UserAccount, demo_db.user_ids["anna"]))
    finally:
        engine.dispose()


def busy_last_week(demo_db) -> None:
    """Anna: a heavy case, five sessions a day last week (over capacity), a tired check-in."""
    def work(s, anna):
        code = add_case(s, anna, opened_on=LAST_MONDAY - dt.timedelta(weeks=3))
        rate_case(s, anna, code, HEAVY, LAST_MONDAY - dt.timedelta(weeks=3))
        days = [LAST_MONDAY + dt.timedelta(days=d) for d in range(5)]
        record_sessions(s, anna, code, [(day, 45) for day in days for _ in range(5)])
        save_checkin(s, anna, LAST_MONDAY, {**TIRED, "selfcare_actions": [], "reflection": None})
    as_anna(demo_db, work)


def anna_balance(demo_db) -> pd.DataFrame:
    return as_anna(demo_db, lambda s, anna: my_week(s, anna).balance)


def go(at, page, run):
    at.switch_page(f"views/{page}.py")
    return run(at)


def test_my_week_puts_the_balance_in_words_under_its_chart(logged_in, run, demo_db):
    busy_last_week(demo_db)
    at = logged_in("therapist")
    balance = anna_balance(demo_db)
    (caption,) = chart_captions(at)
    assert caption == balance_text(balance, "nl")
    high = balance.loc[balance["load_index"].idxmax()]
    assert high["week"] == iso_week_label(LAST_MONDAY) and high["status"] == "red"
    assert f"hoogst {high['load_index']:.2f}".replace(".", ",") in caption
    assert f"in {iso_week_label(LAST_MONDAY)} ({NL['status.red']})" in caption
    assert "1 van 12 weken met een check-in" in caption

    at.sidebar.radio(key="language").set_value("en")
    run(at)
    (caption,) = chart_captions(at)
    assert caption == balance_text(balance, "en") and caption.startswith(EN["chart_text.prefix"])


def test_the_checkin_and_the_report_put_the_balance_in_words_under_their_charts(logged_in, run, demo_db):
    busy_last_week(demo_db)
    at = logged_in("therapist")
    at = go(at, "report", run)
    start, end = at.date_input(key="report_period").value
    report = as_anna(demo_db, lambda s, anna: period_report(s, anna, start, end))
    assert chart_captions(at) == [balance_text(report.balance, "nl")]

    as_anna(demo_db, lambda s, anna: save_checkin(s, anna, THIS_MONDAY, {**TIRED, "selfcare_actions": []}))
    at = go(at, "checkin", run)
    assert NL["checkin.saved"] in [s.value for s in at.success]
    (caption,) = chart_captions(at)
    assert caption == balance_text(anna_balance(demo_db), "nl")
    assert "2 van 12 weken met een check-in" in caption


def rate_all_at_two(at, run, prefix: str = "", submit: str = RATE_SUBMIT):
    for item_id in INSTRUMENT.item_ids:
        radio = [r for r in at.radio if r.key == item_key(item_id, prefix)]
        if radio:  # My cases asks the scored items and those outside the score alike
            radio[0].set_value(2)
    at.button(key=submit + prefix).click()
    return run(at)


def test_a_rated_case_puts_its_points_in_words_under_the_chart(logged_in, run, demo_db):
    at = go(logged_in("therapist"), "rate_case", run)
    rate_all_at_two(at, run)
    expected = score_case({item_id: 2 for item_id in INSTRUMENT.item_ids})
    assert chart_captions(at) == [contribution_text(expected, "nl")]

    code = as_anna(demo_db, lambda s, anna: add_case(s, anna, opened_on=LAST_MONDAY))
    at = go(at, "my_cases", run)
    at.selectbox(key="my_cases.selected").set_value(code)
    run(at)
    rate_all_at_two(at, run, prefix=f"{code}_")
    assert chart_captions(at) == [contribution_text(expected, "nl")]


def test_my_teams_puts_the_heatmap_and_a_shared_report_in_words_under_them(logged_in, run, demo_db, team_oost):
    busy_last_week(demo_db)

    def share(s, anna):
        from store import privacy

        return privacy.grant_share(s, anna, "sanne", LAST_MONDAY - dt.timedelta(weeks=3), TODAY).id

    grant = as_anna(demo_db, share)
    at = logged_in("supervisor")  # Sanne reads English
    assert chart_captions(at) == []  # the heatmap is drawn on request
    at.toggle(key="team_heatmap_show").set_value(True)
    run(at)
    engine = demo_db.engine()
    try:
        with session_scope(engine) as s:
            view = team_overview(s, s.get(UserAccount, demo_db.user_ids["sanne"]), team_oost)
    finally:
        engine.dispose()
    (heatmap,) = chart_captions(at)
    assert heatmap == team_load_text(view.load, "en", week=iso_week_label(LAST_MONDAY))
    assert f"(Anna, {iso_week_label(LAST_MONDAY)}, {EN['status.red']})" in heatmap
    assert f"In {iso_week_label(LAST_MONDAY)}, 1 of 1 therapists is at or over capacity." in heatmap

    at.selectbox(key="shared_select").set_value(grant)
    run(at)
    heatmap_again, shared = chart_captions(at)
    assert heatmap_again == heatmap
    assert shared.startswith(EN["chart_text.prefix"]) and "highest" in shared
    assert f"in {iso_week_label(LAST_MONDAY)} ({EN['status.red']})" in shared


def test_research_puts_the_ratings_per_band_in_words_under_its_chart(logged_in, run, demo_db):
    light = {i: 0 for i in INSTRUMENT.scored_item_ids}

    def work(s, anna):
        for levels in (HEAVY, HEAVY, light):
            code = add_case(s, anna, opened_on=LAST_MONDAY)
            rate_case(s, anna, code, levels, LAST_MONDAY)
        s.add(ResearchConsent(therapist_id=anna.therapist_id, research_id="a" * 32))
        for n in range(4):
            therapist = Therapist(display_name=f"T{n}", experience="experienced", contracted_sessions=20)
            s.add(therapist)
            s.flush()
            s.add(ResearchConsent(therapist_id=therapist.id, research_id=f"{n:032d}"))

    as_anna(demo_db, work)
    at = logged_in("researcher")  # Rita reads Dutch
    # One participant rated: under disclosure control (fewer than five participants) the
    # bands she rated are hidden, in the chart (an empty slot) and in its words (said as
    # hidden, without a number); the empty bands show 0.
    rated = {score_case(levels).band for levels in (HEAVY, HEAVY, light)}
    (caption,) = chart_captions(at)
    assert caption == band_counts_text({band: None if band in rated else 0 for band in BANDS}, "nl")
    assert all(f"{NL[f'band.{band}']}: {NL['chart_text.band_hidden']}" in caption for band in rated)
    assert NL["research_page.hidden"].format(count=len(rated)) in [c.value for c in at.caption]
