"""A real HTTP server on loopback for the collection tests: each path answers what a test
put there (bytes, headers, a status, a delay), and every request is recorded with the
connection it came on."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    etag: str = ""


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    #: The client's (address, port): one connection, one ``peer``.
    peer: tuple[str, int] = ("", 0)
    #: The server's own address the connection reached.
    local: str = ""


class Site:
    """The routes and the requests of one server; ``url(path)`` its address."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    def put(self, path: str, body: bytes | str, **kw: object) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(body=data, **kw)  # type: ignore[arg-type]  # keywords of Route

    def hits(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]


def _handler(site: Site, keep_alive: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.1 keeps a connection open for the client's next request; 1.0 closes each.
        protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            peer = (str(self.client_address[0]), int(self.client_address[1]))
            local = str(self.connection.getsockname()[0])
            site.seen.append(Seen(self.path, headers, peer=peer, local=local))
            route = site.routes.get(self.path)
            if route is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if route.delay:
                time.sleep(route.delay)
            if route.etag and self.headers.get("If-None-Match") == route.etag:
                self.send_response(304)
                self.send_header("ETag", route.etag)
                self.end_headers()
                return
            self.send_response(route.status)
            for k, v in route.headers.items():
                self.send_header(k, v)
            if route.etag:
                self.send_header("ETag", route.etag)
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            try:
                self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the size cap, a timeout)

    return Handler


@contextmanager
def serve(host: str = "127.0.0.1", *, keep_alive: bool = False) -> Iterator[Site]:
    """A site on ``host``; ``keep_alive``: it answers in HTTP/1.1 and keeps connections open."""
    site = Site(host, 0)
    server = ThreadingHTTPServer((host, 0), _handler(site, keep_alive))
    server.daemon_threads = True
    server.block_on_close = False
    site.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
