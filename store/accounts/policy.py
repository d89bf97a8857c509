"""The numbers of "Login and access", in one place (OWASP ASVS level 2: slow down, then
lock, per username from one client address and per address; 30 minutes idle and 12
hours in all per session; a second factor, required per role where the operator says
so). How the failure counts work: ``store.accounts.throttle``."""

from __future__ import annotations

import datetime as dt
import os
from typing import Mapping

from data_schema.fields import ROLES

# One username from one client address (never from the others):
MAX_FAILED_LOGINS = 5  # consecutive failures that lock the username from that address
LOCK_DURATION = dt.timedelta(minutes=15)
SLOWDOWN_FROM = 3  # from this consecutive failure on, wait before the next attempt
SLOWDOWN_BASE = dt.timedelta(seconds=5)  # 5 s after the 3rd failure, 10 s after the 4th, ...
# One client address, whatever the usernames:
ADDRESS_BURST = 10  # failures in a row, then the address waits ...
ADDRESS_INTERVAL = dt.timedelta(minutes=1)  # ... and may fail once more per minute
THROTTLE_FORGET_AFTER = dt.timedelta(days=1)  # a count is forgotten a day after its last failure
THROTTLE_MAX_ENTRIES = 50_000  # counts kept in memory at most (the oldest go first)
SESSION_IDLE_TIMEOUT = dt.timedelta(minutes=30)
SESSION_MAX_AGE = dt.timedelta(hours=12)
TOTP_STEP_TIMEOUT = dt.timedelta(minutes=5)  # to enter the code after the password
TOTP_VALID_WINDOW = 1  # time steps of clock drift accepted either side
TOTP_ISSUER = "Draagkracht"
TEMPORARY_PASSWORD_BYTES = 12  # 16 URL-safe characters, about 96 bits
ENV_REQUIRE_TOTP = "DRAAGKRACHT_REQUIRE_TOTP_ROLES"


def totp_required_roles(environ: Mapping[str, str] | None = None) -> frozenset[str]:
    """The roles that must use a second factor (``DRAAGKRACHT_REQUIRE_TOTP_ROLES``, a
    comma-separated list; empty or unset = nobody).

    Raises ValueError for an unknown role name: a typo must not silently switch the
    requirement off."""
    raw = (os.environ if environ is None else environ).get(ENV_REQUIRE_TOTP, "")
    roles = {part.strip().lower() for part in raw.split(",") if part.strip()}
    unknown = sorted(roles - set(ROLES))
    if unknown:
        raise ValueError(
            f"{ENV_REQUIRE_TOTP} names unknown roles {unknown}; use a comma-separated "
            f"list of {', '.join(ROLES)}"
        )
    return frozenset(roles)


def session_end_reason(started_at: dt.datetime, last_seen: dt.datetime, now: dt.datetime) -> str | None:
    """``"absolute"`` when a session is ``SESSION_MAX_AGE`` old, ``"idle"`` after
    ``SESSION_IDLE_TIMEOUT`` without a request, else None (the session goes on)."""
    if now - started_at >= SESSION_MAX_AGE:
        return "absolute"
    if now - last_seen >= SESSION_IDLE_TIMEOUT:
        return "idle"
    return None
