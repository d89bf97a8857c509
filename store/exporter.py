"""``python -m store export [--format csv,parquet,xlsx] [--out DIR] [--as USERNAME]``.

Writes the tables a user may export, in each format asked for, with the codebook
(``data_schema.codebook``) beside them, and logs an ``export`` audit event.

What each role gets:

- the **operator** (no ``--as``: whoever runs the command on the server): the practice's
  tables, pseudonymised: the clinical tables in the shape of
  ``data_schema.fields.EXPORT_TABLES`` (``therapists``, ``cases``, ``ratings``,
  ``scores``, ``sessions``) plus ``teams``, ``accounts``, ``supervisor_teams`` and
  ``audit_events``. A therapist appears as their database id (column ``therapist``, as
  text), never by name; accounts without username, password hash or second-factor
  secrets (each table's columns are an allow-list, so a new secret column is never
  exported by accident). **Never wellbeing data**: no check-ins, self-care goals, share
  grants or research consents (the Dutch DPA: an employer may not process its employees'
  health data; they are the therapist's own, in their own export). Every ``scores`` row
  carries its ``instrument_version`` and ``model_version``; domain scores, contributions
  and flags are recomputed from the stored items for rows of the current model version
  (empty for rows of another version).
- **admin** (``--as`` an admin account): accounts, teams, supervisor teams and the
  audit log only; no clinical or wellbeing content (design.md).
- **therapist**: their own data, their name, reflections and goals included, and their
  ``weekly_load`` of the last 52 weeks.
- **supervisor**: ``weekly_load`` of the therapists in the teams they supervise (last
  52 weeks; each therapist's figures read is audited as a ``read``), no names.
- **researcher**: refused and logged (the research dataset is a separate export).

Formats (``--format``, default all three):

- ``csv``: one ``<table>.csv`` per table in **UTF-8 with a BOM, ``;`` as separator and
  ``,`` as decimal mark**, which Dutch Excel opens correctly by double-click. Read back
  with ``pandas.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")``. Dates are
  ISO (``2026-03-09``), timestamps ISO in UTC.
- ``parquet``: one ``<table>.parquet`` per table, typed (dates, UTC timestamps,
  nullable integers).
- ``xlsx``: ``draagkracht-export.xlsx`` with one sheet per table and a ``codebook``
  sheet; timestamps in UTC without a zone (Excel has none). A table over Excel's
  1,048,575 rows is refused before anything is written: use csv or parquet.

Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) get a leading ``'`` in csv and xlsx (OWASP's CSV
injection advice); parquet keeps the text as it is.

Alongside: ``codebook.md`` (Dutch), ``codebook.en.md`` and ``codebook.csv`` (like the
data CSVs: BOM, ``;``), describing exactly the exported columns: data_schema's codebook for
the ``EXPORT_TABLES`` columns, rows made the same way from data_schema's field specs for
the others (:func:`codebook_for`). The export is written to a temporary folder and renamed into place, so DIR is complete or absent.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.sqltypes import Boolean, Float, Integer

from complexity import DEFAULT_CONFIG, INSTRUMENT, score_cases

from . import audit
from .db import DEFAULT_SQLITE_PATH, session_scope
from .errors import AccessDenied, NotFound, StoreError
from .models import (
    AuditEvent,
    Case,
    CaseRating,
    ResearchConsent,
    SelfcareGoal,
    ShareGrant,
    SupervisorTeam,
    Team,
    Therapist,
    TherapySession,
    UserAccount,
    UTCDateTime,
    WeeklyCheckin,
)

FORMATS: tuple[str, ...] = ("csv", "parquet", "xlsx")
CSV_SEPARATOR = ";"
CSV_DECIMAL = ","
XLSX_NAME = "draagkracht-export.xlsx"
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, minus the header
SUPERVISOR_WEEKS = 52
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class ExportError(StoreError):
    """The export cannot be written as asked; nothing was written."""


@dataclass(frozen=True)
class ExportResult:
    folder: Path
    tables: Mapping[str, int]  # table -> rows
    files: tuple[Path, ...]
    formats: tuple[str, ...]


# --- what each table holds -------------------------------------------------------------
#
# The clinical tables have the shape of ``data_schema.fields.EXPORT_TABLES`` (so the
# codebook describes them); the admin tables and a few extra columns are declared here
# from data_schema's field specs, and their codebook rows are generated the same way.

def _labels(nl: str, en: str) -> dict[str, str]:
    return {"nl": nl, "en": en}


def _extra_specs() -> dict[str, dict[str, object]]:
    """Field specs of the columns an export holds beyond ``EXPORT_TABLES``, per table."""
    from data_schema import fields as f

    def ident(name: str, nl: str, en: str):
        return f.FieldSpec(name, "whole", _labels(nl, en), min=1,
                           values=_labels("volgnummer in de database", "database id"))

    def stamp(name: str, nl: str, en: str, required: bool = True):
        return f.FieldSpec(name, "timestamp", _labels(nl, en), required=required,
                           values=_labels("UTC", "UTC"))

    team_id = ident("team_id", "Team", "Team")
    therapist = f.THERAPIST_PSEUDONYM
    created = stamp("created_at", "Vastgelegd op", "Recorded at")
    specs = {
        "therapists": [team_id.but(required=False), f.STARTED_ON,
                       f.FieldSpec("active", "boolean", _labels("Actief", "Active"),
                                   values=_labels("waar/onwaar", "true/false")),
                       f.DISPLAY_NAME],
        "teams": [team_id, f.TEAM_NAME],
        "accounts": [
            f.USER_ID, f.ROLE, f.LANGUAGE, therapist.optional(),
            f.FieldSpec("active", "boolean", _labels("Account actief", "Account active"),
                        values=_labels("waar/onwaar", "true/false")),
            f.FieldSpec("failed_logins", "whole", _labels("Mislukte aanmeldingen", "Failed logins"), min=0),
            stamp("locked_until", "Geblokkeerd tot", "Locked until", required=False),
            created,
            stamp("password_changed_at", "Wachtwoord gewijzigd op", "Password changed at", required=False),
            stamp("last_login_at", "Laatst aangemeld op", "Last login at", required=False),
        ],
        "supervisor_teams": [f.USER_ID, team_id],
        "selfcare_goals": [ident("goal_id", "Doel", "Goal"), therapist, f.WEEK_START.but(not_future=False),
                           f.REVIEW_WEEK, f.GOAL_STATUS, created, f.GOAL_TEXT, f.GOAL_RESOURCE],
        "share_grants": [ident("grant_id", "Deling", "Share grant"), therapist,
                         f.USER_ID.but(name="supervisor_user_id", labels=_labels("Supervisor", "Supervisor")),
                         f.PERIOD_START, f.PERIOD_END, created,
                         stamp("revoked_at", "Ingetrokken op", "Revoked at", required=False)],
        "research_consents": [ident("consent_id", "Toestemming", "Consent"), therapist, f.GIVEN_AT,
                              f.WITHDRAWN_AT],
        "audit_events": [ident("event_id", "Gebeurtenis", "Event"), f.AUDIT_AT,
                         f.USER_ID.but(name="actor_user_id", labels=_labels("Uitgevoerd door", "Actor"),
                                       required=False),
                         f.USER_ID.but(name="on_behalf_of_user_id",
                                       labels=_labels("Namens", "On behalf of"), required=False),
                         f.AUDIT_ACTION, f.SUBJECT_TYPE, f.SUBJECT_ID, f.AUDIT_DETAIL],
    }
    return {table: {spec.name: spec for spec in fields_} for table, fields_ in specs.items()}


def _typed(frame: pd.DataFrame, types: Mapping[str, object]) -> pd.DataFrame:
    """Give the columns of a query result their types: nullable integers and booleans,
    UTC timestamps, dates as ``datetime.date``, text as objects (None when empty)."""
    for name, type_ in types.items():
        col = frame[name]
        if isinstance(type_, UTCDateTime):
            frame[name] = pd.to_datetime(col, utc=True)
        elif isinstance(type_, Boolean):
            frame[name] = col.astype("boolean")
        elif isinstance(type_, Integer):
            frame[name] = pd.array(col.tolist(), dtype="Int64")
        elif isinstance(type_, Float):
            frame[name] = pd.to_numeric(col, errors="coerce").astype("float64")
        else:  # dates stay datetime.date objects; text stays text
            frame[name] = col.astype(object).where(col.notna(), None)
    return frame


def _pseudonym(ids: pd.Series) -> pd.Series:
    """A therapist in an export: their id, as text (never a name)."""
    values = [None if pd.isna(v) else str(int(v)) for v in ids]
    return pd.Series(values, index=ids.index, dtype=object)


def _select(session: Session, columns: Mapping[str, object], *, where=None, order_by=(), join=None) -> pd.DataFrame:
    """Run a SELECT of ``columns`` (export name -> SQL column) into a typed frame; a
    ``therapist``/``therapist_id`` column becomes the pseudonym."""
    stmt = select(*[c.label(name) for name, c in columns.items()])
    if join is not None:
        stmt = stmt.join(*join)
    if where is not None:
        stmt = stmt.where(where)
    stmt = stmt.order_by(*order_by)
    rows = session.execute(stmt).all()
    by_column = list(zip(*rows)) if rows else [()] * len(columns)
    frame = pd.DataFrame({name: pd.Series(values, dtype=object) for name, values in zip(columns, by_column)})
    frame = _typed(frame, {name: c.type for name, c in columns.items()})
    for name in ("therapist", "therapist_id"):
        if name in frame.columns:
            frame[name] = _pseudonym(frame[name])
    return frame


def _spec_columns(table: str) -> list[str]:
    from data_schema.fields import EXPORT_TABLES

    return list(EXPORT_TABLES[table].columns)


def _therapists(session: Session, where, *, names: bool) -> pd.DataFrame:
    t = Therapist.__table__.c
    source = {"therapist": t.id, "experience": t.experience, "contracted_sessions": t.contracted_sessions,
              "team_id": t.team_id, "started_on": t.started_on, "active": t.active, "display_name": t.display_name}
    wanted = _spec_columns("therapists") + ["team_id", "started_on", "active"] + (["display_name"] if names else [])
    return _select(session, {c: source[c] for c in wanted}, where=where, order_by=[t.id])


def _cases(session: Session, where) -> pd.DataFrame:
    c = Case.__table__.c
    source = {"case_code": c.code, "therapist": c.therapist_id, "opened_on": c.opened_on, "closed_on": c.closed_on}
    return _select(session, {k: source[k] for k in _spec_columns("cases")}, where=where, order_by=[c.id])


def _ratings_and_scores(session: Session, case_where) -> tuple[pd.DataFrame, pd.DataFrame]:
    r = CaseRating.__table__.c
    items = list(INSTRUMENT.item_ids)
    stored = ["complexity", "band", "interaction", "instrument_version", "model_version"]
    columns = {"case_code": Case.__table__.c.code, "rated_on": r.rated_on, **{i: r[i] for i in items},
               **{k: r[k] for k in stored}}
    frame = _select(session, columns, where=case_where, join=(Case, Case.id == CaseRating.case_id),
                    order_by=[r.case_id, r.rated_on, r.id])
    ratings = frame[_spec_columns("ratings")].copy()
    # Domain scores, contributions and flags are not stored: they are recomputed from the
    # items for rows scored by the current model; other rows keep their stored figures.
    current = (frame["model_version"] == DEFAULT_CONFIG.model_version).to_numpy(dtype=bool)
    scored = score_cases(pd.DataFrame({"case_id": np.arange(len(frame)),
                                       **{i: frame[i].astype("float64") for i in items}})) if len(frame) else None
    scores = pd.DataFrame(index=frame.index)
    for col in _spec_columns("scores"):
        if col in frame.columns:
            scores[col] = frame[col]
        elif col == "flags":
            values = scored[col].astype(object).to_numpy() if scored is not None else np.array([], dtype=object)
            scores[col] = pd.Series(np.where(current, values, None), index=frame.index, dtype=object)
        else:
            values = scored[col].to_numpy(dtype=float) if scored is not None else np.array([], dtype=float)
            scores[col] = np.where(current, values, np.nan)
    return ratings, scores


def _sessions(session: Session, where) -> pd.DataFrame:
    t = TherapySession.__table__.c
    source = {"case_code": Case.__table__.c.code, "therapist": t.therapist_id, "session_date": t.session_date,
              "duration_minutes": t.duration_minutes, "complexity": t.complexity, "weight": t.weight}
    return _select(session, {k: source[k] for k in _spec_columns("sessions")}, where=where,
                   join=(Case, Case.id == TherapySession.case_id), order_by=[t.id])


def _checkins(session: Session, where, *, reflection: bool) -> pd.DataFrame:
    t = WeeklyCheckin.__table__.c
    wanted = [c for c in _spec_columns("checkins") if reflection or c != "reflection"]
    return _select(session, {c: (t.therapist_id if c == "therapist" else t[c]) for c in wanted}, where=where,
                   order_by=[t.therapist_id, t.week_start])


def _table(session: Session, model, table: str, renames: Mapping[str, str], *, where=None,
           leave_out: Iterable[str] = ()) -> pd.DataFrame:
    """One of the tables declared in :func:`_extra_specs`, read from ``model``
    (``renames``: export column -> model column where the names differ). Columns the
    model does not have (yet) are left out."""
    c = model.__table__.c
    wanted = [name for name in _extra_specs()[table] if name not in set(leave_out)]
    columns = {name: c[renames.get(name, name)] for name in wanted if renames.get(name, name) in c}
    return _select(session, columns, where=where, order_by=list(model.__table__.primary_key.columns))


def admin_tables(session: Session, *, clinical: bool = True) -> dict[str, pd.DataFrame]:
    """The practice's tables, pseudonymised (see the module text). Never wellbeing data:
    check-ins, self-care goals, share grants and research consents are the therapists'
    own (the Dutch DPA: an employer may not process employees' health data). With
    ``clinical=False`` (an admin account) only accounts, teams and the audit log."""
    tables: dict[str, pd.DataFrame] = {}
    if clinical:
        ratings, scores = _ratings_and_scores(session, None)
        tables.update({
            "therapists": _therapists(session, None, names=False),
            "cases": _cases(session, None),
            "ratings": ratings,
            "scores": scores,
            "sessions": _sessions(session, None),
        })
    tables.update({
        "teams": _table(session, Team, "teams", {"team_id": "id"}),
        "accounts": _table(session, UserAccount, "accounts", {"user_id": "id", "therapist": "therapist_id"}),
        "supervisor_teams": _table(session, SupervisorTeam, "supervisor_teams", {}),
        "audit_events": _table(session, AuditEvent, "audit_events", {"event_id": "id"}),
    })
    return tables


def therapist_tables(session: Session, therapist_id: int) -> dict[str, pd.DataFrame]:
    """A therapist's own data, their own free text included."""
    ratings, scores = _ratings_and_scores(session, Case.therapist_id == therapist_id)
    own = {"therapist": "therapist_id"}
    return {
        "therapists": _therapists(session, Therapist.id == therapist_id, names=True),
        "cases": _cases(session, Case.therapist_id == therapist_id),
        "ratings": ratings,
        "scores": scores,
        "sessions": _sessions(session, TherapySession.therapist_id == therapist_id),
        "checkins": _checkins(session, WeeklyCheckin.therapist_id == therapist_id, reflection=True),
        "selfcare_goals": _table(session, SelfcareGoal, "selfcare_goals", {"goal_id": "id", **own},
                                 where=SelfcareGoal.therapist_id == therapist_id),
        "share_grants": _table(session, ShareGrant, "share_grants", {"grant_id": "id", **own},
                               where=ShareGrant.therapist_id == therapist_id),
        "research_consents": _table(session, ResearchConsent, "research_consents", {"consent_id": "id", **own},
                                    where=ResearchConsent.therapist_id == therapist_id),
        "weekly_load": _own_weekly_load(session, therapist_id),
    }


def _own_weekly_load(session: Session, therapist_id: int) -> pd.DataFrame:
    from .load import load_frame, week_range

    therapist = session.get(Therapist, therapist_id)
    mondays = week_range(SUPERVISOR_WEEKS)
    load = load_frame(session, [therapist], TherapySession.therapist_id == therapist_id, mondays,
                      DEFAULT_CONFIG)[_spec_columns("weekly_load")]
    load = load.copy()
    load["therapist_id"] = _pseudonym(load["therapist_id"])
    return load


def supervisor_tables(session: Session, user: UserAccount, *, as_of: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """Weekly load of the supervised teams, without names (store.load logs a
    ``read`` per therapist)."""
    from .load import team_weekly_load

    team_ids = sorted(session.scalars(select(SupervisorTeam.team_id).where(SupervisorTeam.user_id == user.id)))
    frames = [team_weekly_load(session, user, t, SUPERVISOR_WEEKS, as_of=as_of) for t in team_ids]
    columns = _spec_columns("weekly_load")
    load = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({c: [] for c in columns})
    load = load[columns].copy()
    load["therapist_id"] = _pseudonym(load["therapist_id"])
    return {"weekly_load": load}


def _refuse_without_export(session: Session, user: UserAccount | None) -> None:
    """Refuse (and log) an account whose role has no export, before anything is read."""
    if user is None or user.role in ("admin", "supervisor"):
        return
    if user.role == "therapist" and user.therapist_id is not None:
        return
    audit.deny(session, user, "researchers export the research dataset, not the practice's tables",
               attempted="export", subject_type="export")


def collect_tables(session: Session, user: UserAccount | None) -> dict[str, pd.DataFrame]:
    """The tables ``user`` may export (``None``: the operator, as admin), read in one
    session. Raises :class:`store.AccessDenied` (after logging it) for a role without
    an export."""
    _refuse_without_export(session, user)
    if user is None or user.role == "admin":
        return admin_tables(session, clinical=user is None)
    if user.role == "therapist":
        return therapist_tables(session, user.therapist_id)
    return supervisor_tables(session, user)


# --- the codebook -----------------------------------------------------------------------

def codebook_for(tables: Mapping[str, pd.DataFrame], lang: str = "en") -> pd.DataFrame:
    """The codebook rows of exactly the exported tables and columns: data_schema's
    codebook for the ``EXPORT_TABLES`` columns, rows generated the same way (from
    data_schema field specs) for the others. Raises :class:`ExportError` if a column
    has no description (a programming error: add its spec)."""
    from data_schema.codebook import COLUMNS, codebook_frame
    from data_schema.fields import CODEBOOK_TYPES

    base = codebook_frame(lang=lang)
    known = {(r.table, r.column): r._asdict() for r in base.itertuples(index=False)}
    extra = _extra_specs()
    rows, missing = [], []
    for table, frame in tables.items():
        for column in frame.columns:
            row = known.get((table, column))
            if row is None:
                spec = extra.get(table, {}).get(column)
                if spec is None:
                    missing.append(f"{table}.{column}")
                    continue
                row = {"table": table, "column": column, "label_nl": spec.label("nl"), "label_en": spec.label("en"),
                       "type": CODEBOOK_TYPES[spec.type], "range": spec.range_text(),
                       "unit_or_values": spec.values_text(lang), "instrument_version": spec.version or ""}
            rows.append(row)
    if missing:
        raise ExportError(f"no codebook entry for {', '.join(missing)}")
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _codebook_markdown(codebook: pd.DataFrame, lang: str) -> str:
    """data_schema's Markdown codebook for the tables it describes, followed by the rest
    of this export's columns in the same layout."""
    from data_schema.codebook import codebook_frame, codebook_markdown

    nl = lang == "nl"
    text = codebook_markdown(lang=lang)
    described = {(r.table, r.column) for r in codebook_frame(lang=lang).itertuples(index=False)}
    rest = codebook[[(t, c) not in described for t, c in zip(codebook["table"], codebook["column"])]]
    if rest.empty:
        return text
    head = (["kolom", "omschrijving", "type", "bereik", "eenheid of waarden"] if nl
            else ["column", "label", "type", "range", "unit or values"])
    lines = [text.rstrip("\n"), "",
             "# " + ("Overige kolommen en tabellen van deze export" if nl else "Other columns and tables of this export")]
    for table, group in rest.groupby("table", sort=False):
        lines += ["", f"## `{table}`", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for r in group.itertuples(index=False):
            cells = [f"`{r.column}`", r.label_nl if nl else r.label_en, r.type, r.range, r.unit_or_values]
            lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


# --- writing ----------------------------------------------------------------------------

def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy in which text cells a spreadsheet would evaluate (``=``, ``+``, ``-``,
    ``@``, tab, carriage return at the start) begin with a single quote."""
    out = frame.copy()
    for name in out.columns:
        col = out[name]
        if not (pd.api.types.is_object_dtype(col) or pd.api.types.is_string_dtype(col)):
            continue
        values = col.to_numpy(dtype=object)
        risky = np.fromiter((isinstance(v, str) and v.startswith(FORMULA_PREFIXES) for v in values),
                            dtype=bool, count=len(values))
        if risky.any():
            values = values.copy()
            values[risky] = ["'" + v for v in values[risky]]
            out[name] = pd.Series(values, index=out.index, dtype=object)
    return out


_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _for_xlsx(frame: pd.DataFrame) -> pd.DataFrame:
    out = neutralise_formulas(frame)
    for name in out.columns:
        col = out[name]
        if isinstance(col.dtype, pd.DatetimeTZDtype):
            out[name] = col.dt.tz_convert("UTC").dt.tz_localize(None)
        elif pd.api.types.is_object_dtype(col) or pd.api.types.is_string_dtype(col):
            out[name] = col.map(lambda v: _ILLEGAL_XLSX.sub("", v) if isinstance(v, str) else v)
    return out


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    neutralise_formulas(frame).to_csv(path, sep=CSV_SEPARATOR, decimal=CSV_DECIMAL, index=False,
                                      encoding="utf-8-sig", lineterminator="\n")


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    frame.to_parquet(path, index=False)


def write_export(tables: Mapping[str, pd.DataFrame], out: str | os.PathLike, formats: Iterable[str] = FORMATS,
                 ) -> tuple[Path, ...]:
    """Write ``tables`` and the codebook to the folder ``out`` (which must not exist or
    be empty), atomically: into a temporary sibling folder first, renamed at the end."""
    formats = tuple(formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ExportError(f"unknown format(s) {', '.join(unknown) or '(none)'}: choose from {', '.join(FORMATS)}")
    folder = Path(out).expanduser().resolve()
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ExportError(f"{folder} exists and is not an empty folder: choose a new --out")
    if "xlsx" in formats:
        too_big = {name: len(f) for name, f in tables.items() if len(f) > XLSX_MAX_ROWS}
        if too_big:
            raise ExportError(_too_big_message(too_big))
    codebook = codebook_for(tables, lang="en")
    markdown_nl, markdown_en = _codebook_markdown(codebook_for(tables, lang="nl"), "nl"), _codebook_markdown(codebook, "en")
    folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = folder.with_name(f".{folder.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.mkdir(mode=0o700)
    try:
        for name, frame in tables.items():
            if "csv" in formats:
                _write_csv(frame, tmp / f"{name}.csv")
            if "parquet" in formats:
                _write_parquet(frame, tmp / f"{name}.parquet")
        if "xlsx" in formats:
            with pd.ExcelWriter(tmp / XLSX_NAME, engine="openpyxl") as writer:
                for name, frame in tables.items():
                    _for_xlsx(frame).to_excel(writer, sheet_name=name[:31], index=False)
                _for_xlsx(codebook).to_excel(writer, sheet_name="codebook", index=False)
        (tmp / "codebook.md").write_text(markdown_nl, encoding="utf-8")
        (tmp / "codebook.en.md").write_text(markdown_en, encoding="utf-8")
        _write_csv(codebook, tmp / "codebook.csv")
        if folder.exists():
            folder.rmdir()  # empty, checked above
        os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tuple(sorted(folder.iterdir()))


def _refuse_too_big_for_excel(session: Session, therapist_id: int | None) -> None:
    """Count the big tables first, so that an export that cannot fit an Excel sheet is
    refused before minutes of reading (``therapist_id``: a therapist's own export)."""
    mine = therapist_id is not None
    sources = {
        "sessions": (TherapySession, TherapySession.therapist_id == therapist_id if mine else None),
        "ratings": (CaseRating, CaseRating.case_id.in_(select(Case.id).where(Case.therapist_id == therapist_id))
                    if mine else None),
        "cases": (Case, Case.therapist_id == therapist_id if mine else None),
        "checkins": (WeeklyCheckin, WeeklyCheckin.therapist_id == therapist_id if mine else None),
    }
    if not mine:
        sources["audit_events"] = (AuditEvent, None)
    too_big = {}
    for name, (model, where) in sources.items():
        stmt = select(func.count()).select_from(model)
        n = session.scalar(stmt.where(where) if where is not None else stmt)
        if n > XLSX_MAX_ROWS:
            too_big[name] = n
    if too_big:
        raise ExportError(_too_big_message(too_big))


def _too_big_message(too_big: Mapping[str, int]) -> str:
    listed = ", ".join(f"{k} ({v:,} rows)" for k, v in too_big.items())
    return (f"{listed} will not fit an Excel sheet ({XLSX_MAX_ROWS:,} rows): "
            "leave xlsx out (--format csv,parquet)")


def export_tables(
    engine: Engine,
    out: str | os.PathLike,
    *,
    formats: Iterable[str] = FORMATS,
    username: str | None = None,
) -> ExportResult:
    """Export what ``username`` may export (``None``: the operator, all tables
    pseudonymised) to the folder ``out``; logs an ``export`` audit event.

    Raises :class:`store.NotFound` for an unknown or inactive account,
    :class:`store.AccessDenied` for a role without an export (logged), and
    :class:`ExportError` when the export cannot be written (nothing written).
    """
    formats = tuple(dict.fromkeys(formats))
    with session_scope(engine) as s:
        user = None
        if username is not None:
            user = s.scalars(
                select(UserAccount).where(UserAccount.username == username.strip().lower())
            ).one_or_none()
            if user is None or not getattr(user, "active", True):
                raise NotFound(f"no active account {username!r}")
        _refuse_without_export(s, user)
        if "xlsx" in formats and (user is None or user.role != "supervisor"):
            _refuse_too_big_for_excel(s, None if user is None or user.role == "admin" else user.therapist_id)
        if user is not None and user.role == "supervisor":
            tables = supervisor_tables(s, user)  # store.load logs each therapist read
    if user is None or user.role != "supervisor":
        # Reading everything can take a while: a read-only snapshot, so that the app keeps
        # writing meanwhile (SQLite: no write lock; PostgreSQL: one REPEATABLE READ snapshot).
        with session_scope(engine, readonly=True) as s:
            if engine.dialect.name == "postgresql":
                s.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            tables = admin_tables(s, clinical=user is None) if user is None or user.role == "admin" \
                else therapist_tables(s, user.therapist_id)
    files = write_export(tables, out, formats)
    folder = files[0].parent if files else Path(out).resolve()
    try:
        with session_scope(engine) as s:
            who = user.id if user is not None else None
            subject = ("therapist", user.therapist_id) if user is not None and user.role == "therapist" else ("export", None)
            audit.record(
                s, "export", actor=who, subject_type=subject[0], subject_id=subject[1],
                detail=(f"{'operator' if user is None else user.role} export of "
                        f"{', '.join(tables)} as {', '.join(formats)}"),
            )
            if user is None and "therapists" in tables:  # each data subject's line (NEN 7513)
                for tid in tables["therapists"]["therapist"]:
                    audit.record(s, "export", actor=None, subject_type="therapist", subject_id=tid,
                                 detail="operator export (pseudonymised, no wellbeing data)")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # no export without its audit line
        raise
    return ExportResult(folder, {k: len(v) for k, v in tables.items()}, files, formats)


def my_data_zip(session: Session, user: UserAccount) -> bytes:
    """Everything of the acting therapist (their own free text included) as a zip of
    CSV files (``;``, UTF-8 with BOM, formulas neutralised) with the codebook in
    Markdown (Dutch and English) and CSV; the download is logged (audit ``export``)."""
    import io
    import zipfile

    from .access import actor, own_therapist_id

    acting = actor(session, user)
    tid = own_therapist_id(session, acting, "my_data_zip", "therapist")
    tables = therapist_tables(session, tid)
    codebook = codebook_for(tables, lang="en")
    buffer = io.BytesIO()

    def csv_bytes(frame: pd.DataFrame) -> bytes:
        return neutralise_formulas(frame).to_csv(sep=CSV_SEPARATOR, decimal=CSV_DECIMAL, index=False,
                                                 lineterminator="\n").encode("utf-8-sig")

    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, frame in tables.items():
            archive.writestr(f"{name}.csv", csv_bytes(frame))
        archive.writestr("codebook.csv", csv_bytes(codebook))
        archive.writestr("codebook.md", _codebook_markdown(codebook_for(tables, lang="nl"), "nl"))
        archive.writestr("codebook.en.md", _codebook_markdown(codebook, "en"))
    audit.record(session, "export", actor=acting, subject_type="therapist", subject_id=tid,
                 detail=f"own data download ({', '.join(tables)}) as csv")
    return buffer.getvalue()


# --- command line -----------------------------------------------------------------------

def default_folder(now: dt.datetime | None = None) -> Path:
    now = now or dt.datetime.now(dt.timezone.utc)
    return DEFAULT_SQLITE_PATH.parent / "exports" / f"draagkracht-export-{now:%Y%m%d-%H%M%S}"


def _formats(text: str) -> tuple[str, ...]:
    parts = tuple(p.strip().lower() for p in text.split(",") if p.strip())
    unknown = [p for p in parts if p not in FORMATS]
    if unknown or not parts:
        raise argparse.ArgumentTypeError(
            f"unknown format {', '.join(unknown) or '(none)'}: choose from {', '.join(FORMATS)}")
    return parts


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", type=_formats, default=FORMATS, metavar="LIST",
                        help="comma-separated: csv (UTF-8 with BOM, ';' separated, decimal comma: for "
                             "Dutch Excel), parquet, xlsx (default: all three)")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="new folder to write (default data/exports/draagkracht-export-<UTC time>)")
    parser.add_argument("--as", dest="username", default=None, metavar="USERNAME",
                        help="export what this account may see (default: the operator, every table "
                             "pseudonymised)")


def run(args: argparse.Namespace) -> int:
    from .db import get_engine

    out = args.out or default_folder()
    try:
        result = export_tables(get_engine(), out, formats=args.format, username=args.username)
    except (ExportError, NotFound, AccessDenied, OSError) as exc:
        print(f"export failed: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - e.g. the database cannot be reached
        print(f"export failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    rows = ", ".join(f"{k} {v:,}" for k, v in result.tables.items())
    print(f"exported to {result.folder} ({', '.join(result.formats)}): {rows}")
    return 0
