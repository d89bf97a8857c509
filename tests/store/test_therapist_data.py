"""My week, self-care goals and "My data" (sharing, consent, access log, erasure), on
both backends."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from complexity import INSTRUMENT
from store import AccessDenied, InvalidInput, NotFound
from store import overview, privacy, selfcare
from store.cases import add_case, close_case, rate_case, record_sessions
from store.checkins import save_checkin
from store.load import team_weekly_load
from store.db import session_scope
from store.models import (
    AuditEvent, Case, CaseRating, ResearchConsent, SelfcareGoal, ShareGrant, SupervisorTeam, Therapist,
    TherapySession, UserAccount, WeeklyCheckin,
)

AS_OF = dt.date.today()
MONDAY = AS_OF - dt.timedelta(days=AS_OF.weekday())
HEAVY = {i: 3 for i in INSTRUMENT.scored_item_ids} | {"safety_concern": 2}
TIRED = {"energy": 2, "body_tension": 8, "emotional_exhaustion": 8, "rumination": 7, "sleep": 3,
         "meaning": 3, "selfcare_time": 1, "burnout": 3}


def count(engine, model) -> int:
    with session_scope(engine, readonly=True) as s:
        return s.scalar(select(func.count()).select_from(model))


def overloaded(engine, people) -> str:
    """Anna (contracted 20, starting) with a severe case seen 30 times this week."""
    with session_scope(engine) as s:
        code = add_case(s, people.u1, opened_on=MONDAY - dt.timedelta(weeks=4))
        rate_case(s, people.u1, code, HEAVY, MONDAY - dt.timedelta(weeks=4))
        record_sessions(s, people.u1, code, [(MONDAY, 45)] * 30)
    return code


def test_my_week_shows_balance_flags_and_open_checkin(engine, people):
    code = overloaded(engine, people)
    with session_scope(engine, readonly=True) as s:
        week = overview.my_week(s, people.u1, as_of=AS_OF)
    assert len(week.balance) == overview.BALANCE_WEEKS
    assert week.balance["week_start"].is_monotonic_increasing
    now = week.this_week
    assert now["sessions"] == 30 and now["load_index"] > 1.10 and now["status"] == "red"
    assert week.checkin_open and week.open_cases == 1
    codes = [f.code for f in week.flags]
    assert "load_over_capacity" in codes
    assert {"consult_now", "therapist_impact_high"} <= set(codes)
    assert any(f.subject == code for f in week.flags if f.code == "consult_now")
    assert "balance" not in codes  # no check-in yet: capacity unknown

    with session_scope(engine) as s:
        save_checkin(s, people.u1, MONDAY, TIRED)
    with session_scope(engine, readonly=True) as s:
        week = overview.my_week(s, people.u1, as_of=AS_OF)
    assert not week.checkin_open
    assert week.this_week["capacity_score"] < 50
    assert "balance" in [f.code for f in week.flags]


def test_my_week_is_for_the_therapist_only(engine, people):
    for who in (people.supervisor, people.admin, people.researcher):
        with pytest.raises(AccessDenied), session_scope(engine) as s:
            overview.my_week(s, who)


def test_goal_agree_and_review_next_week(engine, people):
    last_week = MONDAY - dt.timedelta(weeks=1)
    with session_scope(engine) as s:
        goal = selfcare.save_goal(s, people.u1, "Elke dag een korte wandeling", resource="micro_breaks",
                                  week_start=last_week)
    assert goal.review_week == MONDAY and goal.status == "open"
    with session_scope(engine) as s:
        (due,) = selfcare.goals_to_review(s, people.u1, as_of=AS_OF)
        assert due.id == goal.id
        with pytest.raises(InvalidInput):
            selfcare.save_goal(s, people.u1, "Nog een doel", week_start=last_week)  # one per week
    with session_scope(engine) as s:
        selfcare.review_goal(s, people.u1, goal.id, "partly")
    with session_scope(engine, readonly=True) as s:
        assert selfcare.goals_to_review(s, people.u1, as_of=AS_OF) == []
        assert [g.status for g in selfcare.my_goals(s, people.u1)] == ["partly"]
    with pytest.raises(NotFound), session_scope(engine) as s:
        selfcare.review_goal(s, people.u2, goal.id, "achieved")  # not Bram's goal


@pytest.mark.parametrize("text, found", [
    ("Bellen met 06-12345678 over de planning", "phone"),
    ("Mail sturen naar j.jansen@example.nl", "e-mail"),
    ("", "required"),
    ("x" * 501, "at most 500 are allowed"),
])
def test_bad_goals_are_refused_and_nothing_stored(engine, people, text, found):
    with pytest.raises(InvalidInput) as err, session_scope(engine) as s:
        selfcare.save_goal(s, people.u1, text)
    assert found.lower() in str(err.value).lower()
    assert count(engine, SelfcareGoal) == 0


def test_share_and_revoke_with_a_named_supervisor(engine, people):
    with session_scope(engine) as s:
        assert privacy.supervisors(s, people.u1) == ["sanne"]
        share = privacy.grant_share(s, people.u1, "sanne", MONDAY - dt.timedelta(weeks=8), MONDAY)
    with session_scope(engine) as s:
        (listed,) = privacy.my_shares(s, people.u1)
        assert listed.active and listed.supervisor == "sanne"
        privacy.revoke_share(s, people.u1, share.id)
    with session_scope(engine, readonly=True) as s:
        assert not privacy.my_shares(s, people.u1)[0].active
    with pytest.raises(InvalidInput), session_scope(engine) as s:
        privacy.grant_share(s, people.u1, "rita", MONDAY, MONDAY)  # a researcher, not a supervisor
    with pytest.raises(InvalidInput), session_scope(engine) as s:
        privacy.grant_share(s, people.u1, "sanne", MONDAY, MONDAY - dt.timedelta(days=1))
    with pytest.raises(NotFound), session_scope(engine) as s:
        privacy.revoke_share(s, people.u2, share.id)


def test_a_report_is_shared_only_with_a_supervisor_of_ones_own_team(engine, people):
    with session_scope(engine) as s:  # a second supervisor, of team B only
        other = UserAccount(username="otto", role="supervisor")
        s.add(other)
        s.flush()
        s.add(SupervisorTeam(user_id=other.id, team_id=people.other_team_id))
    with session_scope(engine) as s:
        assert privacy.supervisors(s, people.u1) == ["sanne"] and privacy.supervisors(s, people.u3) == ["otto"]
    with pytest.raises(InvalidInput) as err, session_scope(engine) as s:
        privacy.grant_share(s, people.u1, "otto", MONDAY, MONDAY)
    assert err.value.problems[0].code == "not_your_supervisor"
    with session_scope(engine) as s:
        privacy.grant_share(s, people.u3, "otto", MONDAY, MONDAY)
    with session_scope(engine) as s:  # a deactivated supervisor is no longer offered, nor accepted
        s.get(UserAccount, other.id).active = False
    with session_scope(engine) as s:
        assert privacy.supervisors(s, people.u3) == []
    with pytest.raises(InvalidInput), session_scope(engine) as s:
        privacy.grant_share(s, people.u3, "otto", MONDAY, MONDAY)
    assert count(engine, ShareGrant) == 1


def test_research_consent_give_and_withdraw(engine, people):
    with session_scope(engine) as s:
        assert not privacy.research_consent(s, people.u1)
        privacy.set_research_consent(s, people.u1, True)
        privacy.set_research_consent(s, people.u1, True)  # idempotent
    with session_scope(engine) as s:
        assert privacy.research_consent(s, people.u1)
        (consent,) = s.scalars(select(ResearchConsent)).all()
        assert len(consent.research_id) == 32 and str(people.t1.id) != consent.research_id
        privacy.set_research_consent(s, people.u1, False)
    with session_scope(engine, readonly=True) as s:
        assert not privacy.research_consent(s, people.u1)


def test_access_log_shows_who_else_read_my_data(engine, people):
    overloaded(engine, people)
    with session_scope(engine) as s:
        team_weekly_load(s, people.supervisor, people.team_id, 4)
    with session_scope(engine, readonly=True) as s:
        log = privacy.access_log(s, people.u1)
    assert log and all(r.who == "sanne" and r.role == "supervisor" for r in log)
    assert {r.action for r in log} == {"read"}
    with session_scope(engine, readonly=True) as s:
        assert privacy.access_log(s, people.u2)  # Bram's load was read too
        assert privacy.access_log(s, people.u3) == []  # team B was not


def test_erasure_needs_the_username_and_removes_everything(engine, people):
    overloaded(engine, people)
    with session_scope(engine) as s:
        save_checkin(s, people.u1, MONDAY, TIRED)
        selfcare.save_goal(s, people.u1, "Pauze nemen")
        privacy.set_research_consent(s, people.u1, True)
        privacy.grant_share(s, people.u1, "sanne", MONDAY, MONDAY)
        code = add_case(s, people.u2)  # Bram's data must survive
    with pytest.raises(InvalidInput), session_scope(engine) as s:
        privacy.erase_my_data(s, people.u1, "bram")
    assert count(engine, WeeklyCheckin) == 1
    with session_scope(engine) as s:
        privacy.erase_my_data(s, people.u1, "anna")
    with session_scope(engine, readonly=True) as s:
        assert s.scalar(select(UserAccount).where(UserAccount.username == "anna")) is None
        assert s.get(Therapist, people.t1.id) is None
        assert s.scalars(select(Case.code)).all() == [code]
        for model in (CaseRating, TherapySession, WeeklyCheckin, SelfcareGoal, ShareGrant, ResearchConsent):
            assert s.scalar(select(func.count()).select_from(model)) == 0, model.__name__
        erased = s.scalars(select(AuditEvent).where(AuditEvent.action == "delete")).one()
        assert erased.subject_id == str(people.t1.id)


def test_period_report_own_and_shared(engine, people):
    code = overloaded(engine, people)
    start, end = MONDAY - dt.timedelta(weeks=3), MONDAY + dt.timedelta(days=6)
    with session_scope(engine) as s:
        save_checkin(s, people.u1, MONDAY, TIRED)
        report = overview.period_report(s, people.u1, start, end)
    assert list(report.balance["week_start"].dt.date) == [start + dt.timedelta(weeks=i) for i in range(4)]
    assert report.balance["sessions"].tolist() == [0, 0, 0, 30]
    assert {"load_over_capacity", "balance"} <= set(report.flags["code"])
    assert report.case_bands == {"severe": 1}
    (case,) = report.cases  # by its scores and range, never its code
    assert (case.band, case.complexity, case.model_version) == ("severe", pytest.approx(100.0), "2.0.0")
    assert case.complexity_low <= case.complexity <= case.complexity_high and code not in repr(case)
    assert report.balance["model_versions"].tolist() == ["", "", "", "2.0.0"]  # the weeks weighed by 2.0
    with session_scope(engine) as s:
        assert overview.case_trends(s, people.u1) == {code: [pytest.approx(100.0)]}

    with pytest.raises(AccessDenied), session_scope(engine) as s:  # not shared (yet)
        overview.period_report(s, people.supervisor, start, end, therapist_id=people.t1.id)
    with session_scope(engine) as s:
        share = privacy.grant_share(s, people.u1, "sanne", start, end)
    with session_scope(engine) as s:
        shared = overview.period_report(s, people.supervisor, start, end, therapist_id=people.t1.id)
    pd_equal = shared.balance.equals(report.balance)
    assert pd_equal
    with session_scope(engine, readonly=True) as s:
        assert any("shared report" in (r.what or "") for r in privacy.access_log(s, people.u1))
    with pytest.raises(AccessDenied), session_scope(engine) as s:  # outside the shared period
        overview.period_report(s, people.supervisor, start - dt.timedelta(weeks=1), end, therapist_id=people.t1.id)
    with session_scope(engine) as s:
        privacy.revoke_share(s, people.u1, share.id)
    with pytest.raises(AccessDenied), session_scope(engine) as s:
        overview.period_report(s, people.supervisor, start, end, therapist_id=people.t1.id)


def test_last_weeks_overload_stays_on_my_week_while_this_week_is_young(engine, people):
    with session_scope(engine) as s:
        code = add_case(s, people.u1, opened_on=MONDAY - dt.timedelta(weeks=4))
        rate_case(s, people.u1, code, HEAVY, MONDAY - dt.timedelta(weeks=4))
        record_sessions(s, people.u1, code, [(MONDAY - dt.timedelta(days=5), 45)] * 30)
        save_checkin(s, people.u1, MONDAY - dt.timedelta(weeks=1), TIRED)
    with session_scope(engine, readonly=True) as s:
        week = overview.my_week(s, people.u1, as_of=MONDAY)
    last_week = week.balance.iloc[-2]["week"]
    by_code = {f.code: f for f in week.flags if f.spec.scope == "therapist"}
    assert by_code["load_over_capacity"].week == last_week and by_code["load_over_capacity"].severity == "red"
    assert by_code["balance"].week == last_week
    with session_scope(engine) as s:  # this week's check-in (a good one) replaces last week's balance
        save_checkin(s, people.u1, MONDAY, {k: 9 if k not in ("body_tension", "emotional_exhaustion",
                                                                     "rumination", "burnout") else 1
                                                 for k in TIRED})
    with session_scope(engine, readonly=True) as s:
        week = overview.my_week(s, people.u1, as_of=MONDAY)
    codes = [f.code for f in week.flags]
    assert "balance" not in codes and "load_over_capacity" in codes


def test_my_data_download_is_complete_neutralised_and_logged(engine, people):
    import io
    import zipfile

    import pandas as pd

    overloaded(engine, people)
    with session_scope(engine) as s:
        save_checkin(s, people.u1, MONDAY, {**TIRED, "reflection": "=HYPERLINK(\"x\") druk"})
        add_case(s, people.u2)  # Bram's case must not be in Anna's download
        data = privacy.export_my_data(s, people.u1)
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    assert {"cases.csv", "ratings.csv", "sessions.csv", "checkins.csv", "codebook.csv", "codebook.md"} <= names
    cases = pd.read_csv(archive.open("cases.csv"), sep=";", encoding="utf-8-sig")
    assert len(cases) == 1
    checkins = pd.read_csv(archive.open("checkins.csv"), sep=";", encoding="utf-8-sig")
    assert checkins["reflection"].tolist() == ["'=HYPERLINK(\"x\") druk"]
    assert len(pd.read_csv(archive.open("sessions.csv"), sep=";", encoding="utf-8-sig")) == 30
    codebook = pd.read_csv(archive.open("codebook.csv"), sep=";", encoding="utf-8-sig")
    assert {"reflection", "case_code"} <= set(codebook["column"])
    with session_scope(engine, readonly=True) as s:
        (event,) = s.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
        assert event.actor_user_id == people.u1.id and event.subject_id == str(people.t1.id)
    with pytest.raises(AccessDenied), session_scope(engine) as s:
        privacy.export_my_data(s, people.supervisor)


def test_an_erased_therapists_id_is_never_given_to_a_newcomer(engine, people):
    assert people.t3.id == max(people.t1.id, people.t2.id, people.t3.id)  # Cas has the highest id
    with session_scope(engine) as s:
        team_weekly_load(s, people.supervisor, people.team_id, 2)  # something in the audit log
        privacy.erase_my_data(s, people.u3, "cas")
    with session_scope(engine) as s:
        newcomer = Therapist(display_name="Iris", experience="starting", contracted_sessions=20)
        account = UserAccount(username="iris", role="therapist")
        s.add_all([newcomer])
        s.flush()
        account.therapist_id = newcomer.id
        s.add(account)
        s.flush()
        assert newcomer.id > people.t3.id and account.id > people.researcher.id
        assert privacy.access_log(s, account) == []  # nothing of Cas's history


def test_a_share_covers_whole_weeks_and_exactly_those(engine, people):
    wednesday = MONDAY - dt.timedelta(weeks=2) + dt.timedelta(days=2)
    with session_scope(engine) as s:
        share = privacy.grant_share(s, people.u1, "sanne", wednesday, wednesday + dt.timedelta(days=7))
    assert share.period_start == wednesday - dt.timedelta(days=2)  # its Monday
    assert share.period_end == share.period_start + dt.timedelta(days=13)  # the next week's Sunday
    with session_scope(engine) as s:
        report = overview.period_report(s, people.supervisor, share.period_start, share.period_end,
                                        therapist_id=people.t1.id)
        assert len(report.balance) == 2
    with pytest.raises(AccessDenied), session_scope(engine) as s:  # one day more is a week more
        overview.period_report(s, people.supervisor, share.period_start, share.period_end + dt.timedelta(days=1),
                               therapist_id=people.t1.id)
    with pytest.raises(InvalidInput) as err, session_scope(engine) as s:
        privacy.grant_share(s, people.u1, "niemand", MONDAY, MONDAY)
    assert err.value.messages("nl") == [
        "kolom supervisor: 'niemand' is geen supervisor van je team; je kunt je rapport alleen delen met de "
        "supervisors van je eigen team"]


def test_a_case_cannot_close_before_its_last_rating(engine, people):
    with session_scope(engine) as s:
        code = add_case(s, people.u1, opened_on=MONDAY - dt.timedelta(weeks=3))
        rate_case(s, people.u1, code, HEAVY, MONDAY - dt.timedelta(weeks=1))
    with pytest.raises(InvalidInput) as err, session_scope(engine) as s:
        close_case(s, people.u1, code, MONDAY - dt.timedelta(weeks=2))
    assert "score" in err.value.messages("nl")[0]
    with session_scope(engine) as s:
        close_case(s, people.u1, code, MONDAY - dt.timedelta(weeks=1))
