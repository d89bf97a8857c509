"""The production app: Streamlit's ``st.App`` (ASGI) around ``dashboard/app.py``, with
the routes and headers a real practice needs. ``make run`` and ``python -m dashboard
serve`` both run it (``streamlit run dashboard/server.py`` finds :data:`app`).

Routes (``dashboard.http``):

- ``/auth/session``: exchanges the one-time ticket a login hands out for the session
  cookie (``HttpOnly``, ``SameSite=Strict``, ``Path=/``, ``Secure`` over HTTPS) and sends
  the browser back to the page it came from (``components.auth``).
- ``/healthz``: the process answers. ``/readyz``: the database answers and is at this
  version's migration (else 503, with the cause in the server log).

The page itself says the user's language (``<html lang>``, ``dashboard.http.PageLanguage``).
Every HTTP response (page, static files, health, routes) carries the security headers
of ``dashboard.http.SECURITY_HEADERS`` and the Content-Security-Policy of
``dashboard.http.content_security_policy`` (``Strict-Transport-Security`` over HTTPS).

At start the pages' code is loaded and frozen out of the garbage collector's walks, and
Streamlit's full collection after every run is turned off (``dashboard.preload``):
walking the libraries and every open session at each click cost more than the rest of
a rerun.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from streamlit.logger import get_logger

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run dashboard/server.py` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

from dashboard.components.auth import ENV_COOKIE_SESSIONS  # noqa: E402
from dashboard.http import PageLanguage, SecurityHeaders, routes  # noqa: E402
from dashboard.preload import collect_as_python_does, freeze_loaded_code  # noqa: E402

os.environ[ENV_COOKIE_SESSIONS] = "1"  # the login sets the cookie through /auth/session
get_logger("draagkracht")  # our log lines as Streamlit's: its format, its level (DRAAGKRACHT_LOG_LEVEL)
LOG = logging.getLogger("draagkracht.dashboard")
LOG.info("code loaded, %d objects kept out of the garbage collector's walks; a full collection after "
         "every run: %s", freeze_loaded_code(), "off" if collect_as_python_does() else "on (runner.postScriptGC)")

app = st.App(Path(__file__).resolve().parent / "app.py", routes=routes(),
             middleware=[Middleware(SecurityHeaders), Middleware(PageLanguage)])
