"""``python -m store audit verify``: check the access log's hash chain from its first
line to the head (``store.audit.verify``). Exit 0 when it holds; exit 3 naming the first
line that was changed, removed or added outside the store."""

from __future__ import annotations

import argparse

from . import EXIT_OK, error, say

EXIT_CHAIN_BROKEN = 3
BROKEN = {  # ChainCheck.reason -> its message
    "changed": "cli.audit.changed",
    "missing_before": "cli.audit.missing_before",
    "not_chained": "cli.audit.not_chained",
    "end_cut": "cli.audit.end_cut",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("check", choices=["verify"], help="verify: check the audit log's hash chain")


def run(args: argparse.Namespace) -> int:
    from ..audit import verify
    from ..db import session_scope

    with session_scope(readonly=True) as session:
        result = verify(session)
    if result.intact:
        say(args.lang, "cli.audit.intact", lines=result.lines)
        return EXIT_OK
    error(args.lang, BROKEN[result.reason], lines=result.lines, id=result.broken_at, seq=result.broken_seq)
    return EXIT_CHAIN_BROKEN
