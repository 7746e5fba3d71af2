"""Which address a public entry comes from: the right-most hop a trusted proxy vouches for."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(entries: Sequence[str]) -> tuple[list[Network], bool]:
    """Parse a trust list as uvicorn's ``forwarded_allow_ips`` reads it: addresses or CIDR blocks, ``*`` for
    every peer. Returns the networks and whether ``*`` was given."""
    networks: list[Network] = []
    everyone = False
    for entry in entries:
        entry = entry.strip()
        if not entry:
            continue
        if entry == "*":
            everyone = True
            continue
        networks.append(ipaddress.ip_network(entry, strict=False))
    return networks, everyone


def _trusted(host: str, networks: Sequence[Network], everyone: bool) -> bool:
    if everyone:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


def client_address(peer: str, forwarded: str | None, trusted: Sequence[str]) -> str:
    """The client a public entry is counted against.

    The TCP peer, unless it is a trusted proxy: then the forwarded list is read from the right (each proxy
    appends the address it saw) and the first hop that is not itself a trusted proxy is the client. The
    left-most entries are whatever the client chose to send, so they never decide alone; only when every
    hop is trusted does the left-most one count (uvicorn's proxy-headers rule)."""
    networks, everyone = trusted_networks(trusted)
    if not forwarded or not _trusted(peer, networks, everyone):
        return peer
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return peer
    for hop in reversed(hops):
        if not _trusted(hop, networks, everyone):
            return hop
    return hops[0]
