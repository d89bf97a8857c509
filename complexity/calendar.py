"""The practice's calendar, in one place: ISO weeks, their labels, and today.

- A **week** is an ISO week, Monday to Sunday; it is named by its Monday
  (:func:`monday_of`) or by its label ``2026-W10`` (:func:`iso_week_label`,
  :func:`monday_of_label`). Every weekly figure (load, check-in, goal, report) uses it.
- **Today** is the date in the practice's time zone, whatever the server's clock zone
  (a UTC server would otherwise still be in last week on Monday before 01:00/02:00):
  :func:`today`. Stored timestamps are UTC; :func:`local_time` shows one as the practice
  reads it.
- The **time zone** is configuration: ``DRAAGKRACHT_TIME_ZONE`` (an IANA name such as
  ``Europe/Amsterdam``, the default). An unknown name stops with a clear error instead
  of silently using another zone.

Every model function takes the day it is about (``as_of``) as an argument; only
:func:`today` reads the clock.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from typing import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

ENV_TIME_ZONE = "DRAAGKRACHT_TIME_ZONE"
DEFAULT_TIME_ZONE = "Europe/Amsterdam"


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{ENV_TIME_ZONE}={name!r} is not a time zone; use an IANA name such as {DEFAULT_TIME_ZONE}"
        ) from None


def practice_time_zone(environ: Mapping[str, str] | None = None) -> ZoneInfo:
    """The practice's time zone (``DRAAGKRACHT_TIME_ZONE``, default Europe/Amsterdam);
    ValueError for a name that is not a time zone."""
    name = ((os.environ if environ is None else environ).get(ENV_TIME_ZONE) or DEFAULT_TIME_ZONE).strip()
    return _zone(name)


def today() -> dt.date:
    """Today's date in the practice's time zone: the one clock the "not in the future"
    rules and the weeks read."""
    return dt.datetime.now(practice_time_zone()).date()


def local_time(moment: dt.datetime) -> dt.datetime:
    """A stored (UTC) timestamp as the practice reads it."""
    return moment.astimezone(practice_time_zone())


def monday_of(day: dt.date | dt.datetime | pd.Timestamp) -> dt.date:
    """The Monday of the ISO week of ``day``, as a date."""
    if isinstance(day, pd.Timestamp):
        day = day.date()
    elif isinstance(day, dt.datetime):
        day = day.date()
    return day - dt.timedelta(days=day.weekday())


def iso_week_label(monday: dt.date | pd.Timestamp) -> str:
    """The ISO week of a date as ``2026-W10``."""
    year, week, _ = pd.Timestamp(monday).isocalendar()
    return f"{year}-W{week:02d}"


def monday_of_label(year: int, week: int) -> dt.date:
    """The Monday of ISO week ``week`` of ``year``; ValueError for a week that year lacks."""
    return dt.date.fromisocalendar(year, week, 1)


def weeks_between(first_monday: dt.date, last_monday: dt.date) -> int:
    """The number of weeks from one Monday to another, both counted."""
    return (last_monday - first_monday).days // 7 + 1


__all__ = [
    "DEFAULT_TIME_ZONE", "ENV_TIME_ZONE", "iso_week_label", "local_time", "monday_of", "monday_of_label",
    "practice_time_zone", "today", "weeks_between",
]
