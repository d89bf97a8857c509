"""Login sessions kept in the database, so that a reload, a second tab, a bookmark or
another app instance finds the user logged in (``login_session``, migration 0010).

The browser holds a random token (:data:`TOKEN_BYTES` bytes, URL-safe) in an
``HttpOnly``, ``SameSite=Strict`` cookie; the database keeps only its SHA-256 digest, so a
copy of the database does not log anyone in. How the cookie is set without a script in
the page: a login opens a session and hands out a one-time ticket (:data:`HANDOFF_TTL`);
the browser is sent to the app's ``/auth/session`` route with it, which redeems it
(:func:`redeem_ticket`): the session gets a new token, the route sets it as the cookie and
sends the browser back to the page. A ticket works once; the token the login drew
(which this Streamlit connection keeps until the page reloads) is replaced by it.

Rules (the numbers are in ``policy``): a session ends after ``SESSION_IDLE_TIMEOUT``
without a request and ``SESSION_MAX_AGE`` after the login; a password change after its
``valid_from`` ends it (the user's own change renews the session it was made in and ends
the others), as does deactivating the account; logout ends it at once, in every tab,
because every tab checks the same row. :func:`rotate` draws a new token for the same
session (the second factor completed, the user's own password changed), so a token seen
before that moment is worth nothing after it. ``last_seen_at`` is written at most once per
:data:`TOUCH_INTERVAL`, so a rerun usually only reads (the idle limit is then up to that
interval later, never earlier).

No Streamlit here: ``dashboard/components/auth.py`` and the routes in
``dashboard/server.py`` call these functions inside a ``store.db.session_scope``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import asdict, dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import audit
from ..errors import NotFound
from ..models import LoginSession, UserAccount, utcnow
from .account import Account, account_of
from .history import AccountEvent
from .policy import SESSION_IDLE_TIMEOUT, SESSION_MAX_AGE, session_end_reason

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 128  # a longer cookie value is not one of ours: not even looked up
HANDOFF_TTL = dt.timedelta(seconds=60)
TOUCH_INTERVAL = dt.timedelta(minutes=1)
SESSION_ENDED_BY_USER = "login session ended by its user"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _draw() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


@dataclass(frozen=True)
class SessionGrant:
    """A session just opened or rotated: its token (for this connection) and the one-time
    ticket the browser exchanges for the cookie."""

    session_id: int
    token: str
    ticket: str


@dataclass(frozen=True)
class SessionCheck:
    """A token looked up: the account when the session goes on, else why it ended
    (``None`` for a token that is unknown or not well formed: not a session at all)."""

    account: Account | None
    session_id: int | None = None
    started_at: dt.datetime | None = None
    ended: str | None = None
    notices: tuple[AccountEvent, ...] = ()  # to tell on this first page after the login (once)
    write_needed: bool = False  # looked up read-only, and it must be ended or touched: ask again to write

    @property
    def audit_key(self) -> str | None:
        """What audit lines carry of this session (``store.audit.session_key`` digests
        it): the same for every tab and reload of one login."""
        if self.session_id is None or self.started_at is None:
            return None
        return f"login-session-{self.session_id}-{self.started_at.isoformat()}"


@dataclass(frozen=True)
class ActiveSession:
    """One of the user's open sessions, as My account lists them."""

    id: int
    started_at: dt.datetime
    last_seen_at: dt.datetime
    device: str | None
    client_address: str | None


def _notices_text(notices: tuple[AccountEvent, ...]) -> str | None:
    if not notices:
        return None
    return json.dumps([{**asdict(n), "at": n.at.isoformat()} for n in notices])


def _notices(text: str | None) -> tuple[AccountEvent, ...]:
    if not text:
        return ()
    return tuple(AccountEvent(**{**item, "at": dt.datetime.fromisoformat(item["at"])}) for item in json.loads(text))


def open_session(session: Session, account_id: int, *, now: dt.datetime | None = None,
                 client_address: str | None = None, device: str | None = None,
                 notices: tuple[AccountEvent, ...] = ()) -> SessionGrant:
    """A new session for the account (after its password and, if set up, its code).
    ``notices`` (``AuthResult.notices``) are kept for the first page the browser opens
    with the cookie (:func:`check_session` hands them out once)."""
    now = now or utcnow()
    token, ticket = _draw(), _draw()
    row = LoginSession(token_digest=digest(token), account_id=account_id, created_at=now, last_seen_at=now,
                       valid_from=now, client_address=(client_address or None) and client_address[:64],
                       device=(device or None) and device[:64], handoff_digest=digest(ticket),
                       handoff_expires_at=now + HANDOFF_TTL, notices=_notices_text(notices))
    session.add(row)
    session.flush()
    return SessionGrant(row.id, token, ticket)


def _row(session: Session, token: str | None, *, lock: bool = False) -> LoginSession | None:
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    query = select(LoginSession).where(LoginSession.token_digest == digest(token))
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def redeem_ticket(session: Session, ticket: str | None, *, now: dt.datetime | None = None,
                  client_address: str | None = None) -> str | None:
    """The new token for the cookie, in exchange for a valid ticket (once, within
    :data:`HANDOFF_TTL`, for a session that goes on, asked from the client address the
    login came from); else None. The address binding is against a ticket lured from
    the person who logged in into someone else's browser (that browser would be
    logged in as them)."""
    now = now or utcnow()
    if not isinstance(ticket, str) or not ticket or len(ticket) > MAX_TOKEN_LENGTH:
        return None
    row = session.scalars(select(LoginSession).where(LoginSession.handoff_digest == digest(ticket))
                          .with_for_update()).first()
    if row is None:
        return None
    expires = row.handoff_expires_at
    row.handoff_digest = row.handoff_expires_at = None  # once, whatever follows
    if row.ended_at is not None or expires is None or now >= expires:
        return None
    if row.client_address is not None and client_address is not None and client_address[:64] != row.client_address:
        return None
    token = _draw()
    row.token_digest = digest(token)
    return token


def _end(row: LoginSession, now: dt.datetime, reason: str) -> None:
    if row.ended_at is None:
        row.ended_at, row.end_reason = now, reason
        row.handoff_digest = row.handoff_expires_at = None


def check_session(session: Session, token: str | None, *, now: dt.datetime | None = None,
                  readonly: bool = False) -> SessionCheck:
    """Whether ``token``'s session goes on (and the account as stored now). A session
    that has run out, whose password changed after it began or whose account is
    deactivated or gone is ended here, with its reason. ``readonly``: change nothing;
    where something must be written (an end, or ``last_seen_at``) the answer says
    ``write_needed`` and nothing else, and the caller asks again in a writing session."""
    now = now or utcnow()
    row = _row(session, token)
    if row is None:
        return SessionCheck(None)
    if row.ended_at is not None:
        return SessionCheck(None, row.id, row.created_at, ended=row.end_reason)
    user = session.get(UserAccount, row.account_id, populate_existing=True)
    reason = _end_reason(row, user, now)
    notices_due = row.notices is not None and row.handoff_digest is None  # the cookie is set
    if readonly and (reason is not None or notices_due or now - row.last_seen_at >= TOUCH_INTERVAL):
        return SessionCheck(None, row.id, row.created_at, write_needed=True)
    if reason is not None:
        _end(row, now, reason)
        return SessionCheck(None, row.id, row.created_at, ended=reason)
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        row.last_seen_at = now
    notices = ()
    if notices_due:
        notices, row.notices = _notices(row.notices), None
    return SessionCheck(account_of(user), row.id, row.created_at, notices=notices)


def _end_reason(row: LoginSession, user: UserAccount | None, now: dt.datetime) -> str | None:
    reason = session_end_reason(row.created_at, row.last_seen_at, now)
    if reason is None and (user is None or not user.active):
        reason = "account"
    if reason is None and user.password_changed_at is not None and user.password_changed_at > row.valid_from:
        reason = "password_changed"
    return reason


def session_language(session: Session, token: str | None) -> str | None:
    """The language of the account whose open session ``token`` names (for the page's
    ``lang`` attribute before the app has run), else None. Reads only."""
    row = _row(session, token)
    if row is None or row.ended_at is not None:
        return None
    return session.scalar(select(UserAccount.language).where(UserAccount.id == row.account_id,
                                                             UserAccount.active.is_(True)))


def session_status(session: Session, token: str | None, *, now: dt.datetime | None = None) -> str | None:
    """Why ``token``'s session is over (or would end on its next request), else None;
    reads only, and does not count as a request (the screen's watchdog)."""
    row = _row(session, token)
    if row is None:
        return "unknown"
    if row.ended_at is not None:
        return row.end_reason
    return _end_reason(row, session.get(UserAccount, row.account_id), now or utcnow())


def end_session(session: Session, token: str | None, *, now: dt.datetime | None = None,
                reason: str = "logout") -> None:
    """End ``token``'s session (logout): its cookie is worth nothing after this, in every tab."""
    row = _row(session, token, lock=True)
    if row is not None:
        _end(row, now or utcnow(), reason)


def rotate(session: Session, token: str | None, *, now: dt.datetime | None = None) -> SessionGrant | None:
    """A new token (and ticket) for ``token``'s session, which keeps its start; the old
    token is worth nothing after this. None when the session is not open."""
    now = now or utcnow()
    row = _row(session, token, lock=True)
    if row is None or row.ended_at is not None:
        return None
    new_token, ticket = _draw(), _draw()
    row.token_digest, row.handoff_digest = digest(new_token), digest(ticket)
    row.handoff_expires_at = now + HANDOFF_TTL
    return SessionGrant(row.id, new_token, ticket)


def renew_after_password_change(session: Session, token: str | None, changed_at: dt.datetime) -> None:
    """The user changed their own password in ``token``'s session: that session goes on,
    every other session of the account ends now."""
    row = _row(session, token, lock=True)
    if row is None:
        return
    row.valid_from = changed_at
    session.execute(update(LoginSession)
                    .where(LoginSession.account_id == row.account_id, LoginSession.id != row.id,
                           LoginSession.ended_at.is_(None))
                    .values(ended_at=changed_at, end_reason="password_changed",
                            handoff_digest=None, handoff_expires_at=None))


def active_sessions(session: Session, account_id: int, *, now: dt.datetime | None = None) -> list[ActiveSession]:
    """The account's open sessions, the most recently used first (My account)."""
    now = now or utcnow()
    rows = session.scalars(select(LoginSession)
                           .where(LoginSession.account_id == account_id, LoginSession.ended_at.is_(None),
                                  LoginSession.created_at > now - SESSION_MAX_AGE,
                                  LoginSession.last_seen_at > now - SESSION_IDLE_TIMEOUT - TOUCH_INTERVAL)
                           .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())).all()
    return [ActiveSession(r.id, r.created_at, r.last_seen_at, r.device, r.client_address) for r in rows
            if session_end_reason(r.created_at, r.last_seen_at, now) is None]


def end_own_session(session: Session, account_id: int, session_id: int, *, now: dt.datetime | None = None) -> None:
    """The user ends one of their own sessions (My account). Another account's session
    is not found, whoever asks (the id says nothing about it)."""
    row = session.get(LoginSession, session_id, with_for_update=True)
    if row is None or row.account_id != account_id:
        raise NotFound(f"no session {session_id} of this account")
    if row.ended_at is None:
        _end(row, now or utcnow(), "ended_by_user")
        audit.record(session, "change", actor=account_id, subject_type="user_account", subject_id=account_id,
                     detail=SESSION_ENDED_BY_USER)


def end_all_sessions(session: Session, account_id: int, *, now: dt.datetime | None = None,
                     reason: str = "account") -> int:
    """End every open session of the account (deactivation, erasure); how many."""
    result = session.execute(update(LoginSession)
                             .where(LoginSession.account_id == account_id, LoginSession.ended_at.is_(None))
                             .values(ended_at=now or utcnow(), end_reason=reason,
                                     handoff_digest=None, handoff_expires_at=None))
    return result.rowcount or 0
