"""My teams as a supervisor uses it (AppTest): the team at a glance, an alert marked as
discussed that the therapist then sees on My week, the intake planner for the team and
a therapist's own planner on My cases."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from complexity import INSTRUMENT
from complexity.calendar import iso_week_label, monday_of
from dashboard.i18n import read_catalog
from store.cases import add_case, rate_case
from store.db import session_scope
from store.models import AlertReview, Team, Therapist, UserAccount

NL, EN = read_catalog("nl"), read_catalog("en")
APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
TODAY = dt.date.today()
HEAVY = {i: 3 for i in INSTRUMENT.scored_item_ids}


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def consult_now_case(demo_db) -> str:
    with session_scope(demo_db.engine()) as s:
        anna = s.get(UserAccount, demo_db.user_ids["anna"])
        code = add_case(s, anna, opened_on=TODAY - dt.timedelta(days=14))
        rate_case(s, anna, code, HEAVY | {"safety_concern": 2}, TODAY - dt.timedelta(days=3))
    return code


def test_the_team_at_a_glance_names_the_last_complete_week_and_draws_a_trend(logged_in, demo_db, team_oost):
    at = logged_in("supervisor")  # Sanne reads English
    (table,) = [d.value for d in at.dataframe]
    last = monday_of(TODAY) - dt.timedelta(weeks=1)
    assert EN["team.col_last"].format(week=iso_week_label(last)) in table.columns
    assert EN["team.col_now"].format(week=iso_week_label(monday_of(TODAY))) in table.columns
    trend = table[EN["team.col_trend"]].iloc[0]
    assert len(trend) == 11  # the complete weeks of the 12 shown
    assert EN["alerts.none_open"] in texts(at.markdown)


def test_an_alert_marked_as_discussed_leaves_the_list_and_the_therapist_sees_it(logged_in, log_in, run, demo_db, team_oost):
    code = consult_now_case(demo_db)
    at = logged_in("supervisor")
    shown = texts(at.markdown)
    assert code in shown and html.escape(EN["alert.consult_now.title"]) in shown
    assert html.escape(EN["alert.consult_now.next_step_supervisor"].format(therapist="Anna", code=code)) in shown
    at.date_input(key="alerts_on").set_value(TODAY - dt.timedelta(days=7))  # before the rating: refused
    at.button(key="alerts_mark").click()
    run(at)
    assert at.error and EN["alerts.none_open"] not in texts(at.markdown)
    at.date_input(key="alerts_on").set_value(TODAY)
    at.button(key="alerts_mark").click()
    run(at)
    assert EN["alerts.none_open"] in texts(at.markdown)
    with session_scope(demo_db.engine(), readonly=True) as s:
        review = s.scalars(select(AlertReview)).one()
    assert (review.kind, review.subject, review.discussed_on) == ("consult_now", code, TODAY)

    anna = log_in(run(AppTest.from_file(str(APP), default_timeout=30)), "anna")  # Anna reads Dutch
    mine = texts(anna.markdown)
    assert NL["alerts.mine_title"] in texts(anna.subheader)
    assert html.escape(NL["alerts.mine_discussed"].format(date=TODAY.strftime("%d-%m-%Y"))) in mine and code in mine


def test_the_supervisor_plans_an_intake_for_the_team(logged_in, run, demo_db, team_oost):
    team_id = team_oost
    at = logged_in("supervisor")
    assert [link.label for link in at.get("page_link")] == [EN["team.planner_link"]]  # from My teams
    at.switch_page("views/intake.py")
    run(at)
    assert [t.value for t in at.title] == [EN["planner.title"]]
    at.selectbox(key=f"planner_{team_id}_band").set_value("severe")
    at.number_input(key=f"planner_{team_id}_sessions").set_value(2)
    at.button(key=f"planner_{team_id}_submit").click()
    run(at)
    summary = next(d.value for d in at.dataframe if EN["planner.col_room"] in d.value.columns)
    assert summary[EN["team.col_therapist"]].tolist() == ["Anna"]
    assert summary[EN["planner.col_room"]].iloc[0] in (EN["planner.room_yes"], EN["planner.room_no"])
    assert summary[EN["planner.col_why"]].iloc[0]  # every answer says why

    at.radio(key=f"planner_{team_id}_how").set_value("domains")  # a quick rating of the five domains
    run(at)
    for domain in INSTRUMENT.domains:
        at.select_slider(key=f"planner_{team_id}_{domain.id}").set_value(3)
    at.button(key=f"planner_{team_id}_submit").click()
    run(at)
    assert any(EN["planner.col_room"] in d.value.columns for d in at.dataframe)


def test_a_therapist_plans_their_own_intake_on_my_cases(logged_in, run, demo_db):
    at = logged_in("therapist")
    at.switch_page("views/my_cases.py")
    run(at)
    at.button(key="planner_own_submit").click()
    run(at)
    summary = next(d.value for d in at.dataframe if NL["planner.col_room"] in d.value.columns)
    assert summary[NL["team.col_therapist"]].tolist() == ["Anna"]
    assert summary[NL["planner.col_room"]].iloc[0] == NL["planner.room_yes"]  # no sessions yet: room


def test_the_admin_moves_a_therapist_and_archives_the_empty_team(logged_in, run, demo_db, team_oost):
    old_team = team_oost
    with session_scope(demo_db.engine()) as s:
        new_team = Team(name="Team West")
        s.add(new_team)
        s.flush()
        new_id = new_team.id
    at = logged_in("admin")
    at.selectbox(key="rename_which").set_value(new_id)
    at.text_input(key="rename_to").input("team oost")  # the name of another team, in other letters
    at.button(key="rename_submit").click()
    run(at)
    assert "Team Oost" in texts(at.error).replace("team oost", "Team Oost")
    at.text_input(key="rename_to").input("Team  Westerpark")
    at.button(key="rename_submit").click()
    run(at)
    assert NL["admin.renamed"].format(old="Team West", new="Team Westerpark") in texts(at.success)
    at.selectbox(key="archive_which").set_value(old_team)
    at.button(key="archive_submit").click()
    run(at)
    assert "Team Oost" in texts(at.error)  # Anna is still in it
    monday = monday_of(TODAY)
    at.selectbox(key="move_to").set_value(new_id)
    at.date_input(key="move_from").set_value(monday - dt.timedelta(weeks=2))
    at.button(key="move_submit").click()
    run(at)
    assert NL["admin.moved"].format(therapist="Anna", team="Team Westerpark",
                                    week=(monday - dt.timedelta(weeks=2)).strftime("%d-%m-%Y")) in texts(at.success)
    at.selectbox(key="archive_which").set_value(old_team)
    at.button(key="archive_submit").click()
    run(at)
    assert NL["admin.archived"].format(team="Team Oost") in texts(at.success)
    assert NL["admin.archived_list"].format(teams="Team Oost") in texts(at.caption)
    with session_scope(demo_db.engine(), readonly=True) as s:
        assert s.scalars(select(Therapist.team_id).where(Therapist.display_name == "Anna")).one() == new_id


def test_the_admin_erases_a_deactivated_leaver(logged_in, run, demo_db):
    at = logged_in("admin")
    assert NL["admin.erase_none"] in texts(at.markdown)
    at.selectbox(key="admin_target").set_value(demo_db.user_ids["rita"])
    at.radio(key="admin_action").set_value("deactivate")
    at.button(key="admin_apply").click()
    run(at)
    at.text_input(key="erase_confirm").input("rit")
    at.button(key="erase_submit").click()
    run(at)
    assert at.error  # the username must be typed in full
    at.text_input(key="erase_confirm").input("rita")
    at.button(key="erase_submit").click()
    run(at)
    assert NL["admin.erased"].format(username="rita") in texts(at.success)
    with session_scope(demo_db.engine(), readonly=True) as s:
        assert s.scalars(select(UserAccount).where(UserAccount.username == "rita")).first() is None


def test_who_viewed_my_data_says_what_was_viewed(logged_in, log_in, run, demo_db, team_oost):
    logged_in("supervisor")  # Sanne opens My teams: Anna's load and caseload counts are read
    anna = log_in(run(AppTest.from_file(str(APP), default_timeout=30)), "anna")
    anna.switch_page("views/my_data.py")
    run(anna)
    log = next(d.value for d in anna.dataframe if NL["my_data.col_detail"] in d.value.columns)
    details = set(log[NL["my_data.col_detail"]])
    assert NL["access.caseload_counts"] in details
    assert any(d.startswith(NL["access.weekly_load"].split("{")[0]) for d in details)
    assert set(log[NL["my_data.col_who"]]) == {"sanne"}
