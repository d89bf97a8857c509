"""The codebook covers every exported column, follows the instrument and the check-in,
and is written by ``python -m data_schema codebook``."""

from __future__ import annotations

from importlib import resources
import csv
import dataclasses
import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from complexity import CHECKIN, DOMAINS, INSTRUMENT, score_cases, weekly_load
from complexity.checkin import CheckinField
from complexity.instrument import parse_instrument
from data_schema import fields
from data_schema.layouts import IMPORT_TABLES
from data_schema.__main__ import main
from data_schema.codebook import COLUMNS, codebook_csv, codebook_frame, codebook_markdown
from data_schema.tables import EXPORT_MODELS, IMPORT_MODELS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def book() -> pd.DataFrame:
    return codebook_frame()


def entries(book: pd.DataFrame, table: str) -> list[str]:
    return book.loc[book["table"] == table, "column"].tolist()


def test_codebook_columns(book):
    assert tuple(book.columns) == COLUMNS
    assert not book.duplicated(["table", "column"]).any()
    assert (book["label_nl"].str.len() > 0).all() and (book["label_en"].str.len() > 0).all()


def test_every_export_column_has_an_entry(book):
    for name, model in EXPORT_MODELS.items():
        missing = set(model.to_schema().columns) - set(entries(book, name))
        assert not missing, f"{name}: no codebook entry for {sorted(missing)}"


def test_derived_columns_are_all_there(book):
    assert [c for c in entries(book, "ratings") if c in INSTRUMENT.item_ids] == list(INSTRUMENT.item_ids)
    scores = entries(book, "scores")
    for column in ("case_code", "complexity", "band", "interaction", "instrument_version", "model_version", "flags"):
        assert column in scores
    assert set(DOMAINS) <= set(scores)
    checkins = entries(book, "checkins")
    assert set(CHECKIN.scale_ids) | set(fields.ACTION_COLUMNS) | {"capacity_score", "week_start"} <= set(checkins)
    items = book[(book["table"] == "ratings") & book["column"].isin(INSTRUMENT.item_ids)]
    assert (items["range"] == "0-3").all() and (items["instrument_version"] == INSTRUMENT.version).all()
    burnout = book[(book["table"] == "checkins") & (book["column"] == "burnout")].iloc[0]
    assert burnout["range"] == "1-5" and burnout["instrument_version"] == f"check-in {CHECKIN.version}"


def test_real_outputs_are_covered(book):
    sessions = pd.DataFrame({"therapist_id": [1], "session_date": [dt.date(2026, 3, 2)], "complexity": [40.0]})
    therapists = pd.DataFrame({"therapist_id": [1], "contracted_sessions": [20], "is_starting": [True]})
    assert set(weekly_load(sessions, therapists).columns) <= set(entries(book, "weekly_load"))
    scored = score_cases(pd.DataFrame({"case_id": ["a"], **{i: [1] for i in INSTRUMENT.item_ids}}))
    explained = {"complexity", "band", "interaction", "flags", "instrument_version", "model_version",
                 *DOMAINS, *(f"contrib_{d}" for d in DOMAINS)}
    assert explained <= set(scored.columns) and explained <= set(entries(book, "scores"))


def test_exports_hold_names_only_where_they_belong(book):
    assert "username" not in set(book["column"])  # accounts are exported without it
    named = book[book["column"].isin({"display_name", "name", "team"})]
    assert set(zip(named["table"], named["column"])) == {("therapists", "display_name"), ("teams", "name")}
    own = book[(book["table"] == "therapists") & (book["column"] == "display_name")].iloc[0]
    assert "own export" in own["unit_or_values"]  # a therapist's name only in their own export


def test_a_new_item_and_a_new_checkin_field_appear_without_an_edit():
    text = resources.files("complexity").joinpath("instrument.toml").read_text("utf-8")
    text += '\n[[extra_items]]\nid = "test_new_item"\npurpose = "flag"\nlabel = { nl = "Nieuw", en = "New" }\n' \
            'anchors.nl = ["a", "b", "c", "d"]\nanchors.en = ["a", "b", "c", "d"]\n'
    new_field = CheckinField(id="test_focus", kind="scale", labels={"nl": "Focus", "en": "Focus"}, min=1, max=7,
                             direction="up")
    checkin = dataclasses.replace(CHECKIN, fields=CHECKIN.fields + (new_field,))
    book = codebook_frame(parse_instrument(text), checkin)
    row = book[(book["table"] == "ratings") & (book["column"] == "test_new_item")]
    assert len(row) == 1 and row.iloc[0]["label_nl"] == "Nieuw"
    focus = book[(book["table"] == "checkins") & (book["column"] == "test_focus")]
    assert len(focus) == 1 and focus.iloc[0]["range"] == "1-7"


def test_csv_and_markdown(book):
    rows = list(csv.DictReader(io.StringIO(codebook_csv())))
    assert len(rows) == len(book) and tuple(rows[0]) == COLUMNS
    md_nl, md_en = codebook_markdown(lang="nl"), codebook_markdown(lang="en")
    assert md_nl.startswith("# Codeboek") and md_en.startswith("# Codebook")
    for table in book["table"].unique():
        assert f"(`{table}`)" in md_nl
    table_lines = [line for line in md_en.splitlines() if line.startswith("| `")]
    assert len(table_lines) == len(book)
    assert all(line.count(" | ") == 5 for line in table_lines)  # "|" in a value is escaped
    assert "| `emo_anxiety` | Anxiety and panic | integer | 0-3 | 0 = absent;" in md_en
    assert "| `emo_anxiety` | Angst en paniek | integer | 0-3 | 0 = afwezig;" in md_nl
    # An item outside the score has a scale of its own: the codebook gives its anchors.
    interplay = INSTRUMENT.item("interplay")
    assert f"| `interplay` | {interplay.label('en')} | integer | 0-3 | 0 = {interplay.anchor(0, 'en')};" in md_en
    assert f"3 = {interplay.anchor(3, 'nl')} | 2.0.0 |" in md_nl


def test_cli_writes_the_codebook(tmp_path, capsys):
    out = tmp_path / "codebook.csv"
    assert main(["codebook", "--format", "csv", "--lang", "en", "-o", str(out)]) == 0
    assert out.read_text("utf-8") == codebook_csv(lang="en")
    assert main(["codebook"]) == 0
    assert capsys.readouterr().out == codebook_markdown(lang="nl")


def test_cli_exits_2_with_a_message_when_it_cannot_write(tmp_path, capsys):
    """The message is in the codebook's language (--lang, default nl), from the catalog."""
    target = tmp_path / "missing" / "codebook.md"
    run = subprocess.run([sys.executable, "-m", "data_schema", "codebook", "-o", str(target)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert run.stderr.startswith(f"fout: kan {target} niet schrijven: de map") and "Traceback" not in run.stderr
    assert main(["codebook", "--lang", "en", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot write {target}: the directory '{target.parent}' does not exist")
    assert not target.exists() and not target.parent.exists()


def test_import_models_cover_the_import_tables():
    for kind, model in IMPORT_MODELS.items():
        assert list(model.to_schema().columns) == list(IMPORT_TABLES[kind].columns)


@pytest.mark.parametrize("lang, path", [("nl", "docs/codebook.md"), ("en", "docs/codebook.en.md")])
def test_the_committed_codebooks_are_the_generators_output(lang, path):
    committed = (Path(__file__).resolve().parents[2] / path).read_text("utf-8")
    assert committed == codebook_markdown(lang=lang), (
        f"{path} is out of date: python -m data_schema codebook --lang {lang} -o {path}")
