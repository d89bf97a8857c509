"""A calendar reminder (.ics, RFC 5545) for next week's check-in: the 5A plan's
*Arrange* step. One event with an alarm, in UTC, with a stable UID per therapist and
week so importing it twice does not duplicate it."""

from __future__ import annotations

import datetime as dt
import hashlib

PRODID = "-//Draagkracht//check-in reminder//NL"


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line: str) -> str:
    """Fold at 75 octets as RFC 5545 asks (continuation lines start with a space)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, current = [], b""
    for ch in line:
        b = ch.encode("utf-8")
        if len(current) + len(b) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += b
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def checkin_reminder_ics(
    start: dt.datetime, summary: str, description: str, *, uid_seed: str, minutes: int = 10,
    now: dt.datetime | None = None,
) -> bytes:
    """The .ics file's bytes. ``start`` must be timezone-aware."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    utc = dt.timezone.utc
    fmt = "%Y%m%dT%H%M%SZ"
    begin = start.astimezone(utc)
    end = begin + dt.timedelta(minutes=minutes)
    uid = hashlib.sha256(uid_seed.encode("utf-8")).hexdigest()[:32] + "@draagkracht"
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
        "BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{(now or dt.datetime.now(utc)).astimezone(utc).strftime(fmt)}",
        f"DTSTART:{begin.strftime(fmt)}", f"DTEND:{end.strftime(fmt)}",
        f"SUMMARY:{_escape(summary)}", f"DESCRIPTION:{_escape(description)}",
        "BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{_escape(summary)}", "TRIGGER:-PT15M", "END:VALARM",
        "END:VEVENT", "END:VCALENDAR",
    ]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode("utf-8")
