"""The demo's logins: which accounts :func:`store.demo.build_demo` creates, which of
them a database still has with their demo password, and a table of them to print."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import Engine, select

from ..accounts.passwords import verify_password
from ..db import session_scope
from ..models import UserAccount
from .parameters import DEFAULT_THERAPISTS, DRIFT_WEEKS
from .people import (
    ADMIN_USERNAME, DEMO_PASSWORDS, RESEARCHER_USERNAME, SUPERVISOR_USERNAME, drifter_index, therapist_specs,
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    password: str
    note: str = ""


def demo_logins(therapists: int = DEFAULT_THERAPISTS) -> tuple[DemoLogin, ...]:
    """The logins :func:`store.demo.build_demo` creates for ``therapists`` therapists."""
    out = []
    drifter = drifter_index(therapists)
    for i, spec in enumerate(therapist_specs(therapists)):
        note = f"{spec.name}, {'starting' if spec.starting else 'experienced'}"
        if i == drifter:
            note += f", drifting into overload (last {DRIFT_WEEKS} weeks)"
        out.append(DemoLogin(spec.username, "therapist", DEMO_PASSWORDS["therapist"], note))
    out.append(DemoLogin(SUPERVISOR_USERNAME, "supervisor", DEMO_PASSWORDS["supervisor"], "supervises every team"))
    out.append(DemoLogin(RESEARCHER_USERNAME, "researcher", DEMO_PASSWORDS["researcher"]))
    out.append(DemoLogin(ADMIN_USERNAME, "admin", DEMO_PASSWORDS["admin"]))
    return tuple(out)


def present_demo_logins(engine: Engine) -> list[DemoLogin]:
    """The default demo logins that exist in the database with their demo password
    (each distinct hash is verified once)."""
    wanted = {login.username: login for login in demo_logins()}
    with session_scope(engine, readonly=True) as session:
        rows = session.execute(
            select(UserAccount.username, UserAccount.role, UserAccount.password_hash)
            .where(UserAccount.username.in_(list(wanted)))
        ).all()
    verified: dict[tuple[str, str], bool] = {}
    out = []
    for username, role, password_hash in rows:
        login = wanted[username]
        if role != login.role or not password_hash:
            continue
        key = (password_hash, login.password)
        if key not in verified:
            verified[key] = verify_password(password_hash, login.password)
        if verified[key]:
            out.append(login)
    order = list(wanted)
    return sorted(out, key=lambda login: order.index(login.username))


def format_logins(logins: Iterable[DemoLogin], shown_therapists: int = 8) -> str:
    """The logins as an aligned table (the first ``shown_therapists`` therapist accounts,
    then a count of the others)."""
    logins = list(logins)
    therapists = [x for x in logins if x.role == "therapist"]
    hidden = therapists[shown_therapists:]
    hidden_names = {x.username for x in hidden}
    shown = [x for x in logins if x.username not in hidden_names]
    width = max([len("username")] + [len(x.username) for x in shown])
    lines = ["Demo logins (demo passwords: never use them for real data):",
             f"  {'username':<{width}}  {'role':<10}  {'password':<22}  note"]
    lines += [f"  {x.username:<{width}}  {x.role:<10}  {x.password:<22}  {x.note}".rstrip() for x in shown]
    if hidden:
        lines.append(f"  ... and {len(hidden)} more therapist accounts ({hidden[0].username} .. "
                     f"{hidden[-1].username}), password {DEMO_PASSWORDS['therapist']}")
    return "\n".join(lines)
