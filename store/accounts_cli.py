"""``python -m store create-admin --username U``: the first admin of a fresh installation;
``python -m store set-password --username U``: set an account's password (e.g. the only
admin forgot theirs; other users get a temporary password from an admin in the
dashboard). The account's open sessions end and a lock is lifted.

The password is asked twice at the terminal (not echoed), or read as one line from
standard input with ``--password-stdin`` (for scripts: ``printf '%s\\n' "$PW" | python -m
store create-admin --username beheer --password-stdin``). The database is migrated to
the newest revision first. ``create-admin`` refuses when an active admin exists, unless
``--force``. Exits 2 with a message on bad input (weak password, taken, unknown or
malformed username, passwords that differ), never with a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy.exc import SQLAlchemyError

from complexity import LANGUAGES


class _Refused(Exception):
    pass


def add_arguments_for(name: str, parser: argparse.ArgumentParser) -> None:
    if name == "set-password":
        parser.add_argument("--username", required=True, help="the account's username")
    else:
        parser.add_argument("--username", required=True, help="the admin's username (3-64 characters)")
        parser.add_argument("--language", choices=LANGUAGES, default="nl",
                            help="the admin's dashboard language (default nl)")
        parser.add_argument("--force", action="store_true",
                            help="create the account even though an admin exists already")
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password as one line from standard input (for scripts)")


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
    from store.accounts import normalize_username, password_problems, set_password
    from store.db import session_scope, upgrade
    from store.errors import NotFound

    command = args.command
    try:
        password = _read_password(args.password_stdin)
        problems = password_problems(password, username=normalize_username(args.username))
        if problems:  # before touching the database
            raise _Refused("; ".join(problem_text(k) for k in problems))
        upgrade()
        with session_scope() as session:
            if command == "set-password":
                name = set_password(session, args.username, password).username
                done = f"password of {name!r} set; its open sessions end"
            else:
                if admin_exists(session) and not args.force:
                    raise _Refused("an admin account exists already (use --force to add another)")
                name = create_user(session, username=args.username, password=password,
                                   role="admin", language=args.language).username
                done = f"admin account {name!r} created"
    except _Refused as exc:
        print(f"{command}: {exc}", file=sys.stderr)
        return 2
    except AccountInputError as exc:
        print(f"{command}: " + "; ".join(exc.problems), file=sys.stderr)
        return 2
    except NotFound:
        print(f"{command}: no account {normalize_username(args.username)!r}", file=sys.stderr)
        return 2
    except (SQLAlchemyError, ValueError) as exc:
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(f"{command}: database error: {first_line}", file=sys.stderr)
        return 2
    print(done)
    return 0
