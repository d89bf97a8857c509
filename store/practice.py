"""The practice's structure as an admin builds it in the app: teams, which supervisor
supervises which team, and new accounts (a therapist with their team, experience and
contracted sessions; a supervisor; a researcher; an admin).

For the admin role only (anyone else is refused and audited). A new account has no
password: it cannot log in until an admin gives it a temporary password
(``store.admin.issue_temporary_password``), which its user replaces at the first login,
as with accounts from an import. Every write is validated by data_schema's records and
against what is stored, lists every problem at once (:class:`store.InvalidInput`) and
writes nothing then; each change writes one audit event in the same transaction.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from data_schema import records
from data_schema.problems import Problem

from . import audit
from .access import Acting, require_role
from .accounts.account import normalize_username
from .errors import InvalidInput, NotFound
from .models import SupervisorTeam, Team, Therapist, UserAccount
from .validation import validated


def _admin(session: Session, user: Acting, attempted: str, **subject: object) -> UserAccount:
    return require_role(session, user, "admin", attempted, "the practice's structure is for admins", **subject)


def team_key(name: str) -> str:
    """A team name as it is compared: spaces collapsed, case ignored ("Team  noord" is
    "Team Noord"); the importer and the admin use the same rule."""
    return " ".join(str(name).split()).casefold()


def _team_name_problems(session: Session, name: str, *, other_than: int | None = None) -> tuple[str, list[Problem]]:
    """The name as stored (spaces tidied) and what is wrong with it (a practice has a
    handful of teams: they are compared in Python, by :func:`team_key`)."""
    tidy = " ".join(str(name or "").split())
    try:
        validated(records.Team, {"name": tidy})
    except InvalidInput as exc:
        return tidy, exc.problems
    if any(team_key(t.name) == team_key(tidy) and t.id != other_than for t in session.scalars(select(Team))):
        return tidy, [Problem.make("team_exists", None, "name", value=tidy)]
    return tidy, []


def teams(session: Session, user: Acting) -> pd.DataFrame:
    """Every team: ``team_id``, ``name``, ``therapists`` (active ones in it) and
    ``supervisors`` (their usernames, sorted)."""
    _admin(session, user, "list_teams")
    rows = session.scalars(select(Team).order_by(Team.name)).all()
    members = dict(session.execute(select(Therapist.team_id, func.count()).where(Therapist.active.is_(True))
                                   .group_by(Therapist.team_id)).all())
    supervisors: dict[int, list[str]] = {}
    for team_id, username in session.execute(select(SupervisorTeam.team_id, UserAccount.username)
                                             .join(UserAccount, UserAccount.id == SupervisorTeam.user_id)
                                             .order_by(UserAccount.username)):
        supervisors.setdefault(team_id, []).append(username)
    return pd.DataFrame({
        "team_id": [t.id for t in rows], "name": [t.name for t in rows],
        "therapists": [int(members.get(t.id, 0)) for t in rows],
        "supervisors": [", ".join(supervisors.get(t.id, [])) for t in rows],
    })


def create_team(session: Session, user: Acting, name: str) -> int:
    """A new team; its name (1-100 characters) must differ from every other team's."""
    acting = _admin(session, user, "create_team")
    tidy, problems = _team_name_problems(session, name)
    if problems:
        raise InvalidInput(problems)
    team = Team(name=tidy)
    session.add(team)
    session.flush()
    audit.record(session, "create", actor=acting, subject_type="team", subject_id=team.id, detail=f"team {tidy!r}")
    return team.id


def rename_team(session: Session, user: Acting, team_id: int, name: str) -> None:
    acting = _admin(session, user, "rename_team", subject_type="team", subject_id=team_id)
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(f"no team {team_id}")
    tidy, problems = _team_name_problems(session, name, other_than=team_id)
    if problems:
        raise InvalidInput(problems)
    if tidy != team.name:
        audit.record(session, "change", actor=acting, subject_type="team", subject_id=team_id,
                     detail=f"renamed from {team.name!r} to {tidy!r}")
        team.name = tidy
        session.flush()


def _supervisor_and_team(session: Session, supervisor_user_id: int, team_id: int) -> list[Problem]:
    problems = []
    account = session.get(UserAccount, supervisor_user_id)
    if account is None or account.role != "supervisor":
        problems.append(Problem.make("not_a_supervisor", None, "supervisor_user_id", value=supervisor_user_id))
    if session.get(Team, team_id) is None:
        problems.append(Problem.make("unknown_team", None, "team_id", value=team_id))
    return problems


def assign_supervisor(session: Session, user: Acting, supervisor_user_id: int, team_id: int) -> bool:
    """Let a supervisor account supervise a team (a team may have several supervisors,
    a supervisor several teams). Returns False when it already did (nothing written)."""
    acting = _admin(session, user, "assign_supervisor", subject_type="team", subject_id=team_id)
    problems = _supervisor_and_team(session, supervisor_user_id, team_id)
    if problems:
        raise InvalidInput(problems)
    link = SupervisorTeam(user_id=supervisor_user_id, team_id=team_id)
    if session.get(SupervisorTeam, (supervisor_user_id, team_id)) is not None:
        return False
    session.add(link)
    session.flush()
    audit.record(session, "change", actor=acting, subject_type="team", subject_id=team_id,
                 detail=f"supervisor {supervisor_user_id} assigned")
    return True


def remove_supervisor(session: Session, user: Acting, supervisor_user_id: int, team_id: int) -> bool:
    """End a supervisor's access to a team's figures. Returns False when there was none."""
    acting = _admin(session, user, "remove_supervisor", subject_type="team", subject_id=team_id)
    link = session.get(SupervisorTeam, (supervisor_user_id, team_id))
    if link is None:
        return False
    session.delete(link)
    session.flush()
    audit.record(session, "change", actor=acting, subject_type="team", subject_id=team_id,
                 detail=f"supervisor {supervisor_user_id} removed")
    return True


def therapist_fields(session: Session, *, display_name: str | None, team_id: int | None, experience: str | None,
                     contracted_sessions: int | None, started_on: dt.date | None = None,
                     ) -> tuple[records.Therapist | None, list[Problem]]:
    """A therapist's fields as an admin enters them (a new account, an edit, a role
    change to therapist), checked by data_schema's ``Therapist`` record and against the
    stored teams: the record, or None and every problem (each naming its field)."""
    problems: list[Problem] = []
    therapist = None
    try:
        therapist = validated(records.Therapist, {
            "username": "x" * 3, "display_name": display_name, "team": None, "experience": experience,
            "contracted_sessions": contracted_sessions, "started_on": started_on})
    except InvalidInput as exc:
        problems += [p for p in exc.problems if p.column != "username"]
    if team_id is not None and session.get(Team, team_id) is None:
        problems.append(Problem.make("unknown_team", None, "team_id", value=team_id))
    return (None if problems else therapist), problems


def create_account(
    session: Session,
    user: Acting,
    *,
    username: str,
    role: str,
    language: str = "nl",
    display_name: str | None = None,
    team_id: int | None = None,
    experience: str | None = None,
    contracted_sessions: int | None = None,
    started_on: dt.date | None = None,
) -> int:
    """A new account without a password (see the module text); a therapist's account
    comes with the therapist: display name, team (optional), ``starting`` or
    ``experienced`` and contracted sessions per week. Returns the account's id."""
    acting = _admin(session, user, "create_account")
    name = normalize_username(username or "")
    problems: list[Problem] = []
    try:  # a therapist account's therapist is made below, once everything is valid
        validated(records.UserAccount, {"username": name, "role": role, "language": language,
                                        "therapist_id": 1 if role == "therapist" else None})
    except InvalidInput as exc:
        problems += exc.problems
    therapist = None
    if role == "therapist":
        therapist, wrong = therapist_fields(session, display_name=display_name, team_id=team_id,
                                            experience=experience, contracted_sessions=contracted_sessions,
                                            started_on=started_on)
        problems += wrong
    if "username" not in {p.column for p in problems} and session.scalar(
            select(exists().where(UserAccount.username == name))):
        problems.append(Problem.make("username_taken", None, "username", value=name))
    if problems:
        raise InvalidInput(problems)
    therapist_id = None
    if therapist is not None:
        row = Therapist(display_name=therapist.display_name, team_id=team_id, experience=therapist.experience,
                        contracted_sessions=therapist.contracted_sessions, started_on=therapist.started_on)
        session.add(row)
        session.flush()
        therapist_id = row.id
    account = UserAccount(username=name, password_hash=None, role=role, language=language,
                          therapist_id=therapist_id)
    session.add(account)
    session.flush()
    audit.record(session, "create", actor=acting, subject_type="user_account", subject_id=account.id,
                 detail=f"account {name!r} ({role}) without a password")
    return account.id


__all__ = ["assign_supervisor", "create_account", "create_team", "remove_supervisor", "rename_team", "team_key",
           "teams", "therapist_fields"]
