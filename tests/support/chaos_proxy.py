"""A fault-injecting HTTP reverse proxy for the chaos tests (stdlib only, loopback only).

It sits between the suite and a reference deployment and breaks the *network*, never the API:

=============  ==============================================================================
mode           what a faulted request gets
=============  ==============================================================================
``pass``       forwarded untouched (no fault)
``latency``    forwarded after ``delay_s`` seconds
``drop``       the connection is closed without an answer (the request is not forwarded)
``burst_5xx``  502, 503, 504 in turn (no Retry-After), from the "gateway", not forwarded
``truncate``   forwarded; the answer claims a Content-Length larger than its body, then closes
``garbage``    bytes that are not HTTP, then the connection closes (not forwarded)
``non_json``   forwarded; the answer is replaced by ``200 text/html``
``storm_429``  ``429`` with ``Retry-After: 0`` (not forwarded)
``die``        the first ``after`` requests are forwarded; then the proxy stops listening and
               closes every connection, so later requests are refused
=============  ==============================================================================

Requests are numbered from 1 in arrival order (the suite's pre-flight probe is request 1, its S1
admin log-in request 2). Request ``n`` is faulted when ``n > after``, ``n <= after + count`` (no
upper bound when ``count`` is None) and ``(n - after - 1) % every < run``: a deterministic pattern
(``run`` consecutive faults out of every ``every`` requests), so a run is reproducible. With
``methods`` (e.g. ``("GET",)``) only requests of those methods are numbered and faulted; the others
pass untouched (the suite retries idempotent reads only, so this is how a test aims at them).
``storm_429`` with ``run=k`` answers k consecutive 429s, then passes requests through until the
next storm.

Every wait is bounded (upstream and idle-connection timeouts, latency sleeps interrupted by
:meth:`ChaosProxy.stop`) and :meth:`stop` closes the listener and every open connection.
"""

from __future__ import annotations

import http.client
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

__all__ = ["ChaosProxy", "MODES"]

MODES = ("pass", "latency", "drop", "burst_5xx", "truncate", "garbage", "non_json", "storm_429", "die")

_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
               "trailers", "transfer-encoding", "upgrade", "host", "content-length"}
_GATEWAY_STATUSES = (502, 503, 504)
_MAX_BODY = 16 * 1024 * 1024
GARBAGE = b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03 this is not HTTP \xff\xfe\x00\r\n\r\n"
HTML = b"<!DOCTYPE html><html><head><title>Welcome</title></head><body><p>Portal</p></body></html>"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    proxy: "ChaosProxy"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx uses it
    server: _Server
    #: idle keep-alive connections are closed after this long (bounds every handler thread)
    timeout = 30
    disable_nagle_algorithm = True  # headers and body go out in separate writes

    def log_message(self, format, *args) -> None:  # noqa: A002 - quiet
        pass

    def setup(self) -> None:
        super().setup()
        self.server.proxy._track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.proxy._untrack(self.connection)

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    # ------------------------------------------------------------------ one request

    def _handle(self) -> None:
        proxy = self.server.proxy
        body = self._read_body()
        if body is None:
            return self._drop()
        number, faulted = proxy._admit(self.command, self.path)
        if proxy.dead.is_set():
            return self._drop()
        mode = proxy.mode if faulted else "pass"
        try:
            if mode == "drop":
                return self._drop()
            if mode == "garbage":
                self.wfile.write(GARBAGE)
                self.wfile.flush()
                return self._drop()
            if mode == "burst_5xx":
                status = _GATEWAY_STATUSES[proxy._faults_so_far(number) % len(_GATEWAY_STATUSES)]
                return self._answer(status, {"Content-Type": "text/html"},
                                    b"<html><body>gateway failure</body></html>")
            if mode == "storm_429":
                return self._answer(429, {"Retry-After": "0", "Content-Type": "application/json"},
                                    b'{"code":429,"message":"slow down"}')
            if mode == "latency" and proxy.stopping.wait(proxy.delay_s):
                return self._drop()
            upstream = proxy._forward(self.command, self.path, self.headers, body)
            if upstream is None:  # the reference itself failed: say so the way a gateway would
                return self._answer(502, {"Content-Type": "text/plain"}, b"upstream failure")
            status, reason, headers, payload = upstream
            if mode == "non_json":
                return self._answer(200, {"Content-Type": "text/html; charset=utf-8"}, HTML)
            if mode == "truncate":
                return self._answer(status, headers, payload[: len(payload) // 2], reason=reason,
                                    claimed_length=len(payload) + 64, then_close=True)
            self._answer(status, headers, payload, reason=reason)
        except (BrokenPipeError, ConnectionError, socket.timeout, OSError):
            self.close_connection = True  # the suite gave up on this request (timeout): fine
        finally:
            if proxy.mode == "die" and number == proxy.after:
                self.close_connection = True
                proxy._die()

    def _read_body(self) -> bytes | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            for _ in range(100_000):  # bounded
                size_line = self.rfile.readline(1024)
                if not size_line:
                    return None
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline(1024)
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
            return None
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            return None
        data = self.rfile.read(length) if length else b""
        return data if len(data) == length else None

    def _answer(self, status: int, headers, payload: bytes, *, reason: str | None = None,
                claimed_length: int | None = None, then_close: bool = False) -> None:
        self.send_response_only(status, reason)
        items = headers.items() if hasattr(headers, "items") else headers
        for name, value in items:
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload) if claimed_length is None else claimed_length))
        if then_close:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self.wfile.flush()
        if then_close:
            self._drop()

    def _drop(self) -> None:
        """Close the connection at once, without (the rest of) an answer."""
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class ChaosProxy:
    """A reverse proxy on 127.0.0.1 (free port) in front of ``upstream`` that injects ``mode`` faults.

    Use as a context manager; :attr:`url` is the base URL to give the suite, :attr:`log` the
    ``(number, method, path, faulted)`` of every request seen.
    """

    def __init__(self, upstream: str, mode: str = "pass", *, after: int = 0, count: int | None = None,
                 every: int = 1, run: int = 1, delay_s: float = 0.0, upstream_timeout_s: float = 30.0,
                 methods: tuple[str, ...] | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown chaos mode {mode!r}; one of {', '.join(MODES)}")
        if every < 1 or not 1 <= run <= every or after < 0 or (count is not None and count < 0):
            raise ValueError("after >= 0, count >= 0, every >= 1 and 1 <= run <= every")
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"the chaos proxy forwards to plain http only, got {upstream!r}")
        self.upstream_host, self.upstream_port = parts.hostname, parts.port or 80
        self.upstream_prefix = parts.path.rstrip("/")
        self.mode, self.after, self.count, self.every, self.run = mode, after, count, every, run
        self.delay_s, self.upstream_timeout_s = delay_s, upstream_timeout_s
        self.methods = tuple(m.upper() for m in methods) if methods else None
        self._aimed = 0  # requests of ``methods`` seen so far (all requests without ``methods``)
        self.log: list[tuple[int, str, str, bool]] = []
        self.dead = threading.Event()
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._serving = False

    # ------------------------------------------------------------------ life cycle

    @property
    def url(self) -> str:
        assert self._server is not None, "start the proxy first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "ChaosProxy":
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.proxy = self
        self._serving = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"chaos-proxy-{self.mode}", daemon=True)
        self._thread.start()
        if self.mode == "die" and self.after == 0:
            self._die()
        return self

    def stop(self) -> None:
        """Stop listening, close every connection and wake every sleeping handler (idempotent)."""
        self.stopping.set()
        self._close_listener()
        self._close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "ChaosProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def faults(self) -> int:
        """How many requests were faulted."""
        with self._lock:
            return sum(1 for entry in self.log if entry[3])

    # ------------------------------------------------------------------ used by the handler

    def _is_faulted(self, number: int) -> bool:
        if self.mode in ("pass", "die") or number <= self.after:
            return False
        if self.count is not None and number > self.after + self.count:
            return False
        return (number - self.after - 1) % self.every < self.run

    def _admit(self, method: str, path: str) -> tuple[int, bool]:
        with self._lock:
            number = len(self.log) + 1
            aimed = self.methods is None or method.upper() in self.methods
            self._aimed += aimed
            faulted = (aimed and self._is_faulted(self._aimed)) or (self.mode == "die" and self.dead.is_set())
            self.log.append((number, method, path, faulted))
            return number, faulted

    def _faults_so_far(self, number: int) -> int:
        with self._lock:
            return sum(1 for n, _, _, f in self.log if f and n < number)

    def _forward(self, method: str, path: str, headers, body: bytes):
        connection = http.client.HTTPConnection(self.upstream_host, self.upstream_port,
                                                timeout=self.upstream_timeout_s)
        try:
            forwarded = {k: v for k, v in headers.items() if k.lower() not in _HOP_BY_HOP}
            connection.request(method, self.upstream_prefix + path, body=body if body or method in (
                "POST", "PUT", "PATCH") else None, headers=forwarded)
            response = connection.getresponse()
            payload = response.read()
            return response.status, response.reason, response.getheaders(), payload
        except (OSError, http.client.HTTPException):
            return None
        finally:
            connection.close()

    def _die(self) -> None:
        """From now on nothing answers: later connections are refused, open ones are closed."""
        if self.dead.is_set():
            return
        self.dead.set()
        threading.Thread(target=lambda: (self._close_listener(), self._close_connections()),
                         name="chaos-proxy-die", daemon=True).start()

    def _close_listener(self) -> None:
        with self._lock:
            server, serving, self._serving = self._server, self._serving, False
        if server is None or not serving:
            return
        server.shutdown()  # returns once serve_forever's loop has ended (within poll_interval)
        server.server_close()  # the listening socket: new connections are refused from here on

    def _track(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.add(connection)
        if self.dead.is_set() or self.stopping.is_set():
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _untrack(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.discard(connection)

    def _close_connections(self) -> None:
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
