"""The operator's commands, ``python -m store COMMAND``: one module per command.

Each module provides ``add_arguments(parser)`` (or ``add_arguments_for(name, parser)``
when it serves several commands) and ``run(args) -> int`` (the exit status: 0 done,
2 refused because of the input, 1 an unexpected error). Every command takes ``--lang``
(``en`` by default, ``nl``) and says what it did or why not through :func:`say`, in that
language, from the catalog (``data_schema/i18n``, keys ``cli.*``); an operator never
sees a traceback. The printing helpers and exit statuses are those of data_schema's
commands (:mod:`data_schema.cli`), so both programs behave alike.
"""

from __future__ import annotations

from data_schema.cli import (
    EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, error, problem_lines, say, say_count, write,
)

__all__ = ["EXIT_BAD_INPUT", "EXIT_INTERNAL", "EXIT_INTERRUPTED", "EXIT_OK", "error", "problem_lines", "say",
           "say_count", "write"]
