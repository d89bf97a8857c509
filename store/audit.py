"""The access log (NEN 7513): one ``audit_event`` per access to personal data.

Each line records when, who (account and the role they acted in), on whose behalf, the
subject (type and id), what (action, detail), from where (the client address and a
digest of the session id, from :func:`access_context`) and the outcome (allowed or
refused). Lines never hold clinical or wellbeing content: ``detail`` names what was
accessed (e.g. "weekly load 2025-W01..2025-W12"), not its values.

What the store logs: every create/change of clinical or wellbeing data, every read of
one person's data by another person (a supervisor reading a therapist's load), and every
refused access (``authz_denied``). A therapist reading their own data is not logged.
Authentication, export and search events are written by those features with
:func:`record`. Within one session a read is logged once (the first time), not on every
rerun of a page: the same actor, action, subject and detail again is one access.

Tamper evidence: lines are appended, never changed. :func:`record` holds a line back
until its transaction commits; just before the commit the line is chained (``seq``, the
previous line's hash, its own hash over both) under a lock on the chain's head
(``audit_chain``), so concurrent writers on PostgreSQL chain one after the other. A
trigger refuses UPDATE and DELETE on ``audit_event`` (revision 0007) and
:func:`verify` (``python -m store audit verify``) names the first line that was changed,
removed or inserted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Iterator, NoReturn

from sqlalchemy import Connection, event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .errors import AccessDenied
from .models import AUDIT_ACTIONS, AUDIT_OUTCOMES, AuditChain, AuditEvent, UserAccount, utcnow

GENESIS = "0" * 64  # the "previous hash" of the first line
REFUSED_ACTIONS = ("authz_denied", "login_failure")
ONCE_PER_SESSION = ("read",)  # actions logged once per distinct access within a session
# The chained content of a line, in order (with seq, at and the previous hash first).
CHAINED_COLUMNS = ("actor_user_id", "actor_role", "on_behalf_of_user_id", "action", "subject_type", "subject_id",
                   "detail", "outcome", "session_key", "client_address")
_PENDING = "audit.pending"  # session.info: lines waiting for the commit
_SEEN = "audit.seen"  # session.info: (set, key) to remember once committed


# --- where an access comes from ----------------------------------------------------------

@dataclass
class AccessContext:
    """Where the accesses of this request come from: a digest of the session id (never
    the id itself) and the client's address. ``seen`` holds the reads already logged in
    this session; the caller keeps it for the session's lifetime.
    ``earlier_session_keys``: the digests of the login sessions this same browser tab
    had before (a logout, then a new login in the same tab); a login checks them
    (``store.accounts.login``: a temporary password is not for the admin's own tab)."""

    session_key: str | None = None
    client_address: str | None = None
    seen: set[tuple] = field(default_factory=set)
    earlier_session_keys: frozenset[str] = frozenset()


_CONTEXT: ContextVar[AccessContext | None] = ContextVar("draagkracht_access_context", default=None)


def session_key(session_id: str | None) -> str | None:
    """The digest of a session id that audit lines carry (16 hex characters)."""
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()[:16] if session_id else None


@contextmanager
def access_context(context: AccessContext | None) -> Iterator[AccessContext | None]:
    """While the block runs, audit lines carry ``context``'s session and address."""
    token = _CONTEXT.set(context)
    try:
        yield context
    finally:
        _CONTEXT.reset(token)


def current_context() -> AccessContext | None:
    return _CONTEXT.get()


# --- writing -----------------------------------------------------------------------------

def record(
    session: Session,
    action: str,
    *,
    actor: UserAccount | int | None,
    subject_type: str | None = None,
    subject_id: object = None,
    detail: str | None = None,
    on_behalf_of: UserAccount | int | None = None,
    outcome: str | None = None,
) -> AuditEvent | None:
    """Add an audit line to the session's transaction: it is chained and written when
    the transaction commits (so the log never claims something that was rolled back).
    None when this session has logged the same read already."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    outcome = outcome or ("refused" if action in REFUSED_ACTIONS else "allowed")
    if outcome not in AUDIT_OUTCOMES:
        raise ValueError(f"unknown audit outcome {outcome!r}")
    actor_id = _id(actor)
    context = _CONTEXT.get() or AccessContext()
    subject = None if subject_id is None else str(subject_id)
    key = (actor_id, action, subject_type, subject, detail)
    remember = action in ONCE_PER_SESSION and context.session_key is not None
    if remember:
        waiting = session.info.setdefault(_SEEN, [])
        if key in context.seen or any(s is context.seen and k == key for s, k in waiting):
            return None
        waiting.append((context.seen, key))
    line = AuditEvent(
        at=utcnow(),
        action=action,
        actor_user_id=actor_id,
        actor_role=_role(session, actor),
        on_behalf_of_user_id=_id(on_behalf_of) if on_behalf_of is not None else actor_id,
        subject_type=subject_type,
        subject_id=subject,
        detail=detail,
        outcome=outcome,
        session_key=context.session_key,
        client_address=context.client_address,
    )
    session.info.setdefault(_PENDING, []).append(line)
    return line


def line_digest(prev_hash: str, seq: int, at: dt.datetime, values) -> str:
    """SHA-256 over a line's chained content and the previous line's hash.
    (Revision 0007 chains the lines it found with this same digest, written out.)"""
    when = at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload = json.dumps([prev_hash, seq, when, *(getattr(values, c) for c in CHAINED_COLUMNS)],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@event.listens_for(Session, "before_commit")
def _chain_pending(session: Session) -> None:
    lines = session.info.pop(_PENDING, None)
    if not lines:
        return
    head = _locked_head(session)
    for line in lines:
        line.seq = head.last_seq + 1
        line.prev_hash = head.last_hash
        line.hash = line_digest(line.prev_hash, line.seq, line.at, line)
        session.add(line)
        head.last_seq, head.last_hash = line.seq, line.hash


def _locked_head(session: Session) -> AuditChain:
    """The chain's head, locked until the commit (PostgreSQL; on SQLite the write
    transaction holds the database's one write lock already). An empty log starts one;
    a log with chained lines and no head is damaged, and nothing more is written to it."""
    locked = select(AuditChain).where(AuditChain.id == 1).with_for_update()
    head = session.execute(locked).scalar_one_or_none()
    if head is not None:
        return head
    try:
        with session.begin_nested():  # two first writers: one starts the chain
            session.add(AuditChain(id=1, last_seq=0, last_hash=GENESIS))
    except IntegrityError:
        pass  # the other one did, and has committed it by now
    else:
        if session.scalar(select(AuditEvent.id).where(AuditEvent.seq.is_not(None)).limit(1)) is not None:
            raise RuntimeError("the audit log's chain head is missing: run `python -m store audit verify`")
    return session.execute(locked).scalar_one()


@event.listens_for(Session, "after_commit")
def _remember_seen(session: Session) -> None:
    for seen, key in session.info.pop(_SEEN, ()):
        seen.add(key)


@event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, previous_transaction) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_SEEN, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_uncommitted(session: Session, transaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended without its lines
        _forget_pending(session, transaction)


def latest_event_id(session: Session | Connection) -> int:
    """The id of the newest audit event (0 for none): a cheap stamp of "what changed".

    Every create, change or delete the store makes to a person's data records an event
    in the same transaction, so a cache of derived figures keyed on this stamp sees
    each committed change at once (and recomputes after other events too)."""
    return int(session.scalar(select(func.max(AuditEvent.id))) or 0)


def deny(
    session: Session,
    actor: UserAccount | int | None,
    reason: str,
    *,
    attempted: str,
    subject_type: str | None = None,
    subject_id: object = None,
) -> NoReturn:
    """Refuse an access: roll back the session's transaction, commit an
    ``authz_denied`` event in a transaction of its own, raise :class:`AccessDenied`.

    The refused unit of work is abandoned as a whole; the denial itself is durable
    whatever the caller does with the exception. (A separate connection is no option:
    on SQLite the session may hold the write lock.)
    """
    session.rollback()
    _forget_pending(session, None)
    record(
        session, "authz_denied", actor=actor, subject_type=subject_type,
        subject_id=subject_id, detail=f"{attempted}: {reason}",
    )
    session.commit()
    raise AccessDenied(reason)


# --- checking ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ChainCheck:
    """The outcome of :func:`verify`: ``lines`` checked; ``broken_at`` the first line
    (its id, or None for the head) that does not hold, with the ``reason``."""

    lines: int
    broken_at: int | None = None
    broken_seq: int | None = None
    reason: str | None = None  # "changed", "missing_before", "not_chained", "end_cut"

    @property
    def intact(self) -> bool:
        return self.reason is None


def verify(session: Session, *, batch: int = 5000) -> ChainCheck:
    """Walk the chain from its first line: each line's hash must be its content's, its
    ``prev_hash`` the line before's, its ``seq`` one more; the last line must be the
    head's. Lines never chained (``seq`` NULL) are named too."""
    loose = session.scalar(select(func.min(AuditEvent.id)).where(AuditEvent.seq.is_(None)))
    prev, expected, checked = GENESIS, 1, 0
    stmt = select(AuditEvent).where(AuditEvent.seq.is_not(None)).order_by(AuditEvent.seq)
    for line in session.scalars(stmt.execution_options(yield_per=batch)):
        if line.seq != expected:
            return ChainCheck(checked, line.id, line.seq, "missing_before")
        if line.prev_hash != prev or line.hash != line_digest(prev, line.seq, line.at, line):
            return ChainCheck(checked, line.id, line.seq, "changed")
        prev, expected, checked = line.hash, expected + 1, checked + 1
    if loose is not None:
        return ChainCheck(checked, int(loose), None, "not_chained")
    head = session.get(AuditChain, 1)
    if (head.last_seq if head else 0) != expected - 1 or (head.last_hash if head else GENESIS) != prev:
        return ChainCheck(checked, None, expected, "end_cut")
    return ChainCheck(checked)


def _id(user: UserAccount | int | None) -> int | None:
    if user is None or isinstance(user, int):
        return user
    return user.id


def _role(session: Session, user: UserAccount | int | None) -> str | None:
    if user is None:
        return None
    if isinstance(user, int):
        found = session.get(UserAccount, user)
        return found.role if found is not None else None
    return getattr(user, "role", None)
