"""``python -m store import --kind KIND FILE [--report FILE]``: an all-or-nothing import
(``store.importer``: the accepted files and columns).

Exit status: 0 stored, 2 nothing stored because of the file (every problem is listed
by row and column; ``--report FILE`` also writes them as CSV ``row,column,code,message``;
``--lang nl`` for Dutch), 1 an unexpected internal error (one line, nothing stored),
130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from data_schema.tables import KINDS

from . import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, error, write


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kind", required=True, choices=KINDS, help="what the file holds")
    parser.add_argument("file", type=Path, help="a .csv or .xlsx file (see the import docs)")
    parser.add_argument("--report", type=Path, metavar="FILE",
                        help="also write the problems as CSV (row,column,code,message)")


def run(args: argparse.Namespace) -> int:
    from ..db import make_engine
    from ..importer import import_file

    lang = args.lang
    engine = None
    try:
        engine = make_engine()
        report = import_file(engine, args.kind, args.file, lang=lang)
        if args.report is not None:
            try:
                report.write_csv(args.report, lang)
            except OSError as exc:
                error(lang, "cli.import.report_unwritable", file=str(args.report), reason=exc.strerror or str(exc))
                if report.ok:
                    write(report.summary(lang))
                return EXIT_BAD_INPUT
        if report.ok:
            write(report.summary(lang))
            return EXIT_OK
        write(report.text(lang), sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        error(lang, "cli.import.interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the operator gets one line, never a traceback
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        error(lang, "cli.import.internal_error", error=f"{type(exc).__name__}: {first}")
        return EXIT_INTERNAL
    finally:
        if engine is not None:
            try:
                engine.dispose()
            except Exception:  # noqa: BLE001
                pass
