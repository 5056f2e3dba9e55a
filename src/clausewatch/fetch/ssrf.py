"""The SSRF guard: clausewatch fetches URLs that other people write, so it must never be the
tool that reaches a private network, the loopback interface or a cloud metadata endpoint.

Two layers. :func:`check_url` refuses what can be judged from the URL alone (schemes,
credentials, literal and disguised IP addresses, well-known internal names) and runs on every
redirect hop. :class:`GuardedResolver` sits inside aiohttp's connector and refuses a name when
any address it resolves to is forbidden, so the address checked is the address connected to: a
DNS answer that changes between a check and the connection (rebinding) cannot slip through.
Hosts named in ``CLAUSEWATCH_ALLOW_HOSTS`` bypass both layers, for that host only.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from yarl import URL

from clausewatch.fetch.errors import SSRFRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_net = ipaddress.ip_network

# Order matters: the first matching rule names the refusal, so the specific rules come first.
_RULES: tuple[tuple[str, tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]], ...] = (
    (
        "cloud metadata",
        (
            _net("169.254.169.254/32"),
            _net("169.254.170.2/32"),
            _net("100.100.100.200/32"),
            _net("fd00:ec2::254/128"),
        ),
    ),
    ("unspecified address", (_net("0.0.0.0/8"), _net("::/128"))),
    ("loopback", (_net("127.0.0.0/8"), _net("::1/128"))),
    (
        "private network",
        (
            _net("10.0.0.0/8"),
            _net("172.16.0.0/12"),
            _net("192.168.0.0/16"),
            _net("fc00::/7"),
            _net("fec0::/10"),
        ),
    ),
    ("carrier-grade NAT", (_net("100.64.0.0/10"),)),
    ("link-local", (_net("169.254.0.0/16"), _net("fe80::/10"))),
    ("multicast", (_net("224.0.0.0/4"), _net("ff00::/8"))),
    ("broadcast", (_net("255.255.255.255/32"),)),
    ("reserved", (_net("240.0.0.0/4"), _net("::/8"))),
)

_NAT64 = (_net("64:ff9b::/96"), _net("64:ff9b:1::/48"))

_FORBIDDEN_NAMES = {
    "localhost": "loopback name",
    "localhost.localdomain": "loopback name",
    "metadata.google.internal": "cloud metadata name",
    "metadata.goog": "cloud metadata name",
    "metadata": "cloud metadata name",
    "instance-data": "cloud metadata name",
    "instance-data.ec2.internal": "cloud metadata name",
}

_SCHEMES = frozenset({"http", "https"})
_HEX = frozenset("0123456789abcdefABCDEF")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address tunnels to, which is where packets really go."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def check_address(ip: IPAddress | str) -> str | None:
    """The rule that forbids connecting to ``ip`` (e.g. ``"private network"``), or None."""
    if isinstance(ip, str):
        try:
            ip = ipaddress.ip_address(ip.split("%", 1)[0])
        except ValueError:
            return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        ip = ipaddress.IPv6Address(int(ip))  # drops any %scope
        inner = _embedded_ipv4(ip)
        if inner is not None:
            reason = check_address(inner)
            if reason is not None:
                return f"{reason}, embedded in IPv6"
    for rule, networks in _RULES:
        if any(ip.version == net.version and ip in net for net in networks):
            return rule
    if not ip.is_global:
        return "not globally routable"
    return None


def _legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """Parse the numeric host forms that browsers and ``inet_aton`` accept (``2130706433``,
    ``0x7f000001``, ``0177.0.0.1``, ``127.1``), as the WHATWG URL standard does.

    Returns None when the host is a name; raises ValueError when it looks numeric but is not
    a valid address (the standard makes that a failure, not a name).
    """
    labels = host.split(".")
    if labels and labels[-1] == "" and len(labels) > 1:
        labels.pop()

    def number(label: str) -> int | None:
        if label[:2].lower() == "0x":
            digits = label[2:]
            if not digits:
                return 0
            return int(digits, 16) if all(c in _HEX for c in digits) else None
        if label.isdigit() and label.isascii():
            if len(label) > 1 and label[0] == "0":
                return int(label, 8) if all(c in "01234567" for c in label) else None
            return int(label)
        return None

    last = labels[-1] if labels else ""
    if not last or number(last) is None:
        return None
    if len(labels) > 4:
        raise ValueError("too many numeric parts")
    values = []
    for label in labels:
        if label == "":
            raise ValueError("empty numeric part")
        value = number(label)
        if value is None:
            raise ValueError(f"{label!r} is not a number")
        values.append(value)
    *head, tail = values
    if any(v > 255 for v in head) or tail >= 256 ** (5 - len(values)):
        raise ValueError("numeric part out of range")
    address = tail
    for i, v in enumerate(head):
        address += v << (8 * (3 - i))
    return ipaddress.IPv4Address(address)


def _split_allowance(entry: str) -> tuple[str, int | None]:
    entry = entry.strip().lower()
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    if entry.count(":") == 1:
        host, _, port = entry.partition(":")
        return host.rstrip("."), int(port) if port.isdigit() else None
    return entry.rstrip("."), None


def normalize_host(host: str) -> str:
    return host.strip().lower().rstrip(".").strip("[]")


def is_allowed(host: str, port: int | None, allowed_hosts: Iterable[str]) -> bool:
    """Whether ``CLAUSEWATCH_ALLOW_HOSTS`` names this host (any port) or this host:port."""
    host = normalize_host(host)
    for entry in allowed_hosts:
        name, allowed_port = _split_allowance(entry)
        if name == host and (allowed_port is None or allowed_port == port):
            return True
    return False


def _refuse(url: str, reason: str) -> SSRFRefused:
    return SSRFRefused(url, f"refused: {reason}")


def check_url(url: str, allowed_hosts: frozenset[str]) -> None:
    """Refuse ``url`` when the URL alone shows it must not be fetched.

    Raises :class:`SSRFRefused` whose reason names the address and the rule. A host that is a
    DNS name passes here; :class:`GuardedResolver` judges the addresses it resolves to.
    """
    if any(ord(c) < 0x21 or c == "\\" for c in url):
        raise _refuse(url, "control character, space or backslash in URL")
    try:
        parsed = URL(url)
    except (ValueError, TypeError) as exc:
        raise _refuse(url, f"malformed URL ({exc})") from exc
    if parsed.scheme not in _SCHEMES:
        raise _refuse(url, f"scheme {parsed.scheme or '(none)'!r} is not http or https")
    if parsed.user is not None or parsed.password is not None:
        raise _refuse(url, "credentials in URL")
    raw_host = parsed.host
    if not raw_host:
        raise _refuse(url, "no host")
    host = normalize_host(raw_host)
    if is_allowed(host, parsed.port, allowed_hosts):
        return
    if "%" in host:
        raise _refuse(url, f"scoped IPv6 address {host}")
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        reason = check_address(literal)
        if reason is not None:
            raise _refuse(url, f"address {literal} ({reason})")
        return
    try:
        legacy = _legacy_ipv4(host)
    except ValueError as exc:
        raise _refuse(url, f"numeric host {host} is not a valid IPv4 address ({exc})") from exc
    if legacy is not None:
        reason = check_address(legacy)
        rule = reason or "non-canonical form; write the dotted address"
        raise _refuse(url, f"numeric host {host} is {legacy} ({rule})")
    if host in _FORBIDDEN_NAMES:
        raise _refuse(url, f"host {host} ({_FORBIDDEN_NAMES[host]})")
    if host.endswith(".localhost"):
        raise _refuse(url, f"host {host} (loopback name)")


class ConnectGuard:
    """aiohttp's ``socket_factory``: judges each address right before the socket connects.

    The resolver already refused forbidden names; this second check sits at the one point every
    connection passes (literal IPs skip the resolver) so a gap in the first layer cannot reach a
    forbidden address. Addresses are let through only when an allowance covers them: a literal
    allowed IP, or an address the resolver returned for an allowed name.
    """

    def __init__(self, allowed_hosts: frozenset[str]) -> None:
        self._permitted: set[tuple[IPAddress, int | None]] = set()
        for entry in allowed_hosts:
            host, port = _split_allowance(entry)
            try:
                self._permitted.add((ipaddress.ip_address(host), port))
            except ValueError:
                continue

    def permit(self, address: str, port: int | None) -> None:
        self._permitted.add((ipaddress.ip_address(address.split("%", 1)[0]), port))

    def __call__(self, addr_info: tuple[Any, ...]) -> socket.socket:
        family, kind, proto, _, sockaddr = addr_info
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        port = int(sockaddr[1])
        reason = check_address(ip)
        if reason is not None and not (
            (ip, port) in self._permitted or (ip, None) in self._permitted
        ):
            raise SSRFRefused(str(ip), f"refused: connecting to {ip} ({reason})")
        return socket.socket(family=family, type=kind, proto=proto)


class GuardedResolver(AbstractResolver):
    """An aiohttp resolver that refuses a name when any address it resolves to is forbidden.

    aiohttp connects only to addresses this resolver returns, so the check binds the address
    connected to. Refusing on *any* forbidden address (not only the first) stops a name that
    mixes a public and a private answer from reaching the private one on a retry.
    """

    def __init__(
        self,
        allowed_hosts: frozenset[str],
        inner: AbstractResolver | None = None,
        connect_guard: ConnectGuard | None = None,
    ) -> None:
        self.allowed_hosts = allowed_hosts
        self.connect_guard = connect_guard
        self._inner = inner

    @property
    def inner(self) -> AbstractResolver:
        # ThreadedResolver binds the running loop, so it is made on first use, inside it.
        if self._inner is None:
            self._inner = ThreadedResolver()
        return self._inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        name = normalize_host(host)
        if is_allowed(name, port, self.allowed_hosts):
            allowed = await self.inner.resolve(host, port, family)
            if self.connect_guard is not None:
                for result in allowed:
                    self.connect_guard.permit(result["host"], port)
            return allowed
        if name in _FORBIDDEN_NAMES or name.endswith(".localhost"):
            label = _FORBIDDEN_NAMES.get(name, "loopback name")
            raise SSRFRefused(name, f"refused: host {name} ({label})")
        results = await self.inner.resolve(host, port, family)
        for result in results:
            reason = check_address(result["host"])
            if reason is not None:
                raise SSRFRefused(name, f"refused: {name} resolves to {result['host']} ({reason})")
        return results

    async def close(self) -> None:
        if self._inner is not None:
            await self._inner.close()
