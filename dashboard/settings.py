"""The production app's settings: environment variables, one list, checked before the
server starts (``python -m dashboard serve``). A wrong value stops the start with one
line that names the variable and what it accepts.

=================================  =================================================  ====================
Variable                           What                                               Default
=================================  =================================================  ====================
``DRAAGKRACHT_DATABASE_URL``       SQLite file (``sqlite:////path/db.sqlite3``) or    ``data/draagkracht.sqlite3``
                                   PostgreSQL (``postgresql+psycopg://...``)
``DRAAGKRACHT_ADDRESS``            the address the app listens on (an IP address)     ``127.0.0.1``
``DRAAGKRACHT_PORT``               the port (1-65535)                                 ``8501``
``DRAAGKRACHT_TRUSTED_PROXIES``    addresses/networks of the reverse proxy, whose     none
                                   ``X-Forwarded-For``/``-Proto`` count
``DRAAGKRACHT_COOKIE_SECRET``      at least 32 characters, the same on every          one drawn per start
                                   instance (signs Streamlit's XSRF cookie)
``DRAAGKRACHT_REQUIRE_TOTP_ROLES`` roles that must use a second factor                see ``store.accounts``
``DRAAGKRACHT_TIME_ZONE``          the practice's time zone (IANA name)               ``Europe/Amsterdam``
``DRAAGKRACHT_RETENTION_FILE``     the operator's retention periods (TOML)            the defaults
``DRAAGKRACHT_LOG_LEVEL``          ``debug``, ``info``, ``warning`` or ``error``      ``info``
=================================  =================================================  ====================
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from complexity.calendar import ENV_TIME_ZONE, practice_time_zone
from data_schema.fields import ROLES
from store.accounts import ENV_REQUIRE_TOTP
from store.clients import TRUSTED_PROXIES_VARIABLE
from store.db import ENV_URL
from store.retention import FILE_VARIABLE as RETENTION_VARIABLE

ADDRESS = "DRAAGKRACHT_ADDRESS"
PORT = "DRAAGKRACHT_PORT"
COOKIE_SECRET = "DRAAGKRACHT_COOKIE_SECRET"
LOG_LEVEL = "DRAAGKRACHT_LOG_LEVEL"
VARIABLES = (ENV_URL, ADDRESS, PORT, TRUSTED_PROXIES_VARIABLE, COOKIE_SECRET, ENV_REQUIRE_TOTP, ENV_TIME_ZONE,
             RETENTION_VARIABLE, LOG_LEVEL)
LOG_LEVELS = ("debug", "info", "warning", "error")
MIN_SECRET_LENGTH = 32


class SettingsError(ValueError):
    """A setting that cannot be used: ``variable``, the ``value`` (never a password) and
    what it accepts, a catalog key ``accepts`` with ``params`` (``serve.accepts.*`` in
    ``dashboard/i18n/*.serve.json``): one line for the operator (:meth:`line`)."""

    def __init__(self, variable: str, value: str, accepts: str, **params: object) -> None:
        self.variable, self.value, self.accepts, self.params = variable, value, accepts, params
        super().__init__(f"{variable}={value!r}: {accepts} {params}")

    def line(self, lang: str) -> str:
        from dashboard.i18n import translate

        return translate(lang, "serve.refused", variable=self.variable, value=self.value,
                         accepts=translate(lang, self.accepts, **self.params))


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    address: str
    port: int
    trusted_proxies: str
    cookie_secret: str
    cookie_secret_given: bool
    log_level: str

    def server_environment(self) -> dict[str, str]:
        """What the server process needs in its environment: Streamlit's cookie secret,
        and uvicorn told to trust ``X-Forwarded-*`` from exactly our trusted proxies (by
        itself it trusts 127.0.0.1 whatever ``DRAAGKRACHT_TRUSTED_PROXIES`` says)."""
        networks = [str(ipaddress.ip_network(p.strip(), strict=False))
                    for p in self.trusted_proxies.split(",") if p.strip()]
        return {"STREAMLIT_SERVER_COOKIE_SECRET": self.cookie_secret, "FORWARDED_ALLOW_IPS": ",".join(networks)}

    def streamlit_flags(self) -> list[str]:
        """The ``streamlit run`` options these settings make (the secret goes in the
        environment, not the command line, where ``ps`` would show it)."""
        return ["--server.address", self.address, "--server.port", str(self.port), "--server.headless", "true",
                "--server.fileWatcherType", "none", "--server.runOnSave", "false",
                "--server.enableXsrfProtection", "true", "--server.enableCORS", "true",
                "--browser.gatherUsageStats", "false", "--logger.level", self.log_level]


def _fail(variable: str, value: str, accepts: str, **params: object) -> SettingsError:
    return SettingsError(variable, value, f"serve.accepts.{accepts}", **params)


def read_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Every setting, checked; :class:`SettingsError` on the first that is wrong."""
    env = os.environ if environ is None else environ

    def get(name: str) -> str:
        return (env.get(name) or "").strip()

    database = get(ENV_URL) or None
    if database is not None:
        try:
            url = make_url(database)
        except ArgumentError:
            raise _fail(ENV_URL, "...", "database_url") from None
        backend = url.get_backend_name()
        if backend not in ("sqlite", "postgresql") or (backend == "sqlite" and not url.database):
            raise _fail(ENV_URL, url.render_as_string(hide_password=True), "database_url")

    address = get(ADDRESS) or "127.0.0.1"
    try:
        ipaddress.ip_address(address)
    except ValueError:
        raise _fail(ADDRESS, address, "address") from None

    port_text = get(PORT) or "8501"
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise _fail(PORT, port_text, "port")

    proxies = get(TRUSTED_PROXIES_VARIABLE)
    for part in filter(None, (p.strip() for p in proxies.split(","))):
        try:
            ipaddress.ip_network(part, strict=False)
        except ValueError:
            raise _fail(TRUSTED_PROXIES_VARIABLE, part, "proxies") from None

    secret = get(COOKIE_SECRET)
    if secret and len(secret) < MIN_SECRET_LENGTH:
        raise _fail(COOKIE_SECRET, "*" * len(secret), "secret", minimum=MIN_SECRET_LENGTH, length=len(secret))

    from store.accounts import totp_required_roles

    try:
        totp_required_roles(env)
    except ValueError:
        raise _fail(ENV_REQUIRE_TOTP, get(ENV_REQUIRE_TOTP), "roles", roles=", ".join(ROLES)) from None

    try:
        practice_time_zone(env)
    except ValueError:
        raise _fail(ENV_TIME_ZONE, get(ENV_TIME_ZONE), "time_zone") from None

    retention = get(RETENTION_VARIABLE)
    if retention:
        from store.retention import load_policy

        if not Path(retention).is_file():
            raise _fail(RETENTION_VARIABLE, retention, "retention_missing")
        try:
            load_policy(retention)
        except Exception as error:  # noqa: BLE001 - any reason the file cannot be used, in one line
            raise _fail(RETENTION_VARIABLE, retention, "retention", error=" ".join(str(error).split())[:200]) from None

    level = (get(LOG_LEVEL) or "info").lower()
    if level not in LOG_LEVELS:
        raise _fail(LOG_LEVEL, level, "log_level", levels=", ".join(LOG_LEVELS))

    return Settings(database, address, int(port_text), proxies, secret or secrets.token_urlsafe(48), bool(secret),
                    level)
