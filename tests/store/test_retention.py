"""Retention: the policy and its checks, and `purge` (dry run, one transaction, logged)
on both backends; the command in either language."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from sqlalchemy import func, select

from complexity import INSTRUMENT
from store import privacy
from store.cases import add_case, close_case, rate_case, record_sessions
from store.checkins import save_checkin
from store.db import make_engine, session_scope
from store.models import AuditEvent, Case, CaseRating, ShareGrant, TherapySession, WeeklyCheckin
from store.retention import RetentionPolicy, load_policy, purge

TODAY = dt.date.today()
MONDAY = TODAY - dt.timedelta(days=TODAY.weekday())
POLICY = RetentionPolicy(checkins_weeks=10, goals_weeks=10, closed_cases_weeks=10, revoked_shares_weeks=10,
                         login_sessions_weeks=10)
CHECKIN = {"energy": 5, "body_tension": 5, "emotional_exhaustion": 5, "rumination": 5, "sleep": 5,
           "meaning": 5, "selfcare_time": 5, "burnout": 2}
RATING = {i: 1 for i in INSTRUMENT.scored_item_ids}


def count(engine, model) -> int:
    with session_scope(engine, readonly=True) as s:
        return int(s.scalar(select(func.count()).select_from(model)))


def _fill(engine, people) -> None:
    with session_scope(engine) as s:
        for weeks_ago in (20, 12, 3):
            save_checkin(s, people.u1, MONDAY - dt.timedelta(weeks=weeks_ago), CHECKIN)
        old = add_case(s, people.u1, opened_on=MONDAY - dt.timedelta(weeks=30))
        rate_case(s, people.u1, old, RATING, MONDAY - dt.timedelta(weeks=30))
        record_sessions(s, people.u1, old, [(MONDAY - dt.timedelta(weeks=29), 45)] * 3)
        close_case(s, people.u1, old, MONDAY - dt.timedelta(weeks=20))
        recent = add_case(s, people.u1, opened_on=MONDAY - dt.timedelta(weeks=30))
        rate_case(s, people.u1, recent, RATING, MONDAY - dt.timedelta(weeks=30))
        close_case(s, people.u1, recent, MONDAY - dt.timedelta(weeks=2))
        add_case(s, people.u1, opened_on=MONDAY - dt.timedelta(weeks=40))  # open: never purged


def test_a_dry_run_counts_and_the_purge_removes_what_has_expired(engine, people):
    _fill(engine, people)
    with session_scope(engine) as s:
        result = purge(s, POLICY, dry_run=True)
    assert result.counts == {"checkins": 2, "goals": 0, "closed_cases": 1, "revoked_shares": 0, "login_sessions": 0}
    assert count(engine, WeeklyCheckin) == 3 and count(engine, Case) == 3  # nothing changed
    with session_scope(engine) as s:
        result = purge(s, POLICY)
    assert result.total == 3 and not result.dry_run
    assert count(engine, WeeklyCheckin) == 1 and count(engine, Case) == 2
    assert count(engine, CaseRating) == 1 and count(engine, TherapySession) == 0  # went with their case
    with session_scope(engine, readonly=True) as s:
        line = s.scalars(select(AuditEvent).where(AuditEvent.subject_type == "retention")).one()
    assert line.action == "delete" and "checkins 2" in line.detail and "closed_cases 1" in line.detail
    with session_scope(engine) as s:  # again: nothing left to remove, no new line
        assert purge(s, POLICY).total == 0


def test_revoked_shares_expire_from_their_revocation(engine, people):
    with session_scope(engine) as s:
        share = privacy.grant_share(s, people.u1, "sanne", MONDAY - dt.timedelta(weeks=8), MONDAY)
        privacy.revoke_share(s, people.u1, share.id)
    with session_scope(engine) as s:
        assert purge(s, POLICY).counts["revoked_shares"] == 0  # revoked today
        assert purge(s, POLICY, on=TODAY + dt.timedelta(weeks=11)).counts["revoked_shares"] == 1
    assert count(engine, ShareGrant) == 0


def test_login_sessions_expire_from_the_login(engine, people):
    from store.accounts.sessions import open_session
    from store.models import LoginSession

    login = dt.datetime.combine(TODAY, dt.time(9), tzinfo=dt.timezone.utc)
    with session_scope(engine) as s:
        open_session(s, people.u1.id, now=login - dt.timedelta(weeks=11), client_address="10.0.0.7")
        open_session(s, people.u1.id, now=login - dt.timedelta(weeks=2), client_address="10.0.0.7")
    with session_scope(engine) as s:
        assert purge(s, POLICY).counts["login_sessions"] == 1
    assert count(engine, LoginSession) == 1


def test_the_purge_is_one_transaction(engine, people, monkeypatch):
    _fill(engine, people)
    from store import retention

    real = retention.delete
    calls = []

    def failing(model):
        calls.append(model)
        if len(calls) == 3:  # after the check-ins and goals went, the cases fail
            raise RuntimeError("the database went away")
        return real(model)

    monkeypatch.setattr(retention, "delete", failing)
    with pytest.raises(RuntimeError), session_scope(engine) as s:
        purge(s, POLICY)
    assert count(engine, WeeklyCheckin) == 3 and count(engine, Case) == 3


def test_the_policy_takes_the_operators_file_and_refuses_nonsense(tmp_path, monkeypatch):
    assert load_policy().checkins_weeks == 104
    own = tmp_path / "retention.toml"
    own.write_text("checkins_weeks = 52\n")
    monkeypatch.setenv("DRAAGKRACHT_RETENTION_FILE", str(own))
    assert load_policy() == RetentionPolicy(checkins_weeks=52, goals_weeks=104, closed_cases_weeks=104,
                                            revoked_shares_weeks=52, login_sessions_weeks=13)
    for text, found in (("checkin_weeks = 52\n", "unknown retention setting"), ("goals_weeks = 0\n", "at least"),
                        ("goals_weeks = \"lang\"\n", "whole number")):
        own.write_text(text)
        with pytest.raises(ValueError, match=found):
            load_policy()


@pytest.mark.parametrize("lang, would, done", [
    ("en", "would be removed; nothing was changed", "removed in one transaction"),
    ("nl", "zouden verwijderd worden; er is niets veranderd", "verwijderd in één transactie"),
])
def test_the_command_in_either_language(tmp_path, monkeypatch, capsys, sqlite_template, make_people, lang, would,
                                        done):
    from store.__main__ import main

    db = tmp_path / "cli.sqlite3"
    shutil.copyfile(sqlite_template, db)
    engine = make_engine(f"sqlite:///{db}")
    try:
        _fill(engine, make_people(engine))
        monkeypatch.setenv("DRAAGKRACHT_DATABASE_URL", f"sqlite:///{db}")
        own = tmp_path / "retention.toml"
        own.write_text("checkins_weeks = 10\nclosed_cases_weeks = 10\n")
        monkeypatch.setenv("DRAAGKRACHT_RETENTION_FILE", str(own))
        assert main(["purge", "--dry-run", "--lang", lang]) == 0
        assert would in capsys.readouterr().out and count(engine, WeeklyCheckin) == 3
        assert main(["purge", "--lang", lang]) == 0
        assert done in capsys.readouterr().out and count(engine, WeeklyCheckin) == 1
        own.write_text("checkins_weeks = 1\n")
        assert main(["purge", "--lang", lang]) == 2  # a period under four weeks: refused, nothing removed
        assert count(engine, WeeklyCheckin) == 1
    finally:
        engine.dispose()
