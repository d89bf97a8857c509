"""``python -m store export [--format csv,parquet,xlsx] [--out DIR] [--as USERNAME]``.

Writes the tables a user may export (``store.exporter``: what each role gets), in each
format asked for, with the codebook beside them, and logs an ``export`` audit event.
Exits 2 with one line when the export cannot be made (nothing is written then).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from data_schema.i18n import Text

from ..exporter.writers import FORMATS
from . import EXIT_BAD_INPUT, EXIT_OK, error, say


def _formats(text: str) -> tuple[str, ...]:
    parts = tuple(p.strip().lower() for p in text.split(",") if p.strip())
    unknown = [p for p in parts if p not in FORMATS]
    if unknown or not parts:
        raise argparse.ArgumentTypeError(
            f"unknown format {', '.join(unknown) or '(none)'}: choose from {', '.join(FORMATS)}")
    return parts


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", type=_formats, default=FORMATS, metavar="LIST",
                        help="comma-separated: csv (UTF-8 with BOM, ';' separated, decimal comma: for "
                             "Dutch Excel), parquet, xlsx (default: all three)")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="new folder to write (default data/exports/draagkracht-export-<UTC time>)")
    parser.add_argument("--as", dest="username", default=None, metavar="USERNAME",
                        help="export what this account may see (default: the operator, every table "
                             "pseudonymised)")


def run(args: argparse.Namespace) -> int:
    from ..db import get_engine
    from ..errors import AccessDenied, NotFound
    from ..exporter import ExportError, default_folder, export_tables

    lang = args.lang
    try:
        result = export_tables(get_engine(), args.out or default_folder(), formats=args.format,
                               username=args.username)
    except ExportError as exc:
        error(lang, "cli.export.failed", reason=exc.reason)
        return EXIT_BAD_INPUT
    except NotFound:
        error(lang, "cli.export.failed", reason=Text("cli.export.no_account", username=args.username))
        return EXIT_BAD_INPUT
    except AccessDenied:
        error(lang, "cli.export.failed", reason=Text("cli.export.not_allowed", username=args.username))
        return EXIT_BAD_INPUT
    except OSError as exc:
        error(lang, "cli.export.failed", reason=exc.strerror or str(exc))
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 - e.g. the database cannot be reached
        error(lang, "cli.export.failed", reason=f"{type(exc).__name__}: {exc}")
        return EXIT_BAD_INPUT
    rows = ", ".join(f"{k} {v:,}" for k, v in result.tables.items())
    say(lang, "cli.export.done", folder=str(result.folder), formats=", ".join(result.formats), rows=rows)
    return EXIT_OK
