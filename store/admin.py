"""What an admin does: other people's accounts (list, activate, deactivate, unlock, a
temporary password, reset a lost second factor, edit a therapist's fields, change a
role); the audit log is read through ``store.audit_log``. No clinical or wellbeing
content.

Every function here is for the admin role only (anyone else is refused and audited). An
admin acts on other accounts: deactivating their own account, giving it a temporary
password, resetting its second factor or changing its role is refused
(:class:`store.Refused`), whatever page or script asks.

**The last active admin** can never be deactivated or given another role
(``refused.last_admin``): the active admin accounts are locked (``FOR UPDATE``) and
counted in the same transaction, so two admins deactivating each other at the same
moment cannot leave the practice without one.

**A role change** never shows a person's wellbeing data to anyone else:

- a therapist account holds its therapist (cases, check-ins, goals, shares, consent):
  while that therapist has any such rows, its role cannot change
  (``refused.therapist_has_data``: deactivate it and make a new account instead); a
  therapist without any becomes inactive and is unlinked for good (never linked to an
  account again);
- an account that becomes a therapist gets a new, empty therapist (its fields as for a
  new account), never an existing one;
- a supervisor that becomes another role stops supervising their teams (the links are
  removed; reports shared with them open for a supervisor only).

Every change writes one audit line on the account (``store.accounts.history`` reads them
back for its owner, who is told at their next login).
"""

from __future__ import annotations

import datetime as dt
import secrets

import pandas as pd
from sqlalchemy import delete, literal, select
from sqlalchemy.orm import Session

from data_schema import fields as F

from . import audit
from .access import Acting, require_role
from .accounts import history
from .accounts.manage import replace_password
from .accounts.passwords import password_problems
from .accounts.policy import TEMPORARY_PASSWORD_BYTES
from .accounts.throttle import throttle_for
from .errors import InvalidInput, NotFound, Refused
from .models import Base, SupervisorTeam, Therapist, UserAccount, utcnow
from .practice import therapist_fields
from .validation import checked

KEEP = object()  # edit_account: leave this field as it is
EDITABLE = ("display_name", "team_id", "experience", "contracted_sessions")  # a therapist account's fields


def _admin(session: Session, user: Acting, attempted: str, refusal: str = "for admins only",
           target_id: int | None = None) -> UserAccount:
    return require_role(session, user, "admin", attempted, refusal, subject_type="user_account",
                        subject_id=target_id)


def _admin_and_target(session: Session, user: Acting, user_id: int, attempted: str,
                      refusal: str) -> tuple[UserAccount, UserAccount]:
    """The acting admin and the account they act on; anyone else is refused (and
    audited), an unknown account is NotFound."""
    acting = _admin(session, user, attempted, refusal, user_id)
    target = session.get(UserAccount, user_id, populate_existing=True)
    if target is None:
        raise NotFound(f"no user account {user_id}")
    return acting, target


def accounts(session: Session, user: Acting) -> pd.DataFrame:
    """Every account: id, username, role, language, active, second factor set up,
    locked now, last login."""
    _admin(session, user, "list_accounts")
    now = utcnow()
    rows = session.scalars(select(UserAccount).order_by(UserAccount.role, UserAccount.username)).all()
    return pd.DataFrame({
        "user_id": [u.id for u in rows],
        "username": [u.username for u in rows],
        "role": [u.role for u in rows],
        "language": [u.language for u in rows],
        "active": [bool(u.active) for u in rows],
        "totp": [u.totp_secret is not None for u in rows],
        "locked": [u.locked_until is not None and u.locked_until > now for u in rows],
        "last_login_at": [u.last_login_at for u in rows],
    })


def set_user_active(session: Session, user: Acting, user_id: int, active: bool) -> None:
    """An admin (de)activates an account; a deactivated account's sessions end at once."""
    acting, target = _admin_and_target(session, user, user_id, "set_user_active",
                                       "only an admin can (de)activate accounts")
    if target.id == acting.id and not active:
        raise Refused("refused.own_deactivation")
    if not active:
        keep_an_active_admin(session, target)
    target.active = bool(active)
    audit.record(session, "change", actor=acting, subject_type="user_account", subject_id=user_id,
                 detail=history.ACTIVATED if active else history.DEACTIVATED)


def keep_an_active_admin(session: Session, target: UserAccount) -> None:
    """Refuse (``refused.last_admin``) when ``target`` is the last active admin, before
    it is deactivated or given another role. The active admins are locked until the
    commit, so concurrent changes are counted one after the other."""
    if target.role != "admin" or not target.active:
        return
    admins = session.scalars(select(UserAccount.id).where(UserAccount.role == "admin", UserAccount.active.is_(True))
                             .with_for_update()).all()
    if not set(admins) - {target.id}:
        raise Refused("refused.last_admin", username=target.username)


def unlock(session: Session, user: Acting, user_id: int) -> None:
    """Clear an account's failed-login count and lift its waits and locks, from every
    address (``store.accounts.throttle``: in this app process)."""
    acting, target = _admin_and_target(session, user, user_id, "unlock_account", "for admins only")
    target.failed_logins = 0
    target.locked_until = None
    throttle_for(session).forget(target.username)
    audit.record(session, "change", actor=acting, subject_type="user_account", subject_id=user_id,
                 detail=history.UNLOCKED)


def issue_temporary_password(session: Session, user: Acting, user_id: int, *,
                             now: dt.datetime | None = None) -> str:
    """An admin gives an account a new random password, to pass on to its user once
    (e.g. an account imported without a password, or a forgotten password). Returns
    it; only its hash is stored. The user must choose their own at the next login
    (``Account.password_change_required``); the account's open sessions end and any
    lock is lifted."""
    now = now or utcnow()
    acting, target = _admin_and_target(session, user, user_id, "issue_temporary_password",
                                       "only an admin gives temporary passwords")
    if target.id == acting.id:
        raise Refused("refused.own_temporary_password")
    password = secrets.token_urlsafe(TEMPORARY_PASSWORD_BYTES)
    while password_problems(password, username=target.username):  # e.g. it begins with the username
        password = secrets.token_urlsafe(TEMPORARY_PASSWORD_BYTES)
    replace_password(target, password, now, must_change=True)
    audit.record(session, "change", actor=acting, subject_type="user_account", subject_id=user_id,
                 detail=history.TEMPORARY_PASSWORD)  # the login rules read where it was given
    return password


def reset_second_factor(session: Session, user: Acting, user_id: int) -> None:
    """A user lost their second factor (a new phone): an admin clears it. At their next
    login the user must set it up again, whatever their role
    (``Account.totp_setup_required``), before they get any other page."""
    acting, target = _admin_and_target(session, user, user_id, "reset_second_factor",
                                       "only an admin resets a second factor")
    if target.id == acting.id:
        raise Refused("refused.own_second_factor_reset")
    if target.totp_secret is None:
        raise Refused("refused.no_second_factor", username=target.username)
    target.totp_secret = None
    target.totp_pending_secret = None
    target.totp_last_counter = None
    audit.record(session, "change", actor=acting, subject_type="user_account", subject_id=user_id,
                 detail=history.TOTP_RESET)


def therapist_of(session: Session, user: Acting, user_id: int) -> dict | None:
    """A therapist account's editable fields (:data:`EDITABLE`); None for another role."""
    _, target = _admin_and_target(session, user, user_id, "read_account", "for admins only")
    therapist = session.get(Therapist, target.therapist_id) if target.therapist_id is not None else None
    return None if therapist is None else {name: getattr(therapist, name) for name in EDITABLE}


def edit_account(session: Session, user: Acting, user_id: int, *, display_name=KEEP, team_id=KEEP, experience=KEEP,
                 contracted_sessions=KEEP) -> list[str]:
    """Change a therapist account's fields (those given; :data:`KEEP` leaves one as it
    is), checked as for a new account: every problem names its field
    (:class:`store.InvalidInput`). Returns the names of the fields that changed (none:
    nothing is written). Another role's account has no such fields (``Refused``)."""
    acting, target = _admin_and_target(session, user, user_id, "edit_account", "only an admin edits accounts")
    if target.therapist_id is None:
        raise Refused("refused.not_a_therapist_account", username=target.username)
    therapist = session.get(Therapist, target.therapist_id)
    given = dict(display_name=display_name, team_id=team_id, experience=experience,
                 contracted_sessions=contracted_sessions)
    wanted = {name: getattr(therapist, name) if value is KEEP else value for name, value in given.items()}
    record, problems = therapist_fields(session, **wanted, started_on=therapist.started_on)
    if problems:
        raise InvalidInput(problems)
    new = {name: wanted["team_id"] if name == "team_id" else getattr(record, name) for name in EDITABLE}
    changed = [name for name in EDITABLE if getattr(therapist, name) != new[name]]
    for name in changed:
        setattr(therapist, name, new[name])
    if changed:
        audit.record(session, "change", actor=acting, subject_type="user_account", subject_id=user_id,
                     detail=history.EDITED.format(fields=", ".join(changed)))
    return changed


def _therapist_data(session: Session, therapist_id: int) -> list[str]:
    """The tables with rows of this therapist (cases, check-ins, shares, ...). The
    therapist is locked first: a row being added for them waits for this transaction."""
    session.get(Therapist, therapist_id, with_for_update=True)
    found = []
    for table in Base.metadata.sorted_tables:
        column = next((fk.parent for fk in table.foreign_keys if fk.column.table.name == Therapist.__tablename__), None)
        if column is not None and table.name != UserAccount.__tablename__ and session.execute(
                select(literal(1)).select_from(table).where(column == therapist_id).limit(1)).first():
            found.append(table.name)
    return found


def change_role(session: Session, user: Acting, user_id: int, role: str, *, display_name: str | None = None,
                team_id: int | None = None, experience: str | None = None,
                contracted_sessions: int | None = None) -> bool:
    """Give an account another role (see the module text for what that means for a
    therapist's data and a supervisor's teams). To therapist: the therapist's fields
    are required, as for a new account. Returns False when it has that role already."""
    acting, target = _admin_and_target(session, user, user_id, "change_role", "only an admin changes roles")
    role = checked(F.ROLE, role, "role")
    old = target.role
    if role == old:
        return False
    if target.id == acting.id:
        raise Refused("refused.own_role_change")
    keep_an_active_admin(session, target)
    new_therapist = None
    if role == "therapist":
        new_therapist, problems = therapist_fields(session, display_name=display_name, team_id=team_id,
                                                   experience=experience, contracted_sessions=contracted_sessions)
        if problems:
            raise InvalidInput(problems)
    if old == "therapist" and _therapist_data(session, target.therapist_id):
        raise Refused("refused.therapist_has_data", username=target.username)
    notes = [history.ROLE_CHANGED.format(old=old, new=role)]
    if old == "supervisor":
        ended = session.execute(delete(SupervisorTeam).where(SupervisorTeam.user_id == target.id)).rowcount
        if ended:
            notes.append(f"supervision of {ended} team(s) ended")
    therapist_id = None
    if new_therapist is not None:
        row = Therapist(display_name=new_therapist.display_name, team_id=team_id,
                        experience=new_therapist.experience, contracted_sessions=new_therapist.contracted_sessions)
        session.add(row)
        session.flush()
        therapist_id = row.id
    with session.no_autoflush:  # the role and the therapist link change together (a check constraint)
        if old == "therapist":
            session.get(Therapist, target.therapist_id).active = False
        target.therapist_id = therapist_id
        target.role = role
    session.flush()
    audit.record(session, "change", actor=acting, subject_type="user_account", subject_id=user_id,
                 detail="; ".join(notes))
    return True


__all__ = ["EDITABLE", "KEEP", "accounts", "change_role", "edit_account", "issue_temporary_password",
           "keep_an_active_admin", "reset_second_factor", "set_user_active", "therapist_of", "unlock"]
