"""``python -m dashboard serve``: the production app (``dashboard/server.py``) with its
settings from the environment (``dashboard.settings``: one list, checked before the start;
a wrong value stops it with one line and exit code 2). ``--check`` checks and says so.

``make run`` is the one-person version of the same (migrates, adds the demo practice to an
empty database). For a practice: ``python -m store upgrade`` once per release, then one
``serve`` per app instance (docs/operator.md, "Serving it").
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from dashboard.i18n import translate
from dashboard.settings import COOKIE_SECRET, SettingsError, read_settings
from data_schema.cli import write


def say(lang: str, key: str, /, *, stream=None, **params: object) -> None:
    """The dashboard catalog's text ``key`` (``dashboard/i18n/*.serve.json``)."""
    write(translate(lang, key, **params), stream)


def error(lang: str, key: str, /, **params: object) -> None:
    say(lang, key, stream=sys.stderr, **params)

SERVER = Path(__file__).resolve().parent / "server.py"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description="Draagkracht's dashboard")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the production app (settings from the environment)")
    serve.add_argument("--check", action="store_true", help="check the settings and stop")
    serve.add_argument("--lang", choices=("nl", "en"), default="en", help="language of the messages (default en)")
    args = parser.parse_args(argv)
    try:
        settings = read_settings()
    except SettingsError as refused:
        error(args.lang, "serve.not_started", reason=refused.line(args.lang))
        return 2
    if args.check:
        say(args.lang, "serve.checked", address=settings.address, port=settings.port)
        return 0
    if not settings.cookie_secret_given:
        error(args.lang, "serve.secret_drawn", variable=COOKIE_SECRET)
    env = {**os.environ, **settings.server_environment()}
    command = [sys.executable, "-m", "streamlit", "run", str(SERVER), *settings.streamlit_flags()]
    os.execve(sys.executable, command, env)  # the server takes this process's place (signals, systemd)
    return 0  # pragma: no cover - execve does not return


if __name__ == "__main__":
    sys.exit(main())
