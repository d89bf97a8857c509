"""HTTP around the Streamlit app (``dashboard/server.py``): the security headers on every
response, the route that sets the session cookie, and the health and readiness checks.

**Content-Security-Policy**, and why each source is there (Streamlit 1.67's frontend,
checked in Chromium by the whole browser suite, which fails on any CSP violation):

- ``default-src 'self'``: everything from this server unless said otherwise.
- ``script-src 'self'`` plus the SHA-256 of each inline ``<script>`` in Streamlit's
  ``index.html`` (one line that sets ``window.prerenderReady``), read from the installed
  file at start, so an upgrade cannot silently need ``'unsafe-inline'``.
- ``style-src 'self' 'unsafe-inline'``: Streamlit's components style themselves with
  CSS-in-JS (Emotion), which writes ``<style>`` elements at run time, and Plotly sets
  ``style`` attributes. No script can run from a style.
- ``img-src 'self' data: blob:``: icons and images Streamlit inlines as ``data:``,
  Plotly's downloads as ``blob:``.
- ``font-src 'self' data:``: the bundled Source Sans and Material Symbols fonts.
- ``connect-src 'self'``: the websocket (``/_stcore/stream``, same host; CSP Level 3
  lets ``'self'`` match ``ws:``/``wss:`` to the same host) and the ``/_stcore`` calls.
- ``worker-src 'self' blob:``: the web workers Streamlit's frontend starts.
- ``frame-src 'self'``, ``object-src 'none'``, ``base-uri 'self'``, ``form-action 'self'``,
  ``frame-ancestors 'none'`` (with ``X-Frame-Options: DENY`` for older browsers): no
  framing by other sites (clickjacking), no plug-ins, no rebased links, no forms posted
  elsewhere.

The other headers: ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``
(an address never leaves with a link), ``Permissions-Policy`` closing what the app does
not use (camera, microphone, location, payment, USB, ...), ``Cross-Origin-Opener-Policy:
same-origin``, and ``Strict-Transport-Security`` when the request came over HTTPS
(directly, or per ``X-Forwarded-Proto`` from a trusted proxy, ``store.clients``).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from functools import cache
from pathlib import Path

import streamlit
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from dashboard.components.auth import COOKIE_NAME, COOKIE_ROUTE
from dashboard.i18n import DEFAULT_LANGUAGE, LANGUAGES
from store.accounts.sessions import redeem_ticket, session_language
from store.clients import client_address, from_trusted_proxy
from store.db import database_url, make_engine, session_scope
from store.health import database_state

LOG = logging.getLogger("draagkracht.server")

PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope", "hid", "magnetometer",
    "microphone", "midi", "payment", "publickey-credentials-get", "screen-wake-lock", "serial", "usb",
    "xr-spatial-tracking",
))
SECURITY_HEADERS: dict[str, str] = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
PAGE_PATH = re.compile(r"^[a-z0-9-]{0,40}$")  # a page's url_path (app.py), "" for the home page
DONE = re.compile(r"^[a-z_]{1,40}$")


@cache
def inline_script_hashes() -> tuple[str, ...]:
    """``'sha256-...'`` of each inline script in the installed Streamlit's index.html."""
    index = Path(streamlit.__file__).resolve().parent / "static" / "index.html"
    scripts = re.findall(r"<script>(.*?)</script>", index.read_text(encoding="utf-8"), flags=re.S)
    return tuple("'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
                 for s in scripts)


@cache
def content_security_policy() -> str:
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(("'self'", *inline_script_hashes())),
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data: blob:",
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "worker-src": "'self' blob:",
        "frame-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def over_https(scope) -> bool:
    """The request came over HTTPS: directly, or through a trusted proxy that says so."""
    if scope.get("scheme") in ("https", "wss"):
        return True
    proto = _header(scope, b"x-forwarded-proto")
    peer = (scope.get("client") or (None,))[0]
    return proto is not None and from_trusted_proxy(peer) and proto.split(",")[0].strip().lower() == "https"


def request_client_address(request: Request) -> str:
    """The client's address as the audit log has it (``store.clients.client_address``)."""
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.get("x-forwarded-for"))


class SecurityHeaders:
    """ASGI middleware: the headers above on every HTTP response (not on the websocket)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = over_https(scope)

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                headers["Content-Security-Policy"] = content_security_policy()
                if https:
                    headers["Strict-Transport-Security"] = HSTS
            await send(message)

        await self.app(scope, receive, send_with_headers)


# A focus ring a keyboard user can see on every control (WCAG 2.1 2.4.7, and 3:1 against
# what surrounds it, 1.4.11): Streamlit's own is a faint grey tint on sidebar links and
# radio options (1.1:1). Radio buttons and checkboxes hide their <input>, so the ring goes
# on the label that holds the focused input.
FOCUS_CSS = (
    ":focus-visible{outline:3px solid #0072B2 !important;outline-offset:2px !important}"
    "label:has(input:focus-visible){outline:3px solid #0072B2;outline-offset:2px;border-radius:4px}"
)


class PageLanguage:
    """ASGI middleware: the page Streamlit serves says ``<html lang="en">`` whatever the
    app's language, so a screen reader would read Dutch with an English voice (WCAG 2.1
    3.1.1, Language of Page). The page is sent with the language of the account whose
    session cookie it carries, else the app's default (Dutch). A language switched in the
    sidebar holds from the next page load. The page also gets :data:`FOCUS_CSS` in its
    head (no cost per rerun, unlike a style element drawn by the script). Only HTML pages
    are touched (uncompressed: Streamlit's gzip is asked not to compress them; about 8 kB)."""

    SKIP = ("/static/", "/_stcore/", "/media/", "/component/", "/auth/", "/healthz", "/readyz", "/favicon")

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope.get("method") != "GET" or any(part in path for part in self.SKIP):
            await self.app(scope, receive, send)
            return
        dropped = (b"accept-encoding", b"if-none-match", b"if-modified-since")  # a whole, plain page each time
        scope = {**scope, "headers": [(k, v) for k, v in scope.get("headers", ()) if k not in dropped]}
        lang = await run_in_threadpool(_page_language, _cookie(scope, COOKIE_NAME))
        start: dict | None = None
        body: list[bytes] = []

        async def rewrite(message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                content_type = MutableHeaders(scope=message).get("content-type", "")
                if not content_type.startswith("text/html"):
                    await send(message)
                    return
                start = message
                return
            if start is None:
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            page = b"".join(body).replace(b'<html lang="en">', f'<html lang="{lang}">'.encode(), 1)
            page = page.replace(b"</head>", f"<style>{FOCUS_CSS}</style></head>".encode(), 1)
            headers = MutableHeaders(scope=start)
            headers["content-length"] = str(len(page))
            for validator in ("etag", "last-modified"):  # the page differs per user: no cached copy
                if validator in headers:
                    del headers[validator]
            headers["cache-control"] = "no-store"
            await send(start)
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, rewrite)


def _cookie(scope, name: str) -> str | None:
    header = _header(scope, b"cookie")
    if not header:
        return None
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def _page_language(token: str | None) -> str:
    if token:
        try:
            with session_scope(_engine(), readonly=True) as session:
                lang = session_language(session, token)
            if lang in LANGUAGES:
                return lang
        except Exception:  # noqa: BLE001 - the page still loads; the app itself reports the database
            LOG.exception("could not read the page language")
    return DEFAULT_LANGUAGE


# --- routes -------------------------------------------------------------------------------

@cache
def _engine():
    return make_engine(database_url())


def _redeem(ticket: str | None, address: str) -> str | None:
    with session_scope(_engine()) as session:
        return redeem_ticket(session, ticket, client_address=address)


async def session_cookie(request: Request) -> Response:
    """``/auth/session?ticket=...&next=<page>[&done=...]``: the ticket for the cookie, then
    back to the page. A ticket that is unknown, used, expired, from another address or
    brought by another site sets nothing (the page then shows the login form)."""
    page = request.query_params.get("next", "")
    page = page if PAGE_PATH.match(page) else ""
    done = request.query_params.get("done", "")
    base = "/" + "/".join(p for p in (streamlit.config.get_option("server.baseUrlPath") or "").split("/") if p)
    target = (base.rstrip("/") + "/" + page) + (f"?done={done}" if DONE.match(done) else "")
    response = RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return response  # sent here by another site: a lured ticket
    try:
        token = await run_in_threadpool(_redeem, request.query_params.get("ticket"), request_client_address(request))
    except Exception:  # noqa: BLE001 - the database: logged, and the login page follows
        LOG.exception("could not redeem a login ticket")
        token = None
    if token:
        response.set_cookie(COOKIE_NAME, token, path="/", httponly=True, samesite="strict",
                            secure=over_https(request.scope))
    return response


async def healthz(request: Request) -> Response:
    """The process answers (for a proxy or an orchestrator's liveness check)."""
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


async def readyz(request: Request) -> Response:
    """The database answers and is at this version's migration; else 503 and the
    problem (``unreachable``, ``damaged``, ``not_migrated``), its cause in the log."""
    state = await run_in_threadpool(database_state, _engine())
    if state.ready:
        return JSONResponse({"status": "ready", "migration": state.revision}, headers={"Cache-Control": "no-store"})
    LOG.error("not ready: database %s: %s", state.problem, state.cause)
    return JSONResponse({"status": "not ready", "database": state.problem}, status_code=503,
                        headers={"Cache-Control": "no-store"})


def routes() -> list[Route]:
    return [
        Route(COOKIE_ROUTE, session_cookie, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET", "HEAD"]),
        Route("/readyz", readyz, methods=["GET", "HEAD"]),
    ]
