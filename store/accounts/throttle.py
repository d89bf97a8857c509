"""Failed logins counted per client address, and per username from each address: what
:mod:`store.accounts.login` asks before it checks a password.

Every attempt is counted the same way whether its username exists or not, so neither
the answer nor the wait it asks for tells a known username from an unknown one.

Per username, from one address (the account's lock, for that address only)
    Consecutive failures with one username from one client address: from the
    ``SLOWDOWN_FROM``-th on, that username waits ``SLOWDOWN_BASE`` (doubling) there; at
    ``MAX_FAILED_LOGINS`` it is locked there for ``LOCK_DURATION``, and after the lock
    each further failure locks it again. A success from that address starts the count
    again, and so does a new password for the account (set by its owner, an admin or the
    operator: failures before it no longer count). Other addresses do not share the
    count: an attacker's failures cannot keep the owner out from anywhere else.
Per address
    Failures from one address, whatever the usernames: ``ADDRESS_BURST`` in a row, then
    one more per ``ADDRESS_INTERVAL`` (a bucket each failure fills by one and that drains
    one per interval). While it is full the address waits, at most one interval. A
    success does not empty it.

An attempt that must wait is refused unchecked and not counted. ``None`` as the address
(no request: a script, a test) is one local address, ``clients.LOCAL``. An IPv6 address
counts by its /64 network: one household or server usually has all of it.

Where the counts live: in the memory of the app process, one throttle per database
engine (:func:`throttle_for`), never in the database, because an unknown "username" is
often a password typed into the wrong field (the audit log masks it for the same
reason); they hold only a digest of the username. So a restart forgets them, and with
several app processes each process counts on its own. They are bounded: a count is
forgotten ``THROTTLE_FORGET_AFTER`` after its last failure, and beyond
``THROTTLE_MAX_ENTRIES`` the oldest go first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy.orm import Session

from .. import audit
from ..clients import LOCAL
from ..models import UserAccount
from .policy import (
    ADDRESS_BURST,
    ADDRESS_INTERVAL,
    LOCK_DURATION,
    MAX_FAILED_LOGINS,
    SLOWDOWN_BASE,
    SLOWDOWN_FROM,
    THROTTLE_FORGET_AFTER,
    THROTTLE_MAX_ENTRIES,
)

NEVER = dt.timedelta(0)


@dataclass(frozen=True)
class Wait:
    """An attempt must wait ``until``. ``lockout``: the username is locked from this
    address (``MAX_FAILED_LOGINS`` reached), not only slowed down; ``by_address``: the
    address's rule asks for the wait (it is the longer one); ``failures``: the
    username's count from this address."""

    until: dt.datetime
    lockout: bool = False
    by_address: bool = False
    failures: int = 0


def username_delay(failures: int) -> dt.timedelta:
    """The wait after ``failures`` consecutive failures of one username from one address."""
    if failures >= MAX_FAILED_LOGINS:
        return LOCK_DURATION
    if failures >= SLOWDOWN_FROM:
        return SLOWDOWN_BASE * 2 ** (failures - SLOWDOWN_FROM)
    return NEVER


def place(address: str | None) -> str:
    """The address as counted: ``None`` is the local one; an IPv6 address its /64."""
    address = address or LOCAL
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:  # ::ffff:192.0.2.7 is 192.0.2.7
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


def client_address() -> str | None:
    """The address of the request being served (``audit.current_context``), if any."""
    context = audit.current_context()
    return context.client_address if context is not None else None


@dataclass
class _Count:  # one username from one address
    failures: int
    last: dt.datetime  # the last failure
    until: dt.datetime | None  # refused until


@dataclass
class _Bucket:  # one address
    empty_at: dt.datetime  # when the bucket will have drained
    last: dt.datetime

    def wait_until(self) -> dt.datetime:
        return self.empty_at - (ADDRESS_BURST - 1) * ADDRESS_INTERVAL


def _name(username: str) -> str:
    return hashlib.blake2b(username.encode("utf-8"), digest_size=16).hexdigest()


class Throttle:
    """The counts of one database's logins in this process (see the module doc).
    Thread-safe; callers serialise attempts with the same username or address
    (``login``), so that a check and its count are not interleaved."""

    def __init__(self, max_entries: int = THROTTLE_MAX_ENTRIES) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple, _Count | _Bucket] = OrderedDict()  # oldest failure first
        self._max = max_entries

    def wait(self, username: str, address: str | None, now: dt.datetime, *,
             since: dt.datetime | None = None) -> Wait | None:
        """The wait an attempt with ``username`` from ``address`` must keep now, or None.
        ``since``: failures before it do not count (the account's last new password)."""
        with self._lock:
            return self._wait(username, place(address), now, since)

    def failed(self, username: str, address: str | None, now: dt.datetime, *,
               since: dt.datetime | None = None) -> Wait | None:
        """Count a failed attempt; the wait it starts, or None (the next may come at once)."""
        where = place(address)
        with self._lock:
            self._forget_old(now)
            key = ("name", _name(username), where)
            count = self._live_count(key, now, since) or _Count(0, now, None)
            count.failures += 1
            count.last = now
            delay = username_delay(count.failures)
            count.until = now + delay if delay else None
            self._put(key, count)
            bucket = self._entries.get(("address", where))
            empty_at = max(bucket.empty_at, now) if bucket is not None else now
            self._put(("address", where), _Bucket(empty_at + ADDRESS_INTERVAL, now))
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
            return self._wait(username, where, now, since)

    def succeeded(self, username: str, address: str | None) -> None:
        """A success: the username's count from this address starts again."""
        with self._lock:
            self._entries.pop(("name", _name(username), place(address)), None)

    def forget(self, username: str) -> None:
        """Forget the username's counts from every address (an admin's unlock)."""
        name = _name(username)
        with self._lock:
            for key in [k for k in self._entries if k[0] == "name" and k[1] == name]:
                del self._entries[key]

    # --- inside the lock ------------------------------------------------------------------

    def _wait(self, username: str, where: str, now: dt.datetime, since: dt.datetime | None) -> Wait | None:
        count = self._live_count(("name", _name(username), where), now, since)
        failures = count.failures if count is not None else 0
        waits = []
        if count is not None and count.until is not None and now < count.until:
            waits.append(Wait(count.until, lockout=failures >= MAX_FAILED_LOGINS, failures=failures))
        bucket = self._entries.get(("address", where))
        if bucket is not None and now < bucket.wait_until():
            waits.append(Wait(bucket.wait_until(), by_address=True, failures=failures))
        return max(waits, key=lambda w: (w.until, w.lockout), default=None)

    def _live_count(self, key: tuple, now: dt.datetime, since: dt.datetime | None) -> _Count | None:
        count = self._entries.get(key)
        if count is None or now - count.last >= THROTTLE_FORGET_AFTER or (since is not None and count.last < since):
            return None
        return count

    def _put(self, key: tuple, entry: _Count | _Bucket) -> None:
        self._entries.pop(key, None)
        self._entries[key] = entry  # the newest last

    def _forget_old(self, now: dt.datetime) -> None:
        while self._entries:
            key, entry = next(iter(self._entries.items()))
            if now - entry.last < THROTTLE_FORGET_AFTER:
                break
            del self._entries[key]

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


_THROTTLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_THROTTLES_LOCK = threading.Lock()


def throttle_for(session: Session) -> Throttle:
    """The throttle of the session's database: one per engine in this process."""
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    with _THROTTLES_LOCK:
        throttle = _THROTTLES.get(engine)
        if throttle is None:
            throttle = _THROTTLES[engine] = Throttle()
        return throttle


def account_wait(session: Session, user: UserAccount, now: dt.datetime) -> Wait | None:
    """The wait the user's own account must keep now from the request's address (asking
    the password again before a change refuses while there is one)."""
    return throttle_for(session).wait(user.username, client_address(), now, since=user.password_changed_at)
