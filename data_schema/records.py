"""Pydantic v2 models for single records at the edges: forms, settings, API payloads.

Every field is built from its :class:`~data_schema.spec.FieldSpec` by
:func:`field_type`: the same parser and the same rules as the import tables
(``data_schema.rules``), so ``"3,0"`` is 3 in a form as in a file, and a rule broken in a
form has the same error code as in an import (the pydantic error ``type`` *is* the
problem code, e.g. ``out_of_range``, ``identifier_found``). :func:`explain_errors` turns
a ``ValidationError`` into form-ready Dutch or English messages naming each field by its
label.

``CaseRating`` and ``WeeklyCheckin`` are generated with ``pydantic.create_model`` from
the instrument and the check-in; the table-level rules (closed after opened, at least one
item rated, a period that ends after it starts) come from the same ``TableSpec``
attributes as in the tables. Records carry no owner: the logged-in user is the owner.
"""

import datetime as dt
from typing import Annotated, Any, Literal, Optional

import pydantic
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model, field_validator, model_validator
from pydantic_core import PydanticCustomError

from complexity import CHECKIN, INSTRUMENT
from complexity.checkin import Checkin
from complexity.instrument import Instrument

from . import fields as F
from .layouts import IMPORT_TABLES, import_tables
from .spec import FieldSpec, TableSpec
from .guard import IdentifierFound, found_params
from .problems import Problem, has_message, render
from .rules import RuleError, read_value

_PY_TYPES: dict[str, Any] = {
    "whole": int, "decimal": float, "date": dt.date, "week": dt.date, "boolean": bool,
    "timestamp": dt.datetime, "multi": tuple[str, ...],
}


def _custom_error(exc: RuleError) -> PydanticCustomError:
    message = render(exc.code, "en", exc.params).replace("{", "(").replace("}", ")")
    return PydanticCustomError(exc.code, message, dict(exc.params))


def field_type(spec: FieldSpec) -> Any:
    """The annotated type of ``spec``: parsed and checked by ``data_schema.rules``, with
    the range, length and pattern also declared for JSON schema (form builders)."""

    def parse(raw: object) -> object:
        try:
            return read_value(spec, raw)
        except RuleError as exc:
            raise _custom_error(exc) from None

    if spec.type == "choice":
        base: Any = Literal[spec.choices]
    else:
        base = _PY_TYPES.get(spec.type, str)
    constraints: dict[str, Any] = {}
    if spec.type in ("whole", "decimal"):
        constraints = {"ge": spec.min, "le": spec.max}
    elif spec.type in ("text", "free_text", "username", "case_code"):
        constraints = {"max_length": spec.max_length, "pattern": spec.pattern}
    inner = Annotated[base, Field(**{k: v for k, v in constraints.items() if v is not None})]
    outer = inner if spec.required or spec.type == "multi" else Optional[inner]
    return Annotated[outer, BeforeValidator(parse)]


def _field(spec: FieldSpec, default: Any = ...) -> tuple[Any, Any]:
    if default is ... and not spec.required:
        default = () if spec.type == "multi" else None
    info = Field(default, title=spec.label("en"), description=spec.label("nl"),
                 json_schema_extra={"label_nl": spec.label("nl"), "label_en": spec.label("en")})
    return field_type(spec), info


class Record(BaseModel):
    """Base of all records: unknown fields are refused, records are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# model name -> field name -> spec, for explain_errors
_SPECS: dict[str, dict[str, FieldSpec]] = {}


def _register(model: type[BaseModel], specs: tuple[FieldSpec, ...]) -> type[BaseModel]:
    _SPECS[model.__name__] = {s.name: s for s in specs}
    return model


def _order_error(earlier: FieldSpec, later: FieldSpec, first: Any, second: Any) -> PydanticCustomError:
    params = {"value": _shown(second), "other_column": earlier.name, "other": _shown(first), "column": later.name}
    return PydanticCustomError("date_order", render("date_order", "en", params), params)


def _shown(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _table_rules(table: TableSpec):
    """An after-validator with the table's order and at-least-one rules."""

    def check(self):
        for earlier, later in table.order:
            a, b = getattr(self, earlier), getattr(self, later)
            if a is not None and b is not None and b < a:
                raise _order_error(table.field(earlier), table.field(later), a, b)
        if table.at_least_one and all(getattr(self, c) is None for c in table.at_least_one):
            raise PydanticCustomError("no_ratings", render("no_ratings", "en"), {})
        return self

    return model_validator(mode="after")(check)


def record_model(name: str, table: TableSpec, *, exclude: tuple[str, ...] = (), doc: str = "") -> type[Record]:
    """A record model with the fields (and table rules) of ``table``."""
    specs = tuple(f for f in table.fields if f.name not in exclude)
    model = create_model(
        name, __base__=Record, __doc__=doc or f"One row of the {table.name!r} table.",
        __validators__={"check_rules": _table_rules(table)}, __module__=__name__,
        **{f.name: _field(f) for f in specs},
    )
    return _register(model, specs)


def case_rating_model(instrument: Instrument = INSTRUMENT) -> type[Record]:
    """CaseRating generated from the instrument: ``case_code``, ``rated_on`` and one
    optional 0-3 field per item (at least one rated)."""
    table = import_tables(instrument=instrument)["ratings"]
    return record_model("CaseRating", table, doc=case_rating_model.__doc__)


def weekly_checkin_model(checkin: Checkin = CHECKIN) -> type[Record]:
    """WeeklyCheckin generated from the check-in: ``week_start`` (a Monday, not in the
    future) and one field per check-in field; the reflection runs through the guard."""
    table = import_tables(checkin=checkin)["checkins"]
    return record_model("WeeklyCheckin", table, exclude=("username",), doc=weekly_checkin_model.__doc__)


_IMPORT = IMPORT_TABLES
Therapist = record_model("Therapist", _IMPORT["therapists"], doc="A therapist as an administrator enters one.")
Case = record_model("Case", _IMPORT["cases"], exclude=("username",),
                    doc="A case: its code (generated when empty), opened and closed dates.")
CaseRating = case_rating_model()
TherapySession = record_model("TherapySession", _IMPORT["sessions"], doc="One session: date not in the future, 1-480 minutes.")
WeeklyCheckin = weekly_checkin_model()

# Reusable field types
Username = field_type(F.USERNAME)
TeamName = field_type(F.TEAM_NAME)
Role = field_type(F.ROLE)
Language = field_type(F.LANGUAGE)
UserId = field_type(F.USER_ID)


class Team(Record):
    name: TeamName = Field(title=F.TEAM_NAME.label("en"))


class SelfCareGoal(Record):
    """One concrete self-care goal for a week (the 5A model's *agree*), reviewed later."""

    week_start: field_type(F.WEEK_START.but(not_future=False))
    text: field_type(F.GOAL_TEXT)
    resource: field_type(F.GOAL_RESOURCE) = None
    review_week: field_type(F.REVIEW_WEEK)
    status: field_type(F.GOAL_STATUS) = "open"

    check_rules = _table_rules(TableSpec("goals", (F.WEEK_START, F.GOAL_TEXT, F.GOAL_RESOURCE, F.REVIEW_WEEK,
                                              F.GOAL_STATUS), order=(("week_start", "review_week"),)))


class ShareGrant(Record):
    """A therapist shares the reports of a period with one supervisor."""

    supervisor_user_id: UserId
    period_start: field_type(F.PERIOD_START)
    period_end: field_type(F.PERIOD_END)

    check_rules = _table_rules(TableSpec("share", (F.USER_ID, F.PERIOD_START, F.PERIOD_END),
                                    order=(("period_start", "period_end"),)))


class ResearchConsent(Record):
    research_id: field_type(F.RESEARCH_ID)
    given_at: field_type(F.GIVEN_AT)
    withdrawn_at: field_type(F.WITHDRAWN_AT) = None

    check_rules = _table_rules(TableSpec("consent", (F.RESEARCH_ID, F.GIVEN_AT, F.WITHDRAWN_AT),
                                    order=(("given_at", "withdrawn_at"),)))


class UserAccount(Record):
    """An account: a therapist account belongs to one therapist, other roles to none."""

    username: Username
    role: Role
    language: Language = "nl"
    therapist_id: field_type(F.USER_ID.but(name="therapist_id", key="therapist_id",
                                           required=False)) = Field(None, validate_default=True)

    @field_validator("therapist_id", mode="after")
    @classmethod
    def _therapist_link(cls, therapist_id, info):
        # A field rule (not a model rule), so that it is reported beside other fields'
        # problems; judged only once the role itself is valid.
        role = info.data.get("role")
        if role is not None and (role == "therapist") != (therapist_id is not None):
            raise PydanticCustomError("therapist_link", render("therapist_link", "en"), {})
        return therapist_id


class AuditEvent(Record):
    """One access-log line (NEN 7513). ``detail`` may never hold identifying data."""

    at: field_type(F.AUDIT_AT)
    actor_user_id: field_type(F.USER_ID.but(name="actor_user_id", required=False)) = None
    on_behalf_of_user_id: field_type(F.USER_ID.but(name="on_behalf_of_user_id", required=False)) = None
    action: field_type(F.AUDIT_ACTION)
    subject_type: field_type(F.SUBJECT_TYPE) = None
    subject_id: field_type(F.SUBJECT_ID) = None
    detail: field_type(F.AUDIT_DETAIL) = None


_register(Team, (F.TEAM_NAME,))
_register(SelfCareGoal, (F.WEEK_START, F.GOAL_TEXT, F.GOAL_RESOURCE, F.REVIEW_WEEK, F.GOAL_STATUS))
_register(ShareGrant, (F.SUPERVISOR_USER_ID,
                       F.PERIOD_START, F.PERIOD_END))
_register(ResearchConsent, (F.RESEARCH_ID, F.GIVEN_AT, F.WITHDRAWN_AT))
_register(UserAccount, (F.USERNAME, F.ROLE, F.LANGUAGE, F.USER_ID.but(name="therapist_id",
                                                                     key="therapist_id")))
_register(AuditEvent, (F.AUDIT_AT, F.USER_ID.but(name="actor_user_id", key="actor_user_id"), F.USER_ID.but(name="on_behalf_of_user_id", key="on_behalf_of_user_id"),
                       F.AUDIT_ACTION, F.SUBJECT_TYPE, F.SUBJECT_ID, F.AUDIT_DETAIL))

_BUILTIN_CODES = {
    "missing": "required", "extra_forbidden": "unknown_field", "literal_error": "not_an_option",
    "greater_than_equal": "out_of_range", "less_than_equal": "out_of_range",
    "string_too_long": "too_long", "string_pattern_mismatch": "bad_format",
}


def label_of(model_name: str | None, field: str | None, lang: str = "nl") -> str | None:
    if field is None:
        return None
    spec = _SPECS.get(model_name or "", {}).get(field)
    if spec is None:
        for specs in _SPECS.values():
            if field in specs:
                spec = specs[field]
                break
    return spec.label(lang) if spec is not None else field


def explain_errors(exc: pydantic.ValidationError, lang: str = "nl") -> list[str]:
    """Form-ready messages, one per error: ``"<field label>: <what is wrong>"`` in Dutch
    (``lang="nl"``) or English."""
    out = []
    for problem in problems_of(exc):
        params = dict(problem.params)
        if "other_column" in params:  # a form names the other field by its label too
            params["other_column"] = label_of(exc.title, params["other_column"], lang)
        text = render(problem.code, lang, params)
        label = label_of(exc.title, problem.column, lang)
        out.append(f"{label}: {text}" if label else text[:1].upper() + text[1:])
    return out


class RecordError(ValueError):
    """A record broke its rules; ``problems`` says which, by field (nothing was made)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message("en") for p in problems))


def problems_of(exc: pydantic.ValidationError) -> list[Problem]:
    """A ValidationError as problems with codes (the same as an import's), one per
    error, each in the column of its field."""
    out = []
    for err in exc.errors():
        ctx = dict(err.get("ctx") or {})
        loc = err.get("loc") or ()
        field = str(loc[0]) if loc else ctx.pop("column", None)
        ctx.pop("column", None)
        code = err["type"]
        if has_message(code):
            params = ctx
        elif code == "value_error" and isinstance(ctx.get("error"), IdentifierFound):
            code, params = "identifier_found", found_params(ctx["error"].findings)
        elif code in _BUILTIN_CODES:
            code = _BUILTIN_CODES[code]
            given = err.get("input")
            params = {"value": given, "allowed": ctx.get("expected", ""), "lo": ctx.get("ge", "…"),
                      "hi": ctx.get("le", "…"), "max": ctx.get("max_length"),
                      "length": len(given) if isinstance(given, str) else "?"}
        else:
            code, params = "invalid", {"value": err.get("input")}
        out.append(Problem.make(code, None, field, **params))
    return out


def validate_record(model: type[BaseModel], data: dict[str, Any]) -> BaseModel:
    """``model`` made from ``data``, or :class:`RecordError` listing every problem."""
    try:
        return model(**data)
    except pydantic.ValidationError as exc:
        raise RecordError(problems_of(exc)) from None


def validate_value(spec: FieldSpec, value: object, column: str | None = None) -> Any:
    """One value checked against its field's rules (as a form or an import would), or
    :class:`RecordError` with the problem in ``column`` (default: the field's name)."""
    try:
        return read_value(spec, value)
    except RuleError as exc:
        raise RecordError([Problem.make(exc.code, None, column or spec.name, **exc.params)]) from None


__all__ = [
    "AuditEvent", "Case", "CaseRating", "Record", "ResearchConsent", "SelfCareGoal", "ShareGrant", "Team",
    "RecordError", "Therapist", "TherapySession", "UserAccount", "WeeklyCheckin", "case_rating_model",
    "explain_errors", "field_type", "label_of", "problems_of", "record_model", "validate_record", "validate_value",
    "weekly_checkin_model",
]
