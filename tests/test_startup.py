"""What a read verb loads: `vm show` must not pay for rich, the models, the engine, YAML...

Structural, not timed: a fresh interpreter runs ``main(['vm', 'show', ...])`` on a small store and
reports ``sys.modules``. benchmarks/startup.py measures the time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from helpers import PASSWORD

# Prefixes that a read verb must never import (each also bans its submodules).
FORBIDDEN = (
    "rich",
    "typer.rich_utils",
    "yaml",
    "jmespath",
    "platformdirs",
    "filelock",
    "autopatch_cli.models.compute",
    "autopatch_cli.models.resources",
    "autopatch_cli.models.base",
    "autopatch_cli.engine",
)
# autopatch_cli.ops.state needs the clock's constants (a new store's start instant and seed).
ALLOWED = ("autopatch_cli.engine", "autopatch_cli.engine.clock")

PROBE = """
import json, sys
from autopatch_cli.__main__ import main
code = main(sys.argv[2:])
with open(sys.argv[1], "w") as handle:
    json.dump({"code": code, "modules": sorted(sys.modules)}, handle)
"""


@pytest.fixture
def small_store(cli):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    for name in ("vm1", "vm2", "vm3"):
        created = cli("vm", "create", "-g", "rg", "-n", name, "--image", "Win2019Datacenter",
                      "--admin-password", PASSWORD)
        assert created.exit_code == 0, created.stderr


def _modules_after(tmp_path, *args: str) -> tuple[str, set[str]]:
    report = tmp_path / "modules.json"
    done = subprocess.run([sys.executable, "-c", PROBE, str(report), *args], env=dict(os.environ),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(report.read_text())
    assert result["code"] == 0, done.stderr
    return done.stdout, set(result["modules"])


def _forbidden(modules: set[str]) -> list[str]:
    return sorted(
        m for m in modules
        if m not in ALLOWED and any(m == p or m.startswith(p + ".") for p in FORBIDDEN)
    )


@pytest.mark.parametrize("verb", ["show", "get-instance-view"])
def test_read_verbs_import_no_heavy_modules(small_store, tmp_path, verb):
    stdout, modules = _modules_after(tmp_path, "vm", verb, "-g", "rg", "-n", "vm2")
    assert json.loads(stdout)["name"] == "vm2"
    assert _forbidden(modules) == []
    # only the invoked group's module is imported, not the other command groups
    assert "autopatch_cli.cli.vm" in modules
    assert not {"autopatch_cli.cli.tick", "autopatch_cli.cli.group", "autopatch_cli.cli.feature"} & modules


def test_table_output_still_needs_nothing_heavy(small_store, tmp_path):
    stdout, modules = _modules_after(tmp_path, "vm", "show", "-g", "rg", "-n", "vm1", "-o", "table")
    assert "vm1" in stdout
    assert _forbidden(modules) == []


def test_the_vm_group_builds_only_the_invoked_command():
    import typer.main

    from autopatch_cli.__main__ import root_command
    from autopatch_cli.cli import TyperAppGroup
    from autopatch_cli.cli import vm as vm_module

    root = root_command()
    group = root.get_command(None, "vm")
    assert isinstance(group, TyperAppGroup)
    assert group.commands == {}
    assert group.get_command(None, "show").name == "show"
    assert list(group.commands) == ["show"]
    # ...and it lists, describes and accepts what typer's eagerly built group does
    eager = typer.main.get_command(vm_module.app)
    assert group.list_commands(None)[:1] == ["show"]
    assert sorted(group.list_commands(None)) == sorted(eager.list_commands(None))
    assert [p.name for p in group.params] == [p.name for p in eager.params]
    assert (group.help, group.no_args_is_help) == (eager.help, eager.no_args_is_help)
    assert group.get_command(None, "frobnicate") is None


def test_vm_help_is_unchanged_by_the_lazy_group(cli):
    """`autopatch vm --help` is what typer's eagerly built group prints."""
    import typer.main
    from typer._click import Context

    from autopatch_cli.__main__ import root_command
    from autopatch_cli.cli import vm as vm_module

    eager = typer.main.get_command(vm_module.app)
    eager.name = "vm"
    parent = Context(root_command(), info_name="autopatch", help_option_names=["-h", "--help"])
    shown = cli("vm", "--help")
    assert shown.exit_code == 0
    # The same usage, description and options; the command list gives whole first sentences (typer cuts
    # them at 45 characters) and the global arguments follow, as on every group.
    eager_help = eager.get_help(Context(eager, info_name="vm", parent=parent))
    head, _, commands = shown.stdout.partition("Commands:")
    assert head.strip() == eager_help.partition("Commands:")[0].strip()
    listed = [line.split()[0] for line in commands.split("Global Arguments:")[0].splitlines()
              if line.strip() and line.startswith("  ") and not line.startswith("   ")]
    assert listed == eager.list_commands(None)
    sub = cli("vm", "availability-set", "--help")
    assert {"create", "show", "list"} <= set(sub.stdout.split())
