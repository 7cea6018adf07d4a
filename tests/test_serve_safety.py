"""autopatch serve against hostile clients (issue 18, items 4-9): each test makes the attack itself.

A web page in the user's browser (foreign Origin, text/plain and form bodies, DNS rebinding through a
Host it controls), ticks without bound, an empty or visible token, idle and trickling connections, too
many connections, an HTTP/0.9 request line and JSON nested 200,000 deep.
"""

from __future__ import annotations

import json
import os
import socket
import time

import pytest
from test_rest import vm_body
from test_serve import Client, make_group, running_server, start_serve, stop, subscription, vms_path


def _no_cors(headers: dict) -> None:
    assert not [name for name in headers if name.lower().startswith("access-control-")]


def _raw(port: int, data: bytes, timeout: float = 10) -> bytes:
    """Send ``data`` on a fresh connection and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(data)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.fixture
def served(state_path):
    with running_server(state_path) as srv:
        client = Client(srv)
        sub = subscription(state_path)
        make_group(client, sub)
        yield srv, client, sub


# ---- item 4: cross-site requests --------------------------------------------------------------------


def test_a_web_page_cannot_reset_the_store(served, state_path):
    srv, client, sub = served
    before = state_path.read_bytes()
    # what a page's fetch() or form sends: its Origin, a "simple" content type
    for headers in ({"Origin": "http://evil.example", "Content-Type": "text/plain"},
                    {"Origin": "null", "Content-Type": "application/json"},
                    {"Origin": f"http://127.0.0.1:{client.port + 1}", "Content-Type": "application/json"},
                    {"Sec-Fetch-Site": "cross-site", "Content-Type": "application/json"}):
        status, response_headers, body = client("POST", "/autopatch/reset", raw=b'{"seed": 1}', headers=headers)
        assert status == 403 and body["error"]["code"] == "CrossOriginRequestRefused", (headers, body)
        _no_cors(response_headers)
    # a page that leaves out Origin still cannot send JSON without a preflight: text/plain and forms are refused
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        status, _, body = client("POST", "/autopatch/reset", raw=b'{"seed": 1}', headers={"Content-Type": content_type})
        assert status == 415 and body["error"]["code"] == "UnsupportedMediaType"
    status, _, body = client("PUT", f"/subscriptions/{sub}/resourcegroups/rg2?api-version=2020-06-01",
                             raw=b'{"location": "eastus"}', headers={"Content-Type": "text/plain"})
    assert status == 415
    assert state_path.read_bytes() == before
    # the preflight a page would need gets no CORS approval
    status, headers, _ = client("OPTIONS", "/autopatch/reset", headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    assert status == 403
    _no_cors(headers)
    # the server's own origin, and clients that send none (SDKs, az, curl), are served
    status, headers, _ = client("POST", "/autopatch/tick", {"minutes": 1}, headers={"Origin": f"http://127.0.0.1:{client.port}"})
    assert status == 200
    _no_cors(headers)


def test_dns_rebinding_is_refused_by_the_host_check(served, state_path):
    srv, client, sub = served
    before = state_path.read_bytes()
    path = f"/subscriptions/{sub}/resourcegroups/rg?api-version=2020-06-01"
    for host in (f"evil.example:{client.port}", "evil.example", f"127.0.0.1:{client.port + 1}", f"127.0.0.2:{client.port}"):
        status, _, body = client("GET", path, headers={"Host": host})
        assert status == 421 and body["error"]["code"] == "InvalidHostHeader", host
        assert client("POST", "/autopatch/reset", {}, headers={"Host": host})[0] == 421
    assert state_path.read_bytes() == before
    for host in (f"127.0.0.1:{client.port}", f"localhost:{client.port}", f"LOCALHOST:{client.port}", f"[::1]:{client.port}"):
        assert client("GET", path, headers={"Host": host})[0] == 200, host


# ---- item 6: ticks --------------------------------------------------------------------------------


def test_unbounded_ticks_get_an_arm_400_and_change_nothing(served, state_path):
    srv, client, sub = served
    assert client("PUT", f"{vms_path(sub)}/vm1?api-version=2021-03-01", vm_body())[0] == 201
    before = state_path.read_bytes()
    for arguments in ({"minutes": 1e9}, {"days": 1e308}, {"days": "nan"}, {"hours": "inf"}, {"days": "-inf"},
                      {"until": "9999-12-31T23:59:59Z"}, {"days": 367}, {"days": True}, {"minutes": "ten"},
                      {"until": "not a time"}, {"until": "2000-01-01T00:00:00Z"}, {"days": 1, "until": "2021-01-01T00:00:00Z"}):
        status, _, body = client("POST", "/autopatch/tick", arguments)
        assert status == 400 and body["error"]["code"] == "InvalidParameter", (arguments, body)
        assert body["error"]["message"]
    for now in ("9999-12-31T23:59:59Z", "2023-01-01T00:00:00Z"):  # out of range; over a year ahead of a fleet
        status, _, body = client("PUT", "/autopatch/clock", {"now": now})
        assert status == 400 and body["error"]["code"] == "InvalidParameter", (now, body)
    assert "at most 366 days" in body["error"]["message"]
    assert state_path.read_bytes() == before
    assert client("POST", "/autopatch/tick?minutes=5", None)[0] == 200  # the server is still fine


def test_a_tick_holds_the_store_lock_for_a_bounded_time(served, state_path, monkeypatch):
    from autopatch_cli.arm import server as server_module

    srv, client, sub = served
    assert client("PUT", f"{vms_path(sub)}/vm1?api-version=2021-03-01", vm_body())[0] == 201
    before = state_path.read_bytes()
    monkeypatch.setattr(server_module, "REQUEST_LOCK_SECONDS", 0.0)
    started = time.monotonic()
    status, _, body = client("POST", "/autopatch/tick", {"days": 30})
    assert status == 400 and body["error"]["code"] == "OperationTimedOut", body
    assert time.monotonic() - started < 10
    assert state_path.read_bytes() == before
    monkeypatch.setattr(server_module, "REQUEST_LOCK_SECONDS", 30.0)
    assert client("POST", "/autopatch/tick", {"days": 30})[0] == 200


def test_writers_waiting_for_a_stuck_lock_get_a_503(served, monkeypatch):
    from autopatch_cli import store

    srv, client, sub = served
    monkeypatch.setattr(store, "LOCK_TIMEOUT_SECONDS", 0.3)
    srv.router._write_lock.acquire()  # another request that does not let go
    try:
        status, _, body = client("PUT", f"/subscriptions/{sub}/resourcegroups/rg2?api-version=2020-06-01",
                                 {"location": "eastus"})
        assert status == 503 and body["error"]["code"] == "ServiceUnavailable"
        assert client("POST", "/autopatch/tick", {"minutes": 1})[0] == 503
    finally:
        srv.router._write_lock.release()
    assert client("POST", "/autopatch/tick", {"minutes": 1})[0] == 200


# ---- item 7: the token -------------------------------------------------------------------------------


def test_an_empty_token_is_refused(cli, tmp_path, monkeypatch):
    done = cli("serve", "--require-token", "")
    assert done.exit_code == 1 and "empty" in done.stderr and "authentication off" in done.stderr
    empty = tmp_path / "token"
    empty.write_text("\n")
    done = cli("serve", "--require-token-file", str(empty))
    assert done.exit_code == 1 and "empty" in done.stderr
    done = cli("serve", "--require-token-file", str(tmp_path / "missing"))
    assert done.exit_code == 1 and "Cannot read the token file" in done.stderr
    assert cli("serve", "--require-token", "a", "--require-token-file", str(empty)).exit_code == 2
    monkeypatch.setenv("AUTOPATCH_SERVE_TOKEN", "")
    done = cli("serve")
    assert done.exit_code == 1 and "AUTOPATCH_SERVE_TOKEN is empty" in done.stderr
    help_text = cli("serve", "--help").stdout
    assert "--require-token-file" in help_text and "AUTOPATCH_SERVE_TOKEN" in help_text


@pytest.mark.parametrize("source", ["file", "environment"])
def test_the_token_from_a_file_or_the_environment(state_path, tmp_path, source):
    env = dict(os.environ)
    args: list[str] = []
    if source == "file":
        token_file = tmp_path / "token"
        token_file.write_text("from-a-file\n")
        args, token = ["--require-token-file", str(token_file)], "from-a-file"
    else:
        env["AUTOPATCH_SERVE_TOKEN"] = token = "from-the-environment"
    process, _, port = start_serve(*args, env=env)
    try:
        sub = subscription(state_path)
        client = Client(type("S", (), {"server_address": ("127.0.0.1", port)})())
        path = f"/subscriptions/{sub}/resourcegroups?api-version=2020-06-01"
        assert client("GET", path)[0] == 401
        assert client("GET", path, headers={"Authorization": f"Bearer {token}"})[0] == 200
    finally:
        stop(process)
    assert token not in " ".join(args[1:] if source == "file" else args)  # not on the command line


# ---- item 8: idle, slow and too many connections ----------------------------------------------------------


def test_idle_and_trickling_connections_are_closed(state_path):
    with running_server(state_path, idle_timeout=0.5, read_seconds=1.0) as srv:
        port = srv.server_address[1]
        idle = socket.create_connection(("127.0.0.1", port), timeout=10)
        started = time.monotonic()
        assert idle.recv(1) == b""  # closed by the server, not by our timeout
        assert time.monotonic() - started < 5
        idle.close()
        slow = socket.create_connection(("127.0.0.1", port), timeout=10)
        started = time.monotonic()
        slow.sendall(b"GET /autopatch/clock HTTP/1.1\r\n")
        closed = False
        for _ in range(40):  # a header byte every 0.2 s: each read is in time, the request never is
            try:
                slow.sendall(b"X")
                time.sleep(0.2)
            except OSError:
                closed = True
                break
            slow.settimeout(0.01)
            try:
                if slow.recv(1) == b"":
                    closed = True
                    break
            except TimeoutError:
                pass
        slow.close()
        assert closed and time.monotonic() - started < 6
        assert Client(srv)("GET", "/autopatch/clock")[0] == 200


def test_connections_are_capped_and_idle_ones_make_room(state_path):
    import threading

    with running_server(state_path, max_connections=3, idle_timeout=30) as srv:
        port = srv.server_address[1]
        sub = subscription(state_path)
        held = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(3)]
        try:
            time.sleep(0.2)
            assert srv._slots._value == 0  # three threads, no more
            # idle connections do not lock a client out: the one waiting longest is closed for it
            assert Client(srv)("GET", "/autopatch/clock")[0] == 200
            closed = 0
            for conn in held:  # the one whose wait began first (their threads start in any order)
                conn.settimeout(2)
                try:
                    closed += conn.recv(1) == b""
                except TimeoutError:
                    pass
            assert closed == 1
        finally:
            for conn in held:
                conn.close()
        # three requests in service (waiting for the store) fill the cap: the next one gets 503
        srv.router._write_lock.acquire()
        answers: list[int] = []
        try:
            writers = [threading.Thread(target=lambda: answers.append(Client(srv)("PUT",
                       f"/subscriptions/{sub}/resourcegroups/rg?api-version=2020-06-01", {"location": "eastus"})[0]))
                       for _ in range(3)]
            for writer in writers:
                writer.start()
            time.sleep(0.5)
            refused = _raw(port, b"GET /autopatch/clock HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert refused.startswith(b"HTTP/1.1 503 ") and b'"ServerBusy"' in refused
        finally:
            srv.router._write_lock.release()
        for writer in writers:
            writer.join(30)
        assert sorted(answers) == [200, 200, 201]
        assert Client(srv)("GET", "/autopatch/clock")[0] == 200


# ---- item 9: malformed requests ------------------------------------------------------------------------


def test_an_http_0_9_request_line_gets_a_400(served, capfd):
    srv, client, sub = served
    for line in (b"GET /\r\n\r\n", b"POST /autopatch/reset\r\n\r\n", b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n"):
        reply = _raw(client.port, line)
        head, _, body = reply.partition(b"\r\n\r\n")
        assert head.split(b" ")[1] in (b"400", b"505"), reply
        assert json.loads(body)["error"]["code"], reply
    assert "Traceback" not in capfd.readouterr().err
    assert client("GET", "/autopatch/clock")[0] == 200


def test_json_nested_200000_deep_gets_a_400(served, state_path, capfd):
    srv, client, sub = served
    before = state_path.read_bytes()
    deep = b"[" * 200_000 + b"]" * 200_000
    for path, raw in ((f"/subscriptions/{sub}/resourcegroups/rg2?api-version=2020-06-01", deep),
                      (f"{vms_path(sub)}/vm1?api-version=2021-03-01", b'{"a": ' + deep + b"}"),
                      ("/autopatch/tick", b'{"x": ' + b'{"y": ' * 100 + b"1" + b"}" * 100 + b"}")):
        status, _, body = client("PUT" if "api-version" in path else "POST", path, raw=raw)
        assert status == 400 and body["error"]["code"] == "InvalidRequestContent", (path, body)
    assert state_path.read_bytes() == before
    assert "Traceback" not in capfd.readouterr().err


# ---- issue 17: health and request logs -----------------------------------------------------------------


def test_health_endpoint(served, state_path):
    from autopatch_cli import __version__

    srv, client, sub = served
    status, _, body = client("GET", "/autopatch/health")
    assert status == 200 and body["status"] == "Healthy" and body["version"] == __version__
    assert body["store"] == {"path": str(state_path), "exists": True, "bytes": state_path.stat().st_size}
    assert body["clock"]["now"] == client("GET", "/autopatch/clock")[2]["now"]
    state_path.write_text("{not json")
    status, _, body = client("GET", "/autopatch/health")
    assert status == 503 and body["error"]["code"] == "StoreUnavailable" and str(state_path) in body["error"]["message"]


def test_verbose_logs_each_request_in_common_log_format(state_path):
    import re

    process, _, port = start_serve("--verbose")
    try:
        client = Client(type("S", (), {"server_address": ("127.0.0.1", port)})())
        assert client("GET", "/autopatch/health")[0] == 200
        assert client("GET", "/nowhere")[0] == 400  # no api-version
        assert _raw(port, b"GET /\r\n\r\n").startswith(b"HTTP/1.1 400 ")
    finally:
        err = stop(process)
    lines = [line for line in err.splitlines() if line.startswith("127.0.0.1 ")]
    pattern = r'127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000\] "%s" %d \d+ \d+\.\dms'
    assert re.fullmatch(pattern % (r"GET /autopatch/health HTTP/1\.1", 200), lines[0]), lines
    assert re.fullmatch(pattern % (r"GET /nowhere HTTP/1\.1", 400), lines[1]), lines
    assert re.fullmatch(pattern % (r"GET /", 400), lines[2]), lines
    assert "Traceback" not in err
    quiet, _, port = start_serve()
    try:
        Client(type("S", (), {"server_address": ("127.0.0.1", port)})())("GET", "/autopatch/health")
    finally:
        assert "GET /autopatch/health" not in stop(quiet)


def test_a_wildcard_bind_checks_host_and_names_loopback_in_its_monitors(state_path):
    from autopatch_cli.arm.server import make_server

    server = make_server(state_path, "0.0.0.0", 0)
    try:
        port = server.server_address[1]
        assert server.base_url == f"http://127.0.0.1:{port}"
        assert server.host_allowed(f"192.0.2.7:{port}") and server.host_allowed(f"localhost:{port}")
        assert server.host_allowed(f"{socket.gethostname().lower()}:{port}")
        assert not server.host_allowed(f"evil.example:{port}") and not server.host_allowed(f"192.0.2.7:{port + 1}")
        assert not server.origin_allowed("http://evil.example") and not server.origin_allowed("null")
    finally:
        server.server_close()
    with running_server(state_path, public_url="https://emulator.example") as srv:
        assert srv.base_url == "https://emulator.example"
        assert srv.host_allowed("emulator.example") and srv.host_allowed("emulator.example:443")
        assert not srv.host_allowed("emulator.example:80")


def test_public_url_must_be_a_url(cli):
    done = cli("serve", "--public-url", "emulator.example")
    assert done.exit_code == 1 and "--public-url" in done.stderr


def test_a_route_may_take_a_form_body_and_no_api_version(served, monkeypatch):
    """What a token endpoint needs (OAuth 2.0 posts forms): the route says so; every other path stays JSON-only."""
    from autopatch_cli.arm import router as router_module
    from autopatch_cli.arm import urls
    from autopatch_cli.arm.framework import Route, json_response

    def token(router, request, parts):
        return json_response(200, {"tenant": parts["tenant"], "form": request.body.decode()})

    row = Route("POST", "/{tenant}/oauth2/v2.0/token", token, None,
                body_types=("application/x-www-form-urlencoded",))
    table = urls.RouteTable([*urls.TABLE.routes, row])
    monkeypatch.setattr(urls, "TABLE", table)
    monkeypatch.setattr(router_module, "TABLE", table)
    srv, client, sub = served
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, body = client("POST", "/t1/oauth2/v2.0/token", raw=b"grant_type=client_credentials", headers=form)
    assert status == 200 and body == {"tenant": "t1", "form": "grant_type=client_credentials"}
    assert client("POST", "/autopatch/reset", raw=b"seed=1", headers=form)[0] == 415
    assert client("POST", "/t1/oauth2/v2.0/token", raw=b"x", headers={"Content-Type": "text/plain"})[0] == 415
