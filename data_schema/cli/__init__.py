"""data_schema's commands: ``python -m data_schema codebook|score|columns``.

``score`` and ``columns`` (:mod:`data_schema.cli.score`) are also what users know as
``python -m complexity score|columns``: the same commands above the pure model, which
reads no files. ``codebook`` is :mod:`data_schema.cli.codebook`. Each command module
provides ``add_arguments_for(name, parser)`` and ``run(args) -> int``; :func:`main`
builds the parser (importing only the module of the command asked for) and runs it.

What every command shares, also used by ``store``'s commands (``store.cli``):

- **Messages** come from the catalog (``data_schema/i18n``, keys ``cli.*``) in the
  language of ``--lang``, printed with :func:`say` / :func:`error`. A command that
  cannot do its work raises :class:`Failed` (a headline, details such as
  :class:`~data_schema.problems.Problem` lines, hints), printed as ``error: ...`` lines.
- **Exit status**: 0 done; 2 bad input or output that cannot be written; 1 an
  unexpected internal error (one line, a traceback only with ``--debug``); 130
  interrupted; 141 when the reader of standard output went away (``... | head``).
- **Output files** are written atomically (:func:`write_file`): a failed run never
  leaves a half-written file, and an existing one stays untouched.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import Iterable, Sequence, TextIO

from ..i18n import LANGUAGES, Text, plural, translate
from ..problems import Problem

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for `... | head`

PROG = "python -m data_schema"
# command -> (module, help); the module provides add_arguments_for(name, parser) and run(args)
COMMANDS: dict[str, tuple[str, str]] = {
    "codebook": ("data_schema.cli.codebook", "write the codebook of every exported table"),
    "score": ("data_schema.cli.score", "score every case in a CSV or XLSX file"),
    "columns": ("data_schema.cli.score", "list the column names a file of cases to score may use"),
}


# --------------------------------------------------------------------------- messages


def say(lang: str, key: str, /, *, stream: TextIO | None = None, **params: object) -> None:
    """Print the catalog text ``key`` in ``lang`` (to standard output by default)."""
    write(translate(lang, key, **params), stream)


def say_count(lang: str, key: str, count: int, /, *, stream: TextIO | None = None, **params: object) -> None:
    write(plural(lang, key, count, **params), stream)


def error(lang: str, key: str, /, **params: object) -> None:
    """Print the catalog text ``key`` to standard error."""
    say(lang, key, stream=sys.stderr, **params)


def problem_lines(problems: Iterable[Problem | object], lang: str) -> list[str]:
    return [p.message(lang) if isinstance(p, Problem) else str(p) for p in problems]


def write(text: str, stream: TextIO | None = None) -> None:
    """Print ``text``; a reader that went away (``| head``) is not an error."""
    try:
        print(text, file=stream or sys.stdout, flush=True)
    except (BrokenPipeError, OSError):
        pass


def write_stdout(data: bytes, stdout: TextIO | None = None) -> None:
    """A command's output on standard output, as bytes. A reader that went away raises
    ``BrokenPipeError`` (:func:`main` ends with :data:`EXIT_BROKEN_PIPE`)."""
    stdout = stdout or sys.stdout
    buffer = getattr(stdout, "buffer", None)
    if buffer is not None:
        stdout.flush()
        buffer.write(data)
        buffer.flush()
    else:
        stdout.write(data.decode("utf-8"))
        stdout.flush()


class Failed(Exception):
    """A failure the user can fix: ``error: <headline>``, the details indented below it
    (problems, texts), then ``hint: ...`` lines; never a traceback."""

    def __init__(self, headline: Text, details: Sequence[Problem | Text | str] = (),
                 hints: Sequence[Text] = (), status: int = EXIT_BAD_INPUT) -> None:
        super().__init__(headline.key)
        self.headline = headline
        self.details = list(details)
        self.hints = list(hints)
        self.status = status

    def lines(self, lang: str) -> list[str]:
        out = [translate(lang, "cli.error", message=self.headline)]
        for detail in self.details:
            if isinstance(detail, Problem):
                out.append("  " + detail.message(lang))
            else:
                out.append("  " + (detail.render(lang) if isinstance(detail, Text) else str(detail)))
        out += [translate(lang, "cli.hint", hint=hint) for hint in self.hints]
        return out


# --------------------------------------------------------------------------- output files


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory and a
    rename: a reader never sees half a file, and a failed write leaves the old one. A
    replaced file keeps its permissions; a new one gets the usual ones (umask)."""
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


def write_file(target: str, data: bytes, *, source: str | None = None) -> None:
    """Write a command's output file atomically; raises :class:`Failed` saying why it
    cannot be written (``source``, the input file, is never overwritten)."""
    path = Path(target)

    def cannot(reason: Text, *hints: Text) -> Failed:
        return Failed(Text("cli.cannot_write", file=target, reason=reason), hints=hints)

    if path.is_dir():
        raise cannot(Text("cli.write.directory", example=str(path / "scores.csv")))
    if not path.parent.is_dir():
        raise cannot(Text("cli.write.no_folder", folder=str(path.parent)), Text("cli.write.create_folder"))
    if source not in (None, "-") and path.exists():
        with suppress(OSError):
            if os.path.samefile(source, path):
                raise cannot(Text("cli.write.is_input"))
    try:
        write_atomic(path, data)
    except PermissionError:
        raise cannot(Text("cli.write.permission")) from None
    except OSError as exc:
        raise cannot(Text("cli.write.os_error", error=exc.strerror or str(exc))) from None


# --------------------------------------------------------------------------- running


def build_parser(prog: str = PROG, commands: Sequence[str] = tuple(COMMANDS),
                 only: str | None = None) -> argparse.ArgumentParser:
    """The parser of ``commands``; only the module of command ``only`` is imported."""
    from complexity import DEFAULT_CONFIG, INSTRUMENT

    parser = argparse.ArgumentParser(
        prog=prog,
        description=f"Draagkracht: {', '.join(commands)}.",
        epilog=f"Run '{prog} <command> --help' for the details of a command.",
    )
    parser.add_argument("--version", action="version",
                        version=f"%(prog)s: instrument {INSTRUMENT.version}, model {DEFAULT_CONFIG.model_version}")
    parser.add_argument("--debug", action="store_true", help="show a traceback for unexpected errors")
    sub = parser.add_subparsers(dest="command", metavar="<command>", required=True)
    for name in commands:
        module_name, help_text = COMMANDS[name]
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        if only is not None and name != only:
            continue
        module = importlib.import_module(module_name)
        module.add_arguments_for(name, command_parser)
        command_parser.set_defaults(_module=module, _prog=prog)
    return parser


def main(argv: Sequence[str] | None = None, *, prog: str = PROG,
         commands: Sequence[str] = tuple(COMMANDS)) -> int:
    """Run a command; returns the exit status (never raises, except with ``--debug``)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    only = next((a for a in argv if a in commands), None)
    args = None
    try:
        try:
            args = build_parser(prog, commands, only).parse_args(argv)
        except SystemExit as exc:  # --help, --version, usage errors (argparse printed them)
            return EXIT_OK if exc.code is None else exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
        return int(args._module.run(args) or 0)
    except Failed as exc:
        write("\n".join(exc.lines(_lang(args))), sys.stderr)
        return exc.status
    except BrokenPipeError:
        # The reader went away (`... | head`): stop quietly with the shell's status for a
        # process ended by SIGPIPE; point stdout at devnull so the exit flush cannot fail.
        with suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        error(_lang(args), "cli.error", message=Text("cli.interrupted"))
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - a user never sees a traceback
        if getattr(args, "debug", False):
            raise
        message = " ".join(str(exc).split())[:200] or "-"
        error(_lang(args), "cli.error", message=Text("cli.unexpected", error=f"{type(exc).__name__}: {message}"))
        return EXIT_INTERNAL


def _lang(args: argparse.Namespace | None) -> str:
    lang = getattr(args, "lang", None)
    return lang if lang in LANGUAGES else "en"


__all__ = [
    "COMMANDS", "EXIT_BAD_INPUT", "EXIT_BROKEN_PIPE", "EXIT_INTERNAL", "EXIT_INTERRUPTED", "EXIT_OK", "Failed",
    "build_parser", "error", "main", "problem_lines", "say", "say_count", "write", "write_atomic", "write_file",
    "write_stdout",
]
