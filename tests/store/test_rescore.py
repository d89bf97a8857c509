"""``python -m store rescore``: ratings scored by an older model are scored again under
the current one, in one transaction, with their old scores kept; on both backends."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, update

from complexity import DEFAULT_CONFIG, INSTRUMENT, score_case
from store import audit
from store.cases import add_case, get_case, rate_case, record_sessions
from store.db import session_scope
from store.models import AuditEvent, CaseRating, RatingRescore, TherapySession
from store.rescore import rescore

D = dt.date
NEW_IN_2 = ("content_social_context", "content_language_barrier", "content_time_demand",
            "ther_personal_resonance", "interplay")
OLD = {"complexity": 27.8, "band": "mild", "interaction": 4.1, "complexity_low": None, "complexity_high": None,
       "model_version": "1.0.0"}


def _rated_cases(engine, people) -> list[str]:
    """Three cases rated now; the first two then made to look like 1.0 ratings (their
    scores, no range, 2.0's new items unrated), the third stays a 2.0 rating."""
    levels = ({i: 3 for i in INSTRUMENT.domain("emotions").item_ids + INSTRUMENT.domain("cognitions").item_ids},
              {i: 1 for i in INSTRUMENT.scored_item_ids}, {i: 2 for i in INSTRUMENT.scored_item_ids})
    codes = []
    with session_scope(engine) as s:
        for items in levels:
            code = add_case(s, people.u1, opened_on=D(2025, 1, 6))
            full = {i: items.get(i, 0) for i in INSTRUMENT.scored_item_ids}
            rate_case(s, people.u1, code, dict(full, burden=5), D(2025, 1, 7))
            record_sessions(s, people.u1, code, [(D(2025, 1, 8), 45)])
            codes.append(code)
    with session_scope(engine) as s:
        ids = s.scalars(select(CaseRating.id).order_by(CaseRating.id)).all()
        s.execute(update(CaseRating).where(CaseRating.id.in_(ids[:2]))
                  .values(instrument_version="1.0.0", **OLD, **{i: None for i in NEW_IN_2}))
    return codes


def _ratings(engine) -> list[dict]:
    with session_scope(engine, readonly=True) as s:
        return [dict(r._mapping) for r in s.execute(select(CaseRating.__table__).order_by(CaseRating.id))]


def test_older_ratings_are_scored_again_and_their_old_scores_kept(engine, people):
    codes = _rated_cases(engine, people)
    before = _ratings(engine)
    with session_scope(engine, readonly=True) as s:
        weights = s.scalars(select(TherapySession.weight).order_by(TherapySession.id)).all()
    with session_scope(engine) as s:
        result = rescore(s)
    assert (result.ratings, result.rescored, result.from_versions) == (3, 2, ("1.0.0",))
    after = _ratings(engine)
    for old, new in zip(before[:2], after[:2]):
        items = {i: old[i] for i in INSTRUMENT.item_ids}
        expected = score_case(items)
        assert new["model_version"] == DEFAULT_CONFIG.model_version
        assert new["instrument_version"] == "1.0.0"  # the rating was made with 1.0, and stays so
        assert new["complexity"] == pytest.approx(expected.complexity) and new["band"] == expected.band
        # 2.0's new items are unrated: the range shows what they could add.
        assert (new["complexity_low"], new["complexity_high"]) == pytest.approx((expected.low, expected.high))
        assert new["complexity_low"] < new["complexity_high"]
        assert {i: new[i] for i in INSTRUMENT.item_ids} == items and new["burden"] == 5
    assert after[2] == before[2]  # already scored by the current model: untouched
    assert before[0]["band"] == "mild" and after[0]["band"] == "severe"  # model 1.0's miss, fixed
    with session_scope(engine, readonly=True) as s:
        history = s.scalars(select(RatingRescore).order_by(RatingRescore.id)).all()
        event = s.scalars(select(AuditEvent).where(AuditEvent.subject_type == "ratings")).one()
        assert s.scalars(select(TherapySession.weight).order_by(TherapySession.id)).all() == weights
        detail = get_case(s, people.u1, codes[0])
    assert [h.case_rating_id for h in history] == [before[0]["id"], before[1]["id"]]
    for h in history:
        assert (h.complexity, h.band, h.interaction, h.complexity_low, h.complexity_high, h.model_version) == (
            OLD["complexity"], OLD["band"], OLD["interaction"], None, None, "1.0.0")
    assert event.action == "change" and "2 ratings from model 1.0.0 to 2.0.0" in event.detail
    assert detail.latest_rating.model_version == DEFAULT_CONFIG.model_version
    # Past sessions keep the weight they were recorded with, and say from which model.
    assert [x.model_version for x in detail.sessions] == [DEFAULT_CONFIG.model_version]

    with session_scope(engine) as s:  # a second run finds nothing to do
        assert rescore(s).rescored == 0
    assert _ratings(engine) == after


def test_a_dry_run_changes_nothing(engine, people):
    _rated_cases(engine, people)
    before = _ratings(engine)
    with session_scope(engine) as s:
        result = rescore(s, dry_run=True)
    assert (result.ratings, result.rescored) == (3, 2)
    assert _ratings(engine) == before
    with session_scope(engine, readonly=True) as s:
        assert s.scalar(select(func.count()).select_from(RatingRescore)) == 0


def test_a_failure_halfway_leaves_every_rating_as_it_was(engine, people, monkeypatch):
    _rated_cases(engine, people)
    before = _ratings(engine)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", broken)  # fails after the ratings were updated
    with pytest.raises(RuntimeError, match="disk full"):
        with session_scope(engine) as s:
            rescore(s)
    assert _ratings(engine) == before
    with session_scope(engine, readonly=True) as s:
        assert s.scalar(select(func.count()).select_from(RatingRescore)) == 0


@pytest.mark.parametrize("lang, nothing, done", [
    ("en", "nothing to do", "scored again under model 2.0.0"),
    ("nl", "er is niets te doen", "opnieuw berekend met model 2.0.0"),
])
def test_the_command_says_what_it_did_in_either_language(tmp_path, monkeypatch, capsys, sqlite_template,
                                                         make_people, lang, nothing, done):
    import shutil

    from store.__main__ import main
    from store.db import make_engine

    db = tmp_path / "cli.sqlite3"
    shutil.copyfile(sqlite_template, db)
    engine = make_engine(f"sqlite:///{db}")
    try:
        _rated_cases(engine, make_people(engine))
    finally:
        engine.dispose()
    monkeypatch.setenv("DRAAGKRACHT_DATABASE_URL", f"sqlite:///{db}")
    assert main(["rescore", "--dry-run", "--lang", lang]) == 0
    assert "--dry-run" in capsys.readouterr().out
    assert main(["rescore", "--lang", lang]) == 0
    out = capsys.readouterr().out
    assert done in out and "1.0.0" in out and "2 " in out
    assert main(["rescore", "--lang", lang]) == 0
    assert nothing in capsys.readouterr().out


def test_weekly_load_names_the_models_that_weighed_its_sessions(engine, people):
    from store.load import therapist_weekly_load

    codes = _rated_cases(engine, people)  # one session each on 2025-01-08, weighed by 2.0.0
    with session_scope(engine) as s:  # the first two as recorded before the upgrade
        first_two = s.scalars(select(TherapySession.id).order_by(TherapySession.id)).all()[:2]
        s.execute(update(TherapySession).where(TherapySession.id.in_(first_two)).values(model_version="1.0.0"))
        record_sessions(s, people.u1, codes[2], [(D(2025, 1, 15), 45)])  # its rating is a 2.0 one
    with session_scope(engine) as s:
        load = therapist_weekly_load(s, people.u1, people.t1.id, [D(2025, 1, 8), D(2025, 1, 15), D(2025, 1, 22)])
    assert list(load["model_versions"]) == ["1.0.0|2.0.0", "2.0.0", ""]
