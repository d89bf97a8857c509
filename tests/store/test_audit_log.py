"""The admin's view of the access log: every filter, paging through any number of lines,
the CSV selection logged as an export; only admins."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from store import AccessDenied, InvalidInput, audit
from store.audit import AccessContext, access_context, session_key
from store.audit_log import AuditFilter, audit_export, audit_page
from store.db import session_scope
from store.load import therapist_weekly_load
from store.models import AuditEvent

TODAY = dt.datetime.now(dt.timezone.utc).date()


def _activity(engine, people) -> None:
    with access_context(AccessContext(session_key=session_key("s1"), client_address="198.51.100.4")):
        with session_scope(engine) as s:
            therapist_weekly_load(s, people.supervisor, people.t1.id, 4)
        with pytest.raises(AccessDenied), session_scope(engine) as s:
            therapist_weekly_load(s, people.supervisor, people.t3.id, 4)
        with session_scope(engine) as s:
            audit.record(s, "change", actor=people.admin, subject_type="user_account", subject_id=people.u2.id,
                         detail="temporary password given by an admin")


def _page(engine, people, chosen=AuditFilter(), **kw):
    with session_scope(engine) as s:
        return audit_page(s, people.admin, chosen, **kw)


def test_each_filter_selects_its_lines(engine, people):
    _activity(engine, people)
    everything = _page(engine, people).lines
    assert len(everything) == 3
    assert list(_page(engine, people, AuditFilter(outcome="refused")).lines["subject_id"]) == [str(people.t3.id)]
    reads = _page(engine, people, AuditFilter(action="read")).lines  # the admin's own readings of the log too
    assert set(reads["actor"]) == {"sanne", "admin"} and set(reads[reads["actor"] == "admin"]["subject_type"]) == {"audit_log"}
    assert set(_page(engine, people, AuditFilter(actor_id=people.admin.id)).lines["action"]) >= {"change"}
    # On whose data: anna's therapist record; bram's account.
    anna = _page(engine, people, AuditFilter(person_id=people.u1.id)).lines
    assert list(anna["subject_id"]) == [str(people.t1.id)] and list(anna["client_address"]) == ["198.51.100.4"]
    assert list(_page(engine, people, AuditFilter(person_id=people.u2.id)).lines["action"]) == ["change"]
    assert len(_page(engine, people, AuditFilter(since=TODAY, until=TODAY, action="authz_denied")).lines) == 1
    assert _page(engine, people, AuditFilter(until=TODAY - dt.timedelta(days=1))).total == 0
    row = everything.iloc[-1]  # the oldest: the supervisor's read
    assert (row["actor_role"], row["outcome"], row["session_key"]) == ("supervisor", "allowed", session_key("s1"))


def test_pages_through_any_number_of_lines(engine, people):
    with session_scope(engine) as s:
        for i in range(23):
            audit.record(s, "change", actor=people.admin, subject_type="team", subject_id=i)
    seen, page, pages = [], 0, None
    while pages is None or page < pages:
        result = _page(engine, people, AuditFilter(action="change"),
                       page=page, page_size=5)
        pages = result.pages
        assert result.total == 23 and result.pages == 5 and result.page == page
        seen += list(result.lines["subject_id"])
        page += 1
    assert seen == [str(i) for i in reversed(range(23))]  # newest first, each once
    assert _page(engine, people, AuditFilter(action="change"), page=99, page_size=5).page == 4  # past the end: the last


def test_the_csv_selection_is_logged_as_an_export(engine, people):
    _activity(engine, people)
    with session_scope(engine) as s:
        frame = audit_export(s, people.admin, AuditFilter(outcome="refused"))
    assert len(frame) == 1 and frame.iloc[0]["action"] == "authz_denied"
    with session_scope(engine, readonly=True) as s:
        exported = s.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert exported.subject_type == "audit_log" and "outcome=refused" in exported.detail and "1 lines" in exported.detail


def test_a_wrong_filter_is_named(engine, people):
    with pytest.raises(InvalidInput) as caught, session_scope(engine) as s:
        audit_page(s, people.admin, AuditFilter(action="peek", outcome="maybe", since=TODAY, until=TODAY - dt.timedelta(1)))
    assert {p.column for p in caught.value.problems} == {"action", "outcome", "until"}


@pytest.mark.parametrize("who", ["u1", "supervisor", "researcher"])
def test_only_admins_read_or_export_the_log(engine, people, who):
    for call in (audit_page, audit_export):
        with pytest.raises(AccessDenied), session_scope(engine) as s:
            call(s, getattr(people, who))
