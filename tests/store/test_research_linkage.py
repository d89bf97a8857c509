"""The linkage attack of issue 14, played: a supervisor who is also a researcher holds the
named team view (``store.team.team_overview``: weekly sessions and load index per named
therapist, the team's size, the consult-now alerts with their dates) and knows, as a
colleague might, each therapist's experience and contracted sessions; they download the
research export of the same practice. On every column both hold, no research id may
match exactly one named therapist, and no consenting therapist exactly one research id.

Without disclosure control (the same export with k = 1) the attack does single people
out: the test proves it can."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

import store.research as research
from store.db import session_scope
from store.demo import build_demo
from store.models import ResearchConsent, Therapist, UserAccount
from store.research import research_id_of
from store.research_export import research_export
from store.team import supervised_teams, team_overview

AS_OF = dt.date(2026, 3, 1)
WEEKS = 12
SAFETY = 2


@pytest.fixture
def practice(engine):
    return build_demo(engine, therapists=40, weeks=WEEKS + 4, as_of=AS_OF)


def account(engine, role: str) -> UserAccount:
    with session_scope(engine, readonly=True) as s:
        return s.scalar(select(UserAccount).where(UserAccount.role == role))


def supervisor_view(engine) -> tuple[pd.DataFrame, pd.DataFrame, dict[int, list[str]]]:
    """What the supervisor holds: per named therapist and week the sessions and load
    index; per named therapist the team's size and (outside knowledge) experience and
    contract; the ISO weeks of their consult-now alerts."""
    supervisor = account(engine, "supervisor")
    loads, people, alerts = [], [], {}
    with session_scope(engine) as s:
        for team_id, _ in supervised_teams(s, supervisor):
            view = team_overview(s, supervisor, team_id, weeks=WEEKS, as_of=AS_OF)
            loads.append(view.load[["display_name", "week", "sessions", "load_index"]])
            for name in view.caseload["display_name"]:
                people.append({"display_name": name, "team_size": len(view.caseload)})
            for alert in view.alerts:
                if alert.kind == "consult_now":
                    week = pd.Timestamp(alert.since).isocalendar()
                    alerts.setdefault(alert.therapist, []).append(f"{week.year}-W{week.week:02d}")
        known = {t.display_name: (t.experience, t.contracted_sessions) for t in s.scalars(select(Therapist))}
    people = pd.DataFrame(people)
    people["experience"] = [known[n][0] for n in people["display_name"]]
    people["contracted_sessions"] = [known[n][1] for n in people["display_name"]]
    return pd.concat(loads, ignore_index=True), people.set_index("display_name"), alerts


def read_export(content: bytes) -> dict[str, pd.DataFrame]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return {name: pd.read_csv(io.BytesIO(archive.read(f"{name}.csv")), sep=";", decimal=",", encoding="utf-8-sig")
            for name in ("therapists", "ratings", "weekly_load")}


def within(low, high, value, *, closed: bool) -> bool:
    if pd.isna(low):
        return True  # withheld: anyone fits
    if pd.isna(value):
        return False
    return low - 1e-9 <= value <= high + 1e-9 if closed else low - 1e-9 <= value < high + 1e-9


def candidates(export: dict[str, pd.DataFrame], load: pd.DataFrame, people: pd.DataFrame,
               alerts: dict[int, list[str]]) -> dict[str, set[str]]:
    """For every research id, the named therapists consistent with it on every column
    both views hold."""
    weeks = sorted(set(load["week"]))
    by_name = {name: group.set_index("week") for name, group in load.groupby("display_name")}
    rows = export["weekly_load"].groupby("research_id")
    ratings = export["ratings"]
    out = {}
    for person in export["therapists"].itertuples(index=False):
        periods = rows.get_group(person.research_id)
        own_ratings = ratings[ratings["research_id"] == person.research_id]
        found = set()
        for name, known in people.iterrows():
            if isinstance(person.experience, str) and person.experience != known["experience"]:
                continue
            if not within(person.contracted_sessions_low, person.contracted_sessions_high,
                          known["contracted_sessions"], closed=True):
                continue
            if not within(person.team_size_low, person.team_size_high, known["team_size"], closed=True):
                continue
            figures = by_name.get(name)
            if figures is None:
                continue
            fits = True
            for period in periods.itertuples(index=False):
                span = weeks[weeks.index(period.period_first):weeks.index(period.period_last) + 1]
                sessions, index = figures.loc[span, "sessions"].mean(), figures.loc[span, "load_index"].mean()
                if not (within(period.sessions_low, period.sessions_high, sessions, closed=False)
                        and within(period.load_index_low, period.load_index_high, index, closed=False)):
                    fits = False
                    break
            for week in alerts.get(name, ()):
                around = own_ratings[(own_ratings["period_first"] <= week) & (week <= own_ratings["period_last"])]
                if week in weeks and not (around["safety_concern"].isna() | (around["safety_concern"] >= SAFETY)).any():
                    fits = False  # the alert's rating is in the export, and it says otherwise
            if fits:
                found.add(name)
        out[person.research_id] = found
    return out


def export_as_researcher(engine) -> dict[str, pd.DataFrame]:
    with session_scope(engine) as s:
        return read_export(research_export(s, account(engine, "researcher"), fmt="csv", weeks=WEEKS,
                                           as_of=AS_OF).data)


def named_research_ids(engine) -> dict[str, str]:
    with session_scope(engine, readonly=True) as s:
        rows = s.execute(select(Therapist.display_name, ResearchConsent.research_id)
                         .join(ResearchConsent, ResearchConsent.therapist_id == Therapist.id)
                         .where(ResearchConsent.withdrawn_at.is_(None))).all()
    return {name: research_id_of(token) for name, token in rows}


def test_no_research_id_matches_exactly_one_named_therapist(engine, practice):
    load, people, alerts = supervisor_view(engine)
    assert len(people) == 40 and set(people["team_size"]) == {20}  # the supervisor sees both teams, named
    export = export_as_researcher(engine)
    truth = named_research_ids(engine)
    assert len(export["therapists"]) == len(truth) == 30
    matches = candidates(export, load, people, alerts)
    sizes = {rid: len(names) for rid, names in matches.items()}
    assert all(size >= 5 for size in sizes.values()), sizes  # never exactly one, never fewer than k
    for name, rid in truth.items():
        assert name in matches[rid]  # the attack's reasoning is sound: the truth is always a candidate
        assert sum(name in names for names in matches.values()) >= 5  # nor a named therapist to one research id


def test_without_disclosure_control_the_same_attack_singles_people_out(engine, practice, monkeypatch):
    exact = research.k_anonymise

    def no_control(*args, **kwargs):
        return exact(*args, **{**kwargs, "k": 1})

    monkeypatch.setattr(research, "k_anonymise", no_control)
    load, people, alerts = supervisor_view(engine)
    export = export_as_researcher(engine)
    matches = candidates(export, load, people, alerts)
    truth = named_research_ids(engine)
    singled_out = [rid for rid, names in matches.items() if len(names) == 1]
    assert len(singled_out) >= 0.9 * len(matches)
    assert all(truth[next(iter(matches[rid]))] == rid for rid in singled_out)  # and rightly so
    assert np.isfinite(export["weekly_load"]["sessions_low"]).all()  # exact figures, week by week
