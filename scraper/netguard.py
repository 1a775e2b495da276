"""Where the crawler may connect: never to loopback, private, link-local or other non-public
addresses unless the source explicitly allows its own host (the local demo and test sites).

A government page (or a redirect it answers with) can point anywhere, including the
machine's own services (127.0.0.1:6379), the LAN (192.168.x) or a cloud metadata endpoint
(169.254.169.254). The crawler runs unattended next to the archive, so such a link is refused
before any connection is made: an IP literal is classified directly, a host name by every
address the resolver gives for it (one non-public address is enough to refuse it).

Checking a name and then letting the HTTP library resolve it again leaves a gap: a hostile
DNS server can answer the check with a public address and the connection, a moment later,
with 127.0.0.1 ("DNS rebinding"). `GuardedBackend` closes it: it is the network backend of
the crawler's connection pool, so every TCP connection is opened to an address it has just
resolved and checked, never to a name. TLS still verifies the certificate against the name
(httpcore passes the URL's host as the server name), so HTTPS is unaffected.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Iterable
from typing import Any

import httpcore


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


async def resolve(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for `host`, in its order, without repeats."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def resolve_kind(host: str, port: int) -> tuple[str, str] | None:
    """(address, kind) of the first non-public address `host` resolves to, or None.
    A name that does not resolve gives None: the connection then fails on its own."""
    kind = literal_kind(host)
    if kind:
        return host, kind
    try:
        addresses = await resolve(host, port)
    except (OSError, UnicodeError):
        return None
    for ip in addresses:
        kind = address_kind(ip)
        if kind:
            return ip, kind
    return None


class PrivateAddress(Exception):
    """A connection refused because the host resolved to a non-public address."""


async def public_addresses(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, all public; PrivateAddress when one is not.
    A name that does not resolve raises httpcore.ConnectError, as a failed connection."""
    if _is_literal(host):
        kind = literal_kind(host)
        if kind:
            raise PrivateAddress(f"{host} is {kind}")
        return [host.strip("[]")]
    try:
        addresses = await resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise httpcore.ConnectError(f"{host} does not resolve: {exc}") from exc
    if not addresses:
        raise httpcore.ConnectError(f"{host} has no address")
    for ip in addresses:
        kind = address_kind(ip)
        if kind:
            raise PrivateAddress(f"{host} resolves to {ip}, which is {kind}")
    return addresses


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to addresses it resolved and checked.

    `allowed_hosts` (lower-case names or literals: the sources with allow_private) connect
    as usual. Everything else is resolved here, refused if any address is not public, and
    connected to by address, trying each in turn.
    """

    def __init__(self, allowed_hosts: Iterable[str] = ()) -> None:
        self.allowed_hosts = frozenset(h.lower() for h in allowed_hosts)
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        if host.lower() in self.allowed_hosts:
            return await self.inner.connect_tcp(host, port, timeout, local_address,
                                                socket_options)
        # one connect timeout for the lookup and every address together, as for a name
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            addresses = await asyncio.wait_for(public_addresses(host, port), timeout)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"{host}: no answer from the resolver") from exc
        error: Exception | None = None
        for ip in addresses:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                break
            try:
                return await self.inner.connect_tcp(ip, port, left, local_address,
                                                    socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error or httpcore.ConnectTimeout(f"no address of {host} answered in time")

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None,
                                  ) -> httpcore.AsyncNetworkStream:
        raise PrivateAddress(f"unix socket {path}: the crawler connects over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
