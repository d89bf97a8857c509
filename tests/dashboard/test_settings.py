"""Issue 13: the production app's settings (``dashboard.settings``) are checked before it
starts; ``python -m dashboard serve`` refuses a wrong value with one line (in the chosen
language) naming the variable, and exit code 2, before anything listens."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.i18n import read_catalog
from dashboard.settings import MIN_SECRET_LENGTH, VARIABLES, SettingsError, read_settings

ROOT = Path(__file__).resolve().parents[2]
CLEAN = {k: v for k, v in os.environ.items() if k not in VARIABLES}


def test_defaults_are_a_local_server():
    settings = read_settings({})
    assert (settings.address, settings.port, settings.database_url, settings.log_level) == (
        "127.0.0.1", 8501, None, "info")
    assert len(settings.cookie_secret) >= MIN_SECRET_LENGTH and not settings.cookie_secret_given
    flags = settings.streamlit_flags()
    assert flags[flags.index("--server.enableXsrfProtection") + 1] == "true"
    assert flags[flags.index("--server.enableCORS") + 1] == "true"  # CORS stays closed
    assert settings.cookie_secret not in flags  # a secret never on a command line


def test_a_full_valid_set(tmp_path):
    retention = tmp_path / "retention.toml"
    retention.write_text("checkins_weeks = 104\n")
    secret = "s" * 40
    settings = read_settings({
        "DRAAGKRACHT_DATABASE_URL": "postgresql+psycopg://draagkracht@db.internal/draagkracht",
        "DRAAGKRACHT_ADDRESS": "10.0.0.5", "DRAAGKRACHT_PORT": "8502",
        "DRAAGKRACHT_TRUSTED_PROXIES": "10.0.0.1, 10.0.1.0/24", "DRAAGKRACHT_COOKIE_SECRET": secret,
        "DRAAGKRACHT_REQUIRE_TOTP_ROLES": "admin,supervisor", "DRAAGKRACHT_TIME_ZONE": "Europe/Amsterdam",
        "DRAAGKRACHT_RETENTION_FILE": str(retention), "DRAAGKRACHT_LOG_LEVEL": "WARNING",
    })
    assert (settings.address, settings.port, settings.cookie_secret, settings.log_level) == (
        "10.0.0.5", 8502, secret, "warning")
    assert settings.server_environment() == {"STREAMLIT_SERVER_COOKIE_SECRET": secret,
                                             "FORWARDED_ALLOW_IPS": "10.0.0.1/32,10.0.1.0/24"}


def test_without_trusted_proxies_uvicorn_trusts_no_forwarded_header():
    assert read_settings({}).server_environment()["FORWARDED_ALLOW_IPS"] == ""


@pytest.mark.parametrize(("variable", "value", "accepts"), [
    ("DRAAGKRACHT_DATABASE_URL", "mysql://db/draagkracht", "serve.accepts.database_url"),
    ("DRAAGKRACHT_DATABASE_URL", "not a url at all", "serve.accepts.database_url"),
    ("DRAAGKRACHT_ADDRESS", "localhost:80", "serve.accepts.address"),
    ("DRAAGKRACHT_PORT", "0", "serve.accepts.port"),
    ("DRAAGKRACHT_PORT", "65536", "serve.accepts.port"),
    ("DRAAGKRACHT_PORT", "eighty", "serve.accepts.port"),
    ("DRAAGKRACHT_TRUSTED_PROXIES", "10.0.0.1,proxy.local", "serve.accepts.proxies"),
    ("DRAAGKRACHT_COOKIE_SECRET", "too-short", "serve.accepts.secret"),
    ("DRAAGKRACHT_REQUIRE_TOTP_ROLES", "admin,admn", "serve.accepts.roles"),
    ("DRAAGKRACHT_TIME_ZONE", "Mars/Olympus", "serve.accepts.time_zone"),
    ("DRAAGKRACHT_RETENTION_FILE", "/nowhere/retention.toml", "serve.accepts.retention_missing"),
    ("DRAAGKRACHT_LOG_LEVEL", "loud", "serve.accepts.log_level"),
])
def test_a_wrong_value_is_named(variable, value, accepts):
    with pytest.raises(SettingsError) as refused:
        read_settings({variable: value})
    assert (refused.value.variable, refused.value.accepts) == (variable, accepts)
    if variable == "DRAAGKRACHT_COOKIE_SECRET":
        assert value not in refused.value.line("en")  # a secret is not repeated


def test_a_retention_file_that_cannot_be_used(tmp_path):
    bad = tmp_path / "retention.toml"
    bad.write_text("checkins_weeks = 1\n")  # under the minimum
    with pytest.raises(SettingsError) as refused:
        read_settings({"DRAAGKRACHT_RETENTION_FILE": str(bad)})
    assert refused.value.accepts == "serve.accepts.retention"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_serve_stops_with_one_line_and_exit_code_2(lang):
    env = {**CLEAN, "DRAAGKRACHT_PORT": "99999"}
    done = subprocess.run([sys.executable, "-m", "dashboard", "serve", "--lang", lang], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    catalog = read_catalog(lang)
    expected = catalog["serve.not_started"].format(reason=catalog["serve.refused"].format(
        variable="DRAAGKRACHT_PORT", value="99999", accepts=catalog["serve.accepts.port"]))
    assert (done.returncode, done.stdout, done.stderr) == (2, "", expected + "\n")


def test_serve_check_says_where_it_would_listen():
    env = {**CLEAN, "DRAAGKRACHT_PORT": "8765"}
    done = subprocess.run([sys.executable, "-m", "dashboard", "serve", "--check"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == read_catalog("en")["serve.checked"].format(
        address="127.0.0.1", port=8765)
