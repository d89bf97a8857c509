"""The research dataset: consented therapists only, pseudonymised, no free text, refused
below the minimum group size, for researchers only; on both backends."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from store import AccessDenied, InvalidInput
from store import privacy
from store.db import session_scope
from store.demo import build_demo
from store.models import AuditEvent, Case, CaseRating, ResearchConsent, Therapist, UserAccount
from store.research import MIN_GROUP, research_dataset

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
    assert len(consenting) >= MIN_GROUP and len(consenting) < therapist_count  # some did not consent
    for name, table in data.tables().items():
        assert set(table["research_id"]) <= set(consenting.values()), name
        assert "therapist_id" not in table.columns and "reflection" not in table.columns
        text = table.astype(str).to_numpy().ravel().tolist()
        assert not codes & set(text) and not names & set(text), name
    assert set(data.therapists["research_id"]) == set(consenting.values())
    assert data.ratings["case_key"].str.match(r"^K\d{4}$").all()
    assert data.ratings["week"].str.match(r"^\d{4}-W\d{2}$").all()
    assert len(data.weekly_load) == len(consenting) * 8
    # The criterion calibration learns from travels with the ratings, as stored.
    with session_scope(engine, readonly=True) as s:
        stored = s.execute(select(CaseRating.burden, CaseRating.complexity_low, CaseRating.complexity_high)
                           .join(Case).where(Case.therapist_id.in_(consenting))
                           .order_by(Case.therapist_id, Case.id, CaseRating.rated_on, CaseRating.id)).all()
    assert len(stored) == len(data.ratings)
    assert sorted(b for b, _, _ in stored if b is not None) == sorted(data.ratings["burden"].dropna().astype(int))
    assert data.ratings["burden"].notna().any()
    assert (data.ratings["complexity_low"] <= data.ratings["complexity_high"]).all()
    assert set(data.weekly_load["model_versions"]) <= {"", "2.0.0"} and "2.0.0" in set(data.weekly_load["model_versions"])
    with session_scope(engine, readonly=True) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.subject_type == "research_dataset")).one()
        assert event.action == "read" and f"{len(consenting)} consenting" in event.detail


def test_withdrawn_consent_leaves_the_dataset(engine, demo):
    with session_scope(engine) as s:
        first = research_dataset(s, researcher(engine), weeks=8, as_of=AS_OF)
        tid, research_id = s.execute(select(ResearchConsent.therapist_id, ResearchConsent.research_id)
                                     .where(ResearchConsent.withdrawn_at.is_(None))).first()
        account = s.scalar(select(UserAccount).where(UserAccount.therapist_id == tid))
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
