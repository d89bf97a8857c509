"""Pure pieces of the therapist pages: the calendar reminder, the balance chart, trends."""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from dashboard.components.balance import balance_figure
from dashboard.components.calendar import checkin_reminder_ics
from dashboard.components.caseload import trend_text
from dashboard.components.selfcare_plan import next_checkin_start


def unfold(ics: bytes) -> list[str]:
    return ics.decode("utf-8").replace("\r\n ", "").split("\r\n")


def test_reminder_is_a_valid_single_event_next_monday_morning():
    start = next_checkin_start(dt.date(2026, 3, 23))  # the Monday after: 30 March, 09:00 in Amsterdam
    assert start == dt.datetime(2026, 3, 30, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    ics = checkin_reminder_ics(start, "Check-in", "Kijk terug op je doel: rust, pauze; wandelen\n" + "é" * 80,
                               uid_seed="anna:2026-03-30", now=dt.datetime(2026, 3, 23, tzinfo=dt.timezone.utc))
    raw = ics.decode("utf-8")
    assert all(len(line.encode("utf-8")) <= 75 for line in raw.split("\r\n"))  # folded
    lines = unfold(ics)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "DTSTART:20260330T070000Z" in lines  # 09:00 CEST is 07:00 UTC (summer time began 29 March)
    assert "DTEND:20260330T071000Z" in lines
    desc = next(line for line in lines if line.startswith("DESCRIPTION:Kijk"))
    assert "rust\\, pauze\\; wandelen\\n" in desc
    assert lines.count("BEGIN:VEVENT") == 1 and "BEGIN:VALARM" in lines
    again = checkin_reminder_ics(start, "Check-in", "x", uid_seed="anna:2026-03-30")
    uid = [line for line in lines if line.startswith("UID:")]
    assert uid and uid == [line for line in unfold(again) if line.startswith("UID:")]


def test_reminder_refuses_naive_times():
    with pytest.raises(ValueError):
        checkin_reminder_ics(dt.datetime(2026, 3, 30, 9), "x", "y", uid_seed="s")


def test_balance_figure_gaps_for_missing_checkins_and_words_for_status():
    balance = pd.DataFrame({
        "week": ["2026-W10", "2026-W11", "2026-W12"],
        "load_index": [0.8, 1.05, 1.3],
        "status": ["blue", "amber", "red"],
        "capacity_score": [70.0, math.nan, 40.0],
    })
    fig = balance_figure(balance, "nl")
    bars, line = fig.data
    assert list(bars.y) == [0.8, 1.05, 1.3]
    assert list(bars.customdata) == ["onder capaciteit", "op capaciteit", "te hoog"]
    assert list(line.y) == [70.0, None, 40.0] and line.connectgaps is False
    assert fig.layout.separators == ",."
    texts = [a.text for a in fig.layout.annotations]
    assert any("1" in x for x in texts) and len(texts) == 2


@pytest.mark.parametrize("history, lang, expected", [
    ([], "nl", "–"),
    ([40.0], "en", "–"),
    ([40.0, None], "en", "–"),
    ([40.0, 52.4], "en", "↑ 12 points heavier"),
    ([60.0, 30.0], "nl", "↓ 30 punten lichter"),
    ([50.0, 50.2], "en", "→ unchanged"),
])
def test_trend_text(history, lang, expected):
    assert trend_text(history, lang) == expected
