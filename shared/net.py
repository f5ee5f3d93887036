"""Outbound requests to URLs our users give us (webhook endpoints, media URLs): which
addresses we may reach (SSRF).

A name is resolved and *every* address it resolves to is checked at the moment of use, and
the connection then goes to an address that was checked (never a second lookup that DNS
rebinding could answer differently). Refused: loopback, private, shared (CGNAT), link-local
(and with it the metadata server 169.254.169.254), multicast, unspecified, reserved and
documentation ranges, their IPv6 equivalents, and IPv4 addresses carried in IPv6 (mapped,
6to4, Teredo, NAT64). Loopback is allowed only when ENVIRONMENT is `local` (a developer's
receiver on their machine); tests switch it with the same setting.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from shared.config import get_settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

# Names of cloud metadata servers, refused before any lookup.
METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata.goog", "metadata"})
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class ForbiddenAddress(ValueError):
    """The URL's host is, or resolves to, an address we must not reach."""


class Unresolvable(ValueError):
    """The URL's host has no address (DNS failure)."""


@dataclass(frozen=True)
class Target:
    """A URL split for an SSRF-safe request: connect to `address`, present `host`."""

    url: SplitResult
    host: str  # the name, for the Host header and TLS SNI / certificate check
    port: int
    address: IPAddress  # the checked address to connect to

    @property
    def address_url(self) -> str:
        """The URL with the checked address in place of the name."""
        literal = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        netloc = f"{literal}:{self.port}"
        path = self.url.path or "/"
        query = f"?{self.url.query}" if self.url.query else ""
        return f"{self.url.scheme}://{netloc}{path}{query}"

    @property
    def host_header(self) -> str:
        default = 443 if self.url.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


def loopback_allowed() -> bool:
    return get_settings().environment == "local"


def forbidden_reason(address: IPAddress, *, allow_loopback: bool | None = None) -> str | None:
    """Why `address` may not be reached, or None when it may."""
    if allow_loopback is None:
        allow_loopback = loopback_allowed()
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return forbidden_reason(embedded, allow_loopback=allow_loopback)
    if address.is_loopback:
        return None if allow_loopback else "loopback"
    if address.is_link_local:
        return "link-local (cloud metadata)"
    if address.is_multicast:
        return "multicast"
    if address.is_unspecified:
        return "unspecified"
    if address.is_private:
        return "private"
    if not address.is_global:
        return "reserved"
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Unresolvable(f"{host} does not resolve: {exc}") from exc
    return [str(info[4][0]) for info in infos]


def split_url(url: str, *, require_https: bool | None = None) -> tuple[SplitResult, str, int]:
    """(parts, host, port) of an http(s) URL; ValueError says what is wrong with it."""
    parts = urlsplit(url)
    if require_https is None:
        require_https = get_settings().environment != "local"
    allowed = ("https",) if require_https else ("https", "http")
    if parts.scheme not in allowed:
        raise ValueError("the URL must use https" if require_https else "the URL must be http(s)")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise ValueError("the URL has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise ValueError("the URL's port is not valid") from exc
    return parts, host, port


def check_host(
    host: str,
    port: int,
    *,
    resolver: Resolver | None = None,
    allow_loopback: bool | None = None,
) -> list[IPAddress]:
    """Every address of `host`, all checked; ForbiddenAddress names the first refused one."""
    if host in METADATA_HOSTS:
        raise ForbiddenAddress(f"{host} is a metadata server")
    try:
        addresses: list[IPAddress] = [ipaddress.ip_address(host)]
    except ValueError:
        raw = (resolver or system_resolver)(host, port)
        addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in raw]
    if not addresses:
        raise Unresolvable(f"{host} has no address")
    for address in addresses:
        reason = forbidden_reason(address, allow_loopback=allow_loopback)
        if reason is not None:
            raise ForbiddenAddress(f"{host} resolves to {address}, a {reason} address")
    return addresses


def resolve_target(
    url: str,
    *,
    resolver: Resolver | None = None,
    allow_loopback: bool | None = None,
    require_https: bool | None = None,
) -> Target:
    """Resolve and check `url` now; the request must then go to `Target.address`."""
    parts, host, port = split_url(url, require_https=require_https)
    addresses = check_host(host, port, resolver=resolver, allow_loopback=allow_loopback)
    return Target(parts, host, port, addresses[0])


def check_url(url: str, *, resolver: Resolver | None = None) -> None:
    """For a URL given at creation time: refuse a forbidden address now. A name that does
    not resolve (yet) is accepted; the check at send time is the one that counts."""
    _, host, port = split_url(url)
    try:
        check_host(host, port, resolver=resolver)
    except Unresolvable:
        return
