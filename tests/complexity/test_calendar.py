"""The practice's calendar: ISO weeks and today in the configured time zone."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from complexity import calendar
from complexity.calendar import (
    ENV_TIME_ZONE,
    iso_week_label,
    local_time,
    monday_of,
    monday_of_label,
    practice_time_zone,
    weeks_between,
)


def test_iso_week_labels_cross_the_year_boundary():
    assert iso_week_label(dt.date(2026, 12, 28)) == "2026-W53"
    assert iso_week_label(dt.date(2027, 1, 4)) == "2027-W01"
    assert iso_week_label(pd.Timestamp("2027-01-03")) == "2026-W53"  # a Sunday belongs to the week before


def test_monday_of_any_day_date_or_timestamp():
    assert monday_of(dt.date(2026, 3, 8)) == dt.date(2026, 3, 2)  # Sunday
    assert monday_of(dt.date(2026, 3, 2)) == dt.date(2026, 3, 2)
    assert monday_of(dt.datetime(2026, 3, 4, 23, 59)) == dt.date(2026, 3, 2)
    assert monday_of(pd.Timestamp("2026-03-05")) == dt.date(2026, 3, 2)


def test_week_labels_and_mondays_round_trip():
    assert monday_of_label(2026, 53) == dt.date(2026, 12, 28)
    with pytest.raises(ValueError):
        monday_of_label(2027, 53)  # 2027 has 52 ISO weeks
    assert weeks_between(dt.date(2026, 3, 2), dt.date(2026, 3, 23)) == 4


def test_time_zone_comes_from_configuration(monkeypatch):
    assert practice_time_zone({}).key == "Europe/Amsterdam"
    assert practice_time_zone({ENV_TIME_ZONE: "America/Curacao"}).key == "America/Curacao"
    with pytest.raises(ValueError, match=ENV_TIME_ZONE):
        practice_time_zone({ENV_TIME_ZONE: "Europe/Nowhere"})
    moment = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.timezone.utc)
    monkeypatch.setenv(ENV_TIME_ZONE, "Europe/Amsterdam")
    assert local_time(moment).date() == dt.date(2026, 3, 2)  # already Monday in Amsterdam
    monkeypatch.setenv(ENV_TIME_ZONE, "America/Curacao")
    assert local_time(moment).date() == dt.date(2026, 3, 1)


def test_today_is_the_date_in_the_practice_zone(monkeypatch):
    zones = ("Pacific/Kiritimati", "Pacific/Pago_Pago")  # UTC+14 and UTC-11: always a different date
    seen = set()
    for zone in zones:
        monkeypatch.setenv(ENV_TIME_ZONE, zone)
        seen.add(calendar.today())
    assert len(seen) == 2
