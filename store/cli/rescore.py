"""``python -m store rescore [--dry-run]``: score every stored rating again under the
current model, keeping the old scores in the history (``store.rescore``). One
transaction: every rating is rescored, or none."""

from __future__ import annotations

import argparse

from . import EXIT_OK, say


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="say how many ratings would be rescored; change nothing")


def run(args: argparse.Namespace) -> int:
    from ..db import session_scope, upgrade
    from ..rescore import rescore

    upgrade()
    with session_scope() as session:
        result = rescore(session, dry_run=args.dry_run)
    if not result.rescored:
        say(args.lang, "cli.rescore.nothing", ratings=result.ratings, model=result.model_version)
    else:
        say(args.lang, "cli.rescore.would" if args.dry_run else "cli.rescore.done", count=result.rescored,
            ratings=result.ratings, model=result.model_version, previous=", ".join(result.from_versions))
    return EXIT_OK
