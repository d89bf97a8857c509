"""A researcher's download: the research dataset (``store.research``, under disclosure
control) as one file, built when asked for and logged once.

Formats (:data:`FORMATS`):

- ``csv``: a zip of ``<table>.csv`` for Dutch Excel (UTF-8 with BOM, ``;``, decimal
  comma, formulas neutralised: ``store.exporter.writers``), with ``disclosure.csv`` and
  ``codebook.csv``;
- ``parquet``: a zip of typed ``<table>.parquet`` files (each carrying the export's
  settings in its schema metadata under ``draagkracht``), with ``disclosure.parquet``
  and ``codebook.parquet``;
- ``xlsx``: one workbook, a sheet per table, then ``disclosure``, ``about``/
  ``about_en`` and ``codebook``/``codebook_en`` (written by ``store.xlsx``: some 30 s
  for 1,000 therapists over two years, where openpyxl took minutes).

Each holds the codebook of exactly the exported columns in Dutch and English
(``codebook.md``, ``codebook.en.md``; ``data_schema.research_layout``), and ``about``
(``about.md``, ``about.en.md``): the weeks covered (ISO weeks, first Monday, last
Sunday), the study, the instrument, check-in and model versions found in the data (and
the current ones), and the disclosure-control settings: ``k``, the suppression limit,
the level chosen for each quasi-identifier, and how many values were generalised and
suppressed (per column in ``disclosure``).

Logged once per export (audit ``export``): one line for the export (its id, format,
weeks, participants, study, k) and one for every participant it covered, which they see
in My data ("Who viewed my data").
"""

from __future__ import annotations

import datetime as dt
import io
import json
import secrets
import zipfile
from dataclasses import dataclass
from typing import Mapping

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from complexity import CHECKIN, DEFAULT_CONFIG, INSTRUMENT, MODEL_VERSION, ModelConfig
from data_schema.codebook import codebook_frame, codebook_markdown
from data_schema.i18n import translate
from data_schema.problems import Problem
from data_schema.research_layout import RESEARCH_TABLES

from . import audit
from .access import actor
from .disclosure import ALL, DEFAULT_K, DIMENSION, DisclosureReport
from .errors import InvalidInput
from .exporter.writers import check_fits_excel, csv_bytes, neutralise_formulas
from .models import utcnow
from .research import DEFAULT_WEEKS, ResearchDataset, collect, record_with_participants
from .xlsx import workbook

FORMATS: tuple[str, ...] = ("csv", "parquet", "xlsx")
MIME: Mapping[str, str] = {
    "csv": "application/zip", "parquet": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
LANGS = ("nl", "en")


@dataclass(frozen=True)
class ResearchExport:
    """The file to hand to the researcher, and what it covers."""

    data: bytes
    filename: str
    mime: str
    format: str
    export_id: str
    participants: int
    first_week: str
    last_week: str
    disclosure: DisclosureReport


# --- texts ---------------------------------------------------------------------------------------

def level_text(dimension: str, level: object, lang: str) -> str:
    """How a quasi-identifier is shown at a level, in ``lang``."""
    kind = DIMENSION[dimension].kind
    if level is None:
        return translate(lang, "disclosure.level.withheld")
    if kind == "period":
        if level == ALL:
            return translate(lang, "disclosure.level.whole_range")
        return translate(lang, "disclosure.level.weeks") if level == 1 else \
            translate(lang, "disclosure.level.periods", weeks=level)
    if kind in ("category", "flag") or (kind == "count" and level == 1):
        return translate(lang, "disclosure.level.exact")
    return translate(lang, "disclosure.level.bands", width=_number(level, lang))


def _number(value: object, lang: str) -> str:
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return text.replace(".", ",") if lang == "nl" else text


def disclosure_frame(report: DisclosureReport) -> pd.DataFrame:
    """Per exported column: the quasi-identifier, its level (nl, en), how many values
    were generalised and how many suppressed."""
    counts = report.counts
    return pd.DataFrame({
        "table": counts["table"], "column": counts["column"], "quasi_identifier": counts["dimension"],
        **{f"level_{lang}": [level_text(d, report.levels[d], lang) for d in counts["dimension"]] for lang in LANGS},
        "generalised": counts["generalised"].astype("int64"), "suppressed": counts["suppressed"].astype("int64"),
    })


def _versions(values) -> str:
    found = sorted({str(v) for v in values if isinstance(v, str) and v})
    return ", ".join(found) if found else "-"


def about_frame(data: ResearchDataset, lang: str, *, exported_at: dt.datetime, export_id: str) -> pd.DataFrame:
    """What the export is, item by item, in ``lang``."""
    report = data.disclosure
    last_sunday = data.mondays[-1] + dt.timedelta(days=6)

    def item(key: str, value: object) -> tuple[str, str]:
        return translate(lang, f"research_export.about.{key}"), str(value)

    study = translate(lang, "research_export.study_since", number=data.study.number,
                      since=f"{data.study.since:%Y-%m-%d}") if data.study.since else \
        translate(lang, "research_export.study_first", number=data.study.number)
    rows = [
        item("export", export_id),
        item("exported_at", f"{exported_at:%Y-%m-%d %H:%M} UTC"),
        item("weeks", translate(lang, "research_export.weeks", first=data.first_week, last=data.last_week,
                                start=data.mondays[0].isoformat(), end=last_sunday.isoformat(),
                                count=len(data.mondays))),
        item("study", study),
        item("participants", report.participants),
        item("instrument", translate(lang, "research_export.versions", found=_versions(
            data.ratings["instrument_version"]), current=INSTRUMENT.version)),
        item("model", translate(lang, "research_export.versions", found=_versions(
            [*data.ratings["model_version"], *data.load_model_versions]), current=MODEL_VERSION)),
        item("checkin", translate(lang, "research_export.versions", found=_versions(
            data.checkins["checkin_version"]), current=CHECKIN.version)),
        item("k", report.k),
        item("suppression_limit", f"{report.suppression_limit:.0%}"),
        item("suppressed_participants", report.suppressed),
        item("generalised_values", report.generalised_values),
        item("suppressed_values", report.suppressed_values),
    ]
    rows += [(translate(lang, f"disclosure.dimension.{name}"), level_text(name, level, lang))
             for name, level in report.levels.items()]
    rows.append(item("method", translate(lang, "research_export.method", k=report.k)))
    return pd.DataFrame(rows, columns=[translate(lang, "research_export.head.item"),
                                       translate(lang, "research_export.head.value")])


def _markdown(frame: pd.DataFrame, lang: str) -> str:
    head = list(frame.columns)
    lines = ["# " + translate(lang, "research_export.title"), "", f"| {head[0]} | {head[1]} |", "|---|---|"]
    lines += [f"| {a} | {str(b).replace('|', '/')} |" for a, b in frame.itertuples(index=False)]
    return "\n".join(lines) + "\n"


# --- files ------------------------------------------------------------------------------------------

def _parquet(frame: pd.DataFrame, meta: bytes) -> bytes:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), b"draagkracht": meta})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def _zip(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def build_file(data: ResearchDataset, fmt: str, *, exported_at: dt.datetime, export_id: str) -> bytes:
    """The export's bytes in ``fmt`` (no access check, nothing logged)."""
    tables = data.tables()
    columns = {name: list(frame.columns) for name, frame in tables.items()}
    books = {lang: codebook_frame(lang=lang, columns=columns, tables=RESEARCH_TABLES) for lang in LANGS}
    about = {lang: about_frame(data, lang, exported_at=exported_at, export_id=export_id) for lang in LANGS}
    disclosure = disclosure_frame(data.disclosure)
    texts = {
        "about.md": _markdown(about["nl"], "nl"), "about.en.md": _markdown(about["en"], "en"),
        "codebook.md": codebook_markdown(lang="nl", columns=columns, tables=RESEARCH_TABLES),
        "codebook.en.md": codebook_markdown(lang="en", columns=columns, tables=RESEARCH_TABLES),
    }
    if fmt == "csv":
        files = {f"{name}.csv": csv_bytes(frame) for name, frame in tables.items()}
        files |= {"disclosure.csv": csv_bytes(disclosure), "codebook.csv": csv_bytes(books["en"])}
        return _zip(files | {name: text.encode("utf-8") for name, text in texts.items()})
    if fmt == "parquet":
        meta = json.dumps({"export": export_id, "first_week": data.first_week, "last_week": data.last_week,
                           "study": data.study.number, "k": data.disclosure.k,
                           "suppression_limit": data.disclosure.suppression_limit,
                           "levels": {k: v for k, v in data.disclosure.levels.items()}}).encode("utf-8")
        files = {f"{name}.parquet": _parquet(frame, meta) for name, frame in tables.items()}
        files |= {"disclosure.parquet": _parquet(disclosure, meta), "codebook.parquet": _parquet(books["en"], meta)}
        return _zip(files | {name: text.encode("utf-8") for name, text in texts.items()})
    check_fits_excel({name: len(frame) for name, frame in tables.items()})
    return _xlsx({**tables, "disclosure": disclosure, "about": about["nl"], "about_en": about["en"],
                  "codebook": books["nl"], "codebook_en": books["en"]})


def _xlsx(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """The workbook, written as its XML (``store.xlsx``: openpyxl takes minutes for the
    ratings of a large practice), formulas neutralised as in every export."""
    return workbook({name: neutralise_formulas(frame) for name, frame in sheets.items()})


def research_export(
    session: Session,
    user: object,
    *,
    fmt: str = "csv",
    weeks: int = DEFAULT_WEEKS,
    as_of: dt.date | None = None,
    k: int = DEFAULT_K,
    config: ModelConfig = DEFAULT_CONFIG,
) -> ResearchExport:
    """The research dataset of ``weeks`` weeks as a file in ``fmt``, for a researcher;
    logged once, with a line for each participant it covers."""
    if fmt not in FORMATS:
        raise InvalidInput(Problem.make("not_an_option", None, "format", value=fmt, allowed=", ".join(FORMATS)))
    data, ids = collect(session, user, weeks=weeks, as_of=as_of, config=config, k=k)
    acting = actor(session, user)  # a researcher: collect refused anyone else
    export_id = secrets.token_hex(4)
    exported_at = utcnow()
    content = build_file(data, fmt, exported_at=exported_at, export_id=export_id)
    span = f"{data.first_week}..{data.last_week}"
    record_with_participants(
        session, acting, "export", ids, subject_id=export_id,
        detail=(f"research dataset export {export_id}: {fmt}, {span}, {len(ids)} participants, "
                f"study {data.study.number}, k={data.disclosure.k}"),
        participant_detail=f"research dataset export {export_id} ({fmt}, {span}, pseudonymised)")
    extension = "xlsx" if fmt == "xlsx" else "zip"
    name = f"draagkracht-research-{data.first_week}-{data.last_week}-{export_id}.{extension}"
    return ResearchExport(content, name, MIME[fmt], fmt, export_id, len(ids), data.first_week, data.last_week,
                          data.disclosure)


__all__ = ["FORMATS", "MIME", "ResearchExport", "about_frame", "build_file", "disclosure_frame", "level_text",
           "research_export"]
