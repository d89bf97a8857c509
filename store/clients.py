"""Where a request comes from, for the audit log: the client's address.

Behind a reverse proxy every connection comes from the proxy; the proxy names the
client in ``X-Forwarded-For``. That header is believed only from a proxy the operator
trusts (``DRAAGKRACHT_TRUSTED_PROXIES``: addresses or networks, comma-separated, e.g.
``127.0.0.1, 10.0.0.0/8``; default none), and only as far as the chain of trusted proxies
goes: reading from the right, the first address that is not a trusted proxy is the
client (anything left of it could be written by the client itself).

Which device: :func:`describe_device` makes a short browser and system name ("Firefox,
Windows") from the browser's ``User-Agent`` header, for the login lines an account's
owner reads (``store.accounts.history``). Only names from a fixed list are returned,
never the header's own text.
"""

from __future__ import annotations

import ipaddress
import os
from functools import cache

TRUSTED_PROXIES_VARIABLE = "DRAAGKRACHT_TRUSTED_PROXIES"
LOCAL = "127.0.0.1"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _parse(setting: str) -> tuple[Network, ...]:
    networks = []
    for part in setting.split(","):
        if part.strip():
            try:
                networks.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError as error:
                raise ValueError(f"{TRUSTED_PROXIES_VARIABLE}: {part.strip()!r} is not an address or network") from error
    return tuple(networks)


def trusted_proxies() -> tuple[Network, ...]:
    """The configured trusted proxies (a wrong entry is an error, never ignored)."""
    return _parse(os.environ.get(TRUSTED_PROXIES_VARIABLE, ""))


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def from_trusted_proxy(peer: str | None) -> bool:
    """Whether a connection from ``peer`` is one of the configured trusted proxies (whose
    ``X-Forwarded-*`` headers count)."""
    return peer is not None and _trusted(peer, trusted_proxies())


def client_address(peer: str | None, forwarded_for: str | None,
                   proxies: tuple[Network, ...] | None = None) -> str:
    """The client's address: ``peer`` (the connection's address; None means the local
    machine), or, when ``peer`` is a trusted proxy, the rightmost untrusted address of
    ``forwarded_for``. At most 64 characters, as the log stores it."""
    proxies = trusted_proxies() if proxies is None else proxies
    address = peer or LOCAL
    if forwarded_for and _trusted(address, proxies):
        for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
            address = hop
            if not _trusted(hop, proxies):
                break
    return address[:64]


# (marker in the User-Agent, name), first match wins: Edge and Opera say "Chrome" too,
# Chrome says "Safari" too, Android says "Linux" too.
BROWSERS = (("Edg", "Edge"), ("OPR/", "Opera"), ("SamsungBrowser", "Samsung Internet"), ("Firefox/", "Firefox"),
            ("FxiOS", "Firefox"), ("CriOS", "Chrome"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
SYSTEMS = (("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"),
           ("CrOS", "ChromeOS"), ("Macintosh", "macOS"), ("Linux", "Linux"))


def describe_device(user_agent: str | None) -> str | None:
    """"Browser, system" (either may be missing) from a ``User-Agent`` header; None when
    neither is recognised."""
    if not isinstance(user_agent, str) or not user_agent:
        return None
    browser = next((name for marker, name in BROWSERS if marker in user_agent), None)
    system = next((name for marker, name in SYSTEMS if marker in user_agent), None)
    return ", ".join(part for part in (browser, system) if part) or None


__all__ = ["TRUSTED_PROXIES_VARIABLE", "client_address", "describe_device", "trusted_proxies"]
