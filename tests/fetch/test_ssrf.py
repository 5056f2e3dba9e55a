"""The SSRF guard refuses hostile URLs: literal, disguised and DNS-named private addresses."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from pathlib import Path

import pytest
from fetch_helpers import ServerState, StaticResolver, make_settings

from clausewatch.fetch import Fetcher, SSRFRefused, check_address, check_url
from clausewatch.fetch.ssrf import ConnectGuard, GuardedResolver, is_allowed

HOSTILE = [
    ("http://10.0.0.5/", "10.0.0.5 (private network)"),
    ("http://10.255.255.255:8080/x", "private network"),
    ("http://172.16.0.1/", "172.16.0.1 (private network)"),
    ("http://172.31.255.254/", "private network"),
    ("http://192.168.1.1/admin", "192.168.1.1 (private network)"),
    ("http://127.0.0.1/", "127.0.0.1 (loopback)"),
    ("http://127.8.9.10:9000/", "loopback"),
    ("http://[::1]/", "::1 (loopback)"),
    ("http://[fe80::1]/", "fe80::1 (link-local)"),
    ("http://[fe80::1%25eth0]/", "scoped IPv6"),
    ("http://[fc00::1]/", "private network"),
    ("http://[fd12:3456::1]/", "private network"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 (cloud metadata)"),
    ("http://169.254.10.10/", "link-local"),
    ("http://[fd00:ec2::254]/", "cloud metadata"),
    ("http://metadata.google.internal/computeMetadata/v1/", "cloud metadata name"),
    ("http://100.64.0.1/", "carrier-grade NAT"),
    ("http://0.0.0.0/", "unspecified address"),
    ("http://[::]/", "unspecified address"),
    ("http://224.0.0.1/", "multicast"),
    ("http://[ff02::1]/", "multicast"),
    ("http://255.255.255.255/", "broadcast"),
    ("http://240.0.0.1/", "reserved"),
    ("http://2130706433/", "is 127.0.0.1 (loopback)"),
    ("http://0x7f000001/", "is 127.0.0.1 (loopback)"),
    ("http://0x7F.0.0.1/", "is 127.0.0.1 (loopback)"),
    ("http://0177.0.0.1/", "is 127.0.0.1 (loopback)"),
    ("http://017700000001/", "is 127.0.0.1 (loopback)"),
    ("http://127.1/", "is 127.0.0.1 (loopback)"),
    ("http://10.1/", "is 10.0.0.1 (private network)"),
    ("http://167772161/", "is 10.0.0.1 (private network)"),
    ("http://0xa9fea9fe/", "is 169.254.169.254 (cloud metadata)"),
    ("http://0/", "is 0.0.0.0 (unspecified address)"),
    ("http://[::ffff:10.0.0.1]/", "private network, embedded in IPv6"),
    ("http://[::ffff:127.0.0.1]/", "loopback, embedded in IPv6"),
    ("http://[::ffff:169.254.169.254]/", "cloud metadata, embedded in IPv6"),
    ("http://[2002:c0a8:101::1]/", "private network, embedded in IPv6"),
    ("http://[64:ff9b::10.0.0.1]/", "private network, embedded in IPv6"),
    ("http://localhost/", "localhost (loopback name)"),
    ("http://LOCALHOST.:8080/", "localhost (loopback name)"),
    ("http://api.localhost/", "loopback name"),
    ("http://①②⑦.0.0.1/", "127.0.0.1 (loopback)"),
    ("http://1.2.3.4.5/", "not a valid IPv4 address"),
    ("http://8.8.8.8:80@10.0.0.1/", "credentials in URL"),
    ("http://user:pass@example.com/", "credentials in URL"),
    ("file:///etc/passwd", "scheme 'file'"),
    ("gopher://example.com/", "scheme 'gopher'"),
    ("ftp://example.com/terms.pdf", "scheme 'ftp'"),
    ("http://10.0.0.1\\@example.com/", "backslash"),
    ("http:///path-only", "no host"),
]


@pytest.mark.parametrize(("url", "reason"), HOSTILE, ids=[u for u, _ in HOSTILE])
def test_hostile_urls_are_refused_with_their_reason(url: str, reason: str) -> None:
    with pytest.raises(SSRFRefused) as caught:
        check_url(url, frozenset())
    assert reason in caught.value.reason
    assert caught.value.kind == "permanent"
    assert caught.value.url == url


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/terms",
        "http://93.184.216.34/",
        "https://[2606:4700:4700::1111]/",
        "https://www.example.co.uk:8443/privacy?x=1",
        "https://example.com./trailing-dot",
        "https://10.example.com/",  # a name whose first label is numeric is still a name
    ],
)
def test_public_urls_pass(url: str) -> None:
    check_url(url, frozenset())


def test_non_canonical_public_address_is_refused_too() -> None:
    # aiohttp refuses these itself; we say why in the same words as for hostile ones.
    with pytest.raises(SSRFRefused, match=r"is 8\.8\.8\.8"):
        check_url("http://134744072/", frozenset())


@pytest.mark.parametrize(
    ("address", "rule"),
    [
        ("10.0.0.5", "private network"),
        ("172.20.1.1", "private network"),
        ("192.168.0.1", "private network"),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("fe80::abcd", "link-local"),
        ("169.254.169.254", "cloud metadata"),
        ("100.100.100.200", "cloud metadata"),
        ("192.0.2.1", "not globally routable"),
        ("2001:db8::1", "not globally routable"),
        ("8.8.8.8", None),
        ("2606:4700::6810:84e5", None),
        (ipaddress.ip_address("10.1.2.3"), "private network"),
    ],
)
def test_check_address_names_the_rule(
    address: str | ipaddress.IPv4Address, rule: str | None
) -> None:
    assert check_address(address) == rule


def test_allowance_is_per_host_and_optionally_per_port() -> None:
    allowed = frozenset({"127.0.0.1:8080", "intranet.test", "[::1]:9000"})
    assert is_allowed("127.0.0.1", 8080, allowed)
    assert not is_allowed("127.0.0.1", 8081, allowed)
    assert is_allowed("INTRANET.test.", 443, allowed)
    assert is_allowed("::1", 9000, allowed)
    assert not is_allowed("::1", 9001, allowed)
    check_url("http://127.0.0.1:8080/", allowed)
    with pytest.raises(SSRFRefused):
        check_url("http://127.0.0.1:8081/", allowed)
    with pytest.raises(SSRFRefused):
        check_url("http://127.0.0.2:8080/", allowed)


RESOLVED = {
    "intranet.example": ["10.0.0.5"],
    "metadata.example": ["169.254.169.254"],
    "loop6.example": ["::1"],
    "mapped.example": ["::ffff:192.168.0.7"],
    "mixed.example": ["93.184.216.34", "172.16.5.4"],
    "public.example": ["93.184.216.34"],
}


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("intranet.example", "intranet.example resolves to 10.0.0.5 (private network)"),
        ("metadata.example", "resolves to 169.254.169.254 (cloud metadata)"),
        ("loop6.example", "resolves to ::1 (loopback)"),
        ("mapped.example", "private network, embedded in IPv6"),
        ("mixed.example", "resolves to 172.16.5.4 (private network)"),
    ],
)
def test_names_resolving_to_forbidden_addresses_are_refused(name: str, reason: str) -> None:
    resolver = GuardedResolver(frozenset(), StaticResolver(RESOLVED))
    with pytest.raises(SSRFRefused) as caught:
        asyncio.run(resolver.resolve(name, 80))
    assert reason in caught.value.reason


def test_public_name_resolves_through_the_guard() -> None:
    resolver = GuardedResolver(frozenset(), StaticResolver(RESOLVED))
    results = asyncio.run(resolver.resolve("public.example", 443))
    assert [r["host"] for r in results] == ["93.184.216.34"]


def test_localhost_is_refused_by_the_resolver() -> None:
    async def go() -> None:
        resolver = GuardedResolver(frozenset())
        try:
            await resolver.resolve("localhost", 80)
        finally:
            await resolver.close()

    with pytest.raises(SSRFRefused, match="loopback"):
        asyncio.run(go())


def test_system_dns_answer_for_this_machine_is_judged() -> None:
    """The machine's own name goes through the real system resolver (no fixed name list)."""
    name = socket.gethostname()
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(name, 80, socket.AF_INET)}
    except OSError:
        pytest.skip(f"this machine's name {name!r} does not resolve")
    forbidden = sorted(a for a in addresses if check_address(a) is not None)
    if not forbidden:
        pytest.skip(f"{name!r} resolves only to public addresses here")

    async def go() -> None:
        resolver = GuardedResolver(frozenset())
        try:
            await resolver.resolve(name, 80)
        finally:
            await resolver.close()

    with pytest.raises(SSRFRefused, match="resolves to"):
        asyncio.run(go())


def test_fetch_refuses_a_name_resolving_to_a_private_address(tmp_path: Path) -> None:
    resolver = StaticResolver(RESOLVED)

    async def go() -> None:
        async with Fetcher(make_settings(tmp_path, ""), resolver=resolver) as fetcher:
            await fetcher.fetch("http://intranet.example/terms")

    with pytest.raises(SSRFRefused) as caught:
        asyncio.run(go())
    assert caught.value.url == "http://intranet.example/terms"
    assert "resolves to 10.0.0.5 (private network)" in caught.value.reason
    assert resolver.calls == ["intranet.example"]  # refused once: permanent, not retried


def test_connection_goes_to_the_address_the_guard_approved(
    server: ServerState, tmp_path: Path
) -> None:
    """A made-up name allowed by name reaches the loopback server through our resolver; the
    same name without the allowance is refused at resolution, before any connection."""
    resolver = StaticResolver({"docs.example": ["127.0.0.1"]})
    url = f"http://docs.example:{server.port}/page"
    before = server.hits["/page?"]

    async def go(allow: str) -> bytes:
        async with Fetcher(make_settings(tmp_path, allow), resolver=resolver) as fetcher:
            return (await fetcher.fetch(url)).content

    assert b"Be nice." in asyncio.run(go(f"docs.example:{server.port}"))
    assert server.hits["/page?"] == before + 1
    with pytest.raises(SSRFRefused, match=r"resolves to 127\.0\.0\.1 \(loopback\)"):
        asyncio.run(go(""))
    assert server.hits["/page?"] == before + 1


def test_connect_guard_lets_through_only_allowed_addresses() -> None:
    guard = ConnectGuard(frozenset({"127.0.0.1:8080", "docs.example"}))
    tcp = (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "")
    guard((*tcp, ("127.0.0.1", 8080))).close()
    guard((*tcp, ("93.184.216.34", 443))).close()
    with pytest.raises(SSRFRefused, match=r"connecting to 127\.0\.0\.1 \(loopback\)"):
        guard((*tcp, ("127.0.0.1", 8081)))
    with pytest.raises(SSRFRefused, match="private network"):
        guard((*tcp, ("10.0.0.5", 80)))
    guard.permit("10.0.0.5", 80)  # what the resolver does for an allowed name
    guard((*tcp, ("10.0.0.5", 80))).close()
    with pytest.raises(SSRFRefused):
        guard((*tcp, ("10.0.0.5", 81)))
