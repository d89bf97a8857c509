"""``python -m data_schema codebook [--format md|csv] [--lang nl|en] [-o FILE]``.

Writes the codebook generated from the instrument and the check-in
(:mod:`data_schema.codebook`) to standard output or, atomically, to FILE. Exits 2 with
a message in the codebook's language (never a traceback) when FILE cannot be written.
"""

from __future__ import annotations

import argparse

from complexity import LANGUAGES

from ..codebook import codebook_csv, codebook_markdown
from . import EXIT_OK, write_file, write_stdout


def add_arguments_for(name: str, parser: argparse.ArgumentParser) -> None:
    parser.description = "Write the codebook of every exported table."
    parser.add_argument("--format", choices=("md", "csv"), default="md", help="Markdown (default) or CSV")
    parser.add_argument("--lang", choices=LANGUAGES, default="nl",
                        help="language of labels, values and messages (default nl)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")


def run(args: argparse.Namespace) -> int:
    text = codebook_csv(lang=args.lang) if args.format == "csv" else codebook_markdown(lang=args.lang)
    data = text.encode("utf-8")
    if args.output:
        write_file(args.output, data)
    else:
        write_stdout(data)
    return EXIT_OK
