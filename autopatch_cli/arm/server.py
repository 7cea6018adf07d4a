"""``autopatch serve``: the ARM router behind a real HTTP(S) server, plus the emulator's own controls.

The stack is the standard library's ``ThreadingHTTPServer`` (a thread per connection, HTTP/1.1
keep-alive): no dependency to install, TLS from ``ssl``, and it holds the load goal (benchmarks/serve_load.py)
because the work per request is small. Reads come from a cached, per-VM decode of the store (router.py)
and the threads of one process queue for writes on a lock before taking the store's file lock.

Emulator controls live under ``/autopatch/`` and never mix with ARM paths:
``GET /autopatch/clock``, ``PUT /autopatch/clock`` ``{"now": ...}``, ``POST /autopatch/tick``
``{"minutes"|"hours"|"days"|"seconds": n}`` or ``{"until": ...}``, ``POST /autopatch/reset``.
"""

from __future__ import annotations

import hmac
import ssl
import sys
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ..errors import AutopatchError, AzureError
from .metadata import public_response
from .router import ArmResponse, Router, error_response, json_response

DEFAULT_MAX_BODY = 4 * 1024 * 1024  # ARM refuses request bodies over 4 MB
# An oversized body is read and dropped (up to this much, within DRAIN_SECONDS) before the 413 goes out, so a
# client that sends its whole body before reading (urllib, requests) gets the 413 instead of a broken pipe.
DRAIN_LIMIT = 64 * 1024 * 1024
DRAIN_SECONDS = 10.0
CONTROL_PREFIX = "/autopatch/"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class ArmServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], router: Router, *, token: str | None = None,
                 max_body: int = DEFAULT_MAX_BODY, ssl_context: ssl.SSLContext | None = None, log: bool = False):
        self.router = router
        self.token = token
        self.max_body = max_body
        self.ssl_context = ssl_context
        self.log = log
        self.scheme = "https" if ssl_context else "http"
        super().__init__(address, Handler)

    def finish_request(self, request, client_address) -> None:
        if self.ssl_context is None:
            return super().finish_request(request, client_address)
        try:  # the TLS handshake runs on the connection's own thread, never in the accept loop
            secure = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return None
        try:
            return super().finish_request(secure, client_address)
        finally:
            secure.close()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in host else host
        return f"{self.scheme}://{shown}:{port}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # small responses must not wait for the client's delayed ACK
    server_version = "autopatch"
    sys_version = ""
    server: ArmServer

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's signature
        if self.server.log:
            sys.stderr.write(f"INFO: {self.address_string()} {format % args}\n")

    def _handle(self) -> None:
        length_text = self.headers.get("Content-Length")
        try:
            length = int(length_text) if length_text else 0
        except ValueError:
            length = -1
        if length < 0 or self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            return self._send(error_response(AzureError(
                "InvalidRequestContent", "The request must carry a valid Content-Length (chunked bodies are not accepted).", 411)))
        if length > self.server.max_body:
            self.close_connection = True
            self._discard(length)
            return self._send(self._too_large(length))
        body = self.rfile.read(length) if length else None
        host = self.headers.get("Host") or self.server.url.split("://", 1)[1]
        base_url = f"{self.server.scheme}://{host}"
        headers = dict(self.headers.items())
        public = public_response(self.server.router, self.server.token, self.command, self.path, headers, base_url)
        if public is not None:  # cloud metadata and the managed-identity token endpoint need no bearer token
            return self._send(public)
        denied = self._authorize()
        if denied is not None:
            return self._send(denied)
        if self.path.startswith(CONTROL_PREFIX) or self.path.rstrip("/") == CONTROL_PREFIX.rstrip("/"):
            response = control(self.server.router, self.command, self.path, body)
        else:
            response = self.server.router.handle(self.command, self.path, headers, body, base_url)
        self._send(response)

    do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

    def _too_large(self, length: int) -> ArmResponse:
        return error_response(AzureError(
            "RequestEntityTooLarge",
            f"The request content length {length} exceeds the maximum allowed content length of "
            f"{self.server.max_body} bytes.",
            413,
        ))

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
        if not hmac.compare_digest(value.strip().encode(), token.encode()):
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
        self.wfile.write(b"".join(self._headers_buffer))
        self._headers_buffer = []


def _unauthorized(code: str, message: str, description: str) -> ArmResponse:
    response = error_response(AzureError(code, message, 401))
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
                raise AzureError("MethodNotAllowed", f"The requested resource does not support http method '{method}'.", 405)
            raise AzureError("NotFound", f"No emulator control '{request.path}'. Controls: "
                             + ", ".join(sorted({f'{m} {CONTROL_PREFIX}{n}' for n, m in _CONTROLS})) + ".", 404)
        return json_response(200, handler(router, arguments))
    except AzureError as exc:
        return error_response(exc)
    except AutopatchError as exc:
        return error_response(AzureError("InvalidParameter", exc.message, 400))


def _tick(router: Router, arguments: dict) -> dict:
    from ..ops import clock

    request = clock.parse_tick(arguments)
    with router.writer() as state:
        return clock.tick(state, request.target(state))


def _clock_show(router: Router, arguments: dict) -> dict:
    from ..ops import clock

    return clock.show(router.reader())


def _clock_set(router: Router, arguments: dict) -> dict:
    from ..ops import clock

    if "now" not in arguments:
        raise AzureError("InvalidParameter", "Give the new time as 'now' (ISO 8601).", 400)
    instant = clock.parse_instant_argument(arguments["now"], "'now'")
    with router.writer() as state:
        return clock.set_clock(state, instant)


def _reset(router: Router, arguments: dict) -> dict:
    """A fresh subscription in the same store (the same seed unless one is given)."""
    from ..ops import clock
    from ..ops.state import new_state

    with router.writer() as state:
        seed = arguments.get("seed", state.section("meta")["seed"])
        try:
            seed = int(seed)
        except (TypeError, ValueError):
            raise AzureError("InvalidParameter", f"The seed '{seed}' is not an integer.", 400) from None
        state.data.clear()
        state.data.update(new_state(seed=seed))
        return clock.show(state)


def _vm_target(arguments: dict) -> tuple[str, str]:
    group, name = arguments.get("resourceGroup"), arguments.get("name")
    if not isinstance(group, str) or not isinstance(name, str) or not group or not name:
        raise AzureError("InvalidParameter", "Give the VM as 'resourceGroup' and 'name'.", 400)
    return group, name


def _fault_add(router: Router, arguments: dict) -> dict:
    """The same one-shot faults as `autopatch sim fault add`."""
    from ..ops import sim

    group, name = _vm_target(arguments)
    count = arguments.get("count", 1)
    try:
        count = int(count)
    except (TypeError, ValueError):
        raise AzureError("InvalidParameter", f"The value '{count}' of 'count' is not a whole number.", 400) from None
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
            raise AzureError("InvalidParameter", f"'{key}' must be true or false.", 400)
        values[key] = value
    with router.writer() as state:
        return sim.set_requirements(state, group, name, values["agent"], values["windowsUpdateService"],
                                    values["updateSourceReachable"], arguments.get("updateSource"))


_CONTROLS = {
    ("tick", "POST"): _tick,
    ("clock", "GET"): _clock_show,
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
                retry_after: int | None = None, log: bool = False) -> ArmServer:
    from .router import DEFAULT_RETRY_AFTER

    context = None
    if certfile:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certfile, keyfile)
    router = Router(store_path, retry_after=DEFAULT_RETRY_AFTER if retry_after is None else retry_after)
    if ":" in host:
        import socket

        class _Server6(ArmServer):
            address_family = socket.AF_INET6

        return _Server6((host, port), router, token=token, max_body=max_body, ssl_context=context, log=log)
    return ArmServer((host, port), router, token=token, max_body=max_body, ssl_context=context, log=log)
