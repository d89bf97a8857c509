"""``python -m store create-admin --username U``: the first admin of a fresh installation.

The password is asked twice at the terminal (not echoed), or read as one line from
standard input with ``--password-stdin`` (for scripts: ``printf '%s\\n' "$PW" | python -m
store create-admin --username beheer --password-stdin``). The database is migrated to
the newest revision first. Refuses when an active admin exists, unless ``--force``.
Exits 2 with a message on bad input (weak password, taken or malformed username,
passwords that differ), never with a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy.exc import SQLAlchemyError


class _Refused(Exception):
    pass


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--username", required=True, help="the admin's username (3-64 characters)")
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password as one line from standard input (for scripts)")
    parser.add_argument("--language", choices=("nl", "en"), default="nl",
                        help="the admin's dashboard language (default nl)")
    parser.add_argument("--force", action="store_true",
                        help="create the account even though an admin exists already")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise _Refused("no password on standard input")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise _Refused("no terminal to ask the password at; use --password-stdin")
    try:
        first = getpass.getpass("Password: ")
        second = getpass.getpass("Password (again): ")
    except (EOFError, KeyboardInterrupt):
        raise _Refused("cancelled") from None
    if first != second:
        raise _Refused("the two passwords differ")
    return first


def run(args: argparse.Namespace) -> int:
    from store.accounts import AccountInputError, admin_exists, create_user, problem_text
    from store.accounts import normalize_username, password_problems
    from store.db import session_scope, upgrade

    try:
        password = _read_password(args.password_stdin)
        problems = password_problems(password, username=normalize_username(args.username))
        if problems:  # before touching the database
            raise _Refused("; ".join(problem_text(k) for k in problems))
        upgrade()
        with session_scope() as session:
            if admin_exists(session) and not args.force:
                raise _Refused("an admin account exists already (use --force to add another)")
            user = create_user(session, username=args.username, password=password,
                               role="admin", language=args.language)
            name = user.username
    except _Refused as exc:
        print(f"create-admin: {exc}", file=sys.stderr)
        return 2
    except AccountInputError as exc:
        print("create-admin: " + "; ".join(exc.problems), file=sys.stderr)
        return 2
    except (SQLAlchemyError, ValueError) as exc:
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(f"create-admin: database error: {first_line}", file=sys.stderr)
        return 2
    print(f"admin account {name!r} created")
    return 0
