"""Which addresses learners on the same network can use: read from the interfaces, no traffic.

>>> is_loopback_host("127.0.0.1"), is_loopback_host("0.0.0.0"), is_loopback_host("localhost")
(True, False, True)
"""

from __future__ import annotations

import ipaddress
import os
import socket

import psutil

from loopscope.settings import Settings


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


def settings_for_listening(settings: Settings, host: str) -> Settings:
    """The settings for a server listening on ``host``. On a network interface, learners reach
    it by this machine's addresses, so those are allowed Host names too (unless
    ``LOOPSCOPE_ALLOWED_HOSTS`` says otherwise)."""
    update: dict[str, object] = {"listen_host": host}
    if not is_loopback_host(host) and "LOOPSCOPE_ALLOWED_HOSTS" not in os.environ:
        extra = (*lan_addresses(), socket.gethostname())
        update["allowed_hosts"] = tuple(dict.fromkeys((*settings.allowed_hosts, *extra)))
    return settings.model_copy(update=update)
