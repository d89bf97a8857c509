"""``python -m store upgrade`` brings the database (``DRAAGKRACHT_DATABASE_URL`` or the
default SQLite file) to the newest migration; ``python -m store revision -m "text"``
autogenerates a new migration from the models (e.g. after adding an instrument item);
``python -m store current`` prints the database's revision."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    from alembic import command

    from store.db import alembic_config, current_revision, get_engine, migration_connection, upgrade

    parser = argparse.ArgumentParser(prog="python -m store")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("upgrade", help="migrate the database to the newest revision")
    sub.add_parser("current", help="print the database's revision")
    rev = sub.add_parser("revision", help="autogenerate a migration from the models")
    rev.add_argument("-m", "--message", required=True)
    args = parser.parse_args(argv)

    if args.command == "upgrade":
        upgrade()
        print(f"database at revision {current_revision()}")
    elif args.command == "current":
        print(current_revision() or "(empty database)")
    elif args.command == "revision":
        with migration_connection(get_engine()) as conn:
            command.revision(alembic_config(conn), message=args.message, autogenerate=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
