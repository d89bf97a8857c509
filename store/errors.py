"""The store's exceptions. Every one is a :class:`StoreError`; callers that only want to
show a message can catch that."""

from __future__ import annotations


class StoreError(Exception):
    """Base class of the store's errors."""


class AccessDenied(StoreError, PermissionError):
    """The acting user may not do this. An ``authz_denied`` audit event has been
    committed and the session's transaction rolled back before this is raised."""


class NotFound(StoreError, LookupError):
    """No such case, therapist or team."""


class InvalidInput(StoreError, ValueError):
    """The input breaks a rule (a date outside the case, a duration out of range, an
    unknown check-in field, ...). ``problems`` lists every problem found, so a form can
    show them all at once; nothing has been stored."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = list(problems) if problems else [message]
        super().__init__(message if not problems else message + ":\n" + "\n".join(problems))


class CheckinExists(InvalidInput):
    """A check-in for this therapist and week is already stored; it is never overwritten."""
