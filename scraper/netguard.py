"""Where the crawler may connect: never to loopback, private, link-local or other non-public
addresses unless the source explicitly allows its own host (the local demo and test sites).

A government page (or a redirect it answers with) can point anywhere, including the
machine's own services (127.0.0.1:6379), the LAN (192.168.x) or a cloud metadata endpoint
(169.254.169.254). The crawler runs unattended next to the archive, so such a link is refused
before any connection is made: an IP literal is classified directly, a host name by every
address the resolver gives for it (one non-public address is enough to refuse it).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket


def address_kind(ip: str) -> str | None:
    """Why an address is not a public one (loopback, private, link-local …), or None."""
    try:
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return "invalid"
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    for kind in ("unspecified", "loopback", "link_local", "multicast", "private", "reserved"):
        if getattr(addr, f"is_{kind}"):
            return kind.replace("_", "-")
    if not addr.is_global:  # shared address space 100.64/10 and the like
        return "non-global"
    return None


def literal_kind(host: str) -> str | None:
    """address_kind for a host that is an IP literal; None for a name or a public address."""
    host = host.strip("[]")
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None
    return address_kind(host)


async def resolve_kind(host: str, port: int) -> tuple[str, str] | None:
    """(address, kind) of the first non-public address `host` resolves to, or None.
    A name that does not resolve gives None: the connection then fails on its own."""
    kind = literal_kind(host)
    if kind:
        return host, kind
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None
    for info in infos:
        ip = str(info[4][0])
        kind = address_kind(ip)
        if kind:
            return ip, kind
    return None
