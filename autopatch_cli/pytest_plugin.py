"""pytest fixtures for tests that run against autopatch (installed with the package: entry point ``pytest11``).

- ``autopatch_state``: a fresh store in the test's tmp dir; ``AUTOPATCH_STATE`` points at it for the test,
  so ``autopatch`` run in a subprocess uses it too.
- ``autopatch``: an :class:`autopatch_cli.api.Emulator` over that store (``autopatch.tick(days=35)``...).
- ``autopatch_tick``: ``autopatch_tick(days=..., hours=..., minutes=..., until=...)`` advances simulated time.
- ``autopatch_server``: ``autopatch serve`` over that store on a free port (http), started for the test and
  stopped after it: ``.url``, ``.state``, ``.subscription_id``.
- ``autopatch_https_server``: the same with ``serve --tls`` (a self-signed certificate made beside the store:
  ``.certfile``, which clients must trust; the SDK's default bearer-token policy works as with Azure).
- ``autopatch_clients``: the official SDK's clients pointed at ``autopatch_server``: ``.compute``,
  ``.resources``, ``.features`` (skipped when azure-mgmt-compute/-resource/-resource-features are missing).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest


@dataclass
class RunningServer:
    """An ``autopatch serve`` process; stopped by the fixture after the test."""

    url: str
    state: Path
    subscription_id: str
    certfile: Path | None = None
    process: subprocess.Popen | None = field(default=None, repr=False)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_server(state: Path, *extra: str, timeout: float = 30.0) -> RunningServer:
    """Start ``autopatch serve --port 0`` on ``state`` and wait for the address it prints."""
    from .api import Emulator

    env = {**os.environ, "AUTOPATCH_STATE": str(state)}
    process = subprocess.Popen(
        [sys.executable, "-m", "autopatch_cli", "serve", "--port", "0", "--state", str(state), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    certfile = None
    deadline = time.monotonic() + timeout
    url = None
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if line.startswith("TLS certificate"):
            certfile = Path(line.rsplit(": ", 1)[1].strip())
        if line.startswith("Serving the ARM REST API on "):
            url = line.removeprefix("Serving the ARM REST API on ").split(" ", 1)[0]
            break
    if url is None:
        process.kill()
        _, err = process.communicate(timeout=10)
        raise RuntimeError(f"autopatch serve did not start: {err.strip()}")
    return RunningServer(url=url, state=state, subscription_id=Emulator(state).subscription_id(),
                         certfile=certfile, process=process)


@pytest.fixture
def autopatch_state(tmp_path, monkeypatch) -> Path:
    """A fresh store for the test; AUTOPATCH_STATE points at it (subprocesses use it too)."""
    path = tmp_path / "autopatch-state.json"
    monkeypatch.setenv("AUTOPATCH_STATE", str(path))
    return path


@pytest.fixture
def autopatch(autopatch_state):
    """An autopatch_cli.api.Emulator over the test's store."""
    from .api import Emulator

    return Emulator(autopatch_state)


@pytest.fixture
def autopatch_tick(autopatch):
    """autopatch_tick(days=..., hours=..., minutes=..., until=...): advance simulated time."""
    return autopatch.tick


@pytest.fixture
def autopatch_server(autopatch_state):
    """`autopatch serve` (http) over the test's store on a free port: .url, .state, .subscription_id."""
    server = start_server(autopatch_state)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def autopatch_https_server(autopatch_state):
    """`autopatch serve --tls` over the test's store on a free port; clients trust .certfile."""
    server = start_server(autopatch_state, "--tls")
    try:
        yield server
    finally:
        server.stop()


class _LocalCredential:
    """A TokenCredential for the emulator: it takes any token."""

    def get_token(self, *scopes, **kwargs):
        from azure.core.credentials import AccessToken

        return AccessToken("autopatch", 2**31 - 1)


def sdk_clients(server: RunningServer) -> SimpleNamespace:
    """The SDK's management clients for ``server`` (plain http: the bearer header goes through a key-credential
    policy, since the SDK's default policy refuses to send a token over http)."""
    for package in ("azure.mgmt.compute", "azure.mgmt.resource", "azure.mgmt.resource.features"):
        pytest.importorskip(package)
    from azure.core.credentials import AzureKeyCredential
    from azure.core.pipeline.policies import AzureKeyCredentialPolicy
    from azure.mgmt.compute import ComputeManagementClient
    from azure.mgmt.resource.features import FeatureClient
    from azure.mgmt.resource.resources import ResourceManagementClient

    options: dict = {"credential": _LocalCredential(), "subscription_id": server.subscription_id,
                     "base_url": server.url, "polling_interval": 0}
    if server.url.startswith("http://"):
        options["authentication_policy"] = AzureKeyCredentialPolicy(AzureKeyCredential("autopatch"), "Authorization",
                                                                    prefix="Bearer")
    else:
        options["connection_verify"] = str(server.certfile)
        options["credential_scopes"] = ["https://management.azure.com/.default"]
    return SimpleNamespace(compute=ComputeManagementClient(**options), resources=ResourceManagementClient(**options),
                           features=FeatureClient(**options), subscription_id=server.subscription_id)


@pytest.fixture
def autopatch_clients(autopatch_server):
    """The SDK's clients pointed at autopatch_server: .compute, .resources, .features."""
    return sdk_clients(autopatch_server)
