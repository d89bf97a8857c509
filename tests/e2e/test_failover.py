"""Two app instances on one PostgreSQL behind nginx with TLS: a therapist loses the
instance that served her and keeps her login and her check-in (issue 13, "Serving it").

What runs is what docs/operator.md (section 13) tells an operator to run: Debian's nginx
with ``docs/deploy/nginx-draagkracht.conf`` (rendered for free ports by
``tests/e2e/nginx.py``), a self-signed certificate, and two ``python -m dashboard serve``
started with the ``ExecStart`` of ``docs/deploy/draagkracht@.service`` and the settings of
``docs/deploy/draagkracht.env`` (``tests/e2e/instances.py``), on a PostgreSQL database
of this test's own (created and dropped here, so the store tests' ``test`` database is
left alone).

In Chromium (``ignore_https_errors``: the certificate is self-signed), through nginx over
HTTPS: the therapist logs in and saves this week's check-in. The instance that holds her
websocket is found from the open connections to each instance's port; that instance is
stopped (SIGTERM). Streamlit's frontend reconnects through nginx, which now reaches only
the other instance: she is still logged in there (the session cookie names a session in
the shared database) and her check-in is there, after the reconnect and after a reload.

Also: the session cookie is ``Secure`` (set over HTTPS through the proxy, whose
``X-Forwarded-Proto`` the app trusts from 127.0.0.1 only), ``HttpOnly`` and
``SameSite=Strict``; responses through nginx carry ``Strict-Transport-Security``; plain
HTTP is sent to HTTPS; nginx's log names the stopped instance for the websocket and the
other one after; no Content-Security-Policy violation in the browser.

Skipped with the reason when nginx, openssl or PostgreSQL is missing; with
``REQUIRE_BROWSER=1`` (CI) a missing nginx or openssl fails, with ``REQUIRE_POSTGRES=1``
an unreachable PostgreSQL fails.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import ssl
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from complexity import CHECKIN
from complexity.calendar import monday_of, today
from dashboard.i18n import read_catalog
from store.db import make_engine, session_scope
from store.models import UserAccount, WeeklyCheckin
from tests.e2e.conftest import (
    PASSWORD,
    THERAPIST,
    _add_therapist_account,
    browser_unavailable,
    own_context_page,
)
from tests.e2e.instances import (
    Instance,
    InstanceDidNotStart,
    dashboard_instance,
    env_file_settings,
    established,
    get,
)
from tests.e2e.nginx import NginxDidNotStart, Proxy, nginx_path, nginx_proxy
from tests.e2e.server import free_port
from tests.e2e.widgets import pick

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
NL = read_catalog("nl")
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
WEEK = {"energy": 7, "body_tension": 3, "emotional_exhaustion": 2, "rumination": 2, "sleep": 7,
        "meaning": 8, "selfcare_time": 6, "burnout": 2}
WEBSOCKET_TIMEOUT = 60.0  # seconds for a websocket to settle on one instance


# --- what the test needs ------------------------------------------------------------------

def _postgres_unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL is required (REQUIRE_POSTGRES=1) but unavailable: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not reachable ({reason}); set REQUIRE_POSTGRES=1 to make this a failure")


@pytest.fixture(scope="module")
def nginx() -> str:
    path = nginx_path()
    if path is None:
        browser_unavailable("nginx is not installed (not on PATH, nor /usr/sbin/nginx); apt-get install nginx")
    if shutil.which("openssl") is None:
        browser_unavailable("openssl is not installed (the test's certificate); apt-get install openssl")
    return path


@pytest.fixture(scope="module")
def failover_database() -> Iterator[str]:
    """A PostgreSQL database of this test's own (``draagkracht_failover_<random>``),
    migrated by ``python -m store upgrade``, with the therapist's account; dropped after."""
    admin_url = make_url(os.environ.get("DRAAGKRACHT_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "unreachable"
        admin.dispose()
        _postgres_unavailable(f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}")
    name = f"draagkracht_failover_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        env = {**os.environ, "DRAAGKRACHT_DATABASE_URL": url}
        done = subprocess.run([sys.executable, "-m", "store", "upgrade"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr
        _add_therapist_account(url, THERAPIST, PASSWORD)
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="module")
def instances(failover_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Instance]]:
    """Two instances on the database, with the documented settings and one shared secret."""
    settings = env_file_settings()
    settings.update({"DRAAGKRACHT_DATABASE_URL": failover_database,
                     "DRAAGKRACHT_COOKIE_SECRET": secrets.token_urlsafe(48)})
    assert settings["DRAAGKRACHT_TRUSTED_PROXIES"] == "127.0.0.1"  # nginx, as the app sees it
    logs = tmp_path_factory.mktemp("instances")
    ports = [free_port(), free_port()]
    while ports[1] == ports[0]:
        ports[1] = free_port()
    try:
        with (dashboard_instance(ports[0], settings, logs / "a.log") as a,
              dashboard_instance(ports[1], settings, logs / "b.log") as b):
            yield [a, b]
    except InstanceDidNotStart as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="module")
def proxy(nginx: str, instances: list[Instance], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    https_port, http_port = free_port(), free_port()
    try:
        with nginx_proxy(nginx, tmp_path_factory.mktemp("nginx"), https_port=https_port, http_port=http_port,
                         upstream_ports=[i.port for i in instances]) as running:
            yield running
    except NginxDidNotStart as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def tls_page(request: pytest.FixtureRequest, browser, proxy: Proxy) -> Iterator[Page]:
    """A page in a context of its own that accepts the self-signed certificate (a CSP
    violation fails the test, a failure leaves a screenshot: ``own_context_page``)."""
    yield from own_context_page(request, browser, ignore_https_errors=True)


def _insecure() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test's self-signed certificate
    return context


# --- the page ------------------------------------------------------------------------------

def _check_in(page: Page, wait_for_app) -> None:
    """This week's check-in, filled in as a therapist does (as test_therapist_journey)."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=NL["nav.checkin"]).click()
    expect(page.get_by_role("heading", name=NL["checkin.title"], exact=True)).to_be_visible()
    wait_for_app(page)
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name=NL["checkin.submit"]))
    for field in CHECKIN.scale_fields:
        value = WEEK[field.id]
        option = f"{value}. {field.levels['nl'][value - field.min]}" if field.levels else str(value)
        pick(form.get_by_role("radiogroup", name=field.label("nl"), exact=True), option)
    form.get_by_role("button", name=NL["checkin.submit"]).click()
    expect(page.get_by_text(NL["checkin.saved"])).to_be_visible()
    wait_for_app(page)


def _expect_logged_in_with_check_in(page: Page, capacity: str) -> None:
    expect(page.get_by_role("button", name=NL["auth.logout"])).to_be_visible()
    expect(page.get_by_role("heading", name=NL["checkin.title"], exact=True)).to_be_visible()
    expect(page.get_by_text(NL["checkin.saved"])).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text=NL["my_week.capacity"])).to_contain_text(capacity)
    expect(page.get_by_role("heading", name=NL["login.title"])).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def _websocket_instance(instances: list[Instance]) -> Instance:
    """The one instance with an open connection (the websocket: nginx closes every other
    upstream connection after its response), once that has held for a moment."""
    deadline = time.monotonic() + WEBSOCKET_TIMEOUT
    seen: list[int] = []
    steady = 0
    while time.monotonic() < deadline:
        counts = [established(i.port) if i.running() else 0 for i in instances]
        holding = [i for i, n in zip(instances, counts) if n > 0]
        steady = steady + 1 if len(holding) == 1 and counts == seen else 0
        seen = counts
        if steady >= 5:  # the same single instance for half a second
            assert counts == [1 if i is holding[0] else 0 for i in instances], counts
            return holding[0]
        time.sleep(0.1)  # polling the kernel's connection table, not the browser
    raise AssertionError(f"no single instance held the websocket within {WEBSOCKET_TIMEOUT:.0f}s: {seen}")


def _stored_check_ins(url: str) -> int:
    engine = make_engine(url)
    try:
        with session_scope(engine, readonly=True) as s:
            therapist_id = s.scalar(select(UserAccount.therapist_id).where(UserAccount.username == THERAPIST))
            return s.scalar(select(func.count()).select_from(WeeklyCheckin).where(
                WeeklyCheckin.therapist_id == therapist_id,
                WeeklyCheckin.week_start == monday_of(today())))
    finally:
        engine.dispose()


# --- the tests -----------------------------------------------------------------------------

def test_responses_through_nginx_carry_hsts_and_plain_http_goes_to_https(proxy: Proxy) -> None:
    for path in ("/", "/healthz", "/readyz", "/favicon.png"):
        status, headers, body = get(f"{proxy.base_url}{path}", context=_insecure())
        assert status == 200, (path, status)
        if path == "/favicon.png":  # a static file, not the page
            assert headers["content-type"] == "image/png" and body.startswith(b"\x89PNG"), headers
        assert headers.get("strict-transport-security") == "max-age=31536000; includeSubDomains", (path, headers)
        assert "frame-ancestors 'none'" in headers.get("content-security-policy", ""), (path, headers)
        # nginx's routing cookie (docs/deploy/nginx-draagkracht.conf), to a client without one
        route = [c for c in headers.get("set-cookie", "").splitlines() if c.startswith("draagkracht_route=")]
        assert len(route) == 1 and re.fullmatch(
            r"draagkracht_route=[0-9a-f]{32}; Path=/; Secure; HttpOnly; SameSite=Strict", route[0]), headers
    status, headers, _ = get(f"http://127.0.0.1:{proxy.http_port}/my-week?x=1")
    assert status == 301
    assert headers["location"] == "https://127.0.0.1/my-week?x=1"


def test_a_therapist_keeps_her_login_and_check_in_when_her_instance_stops(
        tls_page: Page, proxy: Proxy, instances: list[Instance], failover_database: str, log_in,
        wait_for_app) -> None:
    page = tls_page
    page.goto(f"{proxy.base_url}/")
    wait_for_app(page)
    expect(page.get_by_role("heading", name=NL["login.title"], exact=True)).to_be_visible()
    log_in(page, THERAPIST, PASSWORD)
    expect(page.get_by_role("heading", name=NL["my_week.title"], exact=True)).to_be_visible()
    assert page.url.startswith(proxy.base_url)

    # The session cookie, set by /auth/session behind the proxy: Secure, because nginx said
    # https and the app trusts nginx's address (DRAAGKRACHT_TRUSTED_PROXIES=127.0.0.1).
    cookies = [c for c in page.context.cookies() if c["name"] == "draagkracht_session"]
    assert len(cookies) == 1, page.context.cookies()
    cookie = cookies[0]
    assert cookie["secure"] is True and cookie["httpOnly"] is True and cookie["sameSite"] == "Strict", cookie
    assert cookie["path"] == "/"
    response = page.request.get(f"{proxy.base_url}/healthz")
    assert response.headers.get("strict-transport-security") == "max-age=31536000; includeSubDomains"

    _check_in(page, wait_for_app)
    capacity = page.get_by_test_id("stMetric").filter(has_text=NL["my_week.capacity"])
    expect(capacity).to_contain_text(re.compile(r"\d+/100"))
    capacity_text = re.search(r"\d+/100", capacity.inner_text()).group(0)
    assert _stored_check_ins(failover_database) == 1

    # Stop the instance that holds her websocket.
    serving = _websocket_instance(instances)
    other = next(i for i in instances if i is not serving)
    serving.stop()
    assert not serving.running()

    # The frontend reconnects through nginx to the other instance, which knows her by her
    # cookie and reruns the page she was on.
    assert _websocket_instance(instances) is other
    wait_for_app(page)
    _expect_logged_in_with_check_in(page, capacity_text)

    # A reload: a new page, only the other instance left.
    page.reload()
    wait_for_app(page)
    _expect_logged_in_with_check_in(page, capacity_text)
    assert page.url.startswith(proxy.base_url)
    assert _stored_check_ins(failover_database) == 1  # saved once, nothing lost

    # nginx's own record: the websocket was on the stopped instance (its line is written
    # when it closes), and the other instance has served the page since.
    lines = proxy.access_lines()
    streams = [line for line in lines if "/_stcore/stream" in line and '" 101 ' in line]
    assert any(f"upstream={serving.address} " in line for line in streams), streams
    after = lines[next(i for i, line in enumerate(lines) if f"upstream={serving.address} " in line
                       and "/_stcore/stream" in line):]
    assert any(f"upstream={other.address}" in line for line in after), after
    assert other.running()
    # Every image and download the pages asked for came from the instance that made it
    # (a browser stays on one instance while it is up: nginx's route cookie).
    media = [line for line in lines if '"GET /media/' in line]
    assert media and not [line for line in media if '" 404 ' in line], media
