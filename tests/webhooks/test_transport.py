"""The guarded transport against real servers on 127.0.0.1: the socket goes to the address
that was checked (no second lookup), the Host header and TLS (SNI and the certificate) keep
the name, and refused or unresolvable hosts never get a connection."""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import trustme

from tests.webhooks.conftest import FakeDNS
from tests.webhooks.receiver import Receiver, serve
from webhooks.egress import EgressPolicy, EgressRefusedError
from webhooks.transport import GuardedTransport, resolve_checked, system_resolver

LOOPBACK = EgressPolicy(
    allowed_networks=(ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("::1/128"))
)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serve() as running:
        yield running


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every host the socket layer asks the system resolver about (create_connection uses
    socket.getaddrinfo): a pinned connection asks only about IP literals."""
    seen: list[str] = []
    real = socket.getaddrinfo

    def spy(host: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(host)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", spy)
    return seen


def port_of(receiver: Receiver) -> int:
    return int(receiver.url.rsplit(":", 1)[1])


def client(policy: EgressPolicy, dns: FakeDNS, **kwargs: Any) -> httpx.Client:
    return httpx.Client(transport=GuardedTransport(policy, resolver=dns, **kwargs), timeout=5)


class TestPinning:
    def test_the_socket_goes_to_the_checked_address_and_the_name_is_not_looked_up_again(
        self, receiver: Receiver, lookups: list[str]
    ) -> None:
        port = port_of(receiver)
        # crm.test exists only in this fake DNS: the request can arrive only through the
        # address the transport checked.
        dns = FakeDNS({"crm.test": ["127.0.0.1"]})
        with client(LOOPBACK, dns) as http:
            response = http.post(f"http://crm.test:{port}/hook", content=b"{}")
        assert response.status_code == 200
        (request,) = receiver.requests
        assert request.headers["Host"] == f"crm.test:{port}"
        assert dns.calls == [("crm.test", port)]
        assert lookups == ["127.0.0.1"]

    def test_the_next_checked_address_is_tried_when_one_does_not_answer(
        self, receiver: Receiver, lookups: list[str]
    ) -> None:
        port = port_of(receiver)
        # The receiver listens on 127.0.0.1 only; ::1 refuses (or has no IPv6 at all).
        dns = FakeDNS({"crm.test": ["::1", "127.0.0.1"]})
        with client(LOOPBACK, dns) as http:
            assert http.post(f"http://crm.test:{port}/hook").status_code == 200
        assert lookups == ["::1", "127.0.0.1"]

    def test_an_ip_literal_is_connected_to_as_written_without_the_resolver(
        self, receiver: Receiver
    ) -> None:
        dns = FakeDNS()
        with client(LOOPBACK, dns) as http:
            assert http.post(receiver.url + "/hook").status_code == 200
        assert dns.calls == []


class TestRefusals:
    @pytest.mark.parametrize(
        ("host", "answers", "says"),
        [
            ("127.0.0.1", None, "127.0.0.1 is a loopback address"),
            ("2130706433", None, "127.0.0.1 is a loopback address"),
            ("crm.test", ["127.0.0.1"], "crm.test resolves to 127.0.0.1, a loopback address"),
            ("crm.test", ["93.184.215.14", "10.0.0.8"], "resolves to 10.0.0.8, a private"),
            ("localhost", None, "localhost is a loopback name"),
        ],
    )
    def test_a_refused_host_gets_no_connection(
        self,
        receiver: Receiver,
        lookups: list[str],
        host: str,
        answers: list[str] | None,
        says: str,
    ) -> None:
        dns = FakeDNS({host: answers} if answers else {})
        with client(EgressPolicy(), dns) as http, pytest.raises(EgressRefusedError, match=says):
            http.post(f"http://{host}:{port_of(receiver)}/hook", content=b"secret")
        assert receiver.requests == []
        assert lookups == []

    def test_a_name_that_does_not_resolve_is_a_connect_error(self, lookups: list[str]) -> None:
        with (
            client(EgressPolicy(), FakeDNS()) as http,
            pytest.raises(httpx.ConnectError, match=r"crm\.test does not resolve"),
        ):
            http.post("http://crm.test/hook")
        assert lookups == []


class TestTls:
    @pytest.fixture
    def ca(self) -> trustme.CA:
        return trustme.CA()

    @pytest.fixture
    def tls_receiver(self, ca: trustme.CA) -> Iterator[Receiver]:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("crm.test").configure_cert(context)
        with serve(tls=context) as running:
            yield running

    @pytest.fixture
    def verify(self, ca: trustme.CA) -> ssl.SSLContext:
        context = ssl.create_default_context()
        ca.configure_trust(context)
        return context

    def test_sni_and_the_certificate_are_checked_against_the_name(
        self, tls_receiver: Receiver, verify: ssl.SSLContext, lookups: list[str]
    ) -> None:
        port = port_of(tls_receiver)
        dns = FakeDNS({"crm.test": ["127.0.0.1"]})
        with client(LOOPBACK, dns, verify=verify) as http:
            assert http.post(f"https://crm.test:{port}/hook").status_code == 200
        assert tls_receiver.sni == ["crm.test"]
        assert tls_receiver.requests[0].headers["Host"] == f"crm.test:{port}"
        assert lookups == ["127.0.0.1"]

    def test_a_certificate_for_another_name_is_refused(
        self, tls_receiver: Receiver, verify: ssl.SSLContext
    ) -> None:
        # Same address, another name: the pinned address must not stand in for the name.
        dns = FakeDNS({"other.test": ["127.0.0.1"]})
        with (
            client(LOOPBACK, dns, verify=verify) as http,
            pytest.raises(httpx.ConnectError, match="certificate verify failed"),
        ):
            http.post(f"https://other.test:{port_of(tls_receiver)}/hook")
        assert tls_receiver.requests == []


def test_resolve_checked_uses_the_resolver_for_names_only() -> None:
    dns = FakeDNS({"crm.test": ["93.184.215.14"]})
    policy = EgressPolicy()
    assert resolve_checked(policy, dns, "crm.test", 443) == [ipaddress.ip_address("93.184.215.14")]
    assert resolve_checked(policy, dns, "0x8080808", 443) == [ipaddress.ip_address("8.8.8.8")]
    assert dns.calls == [("crm.test", 443)]
    with pytest.raises(OSError, match="not known"):
        resolve_checked(policy, dns, "gone.test", 443)


def test_the_system_resolver_answers_addresses_as_text() -> None:
    assert system_resolver("127.0.0.1", 80) == ["127.0.0.1"]
    assert system_resolver("0x7f000001", 80) == ["127.0.0.1"]
