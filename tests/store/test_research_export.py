"""A researcher's download (``store.research_export``): CSV for Dutch Excel, Parquet and
XLSX, each with the codebook of exactly its columns (nl/en), the versions, the
disclosure-control settings and the weeks; logged once with every participant, who sees
it in My data; for researchers only; on both backends."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from complexity import CHECKIN, INSTRUMENT, MODEL_VERSION
from store import AccessDenied, InvalidInput, privacy
from store.db import session_scope
from store.demo import build_demo
from store.models import AuditEvent, ResearchConsent, UserAccount
from store.research import research_dataset, research_id_of
from store.research_export import FORMATS, research_export
from store import xlsx
from store.xlsx import column_letter, workbook

AS_OF = dt.date(2026, 3, 1)
TABLES = ("therapists", "ratings", "checkins", "weekly_load")


@pytest.fixture
def demo(engine):
    return build_demo(engine, weeks=8, as_of=AS_OF)


def account(engine, role: str) -> UserAccount:
    with session_scope(engine, readonly=True) as s:
        return s.scalar(select(UserAccount).where(UserAccount.role == role))


def export(engine, fmt: str, **kwargs):
    with session_scope(engine) as s:
        return research_export(s, account(engine, "researcher"), fmt=fmt, weeks=8, as_of=AS_OF, **kwargs)


def files_of(result) -> dict[str, bytes]:
    if result.format == "xlsx":
        return {}
    archive = zipfile.ZipFile(io.BytesIO(result.data))
    return {name: archive.read(name) for name in archive.namelist()}


def read_tables(result) -> dict[str, pd.DataFrame]:
    files = files_of(result)
    if result.format == "csv":
        return {name: pd.read_csv(io.BytesIO(files[f"{name}.csv"]), sep=";", decimal=",", encoding="utf-8-sig",
                                  keep_default_na=True) for name in (*TABLES, "disclosure", "codebook")}
    if result.format == "parquet":
        return {name: pd.read_parquet(io.BytesIO(files[f"{name}.parquet"])) for name in (*TABLES, "disclosure", "codebook")}
    sheets = pd.read_excel(io.BytesIO(result.data), sheet_name=None)
    return {**sheets, "codebook": sheets["codebook_en"]}


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_holds_the_tables_their_codebook_and_what_was_done(engine, demo, fmt):
    result = export(engine, fmt)
    with session_scope(engine) as s:
        data = research_dataset(s, account(engine, "researcher"), weeks=8, as_of=AS_OF)
    assert result.filename == f"draagkracht-research-2026-W02-2026-W09-{result.export_id}." + (
        "xlsx" if fmt == "xlsx" else "zip")
    assert result.mime.endswith("sheet" if fmt == "xlsx" else "zip")
    tables = read_tables(result)
    for name in TABLES:  # the same rows as the dataset (research ids are stable within the study)
        assert list(tables[name].columns) == list(data.tables()[name].columns), name
        assert len(tables[name]) == len(data.tables()[name]), name
    assert set(tables["therapists"]["research_id"]) == set(data.therapists["research_id"])
    # The codebook: exactly the exported columns, in order, labelled in both languages.
    book = tables["codebook"]
    assert list(zip(book["table"], book["column"])) == [(t, c) for t in TABLES for c in data.tables()[t].columns]
    assert book["label_nl"].str.len().gt(0).all() and book["label_en"].str.len().gt(0).all()
    # What disclosure control did, per column.
    disclosure = tables["disclosure"]
    assert list(disclosure["column"]) == list(data.disclosure.counts["column"])
    assert disclosure["generalised"].sum() == result.disclosure.generalised_values
    assert disclosure["suppressed"].sum() == result.disclosure.suppressed_values
    assert set(disclosure.columns) >= {"level_nl", "level_en"}
    if fmt == "xlsx":
        sheets = pd.read_excel(io.BytesIO(result.data), sheet_name=None, header=None)
        assert list(sheets) == [*TABLES, "disclosure", "about", "about_en", "codebook", "codebook_en"]
        about = {"nl": sheets["about"].to_string(), "en": sheets["about_en"].to_string()}
    else:
        files = files_of(result)
        assert {"codebook.md", "codebook.en.md", "about.md", "about.en.md"} <= set(files)
        about = {"nl": files["about.md"].decode(), "en": files["about.en.md"].decode()}
        assert "| `experience` | Ervaring |" in files["codebook.md"].decode()
        assert "| `experience` | Experience |" in files["codebook.en.md"].decode()
        assert all(f"`{c}`" in files["codebook.en.md"].decode() for c in data.ratings.columns)
    for lang, text in about.items():
        assert "2026-W02" in text and "2026-W09" in text and "2026-01-05" in text and "2026-03-01" in text
        assert INSTRUMENT.version in text and MODEL_VERSION in text and CHECKIN.version in text
        assert result.export_id in text
    assert "Suppression limit" in about["en"] and "Onderdrukkingsgrens" in about["nl"]
    assert "k: every combination" in about["en"]
    if fmt == "parquet":
        meta = pq.read_schema(io.BytesIO(files_of(result)["ratings.parquet"])).metadata[b"draagkracht"]
        settings = json.loads(meta)
        assert settings["k"] == 5 and settings["first_week"] == "2026-W02" and set(settings["levels"]) >= {
            "experience", "load_index", "consult_now"}


def test_the_csv_opens_in_dutch_excel(engine, demo):
    files = files_of(export(engine, "csv"))
    load = files["weekly_load.csv"]
    assert load.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM
    header = load.decode("utf-8-sig").splitlines()[0]
    assert header.split(";")[:4] == ["research_id", "period_first", "period_last", "weeks"]
    ratings = files["ratings.csv"].decode("utf-8-sig").splitlines()
    assert any("," in line.split(";")[-6] for line in ratings[1:])  # complexity with a decimal comma


def test_an_export_is_logged_once_with_every_participant_who_sees_it_in_my_data(engine, demo):
    result = export(engine, "csv")
    with session_scope(engine, readonly=True) as s:
        consents = dict(s.execute(select(ResearchConsent.therapist_id, ResearchConsent.research_id)
                                  .where(ResearchConsent.withdrawn_at.is_(None))).all())
        lines = s.scalars(select(AuditEvent).where(AuditEvent.action.in_(["export", "read"]))).all()
        therapists = {tid: s.scalar(select(UserAccount).where(UserAccount.therapist_id == tid)) for tid in
                      {int(e.subject_id) for e in lines if e.subject_type == "therapist"}}
        others = s.scalars(select(UserAccount).where(UserAccount.therapist_id.is_not(None),
                                                     UserAccount.therapist_id.not_in(list(consents)))).all()
    assert [e.action for e in lines] == ["export"] * (1 + len(consents))  # once: no reads besides
    (summary,) = [e for e in lines if e.subject_type == "research_dataset"]
    assert summary.subject_id == result.export_id and summary.actor_role == "researcher"
    assert f"{len(consents)} participants" in summary.detail and "csv" in summary.detail
    covered = {int(e.subject_id) for e in lines if e.subject_type == "therapist"}
    assert covered == set(consents) and result.participants == len(consents)
    assert all(result.export_id in e.detail for e in lines)
    for tid, account_ in therapists.items():
        with session_scope(engine) as s:
            seen = privacy.access_log(s, account_)
        assert [(r.action, r.who) for r in seen if (r.what or "").startswith("research dataset export")] == [
            ("export", "researcher")]
    for other in others:  # who did not consent is not in it
        with session_scope(engine) as s:
            assert not [r for r in privacy.access_log(s, other) if "research" in (r.what or "")]
    assert set(read_tables(result)["therapists"]["research_id"]) == {research_id_of(t) for t in consents.values()}


@pytest.mark.parametrize("role", ["therapist", "supervisor", "admin"])
def test_only_researchers_export(engine, demo, role):
    with pytest.raises(AccessDenied), session_scope(engine) as s:
        research_export(s, account(engine, role), fmt="csv", weeks=8, as_of=AS_OF)
    with session_scope(engine, readonly=True) as s:
        assert not s.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()


def test_an_unknown_format_or_a_k_too_low_is_refused(engine, demo):
    with pytest.raises(InvalidInput, match="'ods' is not one of: csv, parquet, xlsx"):
        export(engine, "ods")
    with pytest.raises(InvalidInput, match="outside 5-50"):
        export(engine, "csv", k=3)
    result = export(engine, "parquet", k=6)
    assert result.disclosure.k == 6


def test_the_workbook_writer_keeps_types_text_and_empty_cells(monkeypatch):
    monkeypatch.setattr(xlsx, "CHUNK_ROWS", 2)  # rows written in parts: the third row is in the second
    frame = pd.DataFrame({"whole": pd.array([1, None, 3], dtype="Int64"), "decimal": [1.5, float("nan"), float("inf")],
                          "text": ["a <b> & c ", None, "'=SUM(A1)"], "flag": [True, False, None],
                          "band": ["mild", "severe\x07", ""]})
    content = workbook({"first": frame, "a" * 40: frame.iloc[:0]})
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["first", "a" * 31]
    rows = [[c.value for c in row] for row in book["first"].iter_rows()]
    assert rows == [["whole", "decimal", "text", "flag", "band"], [1, 1.5, "a <b> & c ", True, "mild"],
                    [None, None, None, False, "severe"], [3, None, "'=SUM(A1)", None, ""]]
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    with pytest.raises(ValueError):
        workbook({})
