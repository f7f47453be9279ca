"""One polite HTTP request of a source, outside any database transaction.

``fetch`` sends the validators of the last answer (If-None-Match, If-Modified-Since), follows
at most ``max_redirects`` redirects itself so that each is recorded (one to another host is
followed and noted), and reads the body in chunks up to ``max_bytes``: a longer body is an
error, "page too large", whatever Content-Length said. Every failure comes back as
``FetchError`` with a message for the source's screen; nothing here touches the database.

Only public addresses are fetched: each hop's host is resolved here, refused when any of its
addresses is internal (loopback, private, link-local, reserved...) unless it lies in a network
the office allowed (``allowed_networks``), and the request is then sent to the address that was
checked (the Host header and TLS name stay the host's), so a second resolution cannot point it
elsewhere. No connection is kept for a next request: a pooled connection is keyed by the
address, and one opened for a host (its TLS name checked for that host) must not carry the
request of another host on the same address (a shared host, a CDN answers 421, or serves the
wrong site). The name is resolved within the connect timeout. ``gate`` is asked before the
first request to each further host a redirect reaches: the caller's politeness limit applies to
every host, not only the source's own.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from xinbao.monitor.conf import monitor_conf

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class FetchError(Exception):
    """A poll that failed; ``str(exc)`` is what the source's screen shows."""


class HostBusy(Exception):
    """A redirect reached a host whose politeness slot is taken until ``until``."""

    def __init__(self, host: str, until: dt.datetime) -> None:
        super().__init__(host)
        self.host = host
        self.until = until


@dataclass
class Fetched:
    url: str
    status: int
    content: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    redirects: list[str] = field(default_factory=list)
    other_host: bool = False

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def host_of(url: str) -> str:
    """The politeness key of a URL: its host and port (the default port of its scheme)."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


def _read(response: httpx.Response, limit: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchError(f"page too large: {int(declared)} bytes, the limit is {limit}")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise FetchError(f"page too large: more than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _networks(allowed: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(n, strict=False) for n in allowed]


def _allowed(
    address: IPAddress, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]
) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in n for n in networks):
        return True
    return address.is_global and not address.is_multicast


#: Where names are resolved: ``getaddrinfo`` takes no timeout, so the caller waits on it for
#: at most the connect timeout (a resolver that hangs keeps a thread of this pool a while).
_RESOLVER = ThreadPoolExecutor(max_workers=8, thread_name_prefix="monitor-resolve")


def resolve(url: str, allowed: list[str], *, timeout: float | None = None) -> IPAddress:
    """The address to send ``url``'s request to; ``FetchError`` when the host has none, when
    it was not resolved within ``timeout`` seconds, or when any of its addresses is internal
    and outside the ``allowed`` networks."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    asked = _RESOLVER.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        infos = asked.result(timeout=timeout)
    except FutureTimeout as exc:
        raise FetchError(f"cannot resolve {host}: timed out after {timeout:g} s") from exc
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host}: {exc}") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    networks = _networks(allowed)
    refused = [a for a in addresses if not _allowed(a, networks)]
    if refused or not addresses:
        shown = refused[0] if refused else "nothing"
        raise FetchError(f"refused: {host} is an internal address ({shown})")
    # IPv4 first: an office network often has no IPv6 route although names resolve to both.
    return sorted(addresses, key=lambda a: a.version)[0]


def _pinned(url: str, address: IPAddress) -> tuple[str, dict[str, str], dict[str, object]]:
    """``url`` sent to ``address``, with the Host header and TLS server name of its host."""
    parts = urlsplit(url)
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    host = parts.hostname or ""
    shown_host = f"[{host}]" if ":" in host else host
    header = f"{shown_host}:{parts.port}" if parts.port else shown_host
    extensions: dict[str, object] = {"sni_hostname": host} if parts.scheme == "https" else {}
    return (
        urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")),
        {"Host": header},
        extensions,
    )


@functools.lru_cache(maxsize=4)
def _client(connect: float, read: float) -> httpx.Client:
    """One client per timeout setting, kept for the process: its TLS context is made once
    (httpx clients are thread-safe). It keeps no idle connection: requests go to an address
    (``_pinned``), and a connection pooled under it could carry another host's request."""
    timeout = httpx.Timeout(read, connect=connect, pool=connect)
    limits = httpx.Limits(max_keepalive_connections=0)
    return httpx.Client(timeout=timeout, limits=limits, follow_redirects=False, trust_env=False)


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    gate: Callable[[str], None] | None = None,
) -> Fetched:
    """GET ``url`` (conditionally); raises ``FetchError`` on any failure, and ``HostBusy``
    from ``gate`` (called with ``host_of`` each further host a redirect reaches)."""
    conf = monitor_conf()
    allowed = list(conf["allowed_networks"])
    headers = {"User-Agent": conf["user_agent"], "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    first_host = host_of(url)
    visited = {first_host}
    redirects: list[str] = []
    current = url
    try:
        connect = float(conf["connect_timeout"])
        client = _client(connect, float(conf["read_timeout"]))
        while True:
            address = resolve(current, allowed, timeout=connect)
            target_url, host_header, extensions = _pinned(current, address)
            with client.stream(
                "GET", target_url, headers={**headers, **host_header}, extensions=extensions
            ) as response:
                if response.status_code == 304:
                    return Fetched(url=current, status=304, redirects=redirects)
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    if len(redirects) >= conf["max_redirects"]:
                        raise FetchError(f"more than {conf['max_redirects']} redirects")
                    target = urljoin(current, response.headers.get("location", ""))
                    if urlsplit(target).scheme not in ("http", "https"):
                        raise FetchError(f"redirect to an unsupported address: {target}")
                    redirects.append(target)
                    current = target
                    if host_of(target) not in visited:
                        visited.add(host_of(target))
                        if gate is not None:
                            gate(host_of(target))
                    continue
                if response.status_code >= 400:
                    raise FetchError(f"HTTP {response.status_code}")
                content = _read(response, conf["max_bytes"])
                return Fetched(
                    url=current,
                    status=response.status_code,
                    content=content,
                    content_type=response.headers.get("content-type", ""),
                    etag=response.headers.get("etag", ""),
                    last_modified=response.headers.get("last-modified", ""),
                    redirects=redirects,
                    other_host=any(host_of(r) != first_host for r in redirects),
                )
    except httpx.TimeoutException as exc:
        raise FetchError(f"timed out ({type(exc).__name__})") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"request failed: {exc}") from exc
