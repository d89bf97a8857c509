"""The demo's logins: which accounts :func:`store.demo.build_demo` creates, which of
them a database still has with their demo password, and a table of them to print in
the reader's language (catalog keys ``cli.demo.logins.*`` and ``cli.demo.note.*``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import Engine, select

from data_schema.i18n import Text, plural, translate

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
    note: Text | None = None  # who this is, rendered in the reader's language


def demo_logins(therapists: int = DEFAULT_THERAPISTS) -> tuple[DemoLogin, ...]:
    """The logins :func:`store.demo.build_demo` creates for ``therapists`` therapists."""
    out = []
    drifter = drifter_index(therapists)
    for i, spec in enumerate(therapist_specs(therapists)):
        if spec.starting:
            note = Text("cli.demo.note.starting", name=spec.name)
        else:
            note = Text("cli.demo.note.experienced", name=spec.name)
        if i == drifter:
            note = Text("cli.demo.note.drifting", note=note, weeks=DRIFT_WEEKS)
        out.append(DemoLogin(spec.username, "therapist", DEMO_PASSWORDS["therapist"], note))
    out.append(DemoLogin(SUPERVISOR_USERNAME, "supervisor", DEMO_PASSWORDS["supervisor"],
                         Text("cli.demo.note.supervisor")))
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


def format_logins(logins: Iterable[DemoLogin], lang: str, shown_therapists: int = 8) -> str:
    """The logins as an aligned table in ``lang`` (the first ``shown_therapists``
    therapist accounts, then a count of the others)."""
    logins = list(logins)
    hidden = [login for login in logins if login.role == "therapist"][shown_therapists:]
    hidden_names = {login.username for login in hidden}
    headings = (translate(lang, "cli.demo.logins.username"), translate(lang, "cli.demo.logins.role"),
                translate(lang, "cli.demo.logins.password"), translate(lang, "cli.demo.logins.note"))
    rows = [headings] + [(login.username, login.role, login.password, login.note.render(lang) if login.note else "")
                         for login in logins if login.username not in hidden_names]
    widths = [max(len(row[column]) for row in rows) for column in range(len(headings) - 1)]
    lines = [translate(lang, "cli.demo.logins.title")]
    lines += ["  " + "  ".join([*(cell.ljust(width) for cell, width in zip(row, widths)), row[-1]]).rstrip()
              for row in rows]
    if hidden:
        lines.append("  " + plural(lang, "cli.demo.logins.more", len(hidden), first=hidden[0].username,
                                   last=hidden[-1].username, password=DEMO_PASSWORDS["therapist"]))
    return "\n".join(lines)
