"""The therapist's pages with AppTest, each with its bad inputs: My week, My cases,
Check-in with the 5A plan, Report and My data. Runs the real app (login included) on a
fresh SQLite database per test."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from complexity import CHECKIN, INSTRUMENT
from dashboard.components.checkin_form import SUBMIT_KEY as CHECKIN_SUBMIT, field_key
from dashboard.components.rating_form import NOT_RATED, SUBMIT_KEY as RATE_SUBMIT, burden_key, item_key
from dashboard.i18n import read_catalog
from store.db import session_scope
from store.models import AuditEvent, Case, CaseRating, ResearchConsent, SelfcareGoal, ShareGrant, TherapySession
from store.models import Therapist
from store.models import UserAccount, WeeklyCheckin
from store import privacy

NL, EN = read_catalog("nl"), read_catalog("en")
TIRED = {"energy": 2, "body_tension": 8, "emotional_exhaustion": 8, "rumination": 7, "sleep": 3,
         "meaning": 3, "selfcare_time": 1, "burnout": 3}


def count(demo_db, model) -> int:
    engine = demo_db.engine()
    try:
        with session_scope(engine, readonly=True) as s:
            return s.scalar(select(func.count()).select_from(model))
    finally:
        engine.dispose()


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


@pytest.fixture
def therapist(logged_in):
    return logged_in("therapist")


def go(at, page, run):
    at.switch_page(f"views/{page}.py")
    return run(at)


def test_my_week_is_home_and_prompts_for_the_checkin(therapist):
    assert [t.value for t in therapist.title] == [NL["my_week.title"]]
    assert NL["my_week.checkin_open"] in texts(therapist.markdown)
    assert [m.label for m in therapist.metric] == [NL["my_week.load_index"], NL["my_week.status"],
                                                    NL["my_week.capacity"]]
    assert NL["my_week.no_flags"] in texts(therapist.markdown)
    # the balance chart: drawn as a still picture, explained by the caption under it
    (chart,) = therapist.get("plotly_chart")
    assert json.loads(chart.proto.config) == {"displayModeBar": False, "responsive": True, "staticPlot": True}
    assert NL["balance.help"] in [c.value for c in therapist.caption]


def test_checkin_missing_answers_then_saved_with_plan(therapist, run, demo_db):
    at = go(therapist, "checkin", run)
    at.radio(key=field_key("energy")).set_value(5)
    at.button(key=CHECKIN_SUBMIT).click()
    run(at)
    assert NL["checkin.missing"].format(count=len(CHECKIN.scale_fields) - 1) in texts(at.error)
    assert count(demo_db, WeeklyCheckin) == 0

    for field, value in TIRED.items():
        at.radio(key=field_key(field)).set_value(value)
    actions = at.multiselect(key=field_key("selfcare_actions"))
    assert actions.proto.select_all == 0  # no "Select all": Streamlit has it in English only
    actions.set_value(["pause_walk"])
    at.text_area(key=field_key("reflection")).input("Bel me op 06-12345678")
    at.button(key=CHECKIN_SUBMIT).click()
    run(at)
    assert "telefoonnummer" in texts(at.error)  # identifiers refused, in Dutch
    assert count(demo_db, WeeklyCheckin) == 0

    at.text_area(key=field_key("reflection")).input("Zware week, veel spanning.")
    at.button(key=CHECKIN_SUBMIT).click()
    run(at)
    assert count(demo_db, WeeklyCheckin) == 1
    assert NL["checkin.saved"] in texts(at.success)
    capacity = at.metric[0].value
    assert capacity.endswith("/100") and int(capacity.split("/")[0]) < 50
    advice = texts(at.markdown)
    assert NL["advice.seek_support.title"] in advice  # burnout item 3
    assert NL["advice.keep_going.title"] not in advice
    assert at.get("download_button")  # the .ics reminder

    at.radio(key="goal_choice").set_value("__own__")
    at.text_input(key="goal_own_text").input("Mail j.jansen@example.nl")
    at.button(key="goal_submit").click()
    run(at)
    assert "e-mailadres" in texts(at.error) and count(demo_db, SelfcareGoal) == 0
    at.radio(key="goal_choice").set_value("book_supervision")
    at.button(key="goal_submit").click()
    run(at)
    assert count(demo_db, SelfcareGoal) == 1
    assert NL["goal.book_supervision"] in texts(at.markdown)


def test_my_cases_add_rate_record_and_close(therapist, run, demo_db):
    at = go(therapist, "my_cases", run)
    assert NL["cases.empty"] in texts(at.info)
    at.date_input(key="add_case_opened_on").set_value(dt.date.today() - dt.timedelta(weeks=2))
    at.button(key="add_case_submit").click()
    run(at)
    assert count(demo_db, Case) == 1
    code = at.selectbox(key="my_cases.selected").value
    assert NL["cases.added"].format(code=code) in texts(at.success)

    prefix = f"{code}_"
    burden = at.radio(key=burden_key(prefix))  # asked, optional, starting unanswered
    assert burden.label == NL["form.burden.label"] and burden.value == NOT_RATED
    assert list(burden.options) == ["–", *(str(n) for n in range(11))]
    for item in INSTRUMENT.scored_item_ids:
        at.radio(key=item_key(item, prefix)).set_value(2)
    burden.set_value(7)
    at.button(key=RATE_SUBMIT + prefix).click()
    run(at)
    assert count(demo_db, CaseRating) == 1
    assert NL["band.moderate"] in [m.value for m in at.metric]
    engine = demo_db.engine()
    try:
        with session_scope(engine, readonly=True) as s:
            stored = s.scalars(select(CaseRating)).one()
            low, high, stored_burden = stored.complexity_low, stored.complexity_high, stored.burden
    finally:
        engine.dispose()
    assert stored_burden == 7
    # The range (the interplay was left unrated) in the result, the caseload table and
    # the latest rating's caption; and which model the scores come from.
    shown = NL["result.range.one"].format(count=1, low=round(low), high=round(high))
    assert shown in texts(at.markdown) and shown in texts(at.caption)
    assert at.dataframe[0].value[NL["cases.col_range"]].tolist() == [f"{round(low)}–{round(high)}"]
    assert NL["scores.models"].format(models="2.0.0") in texts(at.caption)
    assert at.radio(key=burden_key(prefix)).value == NOT_RATED  # the next rating asks afresh

    future = dt.date.today() + dt.timedelta(days=3)
    at.date_input(key=f"session_date_{code}").set_value(future)
    at.button(key=f"session_submit_{code}").click()
    run(at)
    assert "toekomst" in texts(at.error) and count(demo_db, TherapySession) == 0
    at.date_input(key=f"session_date_{code}").set_value(dt.date.today())
    at.button(key=f"session_submit_{code}").click()
    run(at)
    assert count(demo_db, TherapySession) == 1
    assert NL["sessions.stored"].format(count=1) in texts(at.success)

    days = at.multiselect(key=f"week_days_{code}")
    assert days.proto.select_all == 0 and days.placeholder == NL["sessions.days_placeholder"]
    days.set_value([0, 1])
    at.date_input(key="week_sessions_week").set_value(dt.date.today() - dt.timedelta(weeks=1))
    at.button(key="week_sessions_submit").click()
    run(at)
    assert count(demo_db, TherapySession) == 3

    at.button(key=f"close_submit_{code}").click()
    run(at)
    assert NL["cases.closed_notice"].format(code=code) in texts(at.success)
    assert not [box for box in at.selectbox if box.key == "my_cases.selected"]  # no open case left to pick


def test_report_page_offers_the_html_download(therapist, run):
    at = go(therapist, "report", run)
    assert [t.value for t in at.title] == [NL["report.title"]]
    assert at.get("download_button")
    assert NL["report.no_flags"] in texts(at.markdown)


def test_my_data_consent_share_and_erase(therapist, run, demo_db, team_oost):
    at = go(therapist, "my_data", run)
    assert NL["my_data.log_empty"] in texts(at.markdown)
    at.button(key="consent_toggle").click()
    run(at)
    assert count(demo_db, ResearchConsent) == 1 and NL["my_data.consent_given"] in texts(at.markdown)

    at.button(key="share_submit").click()  # no supervisor chosen
    run(at)
    assert NL["my_data.share_incomplete"] in texts(at.error) and count(demo_db, ShareGrant) == 0
    at.selectbox(key="share_supervisor").set_value("sanne")
    at.button(key="share_submit").click()
    run(at)
    assert count(demo_db, ShareGrant) == 1
    revoke = [b for b in at.button if b.key and b.key.startswith("revoke_")]
    assert len(revoke) == 1
    revoke[0].click()
    run(at)
    assert NL["my_data.share_revoked"] in texts(at.markdown)

    assert len(at.get("download_button")) == 0
    at.button(key="prepare_download").click()
    run(at)
    assert len(at.get("download_button")) == 1  # the zip, ready
    with session_scope(demo_db.engine(), readonly=True) as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "export")) == 1

    at.text_input(key="erase_confirmation").input("iemand-anders")
    at.button(key="erase_submit").click()
    run(at)
    assert NL["my_data.erase_refused"] in texts(at.error)
    at.text_input(key="erase_confirmation").input("anna")
    at.button(key="erase_submit").click()
    run(at)
    assert count(demo_db, UserAccount) == 3 and count(demo_db, WeeklyCheckin) == 0
    assert [t.value for t in at.title] == [] or NL["my_week.title"] not in [t.value for t in at.title]


@pytest.mark.parametrize("role", ["supervisor", "researcher", "admin"])
def test_other_roles_cannot_open_therapist_pages(logged_in, role):
    at = logged_in(role)
    for page in ("my_week", "my_cases", "checkin", "report", "my_data"):
        with pytest.raises(ValueError):
            at.switch_page(f"views/{page}.py")


def test_pages_speak_english_when_chosen(therapist, run):
    therapist.sidebar.radio(key="language").set_value("en")
    run(therapist)
    assert [t.value for t in therapist.title] == [EN["my_week.title"]]
    at = go(therapist, "checkin", run)
    assert [t.value for t in at.title] == [EN["checkin.title"]]


def test_supervisor_team_page_shows_load_and_shared_reports_only(logged_in, run, demo_db, team_oost):
    at = logged_in("supervisor")
    assert [t.value for t in at.title] == [EN["team.title"]]
    (table,) = at.dataframe
    assert table.value[EN["team.col_therapist"]].tolist() == ["Anna"]
    reads = count(demo_db, AuditEvent)
    run(at)  # a rerun reads the same again: no new audit lines
    assert count(demo_db, AuditEvent) == reads
    assert EN["team.no_shared"] in texts(at.markdown)
    assert EN["my_week.capacity"] not in texts(at.markdown)  # no wellbeing figures

    engine = demo_db.engine()
    try:
        with session_scope(engine) as s:  # Anna shares her report with Sanne
            from store.models import UserAccount as Account
            anna = s.get(Account, demo_db.user_ids["anna"])
            grant = privacy.grant_share(s, anna, "sanne", dt.date.today() - dt.timedelta(weeks=4), dt.date.today())
    finally:
        engine.dispose()
    run(at)
    assert at.selectbox(key="shared_select").options == [
        f"Anna: {grant.period_start:%d-%m-%Y} to {grant.period_end:%d-%m-%Y}"]
    at.selectbox(key="shared_select").set_value(grant.id)
    run(at)
    assert at.get("plotly_chart") and len(at.dataframe) == 2  # the team table and the shared report's weeks
    assert at.get("download_button")  # the same HTML file Anna downloads
    with session_scope(demo_db.engine(), readonly=True) as s:
        reads = s.scalars(select(AuditEvent.detail).where(AuditEvent.action == "read")).all()
    assert any("shared report" in (d or "") for d in reads)


def test_researcher_sees_nothing_below_five_then_pooled_data(logged_in, run, demo_db):
    at = logged_in("researcher")
    assert [t.value for t in at.title] == [NL["research.title"]]
    assert NL["research.refused"] in texts(at.error) and not at.get("download_button")
    from store.models import ResearchConsent, Therapist

    engine = demo_db.engine()
    try:
        with session_scope(engine) as s:
            for n in range(5):
                therapist = Therapist(display_name=f"T{n}", experience="experienced", contracted_sessions=20)
                s.add(therapist)
                s.flush()
                s.add(ResearchConsent(therapist_id=therapist.id, research_id=f"{n:032d}"))
    finally:
        engine.dispose()
    run(at)
    assert [m.value for m in at.metric][0] == "5"
    assert not at.get("download_button")  # built only when asked for (tests/dashboard/test_research_page.py)
    with session_scope(demo_db.engine(), readonly=True) as s:
        assert s.scalars(select(AuditEvent.detail).where(AuditEvent.subject_type == "research_dataset")).all()


def table_with(at, column: str):
    """The one table on the page with ``column`` (AppTest's tables carry no key)."""
    (table,) = [d.value for d in at.dataframe if column in d.value.columns]
    return table


def test_admin_deactivates_an_account_and_reads_the_audit_log(logged_in, run, demo_db):
    at = logged_in("admin")
    assert [t.value for t in at.title] == [NL["admin.title"]]
    accounts = at.dataframe[0].value
    assert set(accounts[NL["admin.col_username"]]) == {"anna", "sanne", "rita", "beheer"}
    assert not any("reflection" in str(c) for c in accounts.columns)
    at.selectbox(key="admin_target").set_value(demo_db.user_ids["beheer"])
    at.button(key="admin_apply").click()
    run(at)
    assert NL["refused.own_deactivation"] in texts(at.error)  # the store's rule, in the user's language
    at.selectbox(key="admin_target").set_value(demo_db.user_ids["anna"])
    at.button(key="admin_apply").click()
    run(at)
    with session_scope(demo_db.engine(), readonly=True) as s:
        assert not s.get(UserAccount, demo_db.user_ids["anna"]).active
    log = table_with(at, NL["admin.audit_col_detail"])
    assert log.notna().all().all() and "None" not in log.to_numpy().ravel().tolist()  # gaps show a dash
    assert "–" in log[NL["admin.audit_col_subject_id"]].tolist()  # reading the log has no subject id
    assert list(log.columns) == [NL[f"admin.audit_col_{c}"] for c in
                                 ("at", "actor", "actor_role", "action", "outcome", "subject_type", "subject_id",
                                  "detail", "client_address", "session_key")]
    refused = log[log[NL["admin.audit_col_action"]] == NL["audit.authz_denied"]]
    assert set(refused[NL["admin.audit_col_outcome"]]) <= {NL["outcome.refused"]}
    actions = set(log[NL["admin.audit_col_action"]])
    assert {NL["audit.login_success"], NL["audit.change"]} <= actions and "login_success" not in actions
    assert NL["subject.user_account"] in set(log[NL["admin.audit_col_subject_type"]])
    accounts = at.dataframe[0].value
    never = accounts[accounts[NL["admin.col_username"]] == "rita"][NL["admin.col_last_login_at"]].iloc[0]
    assert never == "–"  # an account that never logged in shows a dash, not None
    at.sidebar.radio(key="language").set_value("en")
    run(at)
    assert list(table_with(at, EN["admin.audit_col_detail"]).columns)[:4] == [
        EN["admin.audit_col_at"], EN["admin.audit_col_actor"], EN["admin.audit_col_actor_role"], EN["admin.audit_col_action"]]


def test_admin_filters_pages_and_exports_the_audit_log(logged_in, run, demo_db):
    from store import audit
    from store.audit_log import PAGE_SIZE

    with session_scope(demo_db.engine()) as s:  # more lines than one page holds
        for i in range(PAGE_SIZE + 30):
            audit.record(s, "change", actor=demo_db.user_ids["beheer"], subject_type="team", subject_id=i)
    at = logged_in("admin")
    assert NL["admin.audit_pages"].split("{")[0] + "1 " in texts(at.caption)
    assert len(table_with(at, NL["admin.audit_col_detail"])) == PAGE_SIZE
    at.button(key="audit_older").click()
    run(at)
    assert NL["admin.audit_pages"].split("{")[0] + "2 " in texts(at.caption)
    older = table_with(at, NL["admin.audit_col_detail"])
    assert 30 <= len(older) < PAGE_SIZE

    at.selectbox(key="audit_outcome").set_value("refused")
    at.button(key="audit_show").click()
    run(at)
    shown = table_with(at, NL["admin.audit_col_detail"])
    assert set(shown[NL["admin.audit_col_outcome"]]) <= {NL["outcome.refused"]}

    at.selectbox(key="audit_outcome").set_value(None)
    at.selectbox(key="audit_person").set_value(demo_db.user_ids["anna"])
    at.button(key="audit_show").click()
    run(at)
    assert NL["admin.audit_pages"].split("{")[0] + "1 " in texts(at.caption)
    at.button(key="audit_prepare_csv").click()
    run(at)
    assert at.get("download_button")  # the file is there to download
    with session_scope(demo_db.engine(), readonly=True) as s:
        exports = s.scalars(select(AuditEvent).where(AuditEvent.action == "export",
                                                     AuditEvent.subject_type == "audit_log")).all()
    assert len(exports) == 1 and f"person_id={demo_db.user_ids['anna']}" in exports[0].detail


def test_admin_builds_a_team_with_a_supervisor_and_a_therapist_account(logged_in, run, demo_db):
    at = logged_in("admin")
    at.text_input(key="new_team_name").input("team  zuid")
    at.button(key="new_team_submit").click()
    run(at)
    assert NL["admin.team_created"].format(name="team zuid") in texts(at.success)
    at.text_input(key="new_team_name").input("Team Zuid")  # the same name in other letters
    at.button(key="new_team_submit").click()
    run(at)
    assert "team zuid" in texts(at.error).lower() and NL["problem.team_exists"].split("{")[0] in texts(at.error)

    assert list(table_with(at, NL["admin.teams_col_supervisors"])[NL["admin.teams_col_name"]]) == ["team zuid"]
    team_id = at.selectbox(key="supervision_team").value  # the only team
    at.selectbox(key="supervision_user").set_value(demo_db.user_ids["sanne"])
    at.button(key="supervision_submit").click()
    run(at)
    assert NL["admin.supervision_done"] in texts(at.success), (texts(at.error), texts(at.warning))
    assert table_with(at, NL["admin.teams_col_supervisors"])[NL["admin.teams_col_supervisors"]].tolist() == ["sanne"]

    # A therapist account without a name: every problem at once, nothing stored.
    at.text_input(key="new_account_username").input("Nina")
    at.selectbox(key="new_account_role").set_value("therapist")
    at.button(key="new_account_submit").click()
    run(at)
    # The form names the field by its label, as the user sees it, not by its column.
    label = at.text_input(key="new_account_display_name").label
    assert f"- {label}: " in texts(at.error) and "display_name" not in texts(at.error)
    assert count(demo_db, UserAccount) == 4
    at.text_input(key="new_account_display_name").input("Nina")
    at.selectbox(key="new_account_team").set_value(team_id)
    at.number_input(key="new_account_sessions").set_value(18)
    at.button(key="new_account_submit").click()
    run(at)
    assert NL["admin.account_created"].format(username="nina") in texts(at.success)
    engine = demo_db.engine()
    try:
        with session_scope(engine, readonly=True) as s:
            nina = s.scalar(select(UserAccount).where(UserAccount.username == "nina"))
            therapist = s.get(Therapist, nina.therapist_id)
            assert nina.password_hash is None and therapist.contracted_sessions == 18
            assert therapist.team_id == team_id
    finally:
        engine.dispose()
    assert table_with(at, NL["admin.teams_col_supervisors"])[NL["admin.teams_col_therapists"]].tolist() == [1]
    assert not at.warning and not at.exception


def test_a_failing_page_shows_a_plain_message_never_a_traceback(therapist, monkeypatch, run):
    import store.overview

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    go(therapist, "report", run)
    monkeypatch.setattr(store.overview, "period_report", broken)
    therapist.run()
    assert not therapist.exception
    assert [e.value for e in therapist.error] == [NL["error.unexpected"]]
    everything = texts(therapist.markdown) + texts(therapist.error) + texts(therapist.caption)
    assert "secret internal detail" not in everything and "Traceback" not in everything


def test_streamlit_never_shows_error_details():
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
