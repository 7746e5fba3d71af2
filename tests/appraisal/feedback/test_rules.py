"""The client address of a public entry: the right-most hop no trusted proxy accounts for."""

from __future__ import annotations

import pytest

from appraisal.feedback.rules import client_address
from appraisal.settings import Settings

PROXY = ["127.0.0.1", "10.0.0.0/8"]


def test_the_right_most_untrusted_hop_is_the_client() -> None:
    assert client_address("127.0.0.1", "1.1.1.1, 203.0.113.7", PROXY) == "203.0.113.7"
    # a chain of trusted proxies is skipped from the right
    assert client_address("127.0.0.1", "6.6.6.6, 203.0.113.7, 10.1.2.3", PROXY) == "203.0.113.7"


def test_spoofed_left_most_values_never_change_the_client() -> None:
    seen = {client_address("127.0.0.1", f"198.51.100.{i}, 203.0.113.7", PROXY) for i in range(8)}
    assert seen == {"203.0.113.7"}
    # positive control: the real hop does change it
    assert client_address("127.0.0.1", "198.51.100.1, 203.0.113.8", PROXY) == "203.0.113.8"


def test_an_untrusted_peer_is_the_client_whatever_it_forwards() -> None:
    assert client_address("203.0.113.9", "1.2.3.4", PROXY) == "203.0.113.9"
    assert client_address("127.0.0.1", "1.2.3.4", PROXY) == "1.2.3.4"


def test_no_header_or_only_trusted_hops() -> None:
    assert client_address("127.0.0.1", None, PROXY) == "127.0.0.1"
    assert client_address("127.0.0.1", " , ", PROXY) == "127.0.0.1"
    assert client_address("127.0.0.1", "10.0.0.5, 10.0.0.6", PROXY) == "10.0.0.5"
    # `*` trusts every hop, so the left-most entry counts (uvicorn's rule; only behind a proxy that overwrites it)
    assert client_address("203.0.113.9", "5.6.7.8, 1.2.3.4", ["*"]) == "5.6.7.8"


def test_a_mistyped_proxy_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="not an address or network"):
        Settings(public_feedback_trusted_proxies=["10.0.0.300"])
    assert Settings(public_feedback_trusted_proxies=["*", "::1", "10.0.0.0/8"]).public_feedback_trusted_proxies
