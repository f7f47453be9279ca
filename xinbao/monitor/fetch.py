"""One polite HTTP request of a source, outside any database transaction.

``fetch`` sends the validators of the last answer (If-None-Match, If-Modified-Since), follows
at most ``max_redirects`` redirects itself so that each is recorded (one to another host is
followed and noted), and reads the body in chunks up to ``max_bytes``: a longer body is an
error, "page too large", whatever Content-Length said. Every failure comes back as
``FetchError`` with a message for the source's screen; nothing here touches the database.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from xinbao.monitor.conf import monitor_conf

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class FetchError(Exception):
    """A poll that failed; ``str(exc)`` is what the source's screen shows."""


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


@functools.lru_cache(maxsize=4)
def _client(connect: float, read: float) -> httpx.Client:
    """One client per timeout setting, kept for the process: its TLS context and connection
    pool are made once (httpx clients are thread-safe)."""
    timeout = httpx.Timeout(read, connect=connect, pool=connect)
    return httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False)


def fetch(url: str, *, etag: str = "", last_modified: str = "") -> Fetched:
    """GET ``url`` (conditionally); raises ``FetchError`` on any failure."""
    conf = monitor_conf()
    headers = {"User-Agent": conf["user_agent"], "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    first_host = host_of(url)
    redirects: list[str] = []
    current = url
    try:
        client = _client(float(conf["connect_timeout"]), float(conf["read_timeout"]))
        while True:
            with client.stream("GET", current, headers=headers) as response:
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
