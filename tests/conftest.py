"""Every test runs against its own throwaway store and config dir, with a fixed terminal."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Re-exported for test modules written before helpers.py; new ones import helpers directly.
from helpers import PASSWORD, Result, entry_point, run  # noqa: F401


@pytest.fixture(scope="session")
def cache_home(tmp_path_factory) -> Path:
    """One cache dir for the session: the completion tree is built once, never in the user's ~/.cache."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch, cache_home):
    monkeypatch.setenv("AUTOPATCH_STATE", str(tmp_path / "state.json"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    monkeypatch.setenv("AUTOPATCH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    from autopatch_cli import config

    config._cache = None
    yield
    config._cache = None


@pytest.fixture
def cli():
    return run


@pytest.fixture
def state_path() -> Path:
    return Path(os.environ["AUTOPATCH_STATE"])


@pytest.fixture
def opted_in(cli):
    """A subscription that followed the guide's opt-in: feature registered, provider re-registered."""
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    assert cli("feature", "register", "--namespace", "Microsoft.Compute", "--name", "InGuestAutoPatchVMPreview").exit_code == 0
    assert cli("tick", "--minutes", "15").exit_code == 0
    assert cli("provider", "register", "--namespace", "Microsoft.Compute").exit_code == 0
    return cli


@pytest.fixture
def vm(cli, state_path):
    """A store with group rg and a Windows VM named vm (AutomaticByOS, az's defaults); returns its path."""
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    created = cli("vm", "create", "-g", "rg", "-n", "vm", "--image", "Win2019Datacenter", "--admin-password", PASSWORD)
    assert created.exit_code == 0, created.stderr
    return state_path
