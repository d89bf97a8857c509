"""The operator's commands, ``python -m store COMMAND``: one module per command.

Each module provides ``add_arguments(parser)`` (or ``add_arguments_for(name, parser)``
when it serves several commands) and ``run(args) -> int`` (the exit status: 0 done,
2 refused because of the input, 1 an unexpected error). Every command takes ``--lang``
(``en`` by default, ``nl``) and says what it did or why not through :func:`say`, in that
language, from the catalog (``data_schema/i18n``, keys ``cli.*``); an operator never
sees a traceback.
"""

from __future__ import annotations

import sys
from typing import Iterable, TextIO

from data_schema.i18n import plural, translate
from data_schema.problems import Problem

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


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


__all__ = ["EXIT_BAD_INPUT", "EXIT_INTERNAL", "EXIT_INTERRUPTED", "EXIT_OK", "error", "problem_lines", "say",
           "say_count", "write"]
