"""The ORM's foundation: the declarative base with deterministic constraint names, the
UTC timestamp column type, and the helpers ``store.models`` builds its tables with.

Portable across SQLite and PostgreSQL: enumerations are strings with CHECK constraints
(no native ENUM types), timestamps are timezone-aware UTC (:class:`UTCDateTime`), and
every constraint has a deterministic name (``NAMING_CONVENTION``) so that migrations
can address it on both backends.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


def check_in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def column_name(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"{name!r} cannot be a column name (lowercase letters, digits, _)")
    return name


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on both backends.

    Naive datetimes are refused. PostgreSQL stores ``timestamptz``; SQLite has no time
    zones, so the UTC wall time is stored and UTC is attached again when read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass a timezone-aware (UTC) datetime")
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def created_at_column() -> Mapped[dt.datetime]:
    return mapped_column(UTCDateTime(), default=utcnow, nullable=False)


__all__ = ["Base", "NAMING_CONVENTION", "UTCDateTime", "check_in", "column_name", "created_at_column", "utcnow"]
