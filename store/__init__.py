"""Draagkracht's store: database engine and sessions (``store.db``), tables
(``store.models``), migrations (``store/migrations``), the access log
(``store.audit``) and the use cases with their role rules (``store.repository``).

Layering: dashboard -> store -> data_schema -> complexity. Pages call these functions;
they hold no SQL.
"""

from .db import get_engine, make_engine, session_scope, upgrade
from .errors import AccessDenied, CheckinExists, InvalidInput, NotFound, StoreError

__all__ = [
    "AccessDenied", "CheckinExists", "InvalidInput", "NotFound", "StoreError", "get_engine",
    "make_engine", "session_scope", "upgrade",
]
