"""A real ``streamlit run`` on a free port, and waiting on the app's script state: shared
by the browser tests (``conftest.py``) and the browser benchmark (``bench/bench_dashboard.py``)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[2]
SERVER_START_TIMEOUT = 60.0  # seconds until /_stcore/health must answer
APP_TIMEOUT_MS = 30_000  # longest a script run may take in the browser


class ServerDidNotStart(RuntimeError):
    """``streamlit run`` exited or did not answer its health check in time (the message
    holds its log)."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


@contextlib.contextmanager
def streamlit_server(script: str | Path, database_url: str, log_path: Path) -> Iterator[str]:
    """Run ``streamlit run <script>`` (relative to the repository) on a free port against
    ``database_url``; yield its base URL once /_stcore/health answers; stop it after."""
    port = free_port()
    env = {**os.environ, "DRAAGKRACHT_DATABASE_URL": database_url}
    env.pop("DRAAGKRACHT_REQUIRE_TOTP_ROLES", None)
    # A browser context may say it is another device (an X-Forwarded-For header), as if
    # through a proxy on this machine: a temporary password is refused from the address
    # of the admin who gave it (store.accounts.login).
    env["DRAAGKRACHT_TRUSTED_PROXIES"] = "127.0.0.1"
    env["FORWARDED_ALLOW_IPS"] = "127.0.0.1"  # uvicorn, the same (python -m dashboard serve sets it so)
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not healthy(f"{base_url}/_stcore/health"):
            if proc.poll() is not None:
                raise ServerDidNotStart(
                    f"streamlit exited with code {proc.returncode}:\n{log_path.read_text(errors='replace')}")
            if time.monotonic() > deadline:
                raise ServerDidNotStart(
                    f"streamlit did not answer {base_url}/_stcore/health within "
                    f"{SERVER_START_TIMEOUT:.0f}s:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.2)  # polling the server process, not the browser
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def wait_for_app(page, timeout: float = APP_TIMEOUT_MS) -> None:
    """Wait until the app is connected and its script has finished running.

    Streamlit marks the ``stApp`` element with ``data-test-connection-state`` and
    ``data-test-script-state`` (``initial`` -> ``running`` -> ``notRunning``); its own
    e2e suite waits on the same attributes. Call this after every interaction that
    triggers a rerun, together with an ``expect`` on content the rerun must produce
    (a rerun may not have started yet when this is called).
    """
    from playwright.sync_api import expect

    app = page.get_by_test_id("stApp")
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=timeout)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=timeout)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=timeout)
