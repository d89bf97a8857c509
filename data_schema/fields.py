"""Every field's rules, defined once: the tables, the records and the codebook build on these.

Each field is a :class:`~data_schema.spec.FieldSpec` (what a value is, its range,
length, pattern or options); its words (label, unit, values, option labels) are in the
catalog under ``field.<key>.*`` (``data_schema/i18n/*.fields.json``). How fields make up
the import, export and scoring tables is ``data_schema.layouts``.

Instrument items and check-in fields are **generated** from ``complexity.INSTRUMENT``
and ``complexity.CHECKIN`` (:func:`item_fields`, :func:`checkin_fields`, ...): a new item
needs no edit here. The builders take the instrument and check-in as arguments so that a
test can prove it with a modified instrument.

The constants below (roles, experience levels, goal statuses, audit actions, the one
username rule, case-code pattern, session and contract limits, self-care action
columns) are the definitions ``store.models`` imports instead of repeating.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Mapping

from complexity import BAND_CATEGORIES, CHECKIN, FLAG_CATALOG, INSTRUMENT, LANGUAGES, LOAD_STATUSES
from complexity.checkin import Checkin, CheckinField
from complexity.instrument import BURDEN_MAX, MAX_LEVEL, MIN_LEVEL, Instrument
from complexity.selfcare import SELFCARE_RULES

from .spec import FieldSpec, catalog_texts

# --- shared constants (store.models imports these) --------------------------------------
EXPERIENCE: tuple[str, ...] = ("starting", "experienced")
ROLES: tuple[str, ...] = ("therapist", "supervisor", "researcher", "admin")
GOAL_STATUSES: tuple[str, ...] = ("open", "achieved", "partly", "not_achieved")
AUDIT_ACTIONS: tuple[str, ...] = (
    "read", "create", "change", "delete", "export", "search",
    "login_success", "login_failure", "authz_denied",
)
# Whether the access an audit line records was allowed or refused (NEN 7513).
AUDIT_OUTCOMES: tuple[str, ...] = ("allowed", "refused")
# What a supervisor is alerted to (store.alerts): red load two complete weeks in a row,
# load rising week on week, a case marked "consult now".
ALERT_KINDS: tuple[str, ...] = ("red_two_weeks", "load_rising", "consult_now")
# Why a login session ended (store.accounts.sessions): its user logged out, ended it
# from My account, it was replaced by a new id (second factor, own password), it ran
# out (idle, absolute), the password was changed elsewhere, the account was deactivated.
SESSION_END_REASONS: tuple[str, ...] = (
    "logout", "ended_by_user", "rotated", "idle", "absolute", "password_changed", "account",
)
# The one username rule: 3-64 characters, lower-case letters, digits and . _ @ -, starting
# with a letter or a digit (an e-mail address can be a username).
USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._@-]{2,63}$"
CASE_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CASE_CODE_PATTERN = r"^C-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$"
CASE_CODE_LENGTH = 11
MIN_CONTRACTED_SESSIONS, MAX_CONTRACTED_SESSIONS = 1, 60
MIN_SESSION_MINUTES, MAX_SESSION_MINUTES = 1, 480
NAME_MAX = 100  # display names and team names
GOAL_TEXT_MAX = 500
REFLECTION_MAX: int = CHECKIN.field("reflection").max_length or 2000
SELFCARE_ACTIONS: tuple[str, ...] = tuple(o.id for o in CHECKIN.field("selfcare_actions").options)
ACTION_COLUMNS: tuple[str, ...] = tuple(f"action_{a}" for a in SELFCARE_ACTIONS)

_CASE_CODE_RE = re.compile(CASE_CODE_PATTERN)
_TYPOS = str.maketrans({"I": "1", "L": "1", "O": "0"})


def normalize_case_code(text: str) -> str:
    """The canonical form of a typed case code: upper case, dashes restored, I/L/O read
    as 1/1/0. Raises ValueError if the text cannot be a case code."""
    raw = re.sub(r"[\s\-]", "", str(text).upper())
    if len(raw) == 9 and raw.startswith("C"):
        raw = raw[1:]
    raw = raw.translate(_TYPOS)
    code = f"C-{raw[:4]}-{raw[4:]}"
    if len(raw) != 8 or not _CASE_CODE_RE.match(code):
        raise ValueError(f"{text!r} is not a case code (C-XXXX-XXXX)")
    return code


# --- people and teams -------------------------------------------------------------------
USERNAME = FieldSpec("username", "username", max_length=64, pattern=USERNAME_PATTERN, pattern_code="bad_username")
DISPLAY_NAME = FieldSpec("display_name", "text", max_length=NAME_MAX)
TEAM = FieldSpec("team", "text", required=False, max_length=NAME_MAX)
TEAM_NAME = FieldSpec("name", "text", key="team_name", max_length=NAME_MAX)
EXPERIENCE_FIELD = FieldSpec("experience", "choice", choices=EXPERIENCE)
CONTRACTED_SESSIONS = FieldSpec("contracted_sessions", "whole", min=MIN_CONTRACTED_SESSIONS,
                                max=MAX_CONTRACTED_SESSIONS)
STARTED_ON = FieldSpec("started_on", "date", required=False)
THERAPIST_PSEUDONYM = FieldSpec("therapist", "text")
THERAPIST_ID = FieldSpec("therapist_id", "text")
TEAM_ID = FieldSpec("team_id", "whole", min=1, values_key="record_id")
ACTIVE = FieldSpec("active", "boolean")

# --- cases and sessions ---------------------------------------------------------------------
CASE_CODE = FieldSpec("case_code", "case_code", max_length=CASE_CODE_LENGTH, pattern=CASE_CODE_PATTERN,
                      pattern_code="bad_case_code")
OPENED_ON = FieldSpec("opened_on", "date", not_future=True)
CLOSED_ON = FieldSpec("closed_on", "date", required=False, not_future=True)
RATED_ON = FieldSpec("rated_on", "date", not_future=True)
CASE_ID = FieldSpec("case_id", "text")  # cases to score (python -m complexity score): the user's own id
SESSION_DATE = FieldSpec("session_date", "date", not_future=True)
DURATION_MINUTES = FieldSpec("duration_minutes", "whole", min=MIN_SESSION_MINUTES, max=MAX_SESSION_MINUTES)

# --- check-ins and goals ----------------------------------------------------------------------
WEEK_START = FieldSpec("week_start", "week", not_future=True)
GOAL_TEXT = FieldSpec("text", "free_text", key="goal_text", max_length=GOAL_TEXT_MAX)
GOAL_RESOURCE = FieldSpec("resource", "choice", key="goal_resource", required=False,
                          choices=SELFCARE_RULES.resource_ids)
REVIEW_WEEK = FieldSpec("review_week", "week")
GOAL_STATUS = FieldSpec("status", "choice", key="goal_status", choices=GOAL_STATUSES)

# --- accounts, sharing, consent, audit ----------------------------------------------------------
ROLE = FieldSpec("role", "choice", choices=ROLES)
LANGUAGE = FieldSpec("language", "choice", choices=LANGUAGES)
USER_ID = FieldSpec("user_id", "whole", min=1)
SUPERVISOR_USER_ID = USER_ID.but(name="supervisor_user_id", key="supervisor_user_id")
PERIOD_START = FieldSpec("period_start", "date")
PERIOD_END = FieldSpec("period_end", "date")
RESEARCH_ID = FieldSpec("research_id", "text", max_length=32, pattern=r"^[A-Za-z0-9_-]{8,32}$")
GIVEN_AT = FieldSpec("given_at", "timestamp")
WITHDRAWN_AT = FieldSpec("withdrawn_at", "timestamp", required=False)
RECORDED_AT = FieldSpec("created_at", "timestamp", key="recorded_at")
AUDIT_AT = FieldSpec("at", "timestamp", key="audit_at")
AUDIT_ACTION = FieldSpec("action", "choice", key="audit_action", choices=AUDIT_ACTIONS)
SUBJECT_TYPE = FieldSpec("subject_type", "text", required=False, max_length=32, pattern=r"^[a-z_]{1,32}$")
SUBJECT_ID = FieldSpec("subject_id", "text", required=False, max_length=64)
AUDIT_DETAIL = FieldSpec("detail", "free_text", key="audit_detail", required=False, max_length=2000)

# --- scores and load (exports and query results) ------------------------------------------------
COMPLEXITY = FieldSpec("complexity", "decimal", required=False, min=0, max=100)
COMPLEXITY_LOW = FieldSpec("complexity_low", "decimal", required=False, min=0, max=100)
COMPLEXITY_HIGH = FieldSpec("complexity_high", "decimal", required=False, min=0, max=100)
UNRATED_ITEMS = FieldSpec("unrated_items", "whole", required=False, min=0)
BURDEN = FieldSpec("burden", "whole", required=False, min=0, max=BURDEN_MAX)
BAND = FieldSpec("band", "choice", choices=BAND_CATEGORIES)
INTERACTION = FieldSpec("interaction", "decimal", required=False, min=0, max=100)
INSTRUMENT_VERSION = FieldSpec("instrument_version", "text", max_length=20)
MODEL_VERSION = FieldSpec("model_version", "text", max_length=40)
VIGNETTE = FieldSpec("vignette", "text", max_length=16)  # a rating-practice vignette's key
CHECKIN_VERSION = FieldSpec("checkin_version", "text", max_length=20)
_CASE_FLAGS = tuple(code for code, spec in FLAG_CATALOG.items() if spec.scope == "case")
_FLAG = "(?:" + "|".join(_CASE_FLAGS) + ")"
FLAGS = FieldSpec("flags", "text", required=False, pattern=rf"^(?:{_FLAG}(?:\|{_FLAG})*)?$",
                  texts={"values": catalog_texts("field.flags.values", codes=", ".join(_CASE_FLAGS))})
SESSION_COMPLEXITY = COMPLEXITY.but(key="session_complexity")
SESSION_WEIGHT = FieldSpec("weight", "decimal", key="session_weight", min=1, max=3)
SESSION_MODEL_VERSION = FieldSpec("model_version", "text", key="session_model_version", required=False,
                                  max_length=40)
CAPACITY_SCORE = FieldSpec("capacity_score", "decimal", required=False, min=0, max=100)

# weekly_load: one spec per complexity.load.LOAD_COLUMNS entry (a new column fails at import).
LOAD_FIELDS: Mapping[str, FieldSpec] = MappingProxyType({
    "therapist_id": THERAPIST_ID,
    "week": FieldSpec("week", "text", pattern=r"^[0-9]{4}-W[0-9]{2}$"),
    "week_start": WEEK_START.but(key="load_week_start", not_future=False),
    "sessions": FieldSpec("sessions", "whole", min=0),
    "unscored_sessions": FieldSpec("unscored_sessions", "whole", min=0),
    "load": FieldSpec("load", "decimal", min=0),
    "capacity": FieldSpec("capacity", "decimal", min=0),
    "load_index": FieldSpec("load_index", "decimal", required=False, min=0),
    "status": FieldSpec("status", "choice", key="load_status", choices=LOAD_STATUSES),
    "model_versions": FieldSpec("model_versions", "text", required=False, max_length=200),
})


# --- generated from the instrument and the check-in -----------------------------------------

def _given(**parts: Mapping[str, str]) -> Mapping[str, Mapping[str, str]]:
    return MappingProxyType(parts)


def _each_language(make) -> Mapping[str, str]:
    return MappingProxyType({lang: make(lang) for lang in LANGUAGES})


def item_fields(instrument: Instrument = INSTRUMENT) -> tuple[FieldSpec, ...]:
    """One optional whole-number field 0-3 per instrument item, in instrument order. A
    scored item's values are the instrument's levels (absent ... dominates the
    treatment); an item outside the score (safety, meaning, interplay) has a scale of its
    own, so its values are its own anchors."""
    levels = _each_language(lambda lang: "; ".join(f"{i} = {t}" for i, t in enumerate(instrument.level_labels[lang])))

    def own_anchors(item):
        return _each_language(lambda lang: "; ".join(f"{i} = {t}" for i, t in enumerate(item.anchors[lang])))

    return tuple(
        FieldSpec(item.id, "whole", required=False, min=MIN_LEVEL, max=MAX_LEVEL, version=instrument.version,
                  texts=_given(label=_each_language(item.label), values=levels if item.scored else own_anchors(item)))
        for item in instrument.items
    )


def domain_fields(instrument: Instrument = INSTRUMENT) -> tuple[FieldSpec, ...]:
    """One score 0-3 per instrument domain (the mean of its rated items)."""
    return tuple(
        FieldSpec(d.id, "decimal", required=False, min=MIN_LEVEL, max=MAX_LEVEL, version=instrument.version,
                  texts=_given(label=_each_language(d.label), unit=catalog_texts("field.domain_score.unit")))
        for d in instrument.domains
    )


def contribution_fields(instrument: Instrument = INSTRUMENT) -> tuple[FieldSpec, ...]:
    """One column per domain: the points of the complexity it contributes."""
    return tuple(
        FieldSpec(f"contrib_{d.id}", "decimal", required=False, min=0, max=100, version=instrument.version,
                  texts=_given(label=_each_language(
                      lambda lang, d=d: catalog_texts("field.contribution.label", domain=d.label(lang))[lang]),
                      unit=catalog_texts("field.contribution.unit")))
        for d in instrument.domains
    )


def _scale_values(f: CheckinField, lang: str) -> str:
    if f.levels:
        return "; ".join(f"{f.min + i} = {t}" for i, t in enumerate(f.levels[lang]))
    low = f.low[lang] if f.low else ""
    high = f.high[lang] if f.high else ""
    return f"{f.min} = {low} ... {f.max} = {high}"


def checkin_fields(checkin: Checkin = CHECKIN) -> tuple[FieldSpec, ...]:
    """One field per check-in field: scales (whole, min-max), the self-care actions (a
    list of option ids) and free text (guarded, with its maximum length)."""
    version = f"check-in {checkin.version}"
    out = []
    for f in checkin.fields:
        label = _each_language(f.label)
        if f.kind == "scale":
            out.append(FieldSpec(f.id, "whole", required=False, min=f.min, max=f.max, version=version,
                                 texts=_given(label=label, values=_each_language(lambda lang, f=f: _scale_values(f, lang)))))
        elif f.kind == "multi":
            options = {f"choice.{o.id}": _each_language(o.label) for o in f.options}
            out.append(FieldSpec(f.id, "multi", required=False, choices=tuple(o.id for o in f.options),
                                 version=version, texts=_given(label=label, **options)))
        elif f.kind == "text":
            out.append(FieldSpec(f.id, "free_text", required=not f.optional, max_length=f.max_length,
                                 version=version, texts=_given(label=label)))
        else:
            raise ValueError(f"check-in field {f.id!r}: unknown kind {f.kind!r}")
    return tuple(out)


def action_fields(checkin: Checkin = CHECKIN) -> tuple[FieldSpec, ...]:
    """One yes/no column per self-care action (how the store and exports keep them)."""
    multi = next((f for f in checkin.fields if f.kind == "multi"), None)
    if multi is None:
        return ()
    return tuple(
        FieldSpec(f"action_{o.id}", "boolean", version=f"check-in {checkin.version}",
                  texts=_given(label=_each_language(
                      lambda lang, o=o: catalog_texts("field.action.label", action=o.label(lang))[lang])))
        for o in multi.options
    )


__all__ = [
    "ACTION_COLUMNS", "ALERT_KINDS", "AUDIT_ACTIONS", "AUDIT_OUTCOMES", "BURDEN_MAX", "CASE_CODE_ALPHABET", "CASE_CODE_LENGTH", "CASE_CODE_PATTERN", "CASE_ID",
    "EXPERIENCE", "FieldSpec", "GOAL_STATUSES", "LANGUAGES", "LOAD_FIELDS", "MAX_CONTRACTED_SESSIONS",
    "MAX_SESSION_MINUTES", "MIN_CONTRACTED_SESSIONS", "MIN_SESSION_MINUTES", "REFLECTION_MAX", "ROLES",
    "SELFCARE_ACTIONS", "SESSION_END_REASONS", "USERNAME_PATTERN", "action_fields", "checkin_fields", "contribution_fields",
    "domain_fields", "item_fields", "normalize_case_code",
]
