"""``python -m store upgrade|current|revision``.

``upgrade`` brings the database (``DRAAGKRACHT_DATABASE_URL`` or the default SQLite
file) to the newest migration; ``revision -m "text"`` autogenerates a new migration from
the models (e.g. after adding an instrument item); ``current`` prints the revision."""

from __future__ import annotations

import argparse

from store.cli import say


def add_arguments_for(name: str, parser: argparse.ArgumentParser) -> None:
    if name == "revision":
        parser.add_argument("-m", "--message", required=True)


def run(args: argparse.Namespace) -> int:
    from alembic import command

    from store.db import alembic_config, current_revision, get_engine, migration_connection, upgrade

    if args.command == "upgrade":
        upgrade()
        say(args.lang, "cli.migrate.at_revision", revision=current_revision())
    elif args.command == "current":
        revision = current_revision()
        say(args.lang, "cli.migrate.revision" if revision else "cli.migrate.empty", revision=revision)
    elif args.command == "revision":
        with migration_connection(get_engine()) as conn:
            command.revision(alembic_config(conn), message=args.message, autogenerate=True)
    return 0
