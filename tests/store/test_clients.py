"""The client's address as the audit log records it: the connection's, or a trusted
proxy's X-Forwarded-For read from the right."""

from __future__ import annotations

import pytest

from store.clients import _parse, client_address, trusted_proxies

PROXIES = _parse("127.0.0.1, 10.0.0.0/8")


def test_without_a_trusted_proxy_the_connection_is_the_client():
    assert client_address("203.0.113.9", "198.51.100.1", ()) == "203.0.113.9"
    assert client_address(None, None, ()) == "127.0.0.1"  # Streamlit says None for localhost
    # An untrusted peer cannot claim another address.
    assert client_address("203.0.113.9", "198.51.100.1", PROXIES) == "203.0.113.9"


def test_a_trusted_proxy_names_the_client_and_a_forged_left_part_is_ignored():
    assert client_address(None, "198.51.100.1", PROXIES) == "198.51.100.1"
    # The client wrote "1.2.3.4" itself; the proxies appended the real client and each other.
    assert client_address("10.0.0.2", "1.2.3.4, 198.51.100.1, 10.0.0.5", PROXIES) == "198.51.100.1"
    # Only trusted hops: the leftmost is the best we know.
    assert client_address("10.0.0.2", "10.0.0.7, 10.0.0.5", PROXIES) == "10.0.0.7"


def test_a_wrong_setting_is_an_error_not_ignored(monkeypatch):
    monkeypatch.setenv("DRAAGKRACHT_TRUSTED_PROXIES", "127.0.0.1, not-an-address")
    with pytest.raises(ValueError, match="not-an-address"):
        trusted_proxies()
