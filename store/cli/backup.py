"""``python -m store backup PATH [--force]`` and ``python -m store restore PATH [--force]``
(``store.backup``: how each backend is copied and checked). Exits 2 with one line when
the backup or restore is refused or fails; nothing is changed then."""

from __future__ import annotations

import argparse

from data_schema.i18n import Text

from . import EXIT_BAD_INPUT, EXIT_OK, error, say


def add_arguments_for(name: str, parser: argparse.ArgumentParser) -> None:
    if name == "backup":
        parser.add_argument("path", metavar="PATH", help="backup file to write")
        parser.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    else:
        parser.add_argument("path", metavar="PATH", help="backup file to restore from")
        parser.add_argument("--force", action="store_true", help="replace the existing database")


def run(args: argparse.Namespace) -> int:
    from ..backup import BackupError, backup_database, restore_database
    from ..db import get_engine, head_revision

    engine, lang = get_engine(), args.lang
    try:
        if args.command == "backup":
            result = backup_database(engine, args.path, force=args.force)
            say(lang, "cli.backup.written", path=str(result.path), size=f"{result.size:,}", revision=result.revision)
        else:
            result = restore_database(engine, args.path, force=args.force)
            say(lang, "cli.backup.restored", path=args.path, revision=result.revision,
                database=engine.url.render_as_string(hide_password=True))
            if result.revision != head_revision():
                say(lang, "cli.backup.upgrade_needed", revision=result.revision, head=head_revision())
    except BackupError as exc:
        error(lang, "cli.backup.failed", command=args.command, reason=exc.reason)
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 - e.g. the database cannot be reached
        error(lang, "cli.backup.failed", command=args.command, reason=f"{type(exc).__name__}: {exc}")
        return EXIT_BAD_INPUT
    return EXIT_OK
