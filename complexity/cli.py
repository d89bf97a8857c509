"""Command line: ``python -m complexity score INPUT.csv [-o OUTPUT.csv]``.

This is the only module of :mod:`complexity` that reads or writes files; it turns a CSV
file into the table :func:`complexity.score_cases` takes and the scores back into CSV.

Reading rules (also in ``score --help``):

* UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8"); UTF-16 with a
  byte-order mark (Excel's "Unicode text") is read too because the mark makes it
  unambiguous. Anything else is refused with a hint, never guessed (a Windows-1252 file
  decoded as UTF-8 fails loudly instead of scoring mangled case ids).
* The separator is taken from the header line: the most frequent of ``,`` ``;`` and tab.
* Every cell is text; surrounding whitespace is stripped; an empty cell is "not rated".
  Lines that are entirely empty (also ``;;;`` lines Excel leaves behind) are skipped.
* Decimal comma: when the separator is not a comma (Dutch Excel writes ``;``), an item
  cell such as ``2,0`` is read as ``2.0``; in a comma-separated file ``"2,0"`` stays text
  and is reported as not a number. Case ids are never changed.
* A line with fewer cells than the header is padded with empty cells (some exporters
  drop trailing empty cells); a line with more non-empty cells is an error, and so is a
  column without a name that holds values. Unnamed, empty columns are dropped.

Exit status: 0 scored, 2 bad input or unwritable output (every problem is named by its
file line and column), 1 an unexpected internal error (one line, no traceback unless
``--debug``), 141 when the reader of standard output goes away (`... | head`).
"""

from __future__ import annotations

import argparse
import codecs
import csv
import dataclasses
import difflib
import io
import os
import re
import sys
import tempfile
import textwrap
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence, TextIO

import pandas as pd

from .config import DEFAULT_CONFIG
from .instrument import INSTRUMENT, LEVELS
from .scoring import DOMAINS, score_cases
from .validation import CASE_ID, MAX_REPORTED_PROBLEMS, RatingsInputError

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for `... | head`

PROG = "python -m complexity"
SEPARATORS = (",", ";", "\t")
_OUTPUT_SEPARATORS = {",": ",", ";": ";", "tab": "\t"}
_DECIMAL_COMMA = re.compile(r"[+-]?[0-9]+,[0-9]+")
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # .xlsx (zip), .xls (OLE)

# Rounding of the output, by column; floats not listed keep 3 decimals.
_POINTS_DECIMALS = 2
_OTHER_DECIMALS = 3
_POINT_COLUMNS = frozenset({"complexity", "interaction", *(f"contrib_{d}" for d in DOMAINS)})
_INTEGER_COLUMNS = frozenset(INSTRUMENT.extra_item_ids)

_LEVELS_TEXT = ", ".join(str(v) for v in LEVELS[:-1]) + f" or {LEVELS[-1]}"
HINT_SAVE_AS = (
    'in Excel use "File > Save As" and choose "CSV UTF-8 (comma delimited) (*.csv)"; '
    "other encodings are not guessed"
)
HINT_LEVELS = f"rate every item {_LEVELS_TEXT} (whole numbers), or leave the cell empty for 'not rated'"
HINT_COLUMNS = (
    f"the first line names the columns: '{CASE_ID}' plus item ids from the codebook "
    f"(`{PROG} columns` lists them)"
)
HINT_CASE_IDS = f"every line needs its own, non-empty '{CASE_ID}'"
HINT_LAYOUT = "every line must have the same columns as the header line"


class CliError(Exception):
    """A failure the user can fix: printed as ``error: ...`` lines, never a traceback."""

    def __init__(
        self,
        headline: str,
        details: Sequence[str] = (),
        hints: Sequence[str] = (),
        status: int = EXIT_BAD_INPUT,
    ) -> None:
        super().__init__(headline)
        self.headline = headline
        self.details = list(details)
        self.hints = list(hints)
        self.status = status

    def render(self) -> str:
        lines = [f"error: {self.headline}"]
        lines += [f"  {d}" for d in self.details]
        lines += [f"hint: {h}" for h in self.hints]
        return "\n".join(lines)


class InputFileError(Exception):
    """The input file's content is unusable; the caller adds the file name."""

    def __init__(self, details: Sequence[str], hints: Sequence[str] = ()) -> None:
        super().__init__("; ".join(details))
        self.details = list(details)
        self.hints = list(hints)


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Table:
    """A parsed input file: all cells as stripped strings, with file line numbers."""

    frame: pd.DataFrame
    header_line: int  # file line of the header (1 unless blank lines precede it)
    lines: tuple[int, ...]  # file line on which each data row starts
    separator: str


def line_of(text: str, pos: int) -> int:
    """1-based line number of character ``pos`` (``\\n``, ``\\r\\n`` and ``\\r`` end lines)."""
    prefix = text[:pos]
    return prefix.count("\n") + prefix.count("\r") - prefix.count("\r\n") + 1


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (BOM optional) or UTF-16 with a BOM; else :class:`InputFileError`."""
    if not data:
        raise InputFileError(["the file is empty (0 bytes)"], [HINT_COLUMNS])
    if data.startswith(_WORKBOOK_MAGIC):
        raise InputFileError(["this is an Excel workbook (.xlsx/.xls), not a CSV text file"], [HINT_SAVE_AS])
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputFileError(
                ["the file starts with a UTF-16 byte-order mark but is not valid UTF-16 text"],
                [HINT_SAVE_AS],
            ) from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = line_of(data[: exc.start].decode("utf-8-sig"), exc.start)
            raise InputFileError(
                [f"line {line}: byte 0x{data[exc.start]:02X} is not UTF-8; the file is not UTF-8 text"],
                [HINT_SAVE_AS],
            ) from None
    nul = text.find("\x00")
    if nul >= 0:
        raise InputFileError(
            [f"line {line_of(text, nul)}: contains a NUL character; this is a binary file, not CSV text"],
            [HINT_SAVE_AS],
        )
    return text


def sniff_separator(text: str) -> str:
    """The separator used in the header (the first line with content): ``,``, ``;`` or tab."""
    for line in io.StringIO(text, newline=""):
        if line.strip().strip("".join(SEPARATORS) + '"\ufeff').strip():
            counts = [line.count(sep) for sep in SEPARATORS]
            return SEPARATORS[counts.index(max(counts))]
    counts = [text.count(sep) for sep in SEPARATORS]  # no content at all: ";;" lines are blank too
    return SEPARATORS[counts.index(max(counts))]


def _clean_header(name: str) -> str:
    return name.strip().lstrip("\ufeff").strip()


def parse_table(text: str) -> Table:
    """Split the text into a header and string cells; structural problems raise InputFileError."""
    sep = sniff_separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    records: list[tuple[int, list[str]]] = []
    end = 0
    try:
        for fields in reader:
            start, end = end + 1, reader.line_num
            cells = [f.strip() for f in fields]
            if any(cells):
                records.append((start, cells))
    except csv.Error as exc:
        first, last = end + 1, max(reader.line_num, end + 1)
        where = f"line {first}" if last == first else f"lines {first}-{last}"
        raise InputFileError(
            [f"{where}: cannot split into cells ({exc}); check the quotes (\") on line {first}"],
            [HINT_LAYOUT],
        ) from None
    if not records:
        raise InputFileError(["the file has no header line (it holds only blank lines)"], [HINT_COLUMNS])

    header_line, raw_header = records[0]
    header = [_clean_header(h) for h in raw_header]
    rows = records[1:]
    width = len(header)
    problems: list[str] = []
    hints: list[str] = []
    total = 0

    def problem(text: str, hint: str) -> None:
        nonlocal total
        total += 1
        if len(problems) < MAX_REPORTED_PROBLEMS:
            problems.append(text)
        if hint not in hints:
            hints.append(hint)

    last = header[-1] or f"column {width}"
    for line, cells in rows:
        extra = [c for c in cells[width:] if c]
        if extra:
            problem(
                f"line {line}: {len(cells)} cells but the header on line {header_line} has {width} "
                f"columns; '{_short(extra[0])}' lies beyond the last column '{last}' "
                f"(a stray '{_sep_shown(sep)}'?)",
                HINT_LAYOUT,
            )
    keep = []
    for j, name in enumerate(header):
        if name:
            keep.append(j)
            continue
        used = next(((line, cells[j]) for line, cells in rows if j < len(cells) and cells[j]), None)
        if used is not None:
            problem(
                f"line {header_line}, column {j + 1}: the column has no name, but line {used[0]} "
                f"has a value in it ('{_short(used[1])}')",
                HINT_COLUMNS,
            )
    if total:
        if total > len(problems):
            problems.append(f"... and {total - len(problems)} more problems")
        raise InputFileError(problems, hints)

    names = [header[j] for j in keep]
    data = [[cells[j] if j < len(cells) else "" for j in keep] for _, cells in rows]
    if sep != ",":
        for k, name in enumerate(names):
            if name != CASE_ID:
                for row in data:
                    if "," in row[k] and _DECIMAL_COMMA.fullmatch(row[k]):
                        row[k] = row[k].replace(",", ".")
    frame = pd.DataFrame(data, columns=names, dtype=str) if data else pd.DataFrame(columns=names, dtype=str)
    return Table(frame, header_line, tuple(line for line, _ in rows), sep)


def _short(value: str, limit: int = 40) -> str:
    """A cell value for a message: on one line, at most ``limit`` characters."""
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 3] + "..."


def _sep_shown(sep: str) -> str:
    return "\\t" if sep == "\t" else sep


def read_input(source: str, stdin: TextIO | None = None) -> bytes:
    """The raw bytes of ``source`` (a path, or ``-`` for standard input)."""
    if source == "-":
        stream = stdin if stdin is not None else sys.stdin
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            return buffer.read()
        return stream.read().encode("utf-8")
    path = Path(source)
    try:
        if path.is_dir():
            raise CliError(f"cannot read {source}: it is a directory, not a CSV file")
        return path.read_bytes()
    except FileNotFoundError:
        raise CliError(f"cannot read {source}: no such file") from None
    except PermissionError:
        raise CliError(f"cannot read {source}: permission denied") from None
    except OSError as exc:
        raise CliError(f"cannot read {source}: {exc.strerror or exc}") from None


# --------------------------------------------------------------------------- problems


def describe_problems(error: RatingsInputError, table: Table) -> tuple[list[str], list[str]]:
    """Validation problems as ``line N, column 'x': ...`` texts, plus the hints that apply."""
    details = []
    codes = set()
    names = [str(c) for c in table.frame.columns]
    for p in error.problems:
        codes.add(p.code)
        if p.row is not None:
            text = dataclasses.replace(p, row=0).describe(first_data_line=table.lines[p.row])
        elif p.code == "empty":
            text = (
                f"line {table.header_line}: the file has a header but no data lines; "
                "there are no cases to score"
            )
        elif p.code == "missing_case_id_column":
            text = dataclasses.replace(p, row=0, column=None).describe(first_data_line=table.header_line)
            found = _closest(CASE_ID, names)
            if found:
                text += f"; is column '{found}' meant to be '{CASE_ID}'?"
        else:
            text = dataclasses.replace(p, row=0).describe(first_data_line=table.header_line)
            if p.code == "unknown_column" and p.column is not None:
                known = [i for i in (CASE_ID, *INSTRUMENT.item_ids) if i not in names]
                found = _closest(p.column, known)
                if found:
                    text += f"; did you mean '{found}'?"
        details.append(text)
    if error.truncated:
        details.append(f"... and {error.total - len(error.problems)} more problems")
    hints = []
    if codes & {"not_a_number", "not_whole", "out_of_range"}:
        hints.append(HINT_LEVELS)
    if codes & {"unknown_column", "missing_case_id_column", "duplicate_column"}:
        hints.append(HINT_COLUMNS)
    if codes & {"missing_case_id", "duplicate_case_id"}:
        hints.append(HINT_CASE_IDS)
    return details, hints


def _closest(name: str, candidates: Sequence[str]) -> str | None:
    """The candidate ``name`` most likely is a typo of (case-insensitive), if any."""
    lowered = {c.lower(): c for c in candidates}
    match = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.75)
    return lowered[match[0]] if match and lowered[match[0]] != name else None


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
    text = format_scores(scores).to_csv(
        None, sep=sep, decimal=decimal, index=False, na_rep="", lineterminator="\n"
    )
    return text.encode("utf-8")


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory and a rename,
    so a failed run never leaves a half-written file (an existing one stays untouched)."""
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_current_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


def write_output(target: str, data: bytes, source: str) -> None:
    path = Path(target)
    where = f"cannot write {target}"
    if path.is_dir():
        raise CliError(f"{where}: it is a directory; give a file name, e.g. {path / 'scores.csv'}")
    parent = path.parent
    if not parent.is_dir():
        raise CliError(f"{where}: the directory '{parent}' does not exist", hints=["create it first"])
    if source != "-" and path.exists():
        with suppress(OSError):
            if os.path.samefile(source, path):
                raise CliError(f"{where}: that is the input file; choose another output file")
    try:
        write_atomic(path, data)
    except PermissionError:
        raise CliError(f"{where}: permission denied") from None
    except OSError as exc:
        raise CliError(f"{where}: {exc.strerror or exc}") from None


def _write_stdout(data: bytes, stdout: TextIO) -> None:
    buffer = getattr(stdout, "buffer", None)
    if buffer is not None:
        stdout.flush()
        buffer.write(data)
        buffer.flush()
    else:
        stdout.write(data.decode("utf-8"))
        stdout.flush()


# --------------------------------------------------------------------------- commands


def load_table(source: str, stdin: TextIO | None = None) -> Table:
    """Read and parse ``source``; every problem raises :class:`CliError`."""
    data = read_input(source, stdin)
    name = "standard input" if source == "-" else source
    try:
        return parse_table(decode(data))
    except InputFileError as exc:
        raise CliError(f"cannot score {name}:", exc.details, exc.hints) from None


def cmd_score(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    sep = _OUTPUT_SEPARATORS[args.sep]
    if args.decimal == sep:
        raise CliError(f"--decimal '{args.decimal}' cannot be the same as --sep", hints=["use --sep ';' --decimal ','"])
    table = load_table(args.input)
    name = "standard input" if args.input == "-" else args.input
    try:
        scores = score_cases(table.frame, DEFAULT_CONFIG)
    except RatingsInputError as exc:
        details, hints = describe_problems(exc, table)
        raise CliError(f"cannot score {name}:", details, hints) from None
    data = to_csv_bytes(scores, sep=sep, decimal=args.decimal)
    if args.output is None or args.output == "-":
        _write_stdout(data, stdout)
        target = None
    else:
        write_output(args.output, data, args.input)
        target = args.output
    if not args.quiet:
        n = len(scores)
        incomplete = int((~scores["complete"]).sum())
        summary = f"scored {n} case{'s' if n != 1 else ''} ({incomplete} incomplete)"
        print(summary + (f" -> {target}" if target else ""), file=stderr)
    return EXIT_OK


def cmd_columns(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    rows = [(CASE_ID, "", "required: the case's identifier, unique within the file")]
    for item in INSTRUMENT.items:
        rows.append((item.id, item.domain or f"({item.purpose})", item.label(args.lang)))
    width = max(len(r[0]) for r in rows)
    dwidth = max(len(r[1]) for r in rows)
    text = "".join(f"{a:<{width}}  {b:<{dwidth}}  {c}\n" for a, b, c in rows)
    _write_stdout(text.encode("utf-8"), stdout)
    return EXIT_OK


# --------------------------------------------------------------------------- parser

def _section(title: str, *paragraphs: str) -> str:
    body = "\n".join(textwrap.fill(p, width=78, initial_indent="  ", subsequent_indent="  ", break_on_hyphens=False) for p in paragraphs)
    return f"{title}:\n{body}\n"


_SCORE_EPILOG = "\n".join([
    _section(
        "input file",
        f"The first line is the header: '{CASE_ID}' plus any of the instrument's item ids "
        f"(`{PROG} columns` lists them); every further line is one case. Items are rated "
        f"{_LEVELS_TEXT}; an empty cell, or an item column that is left out, means "
        "'not rated'. Comma-, semicolon- (Dutch Excel) and tab-separated files are "
        "accepted: the separator is taken from the header line. The file must be UTF-8 "
        "(in Excel: save as 'CSV UTF-8'); a byte-order mark is fine. Spaces around cells "
        "are ignored, and so are empty lines. When the separator is ';' or a tab, a "
        "decimal comma is read as a point ('2,0' is 2); in a comma-separated file '2,0' "
        "is not a number. A line with fewer cells than the header is filled up with empty "
        "cells; a line with more cells is an error.",
    ),
    _section(
        "output",
        f"One line per case, in input order, with the columns {CASE_ID}, complexity "
        "(0-100, empty when the case is incomplete), band, the domain scores "
        f"({', '.join(DOMAINS)}: 0-3, empty when too few of their items are rated), "
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
     in the input is listed with its line in the file and its column
  1  an unexpected internal error
""",
    f"""examples:
  {PROG} score cases.csv -o scores.csv
  {PROG} score cases.csv -o scores.csv --sep ';' --decimal ','   # Dutch Excel
  {PROG} score - < cases.csv > scores.csv
""",
])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Draagkracht case complexity: score psychosomatic-physiotherapy cases rated on "
            f"the {INSTRUMENT.name('en')} instrument (items rated {_LEVELS_TEXT})."
        ),
        epilog=f"Run '{PROG} <command> --help' for the details of a command.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s: instrument {INSTRUMENT.version}, model {DEFAULT_CONFIG.model_version}",
    )
    parser.add_argument("--debug", action="store_true", help="show a traceback for unexpected errors")
    commands = parser.add_subparsers(dest="command", metavar="<command>", required=True)

    score = commands.add_parser(
        "score",
        help="score every case in a CSV file",
        description="Score every case (one line per case) of a CSV file and write the scores as CSV.",
        epilog=_SCORE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    score.add_argument("input", metavar="INPUT.csv", help="the ratings: a CSV file, or '-' for standard input")
    score.add_argument(
        "-o", "--output", metavar="OUTPUT.csv",
        help="write the scores to this file (default: standard output)",
    )
    score.add_argument(
        "--sep", choices=[",", ";", "tab"], default=",", metavar="SEP",
        help="separator of the output: ',' (default), ';' or 'tab'",
    )
    score.add_argument(
        "--decimal", choices=[".", ","], default=".", metavar="MARK",
        help="decimal mark of the output: '.' (default) or ','; Dutch Excel wants --sep ';' --decimal ','",
    )
    score.add_argument("-q", "--quiet", action="store_true", help="do not print the summary line")
    score.set_defaults(handler=cmd_score)

    columns = commands.add_parser(
        "columns",
        help="list the column names an input file may use",
        description=f"List '{CASE_ID}' and the instrument's item ids with their domain and label.",
    )
    columns.add_argument("--lang", choices=["en", "nl"], default="en", help="language of the labels (default: en)")
    columns.set_defaults(handler=cmd_columns)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (never raises, except with ``--debug``)."""
    stdout, stderr = sys.stdout, sys.stderr
    args = None
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exc:  # --help, --version, usage errors (argparse printed them)
            return EXIT_OK if exc.code is None else exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
        return args.handler(args, stdout, stderr)
    except CliError as exc:
        print(exc.render(), file=stderr)
        return exc.status
    except BrokenPipeError:
        # The reader went away (`... | head`): stop quietly with the shell's status for a
        # process ended by SIGPIPE; point stdout at devnull so the exit flush cannot fail.
        with suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print("error: interrupted", file=stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - a user never sees a traceback
        if getattr(args, "debug", False):
            raise
        message = " ".join(str(exc).split()) or "no details"
        print(
            f"error: unexpected internal error ({type(exc).__name__}: {_short(message, 200)}); "
            f"please report it, with the input file if you can (rerun with --debug for details)",
            file=stderr,
        )
        return EXIT_INTERNAL
