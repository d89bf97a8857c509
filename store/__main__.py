"""``python -m store COMMAND``: the operator's commands.

Each command lives in its own module, which provides ``add_arguments(parser)`` and
``run(args) -> int`` (the exit status). Every command exits 2 with a plain message on bad
input, never with a traceback.

``python -m store --help`` lists them; ``python -m store COMMAND --help`` explains one.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# command -> (module, help); the module provides add_arguments(parser) and run(args)
COMMANDS: dict[str, tuple[str, str]] = {
    "upgrade": ("store.migrate_cli", "migrate the database to the newest revision"),
    "current": ("store.migrate_cli", "print the database's revision"),
    "revision": ("store.migrate_cli", "autogenerate a migration from the models"),
    "create-admin": ("store.accounts_cli", "create an admin account (the first one on a fresh installation)"),
    "set-password": ("store.accounts_cli", "set an account's password (e.g. the only admin forgot theirs)"),
    "demo": ("store.demo", "fill an empty database with a demo practice and print its logins"),
    "backup": ("store.backup", "write a consistent backup of the database to a file"),
    "restore": ("store.backup", "replace the database with a backup (checks it first)"),
    "export": ("store.exporter", "export the tables you may see as CSV, Parquet and Excel with a codebook"),
    "import": ("store.importer", "import a CSV or XLSX file of one kind: every row is stored, or none"),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; only the module of command ``only`` is imported (each command starts
    fast, and one command's heavy imports never slow another)."""
    parser = argparse.ArgumentParser(prog="python -m store", description="Draagkracht's data store")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        if only is not None and name != only:
            continue
        module = importlib.import_module(module_name)
        if hasattr(module, "add_arguments_for"):  # one module serving several commands
            module.add_arguments_for(name, command_parser)
        else:
            module.add_arguments(command_parser)
        command_parser.set_defaults(_module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    only = argv[0] if argv and argv[0] in COMMANDS else None
    args = build_parser(only).parse_args(argv)
    try:
        return int(args._module.run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted; nothing more was done", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - an operator gets one line, never a traceback
        print(f"python -m store {args.command}: {_explain(exc)}", file=sys.stderr)
        return 1


def _explain(exc: Exception) -> str:
    """One line on what went wrong, for the failures an operator can fix."""
    from alembic.util import CommandError
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    if isinstance(exc, CommandError):  # e.g. a migration that found data it cannot take
        return str(exc)
    if isinstance(exc, (ArgumentError, NoSuchModuleError)):
        return ("DRAAGKRACHT_DATABASE_URL is not a database URL Draagkracht supports "
                "(sqlite:///path or postgresql+psycopg://user@host/db)")
    if isinstance(exc, OperationalError):
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        return f"cannot use the database: {reason}"
    return f"unexpected error ({type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''})"


if __name__ == "__main__":
    sys.exit(main())
