"""The store's exceptions. Every one is a :class:`StoreError`; callers that only want to
show a message can catch that."""

from __future__ import annotations

from typing import Iterable

from data_schema.i18n import Text
from data_schema.problems import Problem


class StoreError(Exception):
    """Base class of the store's errors."""


class Refused(StoreError):
    """An operation refused or failed for a reason a person can act on; nothing was
    changed. ``reason`` is the catalog text saying why, shown in the reader's language
    (:meth:`message`); ``str()`` of the error is its English text, for logs."""

    def __init__(self, key: str, /, **params: object) -> None:
        self.reason = Text(key, **params)
        super().__init__(self.reason.render("en"))

    def message(self, lang: str = "en") -> str:
        return self.reason.render(lang)


class AccessDenied(StoreError, PermissionError):
    """The acting user may not do this. An ``authz_denied`` audit event has been
    committed and the session's transaction rolled back before this is raised."""


class NotFound(StoreError, LookupError):
    """No such case, therapist or team."""


class InvalidInput(StoreError, ValueError):
    """The input breaks a rule (a date outside the case, a duration out of range, an
    unknown check-in field, ...); nothing has been stored. ``problems`` lists every
    problem found, so that a form can show them all at once: each a
    :class:`data_schema.problems.Problem` (a code, where, and the parameters of its
    message), shown in the reader's language with :meth:`messages`."""

    def __init__(self, problems: Problem | Iterable[Problem]) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        if not self.problems or not all(isinstance(p, Problem) for p in self.problems):
            raise TypeError("InvalidInput needs one or more data_schema Problems")
        super().__init__("\n".join(p.message("en") for p in self.problems))

    def messages(self, lang: str = "en") -> list[str]:
        """Every problem with where it is, in ``lang``."""
        return [p.message(lang) for p in self.problems]

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.problems]


class CheckinExists(InvalidInput):
    """A check-in for this therapist and week is already stored; it is never overwritten."""
