"""A local news site on 127.0.0.1 for the demo, the tests and the benchmarks.

Routes are programmed per path: a body with its headers, an HTTP error, a
redirect, a response that never comes, or one cut off mid-body. Every request is
logged, so tests and benchmarks can count what the crawler fetched.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that give up (timeouts, cancelled downloads) reset connections:
        # expected in tests of faults, not worth a traceback.
        pass


class _QuietServer6(_QuietServer):
    address_family = socket.AF_INET6


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    behaviour: str = "normal"  # normal | hang | truncate | trickle | endless
    delay: float = 0.0
    etag: str | None = None  # answered 304 to a matching If-None-Match
    last_modified: str | None = None  # an HTTP date; 304 to If-Modified-Since not older
    then: list[Route] = field(default_factory=list)  # answers to the 2nd, 3rd... request


class NewsSite:
    """Serve `routes` on 127.0.0.1 (or `host`, such as "::1"; port 0 picks a free port) in a
    background thread."""

    def __init__(self, routes: dict[str, Route] | None = None, port: int = 0,
                 host: str = "127.0.0.1") -> None:
        self.host = host
        self.routes: dict[str, Route] = dict(routes or {})
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.request_times: list[float] = []
        self.statuses: list[tuple[str, int]] = []  # (path, status) of every answer
        self.posts: list[tuple[str, bytes]] = []  # (path, body) of every POST received
        self._stop = threading.Event()
        self._lock = threading.Lock()
        server = _QuietServer6 if ":" in host else _QuietServer
        self._server = server((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(self, path: str, route: Route) -> None:
        self.routes[path] = route

    def hits(self, path: str | None = None) -> int:
        with self._lock:
            return sum(1 for _, p, _ in self.requests if path is None or p == path)

    def answered(self, status: int, prefix: str = "") -> int:
        """How many requests under `prefix` were answered with `status`."""
        with self._lock:
            return sum(1 for p, s in self.statuses if s == status and p.startswith(prefix))

    def start(self) -> NewsSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> NewsSite:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _log(self, method: str, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self.requests.append((method, path, headers))
            self.request_times.append(time.monotonic())

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        return type("Handler", (_Handler,), {"site": self})

    def route_for(self, target: str, path: str) -> Route | None:
        """The route that answers this request: by full target, then by path; the n-th
        request to a route with `then` gets its n-th answer."""
        route = self.routes.get(target) or self.routes.get(path)
        if route is not None and route.then:
            served = sum(1 for _, p, _ in self.requests if p == path) - 1
            route = [route, *route.then][min(served, len(route.then))]
        return route


def _validators(route: Route) -> dict[str, str]:
    headers = {}
    if route.etag:
        headers["ETag"] = route.etag
    if route.last_modified:
        headers["Last-Modified"] = route.last_modified
    return headers


def _not_modified(route: Route, if_none_match: str | None, if_modified_since: str | None) -> bool:
    if route.etag and if_none_match == route.etag:
        return True
    if route.last_modified and if_modified_since and not route.etag:
        try:
            return parsedate_to_datetime(if_modified_since) >= parsedate_to_datetime(
                route.last_modified)
        except (TypeError, ValueError):
            return False
    return False


class _Handler(BaseHTTPRequestHandler):
    """Answers from the routes of `site` (set on the subclass each NewsSite makes)."""

    protocol_version = "HTTP/1.1"
    site: NewsSite

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with self.site._lock:
            self.site.posts.append((urlsplit(self.path).path, body))
        self._answer("POST")

    def do_GET(self) -> None:
        self._answer("GET")

    def _answer(self, method: str) -> None:
        path = urlsplit(self.path).path
        self.site._log(method, path, dict(self.headers.items()))
        route = self.site.route_for(self.path, path)
        if route is None:
            self._send(Route(b"<h1>404 Not Found</h1>", status=404))
            return
        if route.delay:
            time.sleep(route.delay)
        if route.behaviour == "hang":
            self.site._stop.wait(120)
            return
        if _not_modified(route, self.headers.get("If-None-Match"),
                         self.headers.get("If-Modified-Since")):
            self._send(Route(status=304, headers=_validators(route)))
            return
        self._send(Route(route.body, route.status, route.content_type,
                         {**_validators(route), **route.headers}, route.behaviour))

    def _send(self, route: Route) -> None:
        with self.site._lock:
            self.site.statuses.append((urlsplit(self.path).path, route.status))
        self.send_response(route.status)
        self.send_header("Content-Type", route.content_type)
        for name, value in route.headers.items():
            self.send_header(name, value)
        if route.behaviour == "truncate":
            self.send_header("Content-Length", str(len(route.body) * 2))
            self.end_headers()
            self.wfile.write(route.body)
            self.wfile.flush()
            self.close_connection = True
            return
        if route.behaviour in ("trickle", "endless"):
            self._stream(route)
            return
        self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        if route.status != 304:
            self.wfile.write(route.body)

    def _stream(self, route: Route) -> None:
        """trickle: one byte every half second; endless: 64 KiB chunks, no end."""
        self.end_headers()
        self.close_connection = True
        chunk, pause = (b"x", 0.5) if route.behaviour == "trickle" else (b"y" * 65536, 0.0)
        try:
            while not self.site._stop.is_set():
                self.wfile.write(chunk)
                self.wfile.flush()
                if pause:
                    self.site._stop.wait(pause)
        except OSError:
            pass  # the client gave up, as it should

    def log_message(self, format: str, *args: Any) -> None:
        pass  # requests are recorded in site.requests
