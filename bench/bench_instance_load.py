"""Logged-in therapists served by one app instance: a bounded load run on 127.0.0.1.

One ``python -m dashboard serve`` (the production app, as ``docs/deploy/draagkracht@.service``
starts it, ``tests/e2e/instances.py``) on a demo practice of :data:`SESSIONS` therapists
(``store.demo.build_demo``). Each therapist is logged in once, the way the browser is
after its login: a login session opened in the database (``store.accounts.sessions.
open_session``) and its ticket redeemed for the cookie token (``redeem_ticket``), sent as
the ``draagkracht_session`` cookie with the websocket request. No login form is driven.

Each scripted session speaks Streamlit's own protocol over ``/_stcore/stream``, as the
frontend does (subprotocol ``streamlit``; ``BackMsg.rerun_script`` with the page's
``page_script_hash``; the run is over when the ``ForwardMsg`` ``script_finished`` arrives):
it opens My week (its home page) and then reruns it every :data:`THINK` seconds or so
(uniform, so the sessions do not click in step): a therapist who is logged in but mostly
reading, or with a patient with the page open. Timed on the client: from sending the
rerun until ``script_finished``, which is when the server has sent the whole page
(drawing it in a browser comes after, and is the same with or without load).
``DRAAGKRACHT_BENCH_SESSIONS`` and ``DRAAGKRACHT_BENCH_THINK`` change the two numbers.

Printed side by side, both measured in the same run on the same instance:

- idle: :data:`IDLE_RERUNS` reruns of My week by one session, nothing else connected;
- under load: every rerun of the :data:`SESSIONS` sessions in :data:`WINDOW` seconds
  after all of them are connected and have opened My week (p50, p95, how many, and
  whether the instance kept up: reruns done against reruns asked for);
- the ratio of the two p95s; the instance's own CPU time per rerun, idle and under load
  (``/proc/<pid>/stat``: steadier than the times on a shared machine, and what says how
  many reruns a second one instance, one core, can do); how long the ramp-up took (the
  sessions' first runs, 8 at a time: each computes its therapist's My week); and the
  instance's peak resident memory (``VmHWM``).

The database is PostgreSQL (``DRAAGKRACHT_BENCH_POSTGRES_URL``, default the local test
database, in a schema of its own, dropped after) as in a deployment of several instances;
without a reachable server, a SQLite file (said in the output). The load generator runs
on the same machine (one asyncio process), so on a 2-core machine it takes part of the
CPU the instance would otherwise have: the figure is on the safe side.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import secrets
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

SESSIONS = int(os.environ.get("DRAAGKRACHT_BENCH_SESSIONS", "300"))
# Seconds between one session's reruns, on average (uniform THINK/2 .. 3*THINK/2): a
# logged-in therapist mostly reads, or is with a patient with the page left open.
THINK = float(os.environ.get("DRAAGKRACHT_BENCH_THINK", "120"))
WINDOW = 60.0  # seconds of load that are measured
CONNECT_AT_ONCE = 8  # sessions opening My week at the same time during the ramp-up
IDLE_RERUNS = 40
RUN_TIMEOUT = 120.0  # seconds for one script run, however loaded
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class ScriptFailed(RuntimeError):
    """A run did not show My week (the login form, an exception, a compile error)."""


@dataclass(frozen=True)
class LoadFigure:
    """What ``python -m bench`` prints for this benchmark (information, no target)."""

    name: str
    database: str
    sessions: int
    think: float
    window: float
    idle: list[float]
    loaded: list[float]
    asked: int
    ramp_seconds: float
    idle_cpu: float  # the instance's CPU seconds per idle rerun
    loaded_cpu: float  # the instance's CPU seconds in the measured window
    peak_rss: int | None
    target: None = None
    ok: bool = True

    @staticmethod
    def _p(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]

    def report(self) -> str:
        idle95, load50, load95 = self._p(self.idle, 95), self._p(self.loaded, 50), self._p(self.loaded, 95)
        rss = "unknown" if self.peak_rss is None else f"{self.peak_rss / 2**20:.0f} MiB"
        return (
            f"{self.name} ({self.database})\n"
            f"  {'My week rerun, ' + str(self.sessions) + ' therapists logged in (p50)':<56} {load50 * 1000:10.1f} ms\n"
            f"  {'My week rerun, ' + str(self.sessions) + ' therapists logged in (p95)':<56} {load95 * 1000:10.1f} ms\n"
            f"  {'My week rerun, idle instance (p50)':<56} {self._p(self.idle, 50) * 1000:10.1f} ms\n"
            f"  {'My week rerun, idle instance (p95)':<56} {idle95 * 1000:10.1f} ms\n"
            f"  ratio {load95 / idle95:.2f}  (information, no target)\n"
            f"  {len(self.loaded)} reruns in {self.window:.0f} s under load ({len(self.loaded) / self.window:.1f}/s; "
            f"{self.asked} asked for: one per session every ~{self.think:.0f} s), {len(self.idle)} idle\n"
            f"  instance CPU per rerun: {self.idle_cpu * 1000:.0f} ms idle, "
            f"{self.loaded_cpu / max(len(self.loaded), 1) * 1000:.0f} ms under load "
            f"(busy {self.loaded_cpu / self.window:.0%} of one core in the window)\n"
            f"  ramp-up: the {self.sessions} sessions opened My week in {self.ramp_seconds:.0f} s "
            f"({CONNECT_AT_ONCE} at a time); instance peak RSS {rss}"
        )


# --- the database ---------------------------------------------------------------------------

@contextlib.contextmanager
def demo_database(directory: Path, therapists: int) -> Iterator[tuple[str, str]]:
    """A migrated demo practice of ``therapists`` therapists: (URL, which database)."""
    from sqlalchemy import text

    from store.db import make_engine, upgrade
    from store.demo import build_demo

    url = os.environ.get("DRAAGKRACHT_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    admin = None
    try:
        admin = make_engine(url, connect_args={"connect_timeout": 3})
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect: SQLite instead
        if admin is not None:
            admin.dispose()
        admin = None
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(f"instance load: PostgreSQL unreachable ({type(exc).__name__}: {first}); on SQLite instead")
    if admin is None:
        db_url, label, schema = f"sqlite:///{directory / 'bench-load.sqlite3'}", "SQLite", None
    else:
        schema = f"draagkracht_bench_{uuid.uuid4().hex[:12]}"
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        sep = "&" if "?" in url else "?"
        db_url, label = f"{url}{sep}options=-csearch_path%3D{schema}", "PostgreSQL"
    try:
        engine = make_engine(db_url)
        try:
            upgrade(engine)
            build_demo(engine, therapists=therapists)
        finally:
            engine.dispose()
        yield db_url, label
    finally:
        if admin is not None:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            admin.dispose()


def session_cookies(url: str) -> list[str]:
    """A cookie token per therapist account: a login session opened and its ticket
    redeemed, as the login and ``/auth/session`` do."""
    from sqlalchemy import select

    from store.accounts.sessions import open_session, redeem_ticket
    from store.db import make_engine, session_scope
    from store.models import UserAccount

    engine = make_engine(url)
    try:
        with session_scope(engine) as s:
            ids = s.scalars(select(UserAccount.id).where(UserAccount.role == "therapist",
                                                         UserAccount.active.is_(True))
                            .order_by(UserAccount.id)).all()
            grants = [open_session(s, account_id, client_address="127.0.0.1", device="bench") for account_id in ids]
        tokens = []
        with session_scope(engine) as s:
            for grant in grants:
                token = redeem_ticket(s, grant.ticket, client_address="127.0.0.1")
                if token is None:
                    raise RuntimeError("a login ticket could not be redeemed")
                tokens.append(token)
        return tokens
    finally:
        engine.dispose()


# --- a scripted Streamlit session ---------------------------------------------------------------

class ScriptedSession:
    """One browser tab, as Streamlit's frontend talks to the server."""

    def __init__(self, port: int, token: str, title: str) -> None:
        self.port, self.token, self.title = port, token, title
        self.page_script_hash = ""
        self.websocket = None

    async def connect(self) -> None:
        from websockets.asyncio.client import connect

        self.websocket = await connect(
            f"ws://127.0.0.1:{self.port}/_stcore/stream", subprotocols=["streamlit"],
            additional_headers={"Cookie": f"draagkracht_session={self.token}"},
            max_size=None, ping_interval=None, open_timeout=RUN_TIMEOUT)

    async def close(self) -> None:
        if self.websocket is not None:
            await self.websocket.close()

    def _rerun_message(self) -> bytes:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        message = BackMsg()
        state = message.rerun_script
        state.query_string = ""
        state.page_script_hash = self.page_script_hash
        state.context_info.timezone = "Europe/Amsterdam"
        state.context_info.locale = "nl-NL"
        state.context_info.url = f"http://127.0.0.1:{self.port}/"
        return message.SerializeToString()

    async def run(self, check: bool = False) -> float:
        """Ask for a rerun of the current page and wait for it to finish; the seconds."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        titles: list[str] = []
        started = time.perf_counter()
        await self.websocket.send(self._rerun_message())
        async with asyncio.timeout(RUN_TIMEOUT):
            while True:
                message = ForwardMsg()
                message.ParseFromString(await self.websocket.recv())
                kind = message.WhichOneof("type")
                if kind == "navigation":
                    self.page_script_hash = message.navigation.page_script_hash
                elif kind == "delta" and check and message.delta.WhichOneof("type") == "new_element":
                    element = message.delta.new_element
                    if element.WhichOneof("type") == "heading":
                        titles.append(element.heading.body)
                    elif element.WhichOneof("type") == "exception":
                        raise ScriptFailed(f"the page raised: {element.exception.message}")
                elif kind == "script_finished":
                    status = message.script_finished
                    if status in (ForwardMsg.FINISHED_SUCCESSFULLY,):
                        break
                    if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                        raise ScriptFailed("the script did not compile")
                    # FINISHED_EARLY_FOR_RERUN: the app reran itself; the run goes on
        elapsed = time.perf_counter() - started
        if check and self.title not in titles:
            raise ScriptFailed(f"My week was not shown (headings: {titles}): not logged in?")
        return elapsed


# --- the run -------------------------------------------------------------------------------------

def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used (Linux: ``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _idle(port: int, pid: int, token: str, title: str) -> tuple[list[float], float]:
    session = ScriptedSession(port, token, title)
    await session.connect()
    try:
        await session.run(check=True)
        for _ in range(3):  # warm-up
            await session.run()
        times = []
        cpu = cpu_seconds(pid)
        for _ in range(IDLE_RERUNS):
            times.append(await session.run())
            await asyncio.sleep(0.1)
        cpu = (cpu_seconds(pid) - cpu) / IDLE_RERUNS
        await session.run(check=True)
        return times, cpu
    finally:
        await session.close()


async def _load(port: int, pid: int, tokens: list[str], title: str) -> tuple[list[float], int, float, float]:
    sessions = [ScriptedSession(port, token, title) for token in tokens]
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)

    async def open_one(session: ScriptedSession) -> None:
        async with gate:
            await session.connect()
            await session.run(check=True)

    ramp_started = time.monotonic()
    await asyncio.gather(*(open_one(s) for s in sessions))
    ramp = time.monotonic() - ramp_started
    loaded: list[float] = []
    asked = 0
    cpu = cpu_seconds(pid)
    start = time.monotonic()
    end = start + WINDOW
    rng = random.Random(2026)

    async def clicks(session: ScriptedSession, first_delay: float) -> None:
        nonlocal asked
        await asyncio.sleep(first_delay)
        while time.monotonic() < end:
            asked += 1
            loaded.append(await session.run())
            await asyncio.sleep(min(rng.uniform(THINK / 2, THINK * 1.5), max(0.0, end - time.monotonic())))

    try:
        await asyncio.gather(*(clicks(s, rng.uniform(0, THINK)) for s in sessions))
        cpu = cpu_seconds(pid) - cpu
        await sessions[0].run(check=True)  # still My week, still logged in
    finally:
        await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
    return loaded, asked, ramp, cpu


def run() -> list[LoadFigure]:
    from dashboard.i18n import read_catalog
    from tests.e2e.instances import dashboard_instance, env_file_settings, peak_rss_bytes
    from tests.e2e.server import free_port

    title = read_catalog("nl")["my_week.title"]
    with tempfile.TemporaryDirectory(prefix="bench-instance-load-") as tmp:
        workdir = Path(tmp)
        with demo_database(workdir, SESSIONS) as (url, label):
            tokens = session_cookies(url)
            settings = {**env_file_settings(), "DRAAGKRACHT_DATABASE_URL": url,
                        "DRAAGKRACHT_COOKIE_SECRET": secrets.token_urlsafe(48), "DRAAGKRACHT_LOG_LEVEL": "warning"}
            with dashboard_instance(free_port(), settings, workdir / "instance.log") as instance:
                pid = instance.process.pid  # python -m dashboard serve execs the server in place
                idle, idle_cpu = asyncio.run(_idle(instance.port, pid, tokens[0], title))
                loaded, asked, ramp, loaded_cpu = asyncio.run(_load(instance.port, pid, tokens, title))
                peak = peak_rss_bytes(instance.process.pid)
    return [LoadFigure(f"logged-in therapists per instance: {len(tokens)} scripted websocket sessions",
                       label, len(tokens), THINK, WINDOW, idle, loaded, asked, ramp, idle_cpu, loaded_cpu, peak)]


if __name__ == "__main__":
    for figure in run():
        print(figure.report())
