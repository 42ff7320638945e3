"""Which addresses learners on the same network can use: read from the interfaces, no traffic.

>>> is_loopback_host("127.0.0.1"), is_loopback_host("0.0.0.0"), is_loopback_host("localhost")
(True, False, True)
"""

from __future__ import annotations

import ipaddress
import socket

import psutil


def lan_addresses() -> tuple[str, ...]:
    """This machine's IPv4 addresses other than loopback and link-local, sorted."""
    found: set[str] = set()
    for addresses in psutil.net_if_addrs().values():
        for address in addresses:
            if address.family != socket.AF_INET:
                continue
            ip = ipaddress.ip_address(address.address)
            if not (ip.is_loopback or ip.is_link_local or ip.is_unspecified):
                found.add(str(ip))
    return tuple(sorted(found, key=ipaddress.ip_address))


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
