"""autopatch serve: the ARM router over HTTP, its limits, its controls, and sharing the store with the CLI."""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers import PASSWORD, entry_point
from test_rest import vm_body


@contextmanager
def running_server(store: Path, **options):
    """``autopatch serve`` in this process, on a free loopback port."""
    from autopatch_cli.arm.server import make_server

    options.setdefault("retry_after", 0)
    server = make_server(store, "127.0.0.1", 0, **options)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def subscription(store: Path) -> str:
    from autopatch_cli.ops.session import Session

    return Session(store).reader().section("subscription")["id"]


class Client:
    def __init__(self, server, token: str | None = None):
        self.host, self.port = server.server_address[:2]
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        self.token = token

    def __call__(self, method: str, path: str, body=None, headers: dict | None = None, raw: bytes | None = None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        sent = dict(headers or {})
        if self.token:
            sent.setdefault("Authorization", f"Bearer {self.token}")
        if data is not None:
            sent.setdefault("Content-Type", "application/json")
        self.conn.request(method, path, body=data, headers=sent)
        response = self.conn.getresponse()
        payload = response.read()
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, json.loads(payload) if payload else None


@pytest.fixture
def server(state_path):
    with running_server(state_path) as srv:
        yield srv


@pytest.fixture
def client(server):
    return Client(server)


@pytest.fixture
def sub(server, state_path):
    return subscription(state_path)


def vms_path(sub: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines"


def make_group(client, sub: str) -> None:
    status, _, _ = client("PUT", f"/subscriptions/{sub}/resourcegroups/rg?api-version=2020-06-01", {"location": "eastus"})
    assert status in (200, 201)


# ---- ARM over HTTP ---------------------------------------------------------------------------------


def test_lro_monitors_stay_on_the_bound_address(client, sub):
    """Issue 18 item 5: the monitors name the server's own address, whatever Host the request gave."""
    make_group(client, sub)
    status, headers, body = client("PUT", f"{vms_path(sub)}/vm1?api-version=2020-06-01", vm_body())
    assert status == 201 and body["properties"]["provisioningState"] == "Creating"
    assert headers["azure-asyncoperation"].startswith(f"http://127.0.0.1:{client.port}/")
    assert PASSWORD not in json.dumps(body)
    own = f"http://127.0.0.1:{client.port}"
    for host in (f"localhost:{client.port}", f"[::1]:{client.port}", f"127.0.0.1:{client.port}"):
        status, headers, body = client("POST", f"{vms_path(sub)}/vm1/restart?api-version=2020-12-01",
                                       headers={"Host": host})
        assert status == 202 and body is None
        assert headers["azure-asyncoperation"].startswith(
            f"{own}/subscriptions/{sub}/providers/Microsoft.Compute/locations/eastus/operations/")
        assert headers["location"].startswith(f"{own}/") and "monitor=true" in headers["location"]
        assert headers["retry-after"] == "0"
    path = headers["azure-asyncoperation"].split(own, 1)[1]
    status, _, document = client("GET", path)
    assert status == 200 and document["status"] == "Succeeded" and document["name"] in path
    status, headers, _ = client("DELETE", f"/subscriptions/{sub}/resourcegroups/rg?api-version=2020-06-01")
    assert status == 202 and headers["location"].startswith(f"{own}/subscriptions/{sub}/operationresults/")


def test_lro_monitors_use_the_public_url(state_path):
    with running_server(state_path, public_url="https://autopatch.example:8443/") as srv:
        client = Client(srv)
        sub = subscription(state_path)
        make_group(client, sub)
        status, headers, _ = client("PUT", f"{vms_path(sub)}/vm1?api-version=2020-06-01", vm_body(),
                                    headers={"Host": "autopatch.example:8443"})
        assert status == 201 and headers["azure-asyncoperation"].startswith("https://autopatch.example:8443/subscriptions/")


def test_keep_alive_and_head(client, sub):
    make_group(client, sub)
    for _ in range(3):  # one connection, several requests
        status, _, _ = client("HEAD", f"/subscriptions/{sub}/resourcegroups/rg?api-version=2020-06-01")
        assert status == 204
    status, headers, body = client("HEAD", f"/subscriptions/{sub}/resourcegroups/nope?api-version=2020-06-01")
    assert status == 404 and body is None and headers["content-length"] == "0"


def test_malformed_json_gets_an_arm_400(client, sub, state_path):
    make_group(client, sub)
    before = state_path.read_bytes()
    status, _, body = client("PUT", f"{vms_path(sub)}/vm1?api-version=2021-03-01", raw=b'{"location": ')
    assert status == 400 and body["error"]["code"] == "InvalidRequestContent"
    assert state_path.read_bytes() == before


def test_request_body_size_limit(state_path):
    with running_server(state_path, max_body=1024) as srv:
        client = Client(srv)
        sub = subscription(state_path)
        status, headers, body = client("PUT", f"/subscriptions/{sub}/resourcegroups/rg?api-version=2020-06-01",
                                       raw=b'{"location": "eastus", "tags": {"x": "' + b"y" * 2000 + b'"}}')
        assert status == 413 and body["error"]["code"] == "RequestEntityTooLarge"
        assert headers["connection"] == "close"
        assert not state_path.exists() or "rg" not in json.loads(state_path.read_text())["resourceGroups"]
        # a new connection is served normally
        assert Client(srv)("PUT", f"/subscriptions/{sub}/resourcegroups/rg?api-version=2020-06-01",
                           {"location": "eastus"})[0] == 201


def test_require_token(state_path):
    with running_server(state_path, token="s3cret") as srv:
        sub = subscription(state_path)
        url = f"/subscriptions/{sub}/providers/Microsoft.Compute?api-version=2020-06-01"
        status, headers, body = Client(srv)("GET", url)
        assert status == 401 and body["error"]["code"] == "AuthenticationFailed"
        assert body["error"]["message"] == "Authentication failed. The 'Authorization' header is missing."
        assert headers["www-authenticate"].startswith("Bearer ")
        status, _, body = Client(srv, token="wrong")("GET", url)
        assert status == 401 and body["error"]["code"] == "InvalidAuthenticationToken"
        status, _, body = Client(srv)("GET", url, headers={"Authorization": "Basic s3cret"})
        assert status == 401 and body["error"]["code"] == "AuthenticationFailed"
        status, _, body = Client(srv, token="s3cret")("GET", url)
        assert status == 200 and body["namespace"] == "Microsoft.Compute"
        # controls too
        assert Client(srv)("GET", "/autopatch/clock")[0] == 401
        assert Client(srv, token="s3cret")("GET", "/autopatch/clock")[0] == 200


# ---- emulator controls -----------------------------------------------------------------------------


def test_clock_controls(client, sub, state_path):
    status, _, clock = client("GET", "/autopatch/clock")
    assert status == 200 and clock["now"] == "2020-10-01T00:00:00Z"
    status, _, ticked = client("POST", "/autopatch/tick", {"minutes": 20})
    assert status == 200 and ticked["to"] == "2020-10-01T00:20:00Z"
    status, _, ticked = client("POST", "/autopatch/tick?hours=1")
    assert ticked["to"] == "2020-10-01T01:20:00Z"
    status, _, body = client("POST", "/autopatch/tick", {"minutes": -5})
    assert status == 400 and body["error"]["code"] == "InvalidParameter"
    status, _, body = client("POST", "/autopatch/tick", {})
    assert status == 400
    status, _, moved = client("PUT", "/autopatch/clock", {"now": "2020-10-02T00:00:00Z"})
    assert status == 200 and moved["now"] == "2020-10-02T00:00:00Z"
    assert client("GET", "/autopatch/nothing")[0] == 404
    assert client("DELETE", "/autopatch/tick")[0] == 405
    # a feature registered through ARM finishes on an emulator tick
    url = f"/subscriptions/{sub}/providers/Microsoft.Features/providers/Microsoft.Compute/features/InGuestPatchVMPreview"
    assert client("POST", f"{url}/register?api-version=2015-12-01")[2]["properties"]["state"] == "Registering"
    client("POST", "/autopatch/tick", {"minutes": 15})
    assert client("GET", f"{url}?api-version=2015-12-01")[2]["properties"]["state"] == "Registered"


def test_reset_control(client, sub):
    make_group(client, sub)
    client("POST", "/autopatch/tick", {"days": 1})
    status, _, clock = client("POST", "/autopatch/reset")
    assert status == 200 and clock["now"] == "2020-10-01T00:00:00Z"
    assert client("GET", f"/subscriptions/{sub}/resourcegroups/rg?api-version=2020-06-01")[0] == 404


def test_controls_are_not_arm_paths(client, sub):
    status, _, body = client("GET", f"/subscriptions/{sub}/autopatch/clock?api-version=2020-06-01")
    assert status == 404
    status, _, body = client("GET", "/autopatch/clock?api-version=2020-06-01")
    assert status == 200 and "now" in body


def test_speed_moves_the_clock(state_path):
    from autopatch_cli.arm.server import ClockDriver

    with running_server(state_path) as srv:
        driver = ClockDriver(srv.router, speed=3600, interval=0.1)
        driver.start()
        time.sleep(0.6)
        driver.stop()
        driver.join(2)
        now = Client(srv)("GET", "/autopatch/clock")[2]["now"]
    assert now > "2020-10-01T00:20:00Z", now  # about half an hour of simulated time in 0.6 s


# ---- the command ----------------------------------------------------------------------------------


def start_serve(*args: str, env=None):
    process = subprocess.Popen([*entry_point(), "serve", "--port", "0", *args], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env or dict(os.environ))
    line = process.stdout.readline()
    match = re.search(r"on (https?)://([^:]+):(\d+) ", line)
    if not match:
        process.kill()
        raise AssertionError(f"no serving line: {line!r} {process.stderr.read()}")
    return process, match.group(1), int(match.group(3))


def stop(process) -> str:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
    return process.stderr.read()


def test_serve_command_and_rest_over_http(cli, state_path):
    process, scheme, port = start_serve()
    try:
        assert scheme == "http"
        sub = subscription(state_path)
        base = f"http://127.0.0.1:{port}"
        done = cli("rest", "--method", "put", "--url", f"{base}/subscriptions/{sub}/resourcegroups/rg?api-version=2020-06-01",
                   "--body", '{"location": "eastus"}')
        assert done.exit_code == 0, done.stderr
        assert done.json["name"] == "rg"
        # the CLI on the same store sees it, and the server sees what the CLI writes
        assert cli("group", "show", "-n", "rg").exit_code == 0
        assert cli("vm", "create", "-g", "rg", "-n", "vm1", "--image", "Win2019Datacenter", "--admin-password", PASSWORD).exit_code == 0
        shown = cli("rest", "--url", f"{base}/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1/instanceView?api-version=2020-06-01")
        assert shown.exit_code == 0 and shown.json["statuses"][1]["code"] == "PowerState/running"
        missing = cli("rest", "--url", f"{base}/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm9?api-version=2020-06-01")
        assert missing.exit_code == 1 and missing.stderr.startswith('ERROR: Not Found({"error":{"code":"ResourceNotFound"')
    finally:
        stop(process)


def test_serve_warns_off_loopback():
    process, _, port = start_serve("--host", "0.0.0.0")
    err = stop(process)
    assert "WARNING: --host 0.0.0.0 makes the emulator reachable from other machines" in err


def test_serve_bad_options(cli):
    assert cli("serve", "--port", "70000").exit_code == 2
    bad = cli("serve", "--speed", "0")
    assert bad.exit_code == 1 and "--speed" in bad.stderr


def _openssl_cert(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    done = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return cert, key


@pytest.fixture
def certificate(tmp_path):
    import shutil

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    return _openssl_cert(tmp_path)


def test_serve_https(state_path, certificate):
    import ssl

    cert, key = certificate
    process, scheme, port = start_serve("--certfile", str(cert), "--keyfile", str(key), "--require-token", "tok")
    try:
        assert scheme == "https"
        context = ssl.create_default_context(cafile=str(cert))
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
        sub = subscription(state_path)
        conn.request("POST", f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1/start?api-version=2020-06-01",
                     headers={"Authorization": "Bearer tok"})
        response = conn.getresponse()
        assert response.status == 404  # served over TLS: the group does not exist
        assert json.loads(response.read())["error"]["code"] == "ResourceGroupNotFound"
    finally:
        stop(process)


# ---- many clients at once ---------------------------------------------------------------------------


def test_32_concurrent_clients_lose_nothing(state_path, cli):
    threads = 32
    rounds = 3
    with running_server(state_path) as srv:
        sub = subscription(state_path)
        make_group(Client(srv), sub)
        base = vms_path(sub)
        for name in ("shared0", "shared1"):
            assert Client(srv)("PUT", f"{base}/{name}?api-version=2021-03-01", vm_body())[0] == 201
        errors: list[str] = []

        def worker(index: int) -> None:
            client = Client(srv)
            try:
                status, _, body = client("PUT", f"{base}/vm{index}?api-version=2021-03-01", vm_body())
                if status != 201 or body["name"] != f"vm{index}":
                    errors.append(f"create vm{index}: {status} {body}")
                for round_ in range(rounds):
                    status, _, body = client("PATCH", f"{base}/vm{index}?api-version=2021-03-01",
                                             {"tags": {"round": str(round_)}})
                    if status != 200 or body["tags"] != {"round": str(round_)}:
                        errors.append(f"patch vm{index}: {status} {body}")
                    status, _, body = client("GET", f"{base}/shared{index % 2}/instanceView?api-version=2020-12-01")
                    if status != 200 or body["statuses"][1]["code"] != "PowerState/running":
                        errors.append(f"read: {status} {body}")
                    status, _, body = client("GET", f"{base}/vm{index}?api-version=2020-06-01")
                    if status != 200 or body["tags"] != {"round": str(round_)}:
                        errors.append(f"read back vm{index}: {status} {body}")
            except Exception as exc:  # noqa: BLE001 - any failure is a lost request
                errors.append(f"vm{index}: {type(exc).__name__}: {exc}")

        pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
        for thread in pool:
            thread.start()
        cli_result = cli("tick", "--minutes", "5")  # the CLI writes the same store meanwhile
        for thread in pool:
            thread.join(120)
        assert cli_result.exit_code == 0
        assert not errors, errors[:5]
        status, _, listed = Client(srv)("GET", f"{base}?api-version=2021-03-01")
    names = {vm["name"]: vm.get("tags") for vm in listed["value"]}
    assert {f"vm{i}" for i in range(threads)} <= set(names)
    assert all(names[f"vm{i}"] == {"round": str(rounds - 1)} for i in range(threads))
    assert json.loads(state_path.read_text())["clock"]["now"] == "2020-10-01T00:05:00Z"


def test_an_oversized_body_gets_its_413_in_plain_clients(state_path):
    """urllib (like requests) sends the whole body before it reads: it must see the 413, not a broken pipe."""
    import urllib.error
    import urllib.request

    with running_server(state_path, max_body=1024 * 1024) as srv:
        sub = subscription(state_path)
        url = f"{srv.url}/subscriptions/{sub}/resourcegroups/rg?api-version=2020-06-01"
        big = b'{"location": "eastus", "tags": {"x": "' + b"y" * (24 * 1024 * 1024) + b'"}}'
        request = urllib.request.Request(url, data=big, method="PUT", headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=20)
        assert refused.value.code == 413
        assert json.loads(refused.value.read())["error"]["code"] == "RequestEntityTooLarge"


def test_fault_and_requirement_controls(client, sub, state_path):
    """Fault injection lives under /autopatch/ like the other controls, never in ARM paths."""
    make_group(client, sub)
    assert client("PUT", f"{vms_path(sub)}/vm1?api-version=2021-03-01", vm_body())[0] == 201
    status, _, faults = client("POST", "/autopatch/faults",
                               {"resourceGroup": "rg", "name": "vm1", "kind": "unhealthy-after-reboot", "count": 2})
    assert status == 200 and faults["faults"] == {"unhealthy-after-reboot": 2}
    status, _, body = client("POST", "/autopatch/faults", {"resourceGroup": "rg", "name": "vm1", "kind": "meteor"})
    assert status == 400 and body["error"]["code"] == "InvalidParameter"
    status, _, body = client("POST", "/autopatch/faults", {"resourceGroup": "rg", "name": "nope", "kind": "reboot-hang"})
    assert status == 404 and body["error"]["code"] == "ResourceNotFound"
    assert client("DELETE", "/autopatch/faults", {"resourceGroup": "rg", "name": "vm1"})[2]["faults"] == {}
    status, _, guest = client("PUT", "/autopatch/requirements",
                              {"resourceGroup": "rg", "name": "vm1", "windowsUpdateService": False})
    assert status == 200 and guest["windowsUpdateService"] == "Stopped"
    before = state_path.read_bytes()
    assert client("PUT", "/autopatch/requirements", {"resourceGroup": "rg", "name": "vm1", "agent": "maybe"})[0] == 400
    assert client("PUT", "/autopatch/requirements", {"name": "vm1"})[0] == 400
    assert state_path.read_bytes() == before
