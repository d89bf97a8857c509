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
    show them all at once; nothing has been stored.

    A problem is a ``data_schema.problems.Problem`` (with Dutch and English messages,
    what forms show via :meth:`messages`) or, for operator-facing rules, a plain
    English string."""

    def __init__(self, message: str, problems: list | None = None) -> None:
        self.problems = list(problems) if problems else [message]
        text = message if not problems else message + ":\n" + "\n".join(_text(p, "en") for p in self.problems)
        super().__init__(text)

    def messages(self, lang: str = "en") -> list[str]:
        return [_text(p, lang) for p in self.problems]


def _text(problem: object, lang: str) -> str:
    message = getattr(problem, "message", None)
    return message(lang) if callable(message) else str(problem)


class CheckinExists(InvalidInput):
    """A check-in for this therapist and week is already stored; it is never overwritten."""
