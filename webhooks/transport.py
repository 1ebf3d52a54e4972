"""An httpx transport that connects only where :class:`webhooks.egress.EgressPolicy`
allows, to the very address it checked.

At each new connection the network backend resolves the URL's host once, checks every
address of the answer, and opens the socket to a checked IP literal: no second lookup
happens, so a name cannot be re-pointed (DNS rebinding) between the check and the
connection. The URL, the ``Host`` header and TLS (SNI and certificate verification) keep
the original name, for httpcore does the TLS handshake against the URL's host whatever
address the socket reached. A refusal raises :class:`webhooks.egress.EgressRefusedError`
before any byte is sent; a name that does not resolve is an ``httpx.ConnectError``.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable, Iterable, Sequence

import httpcore
import httpx

from webhooks.egress import EgressPolicy, IPAddress

__all__ = ["GuardedTransport", "Resolver", "resolve_checked", "system_resolver"]

Resolver = Callable[[str, int], Iterable[str]]
"""``(host, port) -> addresses as text``; raises ``OSError`` when the name does not
resolve."""


def system_resolver(host: str, port: int) -> list[str]:
    """The system resolver's addresses for ``host`` (``getaddrinfo``), in its order."""
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(sockaddr[0]) for *_, sockaddr in answers))


def resolve_checked(
    policy: EgressPolicy, resolver: Resolver, host: str, port: int
) -> Sequence[IPAddress]:
    """The addresses to connect to for ``host``: the literal itself, or every address the
    name resolves to, each one allowed by ``policy``.

    Raises:
        EgressRefusedError: the host, or one of its addresses, is refused.
        OSError: the name does not resolve.
    """
    literal = policy.check_host(host)
    if literal is not None:
        return [literal]
    return policy.check_resolved(host, resolver(host, port))


class _GuardedBackend(httpcore.NetworkBackend):
    """httpcore's socket backend, with each TCP connection resolved and checked here."""

    def __init__(self, policy: EgressPolicy, resolver: Resolver) -> None:
        self._policy = policy
        self._resolver = resolver
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = resolve_checked(self._policy, self._resolver, host, port)
        except OSError as exc:
            raise httpcore.ConnectError(f"{host} does not resolve: {exc}") from exc
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:  # like socket.create_connection: the first that answers
            try:
                return self._sockets.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # resolve_checked returns at least one address
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("webhooks do not connect to unix sockets")

    def sleep(self, seconds: float) -> None:
        self._sockets.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """``httpx.HTTPTransport`` whose connections go only where ``policy`` allows.

    It connects directly: a client given this transport mounts no environment proxy
    (``HTTP_PROXY``, ...), which would resolve and connect on its own, unchecked.

    Args:
        policy: the egress policy.
        resolver: resolves names (tests pass a fake one); default: ``getaddrinfo``.
        verify: as ``httpx.HTTPTransport``'s (an ``ssl.SSLContext`` in tests).
    """

    def __init__(
        self,
        policy: EgressPolicy,
        *,
        resolver: Resolver = system_resolver,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        context = httpx.create_ssl_context(verify=verify)  # honours SSL_CERT_FILE
        super().__init__(verify=context)
        limits = httpx.Limits()
        # httpx builds its pool without a way to pass a network backend: replace it with
        # the same pool on ours (tests/webhooks/test_transport.py fails if this stops
        # taking effect).
        self._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_GuardedBackend(policy, resolver),
        )
