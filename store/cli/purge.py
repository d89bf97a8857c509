"""``python -m store purge [--dry-run]``: remove what the retention settings say has
expired (``store.retention``), in one transaction, logged; ``--dry-run`` counts only."""

from __future__ import annotations

import argparse

from data_schema.i18n import Text

from . import EXIT_BAD_INPUT, EXIT_OK, error, say

KINDS = {  # purge target -> its name in messages
    "checkins": "cli.purge.kind.checkins",
    "goals": "cli.purge.kind.goals",
    "closed_cases": "cli.purge.kind.closed_cases",
    "revoked_shares": "cli.purge.kind.revoked_shares",
    "login_sessions": "cli.purge.kind.login_sessions",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="say what would be removed; change nothing")


def run(args: argparse.Namespace) -> int:
    from ..db import session_scope, upgrade
    from ..retention import load_policy, purge

    try:
        policy = load_policy()
    except (ValueError, OSError) as exc:
        error(args.lang, "cli.purge.bad_settings", reason=str(exc))
        return EXIT_BAD_INPUT
    upgrade()
    with session_scope() as session:
        result = purge(session, policy, dry_run=args.dry_run)
    for name, count in result.counts.items():
        say(args.lang, "cli.purge.line", kind=Text(KINDS[name]), count=count,
            cutoff=result.cutoffs[name].strftime("%d-%m-%Y"))
    if result.total == 0:
        say(args.lang, "cli.purge.nothing")
    else:
        say(args.lang, "cli.purge.would" if args.dry_run else "cli.purge.done", count=result.total)
    return EXIT_OK
