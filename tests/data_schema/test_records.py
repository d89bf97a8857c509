"""Pydantic records: the same rules and codes as the tables, generated models, and
form-ready messages in Dutch and English."""

from __future__ import annotations

from importlib import resources
import datetime as dt

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complexity import CHECKIN, INSTRUMENT
from complexity.instrument import parse_instrument
from complexity.calendar import monday_of
from data_schema import fields
from data_schema.layouts import IMPORT_TABLES, import_tables
from data_schema.records import (
    AuditEvent, Case, CaseRating, ResearchConsent, SelfCareGoal, ShareGrant, Team, Therapist,
    TherapySession, UserAccount, WeeklyCheckin, case_rating_model, explain_errors,
)
from data_schema.tables import build_model
from data_schema.validation import validate_table
from tests.data_schema.strategies import valid_rows

TODAY = dt.date.today()
LAST_MONDAY = monday_of(TODAY)
UTC = dt.timezone.utc


def errors(model, **data) -> list[tuple]:
    with pytest.raises(pydantic.ValidationError) as info:
        model(**data)
    return [(e["loc"][0] if e["loc"] else (e.get("ctx") or {}).get("column"), e["type"]) for e in info.value.errors()]


def explain(model, lang, **data) -> list[str]:
    with pytest.raises(pydantic.ValidationError) as info:
        model(**data)
    return explain_errors(info.value, lang)


def test_case_rating_parses_like_a_table_and_is_generated_from_the_instrument():
    rating = CaseRating(case_code="c-7kq2-m9xd", rated_on="2-3-2026", emo_anxiety="3,0", cog_catastrophizing=2)
    assert rating.case_code == "C-7KQ2-M9XD" and rating.rated_on == dt.date(2026, 3, 2)
    assert rating.emo_anxiety == 3 and rating.cog_catastrophizing == 2 and rating.safety_concern is None
    item_fields = [f for f in CaseRating.model_fields if f in INSTRUMENT.item_ids]
    assert item_fields == list(INSTRUMENT.item_ids)
    assert errors(CaseRating, case_code="C-7KQ2-M9XD", rated_on="2026-01-05") == [(None, "no_ratings")]
    assert errors(CaseRating, case_code="x", rated_on="2099-01-01", emo_anxiety=7, ther_rumination=2.5, foo=1) == [
        ("case_code", "bad_case_code"), ("rated_on", "future_date"), ("emo_anxiety", "out_of_range"),
        ("ther_rumination", "not_a_whole_number"), ("foo", "extra_forbidden"),
    ]


def test_a_new_instrument_item_needs_no_edit():
    text = resources.files("complexity").joinpath("instrument.toml").read_text("utf-8")
    text += '\n[[extra_items]]\nid = "test_new_item"\npurpose = "meaning"\nlabel = { nl = "Nieuw", en = "New" }\n' \
            'anchors.nl = ["a", "b", "c", "d"]\nanchors.en = ["a", "b", "c", "d"]\n'
    instrument = parse_instrument(text)
    model = case_rating_model(instrument)
    assert model(case_code="C-7KQ2-M9XD", rated_on="2026-01-05", test_new_item="2").test_new_item == 2
    with pytest.raises(pydantic.ValidationError):
        model(case_code="C-7KQ2-M9XD", rated_on="2026-01-05", test_new_item="4")
    table = build_model(import_tables(instrument=instrument)["ratings"], "R")
    assert "test_new_item" in table.to_schema().columns


def test_weekly_checkin_generated_and_guarded():
    checkin = WeeklyCheckin(week_start="2026-W10", energy="7", selfcare_actions="pause_walk; supervisie",
                            reflection="zware week, veel geleerd")
    assert checkin.week_start == dt.date(2026, 3, 2)
    assert checkin.selfcare_actions == ("pause_walk", "supervision")
    assert [f for f in WeeklyCheckin.model_fields if f != "week_start"] == [f.id for f in CHECKIN.fields]
    assert WeeklyCheckin(week_start=LAST_MONDAY).selfcare_actions == ()
    assert errors(WeeklyCheckin, week_start="2026-03-04", energy=11, reflection="mail me: a@b.nl",
                  selfcare_actions=["dancing"]) == [
        ("week_start", "not_a_monday"), ("energy", "out_of_range"), ("selfcare_actions", "not_an_option"),
        ("reflection", "identifier_found"),
    ]
    assert errors(WeeklyCheckin, week_start=LAST_MONDAY + dt.timedelta(weeks=1)) == [("week_start", "future_date")]
    assert errors(WeeklyCheckin, week_start=LAST_MONDAY, reflection="x" * (fields.REFLECTION_MAX + 1)) == [
        ("reflection", "too_long")]


def test_other_records():
    assert Therapist(username="Anna", display_name="Anna", experience="ervaren", contracted_sessions="20").username == "anna"
    assert errors(Therapist, username="a", display_name="", experience="expert", contracted_sessions=61) == [
        ("username", "bad_username"), ("display_name", "required"), ("experience", "not_an_option"),
        ("contracted_sessions", "out_of_range")]
    assert Case(opened_on="2026-03-02").case_code is None
    assert errors(Case, opened_on="2026-03-02", closed_on="1-3-2026") == [("closed_on", "date_order")]
    assert errors(TherapySession, case_code="C-7KQ2-M9XD", session_date=TODAY + dt.timedelta(days=1),
                  duration_minutes=0) == [("session_date", "future_date"), ("duration_minutes", "out_of_range")]
    assert Team(name="Noord").name == "Noord"
    assert errors(Team, name="x" * 101) == [("name", "too_long")]
    goal = SelfCareGoal(week_start=LAST_MONDAY, text="elke dag een korte wandeling",
                        review_week=LAST_MONDAY + dt.timedelta(weeks=2))
    assert goal.status == "open"
    assert errors(SelfCareGoal, week_start=LAST_MONDAY, text="bel 06-12345678", review_week=LAST_MONDAY) == [
        ("text", "identifier_found")]
    assert errors(SelfCareGoal, week_start=LAST_MONDAY, text="rust", review_week=LAST_MONDAY - dt.timedelta(weeks=1)) == [
        ("review_week", "date_order")]
    assert errors(ShareGrant, supervisor_user_id="3", period_start="2026-03-02", period_end="2026-02-01") == [
        ("period_end", "date_order")]
    assert ShareGrant(supervisor_user_id="3", period_start="2026-03-02", period_end="2026-03-02").supervisor_user_id == 3
    consent = ResearchConsent(research_id="abcd1234efgh", given_at="2026-01-01T10:00:00+01:00")
    assert consent.given_at == dt.datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    assert errors(ResearchConsent, research_id="abcd1234efgh", given_at="2026-01-01T10:00:00") == [
        ("given_at", "not_a_timestamp")]
    assert errors(ResearchConsent, research_id="abcd1234efgh", given_at=dt.datetime(2026, 2, 1, tzinfo=UTC),
                  withdrawn_at=dt.datetime(2026, 1, 1, tzinfo=UTC)) == [("withdrawn_at", "date_order")]
    assert UserAccount(username="sup.ervisor", role="supervisor").language == "nl"
    assert UserAccount(username="anna", role="therapeut", therapist_id=4).role == "therapist"  # the Dutch label
    assert errors(UserAccount, username="anna", role="therapist") == [("therapist_id", "therapist_link")]
    assert errors(UserAccount, username="anna", role="admin", therapist_id=4) == [("therapist_id", "therapist_link")]
    assert errors(UserAccount, username="anna", role="boss", language="de") == [
        ("role", "not_an_option"), ("language", "not_an_option")]
    event = AuditEvent(at=dt.datetime.now(UTC), action="export", subject_type="case", subject_id="C-7KQ2-M9XD")
    assert event.detail is None
    assert errors(AuditEvent, at=dt.datetime.now(UTC), action="read", detail="geb. 12-03-1985") == [
        ("detail", "identifier_found")]
    assert errors(AuditEvent, at=dt.datetime.now(), action="read") == [("at", "not_a_timestamp")]


def test_explain_errors_names_fields_by_label_in_dutch_and_english():
    nl = explain(CaseRating, "nl", case_code="C-7KQ2-M9XD", rated_on="2026-01-05", emo_anxiety="7", foo="1")
    en = explain(CaseRating, "en", case_code="C-7KQ2-M9XD", rated_on="2026-01-05", emo_anxiety="7", foo="1")
    assert nl == ["Angst en paniek: 7 ligt buiten 0-3", "foo: onbekend veld"]
    assert en == ["Anxiety and panic: 7 is outside 0-3", "foo: unknown field"]
    [missing] = explain(TherapySession, "nl", case_code="C-7KQ2-M9XD", session_date="2026-01-05")
    assert missing == "Duur: hier moet iets ingevuld worden"
    [order] = explain(Case, "nl", opened_on="2026-03-02", closed_on="2026-03-01")
    assert order == "Gesloten op: 2026-03-01 ligt vóór Geopend op 2026-03-02"
    [guard] = explain(WeeklyCheckin, "en", week_start=LAST_MONDAY, reflection="BSN 123456782")
    assert guard.startswith("Reflection (only for you, optional): contains a BSN")
    assert "12*****82" in guard and "123456782" not in guard
    [whole] = explain(WeeklyCheckin, "nl", week_start=LAST_MONDAY, sleep="6,5")
    assert whole == "Hoe sliep je deze week?: 6,5 is geen geheel getal"


def test_record_fields_are_the_table_fields():
    for model, kind, owner in ((Therapist, "therapists", ()), (Case, "cases", ("username",)),
                               (CaseRating, "ratings", ()), (TherapySession, "sessions", ()),
                               (WeeklyCheckin, "checkins", ("username",))):
        table = IMPORT_TABLES[kind]
        assert list(model.model_fields) == [c for c in table.columns if c not in owner]
        for f in table.fields:
            if f.name in model.model_fields:
                assert model.model_fields[f.name].is_required() == (f.required and f.type != "multi")


# --- one rule set: a table and a record give the same verdict on the same text --------

_TEXTS = st.one_of(
    st.sampled_from(["", " ", "0", "3", "3,0", "2.5", "-1", "11", "61", "481", "abc", "2026-03-02", "2-3-2026",
                     "2026-02-30", "2099-01-01", "2026-W10", "2026-W60", "2026-03-04", "starting", "ervaren", "zzz",
                     "C-7KQ2-M9XD", "c7kq2m9xd", "X-1", "anna", "A B", "pause_walk; supervisie", "dancing",
                     "BSN 123456782", "mail a@b.nl", "rustige week", "x" * 101]),
    st.text(max_size=12),
)


@pytest.mark.parametrize("kind, model, owner", [
    ("therapists", Therapist, ()), ("cases", Case, ("username",)), ("ratings", CaseRating, ()),
    ("sessions", TherapySession, ()), ("checkins", WeeklyCheckin, ("username",)),
])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_table_and_record_agree(kind, model, owner, data):
    table = IMPORT_TABLES[kind]
    _, raw = data.draw(valid_rows(table, min_rows=1, max_rows=1))
    editable = [f.name for f in table.fields if f.name not in owner]
    column = data.draw(st.sampled_from(editable))
    raw.loc[0, column] = data.draw(_TEXTS)
    result = validate_table(kind, raw)
    if all(v is None or str(v).strip() == "" for v in raw.iloc[0]):
        return  # a blank row is skipped by a table; a record has no such notion
    from_table = {(p.column, p.code) for p in result.problems}
    payload = {c: raw.loc[0, c] for c in editable}
    try:
        model(**payload)
        from_record = set()
    except pydantic.ValidationError as exc:
        from_record = {(e["loc"][0] if e["loc"] else (e.get("ctx") or {}).get("column"), e["type"])
                       for e in exc.errors()}
    cells = {p for p in from_table if p[1] not in ROW_RULES}
    assert cells == {p for p in from_record if p[1] not in ROW_RULES}
    if not cells:  # pydantic checks a record's row rules once its fields are valid
        assert from_table == from_record


ROW_RULES = ("date_order", "no_ratings")
