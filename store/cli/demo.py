"""``python -m store demo``: fill an empty database with the demo practice
(:mod:`store.demo`) and print its logins.

``--if-empty`` (for ``make run``) says so and exits 0 when the database already holds
therapists, printing the demo logins it still has. Exits 2 with a message when the
database is not migrated, not empty, or an argument is out of range.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

from store.demo import DEFAULT_SEED, DEFAULT_THERAPISTS, DEFAULT_WEEKS


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

    engine = get_engine()
    try:
        revision = current_revision(engine)
    except Exception as exc:  # noqa: BLE001 - unreachable database: a message, not a traceback
        print(f"cannot open the database: {exc}", file=sys.stderr)
        return 2
    if revision != head_revision():
        print(f"the database is at revision {revision or '(empty)'}, not {head_revision()}: "
              "run `python -m store upgrade` first", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        summary = build_demo(engine, therapists=args.therapists, weeks=args.weeks, seed=args.seed,
                             as_of=args.as_of)
    except DemoNotEmpty as exc:
        if args.if_empty:
            print("demo practice already present (the database is not empty); nothing added")
            logins = present_demo_logins(engine)
            if logins:
                print(format_logins(logins))
            return 0
        print(f"{exc}; use an empty database (or `--if-empty` to skip quietly)", file=sys.stderr)
        return 2
    except InvalidInput as exc:
        print(str(exc), file=sys.stderr)
        return 2
    counts = ", ".join(f"{v:,} {k}" for k, v in summary.counts.items())
    print(f"demo practice built in {time.perf_counter() - started:.1f} s: weeks {summary.first_week} .. "
          f"{summary.as_of}, seed {summary.seed}\n  {counts}")
    print(format_logins(summary.logins))
    return 0
