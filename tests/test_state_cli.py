"""`autopatch state ...`: show, reset, export/import, snapshots; the default store's notice; the demo's store."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from helpers import entry_point

from autopatch_cli.store import SCHEMA_VERSION


def _group(cli, name: str = "rg") -> None:
    assert cli("group", "create", "-n", name, "-l", "eastus").exit_code == 0


def test_show_names_the_store_its_clock_seed_schema_and_counts(cli, state_path):
    fresh = cli("state", "show").json
    assert fresh["path"] == str(state_path) and fresh["exists"] is False and fresh["source"] == "AUTOPATCH_STATE"
    _group(cli)
    assert cli("tick", "--hours", "2").exit_code == 0
    shown = cli("state", "show").json
    assert shown["exists"] is True and shown["sizeBytes"] == state_path.stat().st_size
    assert shown["clock"] == "2020-10-01T02:00:00Z" and shown["seed"] == 20201013 and shown["schemaVersion"] == SCHEMA_VERSION
    assert shown["counts"]["resourceGroups"] == 1 and shown["counts"]["vms"] == 0
    table = cli("state", "show", "-o", "table").stdout
    assert str(state_path) in table and "ResourceGroups" in table


def test_reset_empties_the_store_keeps_its_seed_unless_given(cli, state_path):
    _group(cli)
    assert cli("state", "reset").exit_code == 1  # no terminal: az asks for --yes
    assert json.loads(state_path.read_text())["resourceGroups"]
    reset = cli("state", "reset", "--yes")
    assert reset.exit_code == 0, reset.stderr
    assert reset.json["counts"]["resourceGroups"] == 0 and reset.json["seed"] == 20201013
    assert cli("state", "reset", "--seed", "7", "-y").json["seed"] == 7
    assert cli("group", "exists", "-n", "rg").stdout.strip() == "false"


def test_export_import_round_trip_and_a_bad_file_changes_nothing(cli, state_path, tmp_path):
    _group(cli, "kept")
    exported = tmp_path / "fleet.json"
    assert cli("state", "export", str(exported)).exit_code == 0
    assert exported.read_bytes() == state_path.read_bytes()
    assert cli("state", "reset", "-y").exit_code == 0
    imported = cli("state", "import", str(exported))
    assert imported.exit_code == 0, imported.stderr
    assert imported.json["counts"]["resourceGroups"] == 1
    before = state_path.read_bytes()
    for bad in ("[1]", '{"x": ', '{"schemaVersion": 99}'):
        (tmp_path / "bad.json").write_text(bad)
        refused = cli("state", "import", str(tmp_path / "bad.json"))
        assert refused.exit_code != 0 and refused.stderr.startswith("ERROR: ") and "Nothing was changed" in refused.stderr
        assert state_path.read_bytes() == before
    assert cli("state", "import", str(tmp_path / "missing.json")).exit_code != 0
    assert state_path.read_bytes() == before


def test_export_to_stdout_and_import_from_stdin_in_real_processes(cli, state_path, tmp_path):
    _group(cli, "piped")
    printed = subprocess.run([*entry_point(), "state", "export", "-"], capture_output=True, check=True)
    assert printed.stdout == state_path.read_bytes()
    other = tmp_path / "other.json"
    env = {**os.environ, "AUTOPATCH_STATE": str(other)}
    loaded = subprocess.run([*entry_point(), "state", "import", "-"], input=printed.stdout, env=env,
                            capture_output=True, check=True)
    assert json.loads(loaded.stdout)["counts"]["resourceGroups"] == 1
    assert other.read_bytes() == state_path.read_bytes()


def test_snapshot_and_restore(cli, state_path):
    _group(cli, "before")
    made = cli("state", "snapshot", "one")
    assert made.exit_code == 0, made.stderr
    assert Path(made.json["path"]).parent == state_path.with_name("state.json.snapshots")
    _group(cli, "after")
    assert cli("state", "snapshot", "one").exit_code != 0  # never replaced silently
    assert cli("state", "restore", "one").json["counts"]["resourceGroups"] == 1
    assert cli("group", "exists", "-n", "after").stdout.strip() == "false"
    assert [s["name"] for s in cli("state", "snapshots").json] == ["one"]
    missing = cli("state", "restore", "two")
    assert missing.exit_code != 0 and "Snapshots: one" in missing.stderr
    assert cli("state", "snapshot", "../escape").exit_code != 0
    assert cli("state", "delete-snapshot", "one").exit_code == 0
    assert cli("state", "snapshots").json == []


def test_a_damaged_snapshot_is_refused_and_the_store_kept(cli, state_path):
    _group(cli)
    assert cli("state", "snapshot", "s").exit_code == 0
    state_path.with_name("state.json.snapshots").joinpath("s.json").write_text("{not json")
    before = state_path.read_bytes()
    refused = cli("state", "restore", "s")
    assert refused.exit_code != 0 and "not valid JSON" in refused.stderr
    assert state_path.read_bytes() == before


def test_the_first_write_to_the_default_store_says_where_it_went_once(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "AUTOPATCH_STATE"}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    first = subprocess.run([*entry_point(), "group", "create", "-n", "rg", "-l", "eastus"], env=env,
                           capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    store = tmp_path / "data" / "autopatch" / "state.json"
    assert store.exists() and f"Created the state store {store}" in first.stderr
    second = subprocess.run([*entry_point(), "group", "create", "-n", "rg2", "-l", "eastus"], env=env,
                            capture_output=True, text=True)
    assert second.returncode == 0 and second.stderr == ""
    shown = subprocess.run([*entry_point(), "state", "show"], env=env, capture_output=True, text=True)
    assert json.loads(shown.stdout)["source"] == "default"


@pytest.fixture
def no_demo_leftovers(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    yield tmp_path / "tmp"
    monkeypatch.setattr(tempfile, "tempdir", None)


def test_demo_ignores_autopatch_state_and_removes_its_store(cli, state_path, no_demo_leftovers):
    _group(cli)
    before = state_path.read_bytes()
    result = cli("demo", "--days", "3", "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json["kept"] is False and result.json["store"] != str(state_path)
    assert state_path.read_bytes() == before
    assert list(no_demo_leftovers.iterdir()) == []


def test_demo_keep_and_state_on_its_command_line(cli, tmp_path, no_demo_leftovers):
    kept = cli("demo", "--days", "3", "--keep", "-o", "json").json
    assert kept["kept"] is True and Path(kept["store"]).exists()
    target = tmp_path / "mine.json"
    mine = cli("demo", "--days", "3", "--state", str(target), "-o", "json").json
    assert mine["store"] == str(target) and target.exists()
    assert cli("demo", "--days", "3", "--state", str(target)).exit_code != 0  # never over an existing store


def test_demo_explore_lines_run_as_printed(cli, no_demo_leftovers):
    shown = cli("demo", "--days", "40", "--keep")
    assert shown.exit_code == 0, shown.stderr
    lines = [line.strip() for line in shown.stdout.splitlines() if line.strip().startswith("autopatch --state ")]
    assert len(lines) == 3
    import shlex

    for line in lines:
        ran = cli(*shlex.split(line)[1:])
        assert ran.exit_code == 0, (line, ran.stderr)
