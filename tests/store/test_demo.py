"""The demo practice (store.demo) keeps the promises of issue 3, on both backends."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, func, select

from complexity import BANDS, DEFAULT_CONFIG, INSTRUMENT, score_cases
from complexity.load import session_weight, therapist_flags
from complexity.selfcare import SELFCARE_RULES
from store import InvalidInput
from store import demo
from store.load import team_weekly_load
from store.__main__ import main
from store.db import session_scope
from store.demo import DEMO_PASSWORDS, DemoNotEmpty, build_demo
from store.models import (
    AuditEvent, Base, Case, CaseRating, ResearchConsent, SelfcareGoal, ShareGrant, SupervisorTeam, Team,
    Therapist, TherapySession, UserAccount, WeeklyCheckin,
)
from store.accounts.passwords import verify_password

TODAY = dt.date.today()
# The last Friday before today: the week of as_of then has all its sessions (Mon-Fri).
AS_OF = TODAY - dt.timedelta(days=(TODAY.weekday() - 4) % 7 or 7)


def frame(engine: Engine, stmt) -> pd.DataFrame:
    with session_scope(engine, readonly=True) as s:
        result = s.execute(stmt)
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def content(engine: Engine, ignore=frozenset({("user_account", "password_hash"), ("audit_event", "at"),
                                              ("audit_event", "hash"), ("audit_chain", "last_hash")})):
    """Every row of every table, ordered by primary key, without salted hashes and the
    seeding's own timestamp (nor the audit chain's hashes, which cover it)."""
    out = {}
    with session_scope(engine, readonly=True) as s:
        for table in Base.metadata.sorted_tables:
            cols = [c for c in table.c if (table.name, c.name) not in ignore]
            out[table.name] = s.execute(select(*cols).order_by(*table.primary_key.columns)).all()
    return out


@pytest.fixture
def cheap_hashes(monkeypatch):
    """argon2id with small parameters: same code path, a fraction of the time."""
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(demo, "hash_password", hasher.hash)


def test_demo_practice_keeps_its_promises(engine):
    summary = build_demo(engine, as_of=AS_OF)
    first = AS_OF - dt.timedelta(days=AS_OF.weekday(), weeks=25)
    assert summary.first_week == first and summary.as_of == AS_OF

    with session_scope(engine, readonly=True) as s:
        assert s.scalar(select(func.count()).select_from(Team)) == 2
        therapists = s.scalars(select(Therapist).order_by(Therapist.id)).all()
        starters = [t for t in therapists if t.is_starting]
        assert len(therapists) == 8 and len(starters) == 4
        assert all(16 <= t.contracted_sessions <= 28 for t in starters)
        assert {t.team_id for t in therapists} == set(s.scalars(select(Team.id)))
        supervised = set(s.scalars(select(SupervisorTeam.team_id)))
        assert supervised == set(s.scalars(select(Team.id)))
        consents = s.scalar(select(func.count()).select_from(ResearchConsent))
        assert 4 < consents < 8  # most therapists, not all
        assert s.scalar(select(func.count()).select_from(SelfcareGoal)) >= 8
        resources = set(s.scalars(select(SelfcareGoal.resource)))
        assert resources - {None} <= set(SELFCARE_RULES.resource_ids)  # the store's rule: an id or none
        drifter = s.scalars(select(UserAccount).where(UserAccount.username == summary.drifting_username)).one()
        grant = s.scalars(select(ShareGrant)).one()
        assert grant.therapist_id == drifter.therapist_id
        assert s.get(UserAccount, grant.supervisor_user_id).role == "supervisor"
        assert s.get(Therapist, drifter.therapist_id).is_starting

    # 26 weeks of sessions up to as_of; cases open and close over time.
    sessions = frame(engine, select(TherapySession.case_id, TherapySession.session_date, TherapySession.complexity,
                                    TherapySession.weight, TherapySession.therapist_id))
    days = pd.to_datetime(sessions["session_date"])
    mondays = (days - pd.to_timedelta(days.dt.day_of_week, unit="D")).dt.date
    assert mondays.nunique() == 26 and mondays.min() == first and days.max().date() <= AS_OF
    cases = frame(engine, select(Case.id, Case.opened_on, Case.closed_on, Case.therapist_id))
    assert cases["closed_on"].notna().sum() > 20 and cases["closed_on"].isna().sum() > 20
    assert (pd.to_datetime(cases["opened_on"]).dt.date >= first).sum() > 50  # new intakes over time

    # Every band, some cases re-rated, some never rated.
    ratings = frame(engine, select(CaseRating.case_id, CaseRating.rated_on, CaseRating.complexity,
                                   CaseRating.band, CaseRating.id))
    assert set(ratings["band"]) == set(BANDS)
    assert ratings["band"].value_counts(normalize=True).min() > 0.05  # the bands spread over all four
    per_case = ratings.groupby("case_id").size()
    assert (per_case > 1).sum() > 10
    assert len(per_case) < len(cases)

    # Weight snapshots follow the repository's rule: session_weight of the case's latest
    # complexity on the session date (NaN when never rated).
    r = ratings.assign(rated_on=pd.to_datetime(ratings["rated_on"])).sort_values(["rated_on", "id"])
    s_ = sessions.assign(session_date=pd.to_datetime(sessions["session_date"])).sort_values("session_date")
    merged = pd.merge_asof(s_, r[["case_id", "rated_on", "complexity"]].rename(columns={"complexity": "rated"}),
                           left_on="session_date", right_on="rated_on", by="case_id")
    expected = merged["rated"].to_numpy(dtype=float)
    stored = merged["complexity"].to_numpy(dtype=float)
    assert np.array_equal(np.isnan(expected), np.isnan(stored))
    assert np.allclose(stored[~np.isnan(stored)], expected[~np.isnan(expected)])
    assert np.allclose(merged["weight"], session_weight(stored))
    assert np.isnan(stored).any()  # unrated cases weigh the reference weight
    versions = frame(engine, select(TherapySession.complexity, TherapySession.model_version))
    assert set(versions.loc[versions["complexity"].notna(), "model_version"]) == {DEFAULT_CONFIG.model_version}
    assert versions.loc[versions["complexity"].isna(), "model_version"].isna().all()

    # Every rating is what the model says of its items, with its range; most say how
    # heavy the case felt (0-10) and how much its problems hang together.
    stored_ratings = frame(engine, select(CaseRating.__table__))
    rescored = score_cases(stored_ratings[["id", *INSTRUMENT.item_ids]].rename(columns={"id": "case_id"})
                           .astype({i: "float64" for i in INSTRUMENT.item_ids}))
    for column in ("complexity", "complexity_low", "complexity_high"):
        assert np.allclose(stored_ratings[column].to_numpy(dtype=float), rescored[column].to_numpy(dtype=float),
                           equal_nan=True), column
    assert (stored_ratings["model_version"] == DEFAULT_CONFIG.model_version).all()
    burden = stored_ratings["burden"].dropna()
    assert 0.6 < len(burden) / len(stored_ratings) < 0.95 and burden.between(0, 10).all()
    assert burden.nunique() > 5
    assert 0.7 < stored_ratings["interplay"].notna().mean() < 0.95

    # Logins for every role; each verifies with its documented password.
    logins = {login.username: login for login in summary.logins}
    assert {login.role for login in summary.logins} == {"therapist", "supervisor", "researcher", "admin"}
    accounts = frame(engine, select(UserAccount.username, UserAccount.role, UserAccount.password_hash))
    assert set(accounts["username"]) == set(logins)
    for role in DEMO_PASSWORDS:
        row = accounts[accounts["role"] == role].iloc[0]
        assert logins[row["username"]].password == DEMO_PASSWORDS[role]
        assert verify_password(row["password_hash"], DEMO_PASSWORDS[role])
    assert not verify_password(row["password_hash"], DEMO_PASSWORDS["therapist"])  # admin's hash
    assert len(set(accounts["password_hash"])) == 4  # hashed once per distinct password

    # The drifting starter: load index rising past 1.1 over the last weeks, capacity
    # falling; red load, rising load and balance flags for the week of as_of.
    with session_scope(engine) as s:
        supervisor = s.scalars(select(UserAccount).where(UserAccount.role == "supervisor")).one()
        load = pd.concat([team_weekly_load(s, supervisor, t, 26, as_of=AS_OF)
                          for t in sorted(s.scalars(select(Team.id)))], ignore_index=True)
    checkins = frame(engine, select(WeeklyCheckin.therapist_id, WeeklyCheckin.week_start,
                                    WeeklyCheckin.capacity_score, WeeklyCheckin.burnout))
    tid = drifter.therapist_id
    mine = load[load["therapist_id"] == tid].sort_values("week_start")
    last = mine["load_index"].to_numpy()[-6:]
    assert np.all(np.diff(last) > 0) and last[-1] > 1.1 and (last > 1.1).sum() >= 3
    capacity = checkins[checkins["therapist_id"] == tid].sort_values("week_start")["capacity_score"].to_numpy()
    assert capacity[-1] < 50 <= capacity[:-6].mean()
    flags = {(f.code, f.severity) for f in therapist_flags(load, checkins, as_of=AS_OF) if f.subject == tid}
    assert ("load_over_capacity", "red") in flags and ("load_rising", "amber") in flags
    assert any(code == "balance" for code, _ in flags)
    last_full_week = AS_OF - dt.timedelta(weeks=1)
    assert ("load_over_capacity", "red") in {
        (f.code, f.severity) for f in therapist_flags(load, checkins, as_of=last_full_week) if f.subject == tid
    }

    # Check-ins respond to load across the practice, and a few weeks are missed.
    joined = load.merge(checkins, on=["therapist_id", "week_start"])
    assert joined["load_index"].corr(joined["capacity_score"]) < -0.2
    assert len(checkins) < 8 * 26 - 4


def test_same_seed_same_practice(backend, engine, cheap_hashes):
    build_demo(engine, as_of=AS_OF, seed=7)
    first = content(engine)
    backend.reset(engine)
    build_demo(engine, as_of=AS_OF, seed=7)
    assert content(engine) == first
    backend.reset(engine)
    build_demo(engine, as_of=AS_OF, seed=8)
    other = content(engine)
    assert other["therapy_session"] != first["therapy_session"]
    assert other["team"] == first["team"]  # the names and structure stay, the data changes


def test_demo_only_fills_an_empty_database(engine, people):
    with pytest.raises(DemoNotEmpty, match="3 therapist"):
        build_demo(engine, as_of=AS_OF)
    with session_scope(engine, readonly=True) as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_demo_refuses_taken_usernames_and_bad_arguments(engine, cheap_hashes):
    with session_scope(engine) as s:
        s.add(UserAccount(username="admin", role="admin"))
    with pytest.raises(DemoNotEmpty, match="admin"):
        build_demo(engine, as_of=AS_OF)
    with pytest.raises(InvalidInput) as info:
        build_demo(engine, therapists=1, weeks=3)
    assert len(info.value.problems) == 2
    with pytest.raises(InvalidInput, match="future"):
        build_demo(engine, as_of=TODAY + dt.timedelta(days=1))


def test_command_line_seeds_once_and_prints_the_logins(tmp_path, monkeypatch, capsys, sqlite_template,
                                                       cheap_hashes):
    import shutil

    monkeypatch.setenv("DRAAGKRACHT_DATABASE_URL", f"sqlite:///{tmp_path / 'new.sqlite3'}")
    assert main(["demo", "--weeks", "8"]) == 2  # not migrated yet
    assert "python -m store upgrade" in capsys.readouterr().err
    path = tmp_path / "cli.sqlite3"
    shutil.copyfile(sqlite_template, path)
    monkeypatch.setenv("DRAAGKRACHT_DATABASE_URL", f"sqlite:///{path}")
    assert main(["demo", "--if-empty", "--weeks", "8", "--as-of", AS_OF.isoformat()]) == 0
    out = capsys.readouterr().out
    for login in demo.demo_logins():
        assert login.username in out and login.password in out
    assert main(["demo", "--if-empty"]) == 0
    out = capsys.readouterr().out
    assert "demo practice already present" in out and "demo-starter" in out
    assert main(["demo", "--if-empty", "--lang", "nl"]) == 0
    out = capsys.readouterr().out
    assert "demopraktijk al aanwezig" in out and "gebruikersnaam" in out and "raakt overbelast" in out
    assert main(["demo"]) == 2
    assert "only fills an empty database" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--as-of", "13-03-2026"])
    assert exit_.value.code == 2


@pytest.mark.parametrize("lang, says", [
    ("en", ["username", "Eva, starting, drifting into overload (last 6 weeks)", "supervises every team",
            "... and 4 more therapist accounts (therapist0009 .. therapist0012), password demo-therapist-2026"]),
    ("nl", ["gebruikersnaam", "Eva, starter, raakt overbelast (laatste 6 weken)", "superviseert alle teams",
            "... en nog 4 therapeutaccounts (therapist0009 .. therapist0012), wachtwoord demo-therapist-2026"]),
])
def test_the_logins_table_in_each_language(lang, says):
    table = demo.format_logins(demo.demo_logins(12), lang)
    lines = table.splitlines()
    assert len(lines) == 2 + 8 + 3 + 1  # title, headings, eight therapists, three other roles, the rest
    for text in says:
        assert text in table
    header, first = lines[1], lines[2]
    assert header.index(header.split()[2]) == first.index("demo-therapist-2026")  # aligned columns


def test_the_demo_has_rating_practice_for_its_researcher_and_leaves_the_first_vignettes_to_a_visitor(engine,
                                                                                                   cheap_hashes):
    from store.demo.people import DRIFTING_USERNAME, RESEARCHER_USERNAME
    from store.demo.practice import RATED_VIGNETTES
    from store.models import PracticeRating, UserAccount
    from store.practice_agreement import agreement_report, practice_ratings_for_research
    from store.rating_practice import shipped_vignettes

    summary = build_demo(engine, as_of=AS_OF)
    assert summary.counts["practice_rating"] == 7 * len(RATED_VIGNETTES)  # every therapist but the drifter
    with session_scope(engine) as s:
        researcher = s.scalars(select(UserAccount).where(UserAccount.username == RESEARCHER_USERNAME)).one()
        drifter = s.scalars(select(UserAccount).where(UserAccount.username == DRIFTING_USERNAME)).one()
        assert not s.scalars(select(PracticeRating).where(PracticeRating.therapist_id == drifter.therapist_id)).all()
        assert set(s.scalars(select(PracticeRating.vignette_key))) == set(RATED_VIGNETTES)
        data = practice_ratings_for_research(s, researcher)  # consenting raters only, and enough of them
    assert data.raters >= 5 and set(data.ratings["vignette"]) == set(RATED_VIGNETTES)
    reference = {v.key: v.reference for v in shipped_vignettes()}
    off = [abs(level - reference[v][item]) for v, item, level in
           data.ratings[["vignette", "item", "level"]].itertuples(index=False)]
    assert 0 < sum(off) / len(off) < 0.4 and max(off) == 1  # raters mostly agree with the reference, never wildly
    report = agreement_report(data, n_boot=20)
    assert report.domains["icc"].between(0, 1).all()
