"""Draagkracht's store: database engine and sessions (``store.db``), tables
(``store.models``), migrations (``store/migrations``), the access log
(``store.audit``), who may do what (``store.access``) and the use cases, each module one
job: ``cases``, ``checkins``, ``load``, ``selfcare``, ``overview`` (My week, reports),
``team`` (My teams), ``alerts`` (a supervisor's alerts), ``planner`` (the intake
planner), ``membership`` (team history), ``privacy`` (My data), ``research``,
``accounts``, ``admin``, ``practice`` (teams and new accounts), ``audit_log`` (the
admin's view of the log), ``clients`` (where a request comes from), ``retention`` (the
purge), and the operator's import, export, backup and demo. The README's "What is where" lists them.

Layering: dashboard -> store -> data_schema -> complexity. Pages call these functions;
they hold no SQL.
"""

from .db import get_engine, make_engine, session_scope, upgrade
from .errors import AccessDenied, CheckinExists, InvalidInput, NotFound, Refused, StoreError

__all__ = [
    "AccessDenied", "CheckinExists", "InvalidInput", "NotFound", "Refused", "StoreError", "get_engine",
    "make_engine", "session_scope", "upgrade",
]
