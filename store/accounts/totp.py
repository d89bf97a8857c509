"""The second factor (TOTP, RFC 6238: 30-second steps, one step of clock drift allowed).

:func:`start_totp_enrolment` keeps a new secret aside until :func:`confirm_totp` sees a
valid code from it (a running second factor stays active until then);
:func:`disable_totp` needs the password (see ``login.reauthenticate``) and is refused
where the role requires a second factor (``DRAAGKRACHT_REQUIRE_TOTP_ROLES``). A code is
accepted once: the time step of the last accepted code is stored.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pyotp
from pyotp.utils import strings_equal
from sqlalchemy.orm import Session

from data_schema.problems import Problem

from .. import audit
from ..access import Acting, actor
from ..errors import InvalidInput
from ..models import UserAccount, utcnow
from .history import TOTP_OFF, TOTP_ON
from .passwords import check_again
from .policy import TOTP_ISSUER, TOTP_VALID_WINDOW, totp_required_roles


@dataclass(frozen=True)
class TotpEnrolment:
    secret: str  # base32, to type into an authenticator app
    uri: str  # otpauth:// URI (what a QR code would hold)


def verify_code(secret: str, code: str | None, now: dt.datetime, *, after: int | None) -> int | None:
    """The time step ``code`` belongs to (within the drift window), or None when it is
    wrong or its step is not later than ``after`` (a code is accepted once)."""
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - TOTP_VALID_WINDOW, current + TOTP_VALID_WINDOW + 1):
        if strings_equal(code, totp.generate_otp(step)):
            return step if after is None or step > after else None
    return None


def start_totp_enrolment(session: Session, user: Acting) -> TotpEnrolment:
    """A new secret for the user's authenticator app, kept aside until
    :func:`confirm_totp` sees a valid code (a running second factor stays active until
    then). Starting again replaces the pending secret."""
    acting = actor(session, user)
    secret = pyotp.random_base32()
    acting.totp_pending_secret = secret
    uri = pyotp.TOTP(secret).provisioning_uri(name=acting.username, issuer_name=TOTP_ISSUER)
    return TotpEnrolment(secret=secret, uri=uri)


def pending_totp_enrolment(session: Session, user: Acting) -> TotpEnrolment | None:
    """The enrolment in progress (e.g. to show it again after a page reload), if any."""
    acting = actor(session, user)
    secret = acting.totp_pending_secret
    if secret is None:
        return None
    return TotpEnrolment(secret, pyotp.TOTP(secret).provisioning_uri(name=acting.username, issuer_name=TOTP_ISSUER))


def confirm_totp(
    session: Session, user: Acting, code: str, *, now: dt.datetime | None = None
) -> None:
    """Switch the second factor on with the pending secret, once ``code`` proves the
    app has it."""
    now = now or utcnow()
    acting = actor(session, user)
    if acting.totp_pending_secret is None:
        raise InvalidInput(Problem.make("totp.no_enrolment"))
    step = verify_code(acting.totp_pending_secret, code, now, after=None)
    if step is None:
        raise InvalidInput(Problem.make("totp.code_invalid"))
    acting.totp_secret = acting.totp_pending_secret
    acting.totp_pending_secret = None
    acting.totp_last_counter = step
    audit.record(session, "change", actor=acting, subject_type="user_account", subject_id=acting.id,
                 detail=TOTP_ON)


def disable_totp(
    session: Session, user: Acting, password: str, *, now: dt.datetime | None = None
) -> None:
    """Switch the second factor off (needs the password, see :func:`reauthenticate`;
    refused where the role requires a second factor)."""
    acting = actor(session, user)
    check_again(session, acting, password, now or utcnow())
    if acting.totp_secret is None:
        raise InvalidInput(Problem.make("totp.not_enabled"))
    if acting.role in totp_required_roles():
        raise InvalidInput(Problem.make("totp.required_for_role"))
    acting.totp_secret = None
    acting.totp_pending_secret = None
    acting.totp_last_counter = None
    audit.record(session, "change", actor=acting, subject_type="user_account", subject_id=acting.id,
                 detail=TOTP_OFF)


