"""``python -m data_schema codebook [--format md|csv] [--lang nl|en] [-o FILE]``.

Writes the codebook generated from the instrument and the check-in to standard output
or to FILE. Exits 2 with a plain message (never a traceback) when FILE cannot be written.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

from complexity import LANGUAGES

from .codebook import codebook_csv, codebook_markdown


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m data_schema", description="Draagkracht's data schemas")
    sub = parser.add_subparsers(dest="command", required=True)
    book = sub.add_parser("codebook", help="write the codebook of every exported table",
                          description="Write the codebook of every exported table.")
    book.add_argument("--format", choices=("md", "csv"), default="md", help="Markdown (default) or CSV")
    book.add_argument("--lang", choices=LANGUAGES, default="nl", help="language of labels and values (default nl)")
    book.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    return parser


def _write(path: str, text: str) -> None:
    """Write atomically: a reader never sees half a codebook."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".codebook-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    text = codebook_csv(lang=args.lang) if args.format == "csv" else codebook_markdown(lang=args.lang)
    if not args.output:
        sys.stdout.write(text)
        return 0
    try:
        _write(args.output, text)
    except OSError as exc:
        print(f"error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
