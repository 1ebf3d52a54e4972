"""The egress policy as a table: every way of writing an inside address is refused with the
reason, public addresses and names pass, and the two operator settings lift exactly what
they say."""

from __future__ import annotations

import ipaddress

import pytest

from core.errors import InvalidInputError
from webhooks.egress import EgressPolicy, EgressRefusedError, ip_literal, parse_url

DEFAULT = EgressPolicy()
PRIVATE_ALLOWED = EgressPolicy(allow_private=True)
HINT = "CREATORMATCH_WEBHOOK_ALLOW_PRIVATE"

# host as written in a URL -> what the refusal says it is
REFUSED = [
    # IPv4 loopback in every notation inet_aton (and so the system resolver) reads
    ("127.0.0.1", "127.0.0.1 is a loopback address"),
    ("127.0.0.1.", "127.0.0.1 is a loopback address"),
    ("127.1", "127.0.0.1 is a loopback address"),
    ("2130706433", "127.0.0.1 is a loopback address"),
    ("0x7f000001", "127.0.0.1 is a loopback address"),
    ("0X7F000001", "127.0.0.1 is a loopback address"),
    ("0177.0.0.1", "127.0.0.1 is a loopback address"),
    ("0x7f.1", "127.0.0.1 is a loopback address"),
    ("127.255.255.254", "127.255.255.254 is a loopback address"),
    # IPv6 loopback, bracketed or not, and IPv4 written as IPv6
    ("::1", "::1 is a loopback address"),
    ("[::1]", "::1 is a loopback address"),
    ("[0:0:0:0:0:0:0:1]", "::1 is a loopback address"),
    ("[::ffff:127.0.0.1]", "(127.0.0.1 written as IPv6) is a loopback address"),
    ("::ffff:7f00:1", "(127.0.0.1 written as IPv6) is a loopback address"),
    ("[::127.0.0.1]", "(127.0.0.1 written as IPv6) is a loopback address"),
    ("[64:ff9b::7f00:1]", "(127.0.0.1 written as IPv6) is a loopback address"),
    ("[2002:7f00:1::]", "(127.0.0.1 written as IPv6) is a loopback address"),
    ("[::ffff:10.0.0.1]", "(10.0.0.1 written as IPv6) is a private address"),
    # RFC 1918 and unique local, in several notations
    ("10.0.0.5", "10.0.0.5 is a private address"),
    ("167772165", "10.0.0.5 is a private address"),
    ("0xa000005", "10.0.0.5 is a private address"),
    ("012.0.0.5", "10.0.0.5 is a private address"),
    ("172.16.0.1", "172.16.0.1 is a private address"),
    ("172.31.255.254", "172.31.255.254 is a private address"),
    ("192.168.1.1", "192.168.1.1 is a private address"),
    ("0xc0.0xa8.1.1", "192.168.1.1 is a private address"),
    ("[fd12:3456::1]", "fd12:3456::1 is a private address"),
    ("[fc00::1]", "fc00::1 is a private address"),
    # link-local, CGNAT, reserved, benchmarking, documentation
    ("169.254.1.1", "169.254.1.1 is a link-local address"),
    ("[fe80::1]", "fe80::1 is a link-local address"),
    ("[fe80::1%25eth0]", "fe80::1%eth0 is a link-local address"),
    ("100.64.0.1", "100.64.0.1 is a shared (CGNAT) address"),
    ("240.0.0.1", "240.0.0.1 is a reserved address"),
    ("198.18.0.1", "198.18.0.1 is a benchmarking address"),
    ("192.0.2.10", "192.0.2.10 is a documentation address"),
    ("198.51.100.7", "198.51.100.7 is a documentation address"),
    ("203.0.113.80", "203.0.113.80 is a documentation address"),
    ("[2001:db8::1]", "2001:db8::1 is a documentation address"),
    ("192.0.0.8", "192.0.0.8 is a special-purpose address"),
    ("[fec0::1]", "fec0::1 is a special-purpose address"),
    # never allowed, whatever the settings
    ("169.254.169.254", "169.254.169.254 is a cloud metadata address"),
    ("2852039166", "169.254.169.254 is a cloud metadata address"),
    ("0xa9fea9fe", "169.254.169.254 is a cloud metadata address"),
    ("[::ffff:169.254.169.254]", "is a cloud metadata address"),
    ("169.254.170.2", "169.254.170.2 is a cloud metadata address"),
    ("[fd00:ec2::254]", "fd00:ec2::254 is a cloud metadata address"),
    ("100.100.100.200", "100.100.100.200 is a cloud metadata address"),
    ("192.0.0.192", "192.0.0.192 is a cloud metadata address"),
    ("0.0.0.0", "0.0.0.0 is an unspecified address"),
    ("0", "0.0.0.0 is an unspecified address"),
    ("0.1.2.3", "0.1.2.3 is an unspecified address"),
    ("[::]", ":: is an unspecified address"),
    ("224.0.0.1", "224.0.0.1 is a multicast address"),
    ("239.255.255.250", "239.255.255.250 is a multicast address"),
    ("[ff02::1]", "ff02::1 is a multicast address"),
    ("255.255.255.255", "255.255.255.255 is the broadcast address"),
    # names
    ("localhost", "localhost is a loopback name"),
    ("LOCALHOST.", "localhost is a loopback name"),
    ("crm.localhost", "crm.localhost is a loopback name"),
    ("metadata", "metadata is a cloud metadata name"),
    ("metadata.google.internal", "metadata.google.internal is a cloud metadata name"),
    ("Metadata.Google.Internal.", "metadata.google.internal is a cloud metadata name"),
    ("metadata.goog", "metadata.goog is a cloud metadata name"),
    ("instance-data.ec2.internal", "instance-data.ec2.internal is a cloud metadata name"),
]

NEVER_ALLOWED = {"cloud metadata", "unspecified", "multicast", "broadcast"}

PUBLIC = [
    ("93.184.215.14", "93.184.215.14"),
    ("8.8.8.8", "8.8.8.8"),
    ("134744072", "8.8.8.8"),
    ("0x8080808", "8.8.8.8"),
    ("1.1", "1.0.0.1"),
    ("172.32.0.1", "172.32.0.1"),  # just past 172.16/12
    ("100.128.0.1", "100.128.0.1"),  # just past 100.64/10
    ("[2606:4700:4700::1111]", "2606:4700:4700::1111"),
    ("2001:4860:4860::8888", "2001:4860:4860::8888"),
    ("[::ffff:8.8.8.8]", "::ffff:808:808"),
    ("[64:ff9b::808:808]", "64:ff9b::808:808"),  # NAT64 of a public address
]


@pytest.mark.parametrize(("host", "says"), REFUSED)
def test_inside_addresses_and_names_are_refused(host: str, says: str) -> None:
    with pytest.raises(EgressRefusedError) as info:
        DEFAULT.check_host(host)
    assert says in info.value.reason
    assert str(info.value) == f"refused: {info.value.reason}"
    assert [e.field for e in info.value.errors] == ["url"]
    liftable = not any(kind in says for kind in NEVER_ALLOWED)
    assert (HINT in info.value.reason) is liftable


@pytest.mark.parametrize(("host", "address"), PUBLIC)
def test_public_addresses_pass(host: str, address: str) -> None:
    assert DEFAULT.check_host(host) == ipaddress.ip_address(address)


@pytest.mark.parametrize("host", ["crm.example.com", "xn--bcher-kva.de", "localhost.example"])
def test_a_public_looking_name_waits_for_its_addresses(host: str) -> None:
    assert DEFAULT.check_host(host) is None


@pytest.mark.parametrize(("host", "says"), REFUSED)
def test_allow_private_lifts_all_but_metadata_unspecified_multicast_broadcast(
    host: str, says: str
) -> None:
    if any(kind in says for kind in NEVER_ALLOWED):
        with pytest.raises(EgressRefusedError):
            PRIVATE_ALLOWED.check_host(host)
    else:
        PRIVATE_ALLOWED.check_host(host)  # no refusal


class TestAllowedNetworks:
    policy = EgressPolicy(
        allowed_networks=(
            ipaddress.ip_network("10.1.0.0/16"),
            ipaddress.ip_network("127.0.0.1/32"),
            ipaddress.ip_network("169.254.0.0/16"),
        )
    )

    @pytest.mark.parametrize(
        "host", ["10.1.2.3", "0xa010203", "127.0.0.1", "2130706433", "[::ffff:127.0.0.1]"]
    )
    def test_addresses_inside_pass(self, host: str) -> None:
        assert self.policy.check_host(host) is not None

    @pytest.mark.parametrize(
        ("host", "says"),
        [
            ("10.2.0.1", "10.2.0.1 is a private address"),
            ("127.0.0.2", "127.0.0.2 is a loopback address"),
            ("[::1]", "::1 is a loopback address"),
            ("169.254.169.254", "cloud metadata address"),  # inside 169.254/16, still refused
            ("localhost", "localhost is a loopback name"),  # names need ALLOW_PRIVATE
        ],
    )
    def test_others_stay_refused(self, host: str, says: str) -> None:
        with pytest.raises(EgressRefusedError, match=says):
            self.policy.check_host(host)


class TestResolvedAddresses:
    def test_every_address_must_pass(self) -> None:
        with pytest.raises(EgressRefusedError) as info:
            DEFAULT.check_resolved("crm.example.com", ["93.184.215.14", "127.0.0.1"])
        assert info.value.reason == (
            "crm.example.com resolves to 127.0.0.1, a loopback address (set "
            "CREATORMATCH_WEBHOOK_ALLOW_PRIVATE=1 or list it in "
            "CREATORMATCH_WEBHOOK_ALLOWED_CIDRS to allow it)"
        )

    def test_a_rebound_ipv6_answer_is_checked_too(self) -> None:
        with pytest.raises(EgressRefusedError, match="resolves to ::ffff:a9fe:a9fe"):
            DEFAULT.check_resolved("evil.example", ["::ffff:169.254.169.254"])

    def test_public_answers_pass_in_order_without_duplicates(self) -> None:
        answers = ["2606:4700::6810:84e5", "93.184.215.14", "93.184.215.14"]
        assert DEFAULT.check_resolved("crm.example.com", answers) == [
            ipaddress.ip_address("2606:4700::6810:84e5"),
            ipaddress.ip_address("93.184.215.14"),
        ]

    @pytest.mark.parametrize(
        ("answers", "says"),
        [([], "resolves to no address"), (["not-an-ip"], "not an IP address")],
    )
    def test_no_usable_answer_is_refused(self, answers: list[str], says: str) -> None:
        with pytest.raises(EgressRefusedError, match=says):
            DEFAULT.check_resolved("crm.example.com", answers)


class TestUrls:
    @pytest.mark.parametrize(
        ("url", "says"),
        [
            ("ftp://crm.example.com/hook", "only http:// and https://"),
            ("file:///etc/passwd", "only http:// and https://"),
            ("gopher://crm.example.com/", "only http:// and https://"),
            ("https://user:secret@crm.example.com/hook", "must not carry credentials"),
            ("https://token@crm.example.com/hook", "must not carry credentials"),
            ("http://127.0.0.1:8799/internal-admin", "127.0.0.1 is a loopback address"),
            ("http://[::1]:8799/", "::1 is a loopback address"),
            ("http://2130706433/", "127.0.0.1 is a loopback address"),
            ("http://169.254.169.254/latest/meta-data/", "cloud metadata address"),
            ("http://metadata.google.internal/computeMetadata/v1/", "cloud metadata name"),
            ("https://LOCALHOST./hook", "localhost is a loopback name"),
        ],
    )
    def test_refused_urls(self, url: str, says: str) -> None:
        with pytest.raises(EgressRefusedError, match=says) as info:
            DEFAULT.check_url(url)
        assert "secret" not in str(info.value)

    @pytest.mark.parametrize("url", ["http://0177.0.0.1/", "http://[::1/", "https://"])
    def test_unparsable_urls_name_the_field(self, url: str) -> None:
        with pytest.raises(InvalidInputError) as info:
            DEFAULT.check_url(url)
        assert [e.field for e in info.value.errors] == ["url"]

    def test_the_target_is_what_httpx_connects_to(self) -> None:
        target, address = DEFAULT.check_url("https://Bücher.DE./hook?x=1")
        assert (target.scheme, target.host, target.port, address) == (
            "https",
            "xn--bcher-kva.de",
            443,
            None,
        )
        target, address = DEFAULT.check_url("http://[2606:4700::1111]:8080/")
        assert (target.host, target.port) == ("2606:4700::1111", 8080)
        assert address == ipaddress.ip_address("2606:4700::1111")

    def test_parse_url_defaults_the_port(self) -> None:
        assert parse_url("http://crm.example.com/").port == 80
        assert parse_url("https://crm.example.com/").port == 443


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("fe80::1%25eth0", "fe80::1%eth0"),
        ("crm.example.com", None),
        ("deadbeef", None),  # hex digits, but not an address (no 0x)
        ("1.2.3.4.5", None),
        ("127.0.0.1 x", None),
        ("", None),
        ("[::1", None),
    ],
)
def test_ip_literal(host: str, address: str | None) -> None:
    expected = ipaddress.ip_address(address) if address else None
    assert ip_literal(host) == expected
