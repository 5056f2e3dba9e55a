"""Resolve link targets the way a browser's URL parser serialises them (WHATWG URL).

OTA rewrites every link to ``new URL(href, base).href``; Python's ``urljoin`` agrees on the
path arithmetic but not on the serialisation (percent-encoding, empty paths, default ports,
host case, IDNA), and the Markdown keeps every link byte for byte. This covers what real
legal pages contain; exotic inputs (IPv4 shorthands, file URLs) fall back to ``urljoin``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

SPECIAL = {"http": "80", "https": "443", "ws": "80", "wss": "443", "ftp": "21", "file": ""}
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_STRIP = "".join(chr(c) for c in range(0x21))

_FRAGMENT_SET = frozenset(' "<>`')
_QUERY_SET = frozenset(' "#<>')
_SPECIAL_QUERY_SET = frozenset(" \"#<>'")
_PATH_SET = frozenset(' "#<>?`{}^')
_USERINFO_SET = frozenset(' "#<>?`{}/:;=@[\\]^|')


def _encode(text: str, unsafe: frozenset[str]) -> str:
    if text.isascii() and not any(c in unsafe or c < " " or c == "\x7f" for c in text):
        return text
    out = []
    for ch in text:
        if ch in unsafe or ch < " " or ch > "~":
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass")))
        else:
            out.append(ch)
    return "".join(out)


def _host(host: str) -> str | None:
    host = host.lower()
    if not host:
        return host
    if host.startswith("["):
        return host
    if any(c in host for c in ' <>^|%"'):
        return None
    if not host.isascii():
        try:
            host = ".".join(
                label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
                for label in host.split(".")
            )
        except UnicodeError:
            return None
    return host


def _remove_dots(path: str) -> str:
    segments = path.split("/")
    out: list[str] = []
    for i, seg in enumerate(segments):
        low = seg.lower()
        last = i == len(segments) - 1
        if low in (".", "%2e"):
            if last:
                out.append("")
            continue
        if low in ("..", ".%2e", "%2e.", "%2e%2e"):
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
            continue
        out.append(seg)
    result = "/".join(out)
    return result if result.startswith("/") else "/" + result


@lru_cache(maxsize=8192)
def resolve(href: str, base: str) -> str | None:
    """``new URL(href, base).href``, or None where the browser's parser would throw."""
    href = href.strip(_STRIP).replace("\t", "").replace("\n", "").replace("\r", "")
    match = _SCHEME.match(href)
    scheme = match.group(1).lower() if match else None
    if scheme is None:
        base_scheme = base.split(":", 1)[0].lower()
        if base_scheme in SPECIAL:
            href = href.replace("\\", "/")
        joined = urljoin(base, href) if href else base.split("#", 1)[0]
        if href.startswith("#"):
            joined = base.split("#", 1)[0] + href
    elif scheme in SPECIAL:
        joined = scheme + ":" + href[len(scheme) + 1 :].replace("\\", "/")
        rest = joined[len(scheme) + 1 :]
        if not rest.startswith("//"):
            base_scheme = base.split(":", 1)[0].lower()
            if base_scheme == scheme:
                joined = urljoin(base, rest)
            else:
                joined = scheme + "://" + rest.lstrip("/")
    else:
        rest = href[len(scheme) + 1 :]
        if rest.startswith("//"):
            return _serialize_hierarchical(scheme, rest, special=False)
        path, sep, fragment = rest.partition("#")
        opaque, qsep, query = path.partition("?")
        out = scheme + ":" + _encode(opaque, frozenset())
        if qsep:
            out += "?" + _encode(query, _QUERY_SET)
        if sep:
            out += "#" + _encode(fragment, _FRAGMENT_SET)
        return out
    scheme2 = joined.split(":", 1)[0].lower()
    return _serialize_hierarchical(scheme2, joined[len(scheme2) + 1 :], special=scheme2 in SPECIAL)


def _serialize_hierarchical(scheme: str, rest: str, *, special: bool) -> str | None:
    try:
        parts = urlsplit(scheme + ":" + rest)
    except ValueError:
        return None
    netloc = parts.netloc
    userinfo, at, hostport = netloc.rpartition("@")
    host, _colon, port = (
        hostport.partition(":")
        if not hostport.startswith("[")
        else (
            hostport.partition("]")[0] + "]",
            ":" if "]:" in hostport else "",
            hostport.partition("]:")[2],
        )
    )
    if port and not port.isdigit():
        return None
    if port:
        port = str(int(port))
        if port == SPECIAL.get(scheme):
            port = ""
    norm_host = _host(host)
    if norm_host is None or (special and scheme != "file" and not norm_host):
        return None
    auth = ""
    if at:
        auth = _encode(userinfo, _USERINFO_SET) + "@"
    path = parts.path
    if special or path.startswith("/"):
        path = _remove_dots(path) if path else "/"
    path = _encode(path, _PATH_SET)
    out = f"{scheme}://{auth}{norm_host}{':' + port if port else ''}{path}"
    if "?" in rest.split("#", 1)[0]:
        out += "?" + _encode(parts.query, _SPECIAL_QUERY_SET if special else _QUERY_SET)
    if "#" in rest:
        out += "#" + _encode(parts.fragment, _FRAGMENT_SET)
    return out
