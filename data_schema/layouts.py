"""The tables Draagkracht reads and writes, made of the fields of ``data_schema.fields``.

- :data:`IMPORT_TABLES`: what an import file of each kind holds (``store.importer``).
- :data:`EXPORT_TABLES`: every column an export may have (``store.exporter`` writes the
  subset its audience may see; the codebook describes them all).
- :data:`SCORE_INPUT`: the cases the scoring command reads (``python -m complexity
  score``).

The builders take the instrument and the check-in as arguments so that a test can prove
that a new item or check-in field appears everywhere without an edit.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

from complexity import CHECKIN, INSTRUMENT
from complexity.checkin import Checkin
from complexity.instrument import Instrument
from complexity.load import LOAD_COLUMNS

from .fields import (
    ACTIVE, AUDIT_ACTION, AUDIT_AT, AUDIT_DETAIL, BAND, BURDEN, CAPACITY_SCORE, CASE_CODE, CASE_ID,
    CHECKIN_VERSION, CLOSED_ON, COMPLEXITY, COMPLEXITY_HIGH, COMPLEXITY_LOW, CONTRACTED_SESSIONS, DISPLAY_NAME, DURATION_MINUTES, EXPERIENCE_FIELD, FLAGS, GIVEN_AT,
    GOAL_RESOURCE, GOAL_STATUS, GOAL_TEXT, INSTRUMENT_VERSION, INTERACTION, LANGUAGE, LOAD_FIELDS, MODEL_VERSION,
    OPENED_ON, PERIOD_END, PERIOD_START, RATED_ON, RECORDED_AT, REVIEW_WEEK, ROLE, SESSION_COMPLEXITY,
    SESSION_DATE, SESSION_MODEL_VERSION, SESSION_WEIGHT, STARTED_ON, SUBJECT_ID, SUBJECT_TYPE, SUPERVISOR_USER_ID, TEAM, TEAM_ID,
    TEAM_NAME, THERAPIST_PSEUDONYM, UNRATED_ITEMS, USER_ID, USERNAME, VIGNETTE, WEEK_START, WITHDRAWN_AT, action_fields,
    checkin_fields,
    contribution_fields, domain_fields, item_fields,
)
from .spec import FieldSpec, TableSpec, catalog_texts


def import_tables(instrument: Instrument = INSTRUMENT, checkin: Checkin = CHECKIN) -> dict[str, TableSpec]:
    """The tables an import file can hold, one per kind."""
    return {
        "therapists": TableSpec("therapists", (
            USERNAME, DISPLAY_NAME, TEAM, EXPERIENCE_FIELD, CONTRACTED_SESSIONS, STARTED_ON,
        ), unique=("username",)),
        "cases": TableSpec("cases", (CASE_CODE.optional(), USERNAME, OPENED_ON, CLOSED_ON),
                           unique=("case_code",), order=(("opened_on", "closed_on"),)),
        "ratings": TableSpec("ratings", (CASE_CODE, RATED_ON) + item_fields(instrument) + (BURDEN,),
                             unique=("case_code", "rated_on"), at_least_one=instrument.item_ids),
        "sessions": TableSpec("sessions", (CASE_CODE, SESSION_DATE, DURATION_MINUTES)),
        "checkins": TableSpec("checkins", (USERNAME, WEEK_START) + checkin_fields(checkin),
                              unique=("username", "week_start")),
    }


def _record_id(name: str) -> FieldSpec:
    return FieldSpec(name, "whole", min=1, values_key="record_id")


def _stamp(name: str, required: bool = True) -> FieldSpec:
    return FieldSpec(name, "timestamp", required=required)


def export_tables(instrument: Instrument = INSTRUMENT, checkin: Checkin = CHECKIN) -> dict[str, TableSpec]:
    """The tables an export can hold, every column it may have (an export writes a
    subset: ``store.exporter``). Therapists appear only as a pseudonym, and by name only
    in their own export; check-in reflections only in a therapist's own export, never
    in research exports; accounts never with a username, password or secret."""
    checkin_scales = tuple(f for f in checkin_fields(checkin) if f.type == "whole")
    own_text = catalog_texts("field.own_reflection.values")
    reflection = tuple(f.but(texts={**f.texts, "values": own_text})
                       for f in checkin_fields(checkin) if f.type == "free_text")
    return {
        "therapists": TableSpec("therapists", (
            THERAPIST_PSEUDONYM, EXPERIENCE_FIELD, CONTRACTED_SESSIONS, TEAM_ID.optional(), STARTED_ON, ACTIVE,
            DISPLAY_NAME.but(key="own_display_name"),
        ), unique=("therapist",)),
        "cases": TableSpec("cases", (CASE_CODE, THERAPIST_PSEUDONYM, OPENED_ON, CLOSED_ON),
                           unique=("case_code",)),
        "ratings": TableSpec("ratings", (CASE_CODE, RATED_ON) + item_fields(instrument) + (BURDEN, INSTRUMENT_VERSION)),
        "scores": TableSpec("scores", (
            CASE_CODE, RATED_ON, COMPLEXITY, COMPLEXITY_LOW, COMPLEXITY_HIGH, UNRATED_ITEMS, BAND,
            *domain_fields(instrument), *contribution_fields(instrument), INTERACTION, FLAGS, INSTRUMENT_VERSION,
            MODEL_VERSION,
        )),
        "sessions": TableSpec("sessions", (
            CASE_CODE, THERAPIST_PSEUDONYM, SESSION_DATE, DURATION_MINUTES, SESSION_COMPLEXITY, SESSION_WEIGHT,
            SESSION_MODEL_VERSION,
        )),
        "checkins": TableSpec("checkins", (
            THERAPIST_PSEUDONYM, WEEK_START, *checkin_scales, *action_fields(checkin), CAPACITY_SCORE,
            *reflection, CHECKIN_VERSION,
        )),
        "weekly_load": TableSpec("weekly_load", tuple(LOAD_FIELDS[c] for c in LOAD_COLUMNS)),
        "teams": TableSpec("teams", (TEAM_ID, TEAM_NAME), unique=("team_id",)),
        "accounts": TableSpec("accounts", (
            USER_ID, ROLE, LANGUAGE, THERAPIST_PSEUDONYM.optional(), ACTIVE.but(key="account_active"),
            FieldSpec("failed_logins", "whole", min=0), _stamp("locked_until", required=False), RECORDED_AT,
            _stamp("password_changed_at", required=False), _stamp("last_login_at", required=False),
        ), unique=("user_id",)),
        "supervisor_teams": TableSpec("supervisor_teams", (USER_ID, TEAM_ID)),
        "selfcare_goals": TableSpec("selfcare_goals", (
            _record_id("goal_id"), THERAPIST_PSEUDONYM, WEEK_START.but(not_future=False), REVIEW_WEEK, GOAL_STATUS,
            RECORDED_AT, GOAL_TEXT, GOAL_RESOURCE,
        )),
        "share_grants": TableSpec("share_grants", (
            _record_id("grant_id"), THERAPIST_PSEUDONYM, SUPERVISOR_USER_ID, PERIOD_START, PERIOD_END, RECORDED_AT,
            _stamp("revoked_at", required=False),
        )),
        "research_consents": TableSpec("research_consents", (
            _record_id("consent_id"), THERAPIST_PSEUDONYM, GIVEN_AT, WITHDRAWN_AT,
        )),
        "practice_ratings": TableSpec("practice_ratings", (
            _record_id("practice_rating_id"), VIGNETTE, THERAPIST_PSEUDONYM, INSTRUMENT_VERSION, RECORDED_AT,
        ) + item_fields(instrument)),
        "audit_events": TableSpec("audit_events", (
            _record_id("event_id"), AUDIT_AT, USER_ID.but(name="actor_user_id", key="actor_user_id", required=False),
            USER_ID.but(name="on_behalf_of_user_id", key="on_behalf_of_user_id", required=False),
            AUDIT_ACTION, SUBJECT_TYPE, SUBJECT_ID, AUDIT_DETAIL,
        )),
    }


def score_input_table(instrument: Instrument = INSTRUMENT) -> TableSpec:
    """The table of cases to score (``python -m complexity score``): a unique
    ``case_id`` and one optional column per instrument item, 0-3. Not an import kind:
    nothing is stored, and a case with no item rated is scored (as incomplete)."""
    return TableSpec("cases_to_score", (CASE_ID,) + item_fields(instrument), unique=("case_id",))


IMPORT_TABLES: Mapping[str, TableSpec] = MappingProxyType(import_tables())
EXPORT_TABLES: Mapping[str, TableSpec] = MappingProxyType(export_tables())
SCORE_INPUT: TableSpec = score_input_table()

__all__ = ["EXPORT_TABLES", "IMPORT_TABLES", "SCORE_INPUT", "export_tables", "import_tables", "score_input_table"]
