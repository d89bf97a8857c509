"""Accounts, login and the second factor: the store's side of "Login and access".

No Streamlit here: the dashboard (``dashboard/components/auth.py``) keeps the session
and calls these functions, each inside a :func:`store.db.session_scope`.

- ``policy``: the numbers (slowdown, lock, session limits) and which roles must use a
  second factor (``DRAAGKRACHT_REQUIRE_TOTP_ROLES``).
- ``login``: :func:`authenticate`, :func:`authenticate_totp` and :func:`reauthenticate`
  (the password asked again), with failure counting, slowdown and lock.
- ``throttle``: the failure counts, per username from a client address and per address,
  the same for unknown usernames (kept in the app process's memory).
- ``totp``: setting up, confirming and switching off the second factor.
- ``manage``: making an account and its own settings (password, language).
- ``passwords``: argon2id hashing and the rules for a new password.
- ``account``: :class:`Account`, what the rest of Draagkracht reads of the acting user.
- ``history``: the account's history for its owner (changes and logins, from the audit
  log), and what they are told at login.

What an admin does to other accounts is in ``store.admin``. Bad input raises
:class:`store.InvalidInput` with problems (codes ``password.*``, ``totp.*``, and the
field codes of data_schema's records); nothing is stored then.
"""

from .account import Account, account_of, load_account, normalize_username
from .history import AccountEvent, account_events
from .login import OUTCOMES, AuthResult, authenticate, authenticate_totp, reauthenticate
from .manage import admin_exists, change_password, create_user, set_language, set_password
from .policy import (
    ADDRESS_BURST,
    ADDRESS_INTERVAL,
    ENV_REQUIRE_TOTP,
    LOCK_DURATION,
    MAX_FAILED_LOGINS,
    SESSION_IDLE_TIMEOUT,
    SESSION_MAX_AGE,
    SLOWDOWN_BASE,
    SLOWDOWN_FROM,
    TOTP_STEP_TIMEOUT,
    session_end_reason,
    totp_required_roles,
)
from .totp import TotpEnrolment, confirm_totp, disable_totp, pending_totp_enrolment, start_totp_enrolment

__all__ = [
    "ADDRESS_BURST", "ADDRESS_INTERVAL", "Account", "AccountEvent", "AuthResult", "ENV_REQUIRE_TOTP", "LOCK_DURATION",
    "MAX_FAILED_LOGINS", "OUTCOMES",
    "SESSION_IDLE_TIMEOUT", "SESSION_MAX_AGE", "SLOWDOWN_BASE", "SLOWDOWN_FROM", "TOTP_STEP_TIMEOUT",
    "TotpEnrolment", "account_events", "account_of", "admin_exists", "authenticate", "authenticate_totp", "change_password",
    "confirm_totp", "create_user", "disable_totp", "load_account", "normalize_username", "pending_totp_enrolment",
    "reauthenticate", "session_end_reason", "set_language", "set_password", "start_totp_enrolment",
    "totp_required_roles",
]
