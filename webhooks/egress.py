"""Where webhooks may point: the outbound-address policy (a guard against SSRF).

Pure: text and addresses in, a verdict out; no database, no DNS, no sockets.
:mod:`webhooks.transport` resolves names and connects only to the addresses this module
allowed.

Refused by default (docs/webhooks.md, "Where webhooks may point"):

- URLs other than ``http://`` and ``https://``, URLs with credentials (``user:pass@``) and
  URLs without a host.
- Names: ``localhost`` and ``*.localhost`` (loopback by definition), and the cloud
  metadata names ``metadata``, ``metadata.google.internal``, ``metadata.goog``,
  ``instance-data`` and ``instance-data.ec2.internal``. Names compare lower-cased, without
  a trailing dot, in their IDNA (punycode) form.
- Addresses that are not public unicast, decided with :mod:`ipaddress` (``is_global``,
  ``is_multicast``, ``is_reserved``, ``is_site_local``) plus 192.0.0.0/24, which Python
  3.11 counts as global: loopback (127/8, ::1), private (10/8, 172.16/12, 192.168/16,
  fc00::/7), link-local (169.254/16, fe80::/10), shared CGNAT (100.64/10), unspecified
  (0.0.0.0/8, ::), multicast (224/4, ff00::/8), broadcast, reserved (240/4), benchmarking
  (198.18/15), documentation (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32) and
  the other special-purpose ranges. An IPv4 address written as IPv6 (IPv4-mapped
  ``::ffff:a.b.c.d``, IPv4-compatible ``::a.b.c.d``, NAT64 ``64:ff9b::/96``, 6to4
  ``2002::/16``) is judged by the IPv4 address inside it.
- IPv4 in every notation the system resolver accepts: decimal (``2130706433``), hex
  (``0x7f000001``), octal (``0177.0.0.1``) and short forms (``127.1``).

An operator lifts the refusal of non-public addresses for on-premises receivers with
``CREATORMATCH_WEBHOOK_ALLOW_PRIVATE`` (all of them, and the ``localhost`` names) or
``CREATORMATCH_WEBHOOK_ALLOWED_CIDRS`` (the listed networks). Neither lifts the refusal of
cloud metadata addresses and names (169.254.169.254, 169.254.170.2, fd00:ec2::254,
100.100.100.200, 192.0.0.192), unspecified, multicast and broadcast addresses.
"""

from __future__ import annotations

import ipaddress
import socket
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

import httpx

from core.errors import FieldError, InvalidInputError
from core.settings import Settings

__all__ = [
    "METADATA_ADDRESSES",
    "METADATA_NAMES",
    "EgressPolicy",
    "EgressRefusedError",
    "IPAddress",
    "IPNetwork",
    "Target",
    "ip_literal",
    "parse_url",
]

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

_ALLOW_HINT = (
    "set CREATORMATCH_WEBHOOK_ALLOW_PRIVATE=1 or list it in "
    "CREATORMATCH_WEBHOOK_ALLOWED_CIDRS to allow it"
)
_LOOPBACK_NAMES = frozenset({"localhost"})
METADATA_NAMES = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
# AWS (EC2 and ECS), AWS over IPv6, Alibaba Cloud, Oracle Cloud. Link-local, private or
# special-purpose already; listed so that no setting can open them.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",
        "169.254.170.2",
        "fd00:ec2::254",
        "100.100.100.200",
        "192.0.0.192",
    )
)
# Special-purpose ranges that Python 3.11's ipaddress tables count as global.
_NOT_PUBLIC = (ipaddress.ip_network("192.0.0.0/24"),)
_PRIVATE = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
_SHARED = ipaddress.ip_network("100.64.0.0/10")
_BENCHMARKING = ipaddress.ip_network("198.18.0.0/15")
_DOCUMENTATION = tuple(
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
)
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")
_BROADCAST = IPv4Address("255.255.255.255")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_CHARS = frozenset(string.hexdigits + "xX.")


class EgressRefusedError(InvalidInputError):
    """The policy refuses an outbound URL, name or address; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        message = f"refused: {reason}"
        super().__init__(message, [FieldError(field="url", message=message)])
        self.reason = reason


@dataclass(frozen=True)
class Target:
    """The parts of an outbound URL that decide where it connects."""

    scheme: str
    host: str  # lower-case ASCII (IDNA), no brackets, no trailing dot
    port: int


def parse_url(url: str) -> Target:
    """Parse ``url`` strictly, as httpx will when it sends the request.

    Raises:
        EgressRefusedError: not http(s), credentials in the URL, or no host.
        InvalidInputError: not a URL at all (field ``url``).
    """
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise InvalidInputError.for_field("url", f"not a valid URL: {exc}") from None
    if parsed.scheme not in ("http", "https"):
        raise EgressRefusedError("only http:// and https:// URLs are allowed")
    if parsed.userinfo:
        raise EgressRefusedError("a URL must not carry credentials (user:password@)")
    host = parsed.raw_host.decode("ascii").lower()
    if host.endswith("."):
        host = host[:-1]
    if not host:
        raise EgressRefusedError("the URL has no host")
    return Target(
        scheme=parsed.scheme,
        host=host,
        port=parsed.port or (443 if parsed.scheme == "https" else 80),
    )


def ip_literal(host: str) -> IPAddress | None:
    """The address ``host`` spells, or None for a name.

    Reads IPv6 with or without brackets (a zone as ``%25eth0`` or ``%eth0``) and IPv4 in
    every notation of ``inet_aton``, which the system resolver uses too: ``2130706433``,
    ``0x7f000001``, ``0177.0.0.1``, ``127.1``. A trailing dot is ignored.
    """
    text = host.strip().removesuffix(".")
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if ":" in text:
        try:
            return IPv6Address(text.replace("%25", "%", 1))
        except ValueError:
            return None
    if not text or not set(text) <= _IPV4_CHARS:
        return None
    try:
        return IPv4Address(socket.inet_aton(text))  # pure parsing: no lookup
    except OSError:
        return None


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, compatible, NAT64, 6to4)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or 1 < int(address) < 2**32:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _is_public(address: IPAddress) -> bool:
    if isinstance(address, IPv6Address) and address.is_site_local:
        return False
    return (
        address.is_global
        and not address.is_multicast
        and not address.is_reserved
        and not any(address in net for net in _NOT_PUBLIC)
    )


def _kind(address: IPAddress) -> str:
    """What a non-public address is, for the refusal message."""
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if any(address in net for net in _PRIVATE):
        return "a private address"
    if address in _SHARED:
        return "a shared (CGNAT) address"
    if address.is_reserved:
        return "a reserved address"
    if address in _BENCHMARKING:
        return "a benchmarking address"
    if any(address in net for net in _DOCUMENTATION):
        return "a documentation address"
    return "a special-purpose address, not a public one"


@dataclass(frozen=True)
class EgressPolicy:
    """Which outbound URLs, names and addresses webhooks may reach (see the module doc).

    Args:
        allow_private: allow every non-public unicast address and the ``localhost`` names.
        allowed_networks: allow the addresses inside these networks.
    """

    allow_private: bool = False
    allowed_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> EgressPolicy:
        return cls(
            allow_private=settings.webhook_allow_private,
            allowed_networks=tuple(settings.webhook_allowed_cidrs),
        )

    def refusal(self, address: IPAddress, *, host: str | None = None) -> str | None:
        """Why ``address`` may not be reached, or None when it may: "127.0.0.1 is a
        loopback address (set ...)", or with ``host`` (the name it was resolved from)
        "crm.example.com resolves to 127.0.0.1, a loopback address (set ...)"."""
        inner = _embedded_ipv4(address) if isinstance(address, IPv6Address) else None
        subject = inner or address
        hint = ""
        if subject in METADATA_ADDRESSES:
            kind = "a cloud metadata address"
        elif subject.is_unspecified or subject in _THIS_NETWORK:
            kind = "an unspecified address"
        elif subject.is_multicast:
            kind = "a multicast address"
        elif subject == _BROADCAST:
            kind = "the broadcast address"
        elif _is_public(subject) or self._allows(address, subject):
            return None
        else:
            kind, hint = _kind(subject), f" ({_ALLOW_HINT})"
        written = f" ({inner} written as IPv6)" if inner is not None else ""
        if host is None:
            return f"{address}{written} is {kind}{hint}"
        return f"{host} resolves to {address}{written}, {kind}{hint}"

    def _allows(self, *addresses: IPAddress) -> bool:
        return self.allow_private or any(
            a in net for net in self.allowed_networks for a in addresses
        )

    def check_host(self, host: str) -> IPAddress | None:
        """Check a URL's host before any lookup: the address of an IP literal (allowed),
        or None for a name that must still be resolved and checked.

        Raises:
            EgressRefusedError: a refused address or name.
        """
        address = ip_literal(host)
        if address is not None:
            reason = self.refusal(address)
            if reason is not None:
                raise EgressRefusedError(reason)
            return address
        name = host.strip().lower().removesuffix(".")
        if name in METADATA_NAMES:
            raise EgressRefusedError(f"{name} is a cloud metadata name")
        if (name in _LOOPBACK_NAMES or name.endswith(".localhost")) and not self.allow_private:
            raise EgressRefusedError(
                f"{name} is a loopback name (set CREATORMATCH_WEBHOOK_ALLOW_PRIVATE=1 to allow it)"
            )
        return None

    def check_resolved(self, host: str, answers: Iterable[str]) -> Sequence[IPAddress]:
        """Check every address ``host`` resolved to; all must be allowed.

        Raises:
            EgressRefusedError: one of them is refused, or there were none.
        """
        addresses: list[IPAddress] = []
        for answer in answers:
            address = ip_literal(answer)
            if address is None:
                raise EgressRefusedError(f"{host} resolves to {answer!r}, not an IP address")
            reason = self.refusal(address, host=host)
            if reason is not None:
                raise EgressRefusedError(reason)
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise EgressRefusedError(f"{host} resolves to no address")
        return addresses

    def check_url(self, url: str) -> tuple[Target, IPAddress | None]:
        """Parse ``url`` strictly and check its host before any lookup.

        Returns:
            the target, and the address when the host is an IP literal.

        Raises:
            EgressRefusedError: the URL, its name or its address is refused.
            InvalidInputError: not a URL.
        """
        target = parse_url(url)
        return target, self.check_host(target.host)
