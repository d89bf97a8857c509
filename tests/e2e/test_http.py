"""Issue 13: what the production app (``dashboard/server.py``, ``streamlit run`` on
127.0.0.1) answers over HTTP: the security headers on every kind of response (the page, a
static file, Streamlit's health check, our health and readiness checks, the cookie
route), HSTS only over HTTPS (said by a trusted proxy), CORS closed, and the cookie route's
rules. No browser needed; the server is the browser suite's (``streamlit_server``)."""

from __future__ import annotations

import datetime as dt
import re
import urllib.error
import urllib.request
from http.client import HTTPResponse
from pathlib import Path

import pytest
import streamlit

from dashboard.components.auth import COOKIE_NAME
from dashboard.http import SECURITY_HEADERS, content_security_policy
from store.accounts import create_user
from store.accounts.sessions import check_session, open_session
from store.db import head_revision, make_engine, session_scope
from tests.e2e.conftest import THERAPIST


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(url: str, headers: dict[str, str] | None = None) -> HTTPResponse:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        return OPENER.open(request, timeout=30)
    except urllib.error.HTTPError as answer:  # 3xx (not followed), 4xx, 5xx: still an answer
        return answer


def static_file() -> str:
    js = Path(streamlit.__file__).parent / "static" / "static" / "js"
    return "/static/js/" + sorted(p.name for p in js.glob("index.*.js"))[0]


@pytest.mark.parametrize("path", ["/", "/my-cases", "STATIC", "/_stcore/health", "/healthz", "/readyz",
                                  "/auth/session?ticket=x", "/favicon.png"])
def test_every_kind_of_response_carries_the_headers(streamlit_server, path):
    answer = fetch(streamlit_server + (static_file() if path == "STATIC" else path))
    assert answer.status < 500
    for name, value in SECURITY_HEADERS.items():
        assert answer.headers[name] == value, name
    csp = answer.headers["Content-Security-Policy"]
    assert csp == content_security_policy()
    assert "frame-ancestors 'none'" in csp and "'unsafe-eval'" not in csp
    assert "unsafe-inline" not in re.search(r"script-src([^;]*)", csp).group(1)
    assert answer.headers["Strict-Transport-Security"] is None  # plain HTTP


def test_hsts_only_when_a_trusted_proxy_says_https(streamlit_server):
    # the fixture's server trusts 127.0.0.1 as its proxy (DRAAGKRACHT_TRUSTED_PROXIES)
    answer = fetch(streamlit_server + "/healthz", {"X-Forwarded-Proto": "https"})
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_cors_stays_closed(streamlit_server):
    answer = fetch(streamlit_server + "/_stcore/health", {"Origin": "https://evil.example"})
    assert answer.headers["Access-Control-Allow-Origin"] in (None, streamlit_server)


def test_health_and_readiness(streamlit_server):
    assert fetch(streamlit_server + "/healthz").read() == b'{"status":"ok"}'
    ready = fetch(streamlit_server + "/readyz")
    assert ready.status == 200 and f'"migration":"{head_revision()}"'.encode() in ready.read()


# --- /auth/session --------------------------------------------------------------------------


@pytest.fixture
def ticket(e2e_database):
    """A fresh login's ticket (as the login form would hand out), from 127.0.0.1."""
    engine = make_engine(e2e_database)
    try:
        with session_scope(engine) as s:
            from store.models import UserAccount
            from sqlalchemy import select

            account = s.scalar(select(UserAccount.id).where(UserAccount.username == THERAPIST))
            grant = open_session(s, account, client_address="127.0.0.1", device="Chrome, Linux")
        yield grant.ticket, engine
    finally:
        engine.dispose()


def _cookie(answer) -> str | None:
    return next((v for k, v in answer.headers.items() if k.lower() == "set-cookie" and v.startswith(COOKIE_NAME)),
                None)


def test_a_ticket_sets_the_cookie_once_and_returns_to_the_page(streamlit_server, ticket):
    value, engine = ticket
    answer = fetch(f"{streamlit_server}/auth/session?ticket={value}&next=my-cases")
    assert (answer.status, answer.headers["Location"]) == (303, "/my-cases")
    cookie = _cookie(answer)
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "path=/", "samesite=strict"} <= attributes and "secure" not in attributes
    token = cookie.split(";")[0].split("=", 1)[1]
    with session_scope(engine) as s:
        assert check_session(s, token).account is not None
    again = fetch(f"{streamlit_server}/auth/session?ticket={value}&next=my-cases")
    assert again.status == 303 and _cookie(again) is None  # a ticket works once


def test_the_cookie_is_secure_behind_a_trusted_https_proxy(streamlit_server, ticket):
    answer = fetch(f"{streamlit_server}/auth/session?ticket={ticket[0]}", {"X-Forwarded-Proto": "https"})
    assert "secure" in {p.strip().lower() for p in _cookie(answer).split(";")}


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"},  # lured from another site
                                     {"X-Forwarded-For": "203.0.113.9"}])  # from another address
def test_a_ticket_out_of_place_sets_nothing(streamlit_server, ticket, headers):
    answer = fetch(f"{streamlit_server}/auth/session?ticket={ticket[0]}&next=my-week", headers)
    assert (answer.status, answer.headers["Location"], _cookie(answer)) == (303, "/my-week", None)


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example", "../../etc", "my-week\r\nX: y"])
def test_the_way_back_is_never_elsewhere(streamlit_server, target):
    from urllib.parse import quote

    answer = fetch(f"{streamlit_server}/auth/session?ticket=none&next={quote(target)}")
    assert (answer.status, answer.headers["Location"]) == (303, "/")


def test_an_expired_ticket_sets_nothing(streamlit_server, e2e_database):
    engine = make_engine(e2e_database)
    try:
        with session_scope(engine) as s:
            from store.models import UserAccount
            from sqlalchemy import select

            account = s.scalar(select(UserAccount.id).where(UserAccount.username == THERAPIST))
            old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
            grant = open_session(s, account, now=old, client_address="127.0.0.1")
    finally:
        engine.dispose()
    assert _cookie(fetch(f"{streamlit_server}/auth/session?ticket={grant.ticket}")) is None


def test_the_page_says_its_language(streamlit_server, e2e_database, add_therapist_account):
    """WCAG 3.1.1: Dutch before login (the default), the account's language with its cookie."""
    from store.accounts.sessions import redeem_ticket

    from dashboard.http import FOCUS_CSS

    def lang(headers=None) -> str:
        page = fetch(streamlit_server + "/my-week", {"Accept-Encoding": "gzip", **(headers or {})})
        assert page.headers["Content-Encoding"] is None and page.headers["ETag"] is None
        html = page.read()
        assert f"<style>{FOCUS_CSS}</style></head>".encode() in html  # the focus ring, once
        assert html.count(b"<style>") == 1
        return re.search(rb'<html lang="([a-z]+)">', html).group(1).decode()

    assert lang() == "nl"
    add_therapist_account(e2e_database, "e2e-english-page", "english-page-wachtwoord-1", language="en")
    engine = make_engine(e2e_database)
    try:
        with session_scope(engine) as s:
            from sqlalchemy import select

            from store.models import UserAccount

            account = s.scalar(select(UserAccount.id).where(UserAccount.username == "e2e-english-page"))
            token = redeem_ticket(s, open_session(s, account, client_address="127.0.0.1").ticket)
    finally:
        engine.dispose()
    assert lang({"Cookie": f"{COOKIE_NAME}={token}"}) == "en"
    assert lang({"Cookie": f"{COOKIE_NAME}=made-up"}) == "nl"


def test_readiness_fails_on_a_damaged_database_and_the_log_says_why(tmp_path):
    """A file that is not a database: /readyz answers 503 "damaged" (the process itself
    is up: /healthz 200), and the server log holds the driver's cause."""
    from tests.e2e.server import streamlit_server as serve

    broken = tmp_path / "draagkracht.sqlite3"
    broken.write_bytes(b"this is not a SQLite database " * 200)
    log = tmp_path / "server.log"
    with serve("dashboard/server.py", f"sqlite:///{broken}", log) as url:
        assert fetch(url + "/healthz").status == 200
        answer = fetch(url + "/readyz")
        assert answer.status == 503 and answer.read() == b'{"status":"not ready","database":"damaged"}'
    assert "not ready: database damaged" in log.read_text() and "file is not a database" in log.read_text()


@pytest.mark.parametrize("proxies, forged_https_counts", [("", False), ("127.0.0.1", True)])
def test_serve_trusts_forwarded_headers_only_from_the_trusted_proxies(tmp_path, e2e_database, proxies,
                                                                      forged_https_counts):
    """``python -m dashboard serve`` (the production start): a request from 127.0.0.1 that
    says it came over HTTPS counts only when 127.0.0.1 is a trusted proxy; uvicorn on its
    own would trust 127.0.0.1 whatever DRAAGKRACHT_TRUSTED_PROXIES says."""
    import os
    import subprocess
    import sys
    import time

    from tests.e2e.server import ROOT, free_port, healthy

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAAGKRACHT_") and k != "FORWARDED_ALLOW_IPS"}
    env.update(DRAAGKRACHT_DATABASE_URL=e2e_database, DRAAGKRACHT_PORT=str(port), DRAAGKRACHT_TRUSTED_PROXIES=proxies)
    with open(tmp_path / "serve.log", "wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "dashboard", "serve"], cwd=ROOT, env=env, stdout=log,
                                  stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not healthy(f"http://127.0.0.1:{port}/healthz"):
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)  # polling the server process
        answer = fetch(f"http://127.0.0.1:{port}/healthz", {"X-Forwarded-Proto": "https"})
        assert (answer.headers["Strict-Transport-Security"] is not None) is forged_https_counts
    finally:
        server.terminate()
        server.wait(timeout=20)
