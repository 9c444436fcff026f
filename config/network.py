"""The machine's own addresses, for serving a classroom network (`make run HOST=0.0.0.0`).

Settings use these to accept requests and WebSocket origins addressed to this machine, and the
`serve` command prints the address students should type. Pure Python, no Django: settings import
it before Django is configured.
"""

from __future__ import annotations

import ipaddress
import socket
from contextlib import suppress

import psutil

WILDCARD_HOSTS = {"0.0.0.0", "::", "[::]", ""}  # noqa: S104 - names of "every interface", compared, never bound here
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}
# A documentation address (RFC 5737): connecting a UDP socket to it sends nothing, it only asks the
# kernel which local address the default route would use.
_ROUTE_PROBE = "192.0.2.123"


def is_wildcard(host: str) -> bool:
    return host.strip() in WILDCARD_HOSTS


def is_loopback(host: str) -> bool:
    """True for names and addresses that only this machine can reach."""
    host = host.strip().strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_host(address: str) -> str:
    """An address as it appears in a URL (IPv6 in brackets)."""
    return f"[{address}]" if ":" in address and not address.startswith("[") else address


def _default_route_address() -> str | None:
    with suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect((_ROUTE_PROBE, 9))
        address = str(probe.getsockname()[0])
        if not is_loopback(address) and address != "0.0.0.0":  # noqa: S104
            return address
    return None


def local_addresses() -> list[str]:
    """This machine's addresses another device could reach: IPv4 first (the default route's own
    first), then global IPv6; never loopback or link-local. Interfaces that are down are skipped."""
    stats = psutil.net_if_stats()
    v4: list[str] = []
    v6: list[str] = []
    for name, addrs in psutil.net_if_addrs().items():
        if name in stats and not stats[name].isup:
            continue
        for addr in addrs:
            if addr.family not in (socket.AF_INET, socket.AF_INET6):
                continue
            try:
                ip = ipaddress.ip_address(addr.address.split("%")[0])
            except ValueError:
                continue
            if ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast:
                continue
            (v4 if ip.version == 4 else v6).append(str(ip))
    primary = _default_route_address()
    if primary in v4:
        v4.remove(primary)
        v4.insert(0, primary)
    return list(dict.fromkeys(v4 + v6))


def machine_names() -> list[str]:
    """The machine's host name as students might type it (bare, and its mDNS `.local` form)."""
    name = socket.gethostname().strip().lower()
    if not name or is_loopback(name):
        return []
    short = name.split(".")[0]
    return list(dict.fromkeys([name, short, f"{short}.local"]))


def served_hosts(bind_host: str) -> list[str]:
    """Host names a server bound to `bind_host` answers to: loopback always; when bound to every
    interface, each of the machine's addresses and names; when bound to one address, that one."""
    hosts = ["127.0.0.1", "localhost", "[::1]"]
    if is_wildcard(bind_host):
        hosts += [url_host(a) for a in local_addresses()] + machine_names()
    elif not is_loopback(bind_host):
        hosts.append(url_host(bind_host.strip().strip("[]")))
    return list(dict.fromkeys(hosts))


def student_addresses(bind_host: str) -> list[str]:
    """The addresses other devices can use, best first (empty when bound to loopback only)."""
    if is_wildcard(bind_host):
        return [url_host(a) for a in local_addresses()]
    if is_loopback(bind_host):
        return []
    return [url_host(bind_host.strip().strip("[]"))]
