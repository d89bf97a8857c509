"""The Research page as a researcher uses it (AppTest): the counts are read once per data
change (a rerun takes them from the cache), bands of fewer than five participants are
hidden, the download is built when asked for (once, logged with every participant) and
offered until the choice changes, and a new study re-draws the research ids."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pandas as pd
from sqlalchemy import func, select

from complexity import INSTRUMENT
from dashboard.components import research_export as panel
from dashboard.i18n import read_catalog
from store.cases import add_case, rate_case
from store.db import session_scope
from store.models import AuditEvent, ResearchConsent, Therapist, UserAccount
from store.research import DEFAULT_WEEKS

NL = read_catalog("nl")
TODAY = dt.date.today()


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def seed_participants(demo_db, count: int = 6) -> None:
    """``count`` consenting therapists, each with a severe and an uncomplicated case
    rated last week; the first also a mild one (a band of one participant)."""
    with session_scope(demo_db.engine()) as s:
        for n in range(count):
            therapist = Therapist(display_name=f"T{n}", experience="experienced", contracted_sessions=20 + n)
            s.add(therapist)
            s.flush()
            account = UserAccount(username=f"t{n}", role="therapist", therapist_id=therapist.id)
            s.add_all([account, ResearchConsent(therapist_id=therapist.id, research_id=f"{n:032d}")])
            s.flush()
            for level in (3, 0, 1) if n == 0 else (3, 0):
                code = add_case(s, account, opened_on=TODAY - dt.timedelta(days=20))
                rate_case(s, account, code, {i: level for i in INSTRUMENT.scored_item_ids},
                          TODAY - dt.timedelta(days=7))


def lines(demo_db, action: str) -> list[AuditEvent]:
    with session_scope(demo_db.engine(), readonly=True) as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action,
                                                       AuditEvent.actor_role == "researcher")))


def test_a_rerun_reads_counts_and_the_file_is_built_only_when_asked(logged_in, run, demo_db):
    seed_participants(demo_db)
    at = logged_in("researcher")
    assert [m.value for m in at.metric] == ["6", "13", "0"]
    assert not at.get("download_button") and NL["research_download.not_built"] in texts(at.caption)
    reads = lines(demo_db, "read")
    assert {e.subject_type for e in reads} == {"research_dataset"}  # counts: no participant's data read
    at.slider(key="research_weeks").set_value(8)
    run(at)
    assert not lines(demo_db, "export") and not at.get("download_button")

    at.radio(key=panel.FORMAT_KEY).set_value("xlsx")
    at.button(key=panel.BUILD_KEY).click()
    run(at)
    assert len(at.get("download_button")) == 1
    (wanted, built) = at.session_state[panel.PREPARED]
    assert wanted == ("xlsx", 8, 5) and built.filename.endswith(".xlsx") and built.participants == 6
    assert "therapists" in pd.ExcelFile(io.BytesIO(built.data)).sheet_names
    exported = lines(demo_db, "export")
    assert len(exported) == 1 + 6 and {e.subject_type for e in exported} == {"research_dataset", "therapist"}

    run(at)  # any rerun offers the same file without building it again
    assert len(at.get("download_button")) == 1 and len(lines(demo_db, "export")) == 7
    at.number_input(key=panel.K_KEY).set_value(6)  # another k: that file is not this choice
    run(at)
    assert not at.get("download_button") and len(lines(demo_db, "export")) == 7
    at.radio(key=panel.FORMAT_KEY).set_value("csv")
    at.number_input(key=panel.K_KEY).set_value(5)
    at.button(key=panel.BUILD_KEY).click()
    run(at)
    (_, built) = at.session_state[panel.PREPARED]
    assert {"therapists.csv", "codebook.md", "about.en.md"} <= set(zipfile.ZipFile(io.BytesIO(built.data)).namelist())
    assert len(lines(demo_db, "export")) == 14


def test_bands_of_fewer_than_five_participants_are_hidden(logged_in, demo_db):
    seed_participants(demo_db)
    at = logged_in("researcher")
    assert at.get("plotly_chart")
    assert NL["research_page.hidden"].format(count=2) in texts(at.caption)  # mild (one) and its complement


def test_too_few_consents_refuse_and_k_above_them_is_refused_on_building(logged_in, run, demo_db):
    at = logged_in("researcher")
    assert NL["research.refused"] in texts(at.error) and panel.BUILD_KEY not in {b.key for b in at.button}
    seed_participants(demo_db, 5)
    run(at)
    at.number_input(key=panel.K_KEY).set_value(6)
    at.button(key=panel.BUILD_KEY).click()
    run(at)
    assert NL["research.refused"] in texts(at.error) and not at.get("download_button")
    assert not lines(demo_db, "export")


def test_a_new_study_from_the_page_draws_every_research_id_again(logged_in, run, demo_db):
    seed_participants(demo_db)
    with session_scope(demo_db.engine(), readonly=True) as s:
        before = set(s.scalars(select(ResearchConsent.research_id)))
    at = logged_in("researcher")
    assert NL["research_page.study_first"].format(number=1) in texts(at.caption)
    assert at.button(key=panel.NEW_STUDY_KEY).disabled  # not without saying so
    at.checkbox(key=panel.CONFIRM_KEY).check()
    run(at)
    at.button(key=panel.NEW_STUDY_KEY).click()
    run(at)
    assert NL["research_download.new_study_done"].format(number=2) in texts(at.success)
    with session_scope(demo_db.engine(), readonly=True) as s:
        after = set(s.scalars(select(ResearchConsent.research_id)))
        changes = s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.detail.like("new research study%")))
    assert after.isdisjoint(before) and len(after) == 6 and changes == 1
    run(at)
    assert "Studie 2, sinds" in texts(at.caption)


def test_a_rerun_reads_the_counts_from_the_cache_until_the_data_change(logged_in, run, demo_db, monkeypatch):
    from dashboard.components import research_overview

    seed_participants(demo_db)
    reads: list[int] = []
    original = research_overview.research_summary
    monkeypatch.setattr(research_overview, "research_summary",
                        lambda *a, **k: reads.append(k["weeks"]) or original(*a, **k))
    at = logged_in("researcher")
    assert [m.value for m in at.metric] == ["6", "13", "0"] and len(reads) == 1
    at.radio(key=panel.FORMAT_KEY).set_value("xlsx")  # a click that changes no data
    run(at)
    run(at)
    assert len(reads) == 1 and [m.value for m in at.metric] == ["6", "13", "0"]
    reads_logged = len(lines(demo_db, "read"))
    at.slider(key="research_weeks").set_value(8)  # another period: read (and logged) once
    run(at)
    run(at)
    assert reads == [DEFAULT_WEEKS, 8] and len(lines(demo_db, "read")) == reads_logged + 1
    with session_scope(demo_db.engine()) as s:  # a new rating (through the store: an audit line) is seen
        account = s.scalars(select(UserAccount).where(UserAccount.username == "t1")).one()
        code = add_case(s, account, opened_on=TODAY - dt.timedelta(days=20))
        rate_case(s, account, code, {i: 2 for i in INSTRUMENT.scored_item_ids}, TODAY - dt.timedelta(days=7))
    run(at)
    assert len(reads) == 3 and [m.value for m in at.metric] == ["6", "14", "0"]
