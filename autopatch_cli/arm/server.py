"""``autopatch serve``: the ARM router behind a real HTTP(S) server, plus the emulator's own controls.

The stack is the standard library's ``ThreadingHTTPServer`` (a thread per connection, HTTP/1.1
keep-alive): no dependency to install, TLS from ``ssl``, and it holds the load goal (benchmarks/serve_load.py)
because the work per request is small. Reads come from a cached, per-VM decode of the store (router.py)
and the threads of one process queue for writes on a lock before taking the store's file lock.

Emulator controls live under ``/autopatch/`` and never mix with ARM paths:
``GET /autopatch/clock``, ``PUT /autopatch/clock`` ``{"now": ...}``, ``POST /autopatch/tick``
``{"minutes"|"hours"|"days"|"seconds": n}`` or ``{"until": ...}``, ``POST /autopatch/reset``,
``GET /autopatch/health``.

A web page in the user's browser can reach a loopback server, so every request is checked as a local
development server must check it: the ``Host`` header must name the server itself (DNS rebinding), a
request from a foreign ``Origin`` or ``Sec-Fetch-Site: cross-site`` is refused, a body must be
``application/json`` (a page's form or ``text/plain`` request is refused before anything runs), and no
CORS header is ever sent. Long-running operation URLs are built from the server's own address (or
``--public-url``), never from the request. Connections are capped, idle ones time out, a request must
arrive whole within a bound, and no request holds the store lock longer than REQUEST_LOCK_SECONDS.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import sys
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from .. import errors
from ..errors import AutopatchError, AzureError, invalid_parameter
from .metadata import public_response
from .router import ArmResponse, Router, error_response, json_response

DEFAULT_MAX_BODY = 4 * 1024 * 1024  # ARM refuses request bodies over 4 MB
# An oversized body is read and dropped (up to this much, within DRAIN_SECONDS) before the 413 goes out, so a
# client that sends its whole body before reading (urllib, requests) gets the 413 instead of a broken pipe.
DRAIN_LIMIT = 64 * 1024 * 1024
DRAIN_SECONDS = 10.0
CONTROL_PREFIX = "/autopatch/"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
# A kept-alive connection waits this long for its next request; a request (line, headers and body) must
# then arrive whole within REQUEST_READ_SECONDS, however slowly it trickles in.
IDLE_TIMEOUT = 30.0
REQUEST_READ_SECONDS = 30.0
MAX_CONNECTIONS = 128  # beyond this many open connections, a new one gets 503 and is closed
# The longest a request may hold the store's write lock (a tick stops and changes nothing beyond it), well
# under the 60 s a CLI writer waits for the lock.
REQUEST_LOCK_SECONDS = 30.0


class ArmServer(ThreadingHTTPServer):
    server_address: tuple[str, int] | tuple[str, int, int, int]  # an IP socket's (IPv6 adds flow and scope)
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], router: Router, *, token: str | None = None,
                 max_body: int = DEFAULT_MAX_BODY, ssl_context: ssl.SSLContext | None = None, log: bool = False,
                 public_url: str | None = None, idle_timeout: float = IDLE_TIMEOUT,
                 read_seconds: float = REQUEST_READ_SECONDS, max_connections: int = MAX_CONNECTIONS):
        self.router = router
        self.token = token
        self.max_body = max_body
        self.ssl_context = ssl_context
        self.log = log
        self.scheme = "https" if ssl_context else "http"
        self.public_url = public_url.rstrip("/") if public_url else None
        self.idle_timeout = idle_timeout
        self.read_seconds = read_seconds
        self._slots = threading.BoundedSemaphore(max_connections)
        self._deadlines: dict[socket.socket, float] = {}
        self._deadlines_lock = threading.Lock()
        super().__init__(address, Handler)
        self.allowed_hosts = _allowed_hosts(self.server_address[0], self.server_address[1], self.scheme,
                                            self.public_url)
        self._reaper = threading.Thread(target=self._reap, name="autopatch-reaper", daemon=True)
        self._reaper.start()

    # -- connections: a cap, and a deadline for each request to arrive --

    def process_request(self, request, client_address) -> None:
        if not self._slots.acquire(blocking=False):
            # At the cap: the connection that has waited longest for its request makes room (a client
            # kept alive reconnects), so idle connections cannot lock others out; 503 only when every
            # connection is busy with a request.
            self._evict_oldest_waiting()
            if not self._slots.acquire(timeout=1.0):
                _refuse_busy(request, self.ssl_context is None)
                self.shutdown_request(request)
                return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.reading(request, None)
            self._slots.release()

    def reading(self, connection, deadline: float | None) -> None:
        """``connection`` must have read its request by ``deadline`` (None: it is not reading one)."""
        with self._deadlines_lock:
            if deadline is None:
                self._deadlines.pop(connection, None)
            else:
                self._deadlines[connection] = deadline

    def _evict_oldest_waiting(self) -> None:
        with self._deadlines_lock:
            if not self._deadlines:
                return
            oldest = min(self._deadlines, key=self._deadlines.__getitem__)
            del self._deadlines[oldest]
        try:
            oldest.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _reap(self) -> None:
        """Close the connections whose request did not arrive in time (slowloris)."""
        while True:
            time.sleep(min(1.0, self.read_seconds / 4))
            now = time.monotonic()
            with self._deadlines_lock:
                late = [c for c, deadline in self._deadlines.items() if deadline < now]
                for connection in late:
                    del self._deadlines[connection]
            for connection in late:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def finish_request(self, request, client_address) -> None:
        if self.ssl_context is None:
            return super().finish_request(request, client_address)
        self.reading(request, time.monotonic() + self.read_seconds)  # a handshake is bounded too
        try:  # the TLS handshake runs on the connection's own thread, never in the accept loop
            secure = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return None
        finally:
            self.reading(request, None)
        try:
            return super().finish_request(secure, client_address)
        finally:
            secure.close()

    def host_allowed(self, host: str) -> bool:
        """``host`` (a Host header, lower-case) names this server: one of its names, or, bound to every
        address, any address by number (a DNS-rebinding page can only send a name)."""
        if host in self.allowed_hosts:
            return True
        if self.server_address[0] not in _WILDCARDS:
            return False
        name, _, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
        if port and port != str(self.server_address[1]):
            return False
        try:
            ipaddress.ip_address((name or host).strip("[]"))
        except ValueError:
            return False
        return True

    def origin_allowed(self, origin: str) -> bool:
        """A browser's ``Origin``: only this server's own (a page it served itself, which it never does)."""
        parts = urlsplit(origin.lower())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return False  # "null" (a sandboxed page or a file://) and anything odd
        return self.host_allowed(parts.netloc)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in host else host
        return f"{self.scheme}://{shown}:{port}"

    @property
    def base_url(self) -> str:
        """Where clients reach this server: --public-url, else the bound address (a wildcard as loopback)."""
        if self.public_url:
            return self.public_url
        host, port = self.server_address[:2]
        host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
        shown = f"[{host}]" if ":" in host else host
        return f"{self.scheme}://{shown}:{port}"


def _allowed_hosts(host: str, port: int, scheme: str, public_url: str | None) -> frozenset[str]:
    """The ``Host`` values that name this server: its address, and the loopback names when bound there."""
    names = {host}
    if host in LOOPBACK_HOSTS or host in _WILDCARDS:
        names.update(LOOPBACK_HOSTS)
    if host in _WILDCARDS:  # this machine by its own name too (by number: any address, see host_allowed)
        names.update({socket.gethostname(), socket.getfqdn()})
    allowed = set().union(*(_host_headers(name, port, scheme) for name in names))
    if public_url:
        parts = urlsplit(public_url)
        if parts.hostname:
            default = 443 if parts.scheme == "https" else 80
            allowed |= _host_headers(parts.hostname, parts.port or default, parts.scheme)
    return frozenset(allowed)


_WILDCARDS = ("0.0.0.0", "::")


def _host_headers(name: str, port: int, scheme: str) -> set[str]:
    """``name:port`` as a Host header carries it, and ``name`` alone when the port is the scheme's default."""
    shown = (f"[{name}]" if ":" in name else name).lower()
    values = {f"{shown}:{port}"}
    if port == (443 if scheme == "https" else 80):
        values.add(shown)
    return values


def _refuse_busy(connection, plain: bool) -> None:
    """Over the connection cap: a plain-http client is told so (503, which SDKs retry), then the socket closes."""
    if not plain:
        return
    body = json_response(503, {"error": {"code": "ServerBusy", "message":
                                         "autopatch serve has too many open connections; try again."}}).body
    head = (f"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"
            f"Retry-After: 1\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    try:
        connection.settimeout(1.0)
        connection.sendall(head + body)
    except OSError:
        pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # small responses must not wait for the client's delayed ACK
    server_version = "autopatch"
    sys_version = ""
    server: ArmServer
    _headers_buffer: list[bytes]  # BaseHTTPRequestHandler's own, which typeshed does not declare

    @property
    def timeout(self) -> float:  # type: ignore[override]  # read, never set, by setup(): an idle connection's socket times out
        return self.server.idle_timeout

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's signature
        """The stdlib's own messages (timeouts, bad request lines) only with --verbose; requests: log_request."""
        if self.server.log:
            sys.stderr.write(f"INFO: {self.address_string()} {format % args}\n")

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        """Each request once its response is sent (see _log), not when its status line is written."""

    def _log(self, status: int, size: int) -> None:
        """A line per request in the Common Log Format, with the milliseconds it took at the end."""
        if not self.server.log:
            return
        elapsed = (time.perf_counter() - getattr(self, "_started", time.perf_counter())) * 1000
        when = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime())
        line = (self.requestline or "-").replace('"', "%22")
        sys.stderr.write(f'{self.client_address[0]} - - [{when}] "{line}" {status} {size} {elapsed:.1f}ms\n')

    def handle_one_request(self) -> None:
        """One request, which must arrive whole within the server's read bound once it has started."""
        connection = self.connection
        # waiting for the request line: the socket's idle timeout; from then on the reaper's deadline
        self.server.reading(connection, time.monotonic() + self.server.idle_timeout + self.server.read_seconds)
        self._started = time.perf_counter()
        try:
            super().handle_one_request()
        finally:
            self.server.reading(connection, None)

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self.request_version == "HTTP/0.9":  # "GET /" with no version: answered as HTTP/1.0 would be
            self.request_version = "HTTP/1.0"
            self.close_connection = True
            self.send_error(400, "The request line must name the HTTP version (HTTP/1.0 or HTTP/1.1).")
            return False
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The stdlib's own refusals (bad request line, headers, unknown method) as ARM error bodies, not HTML."""
        text = message or self.responses.get(code, ("Error",))[0]
        if explain and explain not in text:
            text = f"{text}: {explain}"
        self.close_connection = True
        if self.request_version == "HTTP/0.9":  # so the status line is written at all
            self.request_version = "HTTP/1.0"
        if not getattr(self, "command", None):
            self.command = ""
        self._send(error_response(errors.http_refusal(code, text)))

    def _handle(self) -> None:
        self.server.reading(self.connection, time.monotonic() + self.server.read_seconds)
        refused = self._refuse_foreign()
        if refused is not None:
            self.close_connection = True
            return self._send(refused)
        length_text = self.headers.get("Content-Length")
        try:
            length = int(length_text) if length_text else 0
        except ValueError:
            length = -1
        if length < 0 or self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            return self._send(error_response(errors.length_required()))
        if length > self.server.max_body:
            self.close_connection = True
            self._discard(length)
            return self._send(self._too_large(length))
        body = self.rfile.read(length) if length else None
        if length and len(body or b"") < length:  # the client went away, or the reaper ended a slow body
            self.close_connection = True
            return None
        self.server.reading(self.connection, None)  # the request is in: serving it is not bounded here
        refused = self._refuse_body_type(length)
        if refused is not None:
            return self._send(refused)
        headers = dict(self.headers.items())
        public = public_response(self.server.router, self.server.token, self.command, self.path, headers,
                                 self.server.base_url)
        if public is not None:  # cloud metadata and the managed-identity token endpoint need no bearer token
            return self._send(public)
        denied = self._authorize()
        if denied is not None:
            return self._send(denied)
        if self.path.startswith(CONTROL_PREFIX) or self.path.rstrip("/") == CONTROL_PREFIX.rstrip("/"):
            response = control(self.server.router, self.command, self.path, body)
        else:
            response = self.server.router.handle(self.command, self.path, headers, body, self.server.base_url)
        self._send(response)

    do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

    def _refuse_foreign(self) -> ArmResponse | None:
        """A request a web page made, or one whose Host names some other server (DNS rebinding): refused."""
        host = (self.headers.get("Host") or "").strip().lower()
        if host and not self.server.host_allowed(host):
            return error_response(errors.invalid_host_header(host, self.server.base_url))
        origin = self.headers.get("Origin")
        if origin is not None and not self.server.origin_allowed(origin.strip()):
            return error_response(errors.cross_origin_refused(origin.strip()))
        if (self.headers.get("Sec-Fetch-Site") or "").strip().lower() in ("cross-site", "same-site"):
            return error_response(errors.cross_origin_refused())
        return None

    def _refuse_body_type(self, length: int) -> ArmResponse | None:
        """A body must be JSON, declared so (what a page's form or text/plain request cannot send unasked)."""
        if not length:
            return None
        from urllib.parse import unquote

        from .urls import TABLE

        declared = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        found = TABLE.match(unquote(urlsplit(self.path).path).rstrip("/") or "/")
        route = found[0].get(self.command) if found else None
        accepted = route.body_types if route is not None else ("application/json",)
        if declared in accepted or (declared.startswith("application/") and declared.endswith("+json")):
            return None
        return error_response(errors.unsupported_media_type(declared, accepted))

    def _too_large(self, length: int) -> ArmResponse:
        return error_response(errors.request_entity_too_large(length, self.server.max_body))

    def handle_expect_100(self) -> bool:
        """``Expect: 100-continue`` (curl's way with big bodies): refuse an oversized body before it is sent."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length > self.server.max_body:
            self.close_connection = True
            self._send(self._too_large(length))
            return False
        return super().handle_expect_100()

    def _discard(self, length: int) -> None:
        """Read and drop an oversized body (bounded in size and time)."""
        deadline = time.monotonic() + DRAIN_SECONDS
        remaining = min(length, DRAIN_LIMIT)
        previous = self.connection.gettimeout()
        self.connection.settimeout(1.0)
        try:
            while remaining > 0 and time.monotonic() < deadline:
                chunk = self.rfile.read1(min(65536, remaining)) if hasattr(self.rfile, "read1") else self.rfile.read(
                    min(65536, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
        except OSError:
            pass
        finally:
            self.connection.settimeout(previous)

    def _authorize(self) -> ArmResponse | None:
        token = self.server.token
        if not token:
            return None
        header = self.headers.get("Authorization")
        if not header:
            return _unauthorized("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.",
                                 "The authentication failed because of missing 'Authorization' header.")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            return _unauthorized("AuthenticationFailed",
                                 "Authentication failed. The 'Authorization' header is provided in an invalid format.",
                                 "The authentication failed because of an invalid 'Authorization' header.")
        from .identity import token_matches

        if not token_matches(value.strip(), token):
            return _unauthorized("InvalidAuthenticationToken", "The access token is invalid.", "The access token is invalid.")
        return None

    def _send(self, response: ArmResponse) -> None:
        body = b"" if self.command == "HEAD" else response.body
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        # headers and body in one write (end_headers would send the headers on their own)
        self._headers_buffer.append(b"\r\n")
        self._headers_buffer.append(body)
        self._log(response.status, len(body))  # before the client has its answer (and may stop the server)
        self.wfile.write(b"".join(self._headers_buffer))
        self._headers_buffer = []


def _unauthorized(code: str, message: str, description: str) -> ArmResponse:
    response = error_response(errors.unauthorized(code, message))
    response.headers["WWW-Authenticate"] = (
        f'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", '
        f'error_description="{description}"'
    )
    return response


# ---- emulator controls -----------------------------------------------------------------------------


def control(router: Router, method: str, url: str, body: bytes | None) -> ArmResponse:
    """``/autopatch/...``: the clock, ticks, reset, faults and guest requirements. Errors use ARM's body too."""
    from urllib.parse import parse_qsl, urlsplit

    from .router import parse_request

    try:
        request = parse_request(method, url, {}, body, "")
        name = request.path[len(CONTROL_PREFIX):].strip("/").lower() if request.path.startswith(CONTROL_PREFIX) else ""
        arguments = dict(parse_qsl(urlsplit(url).query))
        arguments.update(request.json_body(required=False) or {})
        handler = _CONTROLS.get((name, request.method))
        if handler is None:
            if any(key[0] == name for key in _CONTROLS):
                raise errors.method_not_allowed(method)
            raise errors.control_not_found(request.path, sorted({f'{m} {CONTROL_PREFIX}{n}' for n, m in _CONTROLS}))
        return json_response(200, handler(router, arguments))
    except AzureError as exc:
        return error_response(exc)
    except AutopatchError as exc:
        return error_response(invalid_parameter(None, exc.message))
    except Exception as exc:  # an autopatch bug: an ARM 500, never a dropped connection
        return error_response(errors.internal_server_error(
            f"autopatch failed to serve the request: {type(exc).__name__}: {exc}"))


class _LockBudgetSpent(Exception):
    """A tick ran past REQUEST_LOCK_SECONDS: it stops, and the store keeps what it had."""


def _bounded_tick(router: Router, target_of) -> dict:
    """Tick to ``target_of(state)`` under the write lock, for at most REQUEST_LOCK_SECONDS of real time
    (beyond that the tick stops and the store keeps what it had)."""
    from ..ops import clock

    deadline = time.monotonic() + REQUEST_LOCK_SECONDS

    def check(_at) -> None:
        if time.monotonic() > deadline:
            raise _LockBudgetSpent

    try:
        with router.writer() as state:
            return clock.tick(state, target_of(state), check)
    except _LockBudgetSpent:
        raise errors.operation_timed_out(
            f"The tick needed more than {REQUEST_LOCK_SECONDS:.0f} s of work, the longest a request may hold the "
            "store (other clients wait meanwhile); nothing changed. Tick in smaller steps, or with 'autopatch "
            "tick'.") from None


def _tick(router: Router, arguments: dict) -> dict:
    """The CLI's tick rules (ops.clock.parse_tick: finite, forward, at most a year), under the lock budget."""
    from ..ops import clock

    request = clock.parse_tick(arguments)
    return _bounded_tick(router, request.target)


def _clock_show(router: Router, arguments: dict) -> dict:
    from ..ops import clock

    return clock.show(router.reader())


def _clock_set(router: Router, arguments: dict) -> dict:
    from ..ops import clock, patching

    if "now" not in arguments:
        raise invalid_parameter(None, "Give the new time as 'now' (ISO 8601).")
    instant = clock.parse_instant_argument(arguments["now"], "'now'")
    with router.writer() as state:
        if instant <= clock.now(state) or not patching.has_fleet(state):  # nothing that takes long
            return clock.set_clock(state, instant)
    # forward over a fleet: a tick to that instant, with the tick's bounds and the lock budget
    _bounded_tick(router, clock.TickRequest(None, instant, "'now'").target)
    return _clock_show(router, arguments)


def _health(router: Router, arguments: dict) -> dict:
    """Is the server up, which autopatch is it, which store does it serve, and what time is it there."""
    from .. import __version__
    from ..errors import StoreError
    from ..ops import clock

    try:
        size = router.path.stat().st_size if router.path.exists() else 0
        shown = clock.show(router.reader())
    except (StoreError, OSError) as exc:
        raise errors.store_unavailable(str(router.path), f"{getattr(exc, 'message', None) or exc}") from None
    return {
        "status": "Healthy",
        "version": __version__,
        "store": {"path": str(router.path), "exists": router.path.exists(), "bytes": size},
        "clock": {"now": shown["now"], "start": shown["start"], "seed": shown["seed"]},
    }


def _reset(router: Router, arguments: dict) -> dict:
    """A fresh subscription in the same store (the same seed unless one is given)."""
    from ..ops import clock
    from ..ops.state import new_state

    with router.writer() as state:
        seed = arguments.get("seed", state.section("meta")["seed"])
        try:
            seed = int(seed)
        except (TypeError, ValueError):
            raise invalid_parameter(None, f"The seed '{seed}' is not an integer.") from None
        state.data.clear()
        state.data.update(new_state(seed=seed))
        return clock.show(state)


def _vm_target(arguments: dict) -> tuple[str, str]:
    group, name = arguments.get("resourceGroup"), arguments.get("name")
    if not isinstance(group, str) or not isinstance(name, str) or not group or not name:
        raise invalid_parameter(None, "Give the VM as 'resourceGroup' and 'name'.")
    return group, name


def _fault_add(router: Router, arguments: dict) -> dict:
    """The same one-shot faults as `autopatch sim fault add`."""
    from ..ops import sim

    group, name = _vm_target(arguments)
    count = arguments.get("count", 1)
    try:
        count = int(count)
    except (TypeError, ValueError):
        raise invalid_parameter(None, f"The value '{count}' of 'count' is not a whole number.") from None
    with router.writer() as state:
        return sim.add_fault(state, group, name, str(arguments.get("kind", "")).lower(), count)


def _fault_clear(router: Router, arguments: dict) -> dict:
    from ..ops import sim

    group, name = _vm_target(arguments)
    with router.writer() as state:
        return sim.clear_faults(state, group, name)


def _requirements(router: Router, arguments: dict) -> dict:
    """The same guest conditions as `autopatch sim requirement set` (booleans; updateSource a string)."""
    from ..ops import sim

    group, name = _vm_target(arguments)
    values = {}
    for key in ("agent", "windowsUpdateService", "updateSourceReachable"):
        value = arguments.get(key)
        if isinstance(value, str) and value.lower() in ("true", "false", "running", "stopped"):
            value = value.lower() in ("true", "running")
        if value is not None and not isinstance(value, bool):
            raise invalid_parameter(None, f"'{key}' must be true or false.")
        values[key] = value
    with router.writer() as state:
        return sim.set_requirements(state, group, name, values["agent"], values["windowsUpdateService"],
                                    values["updateSourceReachable"], arguments.get("updateSource"))


_CONTROLS = {
    ("tick", "POST"): _tick,
    ("clock", "GET"): _clock_show,
    ("health", "GET"): _health,
    ("clock", "PUT"): _clock_set,
    ("reset", "POST"): _reset,
    ("faults", "POST"): _fault_add,
    ("faults", "DELETE"): _fault_clear,
    ("requirements", "PUT"): _requirements,
}


# ---- running -------------------------------------------------------------------------------------


class ClockDriver(threading.Thread):
    """``--speed N``: N simulated seconds per real second, applied as a tick about once a second."""

    def __init__(self, router: Router, speed: float, interval: float = 1.0):
        super().__init__(name="autopatch-clock", daemon=True)
        self.router = router
        self.speed = speed
        self.interval = interval
        self.stopped = threading.Event()
        self.error: str | None = None

    def run(self) -> None:
        from ..ops import clock

        last = time.monotonic()
        while not self.stopped.wait(self.interval):
            current = time.monotonic()
            step = timedelta(seconds=(current - last) * self.speed)
            last = current
            if step <= timedelta(0):
                continue
            try:
                with self.router.writer() as state:
                    clock.tick(state, clock.now(state) + step)
            except AutopatchError as exc:  # e.g. the store locked too long: try again next round
                self.error = exc.message

    def stop(self) -> None:
        self.stopped.set()


def make_server(store_path=None, host: str = "127.0.0.1", port: int = 8080, *, token: str | None = None,
                certfile: str | None = None, keyfile: str | None = None, max_body: int = DEFAULT_MAX_BODY,
                retry_after: int | None = None, log: bool = False, **limits: Any) -> ArmServer:
    """``limits``: public_url, idle_timeout, read_seconds, max_connections (ArmServer's)."""
    from .router import DEFAULT_RETRY_AFTER

    context = None
    if certfile:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certfile, keyfile)
    router = Router(store_path, retry_after=DEFAULT_RETRY_AFTER if retry_after is None else retry_after)
    if ":" in host:
        class _Server6(ArmServer):
            address_family = socket.AF_INET6

        return _Server6((host, port), router, token=token, max_body=max_body, ssl_context=context, log=log, **limits)
    return ArmServer((host, port), router, token=token, max_body=max_body, ssl_context=context, log=log, **limits)
