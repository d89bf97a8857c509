"""``score INPUT [-o OUTPUT.csv]`` and ``columns``: scoring cases from a file.

Users know these as ``python -m complexity score|columns`` (``complexity/__main__.py``
launches :func:`main`); ``python -m data_schema score|columns`` is the same command.
The model (:func:`complexity.score_cases`) reads no files: this command reads the input
with the project's one file reader (:mod:`data_schema.reader`: CSV in UTF-8, UTF-16 or
Windows-1252 with ``;``, ``,`` or tab, or an Excel workbook), checks it with the one
table validator (:func:`data_schema.validation.validate_table`, kind ``cases_to_score``: a
unique ``case_id`` and the instrument's items, 0-3 or empty), and scores the clean
table. Every problem is named by its row as a spreadsheet shows it (the header is row
1) and its column, in the language of ``--lang``; rows are scored only when there is
none.

Exit status: 0 scored, 2 bad input or unwritable output, 1 an unexpected internal
error (one line, no traceback unless ``--debug``), 141 when the reader of standard
output goes away.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from typing import Sequence

import pandas as pd

from complexity import DEFAULT_CONFIG, DOMAINS, INSTRUMENT, LANGUAGES, score_cases
from complexity.instrument import LEVELS, MAX_LEVEL, MIN_LEVEL

from ..i18n import Text, translate
from ..problems import Problem
from . import EXIT_OK, Failed, main as run_command, say_count, write_file, write_stdout

PROG = "python -m complexity"
MAX_SHOWN_PROBLEMS = 200  # listed on the terminal; the rest are counted
_OUTPUT_SEPARATORS = {",": ",", ";": ";", "tab": "\t"}

# Rounding of the output, by column; floats not listed keep 3 decimals.
_POINTS_DECIMALS = 2
_OTHER_DECIMALS = 3
_POINT_COLUMNS = frozenset({"complexity", "complexity_low", "complexity_high", "interaction",
                            *(f"contrib_{d}" for d in DOMAINS)})
_INTEGER_COLUMNS = frozenset(INSTRUMENT.extra_item_ids)

# Which hint follows which problems (each hint once, in this order).
_HINTS: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"not_a_number", "not_a_whole_number", "out_of_range"}), "levels"),
    (frozenset({"unknown_column", "missing_column", "duplicate_column", "unnamed_column", "no_columns",
                "empty_file", "empty"}), "columns"),
    (frozenset({"required", "duplicate"}), "case_ids"),
    (frozenset({"ragged_row", "bad_quotes"}), "layout"),
)


# --------------------------------------------------------------------------- reading


def read_cases(source: str, stdin=None, prog: str = PROG) -> pd.DataFrame:
    """The clean table of cases in ``source`` (a path, or ``-`` for standard input):
    read, checked, and typed (``case_id`` text, items nullable integers). Raises
    :class:`Failed` listing every problem (its hints name the command ``prog``)."""
    from ..reader import limits, read_bytes, read_table
    from ..tables import SCORE_KIND
    from ..validation import validate_table

    if source == "-":
        stream = stdin if stdin is not None else sys.stdin
        buffer = getattr(stream, "buffer", None)
        data = buffer.read(limits.MAX_FILE_BYTES + 1) if buffer is not None else stream.read().encode("utf-8")
        read = read_bytes(data)
    else:
        read = read_table(source)
    problems = list(read.problems)
    clean = None
    if read.table is not None:
        result = validate_table(SCORE_KIND, read.table.frame)
        # Rows the reader left out (ragged ones) are not also "no data rows".
        problems += [p for p in result.problems if not (p.code == "empty" and read.problems)]
        clean = result.clean
    if problems or clean is None:
        name = Text("cli.score.stdin") if source == "-" else source
        raise Failed(Text("cli.score.cannot_score", file=name), *_listed(problems, prog))
    return clean.reset_index(drop=True)


def _listed(problems: list[Problem], prog: str) -> tuple[list[Problem | Text], list[Text]]:
    """The problems to show (each once, by row; at most MAX_SHOWN_PROBLEMS, then a
    count of the rest) and the hints that apply to them."""
    seen: set[tuple] = set()
    unique: list[Problem] = []
    more = 0
    for p in problems:
        if p.code == "too_many_problems":  # validate_table's count of what it did not list
            more += int(p.params.get("more", 0))
        elif (p.row, p.column, p.code) not in seen:
            seen.add((p.row, p.column, p.code))
            unique.append(p)
    unique.sort(key=lambda p: (p.row is not None, p.row or 0))  # stable: columns stay in file order
    more += max(0, len(unique) - MAX_SHOWN_PROBLEMS)
    shown: list[Problem | Text] = list(unique[:MAX_SHOWN_PROBLEMS])
    if more:
        shown.append(Text("cli.more_problems.one" if more == 1 else "cli.more_problems.other", count=more))
    codes = {p.code for p in unique}
    hints = {
        "levels": Text("cli.score.hint.levels", lo=MIN_LEVEL, hi=MAX_LEVEL),
        "columns": Text("cli.score.hint.columns", prog=prog),
        "case_ids": Text("cli.score.hint.case_ids"),
        "layout": Text("cli.score.hint.layout"),
    }
    return shown, [hints[name] for found, name in _HINTS if codes & found]


# --------------------------------------------------------------------------- writing


def format_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """The scores as they are written: points to 2 decimals, other floats to 3, levels as ints."""
    out = scores.copy()
    for name in out.columns:
        col = out[name]
        if not pd.api.types.is_float_dtype(col.dtype):
            continue
        if name in _INTEGER_COLUMNS:
            out[name] = col.round().astype("Int64")
        elif name in _POINT_COLUMNS:
            out[name] = col.round(_POINTS_DECIMALS)
        else:
            out[name] = col.round(_OTHER_DECIMALS)
    return out


def to_csv_bytes(scores: pd.DataFrame, sep: str = ",", decimal: str = ".") -> bytes:
    text = format_scores(scores).to_csv(None, sep=sep, decimal=decimal, index=False, na_rep="", lineterminator="\n")
    return text.encode("utf-8")


# --------------------------------------------------------------------------- commands


def run(args: argparse.Namespace) -> int:
    return _score(args) if args.command == "score" else _columns(args)


def _score(args: argparse.Namespace) -> int:
    lang = args.lang
    sep = _OUTPUT_SEPARATORS[args.sep]
    if args.decimal == sep:
        raise Failed(Text("cli.score.same_marks", mark=args.decimal), hints=[Text("cli.score.hint.dutch_excel")])
    cases = read_cases(args.input, prog=args._prog)
    scores = score_cases(cases, DEFAULT_CONFIG)
    data = to_csv_bytes(scores, sep=sep, decimal=args.decimal)
    target = None if args.output in (None, "-") else args.output
    if target is None:
        write_stdout(data)
    else:
        write_file(target, data, source=args.input)
    if not args.quiet:
        n, incomplete = len(scores), int((~scores["complete"]).sum())
        if target is None:
            say_count(lang, "cli.score.scored", n, incomplete=incomplete, stream=sys.stderr)
        else:
            say_count(lang, "cli.score.scored_to", n, incomplete=incomplete, file=target, stream=sys.stderr)
    return EXIT_OK


def _columns(args: argparse.Namespace) -> int:
    """``case_id`` and every item id with its domain (or purpose) and label."""
    lang = args.lang
    rows = [("case_id", "", translate(lang, "cli.score.case_id_column"))]
    for item in INSTRUMENT.items:
        rows.append((item.id, item.domain or f"({item.purpose})", item.label(lang)))
    width = max(len(r[0]) for r in rows)
    dwidth = max(len(r[1]) for r in rows)
    text = "".join(f"{a:<{width}}  {b:<{dwidth}}  {c}".rstrip() + "\n" for a, b, c in rows)
    write_stdout(text.encode("utf-8"))
    return EXIT_OK


# --------------------------------------------------------------------------- parser

_LEVELS_TEXT = ", ".join(str(v) for v in LEVELS[:-1]) + f" or {LEVELS[-1]}"


def _section(title: str, *paragraphs: str) -> str:
    body = "\n".join(textwrap.fill(p, width=78, initial_indent="  ", subsequent_indent="  ",
                                   break_on_hyphens=False) for p in paragraphs)
    return f"{title}:\n{body}\n"


def _score_epilog(prog: str) -> str:
    return "\n".join([
        _section(
            "input file",
            f"The first row is the header: 'case_id' plus any of the instrument's item ids "
            f"(`{prog} columns` lists them; any case); every further row is one case, with its "
            f"own case_id. Items are rated {_LEVELS_TEXT}; an empty cell, or an item column "
            "that is left out, means 'not rated'. CSV separated by ',', ';' (Dutch Excel) or "
            "tabs, taken from the header row; UTF-8 (Excel's 'CSV UTF-8', a byte-order mark is "
            "fine), UTF-16 with a byte-order mark ('Unicode text') or Windows-1252 (Excel's "
            "'CSV (semicolon delimited)'). An Excel workbook (.xlsx) is read too: its first "
            "sheet. Spaces around cells are ignored, and so are empty rows. A decimal comma "
            "is read as a point: '2,0' is 2 (in a comma-separated file, quote it: \"2,0\"). "
            "A row with fewer cells than the header is filled up with empty cells; a row "
            "with more is an error. Problems name the row as a spreadsheet shows it (the "
            "header is row 1; a quoted cell spanning lines is one row) and the column.",
        ),
        _section(
            "output",
            "One line per case, in input order, with the columns case_id, complexity "
            "(0-100, empty when the case is incomplete), complexity_low and complexity_high "
            "(the range the score could take once the unrated items are rated: every unrated "
            "item at 0 .. every one at 3; given for incomplete cases too), unrated_items, "
            "band, the domain scores "
            f"({', '.join(DOMAINS)}: 0-3, empty when fewer than half of their items are rated), "
            "contrib_<domain> and interaction (the points that add up to the complexity), "
            "interaction_share, rated_domains, complete, "
            f"{', '.join(INSTRUMENT.extra_item_ids)}, flags (joined by '|'), "
            f"instrument_version and model_version. Points are rounded to {_POINTS_DECIMALS} "
            f"decimals, other fractions to {_OTHER_DECIMALS}. The output is UTF-8 CSV with a "
            "header line; an output file is replaced only when scoring succeeds. A one-line "
            "summary goes to standard error.",
        ),
        """exit status:
  0  all cases scored
  2  the input cannot be scored, or the output cannot be written; every problem
     in the input is listed with its row and column
  1  an unexpected internal error
""",
        f"""examples:
  {prog} score cases.csv -o scores.csv
  {prog} score cases.xlsx -o scores.csv --sep ';' --decimal ','   # Dutch Excel
  {prog} score - < cases.csv > scores.csv
  {prog} score cases.csv --lang nl                               # Dutch messages
""",
    ])


def add_arguments_for(name: str, parser: argparse.ArgumentParser) -> None:
    prog = parser.prog.rsplit(" ", 1)[0]
    parser.add_argument("--lang", choices=LANGUAGES, default="en",
                        help="language of the messages" + (" and labels" if name == "columns" else "")
                        + " (default: en)")
    if name == "columns":
        parser.description = "List 'case_id' and the instrument's item ids with their domain and label."
        return
    parser.description = "Score every case (one row per case) of a CSV or XLSX file and write the scores as CSV."
    parser.epilog = _score_epilog(prog)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("input", metavar="INPUT", help="the ratings: a CSV or XLSX file, or '-' for standard input")
    parser.add_argument("-o", "--output", metavar="OUTPUT.csv",
                        help="write the scores to this file (default: standard output)")
    parser.add_argument("--sep", choices=[",", ";", "tab"], default=",", metavar="SEP",
                        help="separator of the output: ',' (default), ';' or 'tab'")
    parser.add_argument("--decimal", choices=[".", ","], default=".", metavar="MARK",
                        help="decimal mark of the output: '.' (default) or ','; Dutch Excel wants --sep ';' --decimal ','")
    parser.add_argument("-q", "--quiet", action="store_true", help="do not print the summary line")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m complexity score|columns``; returns the exit status."""
    return run_command(argv, prog=PROG, commands=("score", "columns"))


__all__ = ["MAX_SHOWN_PROBLEMS", "PROG", "add_arguments_for", "format_scores", "main", "read_cases", "run",
           "to_csv_bytes"]
