"""The research dataset: consented therapists only, pseudonymised, no free text, refused
below the minimum group size, for researchers only; research ids stable within a study
and re-drawn by a new one; page counts with small cells hidden; on both backends."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select, update

from store import AccessDenied, InvalidInput
from store import privacy
from store.db import session_scope
from store.demo import build_demo
from store.disclosure import period_starts
from store.models import AuditEvent, Case, CaseRating, ResearchConsent, Therapist, UserAccount
from store.research import MIN_GROUP, case_key_of, new_study, research_dataset, research_id_of, research_summary

AS_OF = dt.date(2026, 3, 1)


@pytest.fixture
def demo(engine):
    return build_demo(engine, weeks=8, as_of=AS_OF)


def researcher(engine) -> UserAccount:
    with session_scope(engine, readonly=True) as s:
        return s.scalar(select(UserAccount).where(UserAccount.role == "researcher"))


def test_only_consented_pseudonymised_and_no_free_text(engine, demo):
    with session_scope(engine) as s:
        consenting = dict(s.execute(select(ResearchConsent.therapist_id, ResearchConsent.research_id)
                                    .where(ResearchConsent.withdrawn_at.is_(None))).all())
        data = research_dataset(s, researcher(engine), weeks=8, as_of=AS_OF)
        therapist_count = s.query(Therapist).count()
        codes = set(s.scalars(select(Case.code)))
        names = set(s.scalars(select(Therapist.display_name)))
    research_ids = {research_id_of(token) for token in consenting.values()}
    assert len(consenting) >= MIN_GROUP and len(consenting) < therapist_count  # some did not consent
    for name, table in data.tables().items():
        assert set(table["research_id"]) <= research_ids, name
        assert "therapist_id" not in table.columns and "reflection" not in table.columns
        text = table.astype(str).to_numpy().ravel().tolist()
        assert not codes & set(text) and not names & set(text), name
        assert not set(consenting.values()) & set(text), name  # the consent's token never leaves
    assert set(data.therapists["research_id"]) == research_ids
    assert data.ratings["case_key"].str.match(r"^K[0-9a-f]{12}$").all()
    for column in ("period_first", "period_last"):
        assert data.ratings[column].str.match(r"^\d{4}-W\d{2}$").all()
    assert (data.ratings["period_first"] <= data.ratings["period_last"]).all()
    periods = len(period_starts(8, data.disclosure.levels["load_period"]))
    assert len(data.weekly_load) == len(consenting) * periods
    assert list(data.weekly_load.columns) == ["research_id", "period_first", "period_last", "weeks", "sessions_low",
                                              "sessions_high", "load_index_low", "load_index_high"]
    assert data.first_week == "2026-W02" and data.last_week == "2026-W09" and len(data.mondays) == 8
    # The criterion calibration learns from travels with the ratings of the weeks, as stored.
    with session_scope(engine, readonly=True) as s:
        stored = s.execute(select(CaseRating.burden, CaseRating.complexity_low, CaseRating.complexity_high)
                           .join(Case).where(Case.therapist_id.in_(consenting),
                                             CaseRating.rated_on >= data.mondays[0])
                           .order_by(Case.therapist_id, Case.id, CaseRating.rated_on, CaseRating.id)).all()
    assert len(stored) == len(data.ratings)
    assert sorted(b for b, _, _ in stored if b is not None) == sorted(data.ratings["burden"].dropna().astype(int))
    assert data.ratings["burden"].notna().any()
    assert (data.ratings["complexity_low"] <= data.ratings["complexity_high"]).all()
    assert "2.0.0" in data.load_model_versions
    with session_scope(engine, readonly=True) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.subject_type == "research_dataset")).one()
        assert event.action == "read" and f"{len(consenting)} consenting" in event.detail


def test_quasi_identifiers_are_coarsened_until_five_share_each_combination(engine, demo):
    with session_scope(engine) as s:
        data = research_dataset(s, researcher(engine), weeks=8, as_of=AS_OF)
    offered = data.therapists.drop(columns="research_id").astype(object)
    offered = offered.where(offered.notna(), None).apply(tuple, axis=1)
    series = data.weekly_load.drop(columns="research_id").astype(object)
    series = series.where(series.notna(), None).apply(tuple, axis=1).groupby(data.weekly_load["research_id"]).agg(tuple)
    combined = pd.Series(list(zip(offered, data.therapists["research_id"].map(series))))
    assert (combined.value_counts() >= 5).all()
    assert data.disclosure.k == 5 and data.disclosure.participants == len(data.therapists)
    assert set(data.disclosure.counts["column"]) == {"experience", "contracted_sessions", "team_size", "sessions",
                                                     "load_index", "week", "safety_concern"}


def test_withdrawn_consent_leaves_the_dataset(engine, demo):
    with session_scope(engine) as s:
        first = research_dataset(s, researcher(engine), weeks=8, as_of=AS_OF)
        tid, token = s.execute(select(ResearchConsent.therapist_id, ResearchConsent.research_id)
                               .where(ResearchConsent.withdrawn_at.is_(None))).first()
        account = s.scalar(select(UserAccount).where(UserAccount.therapist_id == tid))
    research_id = research_id_of(token)
    with session_scope(engine) as s:
        privacy.set_research_consent(s, account, False)
    assert len(first.therapists) > MIN_GROUP  # still enough after one withdrawal
    with session_scope(engine) as s:
        second = research_dataset(s, researcher(engine), weeks=8, as_of=AS_OF)
    assert research_id in set(first.therapists["research_id"])
    assert research_id not in set(second.therapists["research_id"])
    assert research_id not in set(second.ratings["research_id"])


def test_refused_below_the_minimum_group(engine, people):
    with session_scope(engine) as s:
        privacy.set_research_consent(s, people.u1, True)
    with pytest.raises(InvalidInput, match=f"at least {MIN_GROUP}"), session_scope(engine) as s:
        research_dataset(s, people.researcher)


@pytest.mark.parametrize("who", ["u1", "supervisor", "admin"])
def test_only_researchers(engine, people, who):
    with pytest.raises(AccessDenied), session_scope(engine) as s:
        research_dataset(s, getattr(people, who))


def test_k_is_configurable_but_never_below_five(engine, demo):
    with session_scope(engine, readonly=True) as s:
        consenting = s.query(ResearchConsent).filter(ResearchConsent.withdrawn_at.is_(None)).count()
    with pytest.raises(InvalidInput, match=f"at least {consenting + 1}"), session_scope(engine) as s:
        research_dataset(s, researcher(engine), weeks=8, as_of=AS_OF, k=consenting + 1)
    with pytest.raises(InvalidInput, match="outside 5-50"), session_scope(engine) as s:
        research_dataset(s, researcher(engine), weeks=8, as_of=AS_OF, k=4)
    with session_scope(engine) as s:
        data = research_dataset(s, researcher(engine), weeks=8, as_of=AS_OF, k=consenting)
    assert data.disclosure.k == consenting


def ids_and_keys(engine) -> tuple[set, set]:
    with session_scope(engine) as s:
        data = research_dataset(s, researcher(engine), weeks=8, as_of=AS_OF)
    return set(data.therapists["research_id"]), set(data.ratings["case_key"])


def test_ids_stay_within_a_study_and_a_new_study_draws_them_all_again(engine, demo):
    first_ids, first_keys = ids_and_keys(engine)
    assert ids_and_keys(engine) == (first_ids, first_keys)  # stable: longitudinal work can join exports
    with session_scope(engine) as s:
        assert research_summary(s, researcher(engine), weeks=8, as_of=AS_OF).study.number == 1
        study = new_study(s, researcher(engine))
    assert study.number == 2 and study.since is not None
    second_ids, second_keys = ids_and_keys(engine)
    assert len(second_ids) == len(first_ids) and not second_ids & first_ids
    assert len(second_keys) == len(first_keys) and not second_keys & first_keys
    with session_scope(engine, readonly=True) as s:
        line = s.scalars(select(AuditEvent).where(AuditEvent.detail.like("new research study%"))).one()
        assert line.action == "change" and line.subject_type == "research_dataset" and line.actor_role == "researcher"
        assert research_summary(s, researcher(engine), weeks=8, as_of=AS_OF).study.number == 2
    # Derived, not stored: the same token gives the same id and key, another token others.
    assert research_id_of("a" * 32) == research_id_of("a" * 32) != research_id_of("b" * 32)
    assert case_key_of("a" * 32, 1) != case_key_of("a" * 32, 2) != case_key_of("b" * 32, 2)


@pytest.mark.parametrize("who, allowed", [("researcher", True), ("admin", True), ("u1", False),
                                          ("supervisor", False)])
def test_a_new_study_is_for_researchers_and_admins(engine, people, who, allowed):
    with session_scope(engine) as s:
        for account in (people.u1, people.u2, people.u3):
            privacy.set_research_consent(s, account, True)
        before = set(s.scalars(select(ResearchConsent.research_id)))
    if allowed:
        with session_scope(engine) as s:
            assert new_study(s, getattr(people, who)).number == 2
    else:
        with pytest.raises(AccessDenied), session_scope(engine) as s:
            new_study(s, getattr(people, who))
    with session_scope(engine, readonly=True) as s:
        after = set(s.scalars(select(ResearchConsent.research_id)))
        lines = s.scalars(select(AuditEvent).where(AuditEvent.subject_type == "research_dataset")).all()
    assert (after.isdisjoint(before) and len(after) == 3) if allowed else after == before
    assert [(e.action, e.actor_role) for e in lines] == [("change" if allowed else "authz_denied", people_role(who))]


def people_role(who: str) -> str:
    return {"u1": "therapist"}.get(who, who)


def test_the_page_counts_hide_bands_of_fewer_than_five_participants(engine, demo):
    with session_scope(engine) as s:
        summary = research_summary(s, researcher(engine), weeks=8, as_of=AS_OF)
        data = research_dataset(s, researcher(engine), weeks=8, as_of=AS_OF)
    assert summary.participants == len(data.therapists) and summary.ratings == len(data.ratings)
    assert summary.checkins == len(data.checkins) and summary.model_versions == ("2.0.0",)
    assert list(summary.bands["band"]) == ["uncomplicated", "mild", "moderate", "severe"]
    # Every band but "mild" left to one participant's ratings: that cell and a second go.
    with session_scope(engine) as s:
        consenting = sorted(s.scalars(select(ResearchConsent.therapist_id)
                                      .where(ResearchConsent.withdrawn_at.is_(None))))
        cases = select(Case.id).where(Case.therapist_id == consenting[0]).scalar_subquery()
        s.execute(update(CaseRating).where(CaseRating.band.in_(["uncomplicated", "moderate", "severe"]),
                                           CaseRating.case_id.not_in(cases)).values(band="mild"))
        summary = research_summary(s, researcher(engine), weeks=8, as_of=AS_OF)
    bands = summary.bands.set_index("band")
    small = bands[(bands["participants"] > 0) & (bands["participants"] < 5)]
    assert len(small) and bands.loc[small.index, "hidden"].all()
    assert bands["hidden"].sum() >= 2 and bands.loc[bands["hidden"], "ratings"].isna().all()
    assert bands.loc[~bands["hidden"], "ratings"].notna().all()
