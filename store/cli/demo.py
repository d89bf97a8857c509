"""``python -m store demo``: fill an empty database with the demo practice
(:mod:`store.demo`) and print its logins.

``--if-empty`` (for ``make run``) says so and exits 0 when the database already holds
therapists, printing the demo logins it still has. Exits 2 with a message when the
database is not migrated, not empty, or an argument is out of range. Every message is
a catalog text (``cli.demo.*``) in ``--lang``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from data_schema.i18n import Text
from store.cli import EXIT_BAD_INPUT, EXIT_OK, error, say, write
from store.demo.parameters import DEFAULT_SEED, DEFAULT_THERAPISTS, DEFAULT_WEEKS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--therapists", type=int, default=DEFAULT_THERAPISTS, metavar="N",
                        help=f"number of therapists (default {DEFAULT_THERAPISTS})")
    parser.add_argument("--weeks", type=int, default=DEFAULT_WEEKS, metavar="W",
                        help=f"weeks of sessions up to the current week (default {DEFAULT_WEEKS})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="S",
                        help=f"random seed; the same seed gives the same practice (default {DEFAULT_SEED})")
    parser.add_argument("--as-of", type=_iso_date, default=None, metavar="DATE",
                        help="last day with data, YYYY-MM-DD (default today)")
    parser.add_argument("--if-empty", action="store_true",
                        help="if the database already holds therapists, say so and exit 0 (for `make run`)")


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def run(args: argparse.Namespace) -> int:
    from store.db import current_revision, get_engine, head_revision
    from store.demo import DemoNotEmpty, build_demo, format_logins, present_demo_logins
    from store.errors import InvalidInput

    command, lang = args.command, args.lang
    engine = get_engine()
    try:
        revision = current_revision(engine)
    except Exception as exc:  # noqa: BLE001 - unreachable database: a message, not a traceback
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        error(lang, "cli.refused", command=command, reason=Text("cli.reason.database", error=first_line))
        return EXIT_BAD_INPUT
    if revision != head_revision():
        error(lang, "cli.refused", command=command, reason=Text(
            "cli.demo.not_migrated", revision=revision or Text("cli.demo.no_revision"), head=head_revision()))
        return EXIT_BAD_INPUT
    started = time.perf_counter()
    try:
        summary = build_demo(engine, therapists=args.therapists, weeks=args.weeks, seed=args.seed,
                             as_of=args.as_of)
    except DemoNotEmpty as exc:
        if not args.if_empty:
            error(lang, "cli.refused", command=command, reason=Text("cli.demo.use_empty", reason=exc.reason))
            return EXIT_BAD_INPUT
        say(lang, "cli.demo.already_present")
        logins = present_demo_logins(engine)
        if logins:
            write(format_logins(logins, lang))
        return EXIT_OK
    except InvalidInput as exc:
        error(lang, "cli.refused", command=command, reason="; ".join(exc.messages(lang)))
        return EXIT_BAD_INPUT
    counts = ", ".join(f"{count:,} {table}" for table, count in summary.counts.items())
    say(lang, "cli.demo.built", seconds=f"{time.perf_counter() - started:.1f}", first_week=summary.first_week,
        as_of=summary.as_of, seed=summary.seed, counts=counts)
    write(format_logins(summary.logins, lang))
    return EXIT_OK
