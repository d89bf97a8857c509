"""App instances as the operator runs them: ``python -m dashboard serve`` with the command
of ``docs/deploy/draagkracht@.service`` and the settings of ``docs/deploy/draagkracht.env``
(docs/operator.md, "Serving it"). Shared by the failover test (``test_failover.py``) and
the per-instance load benchmark (``bench/bench_instance_load.py``).

Which instance holds a browser's websocket: :func:`established` counts the open TCP
connections to an instance's port (Linux, ``/proc/net/tcp``). Behind nginx an instance's
HTTP requests each close their upstream connection (``Connection: close`` for anything
but an upgrade, see the nginx config), so on an idle page the one connection that stays
open is the websocket.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping

ROOT = Path(__file__).resolve().parents[2]
UNIT_FILE = ROOT / "docs" / "deploy" / "draagkracht@.service"
ENV_FILE = ROOT / "docs" / "deploy" / "draagkracht.env"
START_TIMEOUT = 60.0  # seconds until /readyz must answer 200
STOP_TIMEOUT = 15.0  # the unit's TimeoutStopSec


class InstanceDidNotStart(RuntimeError):
    """``python -m dashboard serve`` exited or was not ready in time (the message holds its log)."""


def unit_command() -> list[str]:
    """The unit's ``ExecStart`` with this interpreter in place of the venv's python."""
    lines = [line.strip() for line in UNIT_FILE.read_text(encoding="utf-8").splitlines()]
    starts = [line.removeprefix("ExecStart=") for line in lines if line.startswith("ExecStart=")]
    assert len(starts) == 1, f"{UNIT_FILE} must have one ExecStart, has {len(starts)}"
    command = shlex.split(starts[0])
    assert command[0].endswith("/python"), f"ExecStart should run the venv's python: {starts[0]}"
    return [sys.executable, *command[1:]]


def unit_port_variable() -> str:
    """The variable the unit sets from its instance name (``Environment=NAME=%i``)."""
    for line in UNIT_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("Environment=") and line.endswith("=%i"):
            return line.removeprefix("Environment=").removesuffix("=%i")
    raise AssertionError(f"{UNIT_FILE} sets no variable from the instance name (Environment=NAME=%i)")


def env_file_settings() -> dict[str, str]:
    """``NAME=value`` lines of the example environment file (comments skipped)."""
    settings = {}
    for line in ENV_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            settings[name.strip()] = value.strip()
    return settings


def _headers(message) -> dict[str, str]:
    """Lower-case names; a header sent more than once (Set-Cookie) with its values joined by newlines."""
    out: dict[str, str] = {}
    for name, value in message.items():
        out[name.lower()] = f"{out[name.lower()]}\n{value}" if name.lower() in out else value
    return out


def get(url: str, timeout: float = 5, context=None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (:func:`_headers`) and body of a GET that follows no redirect."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003 - urllib's signature
            return None

    handlers = [NoRedirect()]
    if context is not None:
        handlers.append(urllib.request.HTTPSHandler(context=context))
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(url, timeout=timeout) as response:
            return response.status, _headers(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, _headers(error.headers), error.read()


def ready(base_url: str) -> bool:
    try:
        return get(f"{base_url}/readyz", timeout=2)[0] == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


@dataclass
class Instance:
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def address(self) -> str:
        """As nginx names it (``$upstream_addr``)."""
        return f"127.0.0.1:{self.port}"

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """SIGTERM, as ``systemctl stop`` sends it; SIGKILL after the unit's stop timeout."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@contextlib.contextmanager
def dashboard_instance(port: int, settings: Mapping[str, str], log_path: Path) -> Iterator[Instance]:
    """One instance as the unit starts it (:func:`unit_command`, the settings in the
    environment, the port by the unit's variable), yielded once ``/readyz`` answers 200;
    stopped after."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DRAAGKRACHT_")}
    env.update(settings)
    env[unit_port_variable()] = str(port)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(unit_command(), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    instance = Instance(port, process, log_path)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not ready(instance.base_url):
            if process.poll() is not None:
                raise InstanceDidNotStart(f"python -m dashboard serve on port {port} exited with code "
                                          f"{process.returncode}:\n{instance.log()}")
            if time.monotonic() > deadline:
                raise InstanceDidNotStart(f"python -m dashboard serve on port {port} was not ready within "
                                          f"{START_TIMEOUT:.0f}s:\n{instance.log()}")
            time.sleep(0.2)  # polling a server process, not a browser
        yield instance
    finally:
        instance.stop()


def established(port: int) -> int:
    """Open (ESTABLISHED) TCP connections to ``port`` on this machine, counted on the
    server's side (Linux: ``/proc/net/tcp`` and ``tcp6``)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            if state == "01" and int(local.rsplit(":", 1)[1], 16) == port:
                count += 1
    return count


def peak_rss_bytes(pid: int) -> int | None:
    """The process's peak resident memory (Linux: ``VmHWM`` in ``/proc/<pid>/status``)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None
