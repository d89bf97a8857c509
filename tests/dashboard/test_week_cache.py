"""My week's cache (``dashboard.components.week_cache``): reruns reuse the figures, and
a change the store makes shows at the next run."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from dashboard.components import week_cache
from dashboard.i18n import read_catalog
from store.db import session_scope
from store.models import UserAccount
from store.cases import add_case, record_sessions

NL = read_catalog("nl")
SESSIONS = re.compile(r"^(\d+)" + re.escape(NL["my_week.sessions_line"].split("}", 1)[1].split("{")[0]))


@pytest.fixture
def computed(monkeypatch) -> list[int]:
    """The user ids ``store.overview.my_week`` is computed for, one entry per call."""
    calls: list[int] = []
    real = week_cache.my_week

    def counting(session, user, **kwargs):
        calls.append(user.id)
        return real(session, user, **kwargs)

    monkeypatch.setattr(week_cache, "my_week", counting)
    return calls


def sessions_this_week(at) -> int:
    found = [int(m.group(1)) for c in at.caption if (m := SESSIONS.match(str(c.value)))]
    assert len(found) == 1, [c.value for c in at.caption]
    return found[0]


def test_reruns_reuse_my_week_until_the_store_changes_something(computed, logged_in, run, demo_db):
    at = logged_in("therapist")  # My week is the home page
    assert [t.value for t in at.title] == [NL["my_week.title"]]
    assert computed == [demo_db.user_ids["anna"]]
    before = sessions_this_week(at)
    run(at)
    run(at)
    assert len(computed) == 1  # two reruns, no new computation

    engine = demo_db.engine()
    try:  # a session recorded elsewhere (another page, another server): the store audits it
        with session_scope(engine) as s:
            anna = s.get(UserAccount, demo_db.user_ids["anna"])
            code = add_case(s, anna, opened_on=dt.date.today())
            record_sessions(s, anna, code, [(dt.date.today(), 45)])
    finally:
        engine.dispose()
    run(at)
    assert len(computed) == 2
    assert sessions_this_week(at) == before + 1
