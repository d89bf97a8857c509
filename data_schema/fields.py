"""Every field's rules, defined once: the tables, the records and the codebook build on these.

A :class:`FieldSpec` says what a value is (``type``), whether it is required, its range,
length, pattern or options, whether it may lie in the future, its Dutch and English
label, and its unit. ``data_schema.tables`` turns specs into pandera models,
``data_schema.records`` into pydantic fields, ``data_schema.codebook`` into rows.

Instrument items and check-in fields are **generated** from ``complexity.INSTRUMENT``
and ``complexity.CHECKIN`` (:func:`item_fields`, :func:`checkin_fields`): a new item
needs no edit here. The builders take the instrument and check-in as arguments so that a
test can prove it with a modified instrument. Besides the import and export tables there
is one more generated table, :data:`SCORE_INPUT`: the cases the scoring command reads.

The constants below (roles, languages, experience levels, goal statuses, audit actions,
case-code pattern, session and contract limits, self-care action columns) are the
definitions ``store.models`` should import instead of repeating.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from complexity import BAND_CATEGORIES, CHECKIN, FLAG_CATALOG, INSTRUMENT, LANGUAGES, LOAD_STATUSES
from complexity.checkin import Checkin, CheckinField
from complexity.selfcare import SELFCARE_RULES
from complexity.instrument import MAX_LEVEL, MIN_LEVEL, Instrument
from complexity.load import LOAD_COLUMNS

# --- shared constants (store.models should import these) --------------------------------
EXPERIENCE: tuple[str, ...] = ("starting", "experienced")
ROLES: tuple[str, ...] = ("therapist", "supervisor", "researcher", "admin")
GOAL_STATUSES: tuple[str, ...] = ("open", "achieved", "partly", "not_achieved")
AUDIT_ACTIONS: tuple[str, ...] = (
    "read", "create", "change", "delete", "export", "search",
    "login_success", "login_failure", "authz_denied",
)
USERNAME_PATTERN = r"^[a-z0-9._-]{3,64}$"
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


# --- field specs ----------------------------------------------------------------------

TYPES: tuple[str, ...] = (
    "text", "free_text", "username", "case_code", "choice", "multi",
    "whole", "decimal", "date", "week", "boolean", "timestamp",
)

# The codebook's "type" column for each spec type.
CODEBOOK_TYPES: Mapping[str, str] = MappingProxyType({
    "text": "text", "free_text": "text", "username": "text", "case_code": "text",
    "choice": "category", "multi": "list", "whole": "integer", "decimal": "decimal",
    "date": "date", "week": "date", "boolean": "boolean", "timestamp": "timestamp",
})


def _labels(nl: str, en: str) -> Mapping[str, str]:
    return MappingProxyType({"nl": nl, "en": en})


@dataclass(frozen=True)
class FieldSpec:
    """The rules of one field, wherever it appears (import, record, export, codebook)."""

    name: str
    type: str  # one of TYPES
    labels: Mapping[str, str]  # {"nl": ..., "en": ...}
    required: bool = True  # a value is required (and an import file must have the column)
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    pattern: str | None = None  # a full-match regular expression
    pattern_code: str = "bad_format"  # the problem code when the pattern does not match
    choices: tuple[str, ...] = ()
    choice_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # id -> {nl, en}
    not_future: bool = False
    unit: Mapping[str, str] | None = None  # {"nl": ..., "en": ...}
    values: Mapping[str, str] | None = None  # codebook text for the values, per language
    version: str | None = None  # "1.0.0" for instrument columns, "check-in 1.0.0" for check-in ones

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"field {self.name!r}: unknown type {self.type!r}")

    def label(self, lang: str = "nl") -> str:
        return self.labels["nl" if lang == "nl" else "en"]

    def optional(self) -> "FieldSpec":
        return dataclasses.replace(self, required=False)

    def but(self, **changes) -> "FieldSpec":
        return dataclasses.replace(self, **changes)

    @property
    def aliases(self) -> Mapping[str, str]:
        """Accepted spellings (lower case) of each choice: its id and its labels."""
        out = {c.lower(): c for c in self.choices}
        for choice, labels in self.choice_labels.items():
            for text in labels.values():
                out.setdefault(text.strip().lower(), choice)
        return out

    def range_text(self) -> str:
        """The range as the codebook shows it."""
        parts = []
        if self.min is not None or self.max is not None:
            lo = "" if self.min is None else number_text(self.min)
            hi = "" if self.max is None else number_text(self.max)
            parts.append(f"{lo}-{hi}" if lo and hi else (f">= {lo}" if lo else f"<= {hi}"))
        if self.type == "week":
            parts.append("a Monday")
        if self.not_future:
            parts.append("not in the future")
        if self.max_length is not None:
            parts.append(f"at most {self.max_length} characters")
        if self.pattern is not None:
            parts.append(f"pattern {self.pattern}")
        return "; ".join(parts)

    def values_text(self, lang: str = "en") -> str:
        """Unit or values as the codebook shows them, in ``lang``."""
        if self.values is not None:
            return self.values["nl" if lang == "nl" else "en"]
        if self.unit is not None:
            return self.unit["nl" if lang == "nl" else "en"]
        if self.choices:
            return "; ".join(
                f"{c} = {self.choice_labels[c]['nl' if lang == 'nl' else 'en']}" if c in self.choice_labels else c
                for c in self.choices
            )
        return ""


def number_text(x: float) -> str:
    """3.0 -> '3', 2.5 -> '2.5'."""
    return str(int(x)) if float(x).is_integer() else str(x)


def _choice_labels(pairs: Mapping[str, tuple[str, str]]) -> Mapping[str, Mapping[str, str]]:
    return MappingProxyType({k: _labels(nl, en) for k, (nl, en) in pairs.items()})


def _units(nl: str, en: str) -> Mapping[str, str]:
    return _labels(nl, en)


# People and teams
USERNAME = FieldSpec("username", "username", _labels("Gebruikersnaam", "Username"),
                     max_length=64, pattern=USERNAME_PATTERN, pattern_code="bad_username")
DISPLAY_NAME = FieldSpec("display_name", "text", _labels("Naam zoals getoond", "Display name"),
                         max_length=NAME_MAX)
TEAM = FieldSpec("team", "text", _labels("Team", "Team"), required=False, max_length=NAME_MAX)
TEAM_NAME = FieldSpec("name", "text", _labels("Teamnaam", "Team name"), max_length=NAME_MAX)
EXPERIENCE_FIELD = FieldSpec(
    "experience", "choice", _labels("Ervaring", "Experience"), choices=EXPERIENCE,
    choice_labels=_choice_labels({"starting": ("startend", "starting"),
                                  "experienced": ("ervaren", "experienced")}),
)
CONTRACTED_SESSIONS = FieldSpec(
    "contracted_sessions", "whole", _labels("Gecontracteerde behandelingen per week",
                                            "Contracted sessions per week"),
    min=MIN_CONTRACTED_SESSIONS, max=MAX_CONTRACTED_SESSIONS,
    unit=_units("behandelingen per week", "sessions per week"),
)
STARTED_ON = FieldSpec("started_on", "date", _labels("Begonnen op", "Started on"), required=False)
THERAPIST_PSEUDONYM = FieldSpec(
    "therapist", "text", _labels("Therapeut (pseudoniem)", "Therapist (pseudonym)"),
    values=_labels("het interne nummer van de therapeut, nooit een naam",
                   "the therapist's internal number, never a name"),
)
THERAPIST_ID = FieldSpec(
    "therapist_id", "text", _labels("Therapeut", "Therapist"),
    values=_labels("id of pseudoniem van de therapeut", "therapist id or pseudonym"),
)

# Cases
CASE_CODE = FieldSpec(
    "case_code", "case_code", _labels("Casuscode", "Case code"), max_length=CASE_CODE_LENGTH,
    pattern=CASE_CODE_PATTERN, pattern_code="bad_case_code",
    values=_labels("willekeurige pseudoniem C-XXXX-XXXX (Crockford base32)",
                   "random pseudonym C-XXXX-XXXX (Crockford base32)"),
)
OPENED_ON = FieldSpec("opened_on", "date", _labels("Geopend op", "Opened on"), not_future=True)
CLOSED_ON = FieldSpec("closed_on", "date", _labels("Gesloten op", "Closed on"), required=False,
                      not_future=True)
RATED_ON = FieldSpec("rated_on", "date", _labels("Gescoord op", "Rated on"), not_future=True)

# Cases to score (``python -m complexity score``): any identifier the user chose
CASE_ID = FieldSpec(
    "case_id", "text", _labels("Casus", "Case"),
    values=_labels("eigen kenmerk van de casus, uniek in het bestand", "the case's own identifier, unique in the file"),
)

# Sessions
SESSION_DATE = FieldSpec("session_date", "date", _labels("Datum behandeling", "Session date"),
                         not_future=True)
DURATION_MINUTES = FieldSpec(
    "duration_minutes", "whole", _labels("Duur", "Duration"),
    min=MIN_SESSION_MINUTES, max=MAX_SESSION_MINUTES, unit=_units("minuten", "minutes"),
)

# Check-ins and goals
WEEK_START = FieldSpec(
    "week_start", "week", _labels("Week (maandag)", "Week (Monday)"), not_future=True,
    values=_labels("maandag van de ISO-week; bij invoer ook 2026-W10",
                   "Monday of the ISO week; on import also 2026-W10"),
)
GOAL_TEXT = FieldSpec("text", "free_text", _labels("Zelfzorgdoel", "Self-care goal"),
                      max_length=GOAL_TEXT_MAX)
GOAL_RESOURCE = FieldSpec("resource", "choice", _labels("Hulpbron", "Resource"), required=False,
                          choices=SELFCARE_RULES.resource_ids,
                          values=_labels("een hulpbron van het zelfzorgplan (complexity/selfcare.toml)",
                                         "a resource of the self-care plan (complexity/selfcare.toml)"))
REVIEW_WEEK = FieldSpec("review_week", "week", _labels("Evaluatieweek", "Review week"))
GOAL_STATUS = FieldSpec(
    "status", "choice", _labels("Status", "Status"), choices=GOAL_STATUSES,
    choice_labels=_choice_labels({
        "open": ("open", "open"), "achieved": ("gehaald", "achieved"),
        "partly": ("deels gehaald", "partly achieved"), "not_achieved": ("niet gehaald", "not achieved"),
    }),
)

# Accounts, sharing, consent, audit
ROLE = FieldSpec(
    "role", "choice", _labels("Rol", "Role"), choices=ROLES,
    choice_labels=_choice_labels({
        "therapist": ("therapeut", "therapist"), "supervisor": ("supervisor", "supervisor"),
        "researcher": ("onderzoeker", "researcher"), "admin": ("beheerder", "administrator"),
    }),
)
LANGUAGE = FieldSpec(
    "language", "choice", _labels("Taal", "Language"), choices=LANGUAGES,
    choice_labels=_choice_labels({"nl": ("Nederlands", "Dutch"), "en": ("Engels", "English")}),
)
USER_ID = FieldSpec("user_id", "whole", _labels("Gebruiker", "User"), min=1)
PERIOD_START = FieldSpec("period_start", "date", _labels("Begin periode", "Period start"))
PERIOD_END = FieldSpec("period_end", "date", _labels("Einde periode", "Period end"))
RESEARCH_ID = FieldSpec("research_id", "text", _labels("Onderzoeks-id", "Research id"),
                        max_length=32, pattern=r"^[A-Za-z0-9_-]{8,32}$")
GIVEN_AT = FieldSpec("given_at", "timestamp", _labels("Gegeven op", "Given at"))
WITHDRAWN_AT = FieldSpec("withdrawn_at", "timestamp", _labels("Ingetrokken op", "Withdrawn at"),
                         required=False)
AUDIT_AT = FieldSpec("at", "timestamp", _labels("Tijdstip", "Time"))
AUDIT_ACTION = FieldSpec("action", "choice", _labels("Handeling", "Action"), choices=AUDIT_ACTIONS)
SUBJECT_TYPE = FieldSpec("subject_type", "text", _labels("Soort onderwerp", "Subject type"),
                         required=False, max_length=32, pattern=r"^[a-z_]{1,32}$")
SUBJECT_ID = FieldSpec("subject_id", "text", _labels("Onderwerp", "Subject"), required=False,
                       max_length=64)
AUDIT_DETAIL = FieldSpec("detail", "free_text", _labels("Toelichting", "Detail"), required=False,
                         max_length=2000)

# Scores and load (exports and query results)
COMPLEXITY = FieldSpec("complexity", "decimal", _labels("Complexiteit", "Complexity"), required=False,
                       min=0, max=100, unit=_units("punten (0-100); leeg = onvolledig",
                                                   "points (0-100); empty = incomplete"))
BAND = FieldSpec(
    "band", "choice", _labels("Complexiteitsniveau", "Complexity band"), choices=BAND_CATEGORIES,
    choice_labels=_choice_labels({
        "uncomplicated": ("ongecompliceerd", "uncomplicated"), "mild": ("licht gecompliceerd", "mildly complex"),
        "moderate": ("matig gecompliceerd", "moderately complex"),
        "severe": ("zwaar gecompliceerd", "severely complex"), "incomplete": ("onvolledig", "incomplete"),
    }),
)
INTERACTION = FieldSpec("interaction", "decimal", _labels("Interactie", "Interaction"), required=False,
                        min=0, max=100, unit=_units("punten van de complexiteit uit samenhang tussen domeinen",
                                                    "points of the complexity from domains feeding each other"))
INSTRUMENT_VERSION = FieldSpec("instrument_version", "text",
                               _labels("Versie instrument", "Instrument version"), max_length=20)
MODEL_VERSION = FieldSpec("model_version", "text", _labels("Versie model", "Model version"), max_length=40)
CHECKIN_VERSION = FieldSpec("checkin_version", "text", _labels("Versie check-in", "Check-in version"),
                            max_length=20)
_CASE_FLAGS = tuple(code for code, spec in FLAG_CATALOG.items() if spec.scope == "case")
_FLAG = "(?:" + "|".join(_CASE_FLAGS) + ")"
FLAGS = FieldSpec(
    "flags", "text", _labels("Signalen", "Flags"), required=False, pattern=rf"^(?:{_FLAG}(?:\|{_FLAG})*)?$",
    values=_labels("codes gescheiden door |: " + ", ".join(_CASE_FLAGS),
                   "codes joined by |: " + ", ".join(_CASE_FLAGS)),
)
SESSION_COMPLEXITY = COMPLEXITY.but(
    labels=_labels("Complexiteit van de casus bij de behandeling", "Case complexity at the session"),
    unit=_units("punten (0-100); leeg = casus niet gescoord", "points (0-100); empty = case not scored"),
)
SESSION_WEIGHT = FieldSpec("weight", "decimal", _labels("Gewicht", "Weight"), min=1, max=3,
                           unit=_units("gewogen behandelingen", "weighted sessions"))
CAPACITY_SCORE = FieldSpec("capacity_score", "decimal", _labels("Draagkracht", "Capacity"), required=False,
                           min=0, max=100, unit=_units("punten (0-100); 100 = elk antwoord op z'n best",
                                                       "points (0-100); 100 = every answer at its best"))

# weekly_load: one spec per complexity.load.LOAD_COLUMNS entry (a new column fails at import).
_LOAD_SPECS: Mapping[str, FieldSpec] = {
    "therapist_id": THERAPIST_ID,
    "week": FieldSpec("week", "text", _labels("ISO-week", "ISO week"), pattern=r"^[0-9]{4}-W[0-9]{2}$",
                      values=_labels("bijvoorbeeld 2026-W10", "for example 2026-W10")),
    "week_start": WEEK_START.but(not_future=False, values=_labels("maandag van de ISO-week", "Monday of the ISO week")),
    "sessions": FieldSpec("sessions", "whole", _labels("Behandelingen", "Sessions"), min=0,
                          unit=_units("behandelingen in de week", "sessions in the week")),
    "unscored_sessions": FieldSpec("unscored_sessions", "whole",
                                   _labels("Behandelingen zonder score", "Unscored sessions"), min=0,
                                   unit=_units("behandelingen van niet-gescoorde casussen",
                                               "sessions of cases without a score")),
    "load": FieldSpec("load", "decimal", _labels("Belasting", "Load"), min=0,
                      unit=_units("gewogen behandelingen", "weighted sessions")),
    "capacity": FieldSpec("capacity", "decimal", _labels("Capaciteit", "Capacity (load)"), min=0,
                          unit=_units("gewogen behandelingen per week", "weighted sessions per week")),
    "load_index": FieldSpec("load_index", "decimal", _labels("Belastingsindex", "Load index"), required=False,
                            min=0, unit=_units("belasting / capaciteit; 1,0 = op capaciteit",
                                               "load / capacity; 1.0 = at capacity")),
    "status": FieldSpec(
        "status", "choice", _labels("Stoplicht", "Traffic light"), choices=LOAD_STATUSES,
        choice_labels=_choice_labels({
            "blue": ("blauw: onder capaciteit (index onder 0,95)", "blue: below capacity (index under 0.95)"),
            "green": ("groen: in balans (index 0,95 tot 1,0)", "green: in balance (index 0.95 to 1.0)"),
            "amber": ("oranje: op capaciteit (index 1,0 tot 1,10)", "amber: at capacity (index 1.0 to 1.10)"),
            "red": ("rood: te hoog, 10% of meer boven capaciteit", "red: too high, 10% or more over capacity"),
        }),
    ),
}


def item_fields(instrument: Instrument = INSTRUMENT) -> tuple[FieldSpec, ...]:
    """One optional whole-number field 0-3 per instrument item, in instrument order."""
    out = []
    for item in instrument.items:
        levels = {lang: "; ".join(f"{i} = {t}" for i, t in enumerate(instrument.level_labels[lang]))
                  for lang in LANGUAGES}
        out.append(FieldSpec(
            item.id, "whole", _labels(item.label("nl"), item.label("en")), required=False,
            min=MIN_LEVEL, max=MAX_LEVEL, values=_labels(levels["nl"], levels["en"]),
            version=instrument.version,
        ))
    return tuple(out)


def domain_fields(instrument: Instrument = INSTRUMENT) -> tuple[FieldSpec, ...]:
    """One score 0-3 per instrument domain (the mean of its rated items)."""
    return tuple(
        FieldSpec(d.id, "decimal", _labels(d.label("nl"), d.label("en")), required=False,
                  min=MIN_LEVEL, max=MAX_LEVEL,
                  unit=_units("gemiddelde van de gescoorde items (0-3)", "mean of the rated items (0-3)"),
                  version=instrument.version)
        for d in instrument.domains
    )


def contribution_fields(instrument: Instrument = INSTRUMENT) -> tuple[FieldSpec, ...]:
    return tuple(
        FieldSpec(f"contrib_{d.id}", "decimal",
                  _labels(f"Bijdrage {d.label('nl')}", f"Contribution {d.label('en')}"), required=False,
                  min=0, max=100, unit=_units("punten van de complexiteit", "points of the complexity"),
                  version=instrument.version)
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
        labels = _labels(f.label("nl"), f.label("en"))
        if f.kind == "scale":
            out.append(FieldSpec(
                f.id, "whole", labels, required=False, min=f.min, max=f.max,
                values=_labels(_scale_values(f, "nl"), _scale_values(f, "en")), version=version,
            ))
        elif f.kind == "multi":
            out.append(FieldSpec(
                f.id, "multi", labels, required=False, choices=tuple(o.id for o in f.options),
                choice_labels=MappingProxyType({o.id: _labels(o.label("nl"), o.label("en")) for o in f.options}),
                version=version,
            ))
        elif f.kind == "text":
            out.append(FieldSpec(f.id, "free_text", labels, required=not f.optional,
                                 max_length=f.max_length, version=version))
        else:
            raise ValueError(f"check-in field {f.id!r}: unknown kind {f.kind!r}")
    return tuple(out)


def action_fields(checkin: Checkin = CHECKIN) -> tuple[FieldSpec, ...]:
    """One yes/no column per self-care action (how the store and exports keep them)."""
    multi = next((f for f in checkin.fields if f.kind == "multi"), None)
    if multi is None:
        return ()
    return tuple(
        FieldSpec(f"action_{o.id}", "boolean", _labels(f"Zelfzorg: {o.label('nl')}", f"Self-care: {o.label('en')}"),
                  values=_labels("waar/onwaar", "true/false"), version=f"check-in {checkin.version}")
        for o in multi.options
    )


@dataclass(frozen=True)
class TableSpec:
    """A table: its fields in column order and the columns that together are unique."""

    name: str
    fields: tuple[FieldSpec, ...]
    unique: tuple[str, ...] = ()
    order: tuple[tuple[str, str], ...] = ()  # (earlier, later): later may not lie before earlier
    at_least_one: tuple[str, ...] = ()  # at least one of these columns has a value

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


def import_tables(instrument: Instrument = INSTRUMENT, checkin: Checkin = CHECKIN) -> dict[str, TableSpec]:
    """The tables an import file can hold, one per kind."""
    return {
        "therapists": TableSpec("therapists", (
            USERNAME, DISPLAY_NAME, TEAM, EXPERIENCE_FIELD, CONTRACTED_SESSIONS, STARTED_ON,
        ), unique=("username",)),
        "cases": TableSpec("cases", (CASE_CODE.optional(), USERNAME, OPENED_ON, CLOSED_ON),
                           unique=("case_code",), order=(("opened_on", "closed_on"),)),
        "ratings": TableSpec("ratings", (CASE_CODE, RATED_ON) + item_fields(instrument),
                             unique=("case_code", "rated_on"), at_least_one=instrument.item_ids),
        "sessions": TableSpec("sessions", (CASE_CODE, SESSION_DATE, DURATION_MINUTES)),
        "checkins": TableSpec("checkins", (USERNAME, WEEK_START) + checkin_fields(checkin),
                              unique=("username", "week_start")),
    }


def _record_id(name: str, nl: str, en: str) -> FieldSpec:
    return FieldSpec(name, "whole", _labels(nl, en), min=1, values=_labels("volgnummer in de database", "database id"))


def _utc(name: str, nl: str, en: str, required: bool = True) -> FieldSpec:
    return FieldSpec(name, "timestamp", _labels(nl, en), required=required, values=_labels("UTC", "UTC"))


# What only the operator's export (accounts, teams, the audit log) and a therapist's own
# export (goals, shares, consents) hold, beside the research-shaped clinical tables.
TEAM_ID = _record_id("team_id", "Team", "Team")
ACTIVE = FieldSpec("active", "boolean", _labels("Actief", "Active"), values=_labels("waar/onwaar", "true/false"))
RECORDED_AT = _utc("created_at", "Vastgelegd op", "Recorded at")
SUPERVISOR_USER_ID = USER_ID.but(name="supervisor_user_id", labels=_labels("Supervisor", "Supervisor"))
_ACCOUNT_FIELDS = (
    USER_ID, ROLE, LANGUAGE, THERAPIST_PSEUDONYM.optional(),
    ACTIVE.but(labels=_labels("Account actief", "Account active")),
    FieldSpec("failed_logins", "whole", _labels("Mislukte aanmeldingen", "Failed logins"), min=0),
    _utc("locked_until", "Geblokkeerd tot", "Locked until", required=False), RECORDED_AT,
    _utc("password_changed_at", "Wachtwoord gewijzigd op", "Password changed at", required=False),
    _utc("last_login_at", "Laatst aangemeld op", "Last login at", required=False),
)


def export_tables(instrument: Instrument = INSTRUMENT, checkin: Checkin = CHECKIN) -> dict[str, TableSpec]:
    """The tables an export can hold, every column it may have (an export writes a
    subset: ``store.exporter``). Therapists appear only as a pseudonym, and by name only
    in their own export; check-in reflections only in a therapist's own export, never
    in research exports; accounts never with a username, password or secret."""
    checkin_scales = tuple(f for f in checkin_fields(checkin) if f.type == "whole")
    reflection = tuple(
        f.but(values=_labels("vrije tekst; alleen in de eigen export van de therapeut",
                             "free text; only in the therapist's own export"))
        for f in checkin_fields(checkin) if f.type == "free_text"
    )
    return {
        "therapists": TableSpec("therapists", (
            THERAPIST_PSEUDONYM, EXPERIENCE_FIELD, CONTRACTED_SESSIONS, TEAM_ID.optional(), STARTED_ON, ACTIVE,
            DISPLAY_NAME.but(values=_labels("alleen in de eigen export van de therapeut",
                                            "only in the therapist's own export")),
        ), unique=("therapist",)),
        "cases": TableSpec("cases", (CASE_CODE, THERAPIST_PSEUDONYM, OPENED_ON, CLOSED_ON),
                           unique=("case_code",)),
        "ratings": TableSpec("ratings", (CASE_CODE, RATED_ON) + item_fields(instrument)),
        "scores": TableSpec("scores", (
            CASE_CODE, RATED_ON, COMPLEXITY, BAND, *domain_fields(instrument),
            *contribution_fields(instrument), INTERACTION, FLAGS, INSTRUMENT_VERSION, MODEL_VERSION,
        )),
        "sessions": TableSpec("sessions", (
            CASE_CODE, THERAPIST_PSEUDONYM, SESSION_DATE, DURATION_MINUTES, SESSION_COMPLEXITY, SESSION_WEIGHT,
        )),
        "checkins": TableSpec("checkins", (
            THERAPIST_PSEUDONYM, WEEK_START, *checkin_scales, *action_fields(checkin), CAPACITY_SCORE,
            *reflection, CHECKIN_VERSION,
        )),
        "weekly_load": TableSpec("weekly_load", tuple(_LOAD_SPECS[c] for c in LOAD_COLUMNS)),
        "teams": TableSpec("teams", (TEAM_ID, TEAM_NAME), unique=("team_id",)),
        "accounts": TableSpec("accounts", _ACCOUNT_FIELDS, unique=("user_id",)),
        "supervisor_teams": TableSpec("supervisor_teams", (USER_ID, TEAM_ID)),
        "selfcare_goals": TableSpec("selfcare_goals", (
            _record_id("goal_id", "Doel", "Goal"), THERAPIST_PSEUDONYM, WEEK_START.but(not_future=False),
            REVIEW_WEEK, GOAL_STATUS, RECORDED_AT, GOAL_TEXT, GOAL_RESOURCE,
        )),
        "share_grants": TableSpec("share_grants", (
            _record_id("grant_id", "Deling", "Share grant"), THERAPIST_PSEUDONYM, SUPERVISOR_USER_ID,
            PERIOD_START, PERIOD_END, RECORDED_AT, _utc("revoked_at", "Ingetrokken op", "Revoked at", required=False),
        )),
        "research_consents": TableSpec("research_consents", (
            _record_id("consent_id", "Toestemming", "Consent"), THERAPIST_PSEUDONYM, GIVEN_AT, WITHDRAWN_AT,
        )),
        "audit_events": TableSpec("audit_events", (
            _record_id("event_id", "Gebeurtenis", "Event"), AUDIT_AT,
            USER_ID.but(name="actor_user_id", labels=_labels("Uitgevoerd door", "Actor"), required=False),
            USER_ID.but(name="on_behalf_of_user_id", labels=_labels("Namens", "On behalf of"), required=False),
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

__all__ = [
    "ACTION_COLUMNS", "AUDIT_ACTIONS", "CASE_CODE_ALPHABET", "CASE_CODE_LENGTH", "CASE_CODE_PATTERN", "CASE_ID",
    "EXPERIENCE", "EXPORT_TABLES", "FieldSpec", "GOAL_STATUSES", "IMPORT_TABLES", "LANGUAGES",
    "MAX_CONTRACTED_SESSIONS", "MAX_SESSION_MINUTES", "MIN_CONTRACTED_SESSIONS", "MIN_SESSION_MINUTES",
    "REFLECTION_MAX", "ROLES", "SCORE_INPUT", "SELFCARE_ACTIONS", "TableSpec", "USERNAME_PATTERN", "action_fields",
    "checkin_fields", "domain_fields", "export_tables", "import_tables", "item_fields",
    "normalize_case_code", "number_text", "score_input_table",
]
