"""Erasing a leaver (issue 12): an admin removes the data of an account that has been
deactivated, when the person has left the practice.

For a therapist: their cases (with ratings, rescoring history and sessions), check-ins,
goals, report shares, research consent, team history, therapist record and account,
as a therapist erasing their own data would (``store.privacy.erase_my_data``). For a
supervisor, researcher or admin: the account (a supervisor's team links and the shares
made with them go with it). The admin never sees any of it. Audit lines stay: they are
the record of who saw what and hold no content (``store.retention``).

Only a deactivated account (deactivate first: the person can no longer log in), never
one's own, and the admin types the username to confirm. Logged.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from data_schema.problems import Problem

from . import audit
from .access import Acting, require_role
from .errors import InvalidInput, NotFound, Refused
from .models import Case, Therapist, UserAccount


def erase_leaver(session: Session, user: Acting, user_id: int, confirmation: str) -> None:
    acting = require_role(session, user, "admin", "erase_leaver", "erasing accounts is for admins",
                          subject_type="user_account", subject_id=user_id)
    target = session.get(UserAccount, user_id)
    if target is None:
        raise NotFound(f"no user account {user_id}")
    if target.id == acting.id:
        raise Refused("refused.own_erasure")
    if target.active:
        raise Refused("refused.erase_active", username=target.username)
    if (confirmation or "").strip() != target.username:
        raise InvalidInput([Problem.make("leaver_confirmation", None, "confirmation")])
    username, tid = target.username, target.therapist_id
    if tid is not None:
        session.execute(delete(Case).where(Case.therapist_id == tid))  # ratings and sessions cascade
    session.execute(delete(UserAccount).where(UserAccount.id == user_id))
    if tid is not None:
        session.execute(delete(Therapist).where(Therapist.id == tid))  # check-ins, goals, shares, consent cascade
    audit.record(session, "delete", actor=acting, subject_type="user_account", subject_id=user_id,
                 detail=f"leaver {username} erased by an admin" + (f" (therapist {tid})" if tid is not None else ""))
    session.flush()
    session.expunge_all()


__all__ = ["erase_leaver"]
