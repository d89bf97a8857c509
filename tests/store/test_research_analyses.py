"""The research analyses' data (store.research_analyses) on both backends: a researcher
reads the consenting therapists' ratings of the weeks, pseudonymised and without dates or
free text, every read logged with a line per participant; every other role is refused
and audited; the data stamp moves on a change, not on a read. And the analyses
(store.research_results) on a practice with a known structure: the right answers, cells
of fewer than five participants hidden, a version of too few participants refused."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from complexity import INSTRUMENT
from complexity.calibration import TooLittleData
from complexity.psychometrics import reliability_table
from store import AccessDenied, InvalidInput
from store.db import read_connection, session_scope
from store.disclosure import MIN_CELL
from store.models import AuditEvent, Case, CaseRating, ResearchConsent, Therapist
from store import research_results as results
from store.research_analyses import (
    AnalysisData, TooFewParticipants, analysis_data, data_stamp, domain_scores, instrument_of, version_items,
)
from tests.analysis_practice import AS_OF, seed_practice


@pytest.fixture
def practice(engine, people):
    """Eight consenting therapists with fifteen rated cases each, and one who did not
    consent."""
    seeded = seed_practice(engine)
    seed_practice(engine, therapists=1, consent=False, seed=1, first=50)
    return seeded


def read(engine, user, **kwargs) -> AnalysisData:
    with session_scope(engine) as s:
        return analysis_data(s, user, weeks=8, as_of=AS_OF, **kwargs)


def test_a_researcher_reads_the_consenting_ratings_pseudonymised(engine, people, practice):
    data = read(engine, people.researcher)
    assert len(data.ratings) == practice.ratings and data.consenting == 8
    assert sorted(data.ratings["participant"].unique()) == list(range(8))
    assert data.ratings["case"].nunique() == practice.ratings
    columns = set(data.ratings.columns)
    assert columns == {"participant", "case", *INSTRUMENT.item_ids, "burden", "complexity", "band",
                       "instrument_version", "model_version"}  # no ids, dates, codes or text
    assert data.first_week == "2026-W02" and data.last_week == "2026-W09"
    with session_scope(engine, readonly=True) as s:
        stored = s.scalars(select(CaseRating.burden).join(Case)
                           .where(Case.therapist_id.in_(practice.therapist_ids))).all()
    assert sorted(data.ratings["burden"].astype(int)) == sorted(stored)
    assert data.versions().to_dict("index") == {INSTRUMENT.version: {"ratings": 120, "participants": 8}}


def test_participants_are_numbered_in_research_id_order_not_by_therapist(engine, people, practice):
    with session_scope(engine) as s:  # the first therapist's token sorts last
        consent = s.scalars(select(ResearchConsent)
                            .where(ResearchConsent.therapist_id == practice.therapist_ids[0])).one()
        consent.research_id = "f" * 32
    data = read(engine, people.researcher)
    first = data.ratings.groupby("participant").size()
    assert first.index.max() == 7 and len(first) == 8
    with session_scope(engine, readonly=True) as s:
        own = len(s.scalars(select(CaseRating.id).join(Case)
                            .where(Case.therapist_id == practice.therapist_ids[0])).all())
    assert first.loc[7] == own  # the first therapist is participant 7


def test_withdrawn_consent_and_other_weeks_are_left_out(engine, people, practice):
    with session_scope(engine) as s:
        s.scalars(select(ResearchConsent).where(ResearchConsent.therapist_id == practice.therapist_ids[0])).one() \
            .withdrawn_at = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
    data = read(engine, people.researcher)
    assert data.consenting == 7 and data.ratings["participant"].nunique() == 7
    with session_scope(engine) as s:
        later = analysis_data(s, people.researcher, weeks=4, as_of=AS_OF + dt.timedelta(weeks=8))
    assert later.ratings.empty and later.versions().empty


@pytest.mark.parametrize("role", ["u1", "supervisor", "admin"])
def test_every_other_role_is_refused_and_the_refusal_logged(engine, people, practice, role):
    user = getattr(people, role)
    with pytest.raises(AccessDenied):
        read(engine, user)
    with session_scope(engine, readonly=True) as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.actor_user_id == user.id)).all()
    assert [(e.action, e.subject_type) for e in events] == [("authz_denied", "research_dataset")]
    assert "research_analyses" in events[0].detail


def test_the_read_is_logged_once_with_a_line_per_participant(engine, people, practice):
    from store.audit import AccessContext, access_context

    context = AccessContext(session_key="s" * 16)
    with access_context(context):
        read(engine, people.researcher)
        read(engine, people.researcher)  # the same session: not logged again
    with session_scope(engine, readonly=True) as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.actor_user_id == people.researcher.id,
                                                    AuditEvent.action == "read")).all()
    dataset = [e for e in events if e.subject_type == "research_dataset"]
    lines = {int(e.subject_id) for e in events if e.subject_type == "therapist"}
    assert len(dataset) == 1 and "8 consenting therapists, 8 weeks (2026-W02..2026-W09)" in dataset[0].detail
    assert lines == set(practice.therapist_ids) and len(events) == 9


def test_refused_below_the_minimum_group(engine, people):
    seed_practice(engine, therapists=4)
    with pytest.raises(InvalidInput) as refused:
        read(engine, people.researcher)
    assert refused.value.codes == ["too_few_consents"]


def test_the_data_stamp_moves_on_a_change_not_on_a_read(engine, people, practice):
    from store.cases import add_case

    with read_connection(engine) as c:
        before = data_stamp(c)
    read(engine, people.researcher)
    with read_connection(engine) as c:
        assert data_stamp(c) == before
    with session_scope(engine) as s:
        add_case(s, people.u1, opened_on=AS_OF)
    with read_connection(engine) as c:
        assert data_stamp(c) > before


def test_each_version_has_its_own_items_and_domain_scores_follow_the_model_rule():
    old, new = version_items("1.0.0"), version_items(INSTRUMENT.version)
    assert old.defined and set(old.items) < set(new.items) and old.domains.keys() == new.domains.keys()
    assert "content_social_context" in new.items and "content_social_context" not in old.items
    assert instrument_of("9.9.9") is None
    unknown = version_items("9.9.9", pd.DataFrame({i: [1.0 if i.startswith("emo_") else np.nan]
                                                   for i in INSTRUMENT.item_ids}))
    assert not unknown.defined and list(unknown.domains) == ["emotions"]
    # A domain counts when enough of its own items are rated (half, rounded up, of 1.0's six).
    items = pd.DataFrame([{i: 3.0 for i in old.domains["content"][:3]}, {i: 2.0 for i in old.domains["content"][:2]}])
    scores = domain_scores(items.reindex(columns=list(old.items)), old)
    assert scores["content"].tolist()[0] == 3.0 and np.isnan(scores["content"].tolist()[1])


# --- the analyses --------------------------------------------------------------------------------

@pytest.fixture
def data(engine, people, practice) -> AnalysisData:
    return read(engine, people.researcher)


def test_items_and_domains(data):
    result = results.items_and_domains(data, INSTRUMENT.version)
    assert list(result.items.index) == list(version_items(INSTRUMENT.version).items)
    shares = result.items[["share_0", "share_1", "share_2", "share_3", "share_unrated"]]
    complete = shares.dropna()
    assert np.allclose(complete.sum(axis=1), 1.0) and len(complete) > 0
    assert (result.items["n_rated"] == 120).all()  # every item rated in every case
    # No case is left unrated: that cell (0 participants) is not hidden, it is 0.
    assert (result.items["share_unrated"] == 0).all()
    assert result.correlations is not None and (result.correlations.to_numpy() > 0.5).all()
    assert result.basis.cases == 120 and result.basis.participants == 8 and result.basis.model_versions == ("2.0.0",)


def test_a_cell_of_fewer_than_five_participants_is_hidden_with_its_row_partner(engine, people, practice):
    with session_scope(engine) as s:  # two therapists' cases get level 3 on one item
        cases = s.scalars(select(CaseRating).join(Case).where(Case.therapist_id.in_(practice.therapist_ids[:2]))).all()
        for rating in cases:
            rating.emo_distress = 3
        others = s.scalars(select(CaseRating).join(Case).where(Case.therapist_id.in_(practice.therapist_ids[2:]))).all()
        for rating in others:
            rating.emo_distress = min(rating.emo_distress, 2)
    result = results.items_and_domains(read(engine, people.researcher), INSTRUMENT.version)
    row = result.items.loc["emo_distress"]
    assert np.isnan(row["share_3"]) and row[["share_0", "share_1", "share_2"]].isna().sum() == 1  # secondary
    assert pd.isna(row["ceiling"]) and result.hidden >= 2


def test_reliability_is_the_psychometrics_table_with_a_cluster_bootstrap(data):
    result = results.reliability(data, INSTRUMENT.version, n_boot=50)
    cases = results.cases_of(data, INSTRUMENT.version)
    expected = reliability_table({d: cases.items[list(i)] for d, i in cases.layout.domains.items()}, n_boot=50,
                                 groups=cases.participant)
    columns = ["alpha", "alpha_low", "alpha_high", "omega", "omega_low", "omega_high"]
    pd.testing.assert_frame_equal(result.domains[columns], expected[columns], rtol=1e-9, check_names=False)
    assert (result.domains["alpha"] > 0.8).all()
    assert set(result.items["domain"]) == set(cases.layout.domains) and result.items["item_rest_r"].gt(0.3).all()


def test_structure_recovers_the_five_domains(data):
    result = results.structure(data, INSTRUMENT.version)
    assert result.n_factors == 5 and result.rotation == "promax" and result.share_recovered == 1.0
    assert set(result.recovery["factor"]) == {"F1", "F2", "F3", "F4", "F5"}
    assert list(result.eigenvalues.columns) == ["observed", "random"] and result.suggested >= 1
    three = results.structure(data, INSTRUMENT.version, n_factors=3, rotation="varimax")
    assert three.n_factors == 3 and three.share_recovered < 1.0  # five domains cannot all have a factor


def test_profiles_find_the_light_and_the_heavy_cases(data):
    result = results.profiles(data, INSTRUMENT.version)
    assert result.k == 2 and result.strength in ("reasonable", "strong")
    light, heavy = result.profiles.iloc[0], result.profiles.iloc[1]
    assert (light.drop("n_cases") < 1.5).all() and (heavy.drop("n_cases") > 1.5).all()
    assert list(result.bands.index) == ["uncomplicated", "mild", "moderate", "severe"]
    shown = result.bands.fillna(0).to_numpy().sum()
    assert shown <= 120 and result.cramers_v > 0.5


def test_calibration_compares_expert_and_learned_weights_with_intervals(engine, people):
    seed_practice(engine, therapists=10, cases_each=16)
    result = results.calibration(read(engine, people.researcher), INSTRUMENT.version, n_boot=5)
    table = result.table
    assert list(table.columns) == ["expert", "estimate", "low", "high"]
    assert table.loc["weight_content", "expert"] == 1.0 and np.isnan(table.loc["slope", "expert"])
    assert table[["estimate", "low", "high"]].notna().all().all() and (table["low"] <= table["high"]).all()
    weights = table.loc[[f"weight_{d.id}" for d in INSTRUMENT.domains], "estimate"]
    assert weights.mean() == pytest.approx(1.0)  # reported with mean 1, as the expert weights
    assert result.n_therapists == 10 and result.n_ratings == 10 * results.CALIBRATION_RATINGS_EACH
    assert result.sampled and result.few_therapists  # fewer than 20 therapists: said


def test_calibration_refuses_too_few_burden_ratings(engine, people):
    seed_practice(engine, therapists=6, burden=False)
    seed_practice(engine, therapists=1, cases_each=10, seed=2, first=60)
    with pytest.raises(TooLittleData) as refused:
        results.calibration(read(engine, people.researcher), INSTRUMENT.version)
    assert refused.value.n_therapists == 1 and refused.value.n_cases == 10


def test_a_version_rated_by_fewer_than_five_participants_is_refused(engine, people, practice):
    seed_practice(engine, therapists=MIN_CELL - 1, version="1.0.0", seed=3, first=70)
    data = read(engine, people.researcher)
    assert data.versions().loc["1.0.0", "participants"] == MIN_CELL - 1
    assert list(data.versions().index) == [INSTRUMENT.version, "1.0.0"]  # newest first
    with pytest.raises(TooFewParticipants) as refused:
        results.items_and_domains(data, "1.0.0")
    assert (refused.value.count, refused.value.minimum) == (MIN_CELL - 1, MIN_CELL)


def test_an_older_version_is_analysed_with_its_own_items(engine, people):
    seed_practice(engine, therapists=6, version="1.0.0")
    data = read(engine, people.researcher)
    result = results.items_and_domains(data, "1.0.0")
    assert list(result.items.index) == list(version_items("1.0.0").items)
    assert "content_social_context" not in result.items.index
    assert result.basis.instrument_version == "1.0.0"
    assert results.reliability(data, "1.0.0", n_boot=20).domains["alpha"].notna().all()


def test_therapists_without_consent_never_count(engine, people):
    seed_practice(engine, therapists=5)
    seed_practice(engine, therapists=3, consent=False, seed=4, first=80)
    data = read(engine, people.researcher)
    assert data.ratings["participant"].nunique() == 5
    with session_scope(engine, readonly=True) as s:
        assert s.query(Therapist).count() == 3 + 5 + 3  # make_people's three, then ours
