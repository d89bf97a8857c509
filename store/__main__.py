"""``python -m store COMMAND``: the operator's commands.

Each command lives in its own module (``store/cli``), which provides
``add_arguments(parser)`` and ``run(args) -> int`` (the exit status). Every command
takes ``--lang en|nl`` for its messages and exits 2 with a plain message on bad input,
never with a traceback.

``python -m store --help`` lists them; ``python -m store COMMAND --help`` explains one.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from complexity import LANGUAGES
from data_schema.i18n import Text
from store.cli import EXIT_INTERNAL, EXIT_INTERRUPTED, error

CLI_LANGUAGE = "en"  # operators' default; --lang nl for Dutch

# command -> (module, help); the module provides add_arguments(parser) and run(args)
COMMANDS: dict[str, tuple[str, str]] = {
    "upgrade": ("store.cli.migrate", "migrate the database to the newest revision"),
    "current": ("store.cli.migrate", "print the database's revision"),
    "revision": ("store.cli.migrate", "autogenerate a migration from the models"),
    "create-admin": ("store.cli.accounts", "create an admin account (the first one on a fresh installation)"),
    "set-password": ("store.cli.accounts", "set an account's password (e.g. the only admin forgot theirs)"),
    "demo": ("store.cli.demo", "fill an empty database with a demo practice and print its logins"),
    "backup": ("store.cli.backup", "write a consistent backup of the database to a file"),
    "restore": ("store.cli.backup", "replace the database with a backup (checks it first)"),
    "export": ("store.cli.export", "export the tables you may see as CSV, Parquet and Excel with a codebook"),
    "rescore": ("store.cli.rescore", "score every stored rating again under the current model (keeps the old scores)"),
    "purge": ("store.cli.purge", "remove what the retention settings say has expired (one transaction, logged)"),
    "audit": ("store.cli.audit", "verify the audit log's hash chain (names the first line changed or removed)"),
    "import": ("store.cli.importing", "import a CSV or XLSX file of one kind: every row is stored, or none"),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; only the module of command ``only`` is imported (each command starts
    fast, and one command's heavy imports never slow another)."""
    parser = argparse.ArgumentParser(prog="python -m store", description="Draagkracht's data store")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=LANGUAGES, default=CLI_LANGUAGE,
                        help=f"language of the messages (default {CLI_LANGUAGE})")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        command_parser = sub.add_parser(name, help=help_text, description=help_text, parents=[common])
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
        error(args.lang, "cli.interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - an operator gets one line, never a traceback
        key, params = _explain(exc)
        error(args.lang, "cli.failed", command=args.command, reason=Text(key, **params))
        return EXIT_INTERNAL


def _explain(exc: Exception) -> tuple[str, dict[str, str]]:
    """What went wrong, as a catalog key and its parameters, for the failures an
    operator can fix."""
    from alembic.util import CommandError
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    if isinstance(exc, CommandError):  # e.g. a migration that found data it cannot take
        return "cli.reason.migration", {"error": str(exc)}
    if isinstance(exc, (ArgumentError, NoSuchModuleError)):
        return "cli.reason.bad_url", {}
    if isinstance(exc, OperationalError):
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        return "cli.reason.database", {"error": reason}
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return "cli.reason.unexpected", {"error": f"{type(exc).__name__}: {first}"}


if __name__ == "__main__":
    sys.exit(main())
