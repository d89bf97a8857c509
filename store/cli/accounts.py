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
from data_schema.i18n import Text, translate
from store.cli import EXIT_BAD_INPUT, EXIT_OK, error, say
from store.errors import Refused


def add_arguments_for(name: str, parser: argparse.ArgumentParser) -> None:
    if name == "set-password":
        parser.add_argument("--username", required=True, help="the account's username")
    else:
        parser.add_argument("--username", required=True, help="the admin's username (3-64 characters)")
        parser.add_argument("--language", choices=LANGUAGES, default=LANGUAGES[0],
                            help="the admin's dashboard language (default nl)")
        parser.add_argument("--force", action="store_true",
                            help="create the account even though an admin exists already")
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password as one line from standard input (for scripts)")


def _read_password(from_stdin: bool, lang: str) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise Refused("cli.accounts.no_password")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise Refused("cli.accounts.no_terminal")
    try:
        first = getpass.getpass(translate(lang, "cli.accounts.ask_password"))
        second = getpass.getpass(translate(lang, "cli.accounts.ask_again"))
    except (EOFError, KeyboardInterrupt):
        raise Refused("cli.accounts.cancelled") from None
    if first != second:
        raise Refused("cli.accounts.passwords_differ")
    return first


def run(args: argparse.Namespace) -> int:
    from store.accounts import admin_exists, create_user, normalize_username, set_password
    from store.db import session_scope, upgrade
    from store.errors import InvalidInput, NotFound
    from store.accounts.passwords import password_problems

    command, lang = args.command, args.lang
    try:
        password = _read_password(args.password_stdin, lang)
        problems = password_problems(password, username=normalize_username(args.username))
        if problems:  # before touching the database
            raise InvalidInput(problems)
        upgrade()
        with session_scope() as session:
            if command == "set-password":
                name = set_password(session, args.username, password).username
                done = ("cli.accounts.password_set", name)
            else:
                if admin_exists(session) and not args.force:
                    raise Refused("cli.accounts.admin_exists")
                name = create_user(session, username=args.username, password=password,
                                   role="admin", language=args.language).username
                done = ("cli.accounts.admin_created", name)
    except Refused as exc:
        error(lang, "cli.refused", command=command, reason=exc.reason)
        return EXIT_BAD_INPUT
    except InvalidInput as exc:
        error(lang, "cli.refused", command=command, reason="; ".join(exc.messages(lang)))
        return EXIT_BAD_INPUT
    except NotFound:
        error(lang, "cli.refused", command=command,
              reason=Text("cli.accounts.no_account", username=normalize_username(args.username)))
        return EXIT_BAD_INPUT
    except (SQLAlchemyError, ValueError) as exc:
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        error(lang, "cli.refused", command=command, reason=Text("cli.reason.database", error=first_line))
        return EXIT_BAD_INPUT
    say(lang, done[0], username=done[1])
    return EXIT_OK
